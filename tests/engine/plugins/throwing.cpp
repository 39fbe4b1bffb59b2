// A plugin library whose register_all throws.
#include <stdexcept>

#include "sslflow/registry.hpp"

SSLFLOW_PLUGIN("test-throwing", "1.0.0") { throw std::runtime_error("cannot register: the moon is full"); }
