#include "backends/cuda/cudnn_graph_conv.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>

#include "backends/cuda/device_memory.h"

namespace qatrt::cuda {
namespace {

// The graph's tensors by unique id: the variant pack binds the first five, the rest are virtual.
enum TensorId : int64_t { kX = 1, kW, kBias, kResidual, kY, kConvOut = 101, kWithBias, kWithResidual };

// Every non-virtual tensor declares 16-byte aligned data: the device arena aligns its buffers to 64 bytes
// (runtime/memory_planner.h) and cudaMalloc to 256; variant_pack() checks the pointers it binds.
constexpr int64_t kByteAlignment = 16;

std::string cudnn_last_message() {
  char message[1024] = {};
  cudnnGetLastErrorString(message, sizeof message);
  return message[0] ? message : "(none)";
}

Status get(const BackendDescriptor& d, cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type,
           int64_t count, int64_t* returned, void* values) {
  return cudnn_status(cudnnBackendGetAttribute(d.get(), name, type, count, returned, values),
                      "cudnnBackendGetAttribute(attribute " + std::to_string(name) + ")");
}

// Moves a made descriptor into `owned` (a deque: the address stays valid as more are added).
StatusOr<const BackendDescriptor*> own(std::deque<BackendDescriptor>& owned, StatusOr<BackendDescriptor> made) {
  if (!made.ok()) return made.status();
  owned.push_back(std::move(made).value());
  return &owned.back();
}

// A float32 tensor of dimensions N, C, H, W (cuDNN's order) stored NHWC: channels innermost. The weight is the
// same with K, C/group, R, S (KRSC), and the bias [1, K, 1, 1].
StatusOr<BackendDescriptor> make_tensor(int64_t id, int64_t n, int64_t c, int64_t h, int64_t w, bool is_virtual) {
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor t, BackendDescriptor::create(CUDNN_BACKEND_TENSOR_DESCRIPTOR));
  const cudnnDataType_t type = CUDNN_DATA_FLOAT;
  const bool virtual_flag = is_virtual;
  QATRT_RETURN_IF_ERROR(t.set(CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &type));
  QATRT_RETURN_IF_ERROR(t.set(CUDNN_ATTR_TENSOR_DIMENSIONS, std::vector<int64_t>{n, c, h, w}));
  QATRT_RETURN_IF_ERROR(t.set(CUDNN_ATTR_TENSOR_STRIDES, std::vector<int64_t>{h * w * c, 1, w * c, c}));
  QATRT_RETURN_IF_ERROR(t.set(CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &id));
  QATRT_RETURN_IF_ERROR(t.set(CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, 1, &kByteAlignment));
  QATRT_RETURN_IF_ERROR(t.set(CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, 1, &virtual_flag));
  QATRT_RETURN_IF_ERROR(t.finalize());
  return t;
}

StatusOr<BackendDescriptor> make_convolution(const FloatConvProblem& p) {
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor conv, BackendDescriptor::create(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR));
  const cudnnDataType_t compute = CUDNN_DATA_FLOAT;
  const cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
  const int64_t spatial_dims = 2;
  QATRT_RETURN_IF_ERROR(conv.set(CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &compute));
  QATRT_RETURN_IF_ERROR(conv.set(CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, 1, &mode));
  QATRT_RETURN_IF_ERROR(conv.set(CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, 1, &spatial_dims));
  QATRT_RETURN_IF_ERROR(conv.set(CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, std::vector<int64_t>{p.pad_h, p.pad_w}));
  QATRT_RETURN_IF_ERROR(conv.set(CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, std::vector<int64_t>{p.pad_h, p.pad_w}));
  QATRT_RETURN_IF_ERROR(
      conv.set(CUDNN_ATTR_CONVOLUTION_DILATIONS, std::vector<int64_t>{p.dilation_h, p.dilation_w}));
  QATRT_RETURN_IF_ERROR(
      conv.set(CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, std::vector<int64_t>{p.stride_h, p.stride_w}));
  QATRT_RETURN_IF_ERROR(conv.finalize());
  return conv;
}

