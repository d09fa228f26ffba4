// The float layers' unfused epilogue (src/backends/cuda/bias_residual_relu.h) against a host loop, bit for bit:
// y = relu?((y + bias[c]) + residual) in float32, float16 rounded once at the end. Swept over float32 and
// float16, every bias / residual / relu combination, channel counts that do and do not fill a 16-byte vector
// (1, 3, 7, 1003 and the ResNet-50 ones), a few row counts, and operands shifted off 16-byte alignment (the
// element-by-element kernel). Random operands change with the order of the two additions, so a reordered sum
// fails; −0, zeros and a NaN in the residual check relu's sign and NaN handling. Skips without a GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <random>
#include <sstream>
#include <vector>

#include "core/float16.h"

#ifdef QATRT_HAVE_CUDA
#include "backends/cuda/bias_residual_relu.h"
#include "backends/cuda/device.h"
#endif

namespace qatrt {
namespace {

#ifdef QATRT_HAVE_CUDA
struct Case {
  bool half = false, bias = false, residual = false, relu = false;
  int64_t rows = 1;
  int channels = 1;
  int offset = 0;  // elements every operand is shifted by from its allocation
  std::string text() const {
    std::ostringstream o;
    o << (half ? "float16" : "float32") << " rows " << rows << " channels " << channels << " bias " << bias
      << " residual " << residual << " relu " << relu << " offset " << offset;
    return o.str();
  }
};

// Element storage on the host: float bits or float16 bits, both read and written as float.
struct Elements {
  bool half = false;
  std::vector<float> f;
  std::vector<uint16_t> h;
  Elements(bool is_half, size_t n) : half(is_half), f(is_half ? 0 : n), h(is_half ? n : 0) {}
  float get(size_t i) const { return half ? half_bits_to_float(h[i]) : f[i]; }
  void set(size_t i, float v) {
    if (half)
      h[i] = float_to_half_bits(v);
    else
      f[i] = v;
  }
  const void* data() const { return half ? static_cast<const void*>(h.data()) : f.data(); }
  void* data() { return half ? static_cast<void*>(h.data()) : f.data(); }
  size_t element_bytes() const { return half ? 2 : 4; }
  size_t bytes() const { return (half ? h.size() : f.size()) * element_bytes(); }
};

Elements random_elements(bool half, size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
  Elements e(half, n);
  for (size_t i = 0; i < n; ++i) e.set(i, i % 17 == 5 ? 0.0f : i % 17 == 11 ? -0.0f : dist(rng));
  return e;
}

// Device copies of operands, each `offset` elements into its allocation.
class DeviceOperand {
 public:
  DeviceOperand(const Elements& host, int offset) : shift_(offset * host.element_bytes()) {
    if (cudaMalloc(&base_, host.bytes() + shift_ + 16) != cudaSuccess) base_ = nullptr;
    if (base_) cudaMemcpy(data(), host.data(), host.bytes(), cudaMemcpyHostToDevice);
  }
  ~DeviceOperand() {
    if (base_) cudaFree(base_);
  }
  bool ok() const { return base_ != nullptr; }
  void* data() const { return static_cast<uint8_t*>(base_) + shift_; }

 private:
  void* base_ = nullptr;
  size_t shift_;
};

// "" when the device result equals the host loop's for every element (NaN for NaN), else the first mismatches.
std::string check(const Case& c, std::mt19937& rng) {
  const size_t n = static_cast<size_t>(c.rows) * c.channels;
  const Elements y = random_elements(c.half, n, rng);
  const Elements bias = random_elements(c.half, c.channels, rng);
  Elements residual = random_elements(c.half, n, rng);
  if (n > 2) residual.set(n / 2, std::nanf(""));
  DeviceOperand dy(y, c.offset), dbias(bias, c.offset), dresidual(residual, c.offset);
  if (!dy.ok() || !dbias.ok() || !dresidual.ok()) return "cudaMalloc failed";
  const void* b = c.bias ? dbias.data() : nullptr;
  const void* r = c.residual ? dresidual.data() : nullptr;
  const cudaError_t launched =
      c.half ? cuda::add_bias_residual_relu(static_cast<__half*>(dy.data()), static_cast<const __half*>(b),
                                            static_cast<const __half*>(r), c.rows, c.channels, c.relu, nullptr)
             : cuda::add_bias_residual_relu(static_cast<float*>(dy.data()), static_cast<const float*>(b),
                                            static_cast<const float*>(r), c.rows, c.channels, c.relu, nullptr);
  if (launched != cudaSuccess) return std::string("launch: ") + cudaGetErrorString(launched);
  if (cudaError_t e = cudaDeviceSynchronize(); e != cudaSuccess) return std::string("run: ") + cudaGetErrorString(e);
  Elements got(c.half, n);
  cudaMemcpy(got.data(), dy.data(), got.bytes(), cudaMemcpyDeviceToHost);

  Elements want(c.half, n);
  for (size_t i = 0; i < n; ++i) {
    float v = y.get(i);
    if (c.bias) v += bias.get(i % c.channels);
    if (c.residual) v += residual.get(i);
    if (c.relu) v = std::max(v, 0.0f);
    want.set(i, v);
  }
  std::ostringstream wrong;
  int mismatches = 0;
  for (size_t i = 0; i < n; ++i) {
    const float g = got.get(i), w = want.get(i);
    const bool same = (std::isnan(g) && std::isnan(w)) || std::memcmp(&g, &w, sizeof g) == 0;
    if (!same && mismatches++ < 5) wrong << " [" << i << "] got " << g << " want " << w << ";";
  }
  if (mismatches == 0) return "";
  return std::to_string(mismatches) + " of " + std::to_string(n) + " differ:" + wrong.str();
}

TEST(CudaBiasResidualRelu, MatchesTheHostLoopBitForBit) {
  const cuda::DeviceInfo info = cuda::query_devices();
  if (info.count == 0) GTEST_SKIP() << "no CUDA device: " << info.error;
  std::mt19937 rng(41);
  int cases = 0;
  for (bool half : {false, true})
    for (int channels : {1, 3, 4, 7, 8, 16, 64, 256, 1000, 1003, 2048})
      for (int64_t rows : {int64_t{1}, int64_t{5}, int64_t{67}})
        for (int offset : {0, 1})
          for (int flags = 0; flags < 8; ++flags) {
            const Case c{.half = half, .bias = (flags & 1) != 0, .residual = (flags & 2) != 0,
                         .relu = (flags & 4) != 0, .rows = rows, .channels = channels, .offset = offset};
            EXPECT_EQ(check(c, rng), "") << c.text();
            ++cases;
          }
  std::cout << "[ bias/residual/relu ] " << cases << " cases\n";
}

// More elements than one grid's threads cover (4096 blocks of 256: the kernel's grid-stride loop), vectorized
// and not.
TEST(CudaBiasResidualRelu, CoversRowsBeyondOneGrid) {
  const cuda::DeviceInfo info = cuda::query_devices();
  if (info.count == 0) GTEST_SKIP() << "no CUDA device: " << info.error;
  std::mt19937 rng(42);
  for (int channels : {64, 63}) {
    const Case c{.half = false, .bias = true, .residual = true, .relu = true, .rows = 5 << 14,
                 .channels = channels};
    EXPECT_EQ(check(c, rng), "") << c.text();
  }
}
#endif

}  // namespace
}  // namespace qatrt
