#include "sslflow/params.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sslflow/plugin.hpp"

namespace sslflow {

const char* to_string(OptionType type) {
  switch (type) {
    case OptionType::Bool: return "bool";
    case OptionType::Int: return "int";
    case OptionType::Float: return "float";
    case OptionType::String: return "string";
    case OptionType::IntList: return "list of int";
    case OptionType::FloatList: return "list of float";
    case OptionType::StringList: return "list of string";
    case OptionType::Plugin: return "plugin";
    case OptionType::Map: return "map";
  }
  return "?";
}

Option::Option(std::string name, OptionType type, Value default_value, std::string doc)
    : name_(std::move(name)), type_(type), default_(std::move(default_value)), doc_(std::move(doc)) {}

Option::Option(std::string name, bool v, std::string doc) : Option(std::move(name), OptionType::Bool, v, std::move(doc)) {}
Option::Option(std::string name, int v, std::string doc) : Option(std::move(name), OptionType::Int, v, std::move(doc)) {}
Option::Option(std::string name, int64_t v, std::string doc)
    : Option(std::move(name), OptionType::Int, v, std::move(doc)) {}
Option::Option(std::string name, double v, std::string doc)
    : Option(std::move(name), OptionType::Float, v, std::move(doc)) {}
Option::Option(std::string name, const char* v, std::string doc)
    : Option(std::move(name), OptionType::String, v, std::move(doc)) {}
Option::Option(std::string name, std::string v, std::string doc)
    : Option(std::move(name), OptionType::String, std::move(v), std::move(doc)) {}

Option Option::ints(std::string name, std::vector<int64_t> v, std::string doc) {
  Value::List l(v.begin(), v.end());
  return Option(std::move(name), OptionType::IntList, std::move(l), std::move(doc));
}

Option Option::floats(std::string name, std::vector<double> v, std::string doc) {
  Value::List l(v.begin(), v.end());
  return Option(std::move(name), OptionType::FloatList, std::move(l), std::move(doc));
}

Option Option::strings(std::string name, std::vector<std::string> v, std::string doc) {
  Value::List l(v.begin(), v.end());
  return Option(std::move(name), OptionType::StringList, std::move(l), std::move(doc));
}

Option Option::required(std::string name, OptionType type, std::string doc) {
  Option o(std::move(name), type, Value(), std::move(doc));
  o.required_ = true;
  return o;
}

Option Option::plugin(std::string name, std::string kind, std::string default_name, std::string doc) {
  Option o(std::move(name), OptionType::Plugin, Value(), std::move(doc));
  if (default_name.empty())
    o.required_ = true;
  else
    o.default_ = Value(Value::Map{{"plugin", Value(std::move(default_name))}});
  o.plugin_kind_ = std::move(kind);
  return o;
}

Option Option::map(std::string name, std::string doc) {
  return Option(std::move(name), OptionType::Map, Value(Value::Map{}), std::move(doc));
}

Option& Option::range(double lo, double hi) {
  min_ = lo;
  max_ = hi;
  return *this;
}

Option& Option::min(double lo) {
  min_ = lo;
  return *this;
}

Option& Option::positive() {
  min_ = 0.0;
  min_exclusive_ = true;
  return *this;
}

Option& Option::one_of(std::vector<std::string> choices) {
  choices_ = std::move(choices);
  return *this;
}

Option& Option::length(size_t size) {
  length_ = size;
  return *this;
}

Option& Option::optional() {
  required_ = false;
  default_ = Value();
  return *this;
}

static std::string number_str(double d) {
  std::ostringstream os;
  os << d;
  return os.str();
}

std::string Option::describe_type() const {
  std::string s = to_string(type_);
  if (type_ == OptionType::Plugin) s += " of kind " + plugin_kind_;
  if (length_) s += " of length " + std::to_string(*length_);
  if (min_ && max_)
    s += std::string(min_exclusive_ ? " in (" : " in [") + number_str(*min_) + ", " + number_str(*max_) + "]";
  else if (min_)
    s += (min_exclusive_ ? " > " : " >= ") + number_str(*min_);
  if (!choices_.empty()) {
    s += ", one of:";
    for (const auto& c : choices_) s += " " + c;
  }
  return s;
}

namespace {

bool in_range(double x, const std::optional<double>& lo, bool lo_exclusive, const std::optional<double>& hi) {
  if (std::isnan(x)) return false;
  if (lo && (lo_exclusive ? x <= *lo : x < *lo)) return false;
  if (hi && x > *hi) return false;
  return true;
}

}  // namespace

Value Option::check(const Value& v) const {
  auto fail = [&](const std::string& why) -> OptionError {
    return OptionError("option '" + name_ + "' expects " + describe_type() + ", got " + v.type_name() + " " +
                       v.str() + (why.empty() ? "" : " (" + why + ")"));
  };
  auto check_number = [&](const Value& x, bool integer) -> Value {
    if (integer ? !x.is_int() : !x.is_number()) throw fail("");
    double d = x.as_float();
    if (!std::isfinite(d)) throw fail("not a finite number");
    if (!in_range(d, min_, min_exclusive_, max_)) throw fail("out of range");
    return integer ? x : Value(d);
  };
  auto check_list = [&](auto element) -> Value {
    if (!v.is_list()) throw fail("");
    if (length_ && v.as_list().size() != *length_)
      throw fail("has " + std::to_string(v.as_list().size()) + " elements");
    Value::List out;
    for (const Value& x : v.as_list()) out.push_back(element(x));
    return out;
  };
  switch (type_) {
    case OptionType::Bool:
      if (!v.is_bool()) throw fail("");
      return v;
    case OptionType::Int: return check_number(v, true);
    case OptionType::Float: return check_number(v, false);
    case OptionType::String:
      if (!v.is_string()) throw fail("");
      if (!choices_.empty() && std::find(choices_.begin(), choices_.end(), v.as_string()) == choices_.end())
        throw fail("not a known choice" + did_you_mean(v.as_string(), choices_));
      return v;
    case OptionType::IntList: return check_list([&](const Value& x) { return check_number(x, true); });
    case OptionType::FloatList: return check_list([&](const Value& x) { return check_number(x, false); });
    case OptionType::StringList:
      return check_list([&](const Value& x) {
        if (!x.is_string()) throw fail("");
        return x;
      });
    case OptionType::Plugin:
      if (v.is_string()) return Value(Value::Map{{"plugin", v}});
      if (!v.is_map() || !v.find("plugin") || !v.find("plugin")->is_string())
        throw fail("write {plugin: NAME, options...} or just NAME");
      return v;
    case OptionType::Map:
      if (!v.is_map()) throw fail("");
      return v;
  }
  return v;
}

const Option* find_option(const Schema& schema, const std::string& name) {
  for (const Option& o : schema)
    if (o.name() == name) return &o;
  return nullptr;
}

static size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> closest_names(const std::string& word, const std::vector<std::string>& candidates) {
  std::vector<std::pair<size_t, std::string>> scored;
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    bool prefix = !word.empty() && (c.starts_with(word) || word.starts_with(c));
    if (d <= limit || prefix) scored.emplace_back(prefix ? std::min(d, limit) : d, c);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < 3; ++i) out.push_back(scored[i].second);
  return out;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  auto near = closest_names(word, candidates);
  if (near.empty()) return "";
  std::string s = ", did you mean ";
  for (size_t i = 0; i < near.size(); ++i) s += (i ? " or '" : "'") + near[i] + "'";
  return s + "?";
}

