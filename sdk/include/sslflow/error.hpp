// Errors: every failure in sslflow is an exception derived from sslflow::Error.
//
// Nothing in the sdk or the engine aborts on bad input. Each kind carries the context a
// user needs to fix the problem: ConfigError a file:line:column, PluginError the library
// path and both ABI versions, ShapeError the op and the shapes, GraphError node names.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "sslflow/export.hpp"

namespace sslflow {

class SSLFLOW_EXPORT Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  ~Error() override;
};

// A pipeline file or command-line value that is wrong; `line` and `column` are 1-based,
// 0 when unknown (a value that came from the command line).
class SSLFLOW_EXPORT ConfigError : public Error {
 public:
  ConfigError(std::string file, int line, int column, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  // The message without the "file:line:column: " prefix.
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string reason_;
};

// A plugin library that cannot be used: missing descriptor, ABI mismatch, duplicate name.
class SSLFLOW_EXPORT PluginError : public Error {
 public:
  PluginError(std::string library, const std::string& message);
  const std::string& library() const { return library_; }

 private:
  std::string library_;
};

// Tensor shapes that an op cannot combine; the message names the op and the shapes.
class SSLFLOW_EXPORT ShapeError : public Error {
 public:
  using Error::Error;
};

// A pipeline graph that cannot run: cycles, dangling inputs, port type mismatches.
class SSLFLOW_EXPORT GraphError : public Error {
 public:
  using Error::Error;
};

// An option that a plugin reads but did not declare, or reads with the wrong type; and from
// Params::resolve, an option given that the schema does not declare, a value it refuses or
// a required one left out, with the option's name and which part of its entry is at fault,
// so that the engine can point at that place in the pipeline file.
class SSLFLOW_EXPORT OptionError : public Error {
 public:
  enum class Part { None, Key, Value };  // the option's name, its value; None: the whole map

  explicit OptionError(const std::string& message, std::string option = "", Part part = Part::None);
  const std::string& option() const { return option_; }
  Part part() const { return part_; }

 private:
  std::string option_;
  Part part_;
};

// A file on disk (safetensors, npy, dataset) that is malformed or cannot be read.
class SSLFLOW_EXPORT FormatError : public Error {
 public:
  FormatError(std::string path, const std::string& message);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A broken internal invariant: a bug in sslflow or a plugin, reported with its location.
class SSLFLOW_EXPORT InternalError : public Error {
 public:
  InternalError(const char* file, int line, const std::string& message);
};

}  // namespace sslflow

// Guards an internal invariant; throws InternalError instead of aborting.
#define SSLFLOW_ASSERT(cond, message)                                   \
  do {                                                                  \
    if (!(cond)) throw ::sslflow::InternalError(__FILE__, __LINE__, message); \
  } while (0)
