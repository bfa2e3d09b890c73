#include "cabine/json.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "cabine/rule_host.h"
#include "js_semantics.h"

namespace cabine::json {

namespace {

const std::string kEmpty;

std::string position_text(std::string_view text, std::size_t at) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return "line " + integer_to_string(static_cast<double>(line)) + ", column " + integer_to_string(static_cast<double>(column));
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of a valid UTF-8 sequence starting at s[i], or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (n == 3 && ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) >= 0xA0))) return 0;  // overlong, surrogate
  if (n == 4 && ((c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) >= 0x90))) return 0;  // overlong, > U+10FFFF
  return n;
}

// An unsigned integer of any size, little-endian 32-bit limbs: just what
// decimal_value needs to compare a decimal literal with a binary midpoint
// exactly.
class BigInt {
 public:
  explicit BigInt(std::uint64_t v) {
    for (; v != 0; v >>= 32) limbs_.push_back(static_cast<std::uint32_t>(v));
  }
  void multiply(std::uint32_t m) {
    std::uint64_t carry = 0;
    for (std::uint32_t& limb : limbs_) {
      const std::uint64_t t = static_cast<std::uint64_t>(limb) * m + carry;
      limb = static_cast<std::uint32_t>(t);
      carry = t >> 32;
    }
    if (carry != 0) limbs_.push_back(static_cast<std::uint32_t>(carry));
  }
  void multiply_pow5(int n) {
    for (; n >= 13; n -= 13) multiply(1220703125u);  // 5^13
    std::uint32_t m = 1;
    while (n-- > 0) m *= 5;
    multiply(m);
  }
  void shift_left(int bits) {
    if (limbs_.empty() || bits <= 0) return;
    const std::size_t words = static_cast<std::size_t>(bits / 32);
    const int rest = bits % 32;
    limbs_.insert(limbs_.begin(), words, 0u);
    if (rest != 0) {
      std::uint32_t carry = 0;
      for (std::size_t i = words; i < limbs_.size(); ++i) {
        const std::uint32_t limb = limbs_[i];
        limbs_[i] = (limb << rest) | carry;
        carry = limb >> (32 - rest);
      }
      if (carry != 0) limbs_.push_back(carry);
    }
  }
  friend int compare(const BigInt& a, const BigInt& b) {
    if (a.limbs_.size() != b.limbs_.size()) return a.limbs_.size() < b.limbs_.size() ? -1 : 1;
    for (std::size_t i = a.limbs_.size(); i-- > 0;)
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
    return 0;
  }

 private:
  std::vector<std::uint32_t> limbs_;
};

// Sign of mantissa·10^exp10 - k·2^exp2, exactly.
int compare_decimal_binary(std::uint64_t mantissa, int exp10, std::uint64_t k, int exp2) {
  BigInt left(mantissa), right(k);
  if (exp10 >= 0) left.multiply_pow5(exp10);
  else right.multiply_pow5(-exp10);
  // What is left of both sides is a power of two.
  const int shift = exp10 - exp2;
  if (shift >= 0) left.shift_left(shift);
  else right.shift_left(-shift);
  return compare(left, right);
}