Params Params::resolve(std::string owner, const Schema& schema, const Value& given) {
  if (!given.is_null() && !given.is_map())
    throw OptionError(owner + ": options must be a map, got " + given.type_name());
  std::vector<std::string> names;
  for (const Option& o : schema) names.push_back(o.name());
  if (given.is_map())
    for (const auto& [key, v] : given.as_map())
      if (!find_option(schema, key))
        throw OptionError(owner + ": unknown option '" + key + "'" +
                              (names.empty() ? " (it takes no options)" : did_you_mean(key, names)),
                          key, OptionError::Part::Key);
  Params p;
  p.owner_ = std::move(owner);
  p.schema_ = schema;
  p.values_ = Value(Value::Map{});
  for (const Option& o : schema) {
    const Value* v = given.find(o.name());
    if (!v || v->is_null()) {
      if (o.is_required())
        throw OptionError(p.owner_ + ": missing required option '" + o.name() + "' (" + o.describe_type() + ": " +
                              o.doc() + ")",
                          o.name());
      p.values_.set(o.name(), o.default_value());
      continue;
    }
    try {
      p.values_.set(o.name(), o.check(*v));
    } catch (const OptionError& e) {
      throw OptionError(p.owner_ + ": " + e.what() + " — " + o.doc(), o.name(), OptionError::Part::Value);
    }
  }
  return p;
}

