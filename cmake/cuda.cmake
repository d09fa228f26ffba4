# The CUDA backend is built when nvcc is found (here and in CI it is; on a machine without it the build
# still works). Targets: sm_90a for Hopper's wgmma/TMA, plus compute_80 PTX as the portable target.
# qatrt_cuda: the kernels (src/backends/cuda/*.cu, C++17 for nvcc) and the backend's host code
# (src/backends/cuda/*.cc, C++20 like the rest). The CUDA execution context (src/runtime/cuda/*.cc) joins
# qatrt_runtime, whose Engine::create dispatches to it under QATRT_HAVE_CUDA.
include(CheckLanguage)
if(QATRT_CUDA)
  check_language(CUDA)
endif()
file(GLOB cuda_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/backends/cuda/*.cu)
file(GLOB cuda_host_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/backends/cuda/*.cc)
file(GLOB cuda_runtime_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/runtime/cuda/*.cc)
if(QATRT_CUDA AND CMAKE_CUDA_COMPILER AND cuda_sources)
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)  # CMake 3.25 does not know nvcc's C++20 flag; the .cu files need only C++17
  find_package(CUDAToolkit REQUIRED)
  add_library(qatrt_cuda STATIC ${cuda_sources} ${cuda_host_sources})
  set_target_properties(qatrt_cuda PROPERTIES CUDA_ARCHITECTURES OFF)
  target_compile_options(qatrt_cuda PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-gencode=arch=compute_90a,code=sm_90a -gencode=arch=compute_80,code=compute_80>)
  target_include_directories(qatrt_cuda PUBLIC ${CMAKE_SOURCE_DIR}/src)
  # qatrt_reference: the node readers the CUDA kernels share with the oracle (window, quantized layer).
  target_link_libraries(qatrt_cuda PUBLIC qatrt_core qatrt_reference CUDA::cudart)
  target_compile_definitions(qatrt_cuda PUBLIC QATRT_HAVE_CUDA=1)
  target_sources(qatrt_runtime PRIVATE ${cuda_runtime_sources})
  target_link_libraries(qatrt_runtime PUBLIC qatrt_cuda)
  message(STATUS "qatrt: CUDA backend enabled (${CMAKE_CUDA_COMPILER})")
else()
  message(STATUS "qatrt: CUDA backend not built (no nvcc or QATRT_CUDA=OFF)")
endif()
