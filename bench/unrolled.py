"""The unrolled graph the rolled one replaces, built for real where it fits: LeNet-5 (1x28x28
input) and the MLP. One node per channel x spatial position; a conv gives one edge per kernel tap
and output position (weight |w|, zero padding taps dropped); a 2x2 max-pool is a layer of nodes fed
by its window (weight 1); a dense layer after the flatten gives one edge per (channel, position)
input. Times the sparse build and eigsh (same settings as python_peer.py), prints one JSON line.

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/unrolled.py FILE --arch lenet|mlp

For the MLP the unrolled graph is the rolled one (no convolutions); it is still built here, from
|W|, so the timing is measured rather than assumed.
"""
import argparse
import json
import resource
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla
import torch


class Builder:
    def __init__(self):
        self.n = 0
        self.rows, self.cols, self.vals = [], [], []

    def layer(self, count):
        off = self.n
        self.n += count
        return off

    def add(self, dst, src, val):
        self.rows.append(dst.ravel())
        self.cols.append(src.ravel())
        self.vals.append(np.abs(val).ravel().astype(np.float64))


def conv(b, w, src_off, c_in, h, pad):
    """A stride-1 conv on an h x h input; returns (offset, output side)."""
    o_n, _, k, _ = w.shape
    ho = h + 2 * pad - k + 1
    dst_off = b.layer(o_n * ho * ho)
    oy, ox = np.meshgrid(np.arange(ho), np.arange(ho), indexing='ij')
    o_idx = np.arange(o_n)[:, None, None]
    i_idx = np.arange(c_in)[None, :, None]
    for ky in range(k):
        for kx in range(k):
            iy, ix = oy + ky - pad, ox + kx - pad
            ok = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < h)
            dst_pos = (oy * ho + ox)[ok]
            src_pos = (iy * h + ix)[ok]
            dst = dst_off + o_idx * ho * ho + dst_pos[None, None, :] + 0 * i_idx
            src = src_off + i_idx * h * h + src_pos[None, None, :] + 0 * o_idx
            val = np.broadcast_to(w[:, :, ky, kx][:, :, None], dst.shape)
            b.add(dst, src, val)
    return dst_off, ho


def pool(b, src_off, c, h):
    """2x2 max-pool, stride 2: each output fed by its window with weight 1."""
    ho = h // 2
    dst_off = b.layer(c * ho * ho)
    ch, oy, ox = np.meshgrid(np.arange(c), np.arange(ho), np.arange(ho), indexing='ij')
    for dy in range(2):
        for dx in range(2):
            b.add(dst_off + ch * ho * ho + oy * ho + ox, src_off + ch * h * h + (2 * oy + dy) * h + (2 * ox + dx), np.ones(ch.shape))
    return dst_off, ho


def dense(b, w, src_off):
    out, fan_in = w.shape
    dst_off = b.layer(out)
    b.add(dst_off + np.repeat(np.arange(out), fan_in), src_off + np.tile(np.arange(fan_in), out), w)
    return dst_off


def build(sd, arch):
    b = Builder()
    if arch == 'mlp':
        w = [sd[f'fc{i}.weight'].numpy() for i in (1, 2, 3)]
        off = b.layer(w[0].shape[1])
    else:
        c1, c2 = sd['conv1.weight'].numpy(), sd['conv2.weight'].numpy()
        off = b.layer(28 * 28)
        off, h = conv(b, c1, off, 1, 28, 2)
        off, h = pool(b, off, c1.shape[0], h)
        off, h = conv(b, c2, off, c1.shape[0], h, 0)
        off, h = pool(b, off, c2.shape[0], h)
        w = [sd[f'fc{i}.weight'].numpy() for i in (1, 2, 3)]  # fc1 reads the channel-major flatten
    for wi in w:
        off = dense(b, wi, off)
    a = sp.coo_matrix((np.concatenate(b.vals), (np.concatenate(b.rows), np.concatenate(b.cols))), shape=(b.n, b.n)).tocsr()
    return a, (a + a.T).tocsr()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('file')
    ap.add_argument('--arch', required=True, choices=['lenet', 'mlp'])
    args = ap.parse_args()
    torch.set_num_threads(1)
    sd = torch.load(args.file, map_location='cpu')
    s = time.perf_counter()
    directed, adj = build(sd, args.arch)
    t_graph = time.perf_counter() - s
    s = time.perf_counter()
    vals, _ = sla.eigsh(adj, k=1, which='LA', tol=1e-8, v0=np.ones(adj.shape[0]))
    t_eigen = time.perf_counter() - s
    print(json.dumps({
        'arch': args.arch, 'nodes': int(adj.shape[0]), 'edges': int(directed.nnz), 'eigenvalue': float(vals[0]),
        'timings': {'graph': t_graph, 'eigen': t_eigen}, 'maxRssKB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == '__main__':
    main()
