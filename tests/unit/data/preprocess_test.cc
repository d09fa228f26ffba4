// Presets on known pixels, layouts, the full pipeline against PIL + numpy, and batch loading on threads.
#include "data/preprocess.h"
#include "image_test_util.h"

namespace qatrt {
namespace {

using data_test::TempDirTest;

class Preprocess : public TempDirTest {};

float at_nchw(const Tensor& t, int64_t n, int64_t c, int64_t y, int64_t x) {
  const Shape& s = t.shape();
  return t.data<float>()[((n * s[1] + c) * s[2] + y) * s[3] + x];
}

TEST_F(Preprocess, EachPresetOnAKnownPixel) {
  // A uniform image stays exactly uniform through resize and crop, so every output equals the preset applied
  // to (R, G, B) = (10, 100, 200). Expected values worked out by hand from the formulas in preprocess.h.
  ASSERT_TRUE(data_test::write_rgb_png(path("u.png"), data_test::uniform_image(300, 260, 10, 100, 200)));
  struct Case {
    const char* preset;
    float expected[3];  // output channels 0, 1, 2
  };
  const Case cases[] = {
      {"caffe", {200 - 103.939f, 100 - 116.779f, 10 - 123.68f}},                          // B, G, R
      {"torch", {(10 / 255.f - .485f) / .229f, (100 / 255.f - .456f) / .224f, (200 / 255.f - .406f) / .225f}},
      {"tf", {10 - 123.68f, 100 - 116.78f, 200 - 103.94f}},
  };
  const float by_hand[3][3] = {{96.061f, -16.779f, -113.68f}, {-1.946656f, -0.285014f, 1.681394f}, {-113.68f, -16.78f, 96.06f}};
  for (int p = 0; p < 3; ++p) {
    const Case& c = cases[p];
    auto preset = parse_preprocess_preset(c.preset);
    ASSERT_TRUE(preset.ok());
    auto t = preprocess_image_file(path("u.png"), {.preset = *preset});
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    ASSERT_EQ(t->shape(), (Shape{1, 3, 224, 224}));
    for (int ch = 0; ch < 3; ++ch) {
      EXPECT_NEAR(c.expected[ch], by_hand[p][ch], 1e-4) << c.preset << " channel " << ch << ": formula vs hand";
      for (int y : {0, 111, 223})
        for (int x : {0, 57, 223}) ASSERT_EQ(at_nchw(*t, 0, ch, y, x), c.expected[ch]) << c.preset << " channel " << ch;
    }
  }
}

TEST_F(Preprocess, FullPipelineMatchesPilAndNumpy) {
  // PIL: synthetic(300, 200).resize((384, 256), BILINEAR).crop((80, 16, 304, 240)), then numpy float32:
  //   torch: (p / 255 − mean) / std;  caffe: p[..., ::-1] − mean.
  ASSERT_TRUE(data_test::write_rgb_png(path("s.png"), data_test::synthetic_image(300, 200)));
  struct Probe {
    int c, y, x;
    float torch, caffe;
  };
  const Probe probes[] = {{0, 0, 0, 0.2795616686344147f, -13.939002990722656f},
                          {1, 100, 37, 0.415266215801239f, 23.22100067138672f},
                          {2, 223, 223, 1.1236603260040283f, -67.68000030517578f}};
  auto torch = preprocess_image_file(path("s.png"), {.preset = PreprocessPreset::kTorch});
  auto caffe = preprocess_image_file(path("s.png"), {.preset = PreprocessPreset::kCaffe});
  ASSERT_TRUE(torch.ok() && caffe.ok());
  for (const Probe& p : probes) {
    EXPECT_EQ(at_nchw(*torch, 0, p.c, p.y, p.x), p.torch) << "torch c" << p.c << " y" << p.y << " x" << p.x;
    EXPECT_EQ(at_nchw(*caffe, 0, p.c, p.y, p.x), p.caffe) << "caffe c" << p.c << " y" << p.y << " x" << p.x;
  }
}

TEST_F(Preprocess, ChannelsLastIsTheSameNumbersTransposed) {
  ASSERT_TRUE(data_test::write_rgb_png(path("s.png"), data_test::synthetic_image(120, 90)));
  PreprocessOptions nchw{.preset = PreprocessPreset::kTorch, .resize = 64, .crop = 56};
  PreprocessOptions nhwc = nchw;
  nhwc.channels_last = true;
  auto a = preprocess_image_file(path("s.png"), nchw);
  auto b = preprocess_image_file(path("s.png"), nhwc);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->shape(), (Shape{1, 3, 56, 56}));
  ASSERT_EQ(b->shape(), (Shape{1, 56, 56, 3}));
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 56; ++y)
      for (int x = 0; x < 56; ++x)
        ASSERT_EQ(at_nchw(*a, 0, c, y, x), b->data<float>()[(y * 56 + x) * 3 + c]) << c << "," << y << "," << x;
}

