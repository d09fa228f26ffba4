// GPU quantize/dequantize against core/quant.h. Skips cleanly where qatrt was built without CUDA or no
// device is visible (CI, the development machine); scripts/gpu-tests.sh runs it on the GPU machine.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/quant.h"

#ifdef QATRT_HAVE_CUDA
#include "backends/cuda/device.h"
#include "backends/cuda/device_layout.h"
#include "backends/cuda/quantize.h"
#endif

namespace qatrt {
namespace {

#ifdef QATRT_HAVE_CUDA
TEST(CudaQuantize, MatchesHostSemanticsIncludingTiesAndSaturation) {
  cuda::DeviceInfo info = cuda::query_devices();
  if (info.count == 0) GTEST_SKIP() << "no CUDA device: " << info.error;
  for (float scale : {0.5f, 0.1f, 0.0123f}) {
    for (int32_t zero_point : {0, 3, -7}) {
      std::vector<float> x;
      for (int k = -300; k <= 300; ++k) x.push_back(static_cast<float>(k) * scale * 0.5f);  // exact half-way points
      std::mt19937 rng(7);
      std::uniform_real_distribution<float> dist(-200.0f * scale, 200.0f * scale);
      for (int k = 0; k < 5000; ++k) x.push_back(dist(rng));
      float* dx = nullptr;
      int8_t* dq = nullptr;
      float* dy = nullptr;
      ASSERT_EQ(cudaMalloc(&dx, x.size() * 4), cudaSuccess);
      ASSERT_EQ(cudaMalloc(&dq, x.size()), cudaSuccess);
      ASSERT_EQ(cudaMalloc(&dy, x.size() * 4), cudaSuccess);
      cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice);
      ASSERT_EQ(cuda::quantize_s8(dx, dq, static_cast<int64_t>(x.size()), scale, zero_point, nullptr), cudaSuccess);
      ASSERT_EQ(cuda::dequantize_s8(dq, dy, static_cast<int64_t>(x.size()), scale, zero_point, nullptr), cudaSuccess);
      std::vector<int8_t> q(x.size());
      std::vector<float> y(x.size());
      cudaMemcpy(q.data(), dq, q.size(), cudaMemcpyDeviceToHost);
      cudaMemcpy(y.data(), dy, y.size() * 4, cudaMemcpyDeviceToHost);
      cudaFree(dx);
      cudaFree(dq);
      cudaFree(dy);
      for (size_t i = 0; i < x.size(); ++i) {
        int32_t expected = quantize_value(x[i], scale, zero_point, DType::kInt8);
        ASSERT_EQ(q[i], expected) << "x=" << x[i] << " scale=" << scale << " zp=" << zero_point;
        ASSERT_EQ(y[i], dequantize_value(expected, scale, zero_point)) << "q=" << expected;
      }
    }
  }
}

// Every byte of the stored pixels (device_layout.h: 8 channels for C ≤ 8, else a multiple of 32), the padding
// channels included, which must hold the zero point — from an NCHW source (8- and 16-byte chunks) and an NHWC one.
TEST(CudaQuantize, StoredPixelsHoldTheZeroPointInTheirPadding) {
  cuda::DeviceInfo info = cuda::query_devices();
  if (info.count == 0) GTEST_SKIP() << "no CUDA device: " << info.error;
  const int n = 2, h = 5, w = 7;
  const float scale = 0.02f;
  const int32_t zero_point = -3;
  for (int c : {1, 3, 4, 8, 9, 33})
    for (bool nchw : {true, false}) {
      const int stored = static_cast<int>(cuda::stored_channels(DType::kInt8, c));
      std::mt19937 rng(c);
      std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
      std::vector<float> x(static_cast<size_t>(n) * c * h * w);
      for (float& v : x) v = dist(rng);
      auto source = [&](int image, int ch, int pixel) {  // x as given: NCHW or NHWC
        return nchw ? x[(static_cast<size_t>(image) * c + ch) * h * w + pixel]
                    : x[(static_cast<size_t>(image) * h * w + pixel) * c + ch];
      };
      const size_t stored_bytes = static_cast<size_t>(n) * h * w * stored;
      float* dx = nullptr;
      int8_t* dq = nullptr;
      ASSERT_EQ(cudaMalloc(&dx, x.size() * 4), cudaSuccess);
      ASSERT_EQ(cudaMalloc(&dq, stored_bytes), cudaSuccess);
      cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice);
      cudaMemset(dq, 0x55, stored_bytes);  // a byte the kernel must overwrite everywhere
      const cudaError_t launched =
          cuda::quantize_s8_to_nhwc(dx, nchw, dq, n, c, h, w, stored, scale, zero_point, nullptr);
      std::vector<int8_t> q(stored_bytes);
      cudaMemcpy(q.data(), dq, q.size(), cudaMemcpyDeviceToHost);
      cudaFree(dx);
      cudaFree(dq);
      ASSERT_EQ(launched, cudaSuccess) << "C " << c << " stored " << stored << (nchw ? " from NCHW" : " from NHWC");
      for (int image = 0; image < n; ++image)
        for (int pixel = 0; pixel < h * w; ++pixel)
          for (int ch = 0; ch < stored; ++ch) {
            const int expected = ch < c ? quantize_value(source(image, ch, pixel), scale, zero_point, DType::kInt8)
                                        : zero_point;
            ASSERT_EQ(static_cast<int>(q[(static_cast<size_t>(image) * h * w + pixel) * stored + ch]), expected)
                << "C " << c << " stored " << stored << (nchw ? " from NCHW" : " from NHWC") << ", image " << image
                << " pixel " << pixel << " channel " << ch;
          }
    }
}
#else
TEST(CudaQuantize, MatchesHostSemanticsIncludingTiesAndSaturation) { GTEST_SKIP() << "built without CUDA"; }
TEST(CudaQuantize, StoredPixelsHoldTheZeroPointInTheirPadding) { GTEST_SKIP() << "built without CUDA"; }
#endif

}  // namespace
}  // namespace qatrt
