// ConfigValue: a pipeline file as a tree of values, each carrying where it was written.
//
// A node is null, bool, int, float, string, list or map (maps keep the order the keys were
// written in, and every key keeps its own mark). Marks are 1-based; a value set on the
// command line has line 0 and names the override in `file` ("override 'train.lr=0.1'").
// Typed accessors throw sslflow::ConfigError at the node's mark, saying what was expected,
// so a caller can check a value in one line and the user is pointed at the right place.
// to_value() drops the marks and returns the sdk's plain Value.
//
// Threading: a plain value type; const access from several threads is safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sslflow/error.hpp"
#include "sslflow/value.hpp"

namespace sslflow {

struct SourceMark {
  std::string file;
  int line = 0;    // 1-based; 0 = from the command line
  int column = 0;  // 1-based; 0 = unknown
};

// The exception for a bad value at `at`: "file:line:column: message".
ConfigError config_error(const SourceMark& at, const std::string& message);
// "a, b, c": names listed in a message.
std::string comma_list(const std::vector<std::string>& names);
// Letters, digits and _, not starting with a digit: node and port names.
bool is_identifier(std::string_view text);

struct ConfigEntry;

class ConfigValue {
 public:
  using List = std::vector<ConfigValue>;
  using Map = std::vector<ConfigEntry>;

  explicit ConfigValue(SourceMark mark = {});  // null
  ConfigValue(bool b, SourceMark mark);
  ConfigValue(int64_t i, SourceMark mark);
  ConfigValue(int i, SourceMark mark);
  ConfigValue(double d, SourceMark mark);
  ConfigValue(std::string s, SourceMark mark);
  ConfigValue(const char* s, SourceMark mark);
  ConfigValue(List l, SourceMark mark);
  ConfigValue(Map m, SourceMark mark);

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_float() const { return std::holds_alternative<double>(v_); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_list() const { return std::holds_alternative<List>(v_); }
  bool is_map() const { return std::holds_alternative<Map>(v_); }
  bool is_scalar() const { return !is_list() && !is_map(); }
  // "null", "bool", "int", "float", "string", "list", "map"
  std::string type_name() const;

  const SourceMark& mark() const { return mark_; }
  void set_mark(SourceMark mark) { mark_ = std::move(mark); }

  // Typed access; a wrong type is a ConfigError at mark(): "`what` must be a map, got int 3".
  bool as_bool(std::string_view what) const;
  int64_t as_int(std::string_view what) const;
  double as_float(std::string_view what) const;  // integers widen
  const std::string& as_string(std::string_view what) const;
  const List& as_list(std::string_view what) const;
  const Map& as_map(std::string_view what) const;
  List& as_list(std::string_view what);
  Map& as_map(std::string_view what);

  // Map lookup: nullptr when absent or when this is not a map.
  const ConfigEntry* find_entry(std::string_view key) const;
  const ConfigValue* find(std::string_view key) const;
  ConfigValue* find(std::string_view key);
  std::vector<std::string> keys() const;  // empty when not a map
  // Map insert-or-assign (a new key goes last, keeping `key_mark`); turns a null into a map.
  void set(std::string key, SourceMark key_mark, ConfigValue value);
  bool erase(std::string_view key);

  // Number of nodes in this tree, this one included.
  size_t count() const;
  Value to_value() const;
  // The compact flow form of to_value(): {a: 1, b: [x, y]}.
  std::string str() const { return to_value().str(); }

  // Structural equality; marks are ignored.
  friend bool operator==(const ConfigValue& a, const ConfigValue& b);

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, List, Map> v_;
  SourceMark mark_;
};

struct ConfigEntry {
  std::string key;
  SourceMark key_mark;
  ConfigValue value;

  friend bool operator==(const ConfigEntry& a, const ConfigEntry& b) {
    return a.key == b.key && a.value == b.value;
  }
};

}  // namespace sslflow
