/**
 * The bounds fuzzer's classes: one structure-aware generator per way an input can cost more than
 * its size (issue "Bounded by the file"). Each case is a folder of crafted files and the path the
 * CLI is pointed at; run.ts runs it as a child process and checks the bounds. Sizes scale with
 * `full` (npm run fuzz) or stay small (the unit smoke).
 *
 * What every generator states: `expect` 'refused' (some error must name the file and match
 * `message`), 'ok' (a checkpoint must be analyzed), or 'either' (within the bounds, whatever the
 * verdict); `check` adds what the class is about (bounded output, a named depth limit, ...).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Rng } from '../rng';
import { cat, contiguous, deflatedZeros, floats, global, int, long4, safetensors, stateDictPickle, str, tensor, tfRecord, torchZip, tuple, zip, zlibZeros } from './build';
import { gzipChunkBomb, neverWritten } from './h5patch';

export interface Report {
  runs: { path: string; checkpoints: { path: string; metadata: Record<string, unknown>; warnings: string[] }[]; errors: { path: string; message: string }[]; accuracy: unknown }[];
  errors?: { path: string; message: string }[];
}

export interface BoundsCase {
  /** What the CLI is pointed at. */
  target: string;
  desc: string;
  expect: 'refused' | 'ok' | 'either';
  /** For 'refused': the file an error must name (default: the target) and what the message says. */
  errorFile?: string;
  message?: RegExp;
  /** A further check of the report; returns a problem, or undefined. */
  check?: (doc: Report, stdoutBytes: number) => string | undefined;
}

export interface BoundsClass {
  id: string;
  what: string;
  make(dir: string, rng: Rng, full: boolean): BoundsCase;
}

const w = (dir: string, name: string, data: Uint8Array | string): string => {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return p;
};

/** A small valid two-layer state dict (fc1 4→8, fc2 8→3), as torch.save writes it. */
function smallModel(extra: [string | Buffer, Buffer][] = [], storages: { key: string; data: Uint8Array; deflate?: boolean; packed?: { bytes: Uint8Array; size: number } }[] = []): Buffer {
  const pkl = stateDictPickle([['fc1.weight', tensor('w1', 32, [8, 4], [4, 1])], ['fc2.weight', tensor('w2', 24, [3, 8], [8, 1])], ...extra]);
  return torchZip(pkl, [{ key: 'w1', data: floats(32, (i) => Math.sin(i + 1)) }, { key: 'w2', data: floats(24, (i) => Math.cos(i + 1)) }, ...storages]);
}

function mkfifo(p: string): boolean {
  try {
    execFileSync('mkfifo', [p]);
    return true;
  } catch {
    return false;
  }
}

