#include "cabine/jsonlogic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "js_semantics.h"

namespace cabine::jsonlogic {

using json::Type;
using json::Value;

enum class Rule::Op : std::uint8_t {
  kLiteral, kArray, kVar, kMissing, kMissingSome, kIf, kEq, kStrictEq, kNe, kStrictNe, kNot, kNotNot, kOr, kAnd,
  kLt, kLe, kGt, kGe, kMax, kMin, kAdd, kSub, kMul, kDiv, kMod, kMap, kFilter, kReduce, kAll, kNone, kSome,
  kMerge, kIn, kCat, kSubstr, kLog, kWithinLastDays, kMoreThanDaysAgo,
};

namespace {

constexpr double kDayMs = 86400000.0;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool is_container(const Value& v) { return v.is_array() || v.is_object(); }
bool is_logic(const Value& v) { return v.is_object() && v.size() == 1; }

// Relations as bits: what compare() gives and the comparison operators accept.
constexpr int kLess = 1, kEqual = 2, kGreater = 4;

std::string limit_text(std::size_t n) { return json::integer_to_string(static_cast<double>(n)); }

// JS length of a UTF-8 string: code points, astral ones counting twice.
std::size_t utf16_length(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    n += (b & 0xC0) != 0x80;
    n += b >= 0xF0;
  }
  return n;
}

// The bytes of UTF-16 code units [from, to), whole characters only.
std::string_view utf16_slice(std::string_view s, std::size_t from, std::size_t to) {
  std::size_t unit = 0, i = 0, begin = std::string_view::npos, end = s.size();
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t bytes = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4, units = bytes == 4 ? 2 : 1;
    if (begin == std::string_view::npos && unit >= from) begin = i;
    if (unit + units > to) {
      end = i;
      break;
    }
    unit += units;
    i += bytes;
  }
  if (begin == std::string_view::npos) begin = i;
  return begin < end ? s.substr(begin, end - begin) : std::string_view();
}

// JS string order compares UTF-16 code units; UTF-8 byte order agrees except
// that astral characters (surrogates 0xD800..) sort before U+E000..U+FFFF.
int compare_strings(std::string_view x, std::string_view y) {
  std::size_t i = 0;
  while (i < x.size() && i < y.size() && x[i] == y[i]) ++i;
  if (i == x.size() || i == y.size()) return x.size() < y.size() ? kLess : x.size() > y.size() ? kGreater : kEqual;
  std::size_t start = i;
  while (start > 0 && (static_cast<unsigned char>(x[start]) & 0xC0) == 0x80) --start;
  const auto lx = static_cast<unsigned char>(x[start]), ly = static_cast<unsigned char>(y[start]);
  if (lx >= 0xF0 && (ly == 0xEE || ly == 0xEF)) return kLess;
  if (ly >= 0xF0 && (lx == 0xEE || lx == 0xEF)) return kGreater;
  return static_cast<unsigned char>(x[i]) < static_cast<unsigned char>(y[i]) ? kLess : kGreater;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    segments.emplace_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos) return segments;
    start = dot + 1;
  }
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 in the proleptic Gregorian calendar.
double days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097.0 + doe - 719468.0;
}

// A number of ms since the epoch, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.fff]Z".
bool parse_date(const Value* v, double& ms) {
  if (v == nullptr) return false;
  if (v->is_number()) {
    ms = v->as_number();
    return std::isfinite(ms);
  }
  const std::string_view s = v->as_string();
  const std::size_t size = s.size();
  if (size != 10 && (size < 20 || s[10] != 'T' || s.back() != 'Z')) return false;
  // Year, month, day, hours, minutes, seconds: digit runs between these separators.
  static constexpr char kPattern[] = "dddd-dd-ddTdd:dd:dd";
  int field[6] = {0, 0, 0, 0, 0, 0}, k = 0, milli = 0;
  for (std::size_t i = 0; i < (size == 10 ? 10u : 19u); ++i) {
    if (kPattern[i] != 'd') {
      if (s[i] != kPattern[i]) return false;
      ++k;
    } else if (s[i] < '0' || s[i] > '9') {
      return false;
    } else {
      field[k] = field[k] * 10 + (s[i] - '0');
    }
  }
  const int y = field[0], mo = field[1], d = field[2], h = field[3], mi = field[4], sec = field[5];
  if (size > 10) {
    std::size_t i = 19;
    if (s[i] == '.') {
      // Fraction digits past milliseconds are truncated, as Date.parse does.
      const std::size_t start = ++i;
      for (int scale = 100; i + 1 < size; ++i, scale /= 10) {
        if (s[i] < '0' || s[i] > '9') return false;
        milli += (s[i] - '0') * scale;
      }
      if (i == start) return false;
    }
    if (i != size - 1 || h > 23 || mi > 59 || sec > 59) return false;
  }
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kMonthDays[mo - 1] + (mo == 2 && leap)) return false;
  ms = days_from_civil(y, mo, d) * kDayMs + h * 3600000.0 + mi * 60000.0 + sec * 1000.0 + milli;
  return true;
}

