// Times the GPU INT8 convolution (src/backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc.h) on every convolution
// shape of ResNet-50 (torchvision layout: stride on the 3×3) at batch 256, each tile, with CUDA events: the
// median of many launches after warm-up, inputs rotated through a pool larger than L2 where they are small.
// Before timing, each layer is checked at full size: every tile must write identical bytes, and sampled
// outputs must equal a host computation of the same int32 sum and epilogue.
//
// Build and run: scripts/gpu-tests.sh bench (on a machine with a GPU).
//   cuda_conv_bench [LAYER] [TIMED]: only layers whose name contains LAYER; TIMED launches per tile (default
//   40; 0 runs only the checks, one launch per tile — what scripts/gpu-tests.sh profile hands to ncu).
// Prints, per layer: implicit-GEMM sizes, each tile's median time ("-" where the tile cannot run the layer on
// this device: the _sm90 wgmma tiles run on compute capability 9.0 only, the TMA-fed ones only the stride-1
// 1×1 layers, the _sm90_gather one every layer), the best
// tile's TOPS counting the layer's useful MACs (the stem's 3 real channels, not the 32 the kernel reads) and
// counting executed MACs; then the whole network's sum as images per second, with the best tile of every
// layer and with the best sm_80 tile only (the kernel before the wgmma tiles existed).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <cuda_runtime.h>

#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc.h"
#include "backends/cuda/conv_int8_prepare.h"

namespace {

using namespace qatrt::cuda;

#define CHECK_CUDA(expr)                                                                          \
  do {                                                                                            \
    cudaError_t err_ = (expr);                                                                    \
    if (err_ != cudaSuccess) {                                                                    \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, cudaGetErrorString(err_)); \
      std::exit(1);                                                                               \
    }                                                                                             \
  } while (0)

constexpr int kBatch = 256;
constexpr int kSamples = 512;

struct Layer {
  const char* name;
  int c, h, k, r, stride, pad;  // square inputs and filters; c is the real channel count
  int count;                    // how many convolutions of ResNet-50 have this shape
  bool residual;                // the block's last 1×1, which adds the shortcut
};

// The 53 convolutions of ResNet-50 v1.5 as 24 distinct shapes (input size h).
const Layer kLayers[] = {
    {"conv1 7x7/2", 3, 224, 64, 7, 2, 3, 1, false},
    {"l1 1x1 64>64", 64, 56, 64, 1, 1, 0, 1, false},
    {"l1 1x1 256>64", 256, 56, 64, 1, 1, 0, 2, false},
    {"l1 3x3 64", 64, 56, 64, 3, 1, 1, 3, false},
    {"l1 1x1 64>256 +res", 64, 56, 256, 1, 1, 0, 3, true},
    {"l1 down 64>256", 64, 56, 256, 1, 1, 0, 1, false},
    {"l2 1x1 256>128", 256, 56, 128, 1, 1, 0, 1, false},
    {"l2 3x3/2 128", 128, 56, 128, 3, 2, 1, 1, false},
    {"l2 1x1 512>128", 512, 28, 128, 1, 1, 0, 3, false},
    {"l2 3x3 128", 128, 28, 128, 3, 1, 1, 3, false},
    {"l2 1x1 128>512 +res", 128, 28, 512, 1, 1, 0, 4, true},
    {"l2 down/2 256>512", 256, 56, 512, 1, 2, 0, 1, false},
    {"l3 1x1 512>256", 512, 28, 256, 1, 1, 0, 1, false},
    {"l3 3x3/2 256", 256, 28, 256, 3, 2, 1, 1, false},
    {"l3 1x1 1024>256", 1024, 14, 256, 1, 1, 0, 5, false},
    {"l3 3x3 256", 256, 14, 256, 3, 1, 1, 5, false},
    {"l3 1x1 256>1024 +res", 256, 14, 1024, 1, 1, 0, 6, true},
    {"l3 down/2 512>1024", 512, 28, 1024, 1, 2, 0, 1, false},
    {"l4 1x1 1024>512", 1024, 14, 512, 1, 1, 0, 1, false},
    {"l4 3x3/2 512", 512, 14, 512, 3, 2, 1, 1, false},
    {"l4 1x1 2048>512", 2048, 7, 512, 1, 1, 0, 2, false},
    {"l4 3x3 512", 512, 7, 512, 3, 1, 1, 2, false},
    {"l4 1x1 512>2048 +res", 512, 7, 2048, 1, 1, 0, 3, true},
    {"l4 down/2 1024>2048", 1024, 14, 2048, 1, 2, 0, 1, false},
};

