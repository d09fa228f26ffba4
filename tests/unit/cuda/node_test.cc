// The CUDA backend's kernels, each through the CUDA engine against the reference backend (network_harness.h),
// over parameter sweeps: int8 results and the exactly-ordered float ones (dequantize, max and average pool,
// QConv / QGemm float outputs) bit for bit, Softmax within 1e-6. A failure prints the whole case. Skips cleanly where
// qatrt was built without CUDA or no device is visible (CI, the development machine).
#include <gtest/gtest.h>

#include <sstream>

#include "network_harness.h"

namespace qatrt::cuda_test {
namespace {

constexpr DType kS8 = DType::kInt8, kF32 = DType::kFloat32;

std::string shape_text(const Shape& s) { return shape_to_string(s); }

TEST(CudaNodes, QuantizeAndDequantizeAreExact) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(1);
  int cases = 0;
  for (Shape shape : {Shape{2, 3, 5, 7}, Shape{1, 32, 4, 4}, Shape{3, 40, 3, 2}, Shape{4, 100}, Shape{1000}})
    for (float scale : {0.5f, 0.0173f})
      for (int64_t zero : {0, 5}) {
        GraphBuilder q;  // float NCHW input → int8 (NHWC padded on the device) → back to NCHW on the host
        q.output(q.quantize(q.input(kF32, shape), scale, zero));
        ASSERT_TRUE(q.status().ok()) << q.status().to_string();
        const Tensor x = random_float(shape, rng, -150 * scale, 150 * scale);
        EXPECT_EQ(compare_with_reference(q.graph, {x}, 0), "")
            << "QuantizeLinear x " << shape_text(shape) << " scale " << scale << " zero " << zero;
        GraphBuilder dq;  // int8 NCHW input → (reorder to padded NHWC) → float
        const ValueId in = dq.input(kS8, shape, per_tensor(scale, zero));
        dq.output(dq.node(Op::kDequantizeLinear, {in},
                          {{"scale", std::vector<float>{scale}}, {"zero_point", std::vector<int64_t>{zero}}}));
        ASSERT_TRUE(dq.status().ok()) << dq.status().to_string();
        EXPECT_EQ(compare_with_reference(dq.graph, {random_int8(shape, rng)}, 0), "")
            << "DequantizeLinear x " << shape_text(shape) << " scale " << scale << " zero " << zero;
        GraphBuilder chain;  // float → int8 → float, the intermediate staying NHWC on the device
        chain.output(chain.node(Op::kDequantizeLinear, {chain.quantize(chain.input(kF32, shape), scale, zero)},
                                {{"scale", std::vector<float>{scale}}, {"zero_point", std::vector<int64_t>{zero}}}));
        EXPECT_EQ(compare_with_reference(chain.graph, {x}, 0), "")
            << "Q → DQ x " << shape_text(shape) << " scale " << scale << " zero " << zero;
        cases += 3;
      }
  std::cout << "[ Q/DQ ] " << cases << " cases\n";
}

struct PoolCase {
  Shape x;
  std::vector<int64_t> kernel, strides, pads;
  int64_t ceil_mode = 0;
  std::string text() const {
    std::ostringstream o;
    o << "x " << shape_text(x) << " kernel " << shape_text(kernel) << " strides " << shape_text(strides) << " pads "
      << shape_text(pads) << " ceil " << ceil_mode;
    return o.str();
  }
};

const std::vector<PoolCase> kPoolCases = {
      {{2, 64, 16, 16}, {3, 3}, {2, 2}, {1, 1, 1, 1}, 0},  // ResNet stem max pool
      {{1, 3, 11, 11}, {3, 3}, {2, 2}, {1, 1, 1, 1}, 0},   // 3 channels stored as 8: 8-byte lanes
      {{2, 5, 8, 8}, {2, 2}, {2, 2}, {0, 0, 0, 0}, 0},
      {{1, 40, 7, 9}, {3, 3}, {1, 1}, {1, 1, 1, 1}, 0},
      {{1, 4, 9, 9}, {3, 3}, {2, 2}, {0, 0, 0, 0}, 1},     // ceil_mode adds a last window
      {{1, 4, 10, 10}, {3, 3}, {2, 2}, {1, 1, 1, 1}, 1},
      {{1, 6, 7, 7}, {2, 3}, {1, 2}, {0, 1, 1, 0}, 0},     // asymmetric pads, non-square kernel
      {{1, 8, 5, 5}, {5, 5}, {1, 1}, {4, 4, 4, 4}, 0},     // windows entirely in the padding: −128 / lowest
};

ValueId max_pool(GraphBuilder& g, ValueId x, const PoolCase& pc) {
  return g.node(Op::kMaxPool, {x},
                {{"kernel_shape", pc.kernel}, {"strides", pc.strides}, {"pads", pc.pads}, {"ceil_mode", pc.ceil_mode}});
}

TEST(CudaNodes, MaxPoolInt8IsExact) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(2);
  for (const PoolCase& pc : kPoolCases) {
    GraphBuilder g;  // int8 graph input (reordered to padded NHWC: 8 or 64 channels here) → MaxPool
    g.output(max_pool(g, g.input(kS8, pc.x, per_tensor(0.1f)), pc));
    ASSERT_TRUE(g.status().ok()) << g.status().to_string();
    EXPECT_EQ(compare_with_reference(g.graph, {random_int8(pc.x, rng)}, 0), "") << "MaxPool " << pc.text();
  }
}

