// The CUDA backend's device-layout contract (device_layout.h) on the host, so CI checks it too: the channels an
// int8 pixel stores (8 for up to 8 channels, else a multiple of 32), the buffer sizes and views that follow, and
// plan_conv's choice for a few-channel input — im2col for any filter whose rows fit it, else a refusal that names
// the node, the shape and the remedy (never the padded convolution, which would read 32-byte pixels).
#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

#include "network_harness.h"
#ifdef QATRT_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/device_layout.h"
#endif

namespace qatrt::cuda_test {
namespace {

#ifdef QATRT_HAVE_CUDA
constexpr DType kS8 = DType::kInt8, kF32 = DType::kFloat32;

TEST(CudaDeviceLayout, FewChannelsAreStoredWithEightPerPixel) {
  for (int64_t c = 1; c <= 8; ++c) {
    EXPECT_EQ(cuda::stored_channels(kS8, c), 8) << "int8 C " << c;
    EXPECT_EQ(cuda::stored_channels(DType::kUInt8, c), 8) << "uint8 C " << c;
  }
  const std::vector<std::pair<int64_t, int64_t>> padded = {{9, 32},  {31, 32}, {32, 32},
                                                           {33, 64}, {64, 64}, {2048, 2048}};
  for (auto [c, stored] : padded)
    EXPECT_EQ(cuda::stored_channels(kS8, c), stored) << "int8 C " << c;
  EXPECT_EQ(cuda::stored_channels(kF32, 3), 3);

  EXPECT_EQ(cuda::device_bytes(kS8, {256, 3, 224, 224}, Layout::kNhwc), size_t{256} * 224 * 224 * 8);
  EXPECT_EQ(cuda::device_bytes(kS8, {2, 9, 5, 7}, Layout::kNhwc), size_t{2} * 5 * 7 * 32);
  EXPECT_EQ(cuda::device_bytes(kS8, {2, 3, 5, 7}, Layout::kNchw), size_t{2} * 3 * 5 * 7);  // a graph input as given
  EXPECT_EQ(cuda::device_bytes(kF32, {2, 3, 5, 7}, Layout::kNhwc), size_t{2} * 3 * 5 * 7 * 4);

  EXPECT_TRUE(cuda::device_row_major(kS8, {4, 8, 1, 1}));
  EXPECT_FALSE(cuda::device_row_major(kS8, {4, 3, 1, 1}));  // 5 padding bytes per pixel
  EXPECT_TRUE(cuda::device_row_major(kS8, {4, 64, 1, 1}));
  EXPECT_FALSE(cuda::device_row_major(kS8, {4, 40, 1, 1}));
  EXPECT_TRUE(cuda::device_row_major(kS8, {4, 3}));
}

// A QConv [1,C,20,20] → 32 channels with an R×S filter, its int8 input quantized from a float graph input.
Graph qconv_graph(int64_t c, int64_t r, int64_t s) {
  std::mt19937 rng(static_cast<unsigned>(c * 100 + r * 10 + s));
  GraphBuilder g;
  const ValueId x = g.quantize(g.input(kF32, {1, c, 20, 20}), 0.03f);
  const ValueId w = g.constant(random_int8({32, c, r, s}, rng), per_tensor(0.002f));
  const ValueId bias = g.constant(random_float({32}, rng));
  g.output(g.node(Op::kQConv, {x, w, bias}, {{"strides", std::vector<int64_t>{1, 1}}}, kS8, per_tensor(0.05f)));
  EXPECT_TRUE(g.status().ok()) << g.status().to_string();
  return g.graph;
}

TEST(CudaDeviceLayout, FewChannelConvolutionsRunThroughIm2colOrAreRefused) {
  auto backend = cuda::make_cuda_backend(nullptr);
  struct Case {
    int64_t c, r, s;
  };
  // im2col takes any filter whose rows R·S·C fit 704 bytes: a row wider than 8 taps, the largest C, 1×1; C = 9
  // is stored with 32 channels and runs on the padded convolution.
  for (Case ok : {Case{3, 7, 7}, Case{3, 3, 11}, Case{3, 15, 15}, Case{8, 9, 9}, Case{1, 1, 1}, Case{9, 11, 11}}) {
    const Graph graph = qconv_graph(ok.c, ok.r, ok.s);
    const Status status = backend->supports(graph, graph.nodes.back());
    EXPECT_TRUE(status.ok()) << "C " << ok.c << " " << ok.r << "x" << ok.s << ": " << status.to_string();
  }
  const Graph graph = qconv_graph(3, 16, 16);
  const Node& conv = graph.nodes.back();
  const std::string refusal = conv.describe() +
                              ": input [1,3,20,20] has 3 channels, stored with 8 per pixel on the GPU, which only the "
                              "im2col path reads, and its 16x16 filter makes im2col rows of R·S·C = 768 bytes, "
                              "more than the 704 it takes; run the network on the CPU backend";
  const Status status = backend->supports(graph, conv);
  EXPECT_EQ(status.code(), StatusCode::kUnsupported) << status.to_string();
  EXPECT_EQ(status.message(), refusal);
  EXPECT_EQ(backend->create_kernel(graph, conv).status().message(), refusal);
  const Graph eight = qconv_graph(8, 11, 11);  // 968 bytes
  EXPECT_FALSE(backend->supports(eight, eight.nodes.back()).ok()) << "C 8, 11x11";
}
#else
TEST(CudaDeviceLayout, FewChannelsAreStoredWithEightPerPixel) { GTEST_SKIP() << "built without CUDA"; }
#endif

}  // namespace
}  // namespace qatrt::cuda_test
