"""Quantized layers with pytorch-quantization's placement: QuantConv2d / QuantLinear quantize their input
(per-tensor) and their weight (per output channel, axis 0); QuantMaxPool2d quantizes its input. Bias stays
float. BatchNorm stays a separate module after the conv (exported as BatchNormalization, see export.py)."""
import torch.nn.functional as F
from torch import nn

from .quantizer import Quantizer


class QConv2d(nn.Conv2d):
    def __init__(self, *args, asymmetric_input=False, **kwargs):
        kwargs.setdefault("bias", False)
        super().__init__(*args, **kwargs)
        self.input_quantizer = Quantizer(asymmetric=asymmetric_input)
        self.weight_quantizer = Quantizer(axis=0)

    def forward(self, x):
        weight = self.weight_quantizer(self.weight)
        return F.conv2d(self.input_quantizer(x), weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)


class QLinear(nn.Linear):
    """Exported as Gemm(transB=1): the weight is [out_features, in_features], so axis 0 is the output."""

    def __init__(self, *args, asymmetric_input=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.input_quantizer = Quantizer(asymmetric=asymmetric_input)
        self.weight_quantizer = Quantizer(axis=0)

    def forward(self, x):
        return F.linear(self.input_quantizer(x), self.weight_quantizer(self.weight), self.bias)


class QMaxPool2d(nn.MaxPool2d):
    def __init__(self, *args, asymmetric_input=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.input_quantizer = Quantizer(asymmetric=asymmetric_input)

    def forward(self, x):
        return super().forward(self.input_quantizer(x))


def conv_bn(cin, cout, kernel, stride=1, padding=0, groups=1, asymmetric_input=False):
    return QConv2d(cin, cout, kernel, stride=stride, padding=padding, groups=groups,
                   asymmetric_input=asymmetric_input), nn.BatchNorm2d(cout)
