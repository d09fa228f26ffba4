#include "train/fake_quantize.h"

#include <ATen/ExpandUtils.h>
#include <torch/csrc/autograd/custom_function.h>

namespace qatrt {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct FakeQuantizeFunction : public torch::autograd::Function<FakeQuantizeFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& amax, int64_t qmin, int64_t qmax) {
    at::Tensor scale = quant_scale(amax);
    at::Tensor ratio = x / scale;
    ctx->save_for_backward({ratio, amax});
    ctx->saved_data["qmin"] = qmin;
    ctx->saved_data["qmax"] = qmax;
    return at::clamp(at::round(ratio), static_cast<double>(qmin), static_cast<double>(qmax)) * scale;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& ratio = saved[0];
    const at::Tensor& amax = saved[1];
    const double qmin = static_cast<double>(ctx->saved_data["qmin"].toInt());
    const double qmax = static_cast<double>(ctx->saved_data["qmax"].toInt());
    const at::Tensor& grad = grad_outputs[0];
    at::Tensor below = ratio < qmin, above = ratio > qmax;
    at::Tensor grad_x = grad.masked_fill(at::logical_or(below, above), 0.0);
    at::Tensor grad_amax;
    if (ctx->needs_input_grad(1)) {
      at::Tensor slope = above.to(grad.scalar_type()) * (qmax / 127.0) + below.to(grad.scalar_type()) * (qmin / 127.0);
      grad_amax = at::sum_to(grad * slope, amax.sizes());
    }
    return {grad_x, grad_amax, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor quant_scale(const at::Tensor& amax) {
  return at::where(amax > 0, amax, at::ones_like(amax)) / 127.0f;
}

at::Tensor fake_quantize(const at::Tensor& x, const at::Tensor& amax, int64_t qmin, int64_t qmax) {
  return FakeQuantizeFunction::apply(x, amax, qmin, qmax);
}

at::Tensor weight_amax(const at::Tensor& weight, int64_t axis) {
  at::NoGradGuard no_grad;
  if (axis < 0) return weight.detach().abs().max();
  at::Tensor moved = weight.detach().abs().movedim(axis, 0).reshape({weight.size(axis), -1});
  std::vector<int64_t> shape(static_cast<size_t>(weight.dim()), 1);
  shape[static_cast<size_t>(axis)] = weight.size(axis);
  return std::get<0>(moved.max(1)).reshape(shape);
}

at::Tensor fake_quantize_weight(const at::Tensor& weight, int64_t axis) {
  return fake_quantize(weight, weight_amax(weight, axis));
}

}  // namespace qatrt
