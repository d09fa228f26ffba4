// Conv2D, ZeroPadding2D and pooling layers: imported graphs run on the reference backend against Keras
// semantics computed here, in NHWC, straight from the TF definitions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ir/printer.h"
#include "keras/importer.h"
#include "unit/keras/keras_model_writer.h"

namespace qatrt::testing {
namespace {

const Node* find_node(const Graph& graph, Op op) {
  for (const Node& n : graph.nodes)
    if (n.op == op) return &n;
  return nullptr;
}

// Runs a one-input model on an NHWC input and returns its first output back in NHWC (or as is if 2-D).
std::vector<float> run_nhwc(const Graph& graph, const Tensor& x_nhwc) {
  auto outputs = testing::run_reference(graph, {testing::nhwc_to_nchw(x_nhwc)});
  if (outputs.empty()) return {};
  Tensor y = outputs[0].shape().size() == 4 ? testing::nchw_to_nhwc(outputs[0]) : outputs[0];
  auto values = y.values<float>();
  return {values.begin(), values.end()};
}

struct ConvCase {
  int64_t h, w, c, filters, kh, kw, sh, sw, dh, dw, groups;
  std::string padding;
  bool bias;
  std::string activation;
};

std::string describe(const ConvCase& c) {
  std::ostringstream out;
  out << "in " << c.h << "x" << c.w << "x" << c.c << " filters " << c.filters << " kernel " << c.kh << "x" << c.kw
      << " strides " << c.sh << "," << c.sw << " dilation " << c.dh << "," << c.dw << " groups " << c.groups
      << " padding " << c.padding << " bias " << c.bias << " activation " << c.activation;
  return out.str();
}

// TF's Conv2D on NHWC with an HWIO kernel: 'valid' or SAME (out = ceil(in/stride), extra pad at the end).
std::vector<float> keras_conv(const ConvCase& c, int64_t n, const std::vector<float>& x, const std::vector<float>& k,
                              const std::vector<float>& b, int64_t& oh, int64_t& ow) {
  int64_t eh = (c.kh - 1) * c.dh + 1, ew = (c.kw - 1) * c.dw + 1, top = 0, left = 0;
  if (c.padding == "same") {
    oh = (c.h + c.sh - 1) / c.sh;
    ow = (c.w + c.sw - 1) / c.sw;
    top = std::max<int64_t>((oh - 1) * c.sh + eh - c.h, 0) / 2;
    left = std::max<int64_t>((ow - 1) * c.sw + ew - c.w, 0) / 2;
  } else {
    oh = (c.h - eh) / c.sh + 1;
    ow = (c.w - ew) / c.sw + 1;
  }
  int64_t cg = c.c / c.groups, fg = c.filters / c.groups;
  std::vector<float> y(n * oh * ow * c.filters);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t f = 0; f < c.filters; ++f) {
          double acc = c.bias ? b[f] : 0.0;
          int64_t g = f / fg;
          for (int64_t ky = 0; ky < c.kh; ++ky)
            for (int64_t kx = 0; kx < c.kw; ++kx) {
              int64_t iy = oy * c.sh + ky * c.dh - top, ix = ox * c.sw + kx * c.dw - left;
              if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
              for (int64_t ci = 0; ci < cg; ++ci)
                acc += x[((i * c.h + iy) * c.w + ix) * c.c + g * cg + ci] * k[((ky * c.kw + kx) * cg + ci) * c.filters + f];
            }
          if (c.activation == "relu") acc = std::max(acc, 0.0);
          y[((i * oh + oy) * ow + ox) * c.filters + f] = static_cast<float>(acc);
        }
  return y;
}

TEST(KerasConv2D, MatchesTfSemanticsAcrossConfigs) {
  const std::vector<ConvCase> cases = {
      {5, 5, 3, 4, 3, 3, 1, 1, 1, 1, 1, "valid", true, "linear"},
      {5, 5, 3, 4, 3, 3, 1, 1, 1, 1, 1, "same", true, "relu"},
      {7, 6, 2, 3, 3, 3, 2, 2, 1, 1, 1, "same", false, "linear"},  // odd total pad → extra at the end
      {8, 8, 2, 3, 7, 7, 2, 2, 1, 1, 1, "same", true, "linear"},
      {6, 7, 3, 2, 1, 1, 2, 2, 1, 1, 1, "valid", true, "relu"},
      {9, 9, 2, 2, 3, 3, 1, 1, 2, 2, 1, "same", true, "linear"},   // dilation
      {6, 6, 4, 6, 3, 3, 1, 1, 1, 1, 2, "same", true, "linear"},   // grouped
      {6, 5, 2, 2, 2, 3, 1, 2, 1, 1, 1, "same", true, "softmax"},  // non-square; softmax over channels
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(describe(c));
    TempDir dir;
    KerasModel model;
    model.input("x", {c.h, c.w, c.c});
    json config = {{"filters", c.filters},  {"kernel_size", {c.kh, c.kw}}, {"strides", {c.sh, c.sw}},
                   {"padding", c.padding},  {"dilation_rate", {c.dh, c.dw}}, {"activation", c.activation},
                   {"use_bias", c.bias},    {"data_format", "channels_last"}, {"dtype", "float32"}};
    if (c.groups != 1) config["groups"] = c.groups;
    model.layer("conv", "Conv2D", config, {"x"});
    auto kernel = testing::ramp(c.kh * c.kw * (c.c / c.groups) * c.filters, 0.1f);
    auto bias = testing::ramp(c.filters, -0.2f);
    model.weight("conv/kernel", {c.kh, c.kw, c.c / c.groups, c.filters}, kernel);
    if (c.bias) model.weight("conv/bias", {c.filters}, bias);
    model.output("conv");
    Graph graph = import_or_fail(model.write(dir));
    ASSERT_EQ(count_ops(graph, Op::kConv), 1) << print_graph(graph);
    const int64_t n = 2;
    Tensor x = Tensor::from_vector<float>({n, c.h, c.w, c.c}, testing::ramp(n * c.h * c.w * c.c, 0.05f));
    int64_t oh = 0, ow = 0;
    std::vector<float> expected = keras_conv(c, n, x.to_float_vector(), kernel, bias, oh, ow);
    if (c.activation == "softmax") {
      for (size_t p = 0; p < expected.size(); p += c.filters) {
        double sum = 0;
        for (int64_t f = 0; f < c.filters; ++f) sum += std::exp(expected[p + f]);
        for (int64_t f = 0; f < c.filters; ++f) expected[p + f] = static_cast<float>(std::exp(expected[p + f]) / sum);
      }
    }
    EXPECT_EQ(graph.value(graph.outputs[0]).shape, (Shape{kDynamicDim, c.filters, oh, ow}));
    std::vector<float> got = run_nhwc(graph, x);
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], expected[i], 1e-5) << "element " << i;
  }
}