double from_bits(std::uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// The value of a checked decimal literal ("-12.5e3", ".5", "5."), correctly
// rounded (to nearest, ties to even) from its first 19 significant digits;
// later digits only break an exact tie upwards. The common case (digits up to
// 2^53, a power of ten within ±22) is one exact multiplication or division; otherwise an estimate within a few units in the last place
// is corrected by comparing the literal with the midpoints around it in exact
// integer arithmetic. Written here because the C library's strtod brings
// long-double arithmetic that would double the core's wasm size.
double decimal_value(std::string_view s) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  std::size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) ++i;
  std::uint64_t mantissa = 0;
  int digits = 0, exp10 = 0;
  bool fraction = false, truncated = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (digits < 19) {
      mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
      if (mantissa != 0) ++digits;
      if (fraction) --exp10;
    } else {
      if (c != '0') truncated = true;
      if (!fraction) ++exp10;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    const bool minus = i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    int e = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) e = e < 100000 ? e * 10 + (s[i] - '0') : e;
    exp10 += minus ? -e : e;
  }
  const auto sign = [&](double v) { return negative ? -v : v; };
  if (mantissa == 0) return sign(0.0);
  // Beyond these the literal is certainly infinite or zero (the largest
  // double is 1.8e308, the smallest 4.9e-324).
  if (exp10 + digits > 310) return sign(INFINITY);
  if (exp10 + digits < -330) return sign(0.0);
  double v = static_cast<double>(mantissa);
  if (!truncated && mantissa <= (std::uint64_t{1} << 53) && exp10 >= -22 && exp10 <= 22)
    return sign(exp10 >= 0 ? v * kPow10[exp10] : v / kPow10[-exp10]);
  int e = exp10;
  for (; e > 22; e -= 22) v *= 1e22;
  for (; e < -22; e += 22) v /= 1e22;
  v = e >= 0 ? v * kPow10[e] : v / kPow10[-e];
  std::uint64_t bits;
  v = std::isinf(v) ? 1.7976931348623157e308 : v;
  std::memcpy(&bits, &v, sizeof bits);
  if (bits == 0) bits = 1;
  // Step to the neighbour while the literal lies beyond the midpoint on that
  // side; the estimate is a few steps off at most.
  for (int step = 0; step < 64; ++step) {
    const int biased = static_cast<int>(bits >> 52);
    const std::uint64_t fraction_bits = bits & ((std::uint64_t{1} << 52) - 1);
    const std::uint64_t m = biased == 0 ? fraction_bits : fraction_bits | (std::uint64_t{1} << 52);
    const int exp2 = (biased == 0 ? 1 : biased) - 1075;  // value = m · 2^exp2
    const bool odd = (m & 1) != 0;
    const int above = compare_decimal_binary(mantissa, exp10, 2 * m + 1, exp2 - 1);
    if (above > 0 || (above == 0 && (truncated || odd))) {
      ++bits;
      if ((bits >> 52) == 0x7FF) return sign(INFINITY);
      continue;
    }
    // Below the lowest value of a binade the spacing halves.
    const bool binade_start = fraction_bits == 0 && biased > 1;
    const int below = binade_start ? compare_decimal_binary(mantissa, exp10, 4 * m - 1, exp2 - 2)
                                   : compare_decimal_binary(mantissa, exp10, 2 * m - 1, exp2 - 1);
    if (below < 0 || (below == 0 && !truncated && odd)) {
      if (--bits == 0) return sign(0.0);
      continue;
    }
    break;
  }
  return sign(from_bits(bits));
}

}  // namespace

