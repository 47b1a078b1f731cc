#pragma once
// Warm start of a model from a trained one of the same architecture, optionally wider
// (Net2WiderNet, Chen, Goodfellow & Shlens 2016). INTERNAL, torch header: include only from .cpp
// files under core/model, core/train and from tests.
// Thread contract: a free function; neither module may be used by another thread during the call.
#include "model/Networks.h"

namespace morph::nn {

/// Initialises `target` from the trained `source` so that it computes the same function.
/// Both must describe the same architecture and pre-processing; every hidden width of `target`
/// must be at least `source`'s (equal widths: a plain copy, i.e. fine-tuning). Each extra channel
/// of a hidden layer copies a randomly chosen channel of that layer (convolution weights, bias,
/// BatchNorm affine parameters and running statistics), and the next layer's weights that read a
/// copied channel are split among its copies in random positive proportions summing to one: the
/// output is unchanged up to float rounding, while the copies get different gradients, so
/// training separates them. The dB normalisation buffers are copied. Random draws use torch's
/// default generator (seed it for a reproducible result). A plain source may initialise a target
/// with position biases (ModelConfig::positionBias; they stay zero, so the function is the same),
/// not the other way round. Throws ConfigError naming what differs.
void initialiseFrom(AutoencoderImpl& source, AutoencoderImpl& target);

} // namespace morph::nn