// 3×3 input 1..9, 2×2 ones kernel, stride 2, SAME: TF pads one row / column at the bottom / right only.
TEST(KerasConv2D, SamePaddingPutsTheOddPadAtTheEnd) {
  TempDir dir;
  KerasModel model;
  model.input("x", {3, 3, 1});
  model.layer("conv", "Conv2D",
              {{"filters", 1}, {"kernel_size", {2, 2}}, {"strides", {2, 2}}, {"padding", "same"},
               {"activation", "linear"}, {"use_bias", false}},
              {"x"});
  model.weight("conv/kernel", {2, 2, 1, 1}, {1, 1, 1, 1});
  model.output("conv");
  Graph graph = import_or_fail(model.write(dir));
  ASSERT_NE(find_node(graph, Op::kConv), nullptr);
  EXPECT_EQ(find_node(graph, Op::kConv)->attr_ints("pads"), (std::vector<int64_t>{0, 0, 1, 1}));
  Tensor x = Tensor::from_vector<float>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(run_nhwc(graph, x), (std::vector<float>{12, 9, 15, 9}));
}

// ZeroPadding2D [[1,2],[0,1]] before a valid conv folds into the conv's pads, with the same numbers.
TEST(KerasZeroPadding2D, FoldsIntoTheFollowingConv) {
  TempDir dir;
  KerasModel model;
  model.input("x", {3, 3, 1});
  model.layer("pad", "ZeroPadding2D", {{"padding", {{1, 2}, {0, 1}}}, {"data_format", "channels_last"}}, {"x"});
  model.layer("conv", "Conv2D",
              {{"filters", 1}, {"kernel_size", {2, 2}}, {"padding", "valid"}, {"use_bias", false}}, {"pad"});
  model.weight("conv/kernel", {2, 2, 1, 1}, {1, 2, 3, 4});  // [[1,2],[3,4]]
  model.output("conv");
  Graph graph = import_or_fail(model.write(dir));
  EXPECT_EQ(count_ops(graph, Op::kPad), 0) << print_graph(graph);
  const Node* conv = find_node(graph, Op::kConv);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->attr_ints("pads"), (std::vector<int64_t>{1, 0, 2, 1}));
  EXPECT_EQ(conv->fused_from, std::vector<std::string>{"pad"});
  // Padded 6×4 input (rows: 0 | 1 2 3 | 0 0, a zero column on the right), valid 2×2 conv → 5×3.
  Tensor x = Tensor::from_vector<float>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  std::vector<float> padded(6 * 4, 0.0f);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) padded[(r + 1) * 4 + c] = x.data<float>()[r * 3 + c];
  std::vector<float> expected;
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 3; ++c)
      expected.push_back(padded[r * 4 + c] + 2 * padded[r * 4 + c + 1] + 3 * padded[(r + 1) * 4 + c] +
                         4 * padded[(r + 1) * 4 + c + 1]);
  EXPECT_EQ(run_nhwc(graph, x), expected);
}