const RAW_JS = /^[^(]*(Invalid typed array length|Maximum call stack size exceeded|Cannot convert|Invalid string length|Array buffer allocation failed|is not a function|Cannot read properties)/;
export function rawJsMessage(m: string): boolean {
  return RAW_JS.test(m);
}

// ------------------------------------------------------------------ classes

const declaredSize: BoundsClass = {
  id: 'declared-size',
  what: 'tensors declared far beyond their stored bytes: stride-0 and overlapping views, never-written HDF5 datasets, manifests and headers that overstate; 1-byte weights that grow fourfold as floats',
  make(dir, rng, full) {
    const k = rng.int(5);
    const big = (): number => rng.range(full ? 1024 : 512, full ? 32768 : 8192);
    if (k === 0) {
      const n = rng.range(1, 64);
      const rank = rng.range(2, 4);
      const shape = Array.from({ length: rank }, big);
      const strides = shape.map(() => (rng.chance(0.7) ? 0 : rng.range(0, 1)));
      const f = w(dir, 'e.pt', torchZip(stateDictPickle([['fc.weight', tensor('0', n, shape, strides)]]), [{ key: '0', data: floats(n, () => 0) }]));
      return { target: f, desc: `torch view of ${n} stored floats as [${shape}] strides [${strides}]`, expect: 'refused', message: /not materialised|stores|reaches outside/ };
    }
    if (k === 1) {
      const d0 = big();
      const d1 = big();
      const f = w(dir, 'never.h5', neverWritten(d0, d1));
      return { target: f, desc: `HDF5 dataset declared [${d0}, ${d1}], never written`, expect: 'refused', message: /stores 0 of them|not materialised/ };
    }
    if (k === 2) {
      // Overlapping strides (as_strided): a 1-D storage read as a sliding window.
      const n = rng.range(16, 4096);
      const shape = [big(), big()];
      const f = w(dir, 'overlap.pt', torchZip(stateDictPickle([['fc.weight', tensor('0', n + shape[0] + shape[1], shape, [1, 1])]]), [{ key: '0', data: floats(n + shape[0] + shape[1], (i) => i % 7) }]));
      return { target: f, desc: `torch view [${shape}] with strides [1, 1] over ${n + shape[0] + shape[1]} floats`, expect: 'refused', message: /not materialised|stores/ };
    }
    if (k === 3) {
      // Every byte stored, but int8/uint8/bool values become 4-byte floats: a chain of 1-byte dense weights.
      const side = rng.range(full ? 2048 : 512, full ? 12000 : 3000);
      const dtype = rng.pick(['I8', 'U8', 'BOOL']);
      const layers = rng.range(2, 4);
      const entries = Array.from({ length: layers }, (_, i) => ({ name: `l${i}.weight`, dtype, shape: [side, side], data: new Uint8Array(side * side).fill(1) }));
      const f = w(dir, 'narrow.safetensors', safetensors(entries));
      return { target: f, desc: `safetensors of ${layers} ${dtype} dense ${side}×${side} weights`, expect: 'either' };
    }
    // safetensors whose shape overstates its bytes.
    const shape = [big(), big()];
    const f = w(dir, 'over.safetensors', safetensors([{ name: 'fc.weight', dtype: 'F32', shape, data: floats(16, () => 1) }]));
    return { target: f, desc: `safetensors [${shape}] over 64 bytes`, expect: 'refused', message: /needs .* bytes|hold/ };
  },
};

const inflateBudget: BoundsClass = {
  id: 'inflate-budget',
  what: 'one decompression budget per checkpoint: many deflated storages, an HDF5 gzip chunk far larger than its dataset, deflated .npz members',
  make(dir, rng, full) {
    const k = rng.int(3);
    if (k === 0) {
      // A chain of dense layers whose weights are deflated storages: each one is read by the analysis.
      const count = rng.range(full ? 20 : 8, full ? 300 : 40);
      const side = rng.pick([256, 512, 1024, 2048]);
      const z = deflatedZeros(side * side * 4, 0.5);
      const items: [string, Buffer][] = [];
      const storages = [];
      for (let i = 0; i < count; i++) {
        items.push([`layers.${i}.weight`, tensor(`z${i}`, side * side, [side, side], [side, 1])]);
        storages.push({ key: `z${i}`, data: new Uint8Array(0), packed: z });
      }
      const f = w(dir, 'many.pt', torchZip(stateDictPickle(items), storages));
      return { target: f, desc: `chain of ${count} dense ${side}×${side} layers, each a deflated storage of ${(side * side * 4) >> 20} MiB`, expect: 'either', check: budgetSaid(count * side * side * 4) };
    }
    if (k === 1) {
      const c0 = rng.pick([64, 256, 1024, 4096, 8192]);
      const c1 = rng.pick([64, 512, 2048, 16384]);
      const f = w(dir, 'chunk.h5', gzipChunkBomb(c0, c1));
      return { target: f, desc: `64×64 HDF5 dataset with one gzip chunk declared [${c0}, ${c1}] (${(c0 * c1 * 4) >> 20} MiB)`, expect: 'either', check: budgetSaid(c0 * c1 * 4) };
    }
    // .npz: a valid header, then zeros far past it.
    const count = rng.range(1, full ? 40 : 8);
    const n = rng.range(1, 64) << 18;
    const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n / 256}, 256), }`;
    const pad = header + ' '.repeat(63 - ((header.length + 10) % 64)) + '\n';
    const pre = Buffer.alloc(10);
    Buffer.from('\x93NUMPY\x01\x00', 'latin1').copy(pre);
    pre.writeUInt16LE(pad.length, 8);
    const sync = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
    const head = zlib.deflateRawSync(cat(pre, pad), sync);
    const zeros = deflatedZeros(n * 4).bytes;
    const members = Array.from({ length: count }, (_, i) => ({ name: `layer${i}.weight.npy`, data: new Uint8Array(0), packed: { bytes: cat(head, zeros), size: 10 + pad.length + n * 4 } }));
    const f = w(dir, 'z.npz', zip(members));
    return { target: f, desc: `.npz of ${count} deflated members of ${n} zero floats`, expect: 'either', check: budgetSaid(count * n * 4) };
  },
};

/** When the inflated total passes the budget (1.25 × file + 24 MiB), some message must say why. */
function budgetSaid(inflated: number): BoundsCase['check'] {
  return (doc) => {
    const msgs = allMessages(doc).join('\n');
    // Past the budget (1.25 × file + 24 MiB, and then some), a refusal must say why.
    if (inflated > 2 * 2 ** 30 / 8 && !/bomb|inflate|not materialised|limit/.test(msgs)) return `${inflated} bytes to inflate without a word about the budget`;
    return undefined;
  };
}

export function allMessages(doc: Report): string[] {
  return [...(doc.errors ?? []), ...doc.runs.flatMap((r) => r.errors)].map((e) => e.message).concat(doc.runs.flatMap((r) => r.checkpoints.flatMap((c) => c.warnings)));
}

const bigInt: BoundsClass = {
  id: 'big-int',
  what: 'pickle integers of any width (LONG1, LONG4, text INT/LONG) in metadata, shapes and offsets; a float where the legacy magic belongs',
  make(dir, rng, full) {
    const k = rng.int(4);
    if (k === 0) {
      const bytes = rng.range(1 << 10, full ? 4 << 20 : 1 << 19);
      const f = w(dir, 'l.pt', smallModel([['n', long4(bytes)]]));
      return { target: f, desc: `metadata int of ${bytes} bytes (LONG4)`, expect: 'ok' };
    }
    if (k === 1) {
      const digits = rng.range(1000, full ? 1 << 20 : 1 << 16);
      const f = w(dir, 't.pt', smallModel([['n', cat('L', '7'.repeat(digits), 'L\n')]]));
      return { target: f, desc: `metadata int of ${digits} decimal digits (text LONG)`, expect: 'ok' };
    }
    if (k === 2) {
      const bytes = rng.range(9, 4096);
      const pkl = stateDictPickle([['fc.weight', cat(global('torch._utils', '_rebuild_tensor_v2'), tuple(cat(tuple(str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu'), int(4)), 'Q'), int(0), tuple(long4(bytes), int(2)), tuple(int(2), int(1)), Buffer.from([0x89]), cat(global('collections', 'OrderedDict'), ')R')), 'R')]]);
      const f = w(dir, 's.pt', torchZip(pkl, [{ key: '0', data: floats(4, () => 1) }]));
      return { target: f, desc: `tensor size given as an int of ${bytes} bytes`, expect: 'refused', message: /integer|size/ };
    }
    const v = rng.pick([1e308, -1e308, Infinity, NaN, 2 ** 80, 0.5]);
    const b = Buffer.alloc(9);
    b[0] = 0x47;
    b.writeDoubleBE(v, 1);
    const f = w(dir, 'legacy.pt', cat('\x80\x02', b, '.', '\x80\x02M', Buffer.from([0xe9, 0x03]), '.'));
    return { target: f, desc: `legacy magic number given as the float ${v}`, expect: 'refused', message: /magic number/ };
  },
};

const longLogs: BoundsClass = {
  id: 'long-logs',
  what: 'training logs of any length next to a checkpoint: CSV, JSON lines and TensorBoard with up to millions of values, one very long line',
  make(dir, rng, full) {
    w(dir, 'run/epoch_1.pt', smallModel());
    const k = rng.int(4);
    const rows = rng.range(full ? 150_000 : 150_000, full ? 2_000_000 : 160_000);
    let desc: string;
    if (k === 0) {
      const cols = rng.range(1, full ? 6 : 3);
      const fd = fs.openSync(path.join(dir, 'run/metrics.csv'), 'w');
      fs.writeSync(fd, `epoch,step,val_acc${Array.from({ length: cols }, (_, i) => `,m${i}`).join('')}\n`);
      const extra = ',0.5'.repeat(cols);
      let chunk = '';
      for (let i = 0; i < rows; i++) {
        chunk += `${Math.floor(i / 1000)},${i},${(0.5 + i / (2 * rows)).toFixed(5)}${extra}\n`;
        if (chunk.length > 1 << 20) {
          fs.writeSync(fd, chunk);
          chunk = '';
        }
      }
      fs.writeSync(fd, chunk);
      fs.closeSync(fd);
      desc = `metrics.csv of ${rows} rows × ${cols + 3} columns`;
    } else if (k === 1) {
      const fd = fs.openSync(path.join(dir, 'run/metrics.jsonl'), 'w');
      let chunk = '';
      for (let i = 0; i < rows; i++) {
        // NaN (not JSON, as Python's json writes it) in a field that is no loss: a NaN loss would mark the run diverged.
        chunk += `{"epoch": ${i % 50}, "step": ${i}, "val_acc": ${(i % 100) / 100}, "loss": ${(1 / (1 + i / 1000)).toFixed(4)}, "grad_norm": NaN}\n`;
        if (chunk.length > 1 << 20) {
          fs.writeSync(fd, chunk);
          chunk = '';
        }
      }
      fs.writeSync(fd, chunk);
      fs.closeSync(fd);
      desc = `metrics.jsonl of ${rows} lines`;
    } else if (k === 2) {
      const fd = fs.openSync(path.join(dir, 'run/events.out.tfevents.1.host'), 'w');
      const parts: Buffer[] = [];
      let size = 0;
      for (let i = 0; i < rows; i++) {
        const r = tfRecord(i, i % 3 ? 'train/loss' : 'val_acc', (i % 100) / 100);
        parts.push(r);
        size += r.length;
        if (size > 1 << 20) {
          fs.writeSync(fd, Buffer.concat(parts));
          parts.length = 0;
          size = 0;
        }
      }
      fs.writeSync(fd, Buffer.concat(parts));
      fs.closeSync(fd);
      desc = `TensorBoard event file of ${rows} scalars`;
    } else {
      const len = rng.range(1 << 20, full ? 40 << 20 : 4 << 20);
      w(dir, 'run/metrics.jsonl', `{"epoch": 1, "val_acc": 0.5, "note": "${'x'.repeat(len)}"}\n{"epoch": 2, "val_acc": 0.6}\n`);
      desc = `metrics.jsonl with one line of ${len} characters`;
    }
    return { target: path.join(dir, 'run'), desc, expect: 'ok', check: (doc) => (doc.runs[0]?.checkpoints.length === 1 ? undefined : 'the run lost its checkpoint analysis') };
  },
};

const amplification: BoundsClass = {
  id: 'amplification',
  what: 'file content multiplied into the report: one memoized string under many metadata keys, a storage in every warning, thousands of metadata keys',
  make(dir, rng, full) {
    const k = rng.int(3);
    let f: string;
    let desc: string;
    if (k === 0) {
      const keys = rng.range(100, full ? 1000 : 300);
      const len = rng.range(1 << 16, 1 << 20);
      // 'k0': BINUNICODE + BINPUT 1; every other key: BINGET 1 (two bytes each).
      const items: [string, Buffer][] = [['k0', cat(str('s'.repeat(len)), 'q\x01')]];
      for (let i = 1; i < keys; i++) items.push([`k${i}`, Buffer.from('h\x01', 'latin1')]);
      f = w(dir, 'meta.pt', smallModel(items));
      desc = `one ${len}-char string memoized under ${keys} metadata keys`;
    } else if (k === 1) {
      const n = rng.range(100, full ? 20000 : 2000);
      const items: [string, Buffer][] = [];
      for (let i = 0; i < n; i++) items.push([`e${i}.${'k'.repeat(rng.range(1, 300))}`, cat(global('os', 'system'), tuple(cat(tuple(str('storage'), global('torch', 'FloatStorage'), str('w1'), str('cpu'), int(32)), 'Q')), 'R')]);
      f = w(dir, 'warn.pt', smallModel(items));
      desc = `${n} entries calling os.system with a storage as argument`;
    } else {
      const n = rng.range(1000, full ? 100000 : 5000);
      const meta: Record<string, string> = {};
      for (let i = 0; i < n; i++) meta[`key${i}`] = 'v'.repeat(rng.range(1, 1000));
      f = w(dir, 'meta.safetensors', safetensors([{ name: 'fc1.weight', dtype: 'F32', shape: [8, 4], data: floats(32, Math.sin) }, { name: 'fc2.weight', dtype: 'F32', shape: [3, 8], data: floats(24, Math.cos) }], meta));
      desc = `safetensors with ${n} metadata keys`;
    }
    const size = fs.statSync(f).size;
    return {
      target: f,
      desc,
      expect: 'either',
      check: (doc, stdoutBytes) => {
        const c = doc.runs[0]?.checkpoints[0];
        if (c && Object.keys(c.metadata).length > 65) return `${Object.keys(c.metadata).length} metadata keys in the report`;
        if (c && c.warnings.length > 51) return `${c.warnings.length} warnings in the report`;
        if (stdoutBytes > 2 * size + (1 << 20)) return `the JSON report is ${stdoutBytes} bytes for a ${size}-byte file`;
        return undefined;
      },
    };
  },
};

const nonRegular: BoundsClass = {
  id: 'non-regular',
  what: 'FIFOs where files are expected: a TF.js weight shard, a checkpoint in a run folder, a training log, ONNX external data',
  make(dir, rng) {
    const k = rng.int(4);
    const fix = path.join(__dirname, '..', '..', 'fixtures');
    if (k === 0) {
      const d = path.join(dir, 'tfjs');
      fs.cpSync(path.join(fix, 'formats', 'lenet_tfjs'), d, { recursive: true });
      const shard = path.join(d, rng.pick(['group1-shard1of2.bin', 'group1-shard2of2.bin']));
      fs.rmSync(shard);
      mkfifo(shard);
      return { target: path.join(d, 'model.json'), desc: 'TF.js model whose weight shard is a FIFO', expect: 'refused', message: /FIFO|not a regular file/ };
    }
    if (k === 1) {
      w(dir, 'run/epoch_0.pt', smallModel());
      mkfifo(path.join(dir, 'run/epoch_1.pt'));
      return { target: path.join(dir, 'run'), desc: 'run folder with a FIFO named epoch_1.pt', expect: 'refused', errorFile: path.join(dir, 'run/epoch_1.pt'), message: /FIFO|not a regular file/ };
    }
    if (k === 2) {
      w(dir, 'run/epoch_0.pt', smallModel());
      mkfifo(path.join(dir, 'run', rng.pick(['metrics.csv', 'metrics.jsonl', 'events.out.tfevents.1.h'])));
      return { target: path.join(dir, 'run'), desc: 'run folder whose training log is a FIFO', expect: 'refused', message: /FIFO|not a regular file/, errorFile: path.join(dir, 'run') };
    }
    const d = path.join(dir, 'onnx');
    fs.cpSync(path.join(fix, 'onnx', 'external'), d, { recursive: true });
    fs.rmSync(path.join(d, 'weights.bin'));
    mkfifo(path.join(d, 'weights.bin'));
    return { target: path.join(d, 'model.onnx'), desc: 'ONNX model whose external data file is a FIFO', expect: 'refused', message: /FIFO|not a (regular )?file/ };
  },
};

const quadratic: BoundsClass = {
  id: 'quadratic-scans',
  what: 'inputs that make per-item scans quadratic: a .pt zip of 100k entries, a safetensors of 300k tensors, a chain of 20k 1×1 layers',
  make(dir, rng, full) {
    const k = rng.int(3);
    if (k === 0) {
      const n = rng.range(full ? 20000 : 5000, full ? 100000 : 20000);
      const storages = Array.from({ length: n }, (_, i) => ({ key: `s${i}`, data: floats(1, () => 1) }));
      const extra: [string, Buffer][] = storages.map((s, i) => [`bn${i}.running_mean`, tensor(s.key, 1, [1], [1])]);
      const f = w(dir, 'entries.pt', smallModel(extra, storages));
      return { target: f, desc: `.pt zip of ${n + 4} entries, ${n} storages looked up`, expect: 'ok' };
    }
    if (k === 1) {
      const n = rng.range(full ? 50000 : 10000, full ? 300000 : 40000);
      const entries = Array.from({ length: n }, (_, i) => ({ name: `t${i}.weight`, dtype: 'F32', shape: [1, 1], data: floats(1, () => 0.5 + (i % 7) / 10) }));
      // A first layer the chain cannot follow makes the reader try other orders of the top-level names.
      if (rng.chance(0.5)) entries.unshift({ name: 'a.weight', dtype: 'F32', shape: [3, 5], data: floats(15, (i) => i + 1) });
      const order = rng.int(3);
      if (order === 1) entries.reverse();
      else if (order === 2) entries.sort((x, y) => (x.name < y.name ? -1 : 1)); // the safetensors library's order
      const f = w(dir, 'many.safetensors', safetensors(entries));
      return { target: f, desc: `safetensors of ${n} tensors with distinct top-level names`, expect: 'either' };
    }
    const n = rng.range(full ? 5000 : 2000, full ? 20000 : 6000);
    const uniform = rng.chance(0.5);
    const items: [string, Buffer][] = [];
    const storages: { key: string; data: Uint8Array }[] = [];
    for (let i = 0; i < n; i++) {
      items.push([`layers.${i}.weight`, tensor(`c${i}`, 1, [1, 1], contiguous([1, 1]))]);
      storages.push({ key: `c${i}`, data: floats(1, () => (uniform ? 1 : 0.5 + ((i * 7919) % 100) / 100)) });
    }
    const f = w(dir, 'chain.pt', torchZip(stateDictPickle(items), storages));
    return { target: f, desc: `chain of ${n} 1×1 layers, ${uniform ? 'all weights 1' : 'varied weights'}`, expect: 'either', message: /eigenvalue|converge/ };
  },
};

const ESCAPES = ['\x1b]0;owned\x07', '\x1b[2J', '\x1b[31m', '\n  error: forged\n', '\r', '\u202e', '\x9b31m', '\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\', '\x07', '\u2028'];

const terminal: BoundsClass = {
  id: 'terminal-injection',
  what: 'control characters (ESC/OSC sequences, newlines, bidi overrides) in file names, tensor names, metadata and messages',
  make(dir, rng) {
    const e = (): string => rng.pick(ESCAPES);
    const k = rng.int(3);
    const run = path.join(dir, `run${e().replace(/\//g, '')}`);
    if (k === 0) {
      const pkl = stateDictPickle([[`fc1${e()}.weight`, tensor('w1', 32, [8, 4], [4, 1])], [`fc2${e()}.weight`, tensor('w2', 24, [3, 8], [8, 1])], [`note${e()}`, str(`value${e()}`)]]);
      w(run, `epoch_1${e().replace(/\//g, '')}.pt`, torchZip(pkl, [{ key: 'w1', data: floats(32, Math.sin) }, { key: 'w2', data: floats(24, Math.cos) }]));
    } else if (k === 1) {
      // A file that fails, so its name and a message made from the file reach the error lines.
      w(run, `bad${e().replace(/\//g, '')}.pt`, torchZip(stateDictPickle([[`w${e()}`, tensor(`k${e()}`, 4, [2, 2], [2, 1])]]), []));
    } else {
      w(run, 'epoch_1.pt', smallModel([[`os${e()}`, cat(global(`os${e()}`, `system${e()}`), tuple(str('x')), 'R')]]));
    }
    return { target: dir, desc: `names with ${['tensor names', 'a failing file', 'a call'][k]} carrying control characters`, expect: 'either' };
  },
};

