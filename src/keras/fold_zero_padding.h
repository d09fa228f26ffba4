// Folds the Pad nodes that ZeroPadding2D becomes into the pads of the one Conv / MaxPool reading them:
//
//     x ──► Pad(zeros, spatial t,l,b,r) ──► Conv(pads p)      ⇒   x ──► Conv(pads p + [t,l,b,r])
//     relu ──► Pad(zeros) ──► MaxPool(pads p)                 ⇒   relu ──► MaxPool(pads p + [t,l,b,r])
//
// Conv pads with zeros, so the fold is always exact. MaxPool ignores its padding (as if −∞) while the Pad
// inserts zeros: the two agree only when every input is ≥ 0 — a Relu's output — and every window still holds
// at least one real element, which pads < kernel guarantees (ONNX requires that anyway). Otherwise the Pad
// stays. Each folded Pad's name is recorded in the consumer's fused_from.
#pragma once

#include "ir/graph.h"

namespace qatrt {

// Returns how many Pad nodes were folded.
int fold_zero_padding(Graph& graph);

}  // namespace qatrt
