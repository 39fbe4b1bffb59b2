// Symbol visibility for the sdk library and for plugin entry points.
//
// The sdk is built with default visibility for its public types so that their type
// information is shared with plugins (dynamic_cast and exceptions cross the library
// boundary). Plugins are built with hidden visibility and export only their descriptor.
#pragma once

#define SSLFLOW_EXPORT __attribute__((visibility("default")))
