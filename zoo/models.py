"""Architectures of the model zoo, each with a width multiplier and dropout, for 1-channel square
inputs of size 28 (Fashion-MNIST) or 8 (sklearn digits)."""
import torch.nn as nn
import torch.nn.functional as F


def w(n, width):
    return max(1, int(round(n * width)))


class MLP(nn.Module):
    def __init__(self, size, width=1.0, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(size * size, w(256, width))
        self.fc2 = nn.Linear(w(256, width), w(128, width))
        self.fc3 = nn.Linear(w(128, width), 10)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        x = self.drop(F.relu(self.fc1(x.flatten(1))))
        return self.fc3(self.drop(F.relu(self.fc2(x))))


class LeNet(nn.Module):
    """LeNet-5; on 8x8 inputs the kernels shrink to 3x3 so the spatial sizes stay valid."""

    def __init__(self, size, width=1.0, dropout=0.0):
        super().__init__()
        k = 5 if size >= 28 else 3
        c1, c2 = w(6, width), w(16, width)
        self.conv1 = nn.Conv2d(1, c1, k, padding=k // 2)
        self.conv2 = nn.Conv2d(c1, c2, k)
        s = ((size // 2) - k + 1) // 2
        self.fc1 = nn.Linear(c2 * s * s, w(120, width))
        self.fc2 = nn.Linear(w(120, width), w(84, width))
        self.fc3 = nn.Linear(w(84, width), 10)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2).flatten(1)
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc3(self.drop(F.relu(self.fc2(x))))


class VGG(nn.Module):
    """A VGG-style net with BatchNorm: [c, pool, 2c, 2c, pool, 4c, pool], then a 2-layer classifier."""

    def __init__(self, size, width=1.0, dropout=0.0):
        super().__init__()
        c = [w(16, width), w(32, width), w(64, width)]
        pools = 3 if size >= 28 else 2
        layers = [nn.Conv2d(1, c[0], 3, padding=1), nn.BatchNorm2d(c[0]), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(c[0], c[1], 3, padding=1), nn.BatchNorm2d(c[1]), nn.ReLU(),
                  nn.Conv2d(c[1], c[1], 3, padding=1), nn.BatchNorm2d(c[1]), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(c[1], c[2], 3, padding=1), nn.BatchNorm2d(c[2]), nn.ReLU()]
        if pools == 3:
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        s = size // (2 ** pools)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(c[2] * s * s, w(64, width)), nn.ReLU(), nn.Dropout(dropout), nn.Linear(w(64, width), 10))

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet(nn.Module):
    """A CIFAR-style ResNet: stem, three stages of two blocks (16, 32, 64 channels × width), GAP, fc."""

    def __init__(self, size, width=1.0, dropout=0.0):
        super().__init__()
        c = [w(16, width), w(32, width), w(64, width)]
        self.conv1 = nn.Conv2d(1, c[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c[0])
        self.layer1 = nn.Sequential(Block(c[0], c[0], 1), Block(c[0], c[0], 1))
        self.layer2 = nn.Sequential(Block(c[0], c[1], 2), Block(c[1], c[1], 1))
        self.layer3 = nn.Sequential(Block(c[1], c[2], 2), Block(c[2], c[2], 1))
        self.drop = nn.Dropout(dropout)
        self.linear = nn.Linear(c[2], 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.linear(self.drop(F.adaptive_avg_pool2d(x, 1).flatten(1)))


ARCHS = {'mlp': MLP, 'lenet': LeNet, 'vgg': VGG, 'resnet': ResNet}
