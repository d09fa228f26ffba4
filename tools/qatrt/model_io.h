// What infer and bench need to know about a plan's inputs and outputs.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "data/preprocess.h"
#include "ir/graph.h"

namespace qatrt::cli {

// The shape of graph input `id` at this batch size: the leading dynamic dimension becomes `batch`; a static
// leading dimension must equal it; any other dynamic dimension is an error naming the input.
StatusOr<Shape> bind_batch(const Graph& graph, ValueId id, int64_t batch);

// An image input: float32, rank 4, three channels first (NCHW) or last (NHWC, as Keras/TF exports keep).
struct ImageInput {
  bool channels_last = false;
  int size = 224;  // square spatial size the model expects (224 when the model leaves it dynamic)
};
StatusOr<ImageInput> describe_image_input(const Graph& graph);

// The evaluation preprocessing for that input: resize the shorter side to size·256/224, centre-crop `size`.
PreprocessOptions image_preprocessing(const ImageInput& input, PreprocessPreset preset);

// Uniform random contents for a tensor of this dtype and shape: floats in [-1, 1), integers over their range
// (int32/int64 in [0, 10)), bools 0/1.
Tensor random_tensor(DType dtype, const Shape& shape, std::mt19937& rng);

}  // namespace qatrt::cli
