#ifdef QATRT_HAVE_CUDA

#include "unit/cuda/conv_int8_harness.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <vector>

#include <cuda_runtime.h>

#include "backends/cuda/conv_int8_prepare.h"
#include "core/quant.h"

namespace qatrt::cuda::conv_check {
namespace {

constexpr size_t kGuardBytes = 64;  // poisoned bytes after the output that no run may touch

class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t bytes) {
    if (cudaMalloc(&ptr_, bytes == 0 ? 1 : bytes) != cudaSuccess) ptr_ = nullptr;
  }
  ~DeviceBuffer() { cudaFree(ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const { return ptr_; }
  template <typename T> bool upload(const std::vector<T>& host) {
    return ptr_ && cudaMemcpy(ptr_, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice) == cudaSuccess;
  }

 private:
  void* ptr_ = nullptr;
};

// One random problem and its exact int32 accumulators, [n][p][q][k] (the kernel's [M, K] order).
struct HostProblem {
  ConvCase conv;
  int p = 0, q = 0;
  std::vector<int8_t> x_nchw, w_kcrs;
  std::vector<int32_t> acc;
  std::vector<float> scale, bias;  // scale[k] = s_x·s_w[k]
  std::vector<int8_t> residual_q;
  std::vector<float> residual_f;
  float residual_scale = 1;

  int64_t m() const { return int64_t{conv.n} * p * q; }
  int64_t outputs() const { return m() * conv.k; }
};

float rms(const std::vector<float>& v) {
  double sum = 0;
  for (float x : v) sum += double{x} * x;
  return v.empty() ? 0.0f : static_cast<float>(std::sqrt(sum / v.size()));
}

HostProblem make_problem(const ConvCase& conv, uint32_t seed) {
  HostProblem hp;
  hp.conv = conv;
  hp.p = (conv.h + 2 * conv.pad_h - conv.r) / conv.stride_h + 1;
  hp.q = (conv.w + 2 * conv.pad_w - conv.s) / conv.stride_w + 1;
  std::mt19937 rng(seed);
  // |acc| <= R·S·C·A² <= 2^24 keeps every accumulator exactly representable as float.
  const int amplitude =
      std::min(128, static_cast<int>(std::sqrt(double(1 << 24) / (double{1} * conv.r * conv.s * conv.c))));
  std::uniform_int_distribution<int> value(-amplitude, amplitude - 1);
  hp.x_nchw.resize(size_t(conv.n) * conv.c * conv.h * conv.w);
  hp.w_kcrs.resize(size_t(conv.k) * conv.c * conv.r * conv.s);
  for (auto& v : hp.x_nchw) v = static_cast<int8_t>(value(rng));
  for (auto& v : hp.w_kcrs) v = static_cast<int8_t>(value(rng));

  hp.acc.assign(hp.outputs(), 0);
  for (int n = 0; n < conv.n; ++n)
    for (int k = 0; k < conv.k; ++k)
      for (int p = 0; p < hp.p; ++p)
        for (int q = 0; q < hp.q; ++q) {
          int32_t sum = 0;
          for (int c = 0; c < conv.c; ++c)
            for (int r = 0; r < conv.r; ++r) {
              const int h = p * conv.stride_h - conv.pad_h + r;
              if (h < 0 || h >= conv.h) continue;
              for (int s = 0; s < conv.s; ++s) {
                const int w = q * conv.stride_w - conv.pad_w + s;
                if (w < 0 || w >= conv.w) continue;
                sum += int32_t{hp.x_nchw[((size_t(n) * conv.c + c) * conv.h + h) * conv.w + w]} *
                       int32_t{hp.w_kcrs[((size_t(k) * conv.c + c) * conv.r + r) * conv.s + s]};
              }
            }
          hp.acc[((size_t(n) * hp.p + p) * hp.q + q) * conv.k + k] = sum;
        }

  std::uniform_real_distribution<float> w_scale(0.002f, 0.02f);
  std::vector<float> w_scales(conv.k);
  for (auto& s : w_scales) s = w_scale(rng);
  hp.scale = epilogue_scales(0.05f, w_scales);
  // Bias and residual of the same magnitude as acc·scale, so every term of the epilogue matters.
  std::vector<float> y(hp.acc.size());
  for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<float>(hp.acc[i]) * hp.scale[i % conv.k];
  const float magnitude = std::max(rms(y), 1e-3f);
  std::uniform_real_distribution<float> around(-magnitude, magnitude);
  hp.bias.resize(conv.k);
  for (auto& b : hp.bias) b = around(rng);
  hp.residual_scale = magnitude / 64;
  std::uniform_int_distribution<int> q8(-128, 127);
  hp.residual_q.resize(hp.outputs());
  hp.residual_f.resize(hp.outputs());
  for (auto& r : hp.residual_q) r = static_cast<int8_t>(q8(rng));
  for (auto& r : hp.residual_f) r = around(rng);
  return hp;
}

// The QConv epilogue (src/ir/ops.h) in the reference backend's order (quantized_layer.cc), zero points 0.
std::vector<float> host_pre_quantization(const HostProblem& hp, const EpilogueMode& mode) {
  std::vector<float> y(hp.acc.size());
  const int channels = hp.conv.k;
  for (size_t i = 0; i < y.size(); ++i) {
    const int k = static_cast<int>(i % channels);
    if (mode.accumulators_only || mode.ties) {
      y[i] = static_cast<float>(hp.acc[i]) * 1.0f;
      if (mode.ties && mode.relu) y[i] = std::max(y[i], 0.0f);
      continue;
    }
    float v = static_cast<float>(hp.acc[i]) * hp.scale[k];
    if (mode.bias) v += hp.bias[k];
    if (mode.residual == ConvResidual::kInt8) v += dequantize_value(hp.residual_q[i], hp.residual_scale, 0);
    if (mode.residual == ConvResidual::kFloat32) v += hp.residual_f[i];
    if (mode.relu) v = std::max(v, 0.0f);
    y[i] = v;
  }
  return y;
}

std::string element_name(const HostProblem& hp, int64_t i) {
  const int k = static_cast<int>(i % hp.conv.k);
  const int64_t m = i / hp.conv.k;
  const int q = static_cast<int>(m % hp.q), p = static_cast<int>(m / hp.q % hp.p);
  const int64_t n = m / hp.q / hp.p;
  std::ostringstream out;
  out << "(n=" << n << " p=" << p << " q=" << q << " k=" << k << ")";
  return out.str();
}

// Compares one run's output (plus guard) with the expected bytes; appends up to a few mismatches.
bool compare_run(const HostProblem& hp, const std::vector<uint8_t>& got, const std::vector<uint8_t>& want,
                 size_t element_bytes, uint8_t poison, std::ostringstream& report) {
  int shown = 0;
  int64_t bad = 0;
  const int64_t count = hp.outputs();
  for (int64_t i = 0; i < count; ++i) {
    if (std::memcmp(&got[i * element_bytes], &want[i * element_bytes], element_bytes) == 0) continue;
    ++bad;
    if (shown++ < 5) {
      report << "\n    " << element_name(hp, i) << " acc=" << hp.acc[i];
      if (element_bytes == 1) {
        report << " got " << int{static_cast<int8_t>(got[i])} << " want " << int{static_cast<int8_t>(want[i])};
      } else {
        float g, w;
        std::memcpy(&g, &got[i * 4], 4);
        std::memcpy(&w, &want[i * 4], 4);
        report << " got " << g << " want " << w;
      }
    }
  }
  for (size_t b = count * element_bytes; b < got.size(); ++b)
    if (got[b] != poison) {
      report << "\n    guard byte " << b - count * element_bytes << " after the output was overwritten";
      ++bad;
      break;
    }
  if (bad > 0) report << "\n    " << bad << " of " << count << " elements differ";
  return bad == 0;
}

}  // namespace

std::string ConvCase::describe() const {
  std::ostringstream out;
  out << "n=" << n << " c=" << c << " h=" << h << " w=" << w << " k=" << k << " r=" << r << " s=" << s
      << " stride=" << stride_h << "x" << stride_w << " pad=" << pad_h << "x" << pad_w;
  return out.str();
}

std::string EpilogueMode::describe() const {
  if (accumulators_only) return "accumulators (scale 1, float out)";
  if (ties) return std::string("ties (scale 1, power-of-two output scale") + (relu ? ", relu)" : ")");
  std::ostringstream out;
  out << (bias ? "bias" : "no bias") << ", residual "
      << (residual == ConvResidual::kNone ? "none" : residual == ConvResidual::kInt8 ? "int8" : "float")
      << (relu ? ", relu" : "") << ", out " << (output == ConvOutput::kInt8 ? "int8" : "float");
  return out.str();
}

std::string check_conv_case(const ConvCase& conv, std::span<const EpilogueMode> modes, uint32_t seed) {
  const HostProblem hp = make_problem(conv, seed);
  const int cp = padded_channels(conv.c);
  std::vector<int8_t> x_nhwc(size_t(conv.n) * conv.h * conv.w * cp, 0);
  for (int n = 0; n < conv.n; ++n)
    for (int c = 0; c < conv.c; ++c)
      for (int h = 0; h < conv.h; ++h)
        for (int w = 0; w < conv.w; ++w)
          x_nhwc[((size_t(n) * conv.h + h) * conv.w + w) * cp + c] =
              hp.x_nchw[((size_t(n) * conv.c + c) * conv.h + h) * conv.w + w];
  const std::vector<int8_t> w_krsc = pack_weights_krsc(hp.w_kcrs.data(), conv.k, conv.c, conv.r, conv.s);
  const std::vector<float> ones(conv.k, 1.0f);

  const size_t out_bytes = hp.outputs() * sizeof(float) + kGuardBytes;
  DeviceBuffer x(x_nhwc.size()), w(w_krsc.size()), scale(conv.k * 4), unit_scale(conv.k * 4), bias(conv.k * 4),
      residual_q(hp.outputs()), residual_f(hp.outputs() * 4), y(out_bytes);
  if (!x.upload(x_nhwc) || !w.upload(w_krsc) || !scale.upload(hp.scale) || !unit_scale.upload(ones) ||
      !bias.upload(hp.bias) || !residual_q.upload(hp.residual_q) || !residual_f.upload(hp.residual_f) || !y.get())
    return "device allocation or upload failed for " + conv.describe();

  std::ostringstream report;
  for (const EpilogueMode& mode : modes) {
    const std::vector<float> pre = host_pre_quantization(hp, mode);
    const bool int8_out = !mode.accumulators_only && mode.output == ConvOutput::kInt8;
    const size_t element_bytes = int8_out ? 1 : 4;
    float out_scale = 1.0f;
    if (int8_out) out_scale = std::max(rms(pre), 1e-3f) / 40;  // most values in range, the tails saturate
    if (mode.ties) out_scale = std::exp2(std::round(std::log2(out_scale)));
    std::vector<uint8_t> want(hp.outputs() * element_bytes);
    for (int64_t i = 0; i < hp.outputs(); ++i) {
      if (int8_out)
        want[i] = static_cast<uint8_t>(static_cast<int8_t>(quantize_value(pre[i], out_scale, 0, DType::kInt8)));
      else
        std::memcpy(&want[i * 4], &pre[i], 4);
    }

    ConvFpropArgs args;
    args.geometry = ConvGeometry{conv.n, conv.h, conv.w, cp, conv.k, conv.r, conv.s, conv.stride_h, conv.stride_w,
                                 conv.pad_h, conv.pad_w, hp.p, hp.q};
    args.x = static_cast<const int8_t*>(x.get());
    args.w = static_cast<const int8_t*>(w.get());
    args.y = y.get();
    ConvEpilogue& e = args.epilogue;
    const bool unit = mode.accumulators_only || mode.ties;
    e.scale = static_cast<const float*>(unit ? unit_scale.get() : scale.get());
    e.relu = mode.relu && !mode.accumulators_only;
    if (!unit) {
      e.bias = mode.bias ? static_cast<const float*>(bias.get()) : nullptr;
      e.residual_kind = mode.residual;
      e.residual = mode.residual == ConvResidual::kInt8    ? residual_q.get()
                   : mode.residual == ConvResidual::kFloat32 ? residual_f.get()
                                                             : nullptr;
      e.residual_scale = hp.residual_scale;
    }
    e.output_kind = int8_out ? ConvOutput::kInt8 : ConvOutput::kFloat32;
    e.output_scale = out_scale;
    if (std::string why = conv_fprop_unsupported_reason(args); !why.empty())
      return conv.describe() + ": unexpectedly refused: " + why;

    for (ConvTile tile : kAllConvTiles) {
      if (!conv_tile_unsupported_reason(args, tile).empty()) continue;  // e.g. the sm_90 tiles elsewhere
      for (uint8_t poison : {uint8_t{0xA5}, uint8_t{0x5A}}) {
        const size_t bytes = hp.outputs() * element_bytes + kGuardBytes;
        std::vector<uint8_t> got(bytes);
        cudaError_t err = cudaMemset(y.get(), poison, bytes);
        if (err == cudaSuccess) err = conv_fprop_s8nhwc_s8krsc(args, tile, nullptr);
        if (err == cudaSuccess) err = cudaDeviceSynchronize();
        if (err == cudaSuccess) err = cudaMemcpy(got.data(), y.get(), bytes, cudaMemcpyDeviceToHost);
        if (err != cudaSuccess) {
          report << "\n  " << conv.describe() << " | " << mode.describe() << " | tile " << conv_tile_name(tile)
                 << ": CUDA error " << cudaGetErrorString(err);
          return report.str();
        }
        std::ostringstream mismatch;
        if (!compare_run(hp, got, want, element_bytes, poison, mismatch)) {
          report << "\n  " << conv.describe() << " | " << mode.describe() << " | tile " << conv_tile_name(tile)
                 << " | poison 0x" << std::hex << int{poison} << std::dec << " | seed " << seed << mismatch.str();
          break;  // the other poison would repeat the same report
        }
      }
    }
  }
  return report.str();
}

}  // namespace qatrt::cuda::conv_check

#endif  // QATRT_HAVE_CUDA