const outcomes: BoundsClass = {
  id: 'every-outcome-said',
  what: 'outcomes that used to be silent or vague: a tree deeper than the search, links out of the run folder, a dangling link, a stack-deep pickle',
  make(dir, rng, full) {
    const k = rng.int(5);
    if (k === 0) {
      const depth = rng.range(10, full ? 200 : 40);
      let d = dir;
      for (let i = 0; i < depth; i++) d = path.join(d, 'd');
      w(d, 'epoch_1.pt', smallModel());
      return { target: dir, desc: `a checkpoint ${depth} folders deep`, expect: 'refused', errorFile: dir, message: /levels below it were not searched/ };
    }
    if (k === 1) {
      const outside = w(dir, 'elsewhere/metrics.csv', 'epoch,val_acc\n1,0.5\n');
      w(dir, 'run/epoch_1.pt', smallModel());
      fs.symlinkSync(outside, path.join(dir, 'run/metrics.csv'));
      return { target: path.join(dir, 'run'), desc: 'a training log linked from outside the run folder', expect: 'refused', errorFile: path.join(dir, 'run/metrics.csv'), message: /outside the run folder; not followed/ };
    }
    if (k === 2) {
      const outside = w(dir, 'elsewhere/model.pt', smallModel());
      w(dir, 'run/epoch_0.pt', smallModel());
      fs.symlinkSync(outside, path.join(dir, 'run/epoch_1.pt'));
      return { target: path.join(dir, 'run'), desc: 'a checkpoint linked from outside the run folder', expect: 'refused', errorFile: path.join(dir, 'run/epoch_1.pt'), message: /outside its run folder; not followed/ };
    }
    if (k === 3) {
      w(dir, 'run/epoch_0.pt', smallModel());
      fs.symlinkSync(path.join(dir, 'nowhere.pt'), path.join(dir, 'run/epoch_1.pt'));
      return { target: path.join(dir, 'run'), desc: 'a dangling link named like a checkpoint', expect: 'refused', errorFile: path.join(dir, 'run/epoch_1.pt'), message: /cannot be followed|cannot read|does not exist/ };
    }
    // APPENDS of many items onto an object that was not built (it overflowed the stack when spread).
    const n = rng.range(200_000, full ? 2_000_000 : 300_000);
    const items = cat(global('builtins', 'object'), ')R(', Buffer.alloc(n, 'N'), 'e');
    const f = w(dir, 'appends.pt', smallModel([['x', items]]));
    return { target: f, desc: `APPENDS of ${n} items onto an object that was not built`, expect: 'ok' };
  },
};

export const BOUNDS_CLASSES: BoundsClass[] = [declaredSize, inflateBudget, bigInt, longLogs, amplification, nonRegular, quadratic, terminal, outcomes];

/** Also used by zip bombs of the smoke: the same stream helpers. */
export { zlibZeros };
