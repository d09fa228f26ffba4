// The import driver: parse, check the opset, turn initializers and graph inputs into Values, then each ONNX
// node — in the file's (topological) order — into an IR node through its op importer (op_table.h). Shapes are
// inferred node by node, so each importer sees its inputs' shapes (axis normalisation, auto_pad).
#include "onnx/importer.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <onnx/onnx_pb.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <unordered_map>

#include "ir/shape_inference.h"
#include "ir/verifier.h"
#include "onnx/node_context.h"
#include "onnx/op_table.h"
#include "onnx/tensor_proto.h"

namespace qatrt {
namespace {

bool is_default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

std::string describe_proto(const onnx::NodeProto& proto, const std::string& name) {
  std::string op = is_default_domain(proto.domain()) ? proto.op_type() : proto.domain() + "." + proto.op_type();
  return "node '" + name + "' (" + op + ")";
}

std::string supported_list() {
  std::string list;
  for (const auto& op : supported_onnx_ops()) list += (list.empty() ? "" : ", ") + op;
  return list;
}

Status check_opset(const onnx::ModelProto& model) {
  for (const auto& opset : model.opset_import()) {
    if (!is_default_domain(opset.domain())) continue;
    if (opset.version() < kMinOnnxOpset)
      return make_error(StatusCode::kUnsupported, "opset ", opset.version(), " is not supported (qatrt needs opset ",
                        kMinOnnxOpset, " or newer); convert the model first: python3 -c \"import onnx; "
                        "from onnx import version_converter as vc; onnx.save(vc.convert_version(onnx.load('in.onnx'), ",
                        kMinOnnxOpset, "), 'out.onnx')\"");
    return {};
  }
  return make_error(StatusCode::kInvalidArgument, "the model imports no default-domain (ai.onnx) opset; is this "
                    "an ONNX model?");
}

class GraphImporter {
 public:
  explicit GraphImporter(const onnx::GraphProto& proto) : proto_(proto) {}

  StatusOr<Graph> run() {
    graph_.name = proto_.name();
    if (proto_.sparse_initializer_size() > 0)
      return make_error(StatusCode::kUnsupported, "sparse initializers are not supported; densify them");
    QATRT_RETURN_IF_ERROR(import_initializers());
    QATRT_RETURN_IF_ERROR(import_inputs());
    for (int i = 0; i < proto_.node_size(); ++i) QATRT_RETURN_IF_ERROR(import_node(proto_.node(i), i));
    QATRT_RETURN_IF_ERROR(import_outputs());
    QATRT_RETURN_IF_ERROR(infer_shapes(graph_));
    QATRT_RETURN_IF_ERROR(verify_graph(graph_));
    return std::move(graph_);
  }

 private:
  // "read by node 'x' (Op)" for errors about initializers and graph inputs.
  std::string first_reader(const std::string& value_name) const {
    for (int i = 0; i < proto_.node_size(); ++i)
      for (const auto& input : proto_.node(i).input())
        if (input == value_name) return " read by " + describe_proto(proto_.node(i), node_name(proto_.node(i), i));
    return " (not read by any node)";
  }

  static std::string node_name(const onnx::NodeProto& proto, int index) {
    return proto.name().empty() ? proto.op_type() + "_" + std::to_string(index) : proto.name();
  }

  Status define(const std::string& name, ValueId id) {
    if (!ids_.emplace(name, id).second)
      return make_error(StatusCode::kInvalidArgument, "value '", name, "' is defined twice; the graph is not SSA");
    return {};
  }

  Status import_initializers() {
    for (const auto& init : proto_.initializer()) {
      auto tensor = tensor_from_onnx(init);
      if (!tensor.ok()) return tensor.status().with_context("initializer '" + init.name() + "'" + first_reader(init.name()));
      QATRT_RETURN_IF_ERROR(define(init.name(), graph_.add_constant(init.name(), std::move(tensor).value())));
    }
    return {};
  }

  // Graph inputs that are also initializers are constants (the initializer is their default value).
  Status import_inputs() {
    for (const auto& input : proto_.input()) {
      if (ids_.count(input.name())) continue;
      auto declared = declared_type(input);
      if (!declared.ok()) return declared.status().with_context("graph input" + first_reader(input.name()));
      Value value{.name = input.name(), .dtype = declared->dtype, .shape = declared->shape};
      ValueId id = graph_.add_value(std::move(value));
      QATRT_RETURN_IF_ERROR(define(input.name(), id));
      graph_.inputs.push_back(id);
    }
    return {};
  }

  Status import_outputs() {
    for (const auto& output : proto_.output()) {
      auto it = ids_.find(output.name());
      if (it == ids_.end())
        return make_error(StatusCode::kInvalidArgument, "graph output '", output.name(), "' is produced by no node");
      graph_.outputs.push_back(it->second);
    }
    return {};
  }

