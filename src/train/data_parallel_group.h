// The collectives data-parallel training needs (one process per device), over libtorch's c10d:
//   * rendezvous through a store (train/rendezvous.h): "tcp://HOST:PORT" (a TCPStore served by rank 0 on HOST,
//     for several hosts) or a directory every rank can write (a FileStore file in it, one host or a shared FS);
//   * the backend by device: NCCL for CUDA tensors, Gloo for CPU tensors (so CI tests the same path with CPU
//     processes);
//   * broadcast from rank 0, sum, and the gradient average: after backward, every parameter gradient
//     (weights, biases, BN scale/shift, learned amaxes) becomes the mean over the ranks.
// libtorch 1.13 (Debian) and 2.x (PyTorch wheels) differ here: c10d's Gloo and NCCL classes derive from
// ProcessGroup in 1.13 and from Backend in 2.x, and their collectives return ProcessGroup::Work vs Work.
// Only the constructors and allreduce/broadcast are used, whose signatures both versions share; the .cc
// is the one place that includes c10d, so a future difference is fixed there alone.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace qatrt {

class DataParallelGroup {
 public:
  // Joins the group as `rank` of `world_size` (blocks until every rank has joined, or the store's timeout).
  static StatusOr<std::unique_ptr<DataParallelGroup>> join(const std::string& rendezvous, int rank, int world_size, const at::Device& device);
  virtual ~DataParallelGroup() = default;

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }

  // Every rank ends with rank 0's values (copied in place; the tensors' autograd state is unchanged).
  virtual Status broadcast_from_rank0(const std::vector<at::Tensor>& tensors) = 0;
  // In place: the element-wise sum over the ranks.
  virtual Status sum(at::Tensor& tensor) = 0;
  // grad = (Σ_ranks grad) / world_size for every tensor, in one flat collective. A gradient undefined on
  // every rank stays undefined (the optimizer skips it, as in one process); one defined on some rank only
  // counts as zero on the others.
  Status average_gradients(const std::vector<at::Tensor>& parameters);

 protected:
  DataParallelGroup(int rank, int world_size, at::Device device) : rank_(rank), world_size_(world_size), device_(device) {}
  int rank_, world_size_;
  at::Device device_;
};

// Whether this build has a backend for the device type (Gloo: libgloo-dev headers; NCCL: a CUDA libtorch
// and nccl.h at build time), with the reason when not.
Status check_data_parallel_backend(const at::Device& device);

}  // namespace qatrt
