// QuantizeLinear, DequantizeLinear and Requantize on the CPU backend must be bit-exact with core/quant.h
// (round half to even of x / s, saturation, NaN → type minimum) and with the reference kernels, on data built
// to hit exact half-way points, values one ulp either side of them, ±0, ±inf, NaN and huge magnitudes, in
// buffers small and large (the parallel path). With exact rounding (attr "exact_rounding", src/ir/ops.h) both
// backends must equal the double formulas instead: x / s and (q − z_in)·s_in / s_out in double.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/reference_backend.h"
#include "core/quant.h"
#include "node_harness.h"
#include "ir/exact_rounding.h"

namespace qatrt::cpu_test {
namespace {

constexpr DType kS8 = DType::kInt8, kU8 = DType::kUInt8, kF32 = DType::kFloat32;

// Half-way points k + 0.5 times the scale and their float neighbours, specials, then random values.
Tensor quantize_inputs(float scale, int64_t count, std::mt19937& rng) {
  std::vector<float> v;
  for (int k = -300; k <= 300; ++k) {
    float tie = (static_cast<float>(k) + 0.5f) * scale;
    v.push_back(tie);
    v.push_back(std::nextafter(tie, INFINITY));
    v.push_back(std::nextafter(tie, -INFINITY));
    v.push_back(static_cast<float>(k) * scale);
  }
  const float inf = std::numeric_limits<float>::infinity();
  for (float s : {0.f, -0.f, inf, -inf, std::numeric_limits<float>::quiet_NaN(), 1e30f, -1e30f, 3e9f, -3e9f,
                  std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max()})
    v.push_back(s);
  std::uniform_real_distribution<float> dist(-200.f * scale, 200.f * scale);
  while (static_cast<int64_t>(v.size()) < count) v.push_back(dist(rng));
  v.resize(static_cast<size_t>(std::max<int64_t>(count, 1)));
  return Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v);
}

std::map<std::string, AttrValue> qdq_attrs(float scale, int64_t zero_point, DType type) {
  return {{"scale", std::vector<float>{scale}},
          {"zero_point", std::vector<int64_t>{zero_point}},
          {"output_dtype", static_cast<int64_t>(type)}};
}

// The exact-rounding formulas of ops.h, written out: round half to even in double, then saturate.
int32_t saturated_double_round(double v, int64_t zero_point, DType type) {
  double r = std::nearbyint(v) + static_cast<double>(zero_point);  // NaN stays NaN and fails both comparisons
  return static_cast<int32_t>(r > quant_min(type) ? (r < quant_max(type) ? r : quant_max(type)) : quant_min(type));
}

class CpuQuantizeTest : public ::testing::Test {
 protected:
  std::unique_ptr<Backend> cpu = make_cpu_backend({.threads = 2});
  std::unique_ptr<Backend> ref = make_reference_backend();
};

TEST_F(CpuQuantizeTest, QuantizeIsBitExact) {
  int cases = 0;
  int64_t rounded_differently = 0;  // exact elements where the float32 formula gives another answer
  for (bool exact : {false, true})
    for (DType type : {kS8, kU8})
      for (int64_t zero_point : {int64_t{0}, type == kS8 ? int64_t{-3} : int64_t{128}})
        for (float scale : {0.25f, 0.1f, 0.0372f, 3.f})
          for (int64_t count : {int64_t{2500}, int64_t{70001}}) {
            std::ostringstream text;
            text << (exact ? "exact " : "") << dtype_name(type) << " scale " << scale << " zero point " << zero_point
                 << " count " << count;
            std::mt19937 rng(10u + cases++);
            Tensor x = quantize_inputs(scale, count, rng);
            NodeGraph ng(Op::kQuantizeLinear, qdq_attrs(scale, zero_point, type));
            ng.input(kF32, x.shape());
            ASSERT_TRUE(ng.infer_output().ok());
            if (exact) ng.node().attrs[kExactRoundingAttr] = int64_t{1};
            auto got = run_on(*cpu, ng.graph, {x});
            ASSERT_TRUE(got.ok()) << text.str() << ": " << got.status().to_string();
            auto ref_out = run_on(*ref, ng.graph, {x});
            ASSERT_TRUE(ref_out.ok()) << text.str() << ": " << ref_out.status().to_string();
            EXPECT_EQ(compare(got->at(0), ref_out->at(0), 0).different, 0) << text.str();
            for (int64_t i = 0; i < x.numel(); ++i) {
              const float xi = x.data<float>()[i];
              const int32_t in_float = quantize_value(xi, scale, zero_point, type);
              const int32_t want =
                  exact ? saturated_double_round(static_cast<double>(xi) / scale, zero_point, type) : in_float;
              const int32_t have = static_cast<int32_t>(got->at(0).as_double(i));
              ASSERT_EQ(have, want) << text.str() << ": x = " << xi << " (x/s = " << static_cast<double>(xi) / scale
                                    << ")";
              rounded_differently += want != in_float;
            }
          }
  EXPECT_EQ(cases, 64);
  EXPECT_GT(rounded_differently, 0) << "no input where float32 and double round differently: the test tests nothing";
  std::cout << "[ exact Q ] elements rounded differently from float32: " << rounded_differently << "\n";
}

TEST_F(CpuQuantizeTest, DequantizeIsBitExact) {
  int cases = 0;
  for (DType type : {kS8, kU8})
    for (int64_t zero_point : {int64_t{0}, type == kS8 ? int64_t{5} : int64_t{128}})
      for (Shape shape : {Shape{256}, Shape{2, 64, 33, 17}}) {
        std::mt19937 rng(20u + cases++);
        Tensor q = random_quantized(type, shape, rng);
        NodeGraph ng(Op::kDequantizeLinear, qdq_attrs(0.0713f, zero_point, type));
        ng.input(type, shape, per_tensor(0.0713f, zero_point));
        ASSERT_TRUE(ng.infer_output().ok());
        auto got = run_on(*cpu, ng.graph, {q});
        ASSERT_TRUE(got.ok()) << got.status().to_string();
        auto want = run_on(*ref, ng.graph, {q});
        ASSERT_TRUE(want.ok()) << want.status().to_string();
        Comparison c = compare(got->at(0), want->at(0), 0);
        EXPECT_EQ(c.different, 0) << dtype_name(type) << " z" << zero_point << " " << shape_text(shape) << ": "
                                  << describe(c);
      }
  EXPECT_EQ(cases, 8);
}

TEST_F(CpuQuantizeTest, RequantizeIsBitExactForEveryInput) {
  int cases = 0;
  int64_t rounded_differently = 0;  // exact elements where the float32 formula gives another answer
  for (bool exact : {false, true})
    for (DType in_type : {kS8, kU8})
      for (DType out_type : {kS8, kU8})
        for (auto [in_q, out_q] : std::vector<std::pair<QuantParams, QuantParams>>{
                 {per_tensor(0.1f, 0), per_tensor(0.2f, 0)},      // exact halving: many half-way points
                 {per_tensor(0.05f, 3), per_tensor(0.0371f, 7)},
                 {per_tensor(0.5f, 0), per_tensor(0.01f, 0)}}) {  // saturates
          std::ostringstream text;
          text << (exact ? "exact " : "") << dtype_name(in_type) << " s" << in_q.scales[0] << " z"
               << in_q.zero_points[0] << " → " << dtype_name(out_type) << " s" << out_q.scales[0] << " z"
               << out_q.zero_points[0];
          ++cases;
          Tensor q(in_type, {256});
          for (int i = 0; i < 256; ++i) static_cast<uint8_t*>(q.raw())[i] = static_cast<uint8_t>(i);  // every byte
          NodeGraph ng(Op::kRequantize);
          ng.input(in_type, q.shape(), in_q);
          ng.output(out_type, q.shape(), out_q);
          if (exact) ng.node().attrs[kExactRoundingAttr] = int64_t{1};
          auto got = run_on(*cpu, ng.graph, {q});
          ASSERT_TRUE(got.ok()) << text.str() << ": " << got.status().to_string();
          auto want = run_on(*ref, ng.graph, {q});
          ASSERT_TRUE(want.ok()) << text.str() << ": " << want.status().to_string();
          Comparison c = compare(got->at(0), want->at(0), 0);
          EXPECT_EQ(c.different, 0) << text.str() << ": " << describe(c);
          if (!exact) continue;
          for (int64_t i = 0; i < 256; ++i) {
            const auto v = static_cast<int32_t>(q.as_double(i));
            const double real = static_cast<double>(v - in_q.zero_points[0]) * in_q.scales[0] / out_q.scales[0];
            const int32_t expected = saturated_double_round(real, out_q.zero_points[0], out_type);
            ASSERT_EQ(static_cast<int32_t>(got->at(0).as_double(i)), expected) << text.str() << ": q = " << v;
            rounded_differently +=
                expected != quantize_value(dequantize_value(v, in_q.scales[0], in_q.zero_points[0]), out_q.scales[0],
                                           out_q.zero_points[0], out_type);
          }
        }
  EXPECT_EQ(cases, 24);
  EXPECT_GT(rounded_differently, 0) << "no input where float32 and double round differently: the test tests nothing";
}

}  // namespace
}  // namespace qatrt::cpu_test
