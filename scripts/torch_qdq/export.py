"""torch.onnx export (opset 13, dynamic batch) and a structural check of the result."""
import collections
import warnings

import onnx
import torch

# What the qatrt importer accepts (src/ir/ops.def); anything else in an export is a bug here.
SUPPORTED_OPS = {"Conv", "Gemm", "MatMul", "Add", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool",
                 "Flatten", "Reshape", "BatchNormalization", "QuantizeLinear", "DequantizeLinear", "Identity",
                 "Constant"}  # Constant nodes become constant values at import


def export_onnx(model, path, input_size):
    """Eval-mode export with constant folding: folding turns the exporter's Cast of each zero point into an
    int8/uint8 initializer. BatchNorm stays a separate BatchNormalization node in the Q/DQ export (torch
    fuses Conv+BN only when the conv weight is a plain parameter, and here it is DequantizeLinear's
    output); in the FP32 export (quantizers off) torch folds BN into the conv."""
    model.eval()
    dummy = torch.zeros(1, *input_size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python scalars (the scales) are expected
        torch.onnx.export(model, dummy, path, opset_version=13, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                          do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    onnx_model = onnx.load(path)
    onnx.checker.check_model(onnx_model)
    counts = collections.Counter(node.op_type for node in onnx_model.graph.node)
    unsupported = sorted(set(counts) - SUPPORTED_OPS)
    if unsupported:
        raise RuntimeError(f"{path}: export produced ops qatrt does not import: {unsupported} ({dict(counts)})")
    return dict(sorted(counts.items()))
