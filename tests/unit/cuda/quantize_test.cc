// GPU quantize/dequantize against core/quant.h. Skips cleanly where qatrt was built without CUDA or no
// device is visible (CI, the development machine); scripts/gpu-tests.sh runs it on the GPU machine.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/quant.h"

#ifdef QATRT_HAVE_CUDA
#include "backends/cuda/device.h"
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
#else
TEST(CudaQuantize, MatchesHostSemanticsIncludingTiesAndSaturation) { GTEST_SKIP() << "built without CUDA"; }
#endif

}  // namespace
}  // namespace qatrt