TEST_F(Preprocess, BatchOnThreadsEqualsOneByOne) {
  std::vector<std::string> files;
  for (int i = 0; i < 5; ++i) {
    files.push_back(path("img" + std::to_string(i) + (i % 2 ? ".png" : ".jpg")));
    Image image = data_test::synthetic_image(80 + 13 * i, 70 + 7 * i);
    ASSERT_TRUE(i % 2 ? data_test::write_rgb_png(files.back(), image) : data_test::write_jpeg(files.back(), image));
  }
  PreprocessOptions options{.preset = PreprocessPreset::kTf, .resize = 72, .crop = 64};
  for (int threads : {1, 3, 8}) {
    auto batch = load_image_batch(files, options, threads);
    ASSERT_TRUE(batch.ok()) << batch.status().to_string();
    ASSERT_EQ(batch->shape(), (Shape{5, 3, 64, 64}));
    for (size_t i = 0; i < files.size(); ++i) {
      auto single = preprocess_image_file(files[i], options);
      ASSERT_TRUE(single.ok());
      const size_t n = single->values<float>().size();
      ASSERT_TRUE(std::equal(single->data<float>(), single->data<float>() + n, batch->data<float>() + i * n))
          << "image " << i << " with " << threads << " threads";
    }
  }
}

TEST_F(Preprocess, BatchReportsTheFirstFailingPath) {
  ASSERT_TRUE(data_test::write_rgb_png(path("ok.png"), data_test::synthetic_image(30, 30)));
  data_test::write_bytes(path("text.jpg"), "hello");
  std::vector<std::string> files = {path("ok.png"), path("missing.png"), path("text.jpg")};
  auto batch = load_image_batch(files, {.resize = 28, .crop = 24}, 3);
  ASSERT_FALSE(batch.ok());
  EXPECT_NE(batch.status().message().find(path("missing.png")), std::string::npos) << batch.status().to_string();
}

TEST_F(Preprocess, InvalidOptionsAndPresetNames) {
  ASSERT_TRUE(data_test::write_rgb_png(path("ok.png"), data_test::synthetic_image(30, 30)));
  auto t = preprocess_image_file(path("ok.png"), {.resize = 200, .crop = 224});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("crop 224 and resize 200"), std::string::npos) << t.status().to_string();
  auto preset = parse_preprocess_preset("keras");
  ASSERT_FALSE(preset.ok());
  EXPECT_NE(preset.status().message().find("'keras'; use caffe, torch or tf"), std::string::npos);
  for (auto p : {PreprocessPreset::kCaffe, PreprocessPreset::kTorch, PreprocessPreset::kTf})
    EXPECT_EQ(parse_preprocess_preset(preprocess_preset_name(p)).value(), p);
}

TEST_F(Preprocess, ExtremeAspectRatioIsRefused) {
  ASSERT_TRUE(data_test::write_rgb_png(path("strip.png"), data_test::synthetic_image(4000, 1)));
  auto t = preprocess_image_file(path("strip.png"), {});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("aspect ratio"), std::string::npos) << t.status().to_string();
  EXPECT_NE(t.status().message().find(path("strip.png")), std::string::npos) << t.status().to_string();
}

}  // namespace
}  // namespace qatrt
