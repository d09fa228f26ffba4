"""Small Q/DQ CNNs, each aimed at one importer/pass path (the ResNet-50 covers the common case at scale).
Every model has `input_size` (C, H, W), `num_classes`, `fc`, `shared_input_groups()` (quantizers that read
one tensor), `residual_branch_ends()` (the BatchNorm closing each residual branch) and `conv_bn_pairs()`."""
import torch
from torch import nn

from .layers import QConv2d, QLinear, QMaxPool2d, conv_bn
from .quantizer import Quantizer


class Basic(nn.Module):
    """conv-bn-relu-maxpool-conv-bn-add-relu-gap-fc: the residual Add reads the max-pool output through its
    own quantizer, as in a ResNet basic block. With asymmetric=True every activation quantizer is uint8
    with a zero point (weights stay symmetric int8 per channel), and the first ReLU is left out so that the
    max-pool, conv2 and residual quantizers see signed data and get non-zero zero points (after a ReLU the
    zero point is 0 and uint8 degenerates to the symmetric case)."""

    input_size = (3, 64, 64)
    num_classes = 16

    def __init__(self, asymmetric=False):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(3, 16, 3, padding=1, asymmetric_input=asymmetric)
        self.maxpool = QMaxPool2d(kernel_size=2, stride=2, asymmetric_input=asymmetric)
        self.conv2, self.bn2 = conv_bn(16, 16, 3, padding=1, asymmetric_input=asymmetric)
        self.residual_quantizer = Quantizer(asymmetric=asymmetric)
        self.relu1 = nn.Identity() if asymmetric else nn.ReLU()
        self.relu = nn.ReLU()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = QLinear(16, self.num_classes, asymmetric_input=asymmetric)

    def forward(self, x):
        x = self.maxpool(self.relu1(self.bn1(self.conv1(x))))
        y = self.bn2(self.conv2(x)) + self.residual_quantizer(x)
        return self.fc(torch.flatten(self.avgpool(self.relu(y)), 1))

    def shared_input_groups(self):
        return [[self.conv2.input_quantizer, self.residual_quantizer]]

    def residual_branch_ends(self):
        return [self.bn2]

    def conv_bn_pairs(self):
        return [(self.conv1, self.bn1), (self.conv2, self.bn2)]


class Grouped(nn.Module):
    """Depthwise (groups = channels) and grouped (groups = 4) convs, and a 1x1 conv with a float bias and
    no BatchNorm."""

    input_size = (3, 64, 64)
    num_classes = 16

    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(3, 16, 3, padding=1)
        self.depthwise, self.bn2 = conv_bn(16, 16, 3, padding=1, groups=16)
        self.pointwise = QConv2d(16, 32, 1, bias=True)
        self.grouped, self.bn3 = conv_bn(32, 32, 3, stride=2, padding=1, groups=4)
        self.relu = nn.ReLU()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = QLinear(32, self.num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.relu(self.bn2(self.depthwise(x)))
        x = self.relu(self.pointwise(x))
        x = self.relu(self.bn3(self.grouped(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))

    def shared_input_groups(self):
        return []

    def residual_branch_ends(self):
        return []

    def conv_bn_pairs(self):
        return [(self.conv1, self.bn1), (self.depthwise, self.bn2), (self.grouped, self.bn3)]


class StridePad(nn.Module):
    """Odd input size, stride 2 with padding (conv 5x5 s2 p2, max-pool 3x3 s2 p1, conv 3x3 s2 p1) and
    non-square kernels/padding (1x3 with pads (0, 1), 3x3 with pads (1, 2)): output sizes 38, 19, 10, 10x12."""

    input_size = (3, 75, 75)
    num_classes = 16

    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(3, 8, 5, stride=2, padding=2)
        self.maxpool = QMaxPool2d(kernel_size=3, stride=2, padding=1)
        self.conv2, self.bn2 = conv_bn(8, 16, 3, stride=2, padding=1)
        self.conv3, self.bn3 = conv_bn(16, 16, (1, 3), padding=(0, 1))
        self.conv4, self.bn4 = conv_bn(16, 24, 3, padding=(1, 2))
        self.relu = nn.ReLU()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = QLinear(24, self.num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.relu(self.bn2(self.conv2(x)))
        x = self.relu(self.bn3(self.conv3(x)))
        x = self.relu(self.bn4(self.conv4(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))

    def shared_input_groups(self):
        return []

    def residual_branch_ends(self):
        return []

    def conv_bn_pairs(self):
        return [(self.conv1, self.bn1), (self.conv2, self.bn2), (self.conv3, self.bn3), (self.conv4, self.bn4)]