const Option& Params::declared(const std::string& name, OptionType a, OptionType b) const {
  const Option* o = find_option(schema_, name);
  if (!o) throw OptionError(owner_ + ": reads option '" + name + "', which its schema does not declare");
  if (o->type() != a && o->type() != b)
    throw OptionError(owner_ + ": option '" + name + "' is declared as " + to_string(o->type()) + " but read as " +
                      to_string(a));
  return *o;
}

const Value& Params::value(const std::string& name) const {
  if (!find_option(schema_, name))
    throw OptionError(owner_ + ": reads option '" + name + "', which its schema does not declare");
  const Value* v = values_.find(name);
  static const Value null;
  return v ? *v : null;
}

bool Params::has(const std::string& name) const { return !value(name).is_null(); }

template <>
bool Params::get<bool>(const std::string& name) const {
  declared(name, OptionType::Bool, OptionType::Bool);
  return value(name).as_bool();
}

template <>
int64_t Params::get<int64_t>(const std::string& name) const {
  declared(name, OptionType::Int, OptionType::Int);
  return value(name).as_int();
}

template <>
int Params::get<int>(const std::string& name) const {
  return static_cast<int>(get<int64_t>(name));
}

template <>
double Params::get<double>(const std::string& name) const {
  declared(name, OptionType::Float, OptionType::Int);
  return value(name).as_float();
}

template <>
float Params::get<float>(const std::string& name) const {
  return static_cast<float>(get<double>(name));
}

template <>
std::string Params::get<std::string>(const std::string& name) const {
  declared(name, OptionType::String, OptionType::String);
  return value(name).as_string();
}

template <>
std::vector<int64_t> Params::get<std::vector<int64_t>>(const std::string& name) const {
  declared(name, OptionType::IntList, OptionType::IntList);
  std::vector<int64_t> out;
  for (const Value& v : value(name).as_list()) out.push_back(v.as_int());
  return out;
}

template <>
std::vector<double> Params::get<std::vector<double>>(const std::string& name) const {
  declared(name, OptionType::FloatList, OptionType::IntList);
  std::vector<double> out;
  for (const Value& v : value(name).as_list()) out.push_back(v.as_float());
  return out;
}

template <>
std::vector<std::string> Params::get<std::vector<std::string>>(const std::string& name) const {
  declared(name, OptionType::StringList, OptionType::StringList);
  std::vector<std::string> out;
  for (const Value& v : value(name).as_list()) out.push_back(v.as_string());
  return out;
}

template <>
Value Params::get<Value>(const std::string& name) const {
  return value(name);
}

void Params::set_plugin(const std::string& name, std::shared_ptr<Plugin> plugin) {
  declared(name, OptionType::Plugin, OptionType::Plugin);
  for (auto& [k, p] : plugins_)
    if (k == name) {
      p = std::move(plugin);
      return;
    }
  plugins_.emplace_back(name, std::move(plugin));
}

std::shared_ptr<Plugin> Params::plugin_object(const std::string& name) const {
  declared(name, OptionType::Plugin, OptionType::Plugin);
  for (const auto& [k, p] : plugins_)
    if (k == name) return p;
  throw OptionError(owner_ + ": plugin option '" + name + "' was not built (the engine builds it from " +
                    value(name).str() + ")");
}

}  // namespace sslflow