// The convolution forward operation y = 1·conv(x, w) + 0·y. A grouped convolution is the weight's C being
// C/group: cuDNN infers the group count from x's and w's channels.
StatusOr<BackendDescriptor> make_convolution_operation(const BackendDescriptor& conv, const BackendDescriptor& x,
                                                       const BackendDescriptor& w, const BackendDescriptor& y) {
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor op,
                         BackendDescriptor::create(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR));
  const float alpha = 1.0f, beta = 0.0f;
  QATRT_RETURN_IF_ERROR(op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, conv));
  QATRT_RETURN_IF_ERROR(op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, x));
  QATRT_RETURN_IF_ERROR(op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, w));
  QATRT_RETURN_IF_ERROR(op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, y));
  QATRT_RETURN_IF_ERROR(op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, 1, &alpha));
  QATRT_RETURN_IF_ERROR(op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, 1, &beta));
  QATRT_RETURN_IF_ERROR(op.finalize());
  return op;
}

// The pointwise descriptor of `mode` computed in float32.
StatusOr<BackendDescriptor> make_pointwise(cudnnPointwiseMode_t mode) {
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor pw, BackendDescriptor::create(CUDNN_BACKEND_POINTWISE_DESCRIPTOR));
  const cudnnDataType_t precision = CUDNN_DATA_FLOAT;
  QATRT_RETURN_IF_ERROR(pw.set(CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, 1, &mode));
  QATRT_RETURN_IF_ERROR(pw.set(CUDNN_ATTR_POINTWISE_MATH_PREC, CUDNN_TYPE_DATA_TYPE, 1, &precision));
  QATRT_RETURN_IF_ERROR(pw.finalize());
  return pw;
}

// y = pw(x) or, with `b`, y = pw(x, b) (b broadcast along the dimensions where it is 1).
StatusOr<BackendDescriptor> make_pointwise_operation(const BackendDescriptor& pw, const BackendDescriptor& x,
                                                     const BackendDescriptor* b, const BackendDescriptor& y) {
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor op,
                         BackendDescriptor::create(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR));
  QATRT_RETURN_IF_ERROR(op.set(CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, pw));
  QATRT_RETURN_IF_ERROR(op.set(CUDNN_ATTR_OPERATION_POINTWISE_XDESC, x));
  if (b) QATRT_RETURN_IF_ERROR(op.set(CUDNN_ATTR_OPERATION_POINTWISE_BDESC, *b));
  QATRT_RETURN_IF_ERROR(op.set(CUDNN_ATTR_OPERATION_POINTWISE_YDESC, y));
  QATRT_RETURN_IF_ERROR(op.finalize());
  return op;
}

// The pointwise terms a graph of `p` holding `ops` computes.
struct GraphTerms {
  bool bias = false, residual = false, relu = false;
  GraphTerms(const FloatConvProblem& p, GraphOps ops)
      : bias(ops == GraphOps::kFused && p.bias), residual(ops == GraphOps::kFused && p.residual),
        relu(ops == GraphOps::kFused && p.relu) {}
};