bool rule_like_at(const Value& rule, const Value& pattern, std::size_t depth) {
  if (depth > kMaxRuleDepth) return false;
  if (rule.type() == pattern.type() && !is_container(rule) && rule == pattern) return true;
  if (pattern.is_string()) {
    const std::string& p = pattern.as_string();
    if (p == "@") return true;
    if (p == "number") return rule.is_number();
    if (p == "string") return rule.is_string();
    if (p == "array") return rule.is_array();
  }
  if (is_logic(pattern))
    return is_logic(rule) && (pattern.keys()[0] == "@" || pattern.keys()[0] == rule.keys()[0]) &&
           rule_like_at(rule.items()[0], pattern.items()[0], depth + 1);
  if (!pattern.is_array() || !rule.is_array() || rule.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < rule.size(); ++i)
    if (!rule_like_at(rule.items()[i], pattern.items()[i], depth + 1)) return false;
  return true;
}

}  // namespace

bool truthy(const Value& v) noexcept {
  switch (v.type()) {
    case Type::kNull: return false;
    case Type::kBool: return v.as_bool();
    case Type::kNumber: return v.as_number() != 0 && !std::isnan(v.as_number());
    case Type::kString: return !v.as_string().empty();
    case Type::kArray: return v.size() != 0;
    case Type::kObject: return true;
  }
  return false;
}

bool rule_like(const Value& rule, const Value& pattern) noexcept { return rule_like_at(rule, pattern, 0); }

namespace internal {

// ---------------------------------------------------------------- compiler

class RuleCompiler {
  using Op = Rule::Op;

 public:
  explicit RuleCompiler(Rule& rule) : rule_(rule) {}

  Status run(const Value& root) {
    rule_.nodes_.emplace_back();
    if (compile(root, 0, 1)) return Status();
    // The path was collected innermost first while the recursion unwound.
    std::string path;
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) path = json::pointer_append(path, *it);
    return Status(code_, message_ + " at " + (path.empty() ? std::string("the root") : path));
  }

 private:
  bool fail(ErrorCode code, std::string message) {
    code_ = code;
    message_ = std::move(message);
    return false;
  }
  bool failed_in(std::string token) {
    path_.push_back(std::move(token));
    return false;
  }
  static std::string index_token(std::size_t i) { return json::integer_to_string(static_cast<double>(i)); }

  // Depth (of arrays and objects, as the JSON parser counts it) and size are
  // checked before anything inside the value is looked at.
  bool admit(const Value& v, std::size_t depth) {
    if (depth > kMaxRuleDepth && is_container(v)) return fail(ErrorCode::kLimitExceeded, "rule nested deeper than " + limit_text(kMaxRuleDepth) + " levels");
    if (++values_ > kMaxRuleNodes) return fail(ErrorCode::kLimitExceeded, "rule has more than " + limit_text(kMaxRuleNodes) + " values");
    return true;
  }

