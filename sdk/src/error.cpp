#include "sslflow/error.hpp"

#include <utility>

namespace sslflow {

Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;

static std::string located(const std::string& file, int line, int column, const std::string& message) {
  std::string where = file.empty() ? std::string("<command line>") : file;
  if (line > 0) {
    where.append(":").append(std::to_string(line));
    where.append(":").append(std::to_string(column));
  }
  return where.append(": ").append(message);
}

ConfigError::ConfigError(std::string file, int line, int column, const std::string& message)
    : Error(located(file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      reason_(message) {}

PluginError::PluginError(std::string library, const std::string& message)
    : Error(library + ": " + message), library_(std::move(library)) {}

OptionError::OptionError(const std::string& message, std::string option, Part part)
    : Error(message), option_(std::move(option)), part_(part) {}

FormatError::FormatError(std::string path, const std::string& message)
    : Error(path + ": " + message), path_(std::move(path)) {}

InternalError::InternalError(const char* file, int line, const std::string& message)
    : Error(std::string("internal error at ") + file + ":" + std::to_string(line) + ": " + message +
            " (please report this with the pipeline that triggered it)") {}

}  // namespace sslflow