// The finalized operation graph of `p` holding `ops` (header comment), last in `owned` after every descriptor it
// was made of.
Status build_operation_graph(cudnnHandle_t handle, const FloatConvProblem& p, GraphOps ops,
                             std::deque<BackendDescriptor>& owned) {
  const GraphTerms terms(p, ops);
  const int steps = int{terms.bias} + int{terms.residual} + int{terms.relu};  // pointwise operations after the conv
  const BackendDescriptor *x = nullptr, *w = nullptr, *y = nullptr, *conv = nullptr, *in = nullptr;
  QATRT_ASSIGN_OR_RETURN(x, own(owned, make_tensor(kX, p.n, p.c, p.h, p.w, false)));
  QATRT_ASSIGN_OR_RETURN(w, own(owned, make_tensor(kW, p.k, p.c / p.group, p.r, p.s, false)));
  QATRT_ASSIGN_OR_RETURN(y, own(owned, make_tensor(kY, p.n, p.k, p.p, p.q, false)));
  // The output of the next operation: y for the last, otherwise a virtual tensor of y's shape.
  int remaining = steps + 1;
  const auto result = [&](int64_t virtual_id) -> StatusOr<const BackendDescriptor*> {
    if (--remaining == 0) return y;
    return own(owned, make_tensor(virtual_id, p.n, p.k, p.p, p.q, true));
  };
  std::vector<cudnnBackendDescriptor_t> operations;
  QATRT_ASSIGN_OR_RETURN(conv, own(owned, make_convolution(p)));
  QATRT_ASSIGN_OR_RETURN(in, result(kConvOut));
  const BackendDescriptor* op = nullptr;
  QATRT_ASSIGN_OR_RETURN(op, own(owned, make_convolution_operation(*conv, *x, *w, *in)));
  operations.push_back(op->get());
  // One pointwise operation `mode`(in[, operand]) → the next result.
  const auto pointwise = [&](cudnnPointwiseMode_t mode, const BackendDescriptor* operand, int64_t id) -> Status {
    const BackendDescriptor *pw = nullptr, *out = nullptr, *pw_op = nullptr;
    QATRT_ASSIGN_OR_RETURN(pw, own(owned, make_pointwise(mode)));
    QATRT_ASSIGN_OR_RETURN(out, result(id));
    QATRT_ASSIGN_OR_RETURN(pw_op, own(owned, make_pointwise_operation(*pw, *in, operand, *out)));
    operations.push_back(pw_op->get());
    in = out;
    return {};
  };
  if (terms.bias) {
    const BackendDescriptor* bias = nullptr;
    QATRT_ASSIGN_OR_RETURN(bias, own(owned, make_tensor(kBias, 1, p.k, 1, 1, false)));
    QATRT_RETURN_IF_ERROR(pointwise(CUDNN_POINTWISE_ADD, bias, kWithBias));
  }
  if (terms.residual) {
    const BackendDescriptor* residual = nullptr;
    QATRT_ASSIGN_OR_RETURN(residual, own(owned, make_tensor(kResidual, p.n, p.k, p.p, p.q, false)));
    QATRT_RETURN_IF_ERROR(pointwise(CUDNN_POINTWISE_ADD, residual, kWithResidual));
  }
  if (terms.relu) QATRT_RETURN_IF_ERROR(pointwise(CUDNN_POINTWISE_RELU_FWD, nullptr, kY));

  QATRT_ASSIGN_OR_RETURN(BackendDescriptor graph, BackendDescriptor::create(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR));
  QATRT_RETURN_IF_ERROR(graph.set(CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle));
  QATRT_RETURN_IF_ERROR(graph.set(CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR,
                                  static_cast<int64_t>(operations.size()), operations.data()));
  QATRT_RETURN_IF_ERROR(graph.finalize());
  owned.push_back(std::move(graph));
  return {};
}

// The engine configurations heuristics `mode` proposes for `graph`, best first.
StatusOr<std::vector<BackendDescriptor>> engine_configs(const BackendDescriptor& graph,
                                                        cudnnBackendHeurMode_t mode) {
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor heuristics,
                         BackendDescriptor::create(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR));
  QATRT_RETURN_IF_ERROR(heuristics.set(CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, graph));
  QATRT_RETURN_IF_ERROR(heuristics.set(CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode));
  QATRT_RETURN_IF_ERROR(heuristics.finalize());
  int64_t count = 0;
  QATRT_RETURN_IF_ERROR(get(heuristics, CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &count,
                            nullptr));
  std::vector<BackendDescriptor> configs;
  if (count <= 0) return configs;
  std::vector<cudnnBackendDescriptor_t> handles;
  for (int64_t i = 0; i < count; ++i) {
    QATRT_ASSIGN_OR_RETURN(BackendDescriptor config, BackendDescriptor::create(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR));
    handles.push_back(config.get());
    configs.push_back(std::move(config));
  }
  int64_t returned = 0;
  QATRT_RETURN_IF_ERROR(get(heuristics, CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, count,
                            &returned, handles.data()));
  configs.resize(static_cast<size_t>(std::clamp<int64_t>(returned, 0, count)));
  return configs;
}

