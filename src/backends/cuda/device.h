// CUDA device discovery. Compiled only when nvcc is present (cmake/cuda.cmake); callers test
// QATRT_HAVE_CUDA. Without a GPU (CI, the development machine) every query answers "no device" cleanly.
#pragma once

#include <string>

namespace qatrt::cuda {

struct DeviceInfo {
  int count = 0;          // visible devices
  std::string name;       // device 0
  int sm_major = 0, sm_minor = 0;
  std::string error;      // why there is no device, when count == 0
};

DeviceInfo query_devices();

}  // namespace qatrt::cuda
