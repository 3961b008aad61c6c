"""The Python route for a transformer, for the same numbers as `training-dynamics analyze` on a
Hugging Face GPT-2 checkpoint: torch.load the state dict, build the rolled graph of
docs/rolled-graph.md ("Transformers": embeddings collapsed to one input node per table, attention
as OV circuits and per-head score-form nodes, pre-LN norms folded into the input side, residual sums
as identity edges, the vocabulary head as one node) with torch into a scipy sparse matrix, weighted
degree, and eigenvector centrality with scipy's Lanczos (eigsh) on the symmetric adjacency.

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/python_transformer_peer.py FOLDER_OR_BIN [--heads 12]

Prints one JSON line like bench/python_peer.py. The wiring comes from knowing GPT-2, not from
the engine's recognisers.
"""
import argparse
import json
import math
import os
import resource
import time

T0 = time.perf_counter()
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.sparse.linalg as sla  # noqa: E402
import torch  # noqa: E402

T_IMPORT = time.perf_counter()


class Graph:
    def __init__(self):
        self.n = 0
        self.rows, self.cols, self.vals = [], [], []

    def group(self, size):
        start = self.n
        self.n += size
        return start, size

    def dense(self, src, dst, w):
        """w [dst size, src size], non-negative."""
        (s0, sn), (d0, dn) = src, dst
        self.rows.append(np.repeat(np.arange(d0, d0 + dn, dtype=np.int64), sn))
        self.cols.append(np.tile(np.arange(s0, s0 + sn, dtype=np.int64), dn))
        self.vals.append(w.reshape(-1).double().numpy())

    def identity(self, src, dst):
        (s0, sn), (d0, _) = src, dst
        self.rows.append(np.arange(d0, d0 + sn))
        self.cols.append(np.arange(s0, s0 + sn))
        self.vals.append(np.ones(sn))

    def symmetric(self):
        a = sp.coo_matrix((np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))), shape=(self.n, self.n)).tocsr()
        return a, (a + a.T).tocsr()


def col_norms(m, scale=None):
    v = m.double().pow(2).sum(0).sqrt()
    return v * scale if scale is not None else v


def build(sd, heads):
    P = 'transformer.'
    wte, wpe = sd[P + 'wte.weight'], sd[P + 'wpe.weight']
    d = wte.shape[1]
    dh = d // heads
    g = Graph()
    tokens, positions = g.group(1), g.group(1)
    x = g.group(d)
    g.dense(tokens, x, col_norms(wte).reshape(d, 1))
    g.dense(positions, x, col_norms(wpe).reshape(d, 1))
    i = 0
    while f'{P}h.{i}.attn.c_attn.weight' in sd:
        b = f'{P}h.{i}.'
        t1 = sd[b + 'ln_1.weight'].double().abs()
        t2 = sd[b + 'ln_2.weight'].double().abs()
        qkv = sd[b + 'attn.c_attn.weight'].double().t()  # Conv1D [in, out] -> [out, in]
        q, k, v = qkv[:d], qkv[d:2 * d], qkv[2 * d:]
        o = sd[b + 'attn.c_proj.weight'].double().t()
        # Per-head score form B^j = diag(t) Wq^jT Wk^j diag(t) / sqrt(dh): edge c -> head j is its
        # row norm plus its column norm.
        hg = g.group(heads)
        he = torch.empty(heads, d, dtype=torch.float64)
        for j in range(heads):
            qj, kj = q[j * dh:(j + 1) * dh] * t1, k[j * dh:(j + 1) * dh] * t1
            bj = qj.t() @ kj / math.sqrt(dh)
            he[j] = bj.norm(dim=1) + bj.norm(dim=0)
        g.dense(x, hg, he)
        a = g.group(d)
        g.dense(x, a, (o @ v).abs() * t1)
        g.identity(x, a)
        fc = sd[b + 'mlp.c_fc.weight'].double().t()
        f = g.group(fc.shape[0])
        g.dense(a, f, fc.abs() * t2)
        m = g.group(d)
        g.dense(f, m, sd[b + 'mlp.c_proj.weight'].double().t().abs())
        g.identity(a, m)
        x = m
        i += 1
    head = sd.get('lm_head.weight', wte)
    h = g.group(1)
    g.dense(x, h, col_norms(head, sd[P + 'ln_f.weight'].double().abs()).reshape(1, d))
    return g


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('path')
    ap.add_argument('--heads', type=int, default=12)
    args = ap.parse_args()
    torch.set_num_threads(1)
    t = {'import': T_IMPORT - T0}
    s = time.perf_counter()
    f = os.path.join(args.path, 'pytorch_model.bin') if os.path.isdir(args.path) else args.path
    sd = torch.load(f, map_location='cpu')
    t['load'] = time.perf_counter() - s
    s = time.perf_counter()
    g = build(sd, args.heads)
    del sd
    directed, adj = g.symmetric()
    t['graph'] = time.perf_counter() - s
    n = adj.shape[0]
    s = time.perf_counter()
    deg = np.asarray(adj.sum(axis=1)).ravel()
    t['degree'] = time.perf_counter() - s
    s = time.perf_counter()
    vals, vecs = sla.eigsh(adj, k=1, which='LA', tol=1e-8, v0=np.ones(n))
    v = np.abs(vecs[:, 0])
    t['eigen'] = time.perf_counter() - s
    t['total'] = time.perf_counter() - T0
    print(json.dumps({
        'file': f, 'arch': 'gpt2', 'route': 'scipy', 'nodes': int(n), 'edges': int(directed.nnz), 'eigenvalue': float(vals[0]),
        'degreeSum': float(deg.sum()), 'centralityMax': float(v.max() / np.linalg.norm(v)),
        'timings': t, 'maxRssKB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == '__main__':
    main()
