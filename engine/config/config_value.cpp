#include "config/config_value.hpp"

#include <algorithm>
#include <cctype>

#include <utility>

namespace sslflow {

ConfigError config_error(const SourceMark& at, const std::string& message) {
  return ConfigError(at.file, at.line, at.column, message);
}

bool is_identifier(std::string_view text) {
  auto word = [](unsigned char c) { return std::isalnum(c) || c == '_'; };
  return !text.empty() && !std::isdigit(static_cast<unsigned char>(text.front())) &&
         std::all_of(text.begin(), text.end(), word);
}

std::string comma_list(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

ConfigValue::ConfigValue(SourceMark mark) : mark_(std::move(mark)) {}
ConfigValue::ConfigValue(bool b, SourceMark mark) : v_(b), mark_(std::move(mark)) {}
ConfigValue::ConfigValue(int i, SourceMark mark) : ConfigValue(int64_t{i}, std::move(mark)) {}
ConfigValue::ConfigValue(int64_t i, SourceMark mark) : v_(i), mark_(std::move(mark)) {}
ConfigValue::ConfigValue(double d, SourceMark mark) : v_(d), mark_(std::move(mark)) {}
ConfigValue::ConfigValue(std::string s, SourceMark mark) : v_(std::move(s)), mark_(std::move(mark)) {}
ConfigValue::ConfigValue(const char* s, SourceMark mark) : ConfigValue(std::string(s), std::move(mark)) {}
ConfigValue::ConfigValue(List l, SourceMark mark) : v_(std::move(l)), mark_(std::move(mark)) {}
ConfigValue::ConfigValue(Map m, SourceMark mark) : v_(std::move(m)), mark_(std::move(mark)) {}

std::string ConfigValue::type_name() const {
  static const char* const kNames[] = {"null", "bool", "int", "float", "string", "list", "map"};
  return kNames[v_.index()];
}

namespace {

[[noreturn]] void wrong_type(const ConfigValue& v, std::string_view what, const char* expected) {
  std::string got = v.type_name();
  if (v.is_scalar() && !v.is_null()) got.append(" ").append(v.str());
  throw config_error(v.mark(), std::string(what) + " must be " + expected + ", got " + got);
}

}  // namespace

bool ConfigValue::as_bool(std::string_view what) const {
  if (!is_bool()) wrong_type(*this, what, "true or false");
  return std::get<bool>(v_);
}

int64_t ConfigValue::as_int(std::string_view what) const {
  if (!is_int()) wrong_type(*this, what, "an integer");
  return std::get<int64_t>(v_);
}

double ConfigValue::as_float(std::string_view what) const {
  if (is_int()) return static_cast<double>(std::get<int64_t>(v_));
  if (!is_float()) wrong_type(*this, what, "a number");
  return std::get<double>(v_);
}

const std::string& ConfigValue::as_string(std::string_view what) const {
  if (!is_string()) wrong_type(*this, what, "a string");
  return std::get<std::string>(v_);
}

const ConfigValue::List& ConfigValue::as_list(std::string_view what) const {
  if (!is_list()) wrong_type(*this, what, "a list");
  return std::get<List>(v_);
}

const ConfigValue::Map& ConfigValue::as_map(std::string_view what) const {
  if (!is_map()) wrong_type(*this, what, "a map");
  return std::get<Map>(v_);
}

ConfigValue::List& ConfigValue::as_list(std::string_view what) {
  if (!is_list()) wrong_type(*this, what, "a list");
  return std::get<List>(v_);
}

ConfigValue::Map& ConfigValue::as_map(std::string_view what) {
  if (!is_map()) wrong_type(*this, what, "a map");
  return std::get<Map>(v_);
}

const ConfigEntry* ConfigValue::find_entry(std::string_view key) const {
  if (!is_map()) return nullptr;
  for (const ConfigEntry& e : std::get<Map>(v_))
    if (e.key == key) return &e;
  return nullptr;
}

const ConfigValue* ConfigValue::find(std::string_view key) const {
  const ConfigEntry* e = find_entry(key);
  return e ? &e->value : nullptr;
}

ConfigValue* ConfigValue::find(std::string_view key) {
  return const_cast<ConfigValue*>(std::as_const(*this).find(key));
}

std::vector<std::string> ConfigValue::keys() const {
  std::vector<std::string> out;
  if (is_map())
    for (const ConfigEntry& e : std::get<Map>(v_)) out.push_back(e.key);
  return out;
}

void ConfigValue::set(std::string key, SourceMark key_mark, ConfigValue value) {
  if (is_null()) v_ = Map{};
  if (ConfigValue* existing = find(key)) {
    *existing = std::move(value);
    return;
  }
  as_map("a value with keys").push_back({std::move(key), std::move(key_mark), std::move(value)});
}

bool ConfigValue::erase(std::string_view key) {
  if (!is_map()) return false;
  Map& m = std::get<Map>(v_);
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (it->key == key) {
      m.erase(it);
      return true;
    }
  }
  return false;
}

size_t ConfigValue::count() const {
  size_t n = 1;
  if (is_list())
    for (const ConfigValue& v : std::get<List>(v_)) n += v.count();
  if (is_map())
    for (const ConfigEntry& e : std::get<Map>(v_)) n += e.value.count();
  return n;
}

Value ConfigValue::to_value() const {
  switch (v_.index()) {
    case 0: return Value();
    case 1: return Value(std::get<bool>(v_));
    case 2: return Value(std::get<int64_t>(v_));
    case 3: return Value(std::get<double>(v_));
    case 4: return Value(std::get<std::string>(v_));
    case 5: {
      Value::List out;
      for (const ConfigValue& v : std::get<List>(v_)) out.push_back(v.to_value());
      return Value(std::move(out));
    }
    default: {
      Value::Map out;
      for (const ConfigEntry& e : std::get<Map>(v_)) out.emplace_back(e.key, e.value.to_value());
      return Value(std::move(out));
    }
  }
}

bool operator==(const ConfigValue& a, const ConfigValue& b) { return a.v_ == b.v_; }

}  // namespace sslflow
