/**
 * A run's hyperparameters, from the files its framework or script writes beside it, as flat
 * dotted keys (`optimizer.lr`, `trainer.max_epochs`) with numbers as numbers, and for each key the
 * file it came from. Files, nearest config folder first (layout.ts `configDirs`), in this order:
 *  - Lightning `hparams.yaml` (LightningModule.save_hyperparameters) and LightningCLI `config.yaml`;
 *  - Hydra `.hydra/config.yaml`; Weights & Biases `wandb/latest-run/files/config.yaml` (each key
 *    is `{desc, value}`; `_wandb` is W&B's own);
 *  - Hugging Face `training_args.bin` (a pickled TrainingArguments, read with the safe unpickler:
 *    nothing in it is run; an enum field becomes `Class.MEMBER` or its value), `trainer_state.json` (batch size,
 *    epochs, steps, under `trainer_state.`) and the model's `config.json` (under `model.`;
 *    `id2label` becomes `model.num_labels`);
 *  - a plain `config.json`, `args.json`, `params.yaml`, `hparams.json`, `hyperparameters.json`.
 * A key found in several files keeps the first value (a note names the others). Keys that look
 * like secrets (token, password, api_key) are never read out. YAML is parsed by the `yaml`
 * package (YAML 1.2; Python tags such as `!!python/tuple` are read as their plain value).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../errors';
import { FileSource } from '../io/source';
import { PyCall, PyGlobal } from '../io/pickle';
import { readTorchObject } from '../readers/pytorch';
import { parsePythonJson } from '../logs/jsonl';
import { readTrainerState, TRAINER_STATE } from '../logs/trainer-state';
import type { RunLayout } from './layout';

export type HyperValue = number | string | boolean | null;

export interface Hyperparameters {
  /** Flat dotted keys, numbers as numbers. */
  values: Record<string, HyperValue>;
  /** For each key, the file it was read from (relative to the run folder). */
  sources: Record<string, string>;
  warnings: string[];
}

const MAX_CONFIG_BYTES = 4 * 2 ** 20;
const MAX_KEYS = 2000;
const MAX_DEPTH = 8;
const MAX_LIST = 32;
const SECRET = /(token|password|passwd|secret|api_?key|credential)/i;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

type Reader = (file: string) => unknown;

function readText(file: string): string {
  const size = fs.statSync(file).size;
  if (size > MAX_CONFIG_BYTES) throw new Error(`config file of ${size} bytes is larger than the ${MAX_CONFIG_BYTES}-byte limit`);
  return fs.readFileSync(file, 'utf8');
}

const yamlFile: Reader = (f) => parseYaml(readText(f), { strict: false, maxAliasCount: 100, logLevel: 'silent' });
const jsonFile: Reader = (f) => parsePythonJson(readText(f));

/** W&B's config.yaml: every key is `{desc, value}`. */
const wandbFile: Reader = (f) => {
  const doc = yamlFile(f);
  if (!isRecord(doc)) return doc;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === '_wandb' || k === 'wandb_version') continue;
    out[k] = isRecord(v) && 'value' in v ? v.value : v;
  }
  return out;
};

/** An inert pickled object as plain data: dicts, lists, an enum member as its value, a dataclass as its fields. */
function fromPickle(v: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) if (typeof k === 'string') Object.defineProperty(o, k, { value: fromPickle(x, depth + 1), enumerable: true, writable: true, configurable: true });
    return o;
  }
  if (Array.isArray(v)) return v.map((x) => fromPickle(x, depth + 1));
  if (v instanceof PyCall) {
    if (v.state instanceof Map) return fromPickle(v.state, depth + 1);
    // Enum members pickle as getattr(EnumClass, 'NAME') (Python ≥ 3.11) or EnumClass(value) (earlier).
    const fn = v.callable instanceof PyGlobal ? v.callable.qualified : '';
    if ((fn === '__builtin__.getattr' || fn === 'builtins.getattr') && v.args[0] instanceof PyGlobal && typeof v.args[1] === 'string') return `${v.args[0].name}.${v.args[1]}`;
    if (v.args.length === 1 && (typeof v.args[0] === 'string' || typeof v.args[0] === 'number')) return v.args[0];
    return undefined;
  }
  if (v instanceof PyGlobal) return v.qualified;
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : undefined;
}

const torchPickleFile: Reader = (f) => {
  const src = new FileSource(f);
  try {
    return fromPickle(readTorchObject(f, src));
  } finally {
    src.close();
  }
};

/** The trainer state's counters (computed by the Trainer, not set by the user): under `trainer_state.`. */
const trainerStateFile: Reader = (f) => ({ trainer_state: readTrainerState(f).scalars });

