// IEEE 754 binary16 ("half", DType::kFloat16) on the host, stored as its 16 bits. The conversion from float
// rounds to nearest even, as the GPU's __float2half_rn does, so a value converted here (weights at build time)
// and one converted on the device (activations) round alike.
#pragma once

#include <cstdint>

namespace qatrt {

uint16_t float_to_half_bits(float value);  // overflow gives ±inf, NaN stays NaN
float half_bits_to_float(uint16_t bits);    // exact

}  // namespace qatrt