// Deterministic int8 data, the same on host and device, so the host check needs no copy of the inputs.
__host__ __device__ inline int8_t hashed_int8(uint64_t i, uint32_t salt) {
  uint64_t z = i * 0x9E3779B97F4A7C15ull + salt;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return static_cast<int8_t>((z ^ (z >> 31)) & 0xFF);
}

// NHWC/KRSC-like fill: element i is 0 in the padding channels (i mod padded >= real).
__global__ void fill_hashed(int8_t* data, uint64_t count, int padded, int real, uint32_t salt) {
  for (uint64_t i = blockIdx.x * uint64_t{blockDim.x} + threadIdx.x; i < count; i += uint64_t{gridDim.x} * blockDim.x)
    data[i] = static_cast<int>(i % padded) < real ? hashed_int8(i, salt) : 0;
}

__global__ void count_differences(const int8_t* a, const int8_t* b, uint64_t count, unsigned long long* differ) {
  unsigned long long local = 0;
  for (uint64_t i = blockIdx.x * uint64_t{blockDim.x} + threadIdx.x; i < count; i += uint64_t{gridDim.x} * blockDim.x)
    local += a[i] != b[i];
  if (local) atomicAdd(differ, local);
}

constexpr uint32_t kSaltX = 1, kSaltW = 2, kSaltResidual = 3;

ConvGeometry geometry_of(const Layer& l) {
  const int p = (l.h + 2 * l.pad - l.r) / l.stride + 1;
  return ConvGeometry{kBatch, l.h, l.h, padded_channels(l.c), l.k, l.r, l.r, l.stride, l.stride, l.pad, l.pad, p, p};
}

float host_quantize(float y, float scale) {
  float q = std::nearbyint(y / scale);
  return std::fmin(std::fmax(q, -128.0f), 127.0f);
}

// The int8 output of element (m, k) computed on the host, in the kernel's float order; the padding channels
// (real_c .. g.c) are 0 on the device and skipped here.
int host_output(const ConvGeometry& g, int real_c, const ConvEpilogue& e, const std::vector<float>& scale,
                const std::vector<float>& bias, int64_t m, int k) {
  const int q = static_cast<int>(m % g.q), p = static_cast<int>(m / g.q % g.p);
  const int64_t n = m / g.q / g.p;
  int32_t acc = 0;
  for (int r = 0; r < g.r; ++r)
    for (int s = 0; s < g.s; ++s) {
      const int h = p * g.stride_h - g.pad_h + r, w = q * g.stride_w - g.pad_w + s;
      if (h < 0 || h >= g.h || w < 0 || w >= g.w) continue;
      for (int c = 0; c < real_c; ++c) {
        const uint64_t xi = ((uint64_t(n) * g.h + h) * g.w + w) * g.c + c;
        const uint64_t wi = ((uint64_t(k) * g.r + r) * g.s + s) * g.c + c;
        acc += int32_t{hashed_int8(xi, kSaltX)} * int32_t{hashed_int8(wi, kSaltW)};
      }
    }
  float y = static_cast<float>(acc) * scale[k];
  y += bias[k];
  if (e.residual_kind == ConvResidual::kInt8)
    y += static_cast<float>(hashed_int8(uint64_t(m) * g.k + k, kSaltResidual)) * e.residual_scale;
  if (e.relu) y = std::max(y, 0.0f);
  return static_cast<int>(host_quantize(y, e.output_scale));
}

