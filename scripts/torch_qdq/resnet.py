"""ResNet-50 v1.5 (torchvision's layout: stride on the 3x3 conv of the bottleneck) with Q/DQ placed as in
NVIDIA pytorch-quantization's quantized ResNet example: every conv/fc input and weight, the max-pool
input, and the identity input of every residual Add (`out += residual_quantizer(identity)`).
Parameter count equals torchvision.models.resnet50: 25,557,032 (checked in export)."""
import torch
from torch import nn

from .layers import QLinear, QMaxPool2d, conv_bn
from .quantizer import Quantizer

RESNET50_PARAMETERS = 25_557_032


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * self.expansion
        self.conv1, self.bn1 = conv_bn(cin, width, 1)
        self.conv2, self.bn2 = conv_bn(width, width, 3, stride=stride, padding=1)
        self.conv3, self.bn3 = conv_bn(width, cout, 1)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(*conv_bn(cin, cout, 1, stride=stride))
        self.residual_quantizer = Quantizer()
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + self.residual_quantizer(identity))

    def shared_input_group(self):
        """The input quantizers that read the block input x (one tensor): TensorRT fuses them only when
        their scales are equal, so NVIDIA recommends one amax for all of them."""
        if self.downsample is None:
            return [self.conv1.input_quantizer, self.residual_quantizer]
        return [self.conv1.input_quantizer, self.downsample[0].input_quantizer]


class ResNet50(nn.Module):
    input_size = (3, 224, 224)

    def __init__(self, num_classes=1000):
        super().__init__()
        self.num_classes = num_classes
        self.conv1, self.bn1 = conv_bn(3, 64, 7, stride=2, padding=3)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = QMaxPool2d(kernel_size=3, stride=2, padding=1)
        blocks, cin = [], 64
        for width, count, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for i in range(count):
                blocks.append(Bottleneck(cin, width, stride if i == 0 else 1))
                cin = width * Bottleneck.expansion
        self.blocks = nn.Sequential(*blocks)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = QLinear(cin, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.blocks(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))

    def shared_input_groups(self):
        return [block.shared_input_group() for block in self.blocks]

    def residual_branch_ends(self):
        return [block.bn3 for block in self.blocks]

    def conv_bn_pairs(self):
        pairs = [(self.conv1, self.bn1)]
        for b in self.blocks:
            pairs += [(b.conv1, b.bn1), (b.conv2, b.bn2), (b.conv3, b.bn3)]
            if b.downsample is not None:
                pairs.append((b.downsample[0], b.downsample[1]))
        return pairs
