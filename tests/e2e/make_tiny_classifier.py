#!/usr/bin/python3
"""Writes a tiny Q/DQ image classifier for the CLI end-to-end tests (Debian's python3-onnx, no torch):

    image f32[N,3,16,16] → Q → DQ → Conv 3→4, 3×3, pad 1 (int8 weights, per-channel scales) + bias → Relu
    → Q → DQ → GlobalAveragePool → Flatten → Gemm 4→10 (float) → logits f32[N,10]

Usage: make_tiny_classifier.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(path):
    rng = np.random.default_rng(0)
    w_q = rng.integers(-127, 128, size=(4, 3, 3, 3), dtype=np.int8)
    inits = [
        numpy_helper.from_array(np.array(0.02, np.float32), "x_scale"),
        numpy_helper.from_array(np.array(0, np.int8), "x_zero"),
        numpy_helper.from_array(w_q, "w_q"),
        numpy_helper.from_array(np.array([0.004, 0.003, 0.005, 0.002], np.float32), "w_scale"),
        numpy_helper.from_array(np.zeros(4, np.int8), "w_zero"),
        numpy_helper.from_array(rng.standard_normal(4).astype(np.float32) * 0.1, "conv_b"),
        numpy_helper.from_array(np.array(0.05, np.float32), "y_scale"),
        numpy_helper.from_array(np.array(0, np.int8), "y_zero"),
        numpy_helper.from_array(rng.standard_normal((10, 4)).astype(np.float32), "fc_w"),
        numpy_helper.from_array(rng.standard_normal(10).astype(np.float32), "fc_b"),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["image", "x_scale", "x_zero"], ["x_q"], name="q_image"),
        helper.make_node("DequantizeLinear", ["x_q", "x_scale", "x_zero"], ["x_dq"], name="dq_image"),
        helper.make_node("DequantizeLinear", ["w_q", "w_scale", "w_zero"], ["w"], name="dq_w", axis=0),
        helper.make_node("Conv", ["x_dq", "w", "conv_b"], ["conv"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"], name="relu"),
        helper.make_node("QuantizeLinear", ["relu", "y_scale", "y_zero"], ["y_q"], name="q_relu"),
        helper.make_node("DequantizeLinear", ["y_q", "y_scale", "y_zero"], ["y"], name="dq_relu"),
        helper.make_node("GlobalAveragePool", ["y"], ["pooled"], name="gap"),
        helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten"),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "tiny_classifier",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, 16, 16])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


if __name__ == "__main__":
    main(sys.argv[1])
