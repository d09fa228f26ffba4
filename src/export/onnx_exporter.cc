#include "export/onnx_exporter.h"

#include <fstream>
#include <set>

#include "export/node_writer.h"
#include "export/proto_writer.h"
#include "export/weight_format.h"
#include "ir/verifier.h"

namespace qatrt {
namespace {

// IR version 7 is the first that carries opset 13, so runtimes as old as the opset can load the file.
constexpr int64_t kIrVersion = 7;
constexpr int64_t kOpset = 13;

// ONNX names values globally: every value written must have a name, and a distinct one.
Status check_value_names(const Graph& graph) {
  std::set<std::string> seen;
  for (ValueId id = 0; id < static_cast<ValueId>(graph.values.size()); ++id) {
    const std::string& name = graph.value(id).name;
    if (name.empty())
      return make_error(StatusCode::kInvalidArgument, "value #", id, " has no name; ONNX needs a name for every value");
    if (!seen.insert(name).second)
      return make_error(StatusCode::kInvalidArgument, "two values are named '", name,
                        "'; ONNX needs distinct value names");
  }
  return {};
}

Status build_model(Graph graph, const ExportOptions& options, onnx::ModelProto& model) {
  QATRT_RETURN_IF_ERROR(verify_graph(graph));
  for (const Node& node : graph.nodes)
    if (is_fused_op(node.op))
      return make_error(StatusCode::kUnsupported, node.describe(),
                        ": qatrt's fused ops have no ONNX form; export the graph before building it (the imported "
                        "or QAT-trained graph, not the optimized plan)");
  QATRT_RETURN_IF_ERROR(convert_weight_format(graph, options.weights));
  graph.compact();  // drops float weights that became int8 constants
  QATRT_RETURN_IF_ERROR(check_value_names(graph));

  model.set_ir_version(kIrVersion);
  model.set_producer_name(options.producer_name);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  onnx::GraphProto& proto = *model.mutable_graph();
  proto.set_name(graph.name.empty() ? "qatrt" : graph.name);

  std::set<ValueId> boundary(graph.inputs.begin(), graph.inputs.end());
  boundary.insert(graph.outputs.begin(), graph.outputs.end());
  for (ValueId id : graph.inputs)
    if (!graph.is_constant(id)) write_value_info(graph.value(id), *proto.add_input());
  for (ValueId id : graph.outputs) write_value_info(graph.value(id), *proto.add_output());
  std::set<ValueId> written;
  auto write_constant = [&](ValueId id) {
    if (id != kNoValue && graph.is_constant(id) && written.insert(id).second)
      write_tensor(*graph.value(id).constant, graph.value(id).name, *proto.add_initializer());
  };
  NodeWriter writer(graph, proto);
  for (const Node& node : graph.nodes) {
    for (ValueId id : node.inputs) write_constant(id);
    QATRT_RETURN_IF_ERROR(writer.write(node));
    for (ValueId id : node.outputs)
      if (!boundary.count(id)) write_value_info(graph.value(id), *proto.add_value_info());
  }
  for (ValueId id : graph.outputs) write_constant(id);
  return {};
}

}  // namespace

StatusOr<WeightFormat> parse_weight_format(const std::string& text) {
  if (text == "int8") return WeightFormat::kInt8;
  if (text == "float") return WeightFormat::kFloatWithQdq;
  return make_error(StatusCode::kInvalidArgument, "weight format '", text,
                    "' is not known; use float (float weights + Q/DQ, sampleQAT) or int8 (int8 + DQ, ONNX Runtime)");
}

StatusOr<std::string> export_onnx_bytes(const Graph& graph, const ExportOptions& options) {
  onnx::ModelProto model;
  QATRT_RETURN_IF_ERROR(build_model(graph, options, model).with_context("while exporting ONNX"));
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return make_error(StatusCode::kInternal, "while exporting ONNX: the model (", model.ByteSizeLong(),
                      " bytes) could not be serialized; protobuf messages must stay under 2 GiB");
  return bytes;
}

Status export_onnx(const Graph& graph, const std::string& path, const ExportOptions& options) {
  QATRT_ASSIGN_OR_RETURN(std::string bytes, export_onnx_bytes(graph, options));
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return make_error(StatusCode::kIoError, "cannot write ONNX model '", path, "'; check the folder exists");
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file) return make_error(StatusCode::kIoError, "writing ONNX model '", path, "' failed (disk full?)");
  return {};
}

}  // namespace qatrt
