/**
 * ONNX models (`.onnx`): a ModelProto protobuf, read with bounded positioned reads so the weights
 * are never loaded at open (model-proto.ts). Yields:
 *  - the float initializers as tensors, with their names as written (`conv1.weight` for a torch
 *    export of an unfolded module; `onnx::Conv_89` when BatchNorm was folded into a conv), in
 *    PyTorch layout (tensors.ts; external data: external.ts);
 *  - `topology`: the wiring the graph states (topology.ts);
 *  - metadata: IR version, producer, opset, graph name and the model's metadata_props.
 */
import { CHECKPOINT_DEFAULTS, checkTensorCount, type Checkpoint, type CheckpointReader } from '../../checkpoint';
import { FormatError } from '../../errors';
import { ProtoReader } from '../../io/protobuf';
import type { ByteSource } from '../../io/source';
import { isFloat, type TensorEntry } from '../../tensor';
import { ExternalFiles } from './external';
import { parseModel } from './model-proto';
import { ONNX_DTYPES, makeTensor, toPyTorchLayout } from './tensors';
import { buildTopology } from './topology';

/** ModelProto field tags that can follow ir_version at the start of a file. */
const MODEL_TAGS = new Set([0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72]);

function looksLikeModel(head: Uint8Array): boolean {
  // ir_version (field 1, varint 1..20) then producer_name / graph / opset_import ...
  if (head.length < 4 || head[0] !== 0x08 || head[1] < 1 || head[1] > 20 || !MODEL_TAGS.has(head[2])) return false;
  if (head[2] === 0x12 || head[2] === 0x1a || head[2] === 0x22) {
    // A short printable string (producer name/version, domain).
    const len = head[3];
    if (len < 1 || len > 64 || 4 + len > head.length) return false;
    for (let i = 4; i < 4 + len; i++) if (head[i] < 0x20 || head[i] > 0x7e) return false;
  }
  return true;
}

export const onnxReader: CheckpointReader = {
  id: 'onnx',
  match(file: string, head: Uint8Array): boolean {
    return /\.onnx$/i.test(file) || looksLikeModel(head);
  },
  open(file: string, src: ByteSource): Checkpoint {
    const ext = new ExternalFiles();
    try {
      return openModel(file, src, ext);
    } catch (e) {
      ext.close();
      throw e;
    }
  },
};

function openModel(file: string, src: ByteSource, ext: ExternalFiles): Checkpoint {
  const warnings: string[] = [];
  if (src.size === 0) throw new FormatError(file, 'empty file (expected an ONNX ModelProto)');
  const model = parseModel(new ProtoReader(src, file, 0, src.size));
  if (!model.hasGraph) throw new FormatError(file, 'not an ONNX model: no graph in the ModelProto');

  const tensors: TensorEntry[] = [];
  const byName = new Map<string, TensorEntry>();
  const constNames = new Set<string>();
  checkTensorCount(file, model.initializers.length);
  for (const t of model.initializers) {
    constNames.add(t.name);
    if (byName.has(t.name)) {
      warnings.push(`initializer '${t.name}' appears twice; the first is kept`);
      continue;
    }
    // Integer and string initializers are shape constants and indices, not weights.
    const info = ONNX_DTYPES[t.dataType];
    if (info && (info.dtype === null ? ['UINT16', 'UINT32', 'UINT64', 'STRING'].includes(info.label) : !isFloat(info.dtype))) continue;
    const entry = makeTensor(file, src, t, ext);
    if (typeof entry === 'string') {
      warnings.push(entry);
      continue;
    }
    tensors.push(entry);
    byName.set(t.name, entry);
  }
  if (model.sparseInitializers > 0) warnings.push(`${model.sparseInitializers} sparse initializer(s) are not read`);

  toPyTorchLayout(model, byName, tensors);
  const topology = buildTopology(model, byName, constNames, warnings);

  const metadata: Record<string, string | number | boolean | null> = {};
  if (model.irVersion !== undefined) metadata.ir_version = model.irVersion;
  if (model.producerName) metadata.producer_name = model.producerName;
  if (model.producerVersion) metadata.producer_version = model.producerVersion;
  if (model.modelVersion !== undefined) metadata.model_version = model.modelVersion;
  const opset = model.opsets.get('') ?? model.opsets.get('ai.onnx');
  if (opset !== undefined) metadata.opset = opset;
  if (model.graphName) metadata.graph_name = model.graphName;
  let epoch: number | undefined;
  for (const [k, v] of model.props) {
    const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v.trim()) ? Number(v) : NaN;
    if (k === 'epoch' && Number.isInteger(num) && num >= 0) epoch = num;
    const value = Number.isFinite(num) ? num : v.length > 200 ? `${v.slice(0, 200)}…` : v;
    // defineProperty: a key such as '__proto__' from the file must stay an ordinary key.
    Object.defineProperty(metadata, k, { value, enumerable: true, writable: true, configurable: true });
  }

  return {
    ...CHECKPOINT_DEFAULTS,
    file,
    format: 'onnx',
    tensors,
    epoch,
    metadata,
    topology,
    wiringSource: 'onnx',
    flattenOrder: 'chw',
    warnings,
    companionBytes: ext.bytes,
    close(): void {
      ext.close();
      src.close?.();
    },
  };
}
