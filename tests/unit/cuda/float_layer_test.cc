// FusedConv and FusedGemm on the GPU (cuDNN, plain FP32: no TF32) through the CUDA engine against the reference
// backend, over sweeps of shapes, strides, pads, dilations, groups, bias, relu and a float residual — each sweep
// once per cuDNN path, forced with QATRT_CUDA_FLOAT_CONV (legacy: cudnnConvolutionBiasActivationForward; graph:
// the graph API, the whole layer one graph; graph-conv: the convolution alone as a graph, then qatrt's
// bias/residual/relu kernel), and the chained layers also as the backend chooses by default (the fastest). cuDNN
// adds in its own order (and its algorithms — implicit GEMM, Winograd, FFT — round differently), so the outputs
// agree to a relative 1e-5 of max(1, max |reference|): float32 keeps 24 bits (6e-8), and a sum of a few
// thousand products loses at most a few hundred ulps of the largest partial sum. A failure prints the case and
// the path. The device cases skip without a GPU; the refusals are checked here too (supports() needs no device).
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <sstream>

#include "network_harness.h"
#ifdef QATRT_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#endif

namespace qatrt::cuda_test {
namespace {

constexpr DType kF32 = DType::kFloat32;
constexpr double kFp32Tolerance = 1e-5;

// Sets QATRT_CUDA_FLOAT_CONV for one scope (empty: unset, the default choice) and restores what it was.
class ScopedFloatConvPath {
 public:
  explicit ScopedFloatConvPath(const std::string& value) {
    if (const char* old = std::getenv(kVariable)) old_ = old;
    set(value.empty() ? std::nullopt : std::optional<std::string>(value));
  }
  ~ScopedFloatConvPath() { set(old_); }
  ScopedFloatConvPath(const ScopedFloatConvPath&) = delete;
  ScopedFloatConvPath& operator=(const ScopedFloatConvPath&) = delete;