/** A Hugging Face model config (it names a model type or architectures), read under `model.`. */
const modelConfigFile: Reader = (f) => {
  const doc = jsonFile(f);
  if (!isRecord(doc) || !('model_type' in doc || 'architectures' in doc || 'transformers_version' in doc)) return doc;
  const { id2label, label2id: _l, ...rest } = doc;
  if (isRecord(id2label) && !('num_labels' in rest)) rest.num_labels = Object.keys(id2label).length;
  return { model: rest };
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The newest W&B run folder's config under `dir/wandb`. */
function wandbConfig(dir: string): string | undefined {
  const w = path.join(dir, 'wandb');
  const latest = path.join(w, 'latest-run', 'files', 'config.yaml');
  if (fs.existsSync(latest)) return latest;
  let runs: string[] = [];
  try {
    runs = fs.readdirSync(w).filter((n) => /^(offline-)?run-/.test(n)).sort();
  } catch {
    return undefined;
  }
  const f = runs.length ? path.join(w, runs[runs.length - 1], 'files', 'config.yaml') : undefined;
  return f && fs.existsSync(f) ? f : undefined;
}

/** The config files of a folder, in priority order, with their readers. */
function configFiles(dir: string): [string, Reader][] {
  const out: [string, Reader][] = [];
  const add = (name: string, r: Reader) => {
    const f = path.join(dir, name);
    if (fs.existsSync(f) && fs.statSync(f).isFile()) out.push([f, r]);
  };
  add('hparams.yaml', yamlFile);
  add('config.yaml', yamlFile);
  add(path.join('.hydra', 'config.yaml'), yamlFile);
  const w = wandbConfig(dir);
  if (w) out.push([w, wandbFile]);
  add('training_args.bin', torchPickleFile);
  add(TRAINER_STATE, trainerStateFile);
  add('config.json', modelConfigFile);
  for (const n of ['args.json', 'params.yaml', 'params.json', 'hparams.json', 'hyperparameters.json', 'args.yaml']) add(n, n.endsWith('.json') ? jsonFile : yamlFile);
  return out;
}

function scalar(key: string, v: unknown): HyperValue | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'boolean' || v === null) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const t = v.trim();
    return NUMBER.test(t) && !/version/i.test(key) ? Number(t) : v.length > 500 ? `${v.slice(0, 500)}…` : v;
  }
  return undefined;
}

/** Flat dotted keys of a nested document. */
export function flatten(doc: unknown, prefix = '', out: [string, HyperValue][] = [], depth = 0): [string, HyperValue][] {
  if (out.length >= MAX_KEYS || depth > MAX_DEPTH) return out;
  if (Array.isArray(doc)) {
    if (doc.length <= MAX_LIST) doc.forEach((x, i) => flatten(x, prefix ? `${prefix}.${i}` : String(i), out, depth + 1));
    else out.push([`${prefix}.length`, doc.length]);
    return out;
  }
  if (isRecord(doc)) {
    for (const [k, v] of Object.entries(doc)) {
      if (SECRET.test(k) || k.startsWith('_')) continue;
      flatten(v, prefix ? `${prefix}.${k}` : k, out, depth + 1);
    }
    return out;
  }
  const s = prefix ? scalar(prefix, doc) : undefined;
  if (s !== undefined) out.push([prefix, s]);
  return out;
}

/** The hyperparameters of a run, read from the config files of its layout's folders. */
export function readHyperparameters(layout: RunLayout): Hyperparameters {
  const values: Record<string, HyperValue> = {};
  const sources: Record<string, string> = {};
  const warnings: string[] = [];
  const conflicts = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const dir of layout.configDirs) {
    for (const [file, read] of configFiles(dir)) {
      if (seen.has(file)) continue;
      seen.add(file);
      const rel = path.relative(layout.dir, file) || path.basename(file);
      let doc: unknown;
      try {
        doc = read(file);
      } catch (e) {
        warnings.push(`${rel}: not read (${errorMessage(e)})`);
        continue;
      }
      for (const [k, v] of flatten(doc)) {
        if (!(k in values)) {
          Object.defineProperty(values, k, { value: v, enumerable: true, writable: true, configurable: true });
          Object.defineProperty(sources, k, { value: rel, enumerable: true, writable: true, configurable: true });
        } else if (values[k] !== v) conflicts.set(k, [...(conflicts.get(k) ?? []), `${JSON.stringify(v)} in ${rel}`]);
      }
    }
  }
  for (const [k, others] of [...conflicts].slice(0, 10)) warnings.push(`${k}: ${JSON.stringify(values[k])} from ${sources[k]} kept; also ${others.join(', ')}`);
  return { values, sources, warnings };
}