float median(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const char* only = argc > 1 ? argv[1] : "";
  const int kTimed = argc > 2 ? std::atoi(argv[2]) : 40;
  const int kWarmup = kTimed > 0 ? 5 : 0;
  cudaDeviceProp prop{};
  CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
  std::printf("device: %s (sm_%d%d, %d SMs), batch %d, median of %d launches after %d warm-up\n", prop.name,
              prop.major, prop.minor, prop.multiProcessorCount, kBatch, kTimed, kWarmup);

  size_t max_x = 0, max_w = 0, max_y = 0;
  for (const Layer& l : kLayers) {
    const ConvGeometry g = geometry_of(l);
    max_x = std::max<size_t>(max_x, size_t(g.n) * g.h * g.w * g.c);
    max_w = std::max<size_t>(max_w, size_t(g.gemm_n()) * g.gemm_k());
    max_y = std::max<size_t>(max_y, size_t(g.gemm_m()) * g.k);
  }
  const size_t pool_bytes = std::max<size_t>(max_x, size_t{256} << 20);  // ≥ 5× the 50 MB L2 of an H100
  int8_t *x_pool, *w, *residual;
  float *scale_d, *bias_d;
  unsigned long long* differ;
  CHECK_CUDA(cudaMalloc(&x_pool, pool_bytes));
  CHECK_CUDA(cudaMalloc(&w, max_w));
  CHECK_CUDA(cudaMalloc(&residual, max_y));
  CHECK_CUDA(cudaMalloc(&scale_d, 2048 * 4));
  CHECK_CUDA(cudaMalloc(&bias_d, 2048 * 4));
  CHECK_CUDA(cudaMalloc(&differ, sizeof(unsigned long long)));
  std::vector<int8_t*> y(kAllConvTiles.size());
  for (auto& out : y) CHECK_CUDA(cudaMalloc(&out, max_y));
  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  std::mt19937 rng(5);

  std::printf("\n%-22s %9s %5s %6s %3s", "layer", "M", "N", "K", "x");
  for (ConvTile tile : kAllConvTiles) std::printf(" %17s", conv_tile_name(tile));
  std::printf(" %8s %8s %7s\n", "TOPS", "TOPS_ex", "check");
  double network_ms = 0, network_sm80_ms = 0, useful_macs = 0, executed_macs = 0;
  bool all_ok = true;
  for (const Layer& l : kLayers) {
    if (!std::strstr(l.name, only)) continue;
    const ConvGeometry g = geometry_of(l);
    const size_t x_bytes = size_t(g.n) * g.h * g.w * g.c, y_bytes = size_t(g.gemm_m()) * g.k;
    const int slots = static_cast<int>(std::min<size_t>(8, pool_bytes / x_bytes));
    fill_hashed<<<1024, 256>>>(x_pool, slots * x_bytes, g.c, l.c, kSaltX);
    fill_hashed<<<1024, 256>>>(w, size_t(g.k) * g.gemm_k(), g.c, l.c, kSaltW);
    fill_hashed<<<1024, 256>>>(residual, y_bytes, 1, 1, kSaltResidual);
    CHECK_CUDA(cudaGetLastError());
    // Scales that keep y = acc·scale of order 1: acc has an rms of about sqrt(R·S·C)·74².
    std::vector<float> scale(g.k), bias(g.k);
    const float base = 1.0f / (std::sqrt(float(g.r * g.s * l.c)) * 74.0f * 74.0f);
    for (int k = 0; k < g.k; ++k) {
      scale[k] = base * (0.5f + (k % 7) / 7.0f);
      bias[k] = std::uniform_real_distribution<float>(-0.5f, 0.5f)(rng);
    }
    CHECK_CUDA(cudaMemcpy(scale_d, scale.data(), g.k * 4, cudaMemcpyHostToDevice));
    CHECK_CUDA(cudaMemcpy(bias_d, bias.data(), g.k * 4, cudaMemcpyHostToDevice));

    ConvFpropArgs args;
    args.geometry = g;
    args.w = w;
    args.epilogue.scale = scale_d;
    args.epilogue.bias = bias_d;
    args.epilogue.relu = true;
    args.epilogue.output_kind = ConvOutput::kInt8;
    args.epilogue.output_scale = 1.0f / 40;
    if (l.residual) {
      args.epilogue.residual_kind = ConvResidual::kInt8;
      args.epilogue.residual = residual;
      args.epilogue.residual_scale = 1.0f / 64;
    }

    // Full-size check on slot 0: identical bytes from every tile that runs the layer, sampled elements equal to
    // the host (tile 0, an sm_80 tile, runs every layer).
    args.x = x_pool;
    args.y = y[0];
    std::vector<bool> runs(kAllConvTiles.size());
    for (size_t t = 0; t < kAllConvTiles.size(); ++t)
      runs[t] = conv_tile_unsupported_reason(args, kAllConvTiles[t]).empty();
    std::vector<float> times_ms;
    for (size_t t = 0; t < kAllConvTiles.size(); ++t) {
      if (!runs[t]) continue;
      args.y = y[t];
      CHECK_CUDA(cudaMemset(y[t], 0x5A, y_bytes));
      CHECK_CUDA(conv_fprop_s8nhwc_s8krsc(args, kAllConvTiles[t], nullptr));
    }
    CHECK_CUDA(cudaDeviceSynchronize());
    unsigned long long tile_differences = 0;
    for (size_t t = 1; t < kAllConvTiles.size(); ++t) {
      if (!runs[t]) continue;
      CHECK_CUDA(cudaMemset(differ, 0, sizeof(unsigned long long)));
      count_differences<<<1024, 256>>>(y[0], y[t], y_bytes, differ);
      unsigned long long d = 0;
      CHECK_CUDA(cudaMemcpy(&d, differ, sizeof d, cudaMemcpyDeviceToHost));
      tile_differences += d;
    }
    int sample_failures = 0;
    std::uniform_int_distribution<int64_t> pick_m(0, g.gemm_m() - 1);
    std::uniform_int_distribution<int> pick_k(0, g.k - 1);
    for (int i = 0; i < kSamples; ++i) {
      const int64_t m = i == 0 ? 0 : i == 1 ? g.gemm_m() - 1 : pick_m(rng);
      const int k = i == 0 ? 0 : i == 1 ? g.k - 1 : pick_k(rng);
      int8_t got;
      CHECK_CUDA(cudaMemcpy(&got, y[0] + m * g.k + k, 1, cudaMemcpyDeviceToHost));
      const int want = host_output(g, l.c, args.epilogue, scale, bias, m, k);
      if (got != want && sample_failures++ < 3)
        std::fprintf(stderr, "  %s: (m=%lld, k=%d) got %d want %d\n", l.name, static_cast<long long>(m), k,
                     int{got}, want);
    }
    const bool ok = tile_differences == 0 && sample_failures == 0;
    all_ok = all_ok && ok;

    for (size_t t = 0; t < kAllConvTiles.size() && kTimed > 0; ++t) {
      if (!runs[t]) {
        times_ms.push_back(-1.0f);
        continue;
      }
      args.y = y[t];
      std::vector<float> samples;
      for (int i = 0; i < kWarmup + kTimed; ++i) {
        args.x = x_pool + size_t(i % slots) * x_bytes;
        CHECK_CUDA(cudaEventRecord(start));
        CHECK_CUDA(conv_fprop_s8nhwc_s8krsc(args, kAllConvTiles[t], nullptr));
        CHECK_CUDA(cudaEventRecord(stop));
        CHECK_CUDA(cudaEventSynchronize(stop));
        float ms = 0;
        CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
        if (i >= kWarmup) samples.push_back(ms);
      }
      times_ms.push_back(median(samples));
    }
    if (times_ms.empty()) {
      std::printf("%-22s checks %s\n", l.name, ok ? "ok" : "FAILED");
      continue;
    }
    float best = 1e30f, best_sm80 = 1e30f;
    for (size_t t = 0; t < times_ms.size(); ++t) {
      if (times_ms[t] < 0) continue;
      best = std::min(best, times_ms[t]);
      if (!conv_tile_needs_sm90(kAllConvTiles[t])) best_sm80 = std::min(best_sm80, times_ms[t]);
    }
    const double useful = double(g.gemm_m()) * g.k * g.r * g.s * l.c, executed = double(g.macs());
    network_ms += best * l.count;
    network_sm80_ms += best_sm80 * l.count;
    useful_macs += useful * l.count;
    executed_macs += executed * l.count;
    std::printf("%-22s %9lld %5d %6lld %3d", l.name, static_cast<long long>(g.gemm_m()), g.k,
                static_cast<long long>(g.gemm_k()), l.count);
    for (float t : times_ms) t < 0 ? std::printf(" %17s", "-") : std::printf(" %14.3f ms", t);
    std::printf(" %8.1f %8.1f %7s\n", 2 * useful / best / 1e9, 2 * executed / best / 1e9,
                ok ? "ok" : "FAILED");
    if (tile_differences) std::printf("  tiles disagree on %llu bytes\n", tile_differences);
  }
  std::printf("\nall 53 convolutions, best tile each: %.3f ms per batch of %d = %.0f images/s "
              "(%.2f GMAC/image useful, %.2f executed; %.1f TOPS useful)\n",
              network_ms, kBatch, kBatch / (network_ms / 1e3), useful_macs / kBatch / 1e9,
              executed_macs / kBatch / 1e9, 2 * useful_macs / network_ms / 1e9);
  std::printf("all 53 convolutions, best sm_80 tile each: %.3f ms per batch = %.0f images/s\n", network_sm80_ms,
              kBatch / (network_sm80_ms / 1e3));
  std::printf("full-size checks: %s\n", all_ok ? "all layers ok" : "FAILED");
  return all_ok ? 0 : 1;
}
