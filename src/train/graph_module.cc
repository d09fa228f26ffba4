#include "train/graph_module.h"

#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "ir/shape_ops.h"
#include "passes/qdq_attrs.h"
#include "train/fake_quantize.h"

namespace qatrt {
namespace {

// Errors inside a node's computation are thrown (libtorch throws c10::Error for shape mismatches anyway)
// and turned into a Status naming the node by GraphModule::run; they never leave this file.
[[noreturn]] void fail(const Node& node, const std::string& message) {
  throw std::runtime_error(node.describe() + ": " + message);
}

std::vector<int64_t> spatial_ints(const Node& node, const char* key, size_t rank, int64_t fallback) {
  std::vector<int64_t> values = node.attr_ints(key, std::vector<int64_t>(rank, fallback));
  if (values.size() != rank) fail(node, std::string("attribute '") + key + "' has " + std::to_string(values.size()) + " values, expected " + std::to_string(rank));
  return values;
}

// ONNX pads [b_0, …, b_{n-1}, e_0, …, e_{n-1}] over the last n dims. Symmetric pads go to the op's own
// padding argument; asymmetric ones (e.g. Keras 'same' with stride 2) are applied explicitly with `value`.
std::vector<int64_t> apply_pads(at::Tensor& x, const Node& node, size_t spatial, double value) {
  std::vector<int64_t> pads = node.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
  if (pads.size() != 2 * spatial) fail(node, "attribute 'pads' has " + std::to_string(pads.size()) + " values, expected " + std::to_string(2 * spatial));
  if (node.attr_string("auto_pad", "NOTSET") != "NOTSET") fail(node, "auto_pad other than NOTSET (the importer resolves it into pads)");
  bool symmetric = true;
  for (size_t d = 0; d < spatial; ++d) symmetric = symmetric && pads[d] == pads[d + spatial];
  if (symmetric) return {pads.begin(), pads.begin() + static_cast<ptrdiff_t>(spatial)};
  std::vector<int64_t> torch_pads;  // last dimension first: (begin, end) pairs
  for (size_t d = spatial; d-- > 0;) {
    torch_pads.push_back(pads[d]);
    torch_pads.push_back(pads[d + spatial]);
  }
  x = at::constant_pad_nd(x, torch_pads, value);
  return std::vector<int64_t>(spatial, 0);
}

int64_t normalize_axis(const Node& node, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) fail(node, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> ints_or_fail(const Graph& graph, const Node& node, size_t index) {
  auto values = constant_ints(graph, node, index);
  if (!values.ok()) throw std::runtime_error(values.status().message());
  return *values;
}

std::optional<double> optional_scalar(const Graph& graph, const Node& node, size_t index) {
  if (node.inputs.size() <= index || node.inputs[index] == kNoValue) return std::nullopt;
  if (!graph.is_constant(node.inputs[index])) fail(node, "operand " + std::to_string(index) + " must be a constant");
  return graph.value(node.inputs[index]).constant->as_double(0);
}

at::Tensor run_conv(const Node& node, at::Tensor x, const at::Tensor& w, const at::Tensor& b) {
  if (x.dim() != 4) fail(node, "only 2-D convolution (rank-4 input) is trained, got rank " + std::to_string(x.dim()));
  std::vector<int64_t> padding = apply_pads(x, node, 2, 0.0);
  return at::conv2d(x, w, b, spatial_ints(node, "strides", 2, 1), padding, spatial_ints(node, "dilations", 2, 1),
                    node.attr_int("group", 1));
}

at::Tensor run_max_pool(const Node& node, at::Tensor x) {
  if (x.dim() != 4) fail(node, "only 2-D pooling is trained");
  std::vector<int64_t> kernel = node.attr_ints("kernel_shape");
  if (kernel.size() != 2) fail(node, "kernel_shape must have 2 values");
  std::vector<int64_t> padding = apply_pads(x, node, 2, -std::numeric_limits<double>::infinity());
  return at::max_pool2d(x, kernel, spatial_ints(node, "strides", 2, 1), padding, spatial_ints(node, "dilations", 2, 1),
                        node.attr_int("ceil_mode", 0) != 0);
}

at::Tensor run_average_pool(const Node& node, at::Tensor x) {
  if (x.dim() != 4) fail(node, "only 2-D pooling is trained");
  std::vector<int64_t> kernel = node.attr_ints("kernel_shape");
  if (kernel.size() != 2) fail(node, "kernel_shape must have 2 values");
  const bool include_pad = node.attr_int("count_include_pad", 0) != 0;
  const at::Tensor before = x;
  std::vector<int64_t> padding = apply_pads(x, node, 2, 0.0);
  if (!include_pad && !x.is_same(before))
    fail(node, "asymmetric pads with count_include_pad = 0 are not supported by the trainer");
  return at::avg_pool2d(x, kernel, spatial_ints(node, "strides", 2, 1), padding, node.attr_int("ceil_mode", 0) != 0, include_pad);
}

at::Tensor run_gemm(const Node& node, const at::Tensor& a, const at::Tensor& b, const at::Tensor& c) {
  at::Tensor y = at::matmul(node.attr_int("transA", 0) ? a.t() : a, node.attr_int("transB", 0) ? b.t() : b);
  const double alpha = node.attr_float("alpha", 1.0f), beta = node.attr_float("beta", 1.0f);
  if (alpha != 1.0) y = y * alpha;
  if (c.defined()) y = beta == 1.0 ? y + c : y + c * beta;
  return y;
}

at::Tensor run_pad(const Graph& graph, const Node& node, const at::Tensor& x) {
  if (node.attr_string("mode", "constant") != "constant") fail(node, "only mode 'constant' is trained");
  std::vector<int64_t> pads = ints_or_fail(graph, node, 1);
  const auto rank = static_cast<size_t>(x.dim());
  if (pads.size() != 2 * rank) fail(node, "pads has " + std::to_string(pads.size()) + " values for rank " + std::to_string(rank));
  std::vector<int64_t> torch_pads;
  for (size_t d = rank; d-- > 0;) {
    torch_pads.push_back(pads[d]);
    torch_pads.push_back(pads[d + rank]);
  }
  return at::constant_pad_nd(x, torch_pads, optional_scalar(graph, node, 2).value_or(0.0));
}

at::Tensor run_shape_op(const Graph& graph, const Node& node, const at::Tensor& x) {
  const int64_t rank = x.dim();
  switch (node.op) {
    case Op::kFlatten: {
      const int64_t axis = node.attr_int("axis", 1) < 0 ? node.attr_int("axis", 1) + rank : node.attr_int("axis", 1);
      int64_t outer = 1;
      for (int64_t d = 0; d < axis; ++d) outer *= x.size(d);
      return x.reshape({outer, outer == 0 ? 0 : x.numel() / std::max<int64_t>(outer, 1)});
    }
    case Op::kReshape: {
      std::vector<int64_t> shape = ints_or_fail(graph, node, 1);
      if (node.attr_int("allowzero", 0) == 0)
        for (size_t d = 0; d < shape.size(); ++d)
          if (shape[d] == 0) shape[d] = x.size(static_cast<int64_t>(d));
      return x.reshape(shape);
    }
    case Op::kTranspose: {
      std::vector<int64_t> perm = node.attr_ints("perm");
      if (perm.empty())
        for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
      return x.permute(perm);
    }
    case Op::kSqueeze:
    case Op::kUnsqueeze: {
      auto axes = squeeze_axes(graph, node);
      if (!axes.ok()) throw std::runtime_error(axes.status().message());
      if (node.op == Op::kSqueeze && axes->empty()) return x.squeeze();
      // Unsqueeze's axes index the output; applied in ascending order. Squeeze's index the input; descending.
      const int64_t axes_rank = node.op == Op::kSqueeze ? rank : rank + static_cast<int64_t>(axes->size());
      std::vector<int64_t> sorted;
      for (int64_t a : *axes) sorted.push_back(normalize_axis(node, a, axes_rank));
      std::sort(sorted.begin(), sorted.end());
      at::Tensor y = x;
      if (node.op == Op::kSqueeze)
        for (auto a = sorted.rbegin(); a != sorted.rend(); ++a) y = y.squeeze(*a);
      else
        for (int64_t a : sorted) y = y.unsqueeze(a);
      return y;
    }
    default: fail(node, "not a shape op");
  }
}

}  // namespace

at::Tensor to_torch(const Tensor& tensor) {
  if (tensor.dtype() != DType::kFloat32) throw std::runtime_error("to_torch: float32 tensors only");
  return at::from_blob(const_cast<void*>(tensor.raw()), tensor.shape(), at::kFloat).clone();
}

Tensor from_torch(const at::Tensor& tensor) {
  at::Tensor cpu = tensor.detach().to(at::kCPU, at::kFloat).contiguous();
  Tensor out(DType::kFloat32, Shape(cpu.sizes().begin(), cpu.sizes().end()));
  std::memcpy(out.raw(), cpu.data_ptr<float>(), out.nbytes());
  return out;
}

StatusOr<std::unique_ptr<GraphModule>> GraphModule::create(const Graph& graph, const ModuleOptions& options) {
  QATRT_ASSIGN_OR_RETURN(TrainableGraph prepared, prepare_trainable_graph(graph));
  std::unique_ptr<GraphModule> module(new GraphModule(std::move(prepared), options));
  QATRT_RETURN_IF_ERROR(module->initialise());
  return module;
}

Status GraphModule::initialise() {
  const Graph& g = t_.graph;
  constants_.assign(g.values.size(), at::Tensor());
  for (const auto& [id, role] : t_.roles) {
    at::Tensor tensor = to_torch(*g.value(id).constant).to(options_.device);
    const std::string name = "value/" + g.value(id).name;
    if (role == ConstantRole::kWeight || role == ConstantRole::kNoDecay) {
      tensor.set_requires_grad(true);
      parameters_.push_back({name, tensor, role == ConstantRole::kWeight});
    } else if (role == ConstantRole::kRunningStat) {
      buffers_.push_back({name, tensor});
    }
    constants_[static_cast<size_t>(id)] = tensor;
  }
  quantizer_of_node_.assign(g.nodes.size(), -1);
  for (size_t q = 0; q < t_.quantizers.size(); ++q) {
    const QuantizerPair& pair = t_.quantizers[q];
    quantizer_of_node_[static_cast<size_t>(pair.quantize)] = static_cast<int>(q);
    amax_of_quantizer_.push_back(-1);
    if (pair.weight) continue;
    at::Tensor amax = at::full({}, pair.scale * 127.0f, at::TensorOptions().dtype(at::kFloat).device(options_.device));
    const std::string name = "amax/" + g.nodes[static_cast<size_t>(pair.quantize)].name;
    if (options_.learn_amax) {
      amax.set_requires_grad(true);
      parameters_.push_back({name, amax, false});
    }
    amax_of_quantizer_.back() = static_cast<int>(amaxes_.size());
    amaxes_.push_back({name, amax});
  }
  return Status::ok_status();
}

std::vector<NamedTensor> GraphModule::state() const {
  std::vector<NamedTensor> all;
  for (const NamedTensor& p : parameters_)
    if (p.name.rfind("amax/", 0) != 0) all.push_back(p);
  all.insert(all.end(), buffers_.begin(), buffers_.end());
  all.insert(all.end(), amaxes_.begin(), amaxes_.end());
  return all;
}

at::Tensor GraphModule::run_node(const Node& node, int index, std::vector<at::Tensor>& env, bool training) {
  const Graph& g = t_.graph;
  auto in = [&](size_t k) -> at::Tensor {
    if (k >= node.inputs.size() || node.inputs[k] == kNoValue) return at::Tensor();
    const at::Tensor& t = env[static_cast<size_t>(node.inputs[k])];
    if (!t.defined()) fail(node, "operand '" + g.value(node.inputs[k]).name + "' is not a float tensor the trainer holds");
    return t;
  };
  switch (node.op) {
    case Op::kConv: return run_conv(node, in(0), in(1), in(2));
    case Op::kBatchNormalization: {
      const float momentum = node.attr_float("momentum", options_.bn_momentum);
      const bool batch_statistics = training && !options_.freeze_bn;
      // libtorch's momentum weighs the new batch: running = (1 − m_t)·running + m_t·batch, m_t = 1 − m.
      return at::batch_norm(in(0), in(1), in(2), in(3), in(4), batch_statistics, 1.0 - momentum,
                            node.attr_float("epsilon", 1e-5f), false);
    }
    case Op::kRelu: return at::relu(in(0));
    case Op::kClip: {
      auto lo = optional_scalar(g, node, 1), hi = optional_scalar(g, node, 2);
      return at::clamp(in(0), lo ? c10::optional<at::Scalar>(*lo) : c10::nullopt, hi ? c10::optional<at::Scalar>(*hi) : c10::nullopt);
    }
    case Op::kMaxPool: return run_max_pool(node, in(0));
    case Op::kAveragePool: return run_average_pool(node, in(0));
    case Op::kGlobalAveragePool: {
      std::vector<int64_t> dims;
      for (int64_t d = 2; d < in(0).dim(); ++d) dims.push_back(d);
      return in(0).mean(dims, true);
    }
    case Op::kAdd: return in(0) + in(1);
    case Op::kSub: return in(0) - in(1);
    case Op::kMul: return in(0) * in(1);
    case Op::kDiv: return in(0) / in(1);
    case Op::kFlatten:
    case Op::kReshape:
    case Op::kTranspose:
    case Op::kSqueeze:
    case Op::kUnsqueeze: return run_shape_op(g, node, in(0));
    case Op::kConcat: {
      std::vector<at::Tensor> parts;
      for (size_t k = 0; k < node.inputs.size(); ++k) parts.push_back(in(k));
      return at::cat(parts, normalize_axis(node, node.attr_int("axis", 0), parts.at(0).dim()));
    }
    case Op::kPad: return run_pad(g, node, in(0));
    case Op::kGemm: return run_gemm(node, in(0), in(1), in(2));
    case Op::kMatMul: return at::matmul(in(0), in(1));
    case Op::kSoftmax: return at::softmax(in(0), normalize_axis(node, node.attr_int("axis", -1), in(0).dim()));
    case Op::kIdentity: return in(0);
    case Op::kQuantizeLinear: {
      const int q = quantizer_of_node_[static_cast<size_t>(index)];
      const QuantizerPair& pair = t_.quantizers[static_cast<size_t>(q)];
      if (pair.weight) return fake_quantize_weight(in(0), pair.axis);
      return fake_quantize(in(0), amaxes_[static_cast<size_t>(amax_of_quantizer_[static_cast<size_t>(q)])].tensor);
    }
    case Op::kDequantizeLinear: return in(0);  // its QuantizeLinear already produced the fake-quantized floats
    default: fail(node, "not supported by the trainer");
  }
}

StatusOr<at::Tensor> GraphModule::run(const at::Tensor& input, bool training, bool stop_before_softmax) {
  const Graph& g = t_.graph;
  std::vector<at::Tensor> env(constants_);
  env[static_cast<size_t>(g.inputs[0])] = input.to(options_.device);
  c10::AutoGradMode grad_mode(training);  // c10's name works in libtorch 1.13 and 2.x (at:: dropped it)
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (stop_before_softmax && static_cast<int>(i) == t_.final_softmax) continue;
    const Node& node = g.nodes[i];
    try {
      env[static_cast<size_t>(node.outputs[0])] = run_node(node, static_cast<int>(i), env, training);
    } catch (const c10::Error& e) {
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", e.what_without_backtrace());
    } catch (const std::exception& e) {
      return make_error(StatusCode::kUnsupported, e.what());
    }
  }
  if (stop_before_softmax && t_.final_softmax >= 0) return env[static_cast<size_t>(g.nodes[static_cast<size_t>(t_.final_softmax)].inputs[0])];
  return env[static_cast<size_t>(g.outputs[0])];
}

StatusOr<at::Tensor> GraphModule::forward_logits(const at::Tensor& input, bool training) {
  return run(input, training, true);
}

StatusOr<at::Tensor> GraphModule::forward_output(const at::Tensor& input) { return run(input, false, false); }

Graph GraphModule::trained_graph() const {
  Graph g = t_.graph;
  for (const auto& [id, role] : t_.roles)
    if (role != ConstantRole::kFixed) g.value(id).constant = from_torch(constants_[static_cast<size_t>(id)]);
  for (size_t q = 0; q < t_.quantizers.size(); ++q) {
    const QuantizerPair& pair = t_.quantizers[q];
    Node& quantize = g.nodes[static_cast<size_t>(pair.quantize)];
    QuantParams params;
    if (pair.weight) {
      at::Tensor scales = quant_scale(weight_amax(constants_[static_cast<size_t>(quantize.inputs[0])], pair.axis));
      params.scales = from_torch(scales.flatten()).to_float_vector();
      if (pair.axis >= 0) params.axis = pair.axis;
    } else {
      params.scales = {quant_scale(amaxes_[static_cast<size_t>(amax_of_quantizer_[q])].tensor.detach()).item<float>()};
    }
    params.zero_points.assign(params.scales.size(), 0);
    set_qdq_params(quantize, params);
    g.value(quantize.outputs[0]).quant = params;
    for (int dq : pair.dequantizes) set_qdq_params(g.nodes[static_cast<size_t>(dq)], params);
  }
  return g;
}

}  // namespace qatrt
