#include "config/yaml_writer.hpp"

#include <algorithm>

#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>

#include "config/yaml_scalar.hpp"

namespace sslflow {

namespace {

// Text that would read back as another type is double-quoted.
void emit_text(YAML::Emitter& out, const std::string& s) {
  if (s.empty() || plain_scalar_kind(s) != ScalarKind::String) out << YAML::DoubleQuoted;
  out << s;
}

void emit(YAML::Emitter& out, const ConfigValue& v) {
  if (v.is_null()) {
    out << YAML::Null;
  } else if (v.is_bool()) {
    out << v.as_bool("a bool");
  } else if (v.is_int()) {
    out << v.as_int("an int");
  } else if (v.is_float()) {
    out << float_text(v.as_float("a float"));
  } else if (v.is_string()) {
    emit_text(out, v.as_string("a string"));
  } else if (v.is_list()) {
    const ConfigValue::List& list = v.as_list("a list");
    if (std::all_of(list.begin(), list.end(), [](const ConfigValue& x) { return x.is_scalar(); })) out << YAML::Flow;
    out << YAML::BeginSeq;
    for (const ConfigValue& x : list) emit(out, x);
    out << YAML::EndSeq;
  } else {
    const ConfigValue::Map& map = v.as_map("a map");
    if (map.empty()) out << YAML::Flow;
    out << YAML::BeginMap;
    for (const ConfigEntry& e : map) {
      out << YAML::Key;
      emit_text(out, e.key);
      out << YAML::Value;
      emit(out, e.value);
    }
    out << YAML::EndMap;
  }
}

}  // namespace

std::string write_yaml(const ConfigValue& value) {
  YAML::Emitter out;
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace sslflow