// An engine configuration's engine: its global index, and whether its arithmetic is plain FP32.
struct EngineInfo {
  int64_t index = -1;
  bool plain_fp32 = true;
};

StatusOr<EngineInfo> engine_info(const BackendDescriptor& config) {
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor engine, BackendDescriptor::create(CUDNN_BACKEND_ENGINE_DESCRIPTOR));
  cudnnBackendDescriptor_t engine_handle = engine.get();
  int64_t returned = 0;
  QATRT_RETURN_IF_ERROR(
      get(config, CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &returned, &engine_handle));
  EngineInfo info;
  QATRT_RETURN_IF_ERROR(get(engine, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1, &returned, &info.index));
  cudnnBackendNumericalNote_t notes[CUDNN_NUMERICAL_NOTE_TYPE_COUNT];
  QATRT_RETURN_IF_ERROR(get(engine, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, CUDNN_TYPE_NUMERICAL_NOTE,
                            CUDNN_NUMERICAL_NOTE_TYPE_COUNT, &returned, notes));
  for (int64_t i = 0; i < std::min<int64_t>(returned, CUDNN_NUMERICAL_NOTE_TYPE_COUNT); ++i)
    if (notes[i] == CUDNN_NUMERICAL_NOTE_TENSOR_CORE || notes[i] == CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS ||
        notes[i] == CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION)
      info.plain_fp32 = false;
  return info;
}

StatusOr<BackendDescriptor> make_plan(cudnnHandle_t handle, const BackendDescriptor& config, size_t& workspace) {
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor plan, BackendDescriptor::create(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR));
  QATRT_RETURN_IF_ERROR(plan.set(CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle));
  QATRT_RETURN_IF_ERROR(plan.set(CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, config));
  QATRT_RETURN_IF_ERROR(plan.finalize());
  int64_t bytes = 0, returned = 0;
  QATRT_RETURN_IF_ERROR(
      get(plan, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, CUDNN_TYPE_INT64, 1, &returned, &bytes));
  workspace = static_cast<size_t>(std::max<int64_t>(bytes, 0));
  return plan;
}

// A finalized execution plan that may be timed.
struct Candidate {
  BackendDescriptor config, plan;
  int64_t engine = -1;
  size_t workspace = 0;
};

// What became of heuristics' proposals, for the error when none is left.
struct Tally {
  int proposed = 0, not_plain_fp32 = 0, over_workspace = 0, failed = 0;
  Status last_failure;

  void fail(const Status& s) {
    ++failed;
    last_failure = s;
  }
  std::string text(size_t max_workspace_bytes) const {
    std::ostringstream o;
    o << "heuristics (mode A, then fallback) proposed " << proposed << " engine configurations: " << not_plain_fp32
      << " use tensor cores (TF32) or reduced precision, " << over_workspace << " need more than "
      << (max_workspace_bytes >> 20) << " MiB of workspace, " << failed << " failed (last: "
      << (last_failure.ok() ? "none" : last_failure.message()) << "); cuDNN's last message: " << cudnn_last_message();
    return o.str();
  }
};

}  // namespace

std::string FloatConvProblem::text() const {
  std::ostringstream o;
  o << dtype_name(dtype) << " x[" << n << "," << h << "," << w << "," << c << "] w[" << k << "," << r << "," << s
    << "," << c / group << "] group " << group << " stride " << stride_h << "x" << stride_w << " pad " << pad_h
    << "x" << pad_w << " dilation " << dilation_h << "x" << dilation_w << " bias " << bias << " residual "
    << residual << " relu " << relu;
  return o.str();
}