 private:
  static constexpr const char* kVariable = "QATRT_CUDA_FLOAT_CONV";
  static void set(const std::optional<std::string>& value) {
    if (value) setenv(kVariable, value->c_str(), 1);
    else unsetenv(kVariable);
  }
  std::optional<std::string> old_;
};

// The sweeps, once per forced path.
class CudaFloatLayerPaths : public ::testing::TestWithParam<std::string> {};
// The chained layers also under the default choice ("").
class CudaFloatChainPaths : public ::testing::TestWithParam<std::string> {};

std::string path_test_name(const ::testing::TestParamInfo<std::string>& info) {
  if (info.param.empty()) return "fastest";
  std::string name = info.param;  // gtest names allow letters, digits and '_' only
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

struct Epilogue {
  bool bias = true, relu = true, residual = false;
  std::string text() const {
    std::ostringstream o;
    o << "bias " << bias << ", relu " << relu << ", residual " << residual;
    return o.str();
  }
};

// Relu and no relu run different cuDNN algorithms (see float_conv_node.cc); the residual is α₂·z.
const std::vector<Epilogue> kEpilogues = {
    {true, true, false}, {true, false, false}, {false, true, true}, {true, true, true}, {false, false, true},
};

// Operands after input 0: weight [K, ...] float, bias [K] or none, float residual of the output's shape or none.
void add_operands(GraphBuilder& g, std::vector<ValueId>& inputs, const Epilogue& e, const Shape& w_shape,
                  const Shape& out_shape, std::mt19937& rng) {
  inputs.push_back(g.constant(random_float(w_shape, rng, -0.2f, 0.2f)));
  inputs.push_back(e.bias ? g.constant(random_float({w_shape[0]}, rng, -0.5f, 0.5f)) : kNoValue);
  if (e.residual) inputs.push_back(g.input(kF32, out_shape));
}

std::vector<Tensor> random_inputs(const Graph& graph, std::mt19937& rng) {
  std::vector<Tensor> inputs;
  for (ValueId id : graph.inputs) inputs.push_back(random_float(graph.value(id).shape, rng, -3, 3));
  return inputs;
}

struct ConvCase {
  Shape x;
  int64_t k, r, stride, pad, dilation = 1, group = 1;
  std::string text() const {
    std::ostringstream o;
    o << "x " << shape_to_string(x) << " K " << k << " " << r << "x" << r << " stride " << stride << " pad " << pad
      << " dilation " << dilation << " group " << group;
    return o.str();
  }
};

ValueId fused_conv(GraphBuilder& g, std::vector<ValueId> inputs, const ConvCase& cc, bool relu,
                   std::vector<int64_t> pads) {
  return g.node(Op::kFusedConv, std::move(inputs),
                {{"strides", std::vector<int64_t>{cc.stride, cc.stride}},
                 {"pads", std::move(pads)},
                 {"dilations", std::vector<int64_t>{cc.dilation, cc.dilation}},
                 {"group", cc.group},
                 {"relu", int64_t{relu}}});
}

TEST_P(CudaFloatLayerPaths, FusedConvMatchesTheReference) {
  SKIP_WITHOUT_CUDA();
  const ScopedFloatConvPath path(GetParam());
  std::mt19937 rng(21);
  const std::vector<ConvCase> convs = {
      {{2, 3, 32, 32}, 64, 7, 2, 3},      // the ResNet stem
      {{2, 64, 14, 14}, 64, 3, 1, 1},
      {{1, 64, 15, 15}, 128, 3, 2, 1},    // odd size, stride 2
      {{2, 256, 7, 7}, 64, 1, 1, 0},
      {{1, 64, 9, 9}, 256, 1, 2, 0},      // the downsampling 1×1
      {{1, 16, 10, 10}, 20, 3, 1, 2, 2},  // dilation 2, K not a multiple of 8
      {{1, 32, 8, 8}, 64, 3, 1, 1, 1, 2}, // two groups
      {{3, 5, 6, 9}, 7, 3, 1, 0},         // odd channel counts, no padding
  };
  int cases = 0;
  for (const ConvCase& cc : convs)
    for (const Epilogue& e : kEpilogues) {
      const int64_t extent = cc.dilation * (cc.r - 1) + 1;
      const int64_t p = (cc.x[2] + 2 * cc.pad - extent) / cc.stride + 1, q = (cc.x[3] + 2 * cc.pad - extent) / cc.stride + 1;
      GraphBuilder g;
      std::vector<ValueId> inputs = {g.input(kF32, cc.x)};
      add_operands(g, inputs, e, {cc.k, cc.x[1] / cc.group, cc.r, cc.r}, {cc.x[0], cc.k, p, q}, rng);
      g.output(fused_conv(g, inputs, cc, e.relu, {cc.pad, cc.pad, cc.pad, cc.pad}));
      ASSERT_TRUE(g.status().ok()) << g.status().to_string();
      EXPECT_EQ(compare_with_reference(g.graph, random_inputs(g.graph, rng), kFp32Tolerance), "")
          << "FusedConv " << cc.text() << ", " << e.text() << ", path " << GetParam();
      ++cases;
    }
  std::cout << "[ FusedConv fp32, " << GetParam() << " ] " << cases << " cases\n";
}

// Layers chained on the device: conv → conv with the first's output as the second's residual, then MaxPool and
// GlobalAveragePool — float NHWC buffers handed from kernel to kernel, as in a ResNet block.
TEST_P(CudaFloatChainPaths, ChainedFloatLayersMatchTheReference) {
  SKIP_WITHOUT_CUDA();
  const ScopedFloatConvPath path(GetParam());
  std::mt19937 rng(22);
  GraphBuilder g;
  const ConvCase a{{2, 16, 12, 12}, 32, 3, 1, 1}, b{{2, 32, 12, 12}, 32, 1, 1, 0};
  const ValueId x = g.input(kF32, a.x);
  const ValueId y = fused_conv(g, {x, g.constant(random_float({32, 16, 3, 3}, rng, -0.2f, 0.2f)),
                                   g.constant(random_float({32}, rng))},
                               a, true, {1, 1, 1, 1});
  const ValueId z = fused_conv(g, {y, g.constant(random_float({32, 32, 1, 1}, rng, -0.2f, 0.2f)), kNoValue, y}, b,
                               true, {0, 0, 0, 0});
  const ValueId pooled = g.node(Op::kMaxPool, {z}, {{"kernel_shape", std::vector<int64_t>{3, 3}},
                                                    {"strides", std::vector<int64_t>{2, 2}},
                                                    {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  g.output(g.node(Op::kGlobalAveragePool, {pooled}));
  ASSERT_TRUE(g.status().ok()) << g.status().to_string();
  EXPECT_EQ(compare_with_reference(g.graph, random_inputs(g.graph, rng), kFp32Tolerance), "")
      << "path '" << GetParam() << "'";
}

TEST_P(CudaFloatLayerPaths, FusedGemmMatchesTheReference) {
  SKIP_WITHOUT_CUDA();
  const ScopedFloatConvPath path(GetParam());
  std::mt19937 rng(23);
  struct Size { int64_t m, k, n; };
  for (Size s : {Size{4, 2048, 1000}, Size{1, 32, 8}, Size{37, 64, 100}, Size{130, 96, 36}, Size{3, 5, 7}})
    for (const Epilogue& e : kEpilogues) {
      GraphBuilder g;
      std::vector<ValueId> inputs = {g.input(kF32, {s.m, s.k})};
      add_operands(g, inputs, e, {s.n, s.k}, {s.m, s.n}, rng);
      g.output(g.node(Op::kFusedGemm, inputs, {{"relu", int64_t{e.relu}}}));
      ASSERT_TRUE(g.status().ok()) << g.status().to_string();
      EXPECT_EQ(compare_with_reference(g.graph, random_inputs(g.graph, rng), kFp32Tolerance), "")
          << "FusedGemm M " << s.m << " K " << s.k << " N " << s.n << ", " << e.text() << ", path " << GetParam();
    }
}

INSTANTIATE_TEST_SUITE_P(Forced, CudaFloatLayerPaths, ::testing::Values("legacy", "graph", "graph-conv"),
                         path_test_name);
INSTANTIATE_TEST_SUITE_P(Paths, CudaFloatChainPaths, ::testing::Values("legacy", "graph", "graph-conv", ""),
                         path_test_name);

#ifdef QATRT_HAVE_CUDA
// Pads that cuDNN's symmetric padding cannot reproduce are refused with the reason, not run wrongly.
TEST(CudaFloatLayers, RefusesPadsThatChangeTheOutputUnderSymmetricPadding) {
  std::mt19937 rng(24);
  const ConvCase cc{{1, 8, 8, 8}, 16, 3, 2, 0};
  GraphBuilder g;
  const ValueId x = g.input(kF32, cc.x);
  // pads (0, 0, 1, 1): output 4×4; with the leading pads on both ends cuDNN would give 3×3.
  g.output(fused_conv(g, {x, g.constant(random_float({16, 8, 3, 3}, rng))}, cc, false, {0, 0, 1, 1}));
  ASSERT_TRUE(g.status().ok()) << g.status().to_string();
  const auto backend = cuda::make_cuda_backend(nullptr);
  const Status s = backend->supports(g.graph, g.graph.nodes.back());
  EXPECT_EQ(s.code(), StatusCode::kUnsupported) << s.to_string();
  EXPECT_NE(s.message().find("symmetric padding"), std::string::npos) << s.message();
}

// A QATRT_CUDA_FLOAT_CONV that names no path is an error naming the variable and the value, not a silent default.
TEST(CudaFloatLayers, RefusesAnUnknownFloatConvPath) {
  std::mt19937 rng(25);
  const ConvCase cc{{1, 8, 8, 8}, 16, 3, 1, 1};
  GraphBuilder g;
  const ValueId x = g.input(kF32, cc.x);
  g.output(fused_conv(g, {x, g.constant(random_float({16, 8, 3, 3}, rng))}, cc, true, {1, 1, 1, 1}));
  ASSERT_TRUE(g.status().ok()) << g.status().to_string();
  const auto backend = cuda::make_cuda_backend(nullptr);
  {
    const ScopedFloatConvPath path("tf32");
    const Status s = backend->supports(g.graph, g.graph.nodes.back());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
    EXPECT_NE(s.message().find("QATRT_CUDA_FLOAT_CONV=tf32"), std::string::npos) << s.message();
  }
  for (const char* known : {"legacy", "graph", "graph-conv", ""}) {
    const ScopedFloatConvPath path(known);
    EXPECT_TRUE(backend->supports(g.graph, g.graph.nodes.back()).ok()) << "QATRT_CUDA_FLOAT_CONV='" << known << "'";
  }
}
#endif

}  // namespace
}  // namespace qatrt::cuda_test
