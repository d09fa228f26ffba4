"""Folding BatchNorm into the preceding conv before quantization (what ORT's quantization tool and
TensorRT-oriented flows that "fold BN first" produce): exact in float, after which the weight quantizers
see the folded weights.
    w'[k] = w[k] * gamma[k] / sqrt(var[k] + eps),   b'[k] = beta[k] + (b[k] - mean[k]) * gamma[k] / sqrt(var[k] + eps)
"""
import torch
from torch import nn


@torch.no_grad()
def fold_batchnorm(model):
    for conv, norm in model.conv_bn_pairs():
        factor = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        bias = conv.bias if conv.bias is not None else torch.zeros_like(norm.running_mean)
        conv.weight.mul_(factor.reshape(-1, 1, 1, 1))
        conv.bias = nn.Parameter(norm.bias + (bias - norm.running_mean) * factor)
        _replace(model, norm, nn.Identity())


def _replace(model, old, new):
    for parent in model.modules():
        for name, child in parent.named_children():
            if child is old:
                setattr(parent, name, new)
                return
    raise ValueError(f"{old} is not part of the model")