  // Data stored as a literal: only its size and depth matter.
  bool admit_literal(const Value& v, std::size_t depth) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!admit(v.items()[i], depth + 1) || !admit_literal(v.items()[i], depth + 1))
        return failed_in(v.is_object() ? v.keys()[i] : index_token(i));
    return true;
  }

  // An array holding no operation anywhere evaluates to itself.
  static bool constant(const Value& v, std::size_t depth) {
    if (is_logic(v)) return false;
    if (!v.is_array()) return true;
    if (depth > kMaxRuleDepth) return false;
    for (const Value& item : v.items())
      if (!constant(item, depth + 1)) return false;
    return true;
  }

  static bool lookup(std::string_view name, Op& op) {
    static constexpr struct {
      std::string_view name;
      Op op;
    } kOperators[] = {
        {"var", Op::kVar}, {"missing", Op::kMissing}, {"missing_some", Op::kMissingSome}, {"if", Op::kIf},
        {"?:", Op::kIf}, {"==", Op::kEq}, {"===", Op::kStrictEq}, {"!=", Op::kNe}, {"!==", Op::kStrictNe},
        {"!", Op::kNot}, {"!!", Op::kNotNot}, {"or", Op::kOr}, {"and", Op::kAnd}, {"<", Op::kLt}, {"<=", Op::kLe},
        {">", Op::kGt}, {">=", Op::kGe}, {"max", Op::kMax}, {"min", Op::kMin}, {"+", Op::kAdd}, {"-", Op::kSub},
        {"*", Op::kMul}, {"/", Op::kDiv}, {"%", Op::kMod}, {"map", Op::kMap}, {"filter", Op::kFilter},
        {"reduce", Op::kReduce}, {"all", Op::kAll}, {"none", Op::kNone}, {"some", Op::kSome},
        {"merge", Op::kMerge}, {"in", Op::kIn}, {"cat", Op::kCat}, {"substr", Op::kSubstr}, {"log", Op::kLog},
        {"within_last_days", Op::kWithinLastDays}, {"more_than_days_ago", Op::kMoreThanDaysAgo},
    };
    for (const auto& entry : kOperators)
      if (entry.name == name) {
        op = entry.op;
        return true;
      }
    return false;
  }

  std::uint32_t add_literal(const Value& v) {
    rule_.literals_.push_back(v);
    return static_cast<std::uint32_t>(rule_.literals_.size() - 1);
  }

  // Reserves `count` contiguous child slots, so a node's children are a range.
  std::uint32_t reserve(std::size_t count) {
    const std::size_t first = rule_.nodes_.size();
    rule_.nodes_.resize(first + count);
    return static_cast<std::uint32_t>(first);
  }

  bool compile(const Value& v, std::uint32_t slot, std::size_t depth) {
    if (!admit(v, depth)) return false;
    Rule::Node node;
    if (v.is_array() && !constant(v, depth)) {
      node.op = Op::kArray;
      node.count = static_cast<std::uint32_t>(v.size());
      node.first = reserve(v.size());
      rule_.nodes_[slot] = node;
      for (std::uint32_t i = 0; i < node.count; ++i)
        if (!compile(v.items()[i], node.first + i, depth + 1)) return failed_in(index_token(i));
      return true;
    }
    if (!is_logic(v)) {
      if (!admit_literal(v, depth)) return false;
      node.op = Op::kLiteral;
      node.aux = add_literal(v);
      rule_.nodes_[slot] = node;
      return true;
    }
    const std::string& name = v.keys()[0];
    if (!lookup(name, node.op)) return fail(ErrorCode::kInvalidRule, "unknown operator \"" + name + "\"");
    // {"op": x} is shorthand for {"op": [x]}.
    const Value& values = v.items()[0];
    const bool listed = values.is_array();
    const std::size_t count = listed ? values.size() : 1;
    if (node.op == Op::kMul && count == 0) return fail(ErrorCode::kInvalidRule, "operator \"*\" needs at least one argument");
    if (listed && !admit(values, depth + 1)) return failed_in(name);
    if (node.op == Op::kVar) {
      // A literal path is split once here instead of at every evaluation.
      const Value* path = count == 0 ? nullptr : listed ? &values.items()[0] : &values;
      std::string text;
      if (path != nullptr && path->is_number()) text = json::integer_to_string(path->as_number());
      if (path == nullptr || path->is_null() || path->is_string() || !text.empty()) {
        if (path != nullptr && path->is_string()) text = path->as_string();
        rule_.paths_.push_back(text.empty() ? std::vector<std::string>() : split_path(text));
        node.aux = static_cast<std::uint32_t>(rule_.paths_.size());
      }
    }
    node.count = static_cast<std::uint32_t>(count);
    node.first = reserve(count);
    rule_.nodes_[slot] = node;
    for (std::uint32_t i = 0; i < node.count; ++i) {
      if (compile(listed ? values.items()[i] : values, node.first + i, depth + (listed ? 2 : 1))) continue;
      if (listed) failed_in(index_token(i));
      return failed_in(name);
    }
    return true;
  }

  Rule& rule_;
  std::size_t values_ = 0;
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::vector<std::string> path_;
};

