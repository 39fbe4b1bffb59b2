// The align-uniform plugin library: method/align_uniform (align_uniform.hpp).
#include "align_uniform.hpp"

SSLFLOW_PLUGIN("align-uniform", "1.0.0") {
  registry.add<sslflow::Method, align_uniform::AlignUniform>(
      "align_uniform", "alignment and uniformity on the hypersphere (Wang and Isola 2020), two views");
}
