// Value: a plain tree of option values (null, bool, integer, float, string, list, map).
//
// The sdk's own representation of what a pipeline file says, independent of the YAML
// library the engine parses it with. Maps keep insertion order.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sslflow/export.hpp"

namespace sslflow {

class SSLFLOW_EXPORT Value {
 public:
  using List = std::vector<Value>;
  using Map = std::vector<std::pair<std::string, Value>>;

  Value() = default;
  Value(bool b) : v_(b) {}
  Value(int i) : v_(int64_t{i}) {}
  Value(int64_t i) : v_(i) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(List l) : v_(std::move(l)) {}
  Value(Map m) : v_(std::move(m)) {}

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_float() const { return std::holds_alternative<double>(v_); }
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_list() const { return std::holds_alternative<List>(v_); }
  bool is_map() const { return std::holds_alternative<Map>(v_); }

  // Typed access; throws OptionError naming the expected and actual types.
  bool as_bool() const;
  int64_t as_int() const;
  double as_float() const;  // integers widen to float
  const std::string& as_string() const;
  const List& as_list() const;
  const Map& as_map() const;
  List& as_list();
  Map& as_map();

  // Map lookup: nullptr when absent (or when this is not a map).
  const Value* find(const std::string& key) const;
  Value* find(const std::string& key);
  // Map insert-or-assign; turns a null into a map.
  void set(const std::string& key, Value value);
  bool erase(const std::string& key);

  std::string type_name() const;  // "null", "bool", "int", "float", "string", "list", "map"
  std::string str() const;        // a compact YAML flow form: {a: 1, b: [x, y]}

  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, List, Map> v_;
};

}  // namespace sslflow
