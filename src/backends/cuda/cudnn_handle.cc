#include "backends/cuda/cudnn_handle.h"

#include "backends/cuda/device_memory.h"

namespace qatrt::cuda {

Status cudnn_status(cudnnStatus_t status, std::string_view what) {
  if (status == CUDNN_STATUS_SUCCESS) return {};
  return make_error(StatusCode::kInternal, what, ": ", cudnnGetErrorString(status));
}

StatusOr<std::shared_ptr<CudnnHandle>> CudnnHandle::create(cudaStream_t stream) {
  cudnnHandle_t handle = nullptr;
  QATRT_RETURN_IF_ERROR(cudnn_status(cudnnCreate(&handle),
                                     "cudnnCreate (is libcudnn.so.9 with its libcudnn_*.so.9 on LD_LIBRARY_PATH?)"));
  std::shared_ptr<CudnnHandle> owner(new CudnnHandle(handle, stream));
  QATRT_RETURN_IF_ERROR(cudnn_status(cudnnSetStream(handle, stream), "cudnnSetStream"));
  return owner;
}

// The remembered graph plans hold cuDNN descriptors made with this handle: they go first.
CudnnHandle::~CudnnHandle() {
  chosen_.clear();
  cudnnDestroy(handle_);
}

const FloatConvChoice* CudnnHandle::chosen(const std::string& problem) const {
  auto it = chosen_.find(problem);
  return it == chosen_.end() ? nullptr : &it->second;
}

void CudnnHandle::remember(const std::string& problem, FloatConvChoice choice) {
  chosen_[problem] = std::move(choice);
}

StatusOr<float> CudnnHandle::time_ms(const std::function<Status()>& launch) const {
  CudaEvent start, stop;
  QATRT_RETURN_IF_ERROR(start.create());
  QATRT_RETURN_IF_ERROR(stop.create());
  QATRT_RETURN_IF_ERROR(launch());  // warm-up: first-launch costs (module loading, caches) stay out of the time
  QATRT_RETURN_IF_ERROR(cuda_status(cudaEventRecord(start.get(), stream_), "cudaEventRecord"));
  for (int i = 0; i < kTimedLaunches; ++i) QATRT_RETURN_IF_ERROR(launch());
  QATRT_RETURN_IF_ERROR(cuda_status(cudaEventRecord(stop.get(), stream_), "cudaEventRecord"));
  QATRT_RETURN_IF_ERROR(cuda_status(cudaEventSynchronize(stop.get()), "timing a cuDNN candidate"));
  float ms = 0;
  QATRT_RETURN_IF_ERROR(cuda_status(cudaEventElapsedTime(&ms, start.get(), stop.get()), "cudaEventElapsedTime"));
  return ms / kTimedLaunches;
}

}  // namespace qatrt::cuda
