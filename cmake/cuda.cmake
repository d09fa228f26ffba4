# The CUDA backend is built when nvcc is found (here and in CI it is; on a machine without it the build
# still works). Targets: sm_90a for Hopper's wgmma/TMA, plus compute_80 PTX as the portable target.
# qatrt_cuda: the kernels (src/backends/cuda/*.cu, C++17 for nvcc) and the backend's host code
# (src/backends/cuda/*.cc, C++20 like the rest). The CUDA execution context (src/runtime/cuda/*.cc) joins
# qatrt_runtime, whose Engine::create dispatches to it under QATRT_HAVE_CUDA.
# The float layers (FusedConv, FusedGemm) run on cuDNN 9, which the CUDA backend therefore requires: the
# configure fails when nvcc is found but cuDNN is not (set CUDNN_ROOT, or QATRT_CUDA=OFF). On the GPU machine
# the library comes from PyTorch's pip wheel (scripts/gpu-tests.sh puts it on LD_LIBRARY_PATH).
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
  find_path(QATRT_CUDNN_INCLUDE_DIR cudnn.h HINTS ENV CUDNN_ROOT ${CUDAToolkit_INCLUDE_DIRS} PATH_SUFFIXES include)
  find_library(QATRT_CUDNN_LIBRARY cudnn HINTS ENV CUDNN_ROOT ${CUDAToolkit_LIBRARY_DIR} PATH_SUFFIXES lib lib64)
  if(NOT QATRT_CUDNN_INCLUDE_DIR OR NOT QATRT_CUDNN_LIBRARY)
    message(FATAL_ERROR "qatrt: the CUDA backend needs cuDNN 9 (cudnn.h and libcudnn.so) for its float layers, "
                        "and none was found (include: ${QATRT_CUDNN_INCLUDE_DIR}, library: ${QATRT_CUDNN_LIBRARY}). "
                        "Install cuDNN 9, point CUDNN_ROOT at it, or configure with -DQATRT_CUDA=OFF.")
  endif()
  add_library(qatrt_cuda STATIC ${cuda_sources} ${cuda_host_sources})
  set_target_properties(qatrt_cuda PROPERTIES CUDA_ARCHITECTURES OFF)
  target_compile_options(qatrt_cuda PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-gencode=arch=compute_90a,code=sm_90a -gencode=arch=compute_80,code=compute_80>)
  target_include_directories(qatrt_cuda PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_include_directories(qatrt_cuda PRIVATE ${QATRT_CUDNN_INCLUDE_DIR})
  # qatrt_reference: the node readers the CUDA kernels share with the oracle (window, quantized layer).
  target_link_libraries(qatrt_cuda PUBLIC qatrt_core qatrt_reference CUDA::cudart ${QATRT_CUDNN_LIBRARY})
  target_compile_definitions(qatrt_cuda PUBLIC QATRT_HAVE_CUDA=1)
  target_sources(qatrt_runtime PRIVATE ${cuda_runtime_sources})
  target_link_libraries(qatrt_runtime PUBLIC qatrt_cuda)
  message(STATUS "qatrt: CUDA backend enabled (${CMAKE_CUDA_COMPILER}, cuDNN ${QATRT_CUDNN_LIBRARY})")
else()
  message(STATUS "qatrt: CUDA backend not built (no nvcc or QATRT_CUDA=OFF)")
endif()