TEST(CudaNodes, MaxPoolFloatIsExact) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(12);
  for (const PoolCase& pc : kPoolCases) {
    GraphBuilder g;  // float NCHW graph input (reordered to NHWC) → MaxPool
    g.output(max_pool(g, g.input(kF32, pc.x), pc));
    ASSERT_TRUE(g.status().ok()) << g.status().to_string();
    EXPECT_EQ(compare_with_reference(g.graph, {random_float(pc.x, rng, -5, 5)}, 0), "") << "float MaxPool " << pc.text();
  }
}

TEST(CudaNodes, GlobalAveragePoolIsBitExact) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(3);
  for (Shape shape : {Shape{2, 2048, 7, 7}, Shape{3, 5, 4, 3}, Shape{1, 64, 1, 1}, Shape{2, 33, 13, 11}}) {
    GraphBuilder g;
    g.output(g.node(Op::kGlobalAveragePool, {g.input(kF32, shape)}));
    EXPECT_EQ(compare_with_reference(g.graph, {random_float(shape, rng, -3, 5)}, 0), "")
        << "GlobalAveragePool x " << shape_text(shape);
  }
}

TEST(CudaNodes, SoftmaxMatchesWithinUlps) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(4);
  for (Shape shape : {Shape{4, 1000}, Shape{1, 7}, Shape{3, 2, 300}, Shape{2, 5000}}) {
    GraphBuilder g;
    g.output(g.node(Op::kSoftmax, {g.input(kF32, shape)}, {{"axis", int64_t{-1}}}));
    EXPECT_EQ(compare_with_reference(g.graph, {random_float(shape, rng, -20, 20)}, 1e-6), "")
        << "Softmax x " << shape_text(shape);
  }
}

struct LayerCase {
  bool per_channel = true, bias = true, relu = false;
  DType residual = DType::kBool;  // kBool: none
  DType out = DType::kInt8;
  std::string text() const {
    std::ostringstream o;
    o << (per_channel ? "per-channel" : "per-tensor") << " w, bias " << bias << ", relu " << relu << ", residual "
      << (residual == DType::kBool ? "none" : dtype_name(residual)) << ", out " << dtype_name(out);
    return o.str();
  }
};

const std::vector<LayerCase> kLayerCases = {
    {true, true, true, DType::kBool, kS8},  {false, false, false, DType::kBool, kF32},
    {true, true, true, kS8, kS8},           {true, true, false, kS8, kF32},
    {true, false, true, kF32, kF32},        {true, true, false, kF32, kS8},
};

// The QConv / QGemm operands after input 0: weight [K, ...] int8 with its scales, bias, residual.
void add_layer_operands(GraphBuilder& g, std::vector<ValueId>& inputs, const LayerCase& lc, Shape w_shape,
                        const Shape& out_shape, std::mt19937& rng) {
  const int64_t k = w_shape[0];
  std::vector<float> scales;
  std::uniform_real_distribution<float> scale(0.001f, 0.004f);
  for (int64_t i = 0; i < (lc.per_channel ? k : 1); ++i) scales.push_back(scale(rng));
  inputs.push_back(g.constant(random_int8(w_shape, rng), QuantParams{scales, std::vector<int64_t>(scales.size(), 0), 0}));
  inputs.push_back(lc.bias ? g.constant(random_float({k}, rng, -0.5f, 0.5f)) : kNoValue);
  if (lc.residual == kS8)
    inputs.push_back(g.quantize(g.input(kF32, out_shape), 0.04f));
  else if (lc.residual == kF32)
    inputs.push_back(g.input(kF32, out_shape));
}