// The parser is iterative in nothing but nesting, which the depth limit bounds
// before it can threaten the stack.
class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits, std::string_view what)
      : text_(text), limits_(limits), what_(what) {}

  Result<Value> run() {
    if (text_.size() > limits_.max_bytes)
      return Status(ErrorCode::kLimitExceeded, std::string(what_) + " is " + integer_to_string(static_cast<double>(text_.size())) +
                                                   " bytes; the limit is " + integer_to_string(static_cast<double>(limits_.max_bytes)));
    Value root;
    skip_space();
    if (!parse_value(root, 0, "")) return std::move(error_);
    skip_space();
    if (pos_ < text_.size()) {
      fail("unexpected text after the end of the " + std::string(what_));
      return std::move(error_);
    }
    return root;
  }

 private:
  bool fail(const std::string& message) {
    if (error_.is_ok())
      error_ = Status(ErrorCode::kInvalidJson, std::string(what_) + " is not valid JSON: " + position_text(text_, pos_) + ": " + message);
    return false;
  }
  bool limit(const std::string& message) {
    error_ = Status(ErrorCode::kLimitExceeded, std::string(what_) + ": " + message);
    return false;
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) ++pos_;
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool parse_value(Value& out, std::size_t depth, const std::string& path) {
    if (pos_ >= text_.size()) return fail("unexpected end of text");
    const char c = text_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= limits_.max_depth)
        return limit("nesting deeper than " + integer_to_string(static_cast<double>(limits_.max_depth)) + " levels at " +
                     (path.empty() ? std::string("/") : path));
      return c == '{' ? parse_object(out, depth + 1, path) : parse_array(out, depth + 1, path);
    }
    if (c == '"') {
      out.type_ = Type::kString;
      return parse_string(out.text_);
    }
    if (c == 't' || c == 'f' || c == 'n') {
      if (literal("true")) out = Value::boolean(true);
      else if (literal("false")) out = Value::boolean(false);
      else if (literal("null")) out = Value();
      else return fail("unexpected character");
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(out);
    return fail("unexpected character");
  }

  bool parse_number(Value& out) {
    const std::size_t start = pos_;
    const auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (text_[pos_] == '-') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return fail("a number needs digits");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return fail("a number needs digits after the decimal point");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) return fail("a number needs digits in its exponent");
    }
    out.type_ = Type::kNumber;
    out.text_.assign(text_.substr(start, pos_ - start));
    out.number_ = decimal_value(out.text_);
    return true;
  }

  bool hex4(std::uint32_t& v) {
    if (pos_ + 4 > text_.size()) return fail("a \\u escape needs four hex digits");
    v = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = text_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= static_cast<std::uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') v |= static_cast<std::uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= static_cast<std::uint32_t>(h - 'A' + 10);
      else return --pos_, fail("a \\u escape needs four hex digits");
    }
    return true;
  }

  bool parse_string(std::string& out) {
    ++pos_;  // opening quote
    for (;;) {
      if (pos_ >= text_.size()) return fail("unterminated string");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (c != '\\') {
        const std::size_t n = utf8_length(text_, pos_);
        if (n == 0) return fail("invalid UTF-8 in a string");
        out.append(text_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      if (++pos_ >= text_.size()) return fail("unterminated string");
      const char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            const std::size_t save = pos_;
            pos_ += 2;
            std::uint32_t low = 0;
            if (!hex4(low)) return false;
            if (low >= 0xDC00 && low < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            else pos_ = save;
          }
          if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;  // a lone surrogate cannot be UTF-8
          append_utf8(out, cp);
          break;
        }
        default: return --pos_, fail("unknown escape in a string");
      }
    }
  }

  bool parse_array(Value& out, std::size_t depth, const std::string& path) {
    out = Value::array();
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
    for (;;) {
      if (out.items_.size() >= limits_.max_elements)
        return limit("an array longer than " + integer_to_string(static_cast<double>(limits_.max_elements)) + " elements at " +
                     (path.empty() ? std::string("/") : path));
      out.items_.emplace_back();
      skip_space();
      if (!parse_value(out.items_.back(), depth, pointer_append(path, out.items_.size() - 1))) return false;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
      return fail("expected ',' or ']' in an array");
    }
  }

  bool parse_object(Value& out, std::size_t depth, const std::string& path) {
    out = Value::object();
    std::vector<std::uint32_t> hashes;
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
    for (;;) {
      if (out.items_.size() >= std::min<std::size_t>(limits_.max_elements, kMaxObjectMembers))
        return limit("an object with more than " + integer_to_string(static_cast<double>(std::min<std::size_t>(limits_.max_elements, kMaxObjectMembers))) + " members at " +
                     (path.empty() ? std::string("/") : path));
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a member name in quotes");
      std::string key;
      if (!parse_string(key)) return false;
      // Duplicate names are refused (JSON.parse would silently keep the last).
      // Hashes first keep the check cheap: a 10,000-member object takes milliseconds.
      std::uint32_t h = 2166136261u;
      for (const char c : key) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
      for (std::size_t k = 0; k < hashes.size(); ++k)
        if (hashes[k] == h && out.keys_[k] == key) return pos_ -= 1, fail("the member name \"" + key + "\" appears twice");
      hashes.push_back(h);
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return fail("expected ':' after a member name");
      ++pos_;
      skip_space();
      out.items_.emplace_back();
      if (!parse_value(out.items_.back(), depth, pointer_append(path, key))) return false;
      out.keys_.push_back(std::move(key));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
      return fail("expected ',' or '}' in an object");
    }
  }

  std::string_view text_;
  ParseLimits limits_;
  std::string_view what_;
  std::size_t pos_ = 0;
  Status error_;
};

