// The GPU INT8 convolution (src/backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc.h) against the host: exact
// int32 accumulators, then every epilogue variant bit for bit, on every tile, over a sweep of shapes that
// covers ResNet-50's kinds of layers and the kernel's edges (partial tiles, C padding, reduction slices that
// straddle filter taps, K not a multiple of 4, padding-only windows), a sweep of 1×1 GEMM shapes that also
// reaches the TMA-fed sm_90 wgmma tiles on Hopper, and a sweep of the other convolutions for the gathering
// sm_90 tiles. Device tests skip cleanly where qatrt
// was built without CUDA or no device is visible; the host-side preparation and refusal tests always run.
#include <gtest/gtest.h>

#include <vector>

#ifdef QATRT_HAVE_CUDA
#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc.h"
#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc_sm90.h"
#include "backends/cuda/conv_int8_prepare.h"
#include "backends/cuda/conv_int8_support.h"
#include "backends/cuda/device.h"
#include "unit/cuda/conv_int8_harness.h"
#endif

namespace qatrt::cuda {
namespace {

#ifdef QATRT_HAVE_CUDA

using conv_check::ConvCase;
using conv_check::EpilogueMode;

//  n   c   h   w    k  r  s  stride pad
const std::vector<ConvCase> kCases = {
    {2, 3, 23, 21, 64, 7, 7, 2, 2, 3, 3},     // stem: C 3 → 32, 7×7/2, odd sizes
    {3, 64, 9, 9, 256, 1, 1, 1, 1, 0, 0},     // 1×1 expansion, M = 243 (partial M tiles)
    {2, 256, 14, 14, 512, 1, 1, 2, 2, 0, 0},  // 1×1/2 downsample projection
    {2, 64, 12, 12, 64, 3, 3, 1, 1, 1, 1},    // 3×3 bottleneck
    {1, 128, 15, 15, 128, 3, 3, 2, 2, 1, 1},  // 3×3/2, odd input
    {1, 96, 7, 9, 40, 3, 3, 1, 1, 1, 1},      // C = 96: 64-byte slices straddle taps; K = 40 partial N tile
    {2, 32, 10, 11, 5, 3, 3, 3, 3, 2, 2},     // K = 5 (scalar epilogue), stride 3, pad 2
    {1, 40, 9, 13, 24, 1, 7, 1, 2, 0, 3},     // 1×7, C 40 → 64, unequal strides and pads
    {2, 64, 1, 1, 72, 3, 3, 1, 1, 1, 1},      // 1×1 input: every tap but the centre is padding
    {4, 32, 28, 28, 64, 1, 1, 1, 1, 0, 0},    // R·S·C = 32: half a slice; M = 3136
    {1, 64, 6, 6, 200, 3, 3, 1, 1, 1, 1},     // K = 200: several N tiles, the last partial
    {1, 512, 4, 4, 96, 3, 3, 1, 1, 1, 1},     // R·S·C = 4608: long reduction, narrowed values
};

std::vector<EpilogueMode> epilogue_modes() {
  std::vector<EpilogueMode> modes;
  bool bias = false;
  for (ConvResidual residual : {ConvResidual::kNone, ConvResidual::kInt8, ConvResidual::kFloat32})
    for (bool relu : {false, true})
      for (ConvOutput output : {ConvOutput::kInt8, ConvOutput::kFloat32}) {
        modes.push_back({false, bias, residual, relu, output});
        bias = !bias;
      }
  for (bool relu : {false, true}) modes.push_back({false, false, ConvResidual::kNone, relu, ConvOutput::kInt8, true});
  return modes;
}

bool have_device(std::string* why) {
  DeviceInfo info = query_devices();
  if (info.count == 0) *why = info.error;
  return info.count > 0;
}

TEST(CudaConvInt8, AccumulatorsAreExactOnEveryTile) {
  std::string why;
  if (!have_device(&why)) GTEST_SKIP() << "no CUDA device: " << why;
  const EpilogueMode accumulators{true};
  uint32_t seed = 100;
  for (const ConvCase& conv : kCases) {
    std::string failure = conv_check::check_conv_case(conv, {&accumulators, 1}, seed++);
    EXPECT_TRUE(failure.empty()) << failure;
  }
}

TEST(CudaConvInt8, EpilogueMatchesHostBitForBit) {
  std::string why;
  if (!have_device(&why)) GTEST_SKIP() << "no CUDA device: " << why;
  const std::vector<EpilogueMode> modes = epilogue_modes();
  uint32_t seed = 200;
  for (const ConvCase& conv : kCases) {
    std::string failure = conv_check::check_conv_case(conv, modes, seed++);
    EXPECT_TRUE(failure.empty()) << failure;
  }
}

// Stride-1 1×1 convolutions are plain GEMMs, which the sm_90 tiles (wgmma + TMA) run on Hopper besides the
// sm_80 tiles: M = N·H·W not a multiple of any tile, output channels K 64…2048 (and partial N tiles), input
// channels C 32…2048 (half slices, long reductions), and enough tiles for a persistent block to walk several
// (the pipeline's ring wraps across tiles; the ping-pong tiles' second warpgroup gets none, one or several,
// an odd or even count per block).
//  n     c   h   w     k
const std::vector<ConvCase> kGemmCases = {
    {1, 64, 13, 15, 64, 1, 1, 1, 1, 0, 0},      // M = 195
    {1, 64, 11, 23, 256, 1, 1, 1, 1, 0, 0},     // ResNet's 64 → 256 expansion, M = 253
    {2, 256, 9, 7, 64, 1, 1, 1, 1, 0, 0},       // 256 → 64, M = 126
    {1, 128, 17, 19, 512, 1, 1, 1, 1, 0, 0},    // M = 323
    {1, 512, 10, 13, 128, 1, 1, 1, 1, 0, 0},    // M = 130
    {1, 256, 7, 29, 1024, 1, 1, 1, 1, 0, 0},    // M = 203
    {1, 1024, 9, 9, 256, 1, 1, 1, 1, 0, 0},     // M = 81, 16 slices
    {1, 2048, 5, 11, 512, 1, 1, 1, 1, 0, 0},    // M = 55, 32 slices, narrowed values
    {1, 512, 6, 7, 2048, 1, 1, 1, 1, 0, 0},     // M = 42, 16 N tiles
    {1, 2048, 3, 43, 2048, 1, 1, 1, 1, 0, 0},   // the largest of both
    {1, 96, 7, 9, 40, 1, 1, 1, 1, 0, 0},        // C = 96: 1.5 slices; K = 40: partial N tile, scalar epilogue
    {1, 32, 33, 37, 200, 1, 1, 1, 1, 0, 0},     // C = 32: half a slice; K = 200
    {3, 160, 1, 1, 64, 1, 1, 1, 1, 0, 0},       // 1×1 images (QGemm, im2col GEMMs): M = 3
    {4, 64, 56, 56, 256, 1, 1, 1, 1, 0, 0},     // M = 12544: 196 or 392 tiles, several per persistent block
    {2, 96, 50, 50, 512, 1, 1, 1, 1, 0, 0},     // M = 5000, two slices per tile over a 4-stage ring
    {4, 288, 30, 30, 512, 1, 1, 1, 1, 0, 0},    // M = 3600, 4.5 slices: ping-pong warpgroups skip 5-slice
                                                // tiles of the other over a 4-stage ring (phase flips)
};

// Arguments with valid-looking pointers (never dereferenced) for asking which tiles could run `conv`.
ConvFpropArgs shape_only_args(const ConvCase& conv) {
  alignas(16) static int8_t bytes[16];
  alignas(16) static float scale[4];
  ConvFpropArgs args;
  args.geometry = ConvGeometry{conv.n, conv.h, conv.w, padded_channels(conv.c), conv.k, conv.r, conv.s,
                               conv.stride_h, conv.stride_w, conv.pad_h, conv.pad_w,
                               (conv.h + 2 * conv.pad_h - conv.r) / conv.stride_h + 1,
                               (conv.w + 2 * conv.pad_w - conv.s) / conv.stride_w + 1};
  args.x = bytes;
  args.w = bytes;
  args.y = bytes;
  args.epilogue.scale = scale;
  return args;
}

// The sm_90 tiles that `gathers` (the _sm90_gather ones) or not (the TMA-fed ones).
std::vector<ConvTile> sm90_tiles(bool gathers) {
  std::vector<ConvTile> tiles;
  for (ConvTile tile : kAllConvTiles) {
    if (conv_tile_needs_sm90(tile) && conv_tile_gathers_activations(tile) == gathers) tiles.push_back(tile);
  }
  return tiles;
}

// Runs `cases` with the accumulators and every epilogue mode on every tile; on a compute capability 9.0 device
// first asserts that `must_run` (sm_90 tiles) accept every case, so the sweep cannot skip them silently.
void expect_cases_match_host(const std::vector<ConvCase>& cases, const std::vector<ConvTile>& must_run,
                             uint32_t seed) {
  const DeviceInfo device = query_devices();
  if (device.sm_major == 9 && device.sm_minor == 0) {
    for (const ConvCase& conv : cases)
      for (ConvTile tile : must_run)
        ASSERT_EQ(conv_tile_unsupported_reason(shape_only_args(conv), tile), "")
            << conv_tile_name(tile) << " refused " << conv.describe();
  }
  const std::vector<EpilogueMode> modes = epilogue_modes();
  std::vector<EpilogueMode> with_accumulators = {EpilogueMode{true}};
  with_accumulators.insert(with_accumulators.end(), modes.begin(), modes.end());
  for (const ConvCase& conv : cases) {
    std::string failure = conv_check::check_conv_case(conv, with_accumulators, seed++);
    EXPECT_TRUE(failure.empty()) << failure;
  }
}

TEST(CudaConvInt8, GemmShapedLayersMatchHostOnEveryTile) {
  std::string why;
  if (!have_device(&why)) GTEST_SKIP() << "no CUDA device: " << why;
  std::vector<ConvTile> sm90 = sm90_tiles(false);
  const std::vector<ConvTile> gathering = sm90_tiles(true);
  sm90.insert(sm90.end(), gathering.begin(), gathering.end());
  expect_cases_match_host(kGemmCases, sm90, 300);
}

// The convolutions that are no GEMM, for the gathering sm_90 tile (128 rows × 128 channels per tile,
// producer warps gathering A with cp.async): 3×3 stride 1 and 2 with padding and 1×1 stride 2, C = 32 (a
// 64-byte slice straddles two taps), 64, 96 (straddles, and half slices), 160, 256; output tiles of 128 rows
// that span two or three images and a partial last one; K not a multiple of 64 or 128; reductions over more
// slices than the ring has stages; and enough tiles that persistent blocks walk two each with the ring's
// phases carried from one tile to the next (H100 / H200: 132 SMs, 132 resident blocks).
//  n     c   h   w     k  r  s  stride pad
const std::vector<ConvCase> kGatherCases = {
    {3, 64, 11, 13, 72, 3, 3, 1, 1, 1, 1},      // M = 429: tiles across image boundaries, K = 72 partial
    {2, 32, 17, 15, 96, 3, 3, 1, 1, 1, 1},      // C = 32: 4.5 slices, each straddling taps
    {2, 96, 9, 10, 136, 3, 3, 2, 2, 1, 1},      // 3×3/2, C = 96, M = 50, K = 136
    {4, 64, 29, 29, 64, 3, 3, 2, 2, 1, 1},      // 3×3/2, odd input (P = 15), ResNet's K = 64
    {1, 256, 14, 14, 256, 3, 3, 1, 1, 1, 1},    // ResNet l3 3×3: 36 slices over a 4- or 6-stage ring
    {2, 256, 15, 15, 128, 1, 1, 2, 2, 0, 0},    // 1×1/2 downsample, odd input (P = 8)
    {10, 160, 47, 47, 328, 1, 1, 2, 2, 0, 0},   // 1×1/2, M = 5760: 270 / 135 tiles, 3 slices each
};

TEST(CudaConvInt8, OtherConvolutionsMatchHostOnTheGatheringTiles) {
  std::string why;
  if (!have_device(&why)) GTEST_SKIP() << "no CUDA device: " << why;
  expect_cases_match_host(kGatherCases, sm90_tiles(true), 400);
}

// Refusals by shape come before any device query, so these run without a GPU as well.
TEST(CudaConvInt8, TmaFedSm90TilesRefuseWhatIsNotAGemm) {
  const std::vector<ConvCase> not_gemms = {
      {1, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1},  // 3×3
      {1, 64, 8, 8, 64, 1, 1, 2, 2, 0, 0},  // 1×1 stride 2
      {1, 64, 8, 8, 64, 1, 1, 1, 1, 1, 1},  // 1×1 with padding
  };
  for (const ConvCase& conv : not_gemms) {
    for (ConvTile tile : sm90_tiles(false)) {
      const std::string reason = conv_tile_unsupported_reason(shape_only_args(conv), tile);
      EXPECT_NE(reason.find("1x1 convolutions (GEMMs) only"), std::string::npos)
          << conv_tile_name(tile) << " on " << conv.describe() << ": '" << reason << "'";
      EXPECT_NE(reason.find("_sm90_gather tile runs those"), std::string::npos) << reason;
      EXPECT_EQ(conv_fprop_s8nhwc_s8krsc(shape_only_args(conv), tile, nullptr), cudaErrorInvalidValue);
    }
    // The gathering tiles accept the shapes: on a device other than compute capability 9.0 (or none) only the
    // device is refused.
    for (ConvTile tile : sm90_tiles(true)) {
      EXPECT_EQ(conv_sm90_shape_unsupported_reason(shape_only_args(conv).geometry, tile), "")
          << conv_tile_name(tile) << " on " << conv.describe();
      const std::string reason = conv_tile_unsupported_reason(shape_only_args(conv), tile);
      EXPECT_TRUE(reason.empty() || reason.find("compute capability 9.0") != std::string::npos ||
                  reason.find("no CUDA device") != std::string::npos ||
                  reason.find("cuTensorMapEncodeTiled") != std::string::npos)
          << conv_tile_name(tile) << " on " << conv.describe() << ": '" << reason << "'";
    }
  }
  // The sm_80 tiles run every one of them.
  for (const ConvCase& conv : not_gemms)
    EXPECT_EQ(conv_tile_unsupported_reason(shape_only_args(conv), ConvTile::k64x64x64), "") << conv.describe();
  EXPECT_FALSE(sm90_tiles(true).empty());
  EXPECT_FALSE(sm90_tiles(false).empty());
}

// A persistent sm_90 block walks its tiles with 32-bit indices: a launch of more than 2^30 64×64 output tiles
// (here 2^31 − 65,536 rows × 4096 channels, which the sm_80 tiles' checks accept) is refused by every sm_90 tile
// before any device query.
TEST(CudaConvInt8, Sm90TilesRefuseTileCountsPast32Bits) {
  const ConvGeometry huge{32767, 256, 256, 32, 4096, 1, 1, 1, 1, 0, 0, 256, 256};
  ConvFpropArgs args = shape_only_args({1, 32, 8, 8, 64, 1, 1, 1, 1, 0, 0});
  args.geometry = huge;
  ASSERT_EQ(conv_fprop_unsupported_reason(args), "");
  for (ConvTile tile : kAllConvTiles) {
    if (!conv_tile_needs_sm90(tile)) continue;
    const std::string reason = conv_tile_unsupported_reason(args, tile);
    EXPECT_NE(reason.find("64x64 output tiles"), std::string::npos) << conv_tile_name(tile) << ": '" << reason << "'";
  }
  args.geometry.k = 64;  // 33,553,408 tiles: within the limit
  for (ConvTile tile : kAllConvTiles) {
    if (conv_tile_needs_sm90(tile)) {
      EXPECT_EQ(conv_sm90_shape_unsupported_reason(args.geometry, tile), "");
    }
  }
}

TEST(CudaConvInt8, PacksKcrsWeightsToPaddedKrsc) {
  const int k = 2, c = 3, r = 2, s = 3;
  std::vector<int8_t> kcrs(k * c * r * s);
  for (size_t i = 0; i < kcrs.size(); ++i) kcrs[i] = static_cast<int8_t>(i + 1);
  const std::vector<int8_t> krsc = pack_weights_krsc(kcrs.data(), k, c, r, s);
  ASSERT_EQ(padded_channels(c), 32);
  ASSERT_EQ(krsc.size(), size_t(k * r * s * 32));
  for (int ko = 0; ko < k; ++ko)
    for (int ri = 0; ri < r; ++ri)
      for (int si = 0; si < s; ++si)
        for (int ci = 0; ci < 32; ++ci) {
          const int8_t want = ci < c ? kcrs[((ko * c + ci) * r + ri) * s + si] : 0;
          ASSERT_EQ(krsc[((ko * r + ri) * s + si) * 32 + ci], want)
              << "k=" << ko << " r=" << ri << " s=" << si << " c=" << ci;
        }
  EXPECT_EQ(padded_channels(32), 32);
  EXPECT_EQ(padded_channels(33), 64);
  EXPECT_EQ(padded_channels(96), 96);
}

TEST(CudaConvInt8, RefusesAsymmetricAndUnsupportedQConvs) {
  QConvDescription ok;
  ok.w_zero_points = {0, 0, 0};
  EXPECT_EQ(qconv_unsupported_reason(ok), "");
  ok.has_residual = true;
  ok.residual_type = DType::kFloat32;
  ok.residual_zero_point = 5;  // ignored: a float residual has no zero point
  ok.output_type = DType::kFloat32;
  EXPECT_EQ(qconv_unsupported_reason(ok), "");

  struct Refusal {
    const char* what;
    QConvDescription conv;
    const char* expected;  // a part of the reason
  };
  std::vector<Refusal> refusals;
  auto add = [&](const char* what, auto change, const char* expected) {
    QConvDescription conv;
    conv.w_zero_points = {0, 0, 0};
    change(conv);
    refusals.push_back({what, conv, expected});
  };
  add("x zero point", [](QConvDescription& c) { c.x_zero_point = 3; }, "input zero point 3");
  add("w zero point", [](QConvDescription& c) { c.w_zero_points[2] = -1; }, "weight zero point -1 (channel 2)");
  add("residual zero point", [](QConvDescription& c) {
        c.has_residual = true;
        c.residual_zero_point = 7;
      },
      "residual zero point 7");
  add("output zero point", [](QConvDescription& c) { c.output_zero_point = 1; }, "output zero point 1");
  add("uint8 input", [](QConvDescription& c) { c.x_type = DType::kUInt8; }, "input uint8");
  add("uint8 output", [](QConvDescription& c) { c.output_type = DType::kUInt8; }, "output uint8");
  add("group", [](QConvDescription& c) { c.group = 2; }, "group 2");
  add("dilation", [](QConvDescription& c) { c.dilation_w = 2; }, "dilation 1x2");
  add("3-D", [](QConvDescription& c) { c.spatial_dims = 3; }, "3 spatial dims");
  for (const Refusal& refusal : refusals) {
    const std::string reason = qconv_unsupported_reason(refusal.conv);
    EXPECT_NE(reason.find(refusal.expected), std::string::npos) << refusal.what << ": " << reason;
    EXPECT_NE(reason.find("CPU backend"), std::string::npos) << refusal.what << " names no remedy: " << reason;
  }
}

TEST(CudaConvInt8, RefusesBadArgumentsBeforeLaunching) {
  alignas(16) static int8_t x[64], w[64], y[64];
  alignas(16) static float scale[8];  // scale + 1: a misaligned one, refused below
  ConvFpropArgs args;
  args.geometry = ConvGeometry{1, 1, 1, 32, 1, 1, 1, 1, 1, 0, 0, 1, 1};
  args.x = x;
  args.w = w;
  args.y = y;
  args.epilogue.scale = scale;
  EXPECT_EQ(conv_fprop_unsupported_reason(args), "");

  auto refused = [&](ConvFpropArgs bad, const char* expected) {
    const std::string reason = conv_fprop_unsupported_reason(bad);
    EXPECT_NE(reason.find(expected), std::string::npos) << "reason: '" << reason << "'";
    EXPECT_EQ(conv_fprop_s8nhwc_s8krsc(bad, ConvTile::k64x64x64, nullptr), cudaErrorInvalidValue);
  };
  ConvFpropArgs bad = args;
  bad.geometry.c = 48;
  refused(bad, "multiple of 32");
  bad = args;
  bad.geometry.stride_h = 0;
  refused(bad, "strides");
  bad = args;
  bad.geometry.p = 0;
  refused(bad, "positive");
  bad = args;
  bad.x = x + 1;
  refused(bad, "16-byte aligned");
  bad = args;
  bad.epilogue.scale = nullptr;
  refused(bad, "scale");
  bad = args;
  bad.epilogue.scale = scale + 1;  // the epilogue copies scale and bias with 16-byte cp.async
  refused(bad, "16-byte aligned");
  bad = args;
  bad.epilogue.bias = scale + 2;
  refused(bad, "16-byte aligned");
  bad = args;
  bad.epilogue.residual_kind = ConvResidual::kInt8;
  refused(bad, "residual");
  bad = args;
  bad.epilogue.output_scale = 0.0f;
  refused(bad, "output scale");
}

#else
TEST(CudaConvInt8, AccumulatorsAreExactOnEveryTile) { GTEST_SKIP() << "built without CUDA"; }
#endif

}  // namespace
}  // namespace qatrt::cuda
