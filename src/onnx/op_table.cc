#include "onnx/op_table.h"

#include <array>

namespace qatrt {
namespace {

constexpr std::array kTable = {
    OpImportEntry{"Conv", Op::kConv, import_conv},
    OpImportEntry{"MaxPool", Op::kMaxPool, import_max_pool},
    OpImportEntry{"AveragePool", Op::kAveragePool, import_average_pool},
    OpImportEntry{"GlobalAveragePool", Op::kGlobalAveragePool, import_global_average_pool},
    OpImportEntry{"Gemm", Op::kGemm, import_gemm},
    OpImportEntry{"MatMul", Op::kMatMul, import_matmul},
    OpImportEntry{"Add", Op::kAdd, import_binary},
    OpImportEntry{"Sub", Op::kSub, import_binary},
    OpImportEntry{"Mul", Op::kMul, import_binary},
    OpImportEntry{"Div", Op::kDiv, import_binary},
    OpImportEntry{"Relu", Op::kRelu, import_relu},
    OpImportEntry{"Clip", Op::kClip, import_clip},
    OpImportEntry{"Identity", Op::kIdentity, import_identity},
    OpImportEntry{"Flatten", Op::kFlatten, import_flatten},
    OpImportEntry{"Reshape", Op::kReshape, import_reshape},
    OpImportEntry{"Transpose", Op::kTranspose, import_transpose},
    OpImportEntry{"Squeeze", Op::kSqueeze, import_squeeze},
    OpImportEntry{"Unsqueeze", Op::kUnsqueeze, import_unsqueeze},
    OpImportEntry{"Pad", Op::kPad, import_pad},
    OpImportEntry{"Concat", Op::kConcat, import_concat},
    OpImportEntry{"BatchNormalization", Op::kBatchNormalization, import_batch_normalization},
    OpImportEntry{"Softmax", Op::kSoftmax, import_softmax},
    OpImportEntry{"QuantizeLinear", Op::kQuantizeLinear, import_quantize_linear},
    OpImportEntry{"DequantizeLinear", Op::kDequantizeLinear, import_dequantize_linear},
};

}  // namespace

std::span<const OpImportEntry> op_import_table() { return kTable; }

const OpImportEntry* find_op_importer(std::string_view onnx_name) {
  for (const auto& entry : kTable)
    if (entry.onnx_name == onnx_name) return &entry;
  return nullptr;
}

}  // namespace qatrt
