// Exact conversions between the epilogue's integers and floats without the conversion instructions (I2F, F2I,
// FRND), which run at 16 per clock per SM against 64 (integer) and 128 (FP32) for the ALU pipes: with an int8
// residual and int8 output the epilogue otherwise issues four of them per element, ≈ 0.2 ms of the 0.5 ms of
// ResNet-50's l1 1×1 64>256 +res layer (bench/cuda_conv_notes.md, "p" and "q"). Every helper returns exactly
// what the conversion it replaces returns, for every input; the tricks rest on one fact: a float in [2^k, 2^(k+1))
// has a unit in the last place of 2^(k−23), so an integer placed in its low mantissa bits is that integer times
// the ulp, and subtracting the constant leading part is exact (both operands lie within a factor 2 of each other
// and the difference is representable — Sterbenz). Host and device share the code, so the host test
// (tests/unit/cuda/float_conversions_test.cc) sweeps every int8, the int32 extremes and every tie.
#pragma once

#include <cstdint>
#include <cstring>

#include "backends/cuda/conv_int8/problem.h"  // QATRT_HOST_DEVICE

namespace qatrt::cuda::conv_int8 {

// The bits of a float as an integer or back (C++20's std::bit_cast; the CUDA sources are C++17). memcpy of a
// register-sized value compiles to a plain move on both sides.
template <class To, class From>
QATRT_HOST_DEVICE inline To bit_cast(const From& from) {
  static_assert(sizeof(To) == sizeof(From), "same size");
  To to;
  std::memcpy(&to, &from, sizeof to);
  return to;
}
QATRT_HOST_DEVICE inline float float_from_bits(uint32_t bits) { return bit_cast<float>(bits); }
QATRT_HOST_DEVICE inline uint32_t bits_of(float f) { return bit_cast<uint32_t>(f); }

// PTX prmt (CUDA's __byte_perm): byte i of the result is byte selector[4i+3 : 4i] of the 8-byte pair {b, a}.
QATRT_HOST_DEVICE inline uint32_t byte_perm(uint32_t a, uint32_t b, uint32_t selector) {
#ifdef __CUDA_ARCH__
  return __byte_perm(a, b, selector);
#else
  const uint64_t pair = (uint64_t{b} << 32) | a;
  uint32_t result = 0;
  for (int i = 0; i < 4; ++i) result |= static_cast<uint32_t>((pair >> (8 * ((selector >> (4 * i)) & 7))) & 0xff) << (8 * i);
  return result;
#endif
}

QATRT_HOST_DEVICE inline float add_rn(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fadd_rn(a, b);  // never contracted into a neighbouring multiply
#else
  return a + b;
#endif
}

// static_cast<float>(acc) (round to nearest even) for every int32. acc = hi·2^16 + lo with hi = acc >> 16
// (arithmetic, |hi| <= 2^15) and lo = acc & 0xffff:
//   high = bits(1.5·2^39) + hi is the float 1.5·2^39 + hi·2^16 (ulp 2^16 in [2^39, 2^40), 1.5·2^39 ± 2^31 stays
//          inside), so high − (1.5·2^39 + 2^23) = hi·2^16 − 2^23 is exact (representable: 2^16·(hi − 128));
//   low  = bits(2^23) | lo is the float 2^23 + lo exactly (ulp 1 in [2^23, 2^24)).
// Their sum is acc exactly, and one correctly rounded addition of two exact operands is the correctly rounded
// acc: the same float as I2F. Two integer and two FP32 instructions instead of one conversion.
QATRT_HOST_DEVICE inline float float_of_int32(int32_t acc) {
  const uint32_t high = 0x53400000u + static_cast<uint32_t>(acc >> 16);
  const uint32_t low = 0x4b000000u | (static_cast<uint32_t>(acc) & 0xffffu);
  return add_rn(add_rn(float_from_bits(high), -0x1.8001p39f), float_from_bits(low));
}

// static_cast<float>(acc) for |acc| <= 2^22, in one integer and one FP32 instruction: bits(1.5·2^23) + acc is the
// float 1.5·2^23 + acc (in [2^23, 2^24] with ulp 1; acc = 2^22 carries into the exponent and gives 2^24 exactly), and
// subtracting 1.5·2^23 is exact. An int8 × int8 product lies in [−16256, 16384], so every accumulator of a
// reduction of at most kSmallReductionMax products qualifies: ResNet-50's short 1×1 layers, whose epilogue sets
// their speed (epilogue.cuh).
inline constexpr int64_t kSmallReductionMax = 256;  // 256 · 16384 = 2^22
QATRT_HOST_DEVICE inline float float_of_small_int32(int32_t acc) {
  return add_rn(float_from_bits(0x4b400000u + static_cast<uint32_t>(acc)), -0x1.8p23f);
}

// The four int8 lanes of a word as floats, from biased = word ^ 0x80808080 (each lane q + 128, unsigned; one
// xor per four lanes): the byte permute builds the float 2^23 + q + 128, the subtraction of 2^23 + 128 is exact
// and gives q (a float(int8) conversion, I2F.S8, otherwise).
QATRT_HOST_DEVICE inline uint32_t bias_int8_lanes(uint32_t word) { return word ^ 0x80808080u; }
QATRT_HOST_DEVICE inline float float_of_int8_lane(uint32_t biased, int lane) {
  return add_rn(float_from_bits(byte_perm(biased, 0x4b000000u, 0x7650u + static_cast<uint32_t>(lane))),
                -8388736.0f);  // 2^23 + 128
}

// roundTiesToEven(t) for |t| <= 2^22, as the bits of t + 1.5·2^23: that sum lies in [2^23, 2^24), where the ulp
// is 1, so the addition itself rounds t to an integer, ties to even (1.5·2^23 is even, so the sum is even
// exactly when the rounded t is); its bits are 0x4b400000 + rint(t), and for rint(t) in [−128, 127] the low byte
// is the int8 two's complement of rint(t) (0x4b400000 has a zero low byte). rounded_value() gives rint(t)
// itself as a float (an exact subtraction).
QATRT_HOST_DEVICE inline float round_to_integer_bits(float t) { return add_rn(t, 0x1.8p23f); }
QATRT_HOST_DEVICE inline float rounded_value(float integer_bits) { return add_rn(integer_bits, -0x1.8p23f); }

// One 32-bit word of four int8 from the low bytes of four words (three byte permutes, not four conversions,
// masks and shifts).
QATRT_HOST_DEVICE inline uint32_t pack_low_bytes(uint32_t b0, uint32_t b1, uint32_t b2, uint32_t b3) {
  return byte_perm(byte_perm(b0, b1, 0x0040u), byte_perm(b2, b3, 0x0040u), 0x5410u);
}

}  // namespace qatrt::cuda::conv_int8
