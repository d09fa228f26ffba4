// MaxPool, AveragePool and GlobalAveragePool on the CPU backend (NHWC) against the reference backend (NCHW).
// MaxPool is exact for every type. Float averages agree to 1e-6 of the largest magnitude. Quantized averages
// have no reference kernel; their definition — dequantize, average in float, quantize with the output's
// parameters (or stay float) — is composed from core/quant.h and the reference float kernel, and the CPU
// result (an exact integer sum, scaled once) may differ from it by 1 LSB at half-way points. With exact
// rounding (attr "exact_rounding", src/ir/ops.h) the quantized averages are the window mean of the dequantized
// inputs in double: the CPU and the reference kernels must agree bit for bit, and GlobalAveragePool must equal
// that formula written out here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/reference_backend.h"
#include "core/quant.h"
#include "node_harness.h"
#include "ir/exact_rounding.h"

namespace qatrt::cpu_test {
namespace {

constexpr DType kS8 = DType::kInt8, kU8 = DType::kUInt8, kF32 = DType::kFloat32;

struct PoolCase {
  Shape x;
  std::vector<int64_t> kernel, strides, pads, dilations;
  int64_t ceil_mode = 0;
  std::string text() const {
    std::ostringstream o;
    o << "x " << shape_text(x) << " kernel " << shape_text(kernel) << " strides " << shape_text(strides) << " pads "
      << shape_text(pads) << " dilations " << shape_text(dilations) << " ceil " << ceil_mode;
    return o.str();
  }
};

const std::vector<PoolCase> kPoolCases = {
    {{1, 8, 16, 16}, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 0},  // ResNet stem max pool
    {{2, 5, 8, 8}, {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 0},
    {{1, 16, 7, 9}, {3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 0},
    {{1, 4, 9, 9}, {3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 1},    // ceil_mode adds a last window
    {{1, 4, 10, 10}, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 1},  // ceil_mode with padding
    {{1, 6, 7, 7}, {2, 3}, {1, 2}, {0, 1, 1, 0}, {1, 1}, 0},    // asymmetric pads, non-square kernel
    {{1, 3, 11, 11}, {3, 3}, {1, 1}, {2, 2, 2, 2}, {2, 2}, 0},  // dilation (MaxPool only)
};

Tensor dequantized(const Tensor& q, const QuantParams& p) {
  Tensor x(kF32, q.shape());
  for (int64_t i = 0; i < q.numel(); ++i)
    x.data<float>()[i] = dequantize_value(static_cast<int32_t>(q.as_double(i)), p.scales[0], p.zero_points[0]);
  return x;
}

Tensor quantized(const Tensor& x, DType type, const QuantParams& p) {
  Tensor q(type, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    int32_t v = quantize_value(x.data<float>()[i], p.scales[0], p.zero_points[0], type);
    if (type == kS8)
      q.data<int8_t>()[i] = static_cast<int8_t>(v);
    else
      q.data<uint8_t>()[i] = static_cast<uint8_t>(v);
  }
  return q;
}

std::map<std::string, AttrValue> pool_attrs(const PoolCase& pc, bool average, int64_t count_include_pad) {
  std::map<std::string, AttrValue> attrs = {
      {"kernel_shape", pc.kernel}, {"strides", pc.strides}, {"pads", pc.pads}, {"ceil_mode", pc.ceil_mode}};
  if (average)
    attrs["count_include_pad"] = count_include_pad;
  else
    attrs["dilations"] = pc.dilations;
  return attrs;
}

class CpuPoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<Backend> cpu = make_cpu_backend({.threads = 2});
  std::unique_ptr<Backend> ref = make_reference_backend();
};

TEST_F(CpuPoolTest, MaxPoolIsExact) {
  int cases = 0;
  for (const PoolCase& pc : kPoolCases)
    for (DType type : {kF32, kS8, kU8}) {
      std::string text = pc.text() + " | " + std::string(dtype_name(type));
      std::mt19937 rng(100u + cases++);
      NodeGraph ng(Op::kMaxPool, pool_attrs(pc, false, 0));
      std::optional<QuantParams> q;
      if (type != kF32) q = per_tensor(0.1f, type == kU8 ? 128 : 0);
      ng.input(type, pc.x, q);
      ASSERT_TRUE(ng.infer_output().ok()) << text;
      Tensor x = type == kF32 ? random_float(pc.x, rng, -5.f, 5.f) : random_quantized(type, pc.x, rng);
      auto c = compare_with_reference(*cpu, *ref, ng.graph, {x}, 0);
      ASSERT_TRUE(c.ok()) << text << ": " << c.status().to_string();
      EXPECT_EQ(c->different, 0) << text << ": " << describe(*c);
    }
  EXPECT_EQ(cases, static_cast<int>(kPoolCases.size()) * 3);
}

TEST_F(CpuPoolTest, FloatAveragePoolMatchesReference) {
  int cases = 0;
  for (const PoolCase& pc : kPoolCases) {
    if (pc.dilations != std::vector<int64_t>{1, 1}) continue;
    for (int64_t include_pad : {0, 1}) {
      std::string text = pc.text() + " | count_include_pad " + std::to_string(include_pad);
      std::mt19937 rng(200u + cases++);
      NodeGraph ng(Op::kAveragePool, pool_attrs(pc, true, include_pad));
      ng.input(kF32, pc.x);
      ASSERT_TRUE(ng.infer_output().ok()) << text;
      Tensor x = random_float(pc.x, rng, -5.f, 5.f);
      auto c = compare_with_reference(*cpu, *ref, ng.graph, {x}, 1e-6);
      ASSERT_TRUE(c.ok()) << text << ": " << c.status().to_string();
      EXPECT_EQ(c->beyond, 0) << text << ": " << describe(*c);
    }
  }
  EXPECT_EQ(cases, 12);
}

// Quantized AveragePool / GlobalAveragePool: CPU result vs. dequantize → reference float pool → quantize.
void expect_quantized_average(Backend& cpu, Backend& ref, Op op, const PoolCase& pc, int64_t include_pad,
                              DType in_type, DType out_type, uint32_t seed) {
  std::ostringstream text;
  text << op_name(op) << " " << pc.text() << " | count_include_pad " << include_pad << " | " << dtype_name(in_type)
       << " → " << dtype_name(out_type);
  std::mt19937 rng(seed);
  const QuantParams in_q = per_tensor(0.037f, in_type == kU8 ? 128 : -3);
  const QuantParams out_q = per_tensor(0.011f, out_type == kU8 ? 100 : 4);
  auto attrs = op == Op::kAveragePool ? pool_attrs(pc, true, include_pad) : std::map<std::string, AttrValue>{};

  NodeGraph float_node(op, attrs);
  float_node.input(kF32, pc.x);
  ASSERT_TRUE(float_node.infer_output().ok()) << text.str();
  NodeGraph q_node(op, attrs);
  q_node.input(in_type, pc.x, in_q);
  q_node.output(out_type, float_node.graph.value(float_node.node().outputs[0]).shape,
                out_type == kF32 ? std::nullopt : std::optional<QuantParams>(out_q));

  Tensor x = random_quantized(in_type, pc.x, rng);
  auto averaged = run_on(ref, float_node.graph, {dequantized(x, in_q)});
  ASSERT_TRUE(averaged.ok()) << text.str() << ": " << averaged.status().to_string();
  Tensor want = out_type == kF32 ? averaged->at(0) : quantized(averaged->at(0), out_type, out_q);
  auto got = run_on(cpu, q_node.graph, {x});
  ASSERT_TRUE(got.ok()) << text.str() << ": " << got.status().to_string();
  Comparison c = compare(got->at(0), want, out_type == kF32 ? 1e-6 : 1.0);
  EXPECT_EQ(c.beyond, 0) << text.str() << ": " << describe(c);
  if (out_type != kF32) {
    EXPECT_LE(c.different, 1 + c.count / 100) << text.str() << ": " << describe(c);
  }
}

TEST_F(CpuPoolTest, QuantizedAveragePoolMatchesDefinition) {
  uint32_t seed = 400;
  for (const PoolCase& pc : kPoolCases) {
    if (pc.dilations != std::vector<int64_t>{1, 1}) continue;
    for (int64_t include_pad : {0, 1})
      for (auto [in_type, out_type] : std::vector<std::pair<DType, DType>>{{kS8, kS8}, {kU8, kU8}, {kS8, kF32}})
        expect_quantized_average(*cpu, *ref, Op::kAveragePool, pc, include_pad, in_type, out_type, seed++);
  }
  EXPECT_EQ(seed, 400u + 36u);
}

TEST_F(CpuPoolTest, GlobalAveragePool) {
  uint32_t seed = 500;
  for (Shape x : {Shape{1, 2048, 7, 7}, Shape{3, 5, 4, 6}, Shape{2, 16, 1, 1}}) {
    PoolCase pc{x, {}, {}, {}, {}, 0};
    std::mt19937 rng(seed++);
    NodeGraph ng(Op::kGlobalAveragePool);
    ng.input(kF32, x);
    ASSERT_TRUE(ng.infer_output().ok());
    Tensor input = random_float(x, rng, -3.f, 3.f);
    auto c = compare_with_reference(*cpu, *ref, ng.graph, {input}, 1e-6);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(c->beyond, 0) << "float GlobalAveragePool " << shape_text(x) << ": " << describe(*c);
    for (auto [in_type, out_type] : std::vector<std::pair<DType, DType>>{{kS8, kF32}, {kU8, kF32}, {kS8, kS8}})
      expect_quantized_average(*cpu, *ref, Op::kGlobalAveragePool, pc, 0, in_type, out_type, seed++);
  }
}

TEST_F(CpuPoolTest, ExactQuantizedAveragePoolMatchesReference) {
  uint32_t seed = 600;
  for (const PoolCase& pc : kPoolCases) {
    if (pc.dilations != std::vector<int64_t>{1, 1}) continue;
    for (int64_t include_pad : {0, 1})
      for (auto [in_type, out_type] :
           std::vector<std::pair<DType, DType>>{{kS8, kS8}, {kU8, kU8}, {kS8, kU8}, {kU8, kF32}}) {
        std::ostringstream text;
        text << "exact AveragePool " << pc.text() << " | count_include_pad " << include_pad << " | "
             << dtype_name(in_type) << " → " << dtype_name(out_type) << " | seed " << seed;
        std::mt19937 rng(seed++);
        NodeGraph ng(Op::kAveragePool, pool_attrs(pc, true, include_pad));
        ng.node().attrs[kExactRoundingAttr] = int64_t{1};
        ng.input(in_type, pc.x, per_tensor(0.037f, in_type == kU8 ? 128 : -3));
        NodeGraph shape_only(Op::kAveragePool, pool_attrs(pc, true, include_pad));
        shape_only.input(kF32, pc.x);
        ASSERT_TRUE(shape_only.infer_output().ok()) << text.str();
        ng.output(out_type, shape_only.graph.value(shape_only.node().outputs[0]).shape,
                  out_type == kF32 ? std::nullopt : std::optional<QuantParams>(per_tensor(0.011f, 4)));
        auto c = compare_with_reference(*cpu, *ref, ng.graph, {random_quantized(in_type, pc.x, rng)}, 0);
        ASSERT_TRUE(c.ok()) << text.str() << ": " << c.status().to_string();
        EXPECT_EQ(c->different, 0) << text.str() << ": " << describe(*c);
      }
  }
  EXPECT_EQ(seed, 600u + 48u);
}

// s_out = 2·s_in / (H·W) (rounded to float32) puts every odd window sum a hair off a half-way point.
TEST_F(CpuPoolTest, ExactGlobalAveragePoolMatchesDoubleFormula) {
  uint32_t seed = 700;
  int64_t rounded_differently = 0;  // elements where the float32 path gives another answer
  for (Shape x : {Shape{1, 2048, 7, 7}, Shape{3, 5, 4, 6}, Shape{2, 16, 1, 1}})
    for (auto [in_type, out_type] : std::vector<std::pair<DType, DType>>{{kS8, kS8}, {kU8, kU8}, {kS8, kU8}}) {
      const int64_t hw = x[2] * x[3];
      const QuantParams in_q = per_tensor(0.037f, in_type == kU8 ? 128 : -3);
      const QuantParams out_q = per_tensor(2 * 0.037f / static_cast<float>(hw), out_type == kU8 ? 120 : 1);
      std::ostringstream text;
      text << "exact GlobalAveragePool " << shape_text(x) << " | " << dtype_name(in_type) << " → "
           << dtype_name(out_type) << " s_out " << out_q.scales[0] << " | seed " << seed;
      std::mt19937 rng(seed++);
      Tensor input = random_quantized(in_type, x, rng);
      NodeGraph ng(Op::kGlobalAveragePool);
      ng.input(in_type, x, in_q);
      ng.output(out_type, {x[0], x[1], 1, 1}, out_q);
      auto today = run_on(*cpu, ng.graph, {input});  // the float32 path, for the count below
      ng.node().attrs[kExactRoundingAttr] = int64_t{1};
      auto got = run_on(*cpu, ng.graph, {input});
      auto want = run_on(*ref, ng.graph, {input});
      ASSERT_TRUE(today.ok() && got.ok() && want.ok()) << text.str();
      Comparison same = compare(got->at(0), want->at(0), 0);
      EXPECT_EQ(same.different, 0) << text.str() << ": " << describe(same);
      for (int64_t p = 0; p < x[0] * x[1]; ++p) {
        double sum = 0;
        for (int64_t i = 0; i < hw; ++i)
          sum += (input.as_double(p * hw + i) - static_cast<double>(in_q.zero_points[0])) * in_q.scales[0];
        double r = std::nearbyint(sum / static_cast<double>(hw) / out_q.scales[0]) + out_q.zero_points[0];
        const auto expected = static_cast<int32_t>(std::clamp<double>(r, quant_min(out_type), quant_max(out_type)));
        ASSERT_EQ(static_cast<int32_t>(got->at(0).as_double(p)), expected) << text.str() << ": plane " << p;
        rounded_differently += expected != static_cast<int32_t>(today->at(0).as_double(p));
      }
    }
  EXPECT_GT(rounded_differently, 0) << "no plane where float32 and double round differently: the test tests nothing";
  std::cout << "[ exact GlobalAveragePool ] planes rounded differently from float32: " << rounded_differently << "\n";
}

}  // namespace
}  // namespace qatrt::cpu_test
