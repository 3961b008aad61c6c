"""The Python route a researcher would write for the same numbers as `training-dynamics analyze`:
torch.load the state dict, build the rolled graph (docs/rolled-graph.md) with torch/numpy into a
scipy sparse matrix, weighted degree, and eigenvector centrality with scipy's Lanczos (eigsh) on
the symmetric adjacency. With --nx, networkx's degree and eigenvector_centrality_numpy instead
(feasible for the small nets only).

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/python_peer.py FILE --arch mlp|lenet|vgg16|resnet18|resnet50|mobilenet_v2 [--nx]

Prints one JSON line: phase timings (s), node/edge counts, the top eigenvalue and peak RSS.

Same graph as ours, by construction:
  - conv edge (c -> o) = ||W[o, j, :, :]||_2 * s_o, grouped/depthwise convs connect o to its group's inputs;
  - dense after a flatten of C channels: L2 over the P = fan_in / C positions of each channel
    (PyTorch flattens channel-major), P = 1 for a dense chain or after global pooling;
  - BatchNorm right after a conv/dense folded as s_o = |gamma_o| / sqrt(running_var_o + 1e-5);
  - residual blocks: identity shortcut = weight-1 edges c -> c into the block output; a projection
    (downsample) shortcut's conv edges go into the block output's nodes (no group of its own);
  - parallel edges summed (COO -> CSR sums duplicates); biases are not edges.
The wiring comes from knowing the architecture (what a researcher writing this script knows), not
from name heuristics: chain for MLP/LeNet/VGG, torchvision blocks for ResNet and MobileNetV2.
Eigen solver: eigsh(k=1, which='LA', tol=1e-8, v0=ones): the algebraically largest eigenvalue
(the bipartite mirror -lambda has the same magnitude, so 'LM' would be ambiguous), to the same
relative residual tolerance the engine uses (1e-8), from the same start vector.
"""
import argparse
import json
import re
import resource
import time

T0 = time.perf_counter()
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.sparse.linalg as sla  # noqa: E402
import torch  # noqa: E402

T_IMPORT = time.perf_counter()
EPS = 1e-5


def layers_in_order(sd):
    """Weighted layers in state-dict order, each with the BatchNorm right after it folded in."""
    mods = {}
    for k, v in sd.items():
        mod, _, param = k.rpartition('.')
        mods.setdefault(mod, {})[param] = v
    layers = []
    for mod, p in mods.items():
        w = p.get('weight')
        if w is not None and w.dim() in (2, 4):
            layers.append({'name': mod, 'w': w, 'scale': None})
        elif 'running_var' in p and layers and layers[-1]['scale'] is None:
            layers[-1]['scale'] = p['weight'].abs() / torch.sqrt(p['running_var'] + EPS)
    return layers


def block_prefix(name, arch):
    """The residual block a layer belongs to, or None for a plain chain layer."""
    if arch.startswith('resnet'):
        m = re.match(r'^(layer\d+\.\d+)\.', name)
    elif arch == 'mobilenet_v2':
        m = re.match(r'^(features\.\d+)\.conv\.', name)
    else:
        m = None
    return m.group(1) if m else None


class Graph:
    def __init__(self):
        self.sizes = []  # node count per group
        self.rows, self.cols, self.vals = [], [], []

    def group(self, size):
        self.sizes.append(size)
        return len(self.sizes) - 1

    def offset(self, g):
        return sum(self.sizes[:g])

    def edges(self, src, dst, layer):
        """Edges of one conv/dense layer from group src into group dst (weights as [out, in/g])."""
        w = layer['w'].float()
        out = w.shape[0]
        c_src = self.sizes[src]
        if w.dim() == 4:
            wn = torch.linalg.vector_norm(w, dim=(2, 3))  # [out, in/groups]
            per_group = w.shape[1]
            groups = c_src // per_group
        else:
            positions = w.shape[1] // c_src
            wn = torch.linalg.vector_norm(w.reshape(out, c_src, positions), dim=2)
            per_group, groups = c_src, 1
        if layer['scale'] is not None:
            wn = wn * layer['scale'][:, None]
        o = np.repeat(np.arange(out), per_group)
        j = np.tile(np.arange(per_group), out)
        src_idx = (o // (out // groups)) * per_group + j
        self.rows.append(self.offset(dst) + o)
        self.cols.append(self.offset(src) + src_idx)
        self.vals.append(wn.reshape(-1).double().numpy())

    def identity(self, src, dst):
        n = self.sizes[dst]
        self.rows.append(self.offset(dst) + np.arange(n))
        self.cols.append(self.offset(src) + np.arange(n))
        self.vals.append(np.ones(n))

    def symmetric(self):
        n = sum(self.sizes)
        a = sp.coo_matrix((np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))), shape=(n, n)).tocsr()
        return a, (a + a.T).tocsr()


