"""Model-zoo generator: many real training runs of one architecture on one real dataset, with
hyperparameters drawn the way accuracy-prediction studies draw them, including bad runs.

Each run writes to <out>/<arch>-<dataset>/<run id>/:
  config.json         the hyperparameters
  epoch_<e>.pt        state_dict checkpoints for epochs 0 (initialisation) .. 5
  metrics.jsonl       one line per epoch: epoch, train_loss, val_acc
  final.json          test accuracy after all epochs, and CPU seconds (written last: marks a finished run)

Deterministic (run i of a zoo always gets the same config and seed), resumable (finished runs are
skipped) and sharded (--shard K/N takes runs i with i % N == K), so it can be grown over time.

Run with Debian's interpreter, one thread per process (two processes use both cores):
  OMP_NUM_THREADS=1 /usr/bin/python3 zoo/generate.py --arch lenet --dataset fashion --runs 150 --shard 0/2
"""
import argparse
import gzip
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import ARCHS  # noqa: E402

SAVE_EPOCHS = range(0, 6)

# Compute budgets where the defaults (15 epochs over up to 12k images, 10% held out for validation)
# cost too much on a CPU, or where a zoo learns too little: written into each run's config.json.
#  - VGG and ResNet on Fashion-MNIST: 2k training images, 1k validation images, 12 epochs; ResNet
#    sees the images average-pooled to 14x14.
#  - LeNet on digits: an epoch of a small train fraction is one or two optimizer steps, too few for
#    LeNet to leave chance level, so each epoch repeats passes until it has made 20 steps.
BUDGETS = {
    ('vgg', 'fashion'): {'epochs': 12, 'train_cap': 2000, 'val_size': 1000},
    ('resnet', 'fashion'): {'epochs': 12, 'train_cap': 2000, 'val_size': 1000, 'input_size': 14},
    ('lenet', 'digits'): {'min_steps_per_epoch': 20},
}


def load_fashion(root='/usr/share/datasets/fashion-mnist'):
    def idx(name):
        with gzip.open(os.path.join(root, name), 'rb') as f:
            data = f.read()
        ndim = data[3]
        dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
        return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    xtr = idx('train-images-idx3-ubyte.gz').astype(np.float32) / 255.0
    ytr = idx('train-labels-idx1-ubyte.gz').astype(np.int64)
    xte = idx('t10k-images-idx3-ubyte.gz').astype(np.float32) / 255.0
    yte = idx('t10k-labels-idx1-ubyte.gz').astype(np.int64)
    mean, std = 0.286, 0.353
    return (xtr - mean) / std, ytr, (xte - mean) / std, yte, 28


def load_digits():
    from sklearn.datasets import load_digits as ld
    d = ld()
    x = (d.images.astype(np.float32) / 16.0 - 0.3) / 0.4
    y = d.target.astype(np.int64)
    rng = np.random.RandomState(0)
    perm = rng.permutation(len(x))
    x, y = x[perm], y[perm]
    return x[:1300], y[:1300], x[1300:], y[1300:], 8