std::vector<Tensor> random_inputs(const Graph& graph, std::mt19937& rng) {
  std::vector<Tensor> inputs;
  for (ValueId id : graph.inputs) inputs.push_back(random_float(graph.value(id).shape, rng, -3, 3));
  return inputs;
}

TEST(CudaNodes, QGemmIsExact) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(5);
  struct Size { int64_t m, k, n; };
  for (Size s : {Size{4, 2048, 1000}, Size{1, 32, 8}, Size{37, 64, 100}, Size{130, 96, 36}})
    for (const LayerCase& lc : kLayerCases) {
      GraphBuilder g;
      std::vector<ValueId> inputs = {g.quantize(g.input(kF32, {s.m, s.k}), 0.03f)};
      add_layer_operands(g, inputs, lc, {s.n, s.k}, {s.m, s.n}, rng);
      g.output(g.node(Op::kQGemm, inputs, {{"relu", int64_t{lc.relu}}}, lc.out,
                      lc.out == kS8 ? std::optional(per_tensor(0.05f)) : std::nullopt));
      ASSERT_TRUE(g.status().ok()) << g.status().to_string();
      EXPECT_EQ(compare_with_reference(g.graph, random_inputs(g.graph, rng), 0), "")
          << "QGemm M " << s.m << " K " << s.k << " N " << s.n << ", " << lc.text();
    }
}

struct ConvCase {
  Shape x;
  int64_t k, r, stride, pad;
};

TEST(CudaNodes, QConvThroughTheEngineIsExact) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(6);
  const std::vector<ConvCase> convs = {
      {{2, 3, 32, 32}, 64, 7, 2, 3},  // the stem: C = 3, run as im2col (R·S·C = 147 → 160) + GEMM
      {{1, 6, 12, 12}, 32, 3, 1, 1},  // im2col with channels in both 4-byte words of a pixel
      {{2, 8, 9, 9}, 64, 5, 2, 2},    // im2col, C = 8 (the largest it takes), R·S·C = 200 → 224
      {{2, 64, 9, 9}, 64, 3, 1, 1},
      {{1, 64, 8, 8}, 256, 1, 1, 0},
      {{3, 128, 7, 7}, 32, 1, 2, 0},
      {{1, 16, 6, 6}, 20, 3, 1, 1},   // K = 20: float output only (int8 needs K % 32 == 0)
  };
  for (const ConvCase& cc : convs)
    for (const LayerCase& lc : kLayerCases) {
      if (cc.k % 32 != 0 && (lc.out == kS8 || lc.residual == kS8)) continue;
      const int64_t p = (cc.x[2] + 2 * cc.pad - cc.r) / cc.stride + 1, q = (cc.x[3] + 2 * cc.pad - cc.r) / cc.stride + 1;
      GraphBuilder g;
      std::vector<ValueId> inputs = {g.quantize(g.input(kF32, cc.x), 0.03f)};
      add_layer_operands(g, inputs, lc, {cc.k, cc.x[1], cc.r, cc.r}, {cc.x[0], cc.k, p, q}, rng);
      g.output(g.node(Op::kQConv, inputs,
                      {{"strides", std::vector<int64_t>{cc.stride, cc.stride}},
                       {"pads", std::vector<int64_t>{cc.pad, cc.pad, cc.pad, cc.pad}},
                       {"relu", int64_t{lc.relu}}},
                      lc.out, lc.out == kS8 ? std::optional(per_tensor(0.05f)) : std::nullopt));
      ASSERT_TRUE(g.status().ok()) << g.status().to_string();
      EXPECT_EQ(compare_with_reference(g.graph, random_inputs(g.graph, rng), 0), "")
          << "QConv x " << shape_text(cc.x) << " K " << cc.k << " " << cc.r << "x" << cc.r << " stride " << cc.stride
          << " pad " << cc.pad << ", " << lc.text();
    }
}

