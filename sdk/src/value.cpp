#include "sslflow/value.hpp"

#include <algorithm>
#include <sstream>

#include "sslflow/error.hpp"

namespace sslflow {

namespace {

[[noreturn]] void wrong_type(const Value& v, const char* expected) {
  throw OptionError(std::string("expected ") + expected + ", got " + v.type_name() + " " + v.str());
}

std::string float_str(double d) {
  std::ostringstream os;
  os.precision(10);
  os << d;
  std::string s = os.str();
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

bool Value::as_bool() const {
  if (!is_bool()) wrong_type(*this, "a boolean");
  return std::get<bool>(v_);
}

int64_t Value::as_int() const {
  if (!is_int()) wrong_type(*this, "an integer");
  return std::get<int64_t>(v_);
}

double Value::as_float() const {
  if (is_int()) return static_cast<double>(std::get<int64_t>(v_));
  if (!is_float()) wrong_type(*this, "a number");
  return std::get<double>(v_);
}

const std::string& Value::as_string() const {
  if (!is_string()) wrong_type(*this, "a string");
  return std::get<std::string>(v_);
}

const Value::List& Value::as_list() const {
  if (!is_list()) wrong_type(*this, "a list");
  return std::get<List>(v_);
}

const Value::Map& Value::as_map() const {
  if (!is_map()) wrong_type(*this, "a map");
  return std::get<Map>(v_);
}

Value::List& Value::as_list() {
  if (!is_list()) wrong_type(*this, "a list");
  return std::get<List>(v_);
}

Value::Map& Value::as_map() {
  if (!is_map()) wrong_type(*this, "a map");
  return std::get<Map>(v_);
}

const Value* Value::find(const std::string& key) const {
  if (!is_map()) return nullptr;
  for (const auto& [k, v] : std::get<Map>(v_))
    if (k == key) return &v;
  return nullptr;
}

Value* Value::find(const std::string& key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}

void Value::set(const std::string& key, Value value) {
  if (is_null()) v_ = Map{};
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return;
  }
  as_map().emplace_back(key, std::move(value));
}

bool Value::erase(const std::string& key) {
  if (!is_map()) return false;
  auto& m = std::get<Map>(v_);
  auto it = std::find_if(m.begin(), m.end(), [&](const auto& kv) { return kv.first == key; });
  if (it == m.end()) return false;
  m.erase(it);
  return true;
}

std::string Value::type_name() const {
  static const char* names[] = {"null", "bool", "int", "float", "string", "list", "map"};
  return names[v_.index()];
}

std::string Value::str() const {
  switch (v_.index()) {
    case 0: return "null";
    case 1: return std::get<bool>(v_) ? "true" : "false";
    case 2: return std::to_string(std::get<int64_t>(v_));
    case 3: return float_str(std::get<double>(v_));
    case 4: return std::get<std::string>(v_);
    case 5: {
      std::string s = "[";
      for (const Value& v : std::get<List>(v_)) s += (s.size() > 1 ? ", " : "") + v.str();
      return s + "]";
    }
    default: {
      std::string s = "{";
      for (const auto& [k, v] : std::get<Map>(v_)) s += (s.size() > 1 ? ", " : "") + k + ": " + v.str();
      return s + "}";
    }
  }
}

}  // namespace sslflow
