/**
 * The examples of the issue "Bounded by the file", one case each, as crafted fixtures
 * (test/fixtures/hostile, made by scripts/fixtures/make_hostile.py) or generated here at test time
 * when they are big. `scale` < 1 shrinks the generated ones for the unit smoke; 1 is the issue's
 * own size. Each states what must happen (see classes.ts BoundsCase).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflatedZeros, floats, long4, safetensors, stateDictPickle, str, tensor, torchZip, global, tuple, cat, int } from './build';
import { gzipChunkBomb } from './h5patch';
import type { BoundsCase } from './classes';

const HOSTILE = path.join(__dirname, '..', '..', 'fixtures', 'hostile');
const FORMATS = path.join(__dirname, '..', '..', 'fixtures', 'formats');

const put = (dir: string, name: string, data: Uint8Array | string): string => {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return p;
};

function model(extra: [string | Buffer, Buffer][] = []): Buffer {
  const pkl = stateDictPickle([['fc1.weight', tensor('w1', 32, [8, 4], [4, 1])], ['fc2.weight', tensor('w2', 24, [3, 8], [8, 1])], ...extra]);
  return torchZip(pkl, [{ key: 'w1', data: floats(32, (i) => Math.sin(i + 1)) }, { key: 'w2', data: floats(24, (i) => Math.cos(i + 1)) }]);
}

export interface Example {
  id: string;
  /** Builds the case into `dir` (its own folder). */
  make(dir: string, scale: number): BoundsCase;
}