def build(sd, arch):
    layers = layers_in_order(sd)
    g = Graph()
    first = layers[0]['w']
    cur = g.group(first.shape[1])  # input channels (no grouped stem in these nets)
    i = 0
    while i < len(layers):
        prefix = block_prefix(layers[i]['name'], arch)
        if prefix is None:
            nxt = g.group(layers[i]['w'].shape[0])
            g.edges(cur, nxt, layers[i])
            cur = nxt
            i += 1
            continue
        block = []
        while i < len(layers) and block_prefix(layers[i]['name'], arch) == prefix:
            block.append(layers[i])
            i += 1
        main = [l for l in block if '.downsample.' not in l['name']]
        proj = [l for l in block if '.downsample.' in l['name']]
        block_in = cur
        for l in main:
            nxt = g.group(l['w'].shape[0])
            g.edges(cur, nxt, l)
            cur = nxt
        if proj:
            g.edges(block_in, cur, proj[0])
        elif g.sizes[block_in] == g.sizes[cur]:
            # torchvision: ResNet blocks without downsample, and MobileNetV2 blocks with stride 1
            # and equal widths (use_res_connect), add their input.
            g.identity(block_in, cur)
    return g


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('file')
    ap.add_argument('--arch', required=True)
    ap.add_argument('--nx', action='store_true', help='networkx degree and eigenvector_centrality_numpy')
    args = ap.parse_args()
    torch.set_num_threads(1)
    t = {'import': T_IMPORT - T0}
    s = time.perf_counter()
    sd = torch.load(args.file, map_location='cpu')
    t['load'] = time.perf_counter() - s
    s = time.perf_counter()
    g = build(sd, args.arch)
    directed, adj = g.symmetric()
    t['graph'] = time.perf_counter() - s
    n = adj.shape[0]
    if args.nx:
        import networkx as nx
        s = time.perf_counter()
        coo = directed.tocoo()
        G = nx.Graph()
        G.add_nodes_from(range(n))
        G.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
        t['nx_graph'] = time.perf_counter() - s
        s = time.perf_counter()
        deg = np.array([d for _, d in sorted(G.degree(weight='weight'))])
        t['degree'] = time.perf_counter() - s
        s = time.perf_counter()
        ec = nx.eigenvector_centrality_numpy(G, weight='weight')
        v = np.array([ec[k] for k in range(n)])
        lam = float(v @ (adj @ v) / (v @ v))  # networkx returns the vector only: Rayleigh quotient
        t['eigen'] = time.perf_counter() - s
    else:
        s = time.perf_counter()
        deg = np.asarray(adj.sum(axis=1)).ravel()
        t['degree'] = time.perf_counter() - s
        s = time.perf_counter()
        vals, vecs = sla.eigsh(adj, k=1, which='LA', tol=1e-8, v0=np.ones(n))
        lam = float(vals[0])
        v = np.abs(vecs[:, 0])
        t['eigen'] = time.perf_counter() - s
    t['total'] = time.perf_counter() - T0
    print(json.dumps({
        'file': args.file, 'arch': args.arch, 'route': 'networkx' if args.nx else 'scipy',
        'nodes': int(n), 'edges': int(directed.nnz), 'eigenvalue': lam,
        'degreeSum': float(deg.sum()), 'centralityMax': float(v.max() / np.linalg.norm(v)),
        'timings': t, 'maxRssKB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == '__main__':
    main()
