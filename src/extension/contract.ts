/**
 * The extension's public names in one place: command ids, setting keys and their defaults, the
 * status bar item. package.json repeats them for VS Code; a unit test keeps the two in step.
 * No editor API here, so the test can read it.
 */
import { clampMaxDrawnEdges, MAX_DRAWN_EDGES } from '../shared/dashboard-protocol';
export const COMMANDS = {
  openDashboard: 'trainingDynamics.openDashboard',
  analyzeFolder: 'trainingDynamics.analyzeFolder',
  exportFeatures: 'trainingDynamics.exportFeatures',
  trainForecaster: 'trainingDynamics.trainForecaster',
  clearCache: 'trainingDynamics.clearCache',
} as const;

export const SECTION = 'trainingDynamics';

/** Checkpoint extensions the readers know (run/discover.ts CANDIDATE), and TF.js models. */
export const DEFAULT_WATCH_GLOBS = ['**/*.{pt,pth,ckpt,bin,tar,safetensors,h5,hdf5,keras,onnx,npz}', '**/model.json'];

/** Folders never searched for checkpoints (as run/discover.ts skips them). */
export const EXCLUDED_DIRS = ['node_modules', '.git', '__pycache__', '.venv', 'venv', 'wandb', '.ipynb_checkpoints'];
export const EXCLUDE_GLOB = `**/{${EXCLUDED_DIRS.join(',')}}/**`;

/** True for a path inside an excluded folder (file watchers report those too). */
export function isExcludedPath(fsPath: string): boolean {
  return fsPath.split(/[\\/]/).some((seg) => EXCLUDED_DIRS.includes(seg));
}

/**
 * Files whose change re-reads a run's logs and outcome (runtime/run-facts.ts): training logs
 * (logs/index.ts findLogs), Hugging Face's trainer state, the files a run writes at its end
 * (run/status.ts) and a STOP request.
 */
export const LOG_GLOB = '**/{*.csv,*.log,*.jsonl,events.out.tfevents.*,trainer_state.json,final.json,all_results.json,train_results.json,STOP}';

export interface Settings {
  watchGlobs: string[];
  forecastEpochs: number;
  notifyThreshold: number;
  notifyBelowBest: number;
  maxDrawnEdges: number;
  inputSize: number | null;
}

export const DEFAULTS: Settings = {
  watchGlobs: DEFAULT_WATCH_GLOBS,
  forecastEpochs: 3,
  notifyThreshold: 0,
  notifyBelowBest: 0.1,
  maxDrawnEdges: MAX_DRAWN_EDGES.default,
  inputSize: null,
};

/** Setting keys below SECTION, as package.json names them. */
export const SETTING_KEYS: Record<keyof Settings, string> = {
  watchGlobs: 'watchGlobs',
  forecastEpochs: 'forecastEpochs',
  notifyThreshold: 'notify.threshold',
  notifyBelowBest: 'notify.belowBest',
  maxDrawnEdges: 'maxDrawnEdges',
  inputSize: 'inputSize',
};

/** Clamps settings read from the user to what the engine accepts. */
export function sanitize(raw: Partial<Record<keyof Settings, unknown>>): Settings {
  const num = (v: unknown, d: number, lo: number, hi: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : d);
  const globs = Array.isArray(raw.watchGlobs) ? raw.watchGlobs.filter((g): g is string => typeof g === 'string' && g.trim() !== '') : DEFAULTS.watchGlobs;
  const input = raw.inputSize;
  return {
    watchGlobs: globs.length ? globs : DEFAULTS.watchGlobs,
    forecastEpochs: Math.round(num(raw.forecastEpochs, DEFAULTS.forecastEpochs, 1, 5)),
    notifyThreshold: num(raw.notifyThreshold, DEFAULTS.notifyThreshold, 0, 1),
    notifyBelowBest: num(raw.notifyBelowBest, DEFAULTS.notifyBelowBest, 0, 1),
    maxDrawnEdges: clampMaxDrawnEdges(raw.maxDrawnEdges),
    inputSize: typeof input === 'number' && Number.isInteger(input) && input > 0 ? input : null,
  };
}

export const STATUS_ITEM_ID = 'trainingDynamics.status';
export const STATUS_ITEM_NAME = 'Training Dynamics';

/** workspaceState keys. */
export const STATE = {
  notified: 'trainingDynamics.notifiedRuns',
  muted: 'trainingDynamics.notificationsMuted',
} as const;
