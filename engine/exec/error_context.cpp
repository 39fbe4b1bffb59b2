#include "exec/error_context.hpp"

#include <exception>
#include <new>

#include "sslflow/error.hpp"
#include "sslflow/stop.hpp"

namespace sslflow::engine {

namespace {

std::string position(const SourceMark& mark) {
  if (mark.file.empty() || mark.line == 0) return "";
  return mark.file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + ": ";
}

}  // namespace

std::string plugin_context(const PluginSpec& plugin) {
  return position(plugin.mark).append(plugin.kind).append("/").append(plugin.name);
}

std::string node_context(const NodeSpec& node) {
  return position(node.plugin.mark) + "node '" + node.name + "' (" + node.plugin.kind + "/" + node.plugin.name + ")";
}

std::string current_exception_message() {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return "an allocation failed (out of memory, or a size too large to allocate)";
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "threw something that is not a std::exception";
  }
}

void rethrow_with_context(const std::string& context) {
  try {
    throw;
  } catch (const StopRequested&) {
    throw;
  } catch (...) {
    throw Error(context + ": " + current_exception_message());
  }
}

}  // namespace sslflow::engine