BackendDescriptor::~BackendDescriptor() {
  if (handle_) cudnnBackendDestroyDescriptor(handle_);
}

StatusOr<BackendDescriptor> BackendDescriptor::create(cudnnBackendDescriptorType_t type) {
  BackendDescriptor d;
  QATRT_RETURN_IF_ERROR(cudnn_status(cudnnBackendCreateDescriptor(type, &d.handle_),
                                     "cudnnBackendCreateDescriptor(type " + std::to_string(type) + ")"));
  return d;
}

Status BackendDescriptor::set(cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, int64_t count,
                              const void* values) {
  return cudnn_status(cudnnBackendSetAttribute(handle_, name, type, count, values),
                      "cudnnBackendSetAttribute(attribute " + std::to_string(name) + ")");
}

Status BackendDescriptor::set(cudnnBackendAttributeName_t name, const BackendDescriptor& value) {
  return set(name, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &value.handle_);
}

Status BackendDescriptor::set(cudnnBackendAttributeName_t name, const std::vector<int64_t>& values) {
  return set(name, CUDNN_TYPE_INT64, static_cast<int64_t>(values.size()), values.data());
}

Status BackendDescriptor::finalize() { return cudnn_status(cudnnBackendFinalize(handle_), "cudnnBackendFinalize"); }

StatusOr<std::shared_ptr<const GraphConvPlan>> GraphConvPlan::create(const CudnnHandle& handle,
                                                                    const FloatConvProblem& p, GraphOps ops,
                                                                    const FloatConvOperands& timing,
                                                                    size_t max_workspace_bytes) {
  const std::string what =
      std::string(ops == GraphOps::kConvOnly ? "cuDNN conv-only graph for " : "cuDNN graph for ") + p.text();
  if (p.dtype != DType::kFloat32)
    return make_error(StatusCode::kInternal, what, ": the graph path is for float32 layers only");
  std::shared_ptr<GraphConvPlan> chosen(new GraphConvPlan());
  const GraphTerms terms(p, ops);
  chosen->ops_ = ops;
  chosen->bias_ = terms.bias;
  chosen->residual_ = terms.residual;
  QATRT_RETURN_IF_ERROR(build_operation_graph(handle.get(), p, ops, chosen->graph_).with_context(what));
  const BackendDescriptor& graph = chosen->graph_.back();

  std::vector<Candidate> candidates;
  Tally tally;
  std::set<int64_t> engines_seen;  // the fallback list adds only engines mode A did not propose
  for (cudnnBackendHeurMode_t mode : {CUDNN_HEUR_MODE_A, CUDNN_HEUR_MODE_FALLBACK}) {
    StatusOr<std::vector<BackendDescriptor>> configs = engine_configs(graph, mode);
    if (!configs.ok()) {
      tally.fail(configs.status().with_context(mode == CUDNN_HEUR_MODE_A ? "heuristics mode A" : "fallback list"));
      continue;
    }
    for (BackendDescriptor& config : *configs) {
      if (candidates.size() == size_t{kGraphCandidates}) break;
      StatusOr<EngineInfo> info = engine_info(config);
      if (!info.ok()) {
        tally.fail(info.status());
        continue;
      }
      if (mode == CUDNN_HEUR_MODE_FALLBACK && engines_seen.count(info->index)) continue;
      engines_seen.insert(info->index);
      ++tally.proposed;
      if (!info->plain_fp32) {
        ++tally.not_plain_fp32;
        continue;
      }
      Candidate c{.engine = info->index};
      StatusOr<BackendDescriptor> plan = make_plan(handle.get(), config, c.workspace);
      if (!plan.ok()) {
        tally.fail(plan.status().with_context("engine " + std::to_string(info->index)));
        continue;
      }
      if (c.workspace > max_workspace_bytes) {
        ++tally.over_workspace;
        continue;
      }
      c.config = std::move(config);
      c.plan = std::move(plan).value();
      candidates.push_back(std::move(c));
    }
  }
  if (candidates.empty())
    return make_error(StatusCode::kUnsupported, what, ": no plain-FP32 engine finalizes: ",
                      tally.text(max_workspace_bytes));

  size_t workspace_bytes = 0;
  for (const Candidate& c : candidates) workspace_bytes = std::max(workspace_bytes, c.workspace);
  DeviceBuffer workspace;
  if (workspace_bytes > 0) {
    QATRT_ASSIGN_OR_RETURN(workspace, DeviceBuffer::allocate(workspace_bytes));
  }
  // One variant pack serves every candidate: it binds tensor ids, which all plans of the graph share.
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor pack, chosen->variant_pack(timing, workspace.data()));
  Candidate* best = nullptr;
  for (Candidate& c : candidates) {
    StatusOr<float> ms = handle.time_ms([&] {
      return cudnn_status(cudnnBackendExecute(handle.get(), c.plan.get(), pack.get()),
                          "cudnnBackendExecute (engine " + std::to_string(c.engine) + ")");
    });
    if (!ms.ok()) {
      tally.fail(ms.status());
      continue;
    }
    ++chosen->timed_;
    if (!best || *ms < chosen->measured_ms_) {
      best = &c;
      chosen->measured_ms_ = *ms;
    }
  }
  if (!best)
    return make_error(StatusCode::kUnsupported, what, ": none of the ", candidates.size(),
                      " plain-FP32 plans ran: ", tally.text(max_workspace_bytes));
  chosen->config_ = std::move(best->config);
  chosen->plan_ = std::move(best->plan);
  chosen->engine_ = best->engine;
  chosen->workspace_bytes_ = best->workspace;
  return std::shared_ptr<const GraphConvPlan>(std::move(chosen));
}

