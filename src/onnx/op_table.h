// The ONNX ops qatrt imports: an explicit table (static libraries drop self-registering objects, so no
// static-init registration). Each op's importer lives in the file of its family and fills the IR node's
// attributes from the ONNX node, checking every attribute value and constant operand.
// Adding an op: write its importer in the family file, declare it here, add a row in op_table.cc.
#pragma once

#include <span>
#include <string_view>

#include "ir/ops.h"
#include "onnx/node_context.h"

namespace qatrt {

using OpImporter = Status (*)(OnnxNode& node);

struct OpImportEntry {
  std::string_view onnx_name;  // op_type in the default ONNX domain
  Op op;
  OpImporter import;
};

std::span<const OpImportEntry> op_import_table();
const OpImportEntry* find_op_importer(std::string_view onnx_name);

// conv_pool.cc
Status import_conv(OnnxNode& node);
Status import_max_pool(OnnxNode& node);
Status import_average_pool(OnnxNode& node);
Status import_global_average_pool(OnnxNode& node);
// gemm_matmul.cc
Status import_gemm(OnnxNode& node);
Status import_matmul(OnnxNode& node);
// elementwise.cc
Status import_binary(OnnxNode& node);  // Add, Sub, Mul, Div
Status import_relu(OnnxNode& node);
Status import_clip(OnnxNode& node);
Status import_identity(OnnxNode& node);
// shape_ops.cc
Status import_flatten(OnnxNode& node);
Status import_reshape(OnnxNode& node);
Status import_transpose(OnnxNode& node);
Status import_squeeze(OnnxNode& node);
Status import_unsqueeze(OnnxNode& node);
Status import_pad(OnnxNode& node);
Status import_concat(OnnxNode& node);
// normalization.cc
Status import_batch_normalization(OnnxNode& node);
Status import_softmax(OnnxNode& node);
// qdq.cc
Status import_quantize_linear(OnnxNode& node);
Status import_dequantize_linear(OnnxNode& node);

}  // namespace qatrt