  std::string unique_node_name(const std::string& base) {
    std::string name = base;
    for (int i = 1; node_names_.count(name); ++i) name = base + "_" + std::to_string(i);
    node_names_.insert(name);
    return name;
  }

  Status import_node(const onnx::NodeProto& proto, int index) {
    const std::string name = unique_node_name(node_name(proto, index));
    const std::string described = describe_proto(proto, name);
    if (!is_default_domain(proto.domain()))
      return make_error(StatusCode::kUnsupported, described, ": op domain '", proto.domain(),
                        "' is not supported (only ai.onnx); re-export with standard ONNX ops");
    if (proto.op_type() == "Constant") {
      QATRT_ASSIGN_OR_RETURN(Tensor tensor, constant_node_tensor(proto, described));
      if (proto.output_size() != 1)
        return make_error(StatusCode::kInvalidArgument, described, ": needs exactly one output");
      return define(proto.output(0), graph_.add_constant(proto.output(0), std::move(tensor)));
    }
    const OpImportEntry* entry = find_op_importer(proto.op_type());
    if (!entry)
      return make_error(StatusCode::kUnsupported, described, ": op ", proto.op_type(),
                        " is not supported; qatrt imports ", supported_list(),
                        ". Replace the op in the exporter, or constant-fold it (onnxsim) if its inputs are constant");

    Node node{.name = name, .op = entry->op};
    for (const auto& input : proto.input()) {
      if (input.empty()) {
        node.inputs.push_back(kNoValue);
        continue;
      }
      auto it = ids_.find(input);
      if (it == ids_.end())
        return make_error(StatusCode::kInvalidArgument, described, ": input '", input,
                          "' is not a graph input, an initializer or the output of an earlier node (is the graph "
                          "topologically sorted?)");
      node.inputs.push_back(it->second);
    }
    for (const auto& output : proto.output()) {
      if (output.empty()) continue;  // an optional output nobody asked for
      ValueId id = graph_.add_value({.name = output});
      QATRT_RETURN_IF_ERROR(define(output, id));
      node.outputs.push_back(id);
    }

    // torch.onnx emits Identity nodes on initializers it shares (e.g. BatchNormalization's running mean):
    // their outputs are that constant, so passes that need constant operands still see one.
    if (entry->op == Op::kIdentity && node.inputs.size() == 1 && graph_.is_constant(node.inputs[0]) &&
        node.outputs.size() == 1 && proto.attribute_size() == 0) {
      Value& out = graph_.value(node.outputs[0]);
      out.constant = graph_.value(node.inputs[0]).constant;
      out.dtype = out.constant->dtype();
      out.shape = out.constant->shape();
      return {};
    }

    OnnxNode context(proto, graph_, node);
    QATRT_RETURN_IF_ERROR(entry->import(context));
    QATRT_RETURN_IF_ERROR(context.check_all_attributes_read());
    Node& added = graph_.add_node(std::move(node));
    return infer_node_shapes(graph_, added);
  }

  const onnx::GraphProto& proto_;
  Graph graph_;
  std::unordered_map<std::string, ValueId> ids_;
  std::set<std::string> node_names_;
};

}  // namespace

std::vector<std::string> supported_onnx_ops() {
  std::vector<std::string> ops;
  for (const auto& entry : op_import_table()) ops.emplace_back(entry.onnx_name);
  ops.emplace_back("Constant");
  return ops;
}

StatusOr<Graph> import_onnx_bytes(const std::string& bytes, const std::string& model_name) {
  onnx::ModelProto model;
  // Models above protobuf's default 64 MiB message limit (ResNet-50 in float is ~100 MB) must still parse.
  google::protobuf::io::ArrayInputStream array(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedInputStream stream(&array);
  stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
  if (bytes.empty() || !model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return make_error(StatusCode::kCorrupt, model_name, ": not a valid ONNX model (", bytes.size(),
                      " bytes do not parse as an onnx.ModelProto); is the file complete?");
  if (!model.has_graph())
    return make_error(StatusCode::kCorrupt, model_name, ": the ONNX model has no graph; is the file complete?");
  Status opset = check_opset(model);
  if (!opset.ok()) return opset.with_context(model_name);
  auto graph = GraphImporter(model.graph()).run();
  if (!graph.ok()) return graph.status().with_context(model_name);
  if (graph->name.empty()) graph->name = model_name;
  return graph;
}

StatusOr<Graph> import_onnx_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return make_error(StatusCode::kNotFound, "cannot open ONNX model '", path, "': ", std::strerror(errno));
  std::ostringstream bytes;
  bytes << file.rdbuf();
  if (file.bad()) return make_error(StatusCode::kIoError, "cannot read ONNX model '", path, "'");
  return import_onnx_bytes(bytes.str(), path);
}

}  // namespace qatrt