std::string GraphConvPlan::text() const {
  return std::string(ops_ == GraphOps::kConvOnly ? "conv-only " : "") + "graph engine " + std::to_string(engine_) +
         ", fastest of " + std::to_string(timed_) + " plans";
}

StatusOr<BackendDescriptor> GraphConvPlan::variant_pack(const FloatConvOperands& operands, void* workspace) const {
  std::vector<int64_t> ids = {kX, kW, kY};
  std::vector<void*> pointers = {const_cast<void*>(operands.x), const_cast<void*>(operands.w), operands.y};
  if (bias_) {
    ids.push_back(kBias);
    pointers.push_back(const_cast<void*>(operands.bias));
  }
  if (residual_) {
    ids.push_back(kResidual);
    pointers.push_back(const_cast<void*>(operands.residual));
  }
  for (size_t i = 0; i < ids.size(); ++i)
    if (!pointers[i] || reinterpret_cast<uintptr_t>(pointers[i]) % kByteAlignment != 0)
      return make_error(StatusCode::kInternal, "the cuDNN graph's tensor ", ids[i], " is bound to ", pointers[i],
                        ", not a ", kByteAlignment, "-byte aligned device address");
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor pack, BackendDescriptor::create(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR));
  QATRT_RETURN_IF_ERROR(pack.set(CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, ids));
  QATRT_RETURN_IF_ERROR(pack.set(CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR,
                                 static_cast<int64_t>(pointers.size()), pointers.data()));
  QATRT_RETURN_IF_ERROR(pack.set(CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, &workspace));
  QATRT_RETURN_IF_ERROR(pack.finalize());
  return pack;
}

Status GraphConvPlan::run(cudnnHandle_t handle, const FloatConvOperands& operands, void* workspace) const {
  QATRT_ASSIGN_OR_RETURN(BackendDescriptor pack, variant_pack(operands, workspace));
  return cudnn_status(cudnnBackendExecute(handle, plan_.get(), pack.get()), "cudnnBackendExecute (" + text() + ")");
}

}  // namespace qatrt::cuda
