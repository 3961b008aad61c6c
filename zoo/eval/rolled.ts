/**
 * Rolled vs unrolled graph size, and the time to compute the properties, on the zoo's sample
 * checkpoints (test/fixtures/zoo: one real run per architecture × dataset).
 * The unrolled graph (one node per channel × position) is counted, not built; its property time is
 * the rolled time scaled by the edge ratio (both solvers do one pass over the edges per iteration),
 * so it is marked as an estimate.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCheckpointFull } from '../../src/engine/analyze-checkpoint';

export const SAMPLES_DIR = path.join(__dirname, '..', '..', 'test', 'fixtures', 'zoo');

export interface RolledRow {
  zoo: string;
  inputSize: number;
  nodes: number;
  edges: number;
  unrolledNodes: number;
  unrolledEdges: number;
  msRead: number;
  msProps: number;
  msUnrolledEst: number;
}

export function inputSizeOf(zoo: string, config: Record<string, unknown>): number {
  const budget = (config.budget ?? {}) as { input_size?: number };
  return budget.input_size ?? (zoo.endsWith('-digits') ? 8 : 28);
}

export function rolledVsUnrolled(): RolledRow[] {
  if (!fs.existsSync(SAMPLES_DIR)) return [];
  const rows: RolledRow[] = [];
  for (const zoo of fs.readdirSync(SAMPLES_DIR).filter((d) => fs.statSync(path.join(SAMPLES_DIR, d)).isDirectory()).sort()) {
    for (const run of fs.readdirSync(path.join(SAMPLES_DIR, zoo)).sort().slice(0, 1)) {
      const dir = path.join(SAMPLES_DIR, zoo, run);
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      const inputSize = inputSizeOf(zoo, config);
      const file = path.join(dir, 'epoch_3.pt');
      // Median of 5 timings: the machines are noisy.
      const times = Array.from({ length: 5 }, () => analyzeCheckpointFull(file, { inputSize }));
      const mid = (f: (x: (typeof times)[number]) => number) => times.map(f).sort((a, b) => a - b)[2];
      const a = times[0].analysis;
      const msProps = mid((x) => x.analysis.timings.metricsMs);
      rows.push({
        zoo: `${zoo} (width ×${config.width})`,
        inputSize,
        nodes: a.graph.nodes,
        edges: a.graph.edges,
        unrolledNodes: a.graph.unrolledNodes,
        unrolledEdges: a.graph.unrolledEdges,
        msRead: mid((x) => x.analysis.timings.readAndBuildMs),
        msProps,
        msUnrolledEst: (msProps * a.graph.unrolledEdges) / Math.max(1, a.graph.edges),
      });
    }
  }
  return rows;
}