// Int8 values of few channels (C ≤ 8) are stored with 8 channels per pixel, more with a multiple of 32
// (device_layout.h). From a float NCHW graph input, every kernel that writes or reads them: QuantizeLinear
// (its output read back from the stored pixels), DequantizeLinear, MaxPool, QConv through im2col (a filter row
// wider than 8 taps too, two load groups) and, for C = 9, the padded implicit-GEMM convolution; odd sizes.
TEST(CudaNodes, FewChannelLayoutIsExact) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(8);
  struct Filter {
    int64_t r, s, stride_h, stride_w, pad_h, pad_w;
  };
  const std::vector<Filter> filters = {{7, 7, 2, 2, 3, 3}, {3, 11, 1, 2, 1, 5}, {1, 1, 1, 1, 0, 0}};
  const LayerCase layer{true, true, true, DType::kBool, kS8};
  int cases = 0;
  auto check = [&](const GraphBuilder& g, const std::vector<Tensor>& inputs, const std::string& what) {
    ASSERT_TRUE(g.status().ok()) << what << ": " << g.status().to_string();
    EXPECT_EQ(compare_with_reference(g.graph, inputs, 0), "") << what;
    ++cases;
  };
  for (int64_t c : {1, 3, 4, 8, 9})
    for (Shape x_shape : {Shape{2, c, 7, 5}, Shape{1, c, 13, 11}}) {
      const std::string x_text = " x " + shape_text(x_shape);
      const Tensor x = random_float(x_shape, rng, -3, 3);
      GraphBuilder q;  // the int8 output is read back from the stored 8- (or 32-) channel pixels
      q.output(q.quantize(q.input(kF32, x_shape), 0.03f, 5));
      check(q, {x}, "QuantizeLinear" + x_text);
      GraphBuilder qdq;
      qdq.output(qdq.node(Op::kDequantizeLinear, {qdq.quantize(qdq.input(kF32, x_shape), 0.03f, 5)},
                          {{"scale", std::vector<float>{0.03f}}, {"zero_point", std::vector<int64_t>{5}}}));
      check(qdq, {x}, "Q → DQ" + x_text);
      GraphBuilder pool;
      pool.output(max_pool(pool, pool.quantize(pool.input(kF32, x_shape), 0.03f, 5),
                           {x_shape, {3, 3}, {2, 2}, {1, 1, 1, 1}, 0}));
      check(pool, {x}, "Q → MaxPool 3x3/2" + x_text);
      for (const Filter& f : filters) {
        const int64_t p = (x_shape[2] + 2 * f.pad_h - f.r) / f.stride_h + 1;
        const int64_t q_out = (x_shape[3] + 2 * f.pad_w - f.s) / f.stride_w + 1;
        GraphBuilder conv;
        std::vector<ValueId> inputs = {conv.quantize(conv.input(kF32, x_shape), 0.03f)};
        add_layer_operands(conv, inputs, layer, {32, c, f.r, f.s}, {x_shape[0], 32, p, q_out}, rng);
        conv.output(conv.node(Op::kQConv, inputs,
                              {{"strides", std::vector<int64_t>{f.stride_h, f.stride_w}},
                               {"pads", std::vector<int64_t>{f.pad_h, f.pad_w, f.pad_h, f.pad_w}},
                               {"relu", int64_t{layer.relu}}},
                              kS8, per_tensor(0.05f)));
        check(conv, {x},
              "Q → QConv " + std::to_string(f.r) + "x" + std::to_string(f.s) + " stride " +
                  std::to_string(f.stride_h) + "x" + std::to_string(f.stride_w) + " pad " + std::to_string(f.pad_h) +
                  "x" + std::to_string(f.pad_w) + " K 32" + x_text + ", " + layer.text());
      }
    }
  std::cout << "[ few channels ] " << cases << " cases\n";
}

// ResNet-50's head: float conv output → GlobalAveragePool → Q → Flatten (a view) → QGemm → Softmax.
TEST(CudaNodes, ClassifierHeadWithFlattenView) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(7);
  GraphBuilder g;
  const ValueId pooled = g.node(Op::kGlobalAveragePool, {g.input(kF32, {3, 256, 7, 7})});
  const ValueId flat = g.node(Op::kFlatten, {g.quantize(pooled, 0.02f)}, {{"axis", int64_t{1}}});
  std::vector<ValueId> inputs = {flat};
  add_layer_operands(g, inputs, {true, true, false, DType::kBool, kF32}, {100, 256}, {3, 100}, rng);
  const ValueId logits = g.node(Op::kQGemm, inputs, {{"relu", int64_t{0}}}, kF32);
  g.output(g.node(Op::kSoftmax, {logits}, {{"axis", int64_t{-1}}}));
  ASSERT_TRUE(g.status().ok()) << g.status().to_string();
  EXPECT_EQ(compare_with_reference(g.graph, random_inputs(g.graph, rng), 1e-6), "");
}

}  // namespace
}  // namespace qatrt::cuda_test
