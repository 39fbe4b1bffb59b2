// A shared library named like a plugin that exports no descriptor.
#include "sslflow/export.hpp"

extern "C" SSLFLOW_EXPORT int sslflow_not_a_plugin() { return 1; }
