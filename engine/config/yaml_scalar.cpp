#include "config/yaml_scalar.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <regex>

namespace sslflow {

namespace {

// The core schema's resolution patterns (YAML 1.2.2, section 10.3.2).
const std::regex kNull("~|null|Null|NULL|");
const std::regex kBool("true|True|TRUE|false|False|FALSE");
const std::regex kInt("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
const std::regex kFloat(
    "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?"
    "|[-+]?(\\.inf|\\.Inf|\\.INF)|\\.nan|\\.NaN|\\.NAN");

bool matches(std::string_view text, const std::regex& re) {
  return std::regex_match(text.begin(), text.end(), re);
}

ConfigValue parse_int(const std::string& text, SourceMark mark) {
  std::string_view digits = text;
  int base = 10;
  if (digits.starts_with("0o") || digits.starts_with("0x")) {
    base = digits[1] == 'o' ? 8 : 16;
    digits.remove_prefix(2);
  } else if (digits.starts_with('+')) {
    digits.remove_prefix(1);
  }
  int64_t i = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i, base);
  if (ec != std::errc() || end != digits.data() + digits.size())
    throw config_error(mark, "integer " + text + " is out of range (at most " +
                                 std::to_string(std::numeric_limits<int64_t>::max()) +
                                 "); quote it to keep it as text");
  return ConfigValue(i, std::move(mark));
}

ConfigValue parse_float(const std::string& text, SourceMark mark) {
  std::string_view body = text;
  bool negative = body.starts_with('-');
  if (body.starts_with('-') || body.starts_with('+')) body.remove_prefix(1);
  double d = 0;
  if (body.starts_with(".n") || body.starts_with(".N")) {
    d = std::numeric_limits<double>::quiet_NaN();
  } else if (body.starts_with(".i") || body.starts_with(".I")) {
    d = std::numeric_limits<double>::infinity();
  } else {
    auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
    if (ec != std::errc() || end != body.data() + body.size())
      throw config_error(mark, "float " + text + " is out of range; write .inf or a smaller number");
  }
  return ConfigValue(negative ? -d : d, std::move(mark));
}

}  // namespace

ScalarKind plain_scalar_kind(std::string_view text) {
  if (matches(text, kNull)) return ScalarKind::Null;
  if (matches(text, kBool)) return ScalarKind::Bool;
  if (matches(text, kInt)) return ScalarKind::Int;
  if (matches(text, kFloat)) return ScalarKind::Float;
  return ScalarKind::String;
}

ConfigValue resolve_plain_scalar(const std::string& text, SourceMark mark) {
  switch (plain_scalar_kind(text)) {
    case ScalarKind::Null: return ConfigValue(std::move(mark));
    case ScalarKind::Bool: return ConfigValue(text[0] == 't' || text[0] == 'T', std::move(mark));
    case ScalarKind::Int: return parse_int(text, std::move(mark));
    case ScalarKind::Float: return parse_float(text, std::move(mark));
    case ScalarKind::String: break;
  }
  return ConfigValue(text, std::move(mark));
}

std::string float_text(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::isinf(d)) return d < 0 ? "-.inf" : ".inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, end);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

}  // namespace sslflow
