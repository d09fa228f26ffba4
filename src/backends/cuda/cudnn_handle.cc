#include "backends/cuda/cudnn_handle.h"

namespace qatrt::cuda {

Status cudnn_status(cudnnStatus_t status, std::string_view what) {
  if (status == CUDNN_STATUS_SUCCESS) return {};
  return make_error(StatusCode::kInternal, what, ": ", cudnnGetErrorString(status));
}

StatusOr<std::shared_ptr<CudnnHandle>> CudnnHandle::create(cudaStream_t stream) {
  cudnnHandle_t handle = nullptr;
  QATRT_RETURN_IF_ERROR(cudnn_status(cudnnCreate(&handle),
                                     "cudnnCreate (is libcudnn.so.9 with its libcudnn_*.so.9 on LD_LIBRARY_PATH?)"));
  std::shared_ptr<CudnnHandle> owner(new CudnnHandle(handle));
  QATRT_RETURN_IF_ERROR(cudnn_status(cudnnSetStream(handle, stream), "cudnnSetStream"));
  return owner;
}

CudnnHandle::~CudnnHandle() { cudnnDestroy(handle_); }

const cudnnConvolutionFwdAlgoPerf_t* CudnnHandle::chosen(const std::string& problem) const {
  auto it = chosen_.find(problem);
  return it == chosen_.end() ? nullptr : &it->second;
}

void CudnnHandle::remember(const std::string& problem, const cudnnConvolutionFwdAlgoPerf_t& algorithm) {
  chosen_[problem] = algorithm;
}

}  // namespace qatrt::cuda
