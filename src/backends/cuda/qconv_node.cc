// QConv and QGemm (src/ir/ops.h) on the INT8 implicit-GEMM convolution (conv_fprop_s8nhwc_s8krsc_s32acc.h).
// QGemm is the same kernel as a 1×1 convolution over N = M rows of one pixel with C = K channels.
// The weight is packed to KRSC (conv_int8_prepare.h) and uploaded with the epilogue scales once; the
// threadblock tile is chosen by timing every tile on the first run (the results are bit-identical, only the
// speed differs), like TensorRT's tactic timing — the plan format has no place for it yet.
// A QConv over few channels (C ≤ 8: the stem's C = 3), whose input the GPU stores with 8 channels per pixel
// (device_layout.h), runs as a GEMM over im2col rows (im2col.h) built in the kernel's workspace: padding C to
// 32 for the convolution would waste most of the tensor cores' work.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc.h"
#include "backends/cuda/conv_int8_prepare.h"
#include "backends/cuda/conv_int8_support.h"
#include "backends/cuda/device_layout.h"
#include "backends/cuda/im2col.h"
#include "backends/cuda/node_kernels.h"
#include "backends/reference/kernel_util.h"
#include "backends/reference/quantized_layer.h"
#include "backends/reference/window.h"

namespace qatrt::cuda {
namespace {

struct ConvPlan {
  ConvGeometry geometry;  // what the convolution kernel runs: the convolution, or the GEMM over im2col rows
  reference::QuantizedLayer layer;
  bool im2col = false;
  ConvGeometry source;  // with im2col: the convolution itself (c = the input's stored channels)
  int channels = 0;     // with im2col: the input's real channel count
};

// QATRT_CUDA_SM90_TILES=0 keeps the tile choice to the sm_80 tiles: the A/B switch for measuring the wgmma
// tiles inside the whole network (bench/cuda_conv_notes.md), and a way around them should they misbehave.
bool sm90_tiles_allowed() {
  static const bool allowed = [] {
    const char* value = std::getenv("QATRT_CUDA_SM90_TILES");
    return value == nullptr || std::string_view(value) != "0";
  }();
  return allowed;
}

Status unsupported(const Node& node, const std::string& why) {
  return make_error(StatusCode::kUnsupported, node.describe(), ": ", why);
}

StatusOr<ConvPlan> plan_conv(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(reference::check_arity(node, 2, 4, 1));
  ConvPlan plan;
  ConvGeometry& g = plan.geometry;
  QConvDescription description;
  const Shape& x = graph.value(node.inputs[0]).shape;
  if (node.op == Op::kQConv) {
    if (x.size() != 4)
      return unsupported(node, "input " + shape_to_string(x) + " is not 4-D; the GPU convolution is 2-D only");
    QATRT_ASSIGN_OR_RETURN(reference::ConvShape shape, reference::make_conv_shape(graph, node));
    const reference::Window& w = shape.window;
    if (w.pad_end[1] < 0 || w.pad_end[2] < 0) return unsupported(node, "negative trailing pads");
    description.group = shape.group;
    description.dilation_h = w.dilation[1];
    description.dilation_w = w.dilation[2];
    g = {.n = static_cast<int>(shape.batch), .h = static_cast<int>(w.in[1]), .w = static_cast<int>(w.in[2]),
         .c = static_cast<int>(shape.in_channels), .k = static_cast<int>(shape.out_channels),
         .r = static_cast<int>(w.kernel[1]), .s = static_cast<int>(w.kernel[2]),
         .stride_h = static_cast<int>(w.stride[1]), .stride_w = static_cast<int>(w.stride[2]),
         .pad_h = static_cast<int>(w.pad_begin[1]), .pad_w = static_cast<int>(w.pad_begin[2]),
         .p = static_cast<int>(w.out[1]), .q = static_cast<int>(w.out[2])};
  } else {
    const Shape& wshape = graph.value(node.inputs[1]).shape;
    if (x.size() != 2 || wshape.size() != 2 || x[1] != wshape[1])
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", shape_to_string(x), " and weight ",
                        shape_to_string(wshape), " must be [M,K] and [N,K]");
    if (x[1] % 32 != 0)
      return unsupported(node, "reduction K = " + std::to_string(x[1]) +
                                   " is not a multiple of 32, which the GPU INT8 GEMM reads unpadded");
    g = {.n = static_cast<int>(x[0]), .h = 1, .w = 1, .c = static_cast<int>(x[1]), .k = static_cast<int>(wshape[0])};
  }
  QATRT_ASSIGN_OR_RETURN(plan.layer, reference::read_quantized_layer(graph, node, g.k));
  const reference::QuantizedLayer& layer = plan.layer;
  description.x_type = layer.x_type;
  description.x_zero_point = layer.x_zero;
  description.w_type = graph.value(node.inputs[1]).dtype;
  description.w_zero_points = layer.w_zero_points;
  description.has_residual = layer.has_residual;
  description.residual_type = layer.residual_type;
  if (layer.has_residual && is_quantized_type(layer.residual_type))
    description.residual_zero_point = layer.residual_quant.zero_points[0];
  description.output_type = layer.out_type;
  if (is_quantized_type(layer.out_type)) description.output_zero_point = layer.out_quant.zero_points[0];
  if (std::string why = qconv_unsupported_reason(description); !why.empty()) return unsupported(node, why);
  // The kernel writes (and reads a residual as) [M, K] rows of exactly K channels; int8 activations are stored
  // with channels padded to 8 or a multiple of 32 (device_layout.h), and the kernel takes K in multiples of 32.
  if (g.k % 32 != 0 && node.op == Op::kQConv &&
      (layer.out_type == DType::kInt8 || (layer.has_residual && layer.residual_type == DType::kInt8)))
    return unsupported(node, "output channels K = " + std::to_string(g.k) + " are not a multiple of 32, which the "
                             "GPU INT8 convolution needs for an int8 output or residual");
  // An input of few channels (C ≤ 8: the stem's C = 3) is stored with 8 per pixel (device_layout.h), which
  // only im2col reads: padding it to 32 for the implicit-GEMM convolution would also multiply the work by 4
  // or more. A filter whose im2col rows are too long is refused rather than read with the wrong pixel stride.
  const int stored = node.op == Op::kQConv ? static_cast<int>(stored_channels(layer.x_type, g.c)) : g.c;
  if (stored == kFewChannelsStored) {
    const int64_t taps = int64_t{g.r} * g.s * g.c;  // bytes of an im2col row before its padding to 32
    static_assert(kMaxIm2colRowBytes % 32 == 0, "a row of at most that many bytes stays within it once padded");
    if (taps > kMaxIm2colRowBytes)
      return unsupported(node, "input " + shape_to_string(x) + " has " + std::to_string(g.c) +
                                   " channels, stored with " + std::to_string(kFewChannelsStored) +
                                   " per pixel on the GPU, which only the im2col path reads, and its " +
                                   std::to_string(g.r) + "x" + std::to_string(g.s) +
                                   " filter makes im2col rows of R·S·C = " + std::to_string(taps) +
                                   " bytes, more than the " + std::to_string(kMaxIm2colRowBytes) +
                                   " it takes; run the network on the CPU backend");
    const int row_bytes = padded_channels(static_cast<int>(taps));
    plan.im2col = true;
    plan.channels = g.c;
    plan.source = g;
    plan.source.c = stored;
    g = {.n = static_cast<int>(std::min<int64_t>(g.gemm_m(), INT32_MAX)), .h = 1, .w = 1, .c = row_bytes, .k = g.k};
    if (plan.source.gemm_m() > INT32_MAX) return unsupported(node, "N·P·Q exceeds 2^31 output pixels");
    return plan;
  }
  g.c = stored;  // QConv: C padded to a multiple of 32 (device_layout.h); QGemm: K, already a multiple of 32
  return plan;
}

class ConvKernel final : public KernelWithWorkspace {
 public:
  ConvKernel(std::string what, const ConvPlan& plan, ConvFpropArgs args, DeviceBuffer weights, DeviceBuffer scales,
             DeviceBuffer bias, cudaStream_t stream)
      : what_(std::move(what)), im2col_(plan.im2col), source_(plan.source), channels_(plan.channels), args_(args),
        weights_(std::move(weights)), scales_(std::move(scales)), bias_(std::move(bias)), stream_(stream) {
    args_.w = weights_.as<int8_t>();
    args_.epilogue.scale = scales_.as<float>();
    args_.epilogue.bias = bias_.as<float>();
  }

