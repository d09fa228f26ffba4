// Shapes: a dimension of -1 is dynamic (the batch dimension of an imported model); it is bound to a
// concrete size when a plan is run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qatrt {

using Shape = std::vector<int64_t>;
constexpr int64_t kDynamicDim = -1;

int64_t shape_numel(const Shape& shape);  // -1 if any dimension is dynamic
bool shape_is_static(const Shape& shape);
std::string shape_to_string(const Shape& shape);  // "[N,3,224,224]" with N for a dynamic dimension

}  // namespace qatrt
