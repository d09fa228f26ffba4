#include "model_io.h"

#include <cmath>

namespace qatrt::cli {

StatusOr<Shape> bind_batch(const Graph& graph, ValueId id, int64_t batch) {
  const Value& v = graph.value(id);
  Shape shape = v.shape;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (d == 0 && shape[0] == kDynamicDim) {
      shape[0] = batch;
    } else if (d == 0 && shape[0] != batch) {
      return make_error(StatusCode::kInvalidArgument, "input '", v.name, "' ", shape_to_string(v.shape),
                        " has a fixed batch of ", shape[0], ", not ", batch, "; use --batch ", shape[0],
                        " or export the model with a dynamic batch");
    } else if (shape[d] == kDynamicDim) {
      return make_error(StatusCode::kUnsupported, "input '", v.name, "' ", shape_to_string(v.shape),
                        " has dynamic dimension ", d, " besides the batch; export the model with a fixed size");
    }
  }
  return shape;
}

StatusOr<ImageInput> describe_image_input(const Graph& graph) {
  if (graph.inputs.size() != 1)
    return make_error(StatusCode::kUnsupported, "infer feeds one image tensor, but the model has ",
                      graph.inputs.size(), " inputs");
  const Value& v = graph.value(graph.inputs[0]);
  if (v.dtype != DType::kFloat32 || v.shape.size() != 4)
    return make_error(StatusCode::kUnsupported, "input '", v.name, "' is ", dtype_name(v.dtype), shape_to_string(v.shape),
                      "; infer feeds a float32 image tensor [N,3,H,W] or [N,H,W,3]");
  ImageInput input;
  int64_t h = 0, w = 0;
  if (v.shape[1] == 3) {
    h = v.shape[2];
    w = v.shape[3];
  } else if (v.shape[3] == 3) {
    input.channels_last = true;
    h = v.shape[1];
    w = v.shape[2];
  } else {
    return make_error(StatusCode::kUnsupported, "input '", v.name, "' ", shape_to_string(v.shape),
                      " has 3 channels neither in dimension 1 (NCHW) nor 3 (NHWC)");
  }
  if (h != w)
    return make_error(StatusCode::kUnsupported, "input '", v.name, "' ", shape_to_string(v.shape),
                      " is not square; infer centre-crops square images");
  if (h != kDynamicDim) input.size = static_cast<int>(h);
  return input;
}

Tensor random_tensor(DType dtype, const Shape& shape, std::mt19937& rng) {
  Tensor t(dtype, shape);
  const int64_t n = t.numel();
  switch (dtype) {
    case DType::kFloat32: {
      std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
      for (int64_t i = 0; i < n; ++i) t.data<float>()[i] = dist(rng);
      break;
    }
    case DType::kInt8:
    case DType::kUInt8: {
      std::uniform_int_distribution<int> dist(0, 255);
      for (int64_t i = 0; i < n; ++i) t.data<uint8_t>()[i] = static_cast<uint8_t>(dist(rng));
      break;
    }
    case DType::kInt32: {
      std::uniform_int_distribution<int32_t> dist(0, 9);
      for (int64_t i = 0; i < n; ++i) t.data<int32_t>()[i] = dist(rng);
      break;
    }
    case DType::kInt64: {
      std::uniform_int_distribution<int64_t> dist(0, 9);
      for (int64_t i = 0; i < n; ++i) t.data<int64_t>()[i] = dist(rng);
      break;
    }
    case DType::kBool: {
      std::uniform_int_distribution<int> dist(0, 1);
      for (int64_t i = 0; i < n; ++i) t.data<bool>()[i] = dist(rng) != 0;
      break;
    }
  }
  return t;
}

PreprocessOptions image_preprocessing(const ImageInput& input, PreprocessPreset preset) {
  return {.preset = preset,
          .resize = static_cast<int>(std::lround(input.size * 256.0 / 224.0)),
          .crop = input.size,
          .channels_last = input.channels_last};
}

}  // namespace qatrt::cli