  size_t workspace_bytes() const override {
    return im2col_ ? static_cast<size_t>(args_.geometry.gemm_m()) * args_.geometry.c : 0;
  }
  void set_workspace(void* device) override { workspace_ = static_cast<int8_t*>(device); }

  Status run(std::span<const TensorView> in, std::span<const TensorView> out) override {
    ConvFpropArgs args = args_;
    args.x = in[0].as<const int8_t>();
    if (im2col_) {
      if (!workspace_) return make_error(StatusCode::kInternal, what_, ": the im2col workspace was not set");
      QATRT_RETURN_IF_ERROR(
          cuda_status(im2col_s8_nhwc(args.x, workspace_, source_, channels_, args.geometry.c, stream_), what_));
      args.x = workspace_;
    }
    if (args.epilogue.residual_kind != ConvResidual::kNone) args.epilogue.residual = in[3].data;
    args.y = out[0].data;
    if (std::string why = conv_fprop_unsupported_reason(args); !why.empty())
      return make_error(StatusCode::kInvalidArgument, what_, ": ", why);
    if (!tuned_) {
      QATRT_RETURN_IF_ERROR(choose_tile(args));
      tuned_ = true;
    }
    return cuda_status(conv_fprop_s8nhwc_s8krsc(args, tile_, stream_), what_);
  }

