# The CUDA backend is built when nvcc is found (here and in CI it is; on a machine without it the build
# still works). Targets: sm_90a for Hopper's wgmma/TMA, plus compute_80 PTX as the portable target.
include(CheckLanguage)
if(QATRT_CUDA)
  check_language(CUDA)
endif()
file(GLOB cuda_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/backends/cuda/*.cu)
if(QATRT_CUDA AND CMAKE_CUDA_COMPILER AND cuda_sources)
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)  # CMake 3.25 does not know nvcc's C++20 flag; the .cu files need only C++17
  find_package(CUDAToolkit REQUIRED)
  add_library(qatrt_cuda STATIC ${cuda_sources})
  set_target_properties(qatrt_cuda PROPERTIES CUDA_ARCHITECTURES OFF)
  target_compile_options(qatrt_cuda PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-gencode=arch=compute_90a,code=sm_90a -gencode=arch=compute_80,code=compute_80>)
  target_include_directories(qatrt_cuda PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(qatrt_cuda PUBLIC qatrt_core CUDA::cudart)
  target_compile_definitions(qatrt_cuda PUBLIC QATRT_HAVE_CUDA=1)
  message(STATUS "qatrt: CUDA backend enabled (${CMAKE_CUDA_COMPILER})")
else()
  message(STATUS "qatrt: CUDA backend not built (no nvcc or QATRT_CUDA=OFF)")
endif()