// After a relu, zero padding before a MaxPool is exact as MaxPool pads: folded (ResNet's pool1_pad).
TEST(KerasZeroPadding2D, FoldsIntoMaxPoolAfterRelu) {
  TempDir dir;
  KerasModel model;
  model.input("x", {4, 4, 1});
  model.layer("relu", "Activation", {{"activation", "relu"}}, {"x"});
  model.layer("pad", "ZeroPadding2D", {{"padding", {{1, 1}, {1, 1}}}}, {"relu"});
  model.layer("pool", "MaxPooling2D", {{"pool_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "valid"}}, {"pad"});
  model.output("pool");
  Graph graph = import_or_fail(model.write(dir));
  EXPECT_EQ(count_ops(graph, Op::kPad), 0) << print_graph(graph);
  ASSERT_NE(find_node(graph, Op::kMaxPool), nullptr);
  EXPECT_EQ(find_node(graph, Op::kMaxPool)->attr_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  // relu(x) padded to 6×6, 3×3 windows at stride 2 → 2×2.
  std::vector<float> xs = {-1, 2, -3, 4, 5, -6, 7, -8, -9, 10, -11, 12, 13, -14, 15, -16};
  std::vector<float> padded(36, 0.0f);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) padded[(r + 1) * 6 + c + 1] = std::max(xs[r * 4 + c], 0.0f);
  std::vector<float> expected;
  for (int oy = 0; oy < 2; ++oy)
    for (int ox = 0; ox < 2; ++ox) {
      float m = -1e30f;
      for (int ky = 0; ky < 3; ++ky)
        for (int kx = 0; kx < 3; ++kx) m = std::max(m, padded[(oy * 2 + ky) * 6 + ox * 2 + kx]);
      expected.push_back(m);
    }
  EXPECT_EQ(run_nhwc(graph, Tensor::from_vector<float>({1, 4, 4, 1}, xs)), expected);
}

// Without a relu the zeros the padding adds can win the max: the Pad must stay.
TEST(KerasZeroPadding2D, StaysBeforeMaxPoolOnSignedInput) {
  TempDir dir;
  KerasModel model;
  model.input("x", {2, 2, 1});
  model.layer("pad", "ZeroPadding2D", {{"padding", 1}}, {"x"});
  model.layer("pool", "MaxPooling2D", {{"pool_size", {2, 2}}, {"strides", {1, 1}}, {"padding", "valid"}}, {"pad"});
  model.output("pool");
  Graph graph = import_or_fail(model.write(dir));
  EXPECT_EQ(count_ops(graph, Op::kPad), 1) << print_graph(graph);
  Tensor x = Tensor::from_vector<float>({1, 2, 2, 1}, {-1, -2, -3, -4});
  EXPECT_EQ(run_nhwc(graph, x), (std::vector<float>{0, 0, 0, 0, -1, 0, 0, 0, 0}));
}

// Channel 0 holds v, channel 1 holds 10·v, so a mix-up of channels or of the padded side shows.
Tensor two_channel_3x3(float sign) {
  std::vector<float> v;
  for (int i = 1; i <= 9; ++i) v.insert(v.end(), {sign * i, sign * 10 * i});
  return Tensor::from_vector<float>({1, 3, 3, 2}, v);
}

TEST(KerasPooling, MaxPoolSameIgnoresThePadding) {
  Graph graph = import_one_layer({3, 3, 2}, "pool", "MaxPooling2D",
                                 {{"pool_size", {2, 2}}, {"strides", nullptr}, {"padding", "same"}});
  // Negative inputs: a zero pad would win every edge window.
  EXPECT_EQ(run_nhwc(graph, two_channel_3x3(-1)), (std::vector<float>{-1, -10, -3, -30, -7, -70, -9, -90}));
  EXPECT_EQ(run_nhwc(graph, two_channel_3x3(1)), (std::vector<float>{5, 50, 6, 60, 8, 80, 9, 90}));
}

TEST(KerasPooling, AveragePoolSameCountsRealElementsOnly) {
  Graph graph = import_one_layer({3, 3, 2}, "pool", "AveragePooling2D",
                                 {{"pool_size", {2, 2}}, {"strides", {2, 2}}, {"padding", "same"}});
  EXPECT_EQ(run_nhwc(graph, two_channel_3x3(1)), (std::vector<float>{3, 30, 4.5, 45, 7.5, 75, 9, 90}));
}

TEST(KerasPooling, AveragePoolValid) {
  Graph graph = import_one_layer({3, 3, 2}, "pool", "AveragePooling2D",
                                 {{"pool_size", {2, 2}}, {"strides", {1, 1}}, {"padding", "valid"}});
  EXPECT_EQ(run_nhwc(graph, two_channel_3x3(1)), (std::vector<float>{3, 30, 4, 40, 6, 60, 7, 70}));
}

TEST(KerasPooling, GlobalAveragePoolGivesBatchByChannels) {
  Graph graph = import_one_layer({3, 3, 2}, "gap", "GlobalAveragePooling2D", {{"data_format", "channels_last"}});
  EXPECT_EQ(graph.value(graph.outputs[0]).shape, (Shape{kDynamicDim, 2}));
  EXPECT_EQ(run_nhwc(graph, two_channel_3x3(1)), (std::vector<float>{5, 50}));
}

TEST(KerasPooling, GlobalAveragePoolKeepdims) {
  Graph graph = import_one_layer({3, 3, 2}, "gap", "GlobalAveragePooling2D", {{"keepdims", true}});
  EXPECT_EQ(graph.value(graph.outputs[0]).shape, (Shape{kDynamicDim, 2, 1, 1}));
  EXPECT_EQ(run_nhwc(graph, two_channel_3x3(1)), (std::vector<float>{5, 50}));
}

}  // namespace
}  // namespace qatrt::testing