 private:
  // Times each tile that can run the layer on this device (one warm-up launch, then the best of three) and
  // keeps the fastest: on an sm_90 device the wgmma tiles (TMA-fed for the stride-1 1×1 layers, gathering for
  // every layer) compete too and win only where they measure faster. Synchronizes the stream, so it runs in the
  // first, eager run, never inside a CUDA graph capture.
  Status choose_tile(const ConvFpropArgs& args) {
    CudaEvent start_event, stop_event;
    QATRT_RETURN_IF_ERROR(start_event.create().with_context(what_));
    QATRT_RETURN_IF_ERROR(stop_event.create().with_context(what_));
    const cudaEvent_t start = start_event.get(), stop = stop_event.get();
    float best = 0;
    bool timed_any = false;
    Status status;
    for (ConvTile tile : kAllConvTiles) {
      if (!conv_tile_unsupported_reason(args, tile).empty() || (conv_tile_needs_sm90(tile) && !sm90_tiles_allowed()))
        continue;
      float tile_best = 0;
      for (int i = 0; i < 4 && status.ok(); ++i) {
        status = cuda_status(cudaEventRecord(start, stream_), what_);
        if (status.ok()) status = cuda_status(conv_fprop_s8nhwc_s8krsc(args, tile, stream_), what_);
        if (status.ok()) status = cuda_status(cudaEventRecord(stop, stream_), what_);
        if (status.ok()) status = cuda_status(cudaEventSynchronize(stop), what_);
        float ms = 0;
        if (status.ok()) status = cuda_status(cudaEventElapsedTime(&ms, start, stop), what_);
        if (i > 0 && (i == 1 || ms < tile_best)) tile_best = ms;
      }
      if (!status.ok()) break;
      if (!timed_any || tile_best < best) {
        best = tile_best;
        tile_ = tile;
        timed_any = true;
      }
    }
    return status;
  }

  std::string what_;
  bool im2col_;
  ConvGeometry source_;
  int channels_;
  int8_t* workspace_ = nullptr;
  ConvFpropArgs args_;
  DeviceBuffer weights_, scales_, bias_;
  cudaStream_t stream_;
  ConvTile tile_ = ConvTile::k128x128x64;
  bool tuned_ = false;
};

}  // namespace

Status check_qconv(const Graph& graph, const Node& node) { return plan_conv(graph, node).status(); }

KernelOr make_qconv(const Graph& graph, const Node& node, cudaStream_t stream) {
  QATRT_ASSIGN_OR_RETURN(ConvPlan plan, plan_conv(graph, node));
  const reference::QuantizedLayer& layer = plan.layer;
  const ConvGeometry& g = plan.geometry;
  const Shape& wshape = layer.weight.shape();
  const int c = static_cast<int>(wshape[1]);
  const int8_t* w = layer.weight.data<int8_t>();
  const std::vector<int8_t> packed = plan.im2col ? pack_weights_im2col(w, g.k, c, plan.source.r, plan.source.s)
                                                 : pack_weights_krsc(w, g.k, c, g.r, g.s);
  const std::vector<float> scales = epilogue_scales(layer.x_scale, layer.w_scales);
  QATRT_ASSIGN_OR_RETURN(DeviceBuffer weights, DeviceBuffer::upload(packed.data(), packed.size()));
  QATRT_ASSIGN_OR_RETURN(DeviceBuffer scale_buffer, DeviceBuffer::upload(scales.data(), scales.size() * 4));
  QATRT_ASSIGN_OR_RETURN(DeviceBuffer bias, DeviceBuffer::upload(layer.bias.data(), layer.bias.size() * 4));

  ConvFpropArgs args;
  args.geometry = g;
  ConvEpilogue& e = args.epilogue;
  if (layer.has_residual) {
    e.residual_kind = layer.residual_type == DType::kFloat32 ? ConvResidual::kFloat32 : ConvResidual::kInt8;
    if (e.residual_kind == ConvResidual::kInt8) e.residual_scale = layer.residual_quant.scales[0];
  }
  e.relu = layer.relu;
  e.output_kind = layer.out_type == DType::kFloat32 ? ConvOutput::kFloat32 : ConvOutput::kInt8;
  if (e.output_kind == ConvOutput::kInt8) e.output_scale = layer.out_quant.scales[0];
  return std::unique_ptr<Kernel>(std::make_unique<ConvKernel>(node.describe() + " on cuda", plan, args, std::move(weights),
                                                              std::move(scale_buffer), std::move(bias), stream));
}

}  // namespace qatrt::cuda
