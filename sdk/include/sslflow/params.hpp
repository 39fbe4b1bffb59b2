// Options: what a plugin declares (Schema) and what it is constructed with (Params).
//
// A plugin declares every option before it is constructed (MediaPipe's contract): name,
// type, default (or required), range or choices, and a one-line doc. The engine checks a
// pipeline's values against the schema (unknown keys, types, ranges) with the file, line
// and column of each value, fills in defaults, and hands the plugin a Params. Reading an
// undeclared option, or reading one as the wrong type, throws OptionError naming it.
//
// An option of type Plugin holds another plugin (a method's `loss:`); the engine builds
// it first and the owner receives it through Params::plugin<Interface>(name).
#pragma once

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sslflow/error.hpp"
#include "sslflow/export.hpp"
#include "sslflow/value.hpp"

namespace sslflow {

class Plugin;

enum class OptionType { Bool, Int, Float, String, IntList, FloatList, StringList, Plugin, Map };

SSLFLOW_EXPORT const char* to_string(OptionType type);

class SSLFLOW_EXPORT Option {
 public:
  // An option whose type follows its default.
  Option(std::string name, bool default_value, std::string doc);
  Option(std::string name, int default_value, std::string doc);
  Option(std::string name, int64_t default_value, std::string doc);
  Option(std::string name, double default_value, std::string doc);
  Option(std::string name, const char* default_value, std::string doc);
  Option(std::string name, std::string default_value, std::string doc);

  static Option ints(std::string name, std::vector<int64_t> default_value, std::string doc);
  static Option floats(std::string name, std::vector<double> default_value, std::string doc);
  static Option strings(std::string name, std::vector<std::string> default_value, std::string doc);
  // An option with no default: the pipeline must set it.
  static Option required(std::string name, OptionType type, std::string doc);
  // A plugin-valued option of `kind`; an empty default_name makes it required.
  static Option plugin(std::string name, std::string kind, std::string default_name, std::string doc);
  // A free-form map (e.g. a scheduler's own settings), checked by its owner.
  static Option map(std::string name, std::string doc);

  // Constraints, chained: Option("lr", 0.05, "...").range(0.0, 10.0)
  Option& range(double min, double max);  // inclusive; for numbers and every element of lists
  Option& min(double min);
  Option& positive();  // > 0
  Option& one_of(std::vector<std::string> choices);
  Option& length(size_t size);  // lists: exact number of elements
  Option& optional();           // may be left unset (null) without being required

  const std::string& name() const { return name_; }
  OptionType type() const { return type_; }
  const std::string& doc() const { return doc_; }
  const std::string& plugin_kind() const { return plugin_kind_; }
  bool is_required() const { return required_; }
  const Value& default_value() const { return default_; }
  const std::vector<std::string>& choices() const { return choices_; }
  std::optional<double> lower() const { return min_; }
  std::optional<double> upper() const { return max_; }
  bool lower_exclusive() const { return min_exclusive_; }
  // "int in [1, 64]", "float > 0", "string, one of: a, b", for help text and errors.
  std::string describe_type() const;

  // Checks `value` against type and constraints and returns it normalised (an integer
  // given for a float option becomes a float). Throws OptionError saying what was expected.
  Value check(const Value& value) const;

 private:
  Option(std::string name, OptionType type, Value default_value, std::string doc);

  std::string name_;
  OptionType type_;
  Value default_;
  std::string doc_;
  bool required_ = false;
  std::optional<double> min_, max_;
  bool min_exclusive_ = false;
  std::optional<size_t> length_;
  std::vector<std::string> choices_;
  std::string plugin_kind_;
};

using Schema = std::vector<Option>;

// Returns the option named `name`, or nullptr.
SSLFLOW_EXPORT const Option* find_option(const Schema& schema, const std::string& name);

// Up to three of `candidates` closest to `word` (edit distance), best first, for
// "did you mean" hints; empty when none is close.
SSLFLOW_EXPORT std::vector<std::string> closest_names(const std::string& word,
                                                     const std::vector<std::string>& candidates);
// ", did you mean 'x'?" or "" when there is no close candidate.
SSLFLOW_EXPORT std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

class SSLFLOW_EXPORT Params {
 public:
  Params() = default;

  // Validates `given` (a map, or null) against `schema`: unknown keys (with a did-you-mean),
  // types and ranges, required options; fills in defaults. `owner` ("loss/cauchy" or a node
  // name) prefixes every error. Plugin-valued options are attached with set_plugin().
  static Params resolve(std::string owner, const Schema& schema, const Value& given);

  template <class T>
  T get(const std::string& name) const;
  const Value& value(const std::string& name) const;
  // False when an optional() option was left unset.
  bool has(const std::string& name) const;

  template <class Interface>
  std::shared_ptr<Interface> plugin(const std::string& name) const {
    auto p = std::dynamic_pointer_cast<Interface>(plugin_object(name));
    if (!p) throw OptionError(owner_ + ": option '" + name + "' does not hold a plugin of the expected kind");
    return p;
  }
  void set_plugin(const std::string& name, std::shared_ptr<Plugin> plugin);

  const std::string& owner() const { return owner_; }
  const Value& values() const { return values_; }  // the resolved map
  const Schema& schema() const { return schema_; }

 private:
  const Option& declared(const std::string& name, OptionType expected_a, OptionType expected_b) const;
  std::shared_ptr<Plugin> plugin_object(const std::string& name) const;

  std::string owner_;
  Schema schema_;
  Value values_;
  std::vector<std::pair<std::string, std::shared_ptr<Plugin>>> plugins_;
};

template <>
SSLFLOW_EXPORT bool Params::get<bool>(const std::string& name) const;
template <>
SSLFLOW_EXPORT int64_t Params::get<int64_t>(const std::string& name) const;
template <>
SSLFLOW_EXPORT int Params::get<int>(const std::string& name) const;
template <>
SSLFLOW_EXPORT double Params::get<double>(const std::string& name) const;
template <>
SSLFLOW_EXPORT float Params::get<float>(const std::string& name) const;
template <>
SSLFLOW_EXPORT std::string Params::get<std::string>(const std::string& name) const;
template <>
SSLFLOW_EXPORT std::vector<int64_t> Params::get<std::vector<int64_t>>(const std::string& name) const;
template <>
SSLFLOW_EXPORT std::vector<double> Params::get<std::vector<double>>(const std::string& name) const;
template <>
SSLFLOW_EXPORT std::vector<std::string> Params::get<std::vector<std::string>>(const std::string& name) const;
template <>
SSLFLOW_EXPORT Value Params::get<Value>(const std::string& name) const;

}  // namespace sslflow
