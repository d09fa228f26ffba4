#!/usr/bin/python3
"""Evaluate a Q/DQ ONNX model node by node in PyTorch, in float32 or float64 — an independent fake-quant.

It answers: how much does a fake-quant reference move when only its own float rounding changes? A value that
lies within float32 rounding of a quantizer's .5 boundary rounds one way in float32 and may round the other way
in float64; the one-LSB difference then spreads through the later layers. Comparing the float32 and float64
runs of this script on the same inputs measures that noise floor of any float32 fake-quant (qatrt's, ONNX
Runtime's, libtorch's), with no qatrt code involved.

Inputs are the batches `qatrt eval --save-inputs DIR` writes (DIR/batch_NNNNN.f32, NCHW float32); outputs go
to OUT/batch_NNNNN.f32 (float32), the layout scripts/compare_top1.py reads.

usage: qdq_reference.py --model M.onnx --dtype float64 --outdir OUT DIR/batch_*.f32
Ops: QuantizeLinear, DequantizeLinear, Conv, BatchNormalization, Relu, Add, MaxPool, GlobalAveragePool,
Flatten, Gemm, Softmax; any other op is an error naming the node.
"""
import argparse
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def per_axis(param, x, axis):
    """Reshape a per-axis scale or zero point so that it broadcasts along `axis` of x."""
    if param.dim() == 0:
        return param
    shape = [1] * x.dim()
    shape[axis % x.dim()] = -1
    return param.reshape(shape)


def quantize(x, scale, zero_point, axis):
    """ONNX QuantizeLinear: saturate(round_half_to_even(x / scale) + zero_point), computed in x's dtype."""
    low, high = (-128, 127) if zero_point.dtype == torch.int8 else (0, 255)
    s = per_axis(scale.to(x.dtype), x, axis)
    z = per_axis(zero_point.to(x.dtype), x, axis)
    return torch.clamp(torch.round(x / s) + z, low, high)  # integers held in x's dtype


def dequantize(q, scale, zero_point, axis, dtype):
    q = q.to(dtype)
    return (q - per_axis(zero_point.to(dtype), q, axis)) * per_axis(scale.to(dtype), q, axis)


def conv_padding(attrs, kernel):
    if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise ValueError("auto_pad is not supported; export with explicit pads")
    pads = attrs.get("pads", [0] * (2 * len(kernel)))
    half = len(pads) // 2
    return pads[:half], pads[half:]


def pad_input(x, begin, end, value=0.0):
    if all(p == 0 for p in begin + end):
        return x
    flat = []
    for b, e in zip(reversed(begin), reversed(end)):
        flat += [b, e]
    return F.pad(x, flat, value=value)


class Evaluator:
    def __init__(self, model, dtype):
        self.model = model
        self.dtype = dtype
        self.constants = {}
        for init in model.graph.initializer:
            self.constants[init.name] = torch.from_numpy(numpy_helper.to_array(init).copy())

    def float_of(self, t):
        return t.to(self.dtype) if t.is_floating_point() else t

    def run(self, batch):
        env = dict(self.constants)
        env[self.model.graph.input[0].name] = torch.from_numpy(batch).to(self.dtype)
        for node in self.model.graph.node:
            inputs = [env[name] if name else None for name in node.input]
            try:
                outputs = self.evaluate(node, inputs, attributes(node))
            except Exception as error:  # name the node: the message alone rarely says where
                sys.exit(f"qdq_reference: node '{node.name}' ({node.op_type}): {error}")
            for name, value in zip(node.output, outputs):
                env[name] = value
        return env[self.model.graph.output[0].name]

    def evaluate(self, node, x, attrs):
        op = node.op_type
        if op == "QuantizeLinear":
            zero_point = x[2] if len(x) > 2 and x[2] is not None else torch.tensor(0, dtype=torch.uint8)
            return [quantize(self.float_of(x[0]), x[1], zero_point, attrs.get("axis", 1)).to(
                torch.int8 if zero_point.dtype == torch.int8 else torch.uint8)]
        if op == "DequantizeLinear":
            zero_point = x[2] if len(x) > 2 and x[2] is not None else torch.zeros((), dtype=x[0].dtype)
            return [dequantize(x[0], x[1], zero_point, attrs.get("axis", 1), self.dtype)]
        if op == "Conv":
            w = self.float_of(x[1])
            begin, end = conv_padding(attrs, list(w.shape[2:]))
            bias = self.float_of(x[2]) if len(x) > 2 and x[2] is not None else None
            return [F.conv2d(pad_input(x[0], begin, end), w, bias, stride=attrs.get("strides", 1),
                             dilation=attrs.get("dilations", 1), groups=attrs.get("group", 1))]
        if op == "BatchNormalization":
            gamma, beta, mean, var = (self.float_of(t) for t in x[1:5])
            return [F.batch_norm(x[0], mean, var, gamma, beta, False, 0.0, attrs.get("epsilon", 1e-5))]
        if op == "Relu":
            return [torch.relu(x[0])]
        if op == "Add":
            return [self.float_of(x[0]) + self.float_of(x[1])]
        if op == "MaxPool":
            kernel = attrs["kernel_shape"]
            begin, end = conv_padding(attrs, kernel)
            padded = pad_input(x[0], begin, end, value=-float("inf"))
            return [F.max_pool2d(padded, kernel, stride=attrs.get("strides", kernel),
                                 ceil_mode=bool(attrs.get("ceil_mode", 0)))]
        if op == "GlobalAveragePool":
            return [x[0].mean(dim=(2, 3), keepdim=True)]
        if op == "Flatten":
            return [torch.flatten(x[0], attrs.get("axis", 1))]
        if op == "Gemm":
            a, b = self.float_of(x[0]), self.float_of(x[1])
            if attrs.get("transA", 0):
                a = a.t()
            if attrs.get("transB", 0):
                b = b.t()
            y = attrs.get("alpha", 1.0) * (a @ b)
            if len(x) > 2 and x[2] is not None:
                y = y + attrs.get("beta", 1.0) * self.float_of(x[2])
            return [y]
        if op == "Softmax":
            return [torch.softmax(x[0], dim=attrs.get("axis", -1))]
        raise ValueError(f"op {op} is not supported by this reference; supported: see the docstring")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--dtype", choices=["float32", "float64"], required=True)
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("inputs", nargs="+", help="batch_*.f32 files from qatrt eval --save-inputs")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = onnx.load(args.model)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    chw = [d.dim_value for d in dims[1:]]
    if not all(chw):
        sys.exit(f"qdq_reference: input '{model.graph.input[0].name}' needs fixed C, H, W, got {chw}")
    evaluator = Evaluator(model, getattr(torch, args.dtype))
    os.makedirs(args.outdir, exist_ok=True)
    with torch.no_grad():
        for i, path in enumerate(args.inputs):
            batch = np.fromfile(path, dtype=np.float32)
            if batch.size % np.prod(chw):
                sys.exit(f"qdq_reference: {path} holds {batch.size} floats, not a multiple of {chw}")
            out = evaluator.run(batch.reshape([-1] + chw))
            out.to(torch.float32).numpy().tofile(os.path.join(args.outdir, os.path.basename(path)))
            print(f"\rqdq_reference {args.dtype}: {i + 1}/{len(args.inputs)} batches", end="", file=sys.stderr)
    print(file=sys.stderr)


if __name__ == "__main__":
    main()
