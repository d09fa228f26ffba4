// The pass pipelines. After every pass: shape inference (new values get shapes, auto_pad becomes pads) and
// the verifier; a failure names the pass that broke the graph.
//
//   int8 / best: fold_weight_qdq → sink_transposes → fold_batchnorm → propagate_qdq → fuse_conv_epilogue
//                → fuse_gemm_epilogue → remove_dead_code → assign_precision
//   fp32:        fold_weight_qdq → sink_transposes → dequantize_for_fp32 → fold_batchnorm
//                → fuse_conv_epilogue → fuse_gemm_epilogue → remove_dead_code → assign_precision
//   fake-quant:  fold_weight_qdq → sink_transposes → dequantize_weights → fold_batchnorm
//                → fuse_conv_epilogue → fuse_gemm_epilogue → remove_dead_code → assign_precision
//                (activation Q→DQ pairs stay and run; the fusions see float weights, so only the float
//                halves fire and each Q/DQ keeps rounding the value between two float layers)
//   fp16:        the fp32 pipeline, then convert_to_float16 before assign_precision
//   int8-exact:  the int8 pipeline with PassContext::exact_rounding, then mark_exact_rounding before
//                assign_precision
// In fp32 mode the fusions find no int8 operands left (dequantize_for_fp32 removed them), so only their
// float halves fire. fold_batchnorm runs after sink_transposes so a weight Transpose is already folded.
#include "passes/builder.h"

#include <chrono>

#include "ir/shape_inference.h"
#include "ir/verifier.h"
#include "passes/passes.h"

namespace qatrt {
namespace {

std::vector<Pass> pipeline(PrecisionMode mode) {
  auto precision = [mode](Graph& graph, PassContext& context) { return assign_precision(graph, context, mode); };
  // The lists above share their frame; each mode adds its own passes to it.
  const bool drops_qdq = mode == PrecisionMode::kFp32 || mode == PrecisionMode::kFp16;
  const bool fake_quant = mode == PrecisionMode::kFakeQuant;
  std::vector<Pass> passes = {{"fold_weight_qdq", fold_weight_qdq}, {"sink_transposes", sink_transposes}};
  if (drops_qdq) passes.push_back({"dequantize_for_fp32", dequantize_for_fp32});
  if (fake_quant) passes.push_back({"dequantize_weights", dequantize_weights});
  passes.push_back({"fold_batchnorm", fold_batchnorm});
  if (!drops_qdq && !fake_quant) passes.push_back({"propagate_qdq", propagate_qdq});
  passes.insert(passes.end(), {{"fuse_conv_epilogue", fuse_conv_epilogue},
                               {"fuse_gemm_epilogue", fuse_gemm_epilogue},
                               {"remove_dead_code", remove_dead_code}});
  if (mode == PrecisionMode::kFp16) passes.push_back({"convert_to_float16", convert_to_float16});
  if (mode == PrecisionMode::kInt8Exact) passes.push_back({"mark_exact_rounding", mark_exact_rounding});
  passes.push_back({"assign_precision", precision});
  return passes;
}

Status check_graph(Graph& graph, const std::string& stage) {
  Status status = infer_shapes(graph);
  if (status.ok()) status = verify_graph(graph);
  return status.ok() ? status : status.with_context(stage);
}

}  // namespace

StatusOr<PrecisionMode> parse_precision_mode(const std::string& text) {
  if (text == "int8") return PrecisionMode::kInt8;
  if (text == "fp32") return PrecisionMode::kFp32;
  if (text == "best") return PrecisionMode::kBest;
  if (text == "fakequant") return PrecisionMode::kFakeQuant;
  if (text == "int8-exact") return PrecisionMode::kInt8Exact;
  if (text == "fp16") return PrecisionMode::kFp16;
  return make_error(StatusCode::kInvalidArgument, "precision mode '", text,
                    "' is not known; use int8, int8-exact, fp32, fp16, best or fakequant");
}

Status optimize_graph(Graph& graph, PrecisionMode mode, PassContext& context) {
  QATRT_RETURN_IF_ERROR(check_graph(graph, "before optimization (the imported graph)"));
  context.exact_rounding = mode == PrecisionMode::kInt8Exact;
  for (const Pass& pass : pipeline(mode)) {
    size_t logged = context.log.size();
    auto start = std::chrono::steady_clock::now();
    Status status = pass.run(graph, context);
    if (!status.ok()) return status.with_context("in pass '" + pass.name + "'");
    QATRT_RETURN_IF_ERROR(check_graph(graph, "after pass '" + pass.name + "'"));
    if (context.verbose && context.log.size() == logged) context.log.push_back(pass.name + ": no change");
    if (context.on_pass_done) {
      std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
      context.on_pass_done(pass.name, elapsed.count());
    }
  }
  return {};
}

}  // namespace qatrt
