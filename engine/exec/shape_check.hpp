// The shape pass of `sslflow validate`: what can be checked without the data or a step.
//
// The dataset is built from its options and asked what it will hold (Dataset::peek, which
// reads at most file headers). When it can tell, a batch must fit its training split (a
// ConfigError at train.batch_size), and every node is set up for its sample shape, as a
// run sets it up before its first step but without loading weight files: the transforms'
// output shapes, the encoders' rules on their input (a ViT patch that does not divide the
// image, a ConvNet grid that does not cut its last stage) and the methods' on the
// encoders' features raise their errors here, named with the node and its position. A
// dataset that cannot tell is checked no further.
#pragma once

#include "graph/validated_pipeline.hpp"

namespace sslflow::engine {

void check_shapes(const ValidatedPipeline& pipeline);

}  // namespace sslflow::engine
