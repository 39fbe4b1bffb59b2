// A descriptor exported as data of the wrong size: the three version fields and nothing else.
#include <cstdint>

#include "sslflow/plugin.hpp"

extern "C" SSLFLOW_EXPORT const uint32_t sslflow_plugin_descriptor[3]{::sslflow::kAbiVersion, SSLFLOW_VERSION_MAJOR,
                                                                       SSLFLOW_VERSION_MINOR};
