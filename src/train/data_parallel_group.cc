#include "train/data_parallel_group.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/version.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <type_traits>

#include "train/rendezvous.h"

// CMake defines QATRT_C10D_GLOO / QATRT_C10D_NCCL when the backend's own headers were found. c10d's headers
// are empty unless USE_C10D_GLOO / USE_C10D_NCCL are defined; PyTorch's wheel defines both for every user
// whether or not the headers came with it (its Gloo headers do not), Debian's defines neither.
#ifdef QATRT_C10D_GLOO
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef QATRT_C10D_NCCL
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace qatrt {
namespace {

constexpr const char* kStoreFile = "qatrt-train.store";

// One flat float32 tensor of every input, flattened and concatenated (one collective instead of hundreds).
at::Tensor flatten(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> pieces;
  pieces.reserve(tensors.size());
  for (const at::Tensor& t : tensors) pieces.push_back(t.detach().reshape({-1}).to(at::kFloat));
  return at::cat(pieces);
}

// Gloo (CPU) and NCCL (CUDA) share the calls used here in libtorch 1.13 and 2.x; `auto` takes the Work type
// of either version.
template <typename Backend>
class C10dGroup : public DataParallelGroup {
 public:
  C10dGroup(c10::intrusive_ptr<Backend> backend, int rank, int world_size, at::Device device)
      : DataParallelGroup(rank, world_size, device), backend_(std::move(backend)) {}
  ~C10dGroup() override {
#if defined(QATRT_C10D_NCCL) && (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4))
    // libtorch ≥ 2.4 warns when an NCCL group is destroyed without shutdown (1.13 has no shutdown()).
    if constexpr (std::is_same_v<Backend, c10d::ProcessGroupNCCL>) backend_->shutdown();
#endif
  }

  Status broadcast_from_rank0(const std::vector<at::Tensor>& tensors) override {
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> flat = {flatten(tensors)};
    QATRT_RETURN_IF_ERROR(run("broadcast", [&] {
      c10d::BroadcastOptions options;
      options.rootRank = 0;
      backend_->broadcast(flat, options)->wait();
    }));
    int64_t offset = 0;
    for (const at::Tensor& t : tensors) {
      at::Tensor target = t;
      target.copy_(flat[0].narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
    return Status::ok_status();
  }

  Status sum(at::Tensor& tensor) override {
    std::vector<at::Tensor> one = {tensor};
    return run("all-reduce", [&] { backend_->allreduce(one)->wait(); });  // AllreduceOptions' default: SUM
  }

 private:
  template <typename F>
  Status run(const char* what, F&& call) {
    try {
      call();
      return Status::ok_status();
    } catch (const std::exception& e) {
      return make_error(StatusCode::kInternal, "rank ", rank_, " of ", world_size_, ": ", what, " failed (another rank stopped?): ", e.what());
    }
  }
  c10::intrusive_ptr<Backend> backend_;
};

StatusOr<c10::intrusive_ptr<c10d::Store>> make_store(const std::string& rendezvous, int rank, int world_size) {
  QATRT_ASSIGN_OR_RETURN(std::optional<TcpRendezvous> tcp, parse_rendezvous(rendezvous));
  if (tcp) {
    c10d::TCPStoreOptions options;
    options.port = tcp->port;
    options.isServer = rank == 0;
    options.numWorkers = static_cast<size_t>(world_size);
    return c10::intrusive_ptr<c10d::Store>(c10::make_intrusive<c10d::TCPStore>(tcp->host, options));
  }
  QATRT_RETURN_IF_ERROR(check_rendezvous(rendezvous));  // a directory: it exists and is writable
  return c10::intrusive_ptr<c10d::Store>(c10::make_intrusive<c10d::FileStore>((std::filesystem::path(rendezvous) / kStoreFile).string(), world_size));
}

}  // namespace

Status check_data_parallel_backend(const at::Device& device) {
  if (device.is_cuda()) {
#ifdef QATRT_C10D_NCCL
    return Status::ok_status();
#else
    return make_error(StatusCode::kUnsupported, "data-parallel training on CUDA needs NCCL: this qatrt-train was built without it "
                      "(a CUDA libtorch and nccl.h at configure time; see docs/training.md)");
#endif
  }
#ifdef QATRT_C10D_GLOO
  return Status::ok_status();
#else
  return make_error(StatusCode::kUnsupported, "data-parallel training on the CPU needs Gloo: this qatrt-train was built without it "
                    "(install libgloo-dev, scripts/install-deps.sh, and re-run cmake)");
#endif
}

StatusOr<std::unique_ptr<DataParallelGroup>> DataParallelGroup::join(const std::string& rendezvous, int rank, int world_size, const at::Device& device) {
  if (world_size < 1 || rank < 0 || rank >= world_size)
    return make_error(StatusCode::kInvalidArgument, "rank ", rank, " of world size ", world_size, ": need 0 <= rank < world size");
  QATRT_RETURN_IF_ERROR(check_data_parallel_backend(device));
  try {
    QATRT_ASSIGN_OR_RETURN(c10::intrusive_ptr<c10d::Store> store, make_store(rendezvous, rank, world_size));
#ifdef QATRT_C10D_NCCL
    if (device.is_cuda())
      return std::unique_ptr<DataParallelGroup>(std::make_unique<C10dGroup<c10d::ProcessGroupNCCL>>(
          c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, world_size), rank, world_size, device));
#endif
#ifdef QATRT_C10D_GLOO
    auto options = c10d::ProcessGroupGloo::Options::create();
    // GLOO_SOCKET_IFNAME picks the network interface, as in PyTorch; else the address of this host's name
    // (loopback when that does not resolve).
    const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
    options->devices.push_back(interface ? c10d::ProcessGroupGloo::createDeviceForInterface(interface) : c10d::ProcessGroupGloo::createDefaultDevice());
    return std::unique_ptr<DataParallelGroup>(std::make_unique<C10dGroup<c10d::ProcessGroupGloo>>(
        c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world_size, options), rank, world_size, device));
#endif
  } catch (const std::exception& e) {
    return make_error(StatusCode::kInternal, "rank ", rank, " of ", world_size, ": joining the group at '", rendezvous, "' failed: ", e.what());
  }
  return check_data_parallel_backend(device);
}

Status DataParallelGroup::average_gradients(const std::vector<at::Tensor>& parameters) {
  at::NoGradGuard no_grad;
  // The flat buffer: every gradient (zeros where undefined), then one "defined here" flag per parameter.
  std::vector<at::Tensor> pieces;
  std::vector<float> defined(parameters.size(), 0.0f);
  pieces.reserve(parameters.size() + 1);
  for (size_t i = 0; i < parameters.size(); ++i) {
    const at::Tensor& grad = parameters[i].grad();
    defined[i] = grad.defined() ? 1.0f : 0.0f;
    pieces.push_back(grad.defined() ? grad.reshape({-1}).to(at::kFloat) : at::zeros({parameters[i].numel()}, parameters[i].options().dtype(at::kFloat)));
  }
  const int64_t gradients = [&] { int64_t n = 0; for (const at::Tensor& p : parameters) n += p.numel(); return n; }();
  pieces.push_back(at::tensor(defined).to(device_));
  at::Tensor flat = at::cat(pieces);
  QATRT_RETURN_IF_ERROR(sum(flat));
  const at::Tensor defined_anywhere = flat.narrow(0, gradients, static_cast<int64_t>(parameters.size())).to(at::kCPU).contiguous();
  const float* anywhere = defined_anywhere.data_ptr<float>();
  flat = flat.narrow(0, 0, gradients).div_(static_cast<double>(world_size_));
  int64_t offset = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    at::Tensor p = parameters[i];
    if (anywhere[i] > 0) p.mutable_grad() = flat.narrow(0, offset, p.numel()).view(p.sizes()).to(p.scalar_type());
    offset += p.numel();
  }
  return Status::ok_status();
}

}  // namespace qatrt