// ---------------------------------------------------------------- evaluator

// null, false, true: results that need no allocation.
const Value kConstants[3] = {Value(), Value::boolean(false), Value::boolean(true)};

// An evaluation result: either borrowed (a literal of the rule, a part of the
// data, a constant) or owned. Borrowing keeps var and literals free of copies.
struct Out {
  Value own;
  const Value* ref = nullptr;
  const Value& get() const { return ref != nullptr ? *ref : own; }
  bool set(Value v) {
    own = std::move(v);
    ref = nullptr;
    return true;
  }
  bool boolean(bool b) {
    ref = &kConstants[1 + b];
    return true;
  }
  bool null() {
    ref = kConstants;
    return true;
  }
  Value take() { return ref != nullptr ? *ref : std::move(own); }
};

// What var reads: the data, or inside reduce {"current", "accumulator"},
// which is only built as an object when a rule asks for the whole scope.
struct Scope {
  const Value* data = nullptr;
  const Value* current = nullptr;  // non-null inside reduce
  const Value* accumulator = nullptr;
};

class RuleEvaluator {
  using Op = Rule::Op;

 public:
  RuleEvaluator(const Rule& rule, const RuleHost& host, const EvalContext& ctx) : rule_(rule), host_(host), ctx_(ctx) {}

  Status error;