std::string_view type_name(Type type) noexcept {
  switch (type) {
    case Type::kNull: return "null";
    case Type::kBool: return "boolean";
    case Type::kNumber: return "number";
    case Type::kString: return "string";
    case Type::kArray: return "array";
    case Type::kObject: return "object";
  }
  return "null";
}

Value::Value(const Value& other) = default;
Value::Value(Value&& other) noexcept = default;
Value& Value::operator=(const Value& other) = default;
Value& Value::operator=(Value&& other) noexcept = default;
Value::~Value() = default;

Value Value::boolean(bool b) {
  Value v;
  v.type_ = Type::kBool;
  v.bool_ = b;
  return v;
}
Value Value::number(double n) {
  Value v;
  v.type_ = Type::kNumber;
  v.number_ = n;
  return v;
}
Value Value::string(std::string s) {
  Value v;
  v.type_ = Type::kString;
  v.text_ = std::move(s);
  return v;
}
Value Value::array(std::vector<Value> items) {
  Value v;
  v.type_ = Type::kArray;
  v.items_ = std::move(items);
  return v;
}
Value Value::object() {
  Value v;
  v.type_ = Type::kObject;
  return v;
}

const std::string& Value::as_string() const noexcept { return type_ == Type::kString ? text_ : kEmpty; }
const std::string& Value::lexeme() const noexcept { return type_ == Type::kNumber ? text_ : kEmpty; }

const Value* Value::find(std::string_view key) const noexcept {
  if (type_ != Type::kObject) return nullptr;
  for (std::size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return &items_[i];
  return nullptr;
}
Value* Value::find(std::string_view key) noexcept {
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}

void Value::set(std::string key, Value value) {
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return;
  }
  keys_.push_back(std::move(key));
  items_.push_back(std::move(value));
}

bool Value::erase(std::string_view key) {
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] != key) continue;
    keys_.erase(keys_.begin() + static_cast<std::ptrdiff_t>(i));
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(i));
    return true;
  }
  return false;
}

bool operator==(const Value& a, const Value& b) noexcept {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::kNull: return true;
    case Type::kBool: return a.as_bool() == b.as_bool();
    case Type::kNumber: return a.as_number() == b.as_number();
    case Type::kString: return a.as_string() == b.as_string();
    case Type::kArray:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a.items()[i] == b.items()[i])) return false;
      return true;
    case Type::kObject:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        const Value* other = b.find(a.keys()[i]);
        if (other == nullptr || !(a.items()[i] == *other)) return false;
      }
      return true;
  }
  return false;
}

Result<Value> parse(std::string_view text, const ParseLimits& limits, std::string_view what) {
  return Parser(text, limits, what).run();
}