def sample_config(index, arch, dataset):
    """The hyperparameters of run `index`: a pure function of (arch, dataset, index)."""
    rng = random.Random(f'{arch}/{dataset}/{index}')
    opt = rng.choice(['sgd', 'adam'])
    lr = 10 ** rng.uniform(-4, 0) if opt == 'sgd' else 10 ** rng.uniform(-5, -1)
    return {
        'index': index,
        'arch': arch,
        'dataset': dataset,
        'optimizer': opt,
        'lr': lr,
        'momentum': 0.9 if opt == 'sgd' else 0.0,
        'dropout': rng.choice([0.0, 0.1, 0.2, 0.3, 0.5, 0.7]),
        'weight_decay': rng.choice([0.0, 1e-5, 1e-4, 1e-3, 1e-2]),
        'init_scale': rng.choice([0.25, 0.5, 1.0, 1.0, 2.0, 4.0]),
        'batch_size': rng.choice([32, 64, 128, 256]),
        'train_fraction': rng.choice([0.1, 0.25, 0.5, 1.0]),
        'width': rng.choice([0.5, 1.0, 2.0]),
        'seed': rng.randrange(1 << 30),
    }


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def downsample(x, factor):
    n, h, w = x.shape
    return x.reshape(n, h // factor, factor, w // factor, factor).mean(axis=(2, 4))


def train_run(cfg, data, run_dir, epochs, train_cap):
    xtr, ytr, xte, yte, size = data
    budget = cfg.get('budget', {})
    epochs = budget.get('epochs', epochs)
    train_cap = budget.get('train_cap', train_cap)
    if 'input_size' in budget and budget['input_size'] != size:
        factor = size // budget['input_size']
        xtr, xte, size = downsample(xtr, factor), downsample(xte, factor), budget['input_size']
    min_steps = budget.get('min_steps_per_epoch', 0)
    torch.manual_seed(cfg['seed'])
    g = torch.Generator().manual_seed(cfg['seed'])
    n_val = budget.get('val_size', max(200, len(xtr) // 10))
    n_pool = min(len(xtr) - n_val, train_cap)
    perm = torch.randperm(len(xtr), generator=g)
    val_idx, pool_idx = perm[:n_val], perm[n_val:n_val + n_pool]
    n_train = max(cfg['batch_size'], int(len(pool_idx) * cfg['train_fraction']))
    tr_idx = pool_idx[:n_train]
    X = torch.from_numpy(xtr).unsqueeze(1)
    Y = torch.from_numpy(ytr)
    xt, yt = X[tr_idx], Y[tr_idx]
    xv, yv = X[val_idx], Y[val_idx]
    xtest, ytest = torch.from_numpy(xte).unsqueeze(1), torch.from_numpy(yte)

    model = ARCHS[cfg['arch']](size, cfg['width'], cfg['dropout'])
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('weight') and p.dim() > 1:
                p.mul_(cfg['init_scale'])
    if cfg['optimizer'] == 'sgd':
        opt = torch.optim.SGD(model.parameters(), lr=cfg['lr'], momentum=cfg['momentum'], weight_decay=cfg['weight_decay'])
    else:
        opt = torch.optim.Adam(model.parameters(), lr=cfg['lr'], weight_decay=cfg['weight_decay'])

    os.makedirs(run_dir, exist_ok=True)
    with open(os.path.join(run_dir, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=1)
    log = open(os.path.join(run_dir, 'metrics.jsonl'), 'w')
    cpu0 = time.process_time()
    torch.save(model.state_dict(), os.path.join(run_dir, 'epoch_0.pt'))
    val_acc = None
    for epoch in range(1, epochs + 1):
        model.train()
        total, count, steps, diverged = 0.0, 0, 0, False
        while not diverged and (steps == 0 or steps < min_steps):
            order = torch.randperm(len(xt), generator=g)
            for i in range(0, len(xt), cfg['batch_size']):
                b = order[i:i + cfg['batch_size']]
                opt.zero_grad()
                loss = F.cross_entropy(model(xt[b]), yt[b])
                if not torch.isfinite(loss):
                    diverged = True
                    break
                loss.backward()
                opt.step()
                total += loss.item() * len(b)
                count += len(b)
                steps += 1
        val_acc = evaluate(model, xv, yv)
        train_loss = total / count if count else float('nan')
        log.write(json.dumps({'epoch': epoch, 'train_loss': train_loss, 'val_acc': val_acc}) + '\n')
        log.flush()
        if epoch in SAVE_EPOCHS:
            torch.save(model.state_dict(), os.path.join(run_dir, f'epoch_{epoch}.pt'))
    test_acc = evaluate(model, xtest, ytest)
    log.write(json.dumps({'epoch': epochs, 'test_acc': test_acc}) + '\n')
    log.close()
    with open(os.path.join(run_dir, 'final.json'), 'w') as f:
        json.dump({'test_acc': test_acc, 'val_acc': val_acc, 'epochs': epochs, 'cpu_seconds': time.process_time() - cpu0}, f)
    return test_acc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--arch', choices=sorted(ARCHS), required=True)
    ap.add_argument('--dataset', choices=['fashion', 'digits'], required=True)
    ap.add_argument('--runs', type=int, default=150)
    ap.add_argument('--start', type=int, default=0)
    ap.add_argument('--shard', default='0/1')
    ap.add_argument('--epochs', type=int, default=15)
    ap.add_argument('--train-cap', type=int, default=12000, help='largest training pool (images) before the train fraction')
    ap.add_argument('--out', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'runs'))
    ap.add_argument('--only', type=int, nargs='*', help='run just these indices')
    args = ap.parse_args()
    torch.set_num_threads(1)
    k, n = map(int, args.shard.split('/'))
    data = load_fashion() if args.dataset == 'fashion' else load_digits()
    indices = args.only if args.only else [i for i in range(args.start, args.start + args.runs) if i % n == k]
    for i in indices:
        cfg = sample_config(i, args.arch, args.dataset)
        if (args.arch, args.dataset) in BUDGETS:
            cfg['budget'] = BUDGETS[(args.arch, args.dataset)]
        run_dir = os.path.join(args.out, f'{args.arch}-{args.dataset}', f'run{i:04d}')
        if os.path.exists(os.path.join(run_dir, 'final.json')):
            continue
        t0 = time.time()
        acc = train_run(cfg, data, run_dir, args.epochs, args.train_cap)
        print(f'{args.arch}-{args.dataset} run{i:04d} lr={cfg["lr"]:.2g} {cfg["optimizer"]} w={cfg["width"]} test_acc={acc:.4f} ({time.time() - t0:.1f}s)', flush=True)


if __name__ == '__main__':
    main()