  bool eval(std::uint32_t index, const Scope& scope, Out& out) {
    if (!charge(1)) return false;
    const Rule::Node& node = rule_.nodes_[index];
    const std::uint32_t n = node.count, first = node.first;
    const Op op = node.op;
    switch (op) {
      case Op::kLiteral:
        out.ref = &rule_.literals_[node.aux];
        return true;
      case Op::kVar: {
        bool found;
        if (node.aux != 0) {
          found = lookup(scope, rule_.paths_[node.aux - 1], out);
        } else {
          Out key;
          if (!eval(first, scope, key)) return false;
          found = lookup_key(&key.get(), scope, out);
        }
        if (found) return true;
        if (n < 2) return out.null();
        return eval(first + 1, scope, out);
      }
      case Op::kMissing: {
        // Keys are the arguments, or the first argument when it is an array.
        Value missing = Value::array();
        Out arg;
        for (std::uint32_t k = 0; k < n; ++k) {
          if (!eval(first + k, scope, arg)) return false;
          const Value& v = arg.get();
          if (k == 0 && v.is_array()) {
            for (const Value& key : v.items()) add_if_missing(key, scope, missing);
            break;
          }
          add_if_missing(v, scope, missing);
        }
        return out.set(std::move(missing));
      }
      case Op::kIf: {
        std::uint32_t k = 0;
        for (; k + 1 < n; k += 2) {
          Out condition;
          if (!eval(first + k, scope, condition)) return false;
          if (truthy(condition.get())) return eval(first + k + 1, scope, out);
        }
        return k < n ? eval(first + k, scope, out) : out.null();
      }
      case Op::kAnd:
      case Op::kOr:
        // The deciding value: the first falsy (and) / truthy (or) one, else the last.
        for (std::uint32_t k = 0; k < n; ++k) {
          if (!eval(first + k, scope, out)) return false;
          if (truthy(out.get()) == (op == Op::kOr)) return true;
        }
        return n > 0 || out.null();
      case Op::kArray:
      case Op::kMerge:
      case Op::kCat:
      case Op::kAdd:
      case Op::kMul:
      case Op::kMax:
      case Op::kMin:
        return fold(node, scope, out);
      case Op::kMap:
      case Op::kFilter:
      case Op::kAll:
      case Op::kNone:
      case Op::kSome:
        return iterate(node, scope, out);
      case Op::kReduce:
        return reduce(node, scope, out);
      default:
        break;
    }
    // Fixed-arity operators: arguments past the third are never read; absent
    // ones are undefined (nullptr).
    Out args[3];
    const Value* a[3] = {nullptr, nullptr, nullptr};
    for (std::uint32_t k = 0; k < n && k < 3; ++k) {
      if (!eval(first + k, scope, args[k])) return false;
      a[k] = &args[k].get();
    }
    switch (op) {
      case Op::kEq:
      case Op::kNe: return out.boolean(loose_equal(a[0], a[1]) == (op == Op::kEq));
      case Op::kStrictEq:
      case Op::kStrictNe: return out.boolean(strict_equal(a[0], a[1]) == (op == Op::kStrictEq));
      case Op::kNot:
      case Op::kNotNot: return out.boolean((a[0] != nullptr && truthy(*a[0])) == (op == Op::kNotNot));
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe: {
        // "<" and "<=" with three arguments test a < b < c (between).
        static constexpr std::uint8_t kMasks[] = {kLess, kLess | kEqual, kGreater, kGreater | kEqual};
        const int mask = kMasks[static_cast<int>(op) - static_cast<int>(Op::kLt)];
        return out.boolean((compare(a[0], a[1]) & mask) &&
                           (op > Op::kLe || n < 3 || (compare(a[1], a[2]) & mask)));
      }
      case Op::kSub:
      case Op::kDiv:
      case Op::kMod: {
        const double x = to_number(a[0]), y = to_number(a[1]);
        return out.set(Value::number(op == Op::kDiv ? x / y : op == Op::kMod ? std::fmod(x, y) : n < 2 ? -x : x - y));
      }
      case Op::kIn: {
        bool found = false;
        if (a[1] != nullptr && a[1]->is_string() && !a[1]->as_string().empty()) {
          found = a[1]->as_string().find(to_string(a[0])) != std::string::npos;
        } else if (a[1] != nullptr && a[1]->is_array()) {
          for (const Value& item : a[1]->items()) found = found || strict_equal(&item, a[0]);
        }
        return out.boolean(found);
      }
      case Op::kSubstr: {
        // String.prototype.substr, plus a negative length counted from the end (as PHP).
        const std::string source = to_string(a[0]);
        const double start = to_integer(to_number(a[1]));
        if (n > 2 && compare(a[2], &kZero) == kLess) {
          // temp.length + end: for a non-number end JS concatenates strings, giving NaN, so length 0.
          const std::string_view tail = substr(source, start, INFINITY);
          const double length = a[2]->is_number() ? static_cast<double>(utf16_length(tail)) + a[2]->as_number() : 0;
          return out.set(Value::string(std::string(substr(tail, 0, to_integer(length)))));
        }
        return out.set(Value::string(std::string(substr(source, start, n > 2 ? to_integer(to_number(a[2])) : INFINITY))));
      }
      case Op::kLog:
        if (n == 0) return out.null();
        if (args[0].ref != nullptr) out.ref = args[0].ref;
        else out.set(std::move(args[0].own));
        return true;
      case Op::kMissingSome: return missing_some(a[0], a[1], scope, out);
      case Op::kWithinLastDays:
      case Op::kMoreThanDaysAgo: {
        double date = 0;
        const bool valid = parse_date(a[0], date);
        const double age = ctx_.now_ms - date, limit = to_number(a[1]) * kDayMs;
        return out.boolean(valid && (op == Op::kWithinLastDays ? age >= 0 && age <= limit : age > limit));
      }
      default:
        return out.null();
    }
  }

 private:
  [[gnu::noinline]] bool limit(std::string_view what, std::size_t n, std::string_view unit) {
    error = Status(ErrorCode::kLimitExceeded, std::string(what) + limit_text(n) + std::string(unit));
    return false;
  }
  bool charge(std::size_t steps) {
    steps_ += steps;
    return steps_ <= ctx_.max_steps || limit("rule evaluation exceeded ", ctx_.max_steps, " steps");
  }
  bool check_array(std::size_t size) {
    return size <= kMaxArrayElements || limit("array result longer than ", kMaxArrayElements, " elements");
  }

