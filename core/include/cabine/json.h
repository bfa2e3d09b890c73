// A small JSON value, parser and writer for rules, profiles and audience
// definitions.
//
// The browser build cannot afford a general JSON library (nlohmann costs about
// 28 KB gzip in the wasm, see ../shared/TOOLCHAIN.md), so the core carries this
// one. It is bounded: the parser refuses text, nesting and arrays beyond the
// caller's limits with a clear error instead of exhausting the stack or the
// heap, and it never throws.
//
// Numbers are IEEE doubles, as in JavaScript. A number that came from text
// keeps its source lexeme, so writing a parsed document gives its numbers
// back byte for byte. Objects keep their members in order; a member name that
// appears twice in one object is an error (JSON.parse would silently keep the
// last one, which hides mistakes in rules).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cabine/status.h"

namespace cabine { class RuleHost; }

namespace cabine::json {

enum class Type : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

// "null", "boolean", "number", "string", "array", "object".
std::string_view type_name(Type type) noexcept;

class Value {
 public:
  Value() = default;  // null
  // Out of line, so that the many places that make and drop values call one
  // copy of this code instead of inlining three container destructors each.
  Value(const Value& other);
  Value(Value&& other) noexcept;
  Value& operator=(const Value& other);
  Value& operator=(Value&& other) noexcept;
  ~Value();
  static Value boolean(bool b);
  static Value number(double n);
  static Value string(std::string s);
  static Value array(std::vector<Value> items = {});
  static Value object();

  Type type() const noexcept { return type_; }
  bool is_null() const noexcept { return type_ == Type::kNull; }
  bool is_bool() const noexcept { return type_ == Type::kBool; }
  bool is_number() const noexcept { return type_ == Type::kNumber; }
  bool is_string() const noexcept { return type_ == Type::kString; }
  bool is_array() const noexcept { return type_ == Type::kArray; }
  bool is_object() const noexcept { return type_ == Type::kObject; }

  // Accessors; each returns a neutral value (false, 0, "", empty) for another type.
  bool as_bool() const noexcept { return type_ == Type::kBool && bool_; }
  double as_number() const noexcept { return type_ == Type::kNumber ? number_ : 0.0; }
  const std::string& as_string() const noexcept;
  // The number's source text when it was parsed, else empty.
  const std::string& lexeme() const noexcept;

  // Array elements, or object member values (in member order).
  const std::vector<Value>& items() const noexcept { return items_; }
  std::vector<Value>& items() noexcept { return items_; }
  // Object member keys, parallel to items(); empty for arrays.
  const std::vector<std::string>& keys() const noexcept { return keys_; }
  std::size_t size() const noexcept { return items_.size(); }

  // Object member by key, or nullptr (also for non-objects).
  const Value* find(std::string_view key) const noexcept;
  Value* find(std::string_view key) noexcept;
  // Sets an object member: replaces the value of an existing key, else appends.
  // Precondition: is_object().
  void set(std::string key, Value value);
  // Removes an object member; returns whether it was there.
  bool erase(std::string_view key);
  // Appends to an array. Precondition: is_array().
  void push_back(Value value) { items_.push_back(std::move(value)); }

  friend class Parser;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0.0;
  std::string text_;  // string value, or a parsed number's lexeme
  std::vector<Value> items_;
  std::vector<std::string> keys_;
};

// Structural equality: same type and equal contents; object members compare by
// key regardless of order; numbers compare as doubles (so 1.0 == 1).
bool operator==(const Value& a, const Value& b) noexcept;

// Members of one object, whatever ParseLimits::max_elements says.
inline constexpr std::size_t kMaxObjectMembers = 10000;

struct ParseLimits {
  std::size_t max_bytes = 1 << 20;     // text length
  std::size_t max_depth = 64;          // arrays and objects nested inside each other
  std::size_t max_elements = 100000;   // elements of one array or members of one object
};

// Parses one JSON document (RFC 8259; surrounding whitespace allowed).
// Errors: kInvalidJson with "line L, column C: <what>" for syntax, and
// kLimitExceeded naming the limit and where it was hit. `what` names the
// document in messages ("rule", "profile", ...).
Result<Value> parse(std::string_view text, const ParseLimits& limits = {}, std::string_view what = "JSON");

// Writes compact JSON (no spaces). Numbers are written from their lexeme when
// they have one, as integers when they are integral and below 2^53 in
// magnitude, and otherwise with `format_number` (RuleHost::number_to_string:
// JavaScript's String(number)). Non-finite numbers are written as null, as
// JSON.stringify does.
std::string write(const Value& value, const RuleHost& host);

// JSON string literal with quotes and escapes, as JSON.stringify writes it.
void append_quoted(std::string& out, std::string_view s);

// Integral doubles below 2^53 as decimal digits ("-12"); empty for others.
std::string integer_to_string(double n);

// JavaScript's ToNumber for a string: surrounding whitespace ignored, "" is 0,
// decimal and 0x/0o/0b literals and (+/-)Infinity; anything else is NaN.
double string_to_number(std::string_view s) noexcept;

// The path of a value inside a document, as a JSON Pointer ("/and/1/var").
std::string pointer_append(std::string_view base, std::string_view token);
std::string pointer_append(std::string_view base, std::size_t index);

}  // namespace cabine::json
