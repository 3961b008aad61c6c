/**
 * A wiring file: an ONNX export of the model (with or without weights) in the checkpoint's folder
 * or up to two folders above (a run folder, a sweep folder) wires a state-dict checkpoint by
 * initializer names: every weight the graph names is taken from the checkpoint. Export with the
 * parameter names kept (`torch.onnx.export(model, x, "model.onnx", export_params=False)`, or
 * `do_constant_folding=False`), so that BatchNorm is not folded into renamed convs. A tied weight
 * is exported under one name only: a few of the checkpoint's weights may be missing from the export
 * (said in a warning). An export that names the weights but whose graph cannot be followed is
 * reported, and the wiring comes from the names instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Checkpoint } from '../checkpoint';
import { FileSource } from '../io/source';
import { ProtoReader } from '../io/protobuf';
import { parseModel, type ModelInfo } from '../readers/onnx/model-proto';
import { buildTopology } from '../readers/onnx/topology';
import type { NetOp } from './netspec';

const MAX_WIRING_BYTES = 64 << 20;
const cache = new Map<string, { mtimeMs: number; model: ModelInfo | null }>();

/** ONNX files beside the checkpoint, then in the folders above (at most two levels). */
export function wiringFiles(checkpoint: string): string[] {
  const out: string[] = [];
  let dir = path.dirname(path.resolve(checkpoint));
  for (let up = 0; up < 3; up++) {
    try {
      for (const e of fs.readdirSync(dir).sort()) if (/\.onnx$/i.test(e) && path.join(dir, e) !== path.resolve(checkpoint)) out.push(path.join(dir, e));
    } catch {
      /* unreadable folder: no wiring file there */
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

function load(file: string): ModelInfo | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return null;
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.model;
  let model: ModelInfo | null = null;
  let src: FileSource | undefined;
  try {
    src = new FileSource(file);
    // Weights are skipped lazily by the parser; bound the graph itself.
    if (src.size > 0) model = parseModel(new ProtoReader(src, file, 0, src.size));
    if (model && model.nodes.length === 0) model = null;
  } catch {
    model = null;
  } finally {
    src?.close?.();
  }
  void MAX_WIRING_BYTES;
  cache.set(file, { mtimeMs: st.mtimeMs, model });
  return model;
}

/** The wiring an export in the run folder gives; or why the exports that name these weights could not. */
export function wiringFromFile(ckpt: Checkpoint): { ops: NetOp[]; warnings: string[] } | { failures: string[] } | undefined {
  if (ckpt.topology) return undefined;
  const failures: string[] = [];
  const byName = new Map(ckpt.tensors.map((t) => [t.name, t]));
  for (const f of wiringFiles(ckpt.file)) {
    const model = load(f);
    if (!model) continue;
    const named = [...model.inputs, ...model.initializers.map((i) => i.name)].filter((n) => byName.has(n));
    // The export must name most of the checkpoint's weights to be this model's.
    const weights = ckpt.tensors.filter((t) => t.shape.length >= 2);
    const namedSet = new Set(named);
    const unnamed = weights.filter((t) => !namedSet.has(t.name));
    // A tied weight (lm_head sharing wte) is exported once, under one of its names: a few weights
    // may be absent, not most.
    if (named.length === 0 || unnamed.length > Math.max(2, 0.1 * weights.length)) continue;
    const warnings: string[] = [];
    if (unnamed.length) warnings.push(`${unnamed.map((t) => `'${t.name}'`).join(', ')} ${unnamed.length === 1 ? 'is' : 'are'} not in '${path.basename(f)}' (tied to another weight when exported?) and ${unnamed.length === 1 ? 'is' : 'are'} left out of the graph`);
    const ops = buildTopology(model, byName, new Set(named), warnings);
    if (ops) return { ops, warnings: [`wiring: from '${path.basename(f)}' (weights matched by name)`, ...warnings] };
    // It is this model's export, yet its graph could not be followed: say why, whatever wires it instead.
    failures.push(`'${path.basename(f)}' names this checkpoint's weights, but its graph could not be followed (${warnings.find((w) => w.startsWith('topology not read')) ?? 'no layer with a weight in it'})`);
  }
  return failures.length ? { failures } : undefined;
}
