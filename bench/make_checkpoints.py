"""Writes the benchmark checkpoints: real torchvision/fixture architectures with random init,
saved as state dicts by torch.save (zip layout, as every current PyTorch writes them).

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/make_checkpoints.py [--out bench/checkpoints] [--only NAME,...]

Random init is enough: reading cost depends on tensor sizes and layout, not on values. The seed
is fixed so that every run benchmarks the same bytes. Files already present are kept (VGG-16 is
half a gigabyte; rewriting it every run would only measure the disk).
"""
import argparse
import os
import sys

import torch
import torch.nn as nn
import torchvision.models as tvm

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'scripts', 'fixtures'))
from models import LeNet  # noqa: E402  (the fixtures' LeNet-5: same names the engine is tested on)


class MLP(nn.Module):
    """784-1024-1024-10, the dense net of docs/compute.md's timings."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 1024)
        self.fc2 = nn.Linear(1024, 1024)
        self.fc3 = nn.Linear(1024, 10)


MODELS = {
    'mlp': MLP,
    'lenet': LeNet,
    'resnet18': lambda: tvm.resnet18(),
    'mobilenet_v2': lambda: tvm.mobilenet_v2(),
    'resnet50': lambda: tvm.resnet50(),
    'vgg16': lambda: tvm.vgg16(),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), 'checkpoints'))
    ap.add_argument('--only', default='')
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    names = [n for n in MODELS if not args.only or n in args.only.split(',')]
    for name in names:
        path = os.path.join(args.out, f'{name}.pt')
        if os.path.exists(path):
            print(f'{path}: kept ({os.path.getsize(path) / 1e6:.1f} MB)')
            continue
        torch.manual_seed(0)
        model = MODELS[name]().eval()
        tmp = path + '.tmp'
        torch.save(model.state_dict(), tmp)
        os.replace(tmp, path)  # never leave a half-written checkpoint behind for the bench to time
        print(f'{path}: written ({os.path.getsize(path) / 1e6:.1f} MB)')


if __name__ == '__main__':
    main()
