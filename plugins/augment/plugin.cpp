// The augment library: registers the shipped transforms.
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"
#include "transforms.hpp"

SSLFLOW_PLUGIN("augment", SSLFLOW_VERSION_STRING) { sslflow::augment::register_transforms(registry); }
