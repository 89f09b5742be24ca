// Minimal JSON reader for model metadata (no third-party dependency in the core).
// Supports the full JSON grammar: null, true/false, numbers, strings with escapes,
// arrays, objects. Errors throw ptmlp::Error with the byte offset.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ptmlp {

struct JsonValue {
  enum class Type { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  bool boolean = false;
  double number = 0.0;
  bool is_integer = false;    // number written without fraction/exponent
  std::string string;
  std::vector<JsonValue> array;
  std::map<std::string, JsonValue> object;

  bool has(const std::string &key) const { return type == Type::Object && object.count(key) > 0; }
  const JsonValue &at(const std::string &key) const { return object.at(key); }
  // short text of the value for error messages, e.g. "3", "\"float16\"", "[...]"
  std::string brief() const;
};

JsonValue parse_json(const std::string &text);

}    // namespace ptmlp