export const EXAMPLES: Example[] = [
  {
    id: 'expanded view e.pt',
    make: (dir) => {
      const f = path.join(dir, 'e.pt');
      fs.copyFileSync(path.join(HOSTILE, 'expanded_view.pt'), f);
      return { target: f, desc: "torch.zeros(1).expand(16384, 16384)", expect: 'refused', message: /16384, 16384.*stores 1 of them/ };
    },
  },
  {
    id: 'never-written HDF5 dataset',
    make: (dir) => {
      const f = path.join(dir, 'never.h5');
      fs.copyFileSync(path.join(HOSTILE, 'never_written.h5'), f);
      return { target: f, desc: '12000×12000 dataset never written', expect: 'refused', message: /stores 0 of them/ };
    },
  },
  {
    id: '300 deflated 16 MiB storages',
    make: (dir, scale) => {
      const count = Math.max(10, Math.round(300 * scale));
      const z = deflatedZeros(16 << 20, 0.5);
      const items: [string, Buffer][] = [];
      const storages = [];
      for (let i = 0; i < count; i++) {
        items.push([`layers.${i}.weight`, tensor(`z${i}`, 2048 * 2048, [2048, 2048], [2048, 1])]);
        storages.push({ key: `z${i}`, data: new Uint8Array(0), packed: z });
      }
      const f = put(dir, 'deflated.pt', torchZip(stateDictPickle(items), storages));
      return { target: f, desc: `${count} deflated storages of 16 MiB`, expect: 'refused', message: /decompression bomb|not materialised/ };
    },
  },
  {
    id: 'HDF5 gzip chunk of 512 MiB for a 64×64 dataset',
    make: (dir, scale) => {
      const f = put(dir, 'chunk.h5', gzipChunkBomb(scale >= 1 ? 8192 : 2048, 16384));
      return { target: f, desc: 'one gzip chunk far larger than its dataset', expect: 'refused', message: /decompression bomb/ };
    },
  },
  {
    id: 'LONG4 of 512 KiB next to the weights',
    make: (dir, scale) => {
      const f = put(dir, 'l.pt', model([['n', long4(Math.round(524288 * Math.max(scale, 0.25)))]]));
      return { target: f, desc: "{'fc.weight': ..., 'n': 1 << (8*524288)}", expect: 'ok' };
    },
  },
  {
    id: 'metrics.csv of 150,000 rows next to a checkpoint',
    make: (dir) => {
      put(dir, 'run/epoch_1.pt', model());
      const rows = ['epoch,step,val_acc,train_loss'];
      for (let i = 0; i < 150_000; i++) rows.push(`${Math.floor(i / 1000)},${i},${(0.5 + i / 1e6).toFixed(6)},${(1 / (i + 1)).toPrecision(6)}`);
      put(dir, 'run/metrics.csv', rows.join('\n') + '\n');
      return { target: path.join(dir, 'run'), desc: '150k-row metrics.csv', expect: 'ok', check: (doc) => (doc.runs[0]?.accuracy ? undefined : 'no accuracy read from the log') };
    },
  },
  {
    id: 'a storage in every warning; one 1 MiB string under 700 metadata keys',
    make: (dir) => {
      const items: [string, Buffer][] = [['k0', cat(str('s'.repeat(1 << 20)), 'q\x01')]];
      for (let i = 1; i < 700; i++) items.push([`k${i}`, Buffer.from('h\x01', 'latin1')]);
      for (let i = 0; i < 300; i++) items.push([`call${i}`, cat(global('os', 'system'), tuple(cat(tuple(str('storage'), global('torch', 'FloatStorage'), str('w1'), str('cpu'), int(32)), 'Q')), 'R')]);
      const f = put(dir, 'amplify.pt', model(items));
      const size = fs.statSync(f).size;
      return {
        target: f,
        desc: 'memoized string under 700 keys, 300 calls over a storage',
        expect: 'ok',
        check: (_doc, out) => (out > 2 * size + (1 << 20) ? `report of ${out} bytes for a ${size}-byte file` : undefined),
      };
    },
  },
  {
    id: 'a TF.js weight shard that is a FIFO',
    make: (dir) => {
      const d = path.join(dir, 'tfjs');
      fs.cpSync(path.join(FORMATS, 'lenet_tfjs'), d, { recursive: true });
      fs.rmSync(path.join(d, 'group1-shard2of2.bin'));
      execFileSync('mkfifo', [path.join(d, 'group1-shard2of2.bin')]);
      return { target: path.join(d, 'model.json'), desc: 'shard 2 is a FIFO', expect: 'refused', message: /FIFO/ };
    },
  },
  {
    id: 'a .pt zip with 100k entries',
    make: (dir, scale) => {
      const n = Math.round(100_000 * scale);
      const items: [string, Buffer][] = [];
      const storages = [];
      for (let i = 0; i < n; i++) {
        items.push([`bn${i}.running_mean`, tensor(`s${i}`, 1, [1], [1])]);
        storages.push({ key: `s${i}`, data: floats(1, () => 1) });
      }
      const f = put(dir, 'entries.pt', torchZip(stateDictPickle([['fc1.weight', tensor('s0', 1, [1, 1], [1, 1])], ...items]), storages));
      return { target: f, desc: `${n} zip entries`, expect: 'ok' };
    },
  },
  {
    id: 'a safetensors of 300k entries',
    make: (dir, scale) => {
      const n = Math.round(300_000 * scale) - 1; // with a.weight: 300k tensors, the most a checkpoint may hold
      // Sorted by name, as the safetensors library writes them; the chain breaks at once, so every
      // order of the top-level names would be tried if there were few enough of them.
      const entries = Array.from({ length: n }, (_, i) => ({ name: `t${i}.weight`, dtype: 'F32', shape: [1, 1], data: floats(1, () => 1) }));
      entries.push({ name: 'a.weight', dtype: 'F32', shape: [3, 5], data: floats(15, (i) => i + 1) });
      entries.sort((x, y) => (x.name < y.name ? -1 : 1));
      const f = put(dir, 'many.safetensors', safetensors(entries));
      return { target: f, desc: `${n} tensors with distinct top-level names, sorted`, expect: 'refused', message: /cannot take|cannot follow|differ/ };
    },
  },
  {
    id: 'a chain of 20k 1×1 layers',
    make: (dir, scale) => {
      const n = Math.round(20_000 * scale);
      const items: [string, Buffer][] = [];
      const storages = [];
      for (let i = 0; i < n; i++) {
        items.push([`layers.${i}.weight`, tensor(`c${i}`, 1, [1, 1], [1, 1])]);
        storages.push({ key: `c${i}`, data: floats(1, () => 1) });
      }
      const f = put(dir, 'chain.pt', torchZip(stateDictPickle(items), storages));
      // 20k such layers cannot converge (their two top eigenvalues differ by ~1e-8): named quickly.
      // Shorter chains may converge.
      return { target: f, desc: `${n} 1×1 layers of weight 1`, expect: scale >= 1 ? 'refused' : 'either', message: /nearly equal/ };
    },
  },
  {
    id: 'escape sequences and newlines in file and tensor names',
    make: (dir) => {
      const pkl = stateDictPickle([['fc1\x1b]0;owned\x07.weight', tensor('w1', 32, [8, 4], [4, 1])], ['fc2\n  error: forged.weight', tensor('w2', 24, [3, 8], [8, 1])]]);
      put(dir, 'run\x1b[2J/epoch\n1.pt', torchZip(pkl, [{ key: 'w1', data: floats(32, Math.sin) }, { key: 'w2', data: floats(24, Math.cos) }]));
      put(dir, 'run\x1b[2J/bad\x1b[31m.pt', torchZip(stateDictPickle([['x\x1b]8;;http://x\x07.weight', tensor('nope\x1b[5m', 4, [2, 2], [2, 1])]]), []));
      return { target: dir, desc: 'ESC/OSC and newlines in names', expect: 'either' };
    },
  },
  {
    id: 'an unreadable checkpoint in a folder (a dangling link)',
    make: (dir) => {
      put(dir, 'run/epoch_0.pt', model());
      fs.symlinkSync(path.join(dir, 'gone.pt'), path.join(dir, 'run/epoch_1.pt'));
      return { target: path.join(dir, 'run'), desc: 'epoch_1.pt leads nowhere', expect: 'refused', errorFile: path.join(dir, 'run/epoch_1.pt'), message: /cannot be followed/ };
    },
  },
  {
    id: 'a log symlinked outside the run',
    make: (dir) => {
      const outside = put(dir, 'elsewhere/metrics.csv', 'epoch,val_acc\n1,0.5\n');
      put(dir, 'run/epoch_1.pt', model());
      fs.symlinkSync(outside, path.join(dir, 'run/metrics.csv'));
      return { target: path.join(dir, 'run'), desc: 'metrics.csv links out', expect: 'refused', errorFile: path.join(dir, 'run/metrics.csv'), message: /not followed/ };
    },
  },
  {
    id: 'the legacy magic given as the float 1e308',
    make: (dir) => {
      const f = path.join(dir, 'magic.pt');
      fs.copyFileSync(path.join(HOSTILE, 'float_magic_legacy.pt'), f);
      return { target: f, desc: 'BINFLOAT 1e308 as the magic number', expect: 'refused', message: /magic number is 1e\+308/ };
    },
  },
];

/** The 200-deep folder tree: its own run of the CLI (nothing else may be found). */
export function deepTree(dir: string, depth = 200): BoundsCase {
  let d = dir;
  for (let i = 0; i < depth; i++) d = path.join(d, 'd');
  put(d, 'epoch_1.pt', model());
  return { target: dir, desc: `a checkpoint ${depth} folders deep`, expect: 'refused', errorFile: dir, message: /more than 8 levels below it were not searched/ };
}