void append_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string integer_to_string(double n) {
  if (!(std::fabs(n) < 9007199254740992.0) || n != std::trunc(n)) return {};
  if (n == 0) return "0";
  std::uint64_t u = static_cast<std::uint64_t>(std::fabs(n));
  char buf[24];
  char* p = buf + sizeof buf;
  while (u > 0) {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  }
  if (n < 0) *--p = '-';
  return std::string(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

namespace {

void write_to(std::string& out, const Value& v, const RuleHost& host) {
  switch (v.type()) {
    case Type::kNull: out += "null"; return;
    case Type::kBool: out += v.as_bool() ? "true" : "false"; return;
    case Type::kNumber: {
      if (!v.lexeme().empty()) {
        out += v.lexeme();
      } else if (!std::isfinite(v.as_number())) {
        out += "null";
      } else {
        const std::string i = integer_to_string(v.as_number());
        out += i.empty() ? host.number_to_string(v.as_number()) : (v.as_number() == 0 ? std::string("0") : i);
      }
      return;
    }
    case Type::kString: append_quoted(out, v.as_string()); return;
    case Type::kArray:
      out += '[';
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        write_to(out, v.items()[i], host);
      }
      out += ']';
      return;
    case Type::kObject:
      out += '{';
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        append_quoted(out, v.keys()[i]);
        out += ':';
        write_to(out, v.items()[i], host);
      }
      out += '}';
      return;
  }
}

bool is_js_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

std::string write(const Value& value, const RuleHost& host) {
  std::string out;
  write_to(out, value, host);
  return out;
}

double string_to_number(std::string_view s) noexcept {
  while (!s.empty() && is_js_space(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && is_js_space(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty()) return 0.0;
  const double nan = std::nan("");
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' || s[1] == 'b' || s[1] == 'B')) {
    const int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
    double v = 0;
    for (std::size_t i = 2; i < s.size(); ++i) {
      const char c = s[i];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
      if (d >= base) return nan;
      v = v * base + d;
    }
    return v;
  }
  std::string_view body = s;
  bool negative = false;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "Infinity") return negative ? -INFINITY : INFINITY;
  // StrDecimalLiteral: digits [. digits] [e[+-]digits], or . digits ...
  std::size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++int_digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return nan;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return nan;
  }
  if (i != body.size()) return nan;
  const double v = decimal_value(body);
  return negative ? -v : v;
}

std::string pointer_append(std::string_view base, std::string_view token) {
  std::string out(base);
  out += '/';
  for (const char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string pointer_append(std::string_view base, std::size_t index) {
  return std::string(base) + "/" + integer_to_string(static_cast<double>(index));
}

namespace js {

std::string number_string(double n, const RuleHost& host) {
  std::string s = integer_to_string(n);
  return s.empty() ? host.number_to_string(n) : s;
}

namespace {

void append_scalar(std::string& out, const Value& v, const RuleHost& host) {
  switch (v.type()) {
    case Type::kNull: out += "null"; return;
    case Type::kBool: out += v.as_bool() ? "true" : "false"; return;
    case Type::kNumber: out += number_string(v.as_number(), host); return;
    case Type::kString: out += v.as_string(); return;
    default: out += "[object Object]"; return;
  }
}

}  // namespace

void append_string(std::string& out, const Value& v, const RuleHost& host, std::size_t depth, std::size_t max_depth) {
  if (!v.is_array()) {
    if (depth == 0 || !v.is_null()) append_scalar(out, v, host);
    return;
  }
  if (depth > max_depth) return;
  std::vector<std::pair<const Value*, std::size_t>> stack{{&v, 0}};  // an array and its next item
  while (!stack.empty()) {
    auto& [array, next] = stack.back();
    if (next == array->size()) {
      stack.pop_back();
      continue;
    }
    if (next) out += ',';
    const Value& e = array->items()[next++];
    if (e.is_array()) {
      if (depth + stack.size() <= max_depth) stack.push_back({&e, 0});
    } else if (!e.is_null()) {
      append_scalar(out, e, host);
    }
  }
}

std::string to_string(const Value& v, const RuleHost& host, std::size_t max_depth) {
  std::string out;
  append_string(out, v, host, 0, max_depth);
  return out;
}

double to_number(const Value* v, const RuleHost& host, std::size_t max_depth) {
  if (v == nullptr) return std::nan("");
  switch (v->type()) {
    case Type::kNull: return 0;
    case Type::kBool: return v->as_bool() ? 1 : 0;
    case Type::kNumber: return v->as_number();
    case Type::kString: return string_to_number(v->as_string());
    case Type::kArray: return string_to_number(to_string(*v, host, max_depth));
    default: return std::nan("");
  }
}

bool parse_index(std::string_view s, std::size_t& index) {
  if (s.empty() || s.size() > 10 || (s.size() > 1 && s[0] == '0')) return false;
  std::uint64_t n = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n >= 4294967295u) return false;
  index = static_cast<std::size_t>(n);
  return true;
}

}  // namespace js

}  // namespace cabine::json
