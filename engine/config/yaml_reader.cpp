#include "config/yaml_reader.hpp"

#include <algorithm>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <utility>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "config/yaml_scalar.hpp"

namespace sslflow {

namespace {

const std::string kCoreTag = "tag:yaml.org,2002:";

// Builds the tree from yaml-cpp's parse events, one collection per stack frame.
class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(std::string_view text, std::string file, std::optional<SourceMark> origin)
      : text_(text), file_(std::move(file)), origin_(std::move(origin)) {}

  bool has_root() const { return has_root_; }
  ConfigValue take_root() { return std::move(root_); }
  const SourceMark& last_mark() const { return last_mark_; }

  SourceMark at(const YAML::Mark& m) {
    if (origin_) return *origin_;
    if (m.is_null()) return {file_, 0, 0};
    return {file_, m.line + 1, m.column + 1};
  }

  void OnDocumentStart(const YAML::Mark& m) override {
    if (!has_root_) return;
    size_t pos = m.pos < 0 ? text_.size() : std::min(static_cast<size_t>(m.pos), text_.size());
    bool explicit_start = text_.substr(pos).starts_with("---");
    throw config_error(at(m), explicit_start ? "a pipeline file holds one YAML document; a second one starts here"
                                             : "text after the end of the document; check its indentation");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override {
    SourceMark mark = at(m);
    if (expecting_key()) throw config_error(mark, "a map key must be text, not null");
    charge(1, mark);
    add(ConfigValue(mark), anchor);
  }

  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    SourceMark mark = at(m);
    if (expecting_key()) throw config_error(mark, "a map key must be text, not an alias");
    if (anchor >= anchors_.size() || !anchors_[anchor])
      throw config_error(mark, "alias to a value that is not complete yet (an alias inside its own anchor)");
    const auto& [value, size] = *anchors_[anchor];
    charge(size, mark);
    ConfigValue copy = value;
    copy.set_mark(mark);
    add(std::move(copy), YAML::NullAnchor);
  }

  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                const std::string& text) override {
    SourceMark mark = at(m);
    charge(1, mark);
    if (expecting_key()) {
      if (anchor != YAML::NullAnchor) remember(anchor, ConfigValue(text, mark));
      set_key(text, mark);
      return;
    }
    add(typed_scalar(tag, text, mark), anchor);
  }

  void OnSequenceStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(ConfigValue(ConfigValue::List{}, at(m)), tag, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(ConfigValue(ConfigValue::Map{}, at(m)), tag, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    ConfigValue value;
    YAML::anchor_t anchor;
    std::optional<std::pair<std::string, SourceMark>> key;  // a map's key awaiting its value
    std::unordered_map<std::string, SourceMark> seen;      // a map's keys so far
  };

  bool expecting_key() const {
    return !stack_.empty() && stack_.back().value.is_map() && !stack_.back().key;
  }

  void charge(size_t n, const SourceMark& mark) {
    count_ += n;
    if (count_ > kMaxConfigValues)
      throw config_error(mark, "the document holds more than " + std::to_string(kMaxConfigValues) +
                                   " values, counting what each alias repeats; a pipeline needs far fewer");
  }

  ConfigValue typed_scalar(const std::string& tag, const std::string& text, const SourceMark& mark) {
    if (tag == "!" || tag == kCoreTag + "str") return ConfigValue(text, mark);
    ConfigValue value = resolve_plain_scalar(text, mark);
    if (tag == "?" || tag.empty()) return value;
    std::string want = tag.starts_with(kCoreTag) ? tag.substr(kCoreTag.size()) : "";
    if (want == "float" && value.is_int()) return ConfigValue(value.as_float("a float"), mark);
    if (want.empty() || (want != "null" && want != "bool" && want != "int" && want != "float"))
      throw config_error(mark, "unsupported tag '" + tag + "'; write the value without a tag");
    if (value.type_name() != want) throw config_error(mark, "'" + text + "' is not a valid " + want);
    return value;
  }

  void set_key(const std::string& key, const SourceMark& mark) {
    Frame& f = stack_.back();
    auto [it, fresh] = f.seen.emplace(key, mark);
    if (!fresh)
      throw config_error(mark, "duplicate key '" + key + "' (first written at line " + std::to_string(it->second.line) +
                                   ", column " + std::to_string(it->second.column) + ")");
    f.key.emplace(key, mark);
  }

  void open(ConfigValue value, const std::string& tag, YAML::anchor_t anchor) {
    const SourceMark& mark = value.mark();
    last_mark_ = mark;
    if (expecting_key()) throw config_error(mark, "a map key must be text, not a " + value.type_name());
    if (!tag.empty() && tag != "?" && tag != "!" && tag != kCoreTag + "seq" && tag != kCoreTag + "map")
      throw config_error(mark, "unsupported tag '" + tag + "'; write the value without a tag");
    if (stack_.size() >= static_cast<size_t>(kMaxConfigDepth))
      throw config_error(mark, "nesting deeper than " + std::to_string(kMaxConfigDepth) + " levels");
    charge(1, mark);
    stack_.push_back(Frame{std::move(value), anchor, std::nullopt, {}});
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    add(std::move(f.value), f.anchor);
  }

  void remember(YAML::anchor_t anchor, const ConfigValue& value) {
    if (anchor >= anchors_.size()) anchors_.resize(anchor + 1);
    anchors_[anchor].emplace(value, value.count());
  }

  void add(ConfigValue value, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) remember(anchor, value);
    if (stack_.empty()) {
      root_ = std::move(value);
      has_root_ = true;
      return;
    }
    Frame& f = stack_.back();
    if (f.value.is_list()) {
      f.value.as_list("a list").push_back(std::move(value));
      return;
    }
    auto [key, key_mark] = std::move(*f.key);
    f.key.reset();
    f.value.as_map("a map").push_back(ConfigEntry{std::move(key), std::move(key_mark), std::move(value)});
  }

  std::string_view text_;
  std::string file_;
  std::optional<SourceMark> origin_;
  std::vector<Frame> stack_;
  std::vector<std::optional<std::pair<ConfigValue, size_t>>> anchors_;  // by anchor id: value, size
  size_t count_ = 0;
  ConfigValue root_;
  bool has_root_ = false;
  SourceMark last_mark_;
};

ConfigValue read(std::string_view text, const std::string& file, const std::optional<SourceMark>& origin) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  TreeBuilder builder(text, file, origin);
  try {
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::DeepRecursion& e) {
    throw config_error(builder.last_mark(), "nesting deeper than " + std::to_string(e.depth() - 1) + " levels");
  } catch (const YAML::ParserException& e) {
    throw config_error(builder.at(e.mark), e.msg);
  }
  if (!builder.has_root()) return ConfigValue(origin ? *origin : SourceMark{file, 1, 1});
  return builder.take_root();
}

}  // namespace

ConfigValue read_yaml(std::string_view text, const std::string& file) { return read(text, file, std::nullopt); }

ConfigValue read_yaml_value(std::string_view text, const SourceMark& origin) {
  return read(text, origin.file, origin);
}

}  // namespace sslflow
