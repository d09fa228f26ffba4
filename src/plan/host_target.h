// What this machine is, as a plan sees it. host_cpu_target() (declared in plan.h) is the identity a plan is
// checked against; host_cpu_features() is recorded in a plan's info section for people to read only — the CPU
// backend picks kernels at run time, so a plan built on an AVX-512 machine still loads on an AVX2 one.
#pragma once

#include <string>

namespace qatrt {

// "+avx2+avx512f+avx512bw+avx512vnni" style list of the ISA extensions the CPU kernels care about; empty on
// non-x86 hosts.
std::string host_cpu_features();

}  // namespace qatrt