  // JS String(v); nullptr (undefined) is "undefined".
  std::string to_string(const Value* v) const {
    if (v == nullptr) return "undefined";
    return json::js::to_string(*v, host_, kMaxRuleDepth);
  }
  // JS ToNumber.
  double to_number(const Value* v) const { return json::js::to_number(v, host_, kMaxRuleDepth); }
  // ToIntegerOrInfinity.
  static double to_integer(double x) { return std::isnan(x) ? 0 : std::trunc(x); }

  // parseFloat(v): the longest decimal prefix of String(v) after leading whitespace.
  double parse_float(const Value& v) const {
    if (v.is_number()) return v.as_number() + 0.0;
    const std::string text = to_string(&v);
    std::string_view s = text;
    while (!s.empty() && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))) s.remove_prefix(1);
    std::size_t i = s.empty() || (s[0] != '+' && s[0] != '-') ? 0 : 1;
    if (s.substr(i, 8) == "Infinity") return s[0] == '-' ? -INFINITY : INFINITY;
    auto skip_digits = [&] {
      const std::size_t start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      return i - start;
    };
    std::size_t mantissa = skip_digits();
    if (i < s.size() && s[i] == '.') {
      ++i;
      mantissa += skip_digits();
    }
    if (mantissa == 0) return kNaN;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      const std::size_t before = i++;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      if (skip_digits() == 0) i = before;
    }
    return json::string_to_number(s.substr(0, i));
  }

  // IsLessThan after ToPrimitive, as relation bits: kLess, kEqual, kGreater,
  // or 0 (unordered: NaN involved).
  int compare(const Value* a, const Value* b) const {
    const bool a_text = a != nullptr && (a->is_string() || is_container(*a));
    const bool b_text = b != nullptr && (b->is_string() || is_container(*b));
    if (a_text && b_text) return compare_strings(to_string(a), to_string(b));
    const double x = to_number(a), y = to_number(b);
    return x < y ? kLess : x > y ? kGreater : x == y ? kEqual : 0;
  }

  // ===. JS compares arrays and objects by reference: here they are equal only
  // when both are the same value of the data (or of the rule).
  static bool strict_equal(const Value* a, const Value* b) {
    if (a == nullptr || b == nullptr || is_container(*a)) return a == b;
    return a->type() == b->type() && *a == *b;
  }

  // The Abstract Equality Comparison (==).
  bool loose_equal(const Value* a, const Value* b) const {
    const bool a_nullish = a == nullptr || a->is_null(), b_nullish = b == nullptr || b->is_null();
    if (a_nullish || b_nullish) return a_nullish && b_nullish;
    if (a->type() == b->type()) return strict_equal(a, b);
    if (is_container(*a) && is_container(*b)) return false;
    if ((is_container(*a) && b->is_string()) || (is_container(*b) && a->is_string())) return to_string(a) == to_string(b);
    return to_number(a) == to_number(b);
  }

  // String.prototype.substr(start, length) in UTF-16 code units.
  static std::string_view substr(std::string_view s, double start, double length) {
    const double size = static_cast<double>(utf16_length(s));
    const double from = start < 0 ? std::max(size + start, 0.0) : std::min(start, size);
    const double to = std::min(from + std::clamp(length, 0.0, size), size);
    if (from >= to) return {};
    return utf16_slice(s, static_cast<std::size_t>(from), static_cast<std::size_t>(to));
  }

  // var: walks `path` from the scope. False when a step is undefined.
  bool lookup(const Scope& scope, const std::vector<std::string>& path, Out& out) const {
    const Value* at = scope.data;
    std::size_t i = 0;
    if (scope.current != nullptr) {
      if (path.empty()) {
        Value whole = Value::object();
        whole.set("current", *scope.current);
        whole.set("accumulator", *scope.accumulator);
        return out.set(std::move(whole));
      }
      at = path[0] == "current" ? scope.current : path[0] == "accumulator" ? scope.accumulator : nullptr;
      i = 1;
    }
    Value made;  // a string's length or character, which has no home in the data
    for (; at != nullptr && i < path.size(); ++i) {
      const std::string& key = path[i];
      std::size_t index = 0;
      if (at->is_object()) {
        at = at->find(key);
      } else if (at->is_array() || at->is_string()) {
        const std::size_t size = at->is_array() ? at->size() : utf16_length(at->as_string());
        if (key == "length") {
          made = Value::number(static_cast<double>(size));
          at = &made;
        } else if (!json::js::parse_index(key, index) || index >= size) {
          at = nullptr;
        } else if (at->is_array()) {
          at = &at->items()[index];
        } else {
          made = Value::string(std::string(utf16_slice(at->as_string(), index, index + 1)));
          at = &made;
        }
      } else {
        at = nullptr;  // null, booleans, numbers: undefined
      }
    }
    if (at == nullptr) return false;
    if (at == &made) return out.set(std::move(made));
    out.ref = at;
    return true;
  }

  // var with a computed key: undefined, null and "" are the whole data, else String(key) split at dots.
  bool lookup_key(const Value* key, const Scope& scope, Out& out) const {
    if (key == nullptr || key->is_null() || (key->is_string() && key->as_string().empty()))
      return lookup(scope, {}, out);
    return lookup(scope, split_path(to_string(key)), out);
  }

  // missing checks each key as {"var": key} would, so an array key is [path, default].
  void add_if_missing(const Value& key, const Scope& scope, Value& missing) const {
    const Value* path = &key;
    const Value* fallback = nullptr;
    if (key.is_array()) {
      path = key.size() > 0 ? &key.items()[0] : nullptr;
      fallback = key.size() > 1 ? &key.items()[1] : nullptr;
    }
    Out value;
    const Value* found = lookup_key(path, scope, value) ? &value.get() : fallback;
    if (found == nullptr || found->is_null() || (found->is_string() && found->as_string().empty())) missing.push_back(key);
  }

  // [] when at least `need` of `options` are present, else the missing ones.
  bool missing_some(const Value* need, const Value* options, const Scope& scope, Out& out) const {
    Value missing = Value::array();
    double present = kNaN;
    if (options != nullptr && options->is_array()) {
      const Value& first = options->size() != 0 ? options->items()[0] : *options;
      for (const Value& key : (first.is_array() ? first : *options).items()) add_if_missing(key, scope, missing);
      present = static_cast<double>(options->size());
    } else if (options != nullptr && options->is_string()) {
      add_if_missing(*options, scope, missing);
      present = static_cast<double>(utf16_length(options->as_string()));
    }
    const Value enough = Value::number(present - static_cast<double>(missing.size()));
    if (compare(&enough, need) & (kEqual | kGreater)) missing = Value::array();
    return out.set(std::move(missing));
  }

  // The operators that take any number of arguments and combine them in order.
  [[gnu::noinline]] bool fold(const Rule::Node& node, const Scope& scope, Out& out) {
    const Op op = node.op;
    // Array.reduce without an initial value: "*" gives a single argument back unconverted.
    if (op == Op::kMul && node.count == 1) return eval(node.first, scope, out);
    Value array = Value::array();
    std::string text;
    double total = op == Op::kAdd ? 0 : op == Op::kMul ? 1 : op == Op::kMax ? -INFINITY : INFINITY;
    bool nan = false;
    for (std::uint32_t k = 0; k < node.count; ++k) {
      Out arg;
      if (!eval(node.first + k, scope, arg)) return false;
      const Value& v = arg.get();
      switch (op) {
        case Op::kArray:
        case Op::kMerge: {
          // merge flattens array arguments one level.
          const bool flat = op == Op::kMerge && v.is_array();
          const std::size_t add = flat ? v.size() : 1;
          if (op == Op::kMerge && !charge(add)) return false;
          if (!check_array(array.size() + add)) return false;
          if (flat) for (const Value& e : v.items()) array.push_back(e);
          else array.push_back(arg.take());
          break;
        }
        case Op::kCat:
          // Array.prototype.join: null becomes "", arrays are joined with ",".
          json::js::append_string(text, v, host_, 1, kMaxRuleDepth);
          if (text.size() > kMaxStringBytes) return limit("cat result longer than ", kMaxStringBytes, " bytes");
          break;
        case Op::kAdd: total += parse_float(v); break;
        // parseFloat(total) turns -0 into 0, hence the + 0.0.
        case Op::kMul: total = k == 0 ? parse_float(v) : (total + 0.0) * parse_float(v); break;
        default: {
          // Math.max / Math.min: NaN wins, +0 beats -0 for max and loses for min.
          const double x = to_number(&v);
          nan |= std::isnan(x);
          if (op == Op::kMax ? x > total || (x == total && !std::signbit(x)) : x < total || (x == total && std::signbit(x)))
            total = x;
        }
      }
    }
    if (op == Op::kArray || op == Op::kMerge) return out.set(std::move(array));
    if (op == Op::kCat) return charge(text.size() / 64) && out.set(Value::string(std::move(text)));
    return out.set(Value::number(nan ? kNaN : total));
  }

  // map, filter, all, none, some: the body runs with each element as the data.
  [[gnu::noinline]] bool iterate(const Rule::Node& node, const Scope& scope, Out& out) {
    Out source;
    if (node.count > 0 && !eval(node.first, scope, source)) return false;
    const Op op = node.op;
    const bool collect = op == Op::kMap || op == Op::kFilter;
    const Value& list = source.get();
    // All of nothing is false; none of nothing is true.
    if (!list.is_array() || (!collect && list.size() == 0)) return collect ? out.set(Value::array()) : out.boolean(op == Op::kNone);
    Value result = Value::array();
    for (const Value& item : list.items()) {
      Out body;
      if (node.count > 1 && !eval(node.first + 1, Scope{&item}, body)) return false;
      if (op == Op::kMap) {
        if (!check_array(result.size() + 1)) return false;
        result.push_back(body.take());
        continue;
      }
      const bool hit = node.count > 1 && truthy(body.get());
      if (op == Op::kFilter) {
        if (hit) {
          if (!check_array(result.size() + 1)) return false;
          result.push_back(item);
        }
      } else if (hit != (op == Op::kAll)) {
        // all stops at the first miss, none and some at the first hit.
        return out.boolean(op == Op::kSome);
      }
    }
    return collect ? out.set(std::move(result)) : out.boolean(op != Op::kSome);
  }

  [[gnu::noinline]] bool reduce(const Rule::Node& node, const Scope& scope, Out& out) {
    const std::uint32_t n = node.count, first = node.first;
    Out source, initial;
    if (n > 0 && !eval(first, scope, source)) return false;
    if (n > 2 && !eval(first + 2, scope, initial)) return false;
    Value accumulator = initial.take();
    const Value& list = source.get();
    if (list.is_array() && n > 1) {
      for (const Value& item : list.items()) {
        Out next;
        if (!eval(first + 1, Scope{nullptr, &item, &accumulator}, next)) return false;
        if (next.ref == &accumulator) continue;
        Value value = next.take();  // may copy a part of the accumulator, so before replacing it
        accumulator = std::move(value);
      }
    } else if (list.is_array() && list.size() != 0) {
      accumulator = Value();  // no body: every step gives undefined
    }
    return out.set(std::move(accumulator));
  }

  const Rule& rule_;
  const RuleHost& host_;
  const EvalContext& ctx_;
  std::size_t steps_ = 0;
  static inline const Value kZero = Value::number(0);
};

}  // namespace internal

Result<Rule> Rule::compile(const Value& rule) {
  Rule compiled;
  Status status = internal::RuleCompiler(compiled).run(rule);
  if (!status.is_ok()) return status;
  return compiled;
}

Result<Value> Rule::evaluate(const Value& data, const RuleHost& host, const EvalContext& ctx) const {
  if (nodes_.empty()) return Value();
  internal::RuleEvaluator evaluator(*this, host, ctx);
  internal::Out out;
  if (!evaluator.eval(0, internal::Scope{&data}, out)) return evaluator.error;
  return out.take();
}

}  // namespace cabine::jsonlogic
