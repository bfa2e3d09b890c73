// GrowthBook conditions and bucketing: a port of the JavaScript SDK's
// mongrule.ts and util.ts. Each helper names the JavaScript expression it
// reproduces, because matching the SDK's coercions is the whole point.
#include "cabine/growthbook.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "js_semantics.h"

namespace cabine::internal {

enum class GrowthBookKind : std::uint8_t {
  // A condition object; children are its clauses.
  kCondition,
  // Clauses.
  kAnd, kOr, kNor,  // children: conditions
  kNotCondition,    // children[0]: a condition
  kPath,            // `path` split on '.'; children[0]: a value node
  // Value nodes: how a condition value tests the attribute.
  kEqualString, kEqualNumber, kEqualBool, kEqualNull, kEqualJson,
  kOperators,       // children: operator nodes, all of which must pass
  // Operator nodes.
  kEq, kCompare, kVersion, kExists, kIn, kInGroup, kNot, kSize, kElemMatch, kAll, kRegex, kType, kFalse,
};

struct GrowthBookNode {
  GrowthBookKind kind = GrowthBookKind::kCondition;
  std::uint8_t mask = 0;     // kCompare / kVersion: which orderings pass (kLess | kEqual | kGreater)
  bool negate = false;       // $ne, $nin, $nini, $notInGroup; for $exists: the operand is falsy
  bool insensitive = false;  // $ini, $nini, $alli, $regexi
  json::Value operand;
  std::vector<std::string> path;
  std::vector<GrowthBookNode> children;
};

}  // namespace cabine::internal

namespace cabine::growthbook {
namespace {

using internal::GrowthBookNode;
using Kind = internal::GrowthBookKind;
using json::Type;
using json::Value;

constexpr std::uint8_t kLess = 1, kEqual = 2, kGreater = 4;

struct OperatorSpec {
  std::string_view name;
  Kind kind;
  std::uint8_t mask = 0;
  bool negate = false;
  bool insensitive = false;
};

constexpr OperatorSpec kOperatorSpecs[] = {
    {"$eq", Kind::kEq},
    {"$ne", Kind::kEq, 0, true},
    {"$lt", Kind::kCompare, kLess},
    {"$lte", Kind::kCompare, kLess | kEqual},
    {"$gt", Kind::kCompare, kGreater},
    {"$gte", Kind::kCompare, kGreater | kEqual},
    {"$veq", Kind::kVersion, kEqual},
    {"$vne", Kind::kVersion, kLess | kGreater},
    {"$vlt", Kind::kVersion, kLess},
    {"$vlte", Kind::kVersion, kLess | kEqual},
    {"$vgt", Kind::kVersion, kGreater},
    {"$vgte", Kind::kVersion, kGreater | kEqual},
    {"$exists", Kind::kExists},
    {"$in", Kind::kIn},
    {"$nin", Kind::kIn, 0, true},
    {"$ini", Kind::kIn, 0, false, true},
    {"$nini", Kind::kIn, 0, true, true},
    {"$inGroup", Kind::kInGroup},
    {"$notInGroup", Kind::kInGroup, 0, true},
    {"$not", Kind::kNot},
    {"$size", Kind::kSize},
    {"$elemMatch", Kind::kElemMatch},
    {"$all", Kind::kAll},
    {"$alli", Kind::kAll, 0, false, true},
    {"$regex", Kind::kRegex},
    {"$regexi", Kind::kRegex, 0, false, true},
    {"$type", Kind::kType},
};

// ------------------------------------------------------------ strings as JavaScript sees them

// Decodes one UTF-8 code point; an invalid or truncated sequence gives U+FFFD
// and consumes one byte.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const std::uint32_t c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  const std::size_t extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0;
  if (extra == 0 || c > 0xF4 || i + extra > s.size()) return 0xFFFD;
  std::uint32_t cp = c & (0x3Fu >> extra);
  for (std::size_t k = 0; k < extra; ++k) {
    const std::uint32_t d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0xFFFD;
    cp = cp << 6 | (d & 0x3F);
  }
  constexpr std::uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[extra] || (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF) return 0xFFFD;
  i += extra;
  return cp;
}

// A key whose order is the order of the code point's UTF-16 units: JavaScript
// compares strings unit by unit, so U+FFFF sorts after U+10000 (a surrogate pair).
std::uint32_t utf16_order_key(std::uint32_t cp) {
  if (cp < 0x10000) return cp << 16;
  cp -= 0x10000;
  return (0xD800 + (cp >> 10)) << 16 | (0xDC00 + (cp & 0x3FF));
}

// a < b, a == b, a > b as JavaScript's string comparison decides it.
std::uint8_t compare_strings(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const std::uint32_t x = utf16_order_key(next_code_point(a, i));
    const std::uint32_t y = utf16_order_key(next_code_point(b, j));
    if (x != y) return x < y ? kLess : kGreater;
  }
  return i < a.size() ? kGreater : j < b.size() ? kLess : kEqual;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
    return;
  }
  constexpr std::uint32_t kLead[] = {0, 0xC0, 0xE0, 0xF0};
  const int extra = cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
  out += static_cast<char>(kLead[extra] | (cp >> (6 * extra)));
  for (int k = extra - 1; k >= 0; --k) out += static_cast<char>(0x80 | ((cp >> (6 * k)) & 0x3F));
}

// String.prototype.toLowerCase for the scripts listed in the header.
std::string to_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t c = next_code_point(s, i);
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
        (c >= 0x410 && c <= 0x42F))
      c += 32;
    else if (c >= 0x400 && c <= 0x40F)
      c += 80;
    append_utf8(out, c);
  }
  return out;
}

// `value + ""`: arrays join their elements with ',' (nested arrays flatten,
// null elements are empty), without recursion.
std::string js_string(const Value& v, const RuleHost& host) { return json::js::to_string(v, host); }

// `value * 1` (ToNumber after ToPrimitive).
double js_number(const Value& v, const RuleHost& host) { return json::js::to_number(&v, host); }

bool truthy(const Value& v) {
  switch (v.type()) {
    case Type::kNull: return false;
    case Type::kBool: return v.as_bool();
    case Type::kNumber: return v.as_number() == v.as_number() && v.as_number() != 0;
    case Type::kString: return !v.as_string().empty();
    default: return true;
  }
}

// `a === b`: attribute values and operands are never the same object, so
// arrays and objects are never strictly equal.
bool strict_equal(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::kNull: return true;
    case Type::kBool: return a.as_bool() == b.as_bool();
    case Type::kNumber: return a.as_number() == b.as_number();
    case Type::kString: return a.as_string() == b.as_string();
    default: return false;
  }
}

// The relation of `a` to `b` under JavaScript's `<`: strings (arrays and
// objects become strings first) compare by code unit, anything else as numbers;
// 0 (no relation) when either number is NaN.
std::uint8_t js_relation(const Value& a, const Value& b, const RuleHost& host) {
  const auto stringish = [](const Value& v) { return v.is_string() || v.is_array() || v.is_object(); };
  if (stringish(a) && stringish(b)) return compare_strings(js_string(a, host), js_string(b, host));
  const double x = js_number(a, host), y = js_number(b, host);
  if (x != x || y != y) return 0;
  return x < y ? kLess : x > y ? kGreater : kEqual;
}

bool is_index(std::string_view s) {
  std::size_t unused = 0;
  return json::js::parse_index(s, unused);
}

// JSON.stringify(a) === JSON.stringify(b). Object members compare in
// JavaScript's own-key order: array-index keys ascending, then the other keys
// in insertion order. Recursion follows `b`, the condition, whose depth is bounded.
bool stringify_equal(const Value& a, const Value& b) {
  const auto type = [](const Value& v) {
    return v.is_number() && !std::isfinite(v.as_number()) ? Type::kNull : v.type();  // stringify writes null
  };
  if (type(a) != type(b)) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!stringify_equal(a.items()[i], b.items()[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    std::size_t next = 0;  // b's next non-index member
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string& key = a.keys()[i];
      const Value* other = nullptr;
      if (is_index(key)) {
        other = b.find(key);
      } else {
        while (next < b.size() && is_index(b.keys()[next])) ++next;
        if (next < b.size() && b.keys()[next] == key) other = &b.items()[next++];
      }
      if (!other || !stringify_equal(a.items()[i], *other)) return false;
    }
    return true;
  }
  return type(a) == Type::kNull || strict_equal(a, b);
}

// paddedVersionString: "v1.2.3-rc.1+build" -> "    1-    2-    3-rc-    1".
std::string padded_version(const Value& v, const RuleHost& host) {
  std::string s = v.is_number() ? js_string(v, host) : v.as_string();
  if (s.empty()) s = "0";
  // replace(/(^v|\+.*$)/g, ""): `.` stops at line terminators, so only a '+'
  // after the last one can reach the end of the string.
  const std::size_t begin = s[0] == 'v' ? 1 : 0;
  std::size_t from = begin;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || s[i] == '\r') from = std::max(from, i + 1);
    if (s.compare(i, 2, "\xE2\x80") == 0 && i + 2 < s.size() && (s[i + 2] == '\xA8' || s[i + 2] == '\xA9'))
      from = std::max(from, i + 3);  // U+2028, U+2029
  }
  const std::size_t end = std::min(s.find('+', from), s.size());
  // split(/[-.]/), "~" after a plain x.y.z, numeric parts left-padded to 5, join("-").
  const std::string_view core(s.data() + begin, end - begin);
  std::size_t separators = 0;
  for (const char c : core) separators += c == '-' || c == '.';
  std::string out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= core.size(); ++i) {
    if (i < core.size() && core[i] != '-' && core[i] != '.') continue;
    const std::string_view part = core.substr(start, i - start);
    bool numeric = !part.empty();
    for (const char c : part) numeric = numeric && c >= '0' && c <= '9';
    if (start) out += '-';
    if (numeric && part.size() < 5) out.append(5 - part.size(), ' ');
    out += part;
    start = i + 1;
  }
  if (separators == 2) out += "-~";
  return out;
}

// ------------------------------------------------------------ compiling

Status invalid(std::string what, std::string_view path) {
  return Status(ErrorCode::kInvalidRule, std::move(what) + " at " + (path.empty() ? std::string("the top level") : std::string(path)));
}

// Whether a regex pattern repeats something that itself repeats, like
// "(a+)+" or "(x*y)*": such patterns backtrack exponentially in JavaScript's
// RegExp (and std::regex) on a subject that almost matches, and would freeze
// the page. Classes and escapes are atoms; "?" alone is not a repetition,
// and a "{" that is not a quantifier is a literal.
bool nests_repetition(std::string_view p) {
  // One char per open group: whether something inside it repeats.
  std::string repeats(1, '\0');
  // Is there a repeating quantifier (*, +, {n,}, {n,m} with m > 1, {n} with n > 1) at j?
  const auto quantifier_at = [&](std::size_t j) {
    if (j >= p.size()) return false;
    if (p[j] == '*' || p[j] == '+') return true;
    if (p[j] != '{') return false;
    const std::size_t close = p.find('}', j);
    if (close == std::string_view::npos) return false;
    const std::string_view body = p.substr(j + 1, close - j - 1);
    if (body.empty() || body.find_first_not_of("0123456789,") != std::string_view::npos || body[0] == ',') return false;
    const std::size_t comma = body.find(',');
    const std::string_view last = comma == std::string_view::npos ? body : body.substr(comma + 1);
    return last.empty() || last.size() > 1 || last[0] > '1';
  };
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::size_t end = i + 1;  // one past the atom
    switch (p[i]) {
      case '\\':
        end = i + 2;
        break;
      case '[':
        for (end = i + 2; end < p.size() && p[end] != ']'; ++end)
          if (p[end] == '\\') ++end;
        ++end;
        break;
      case '(':
        repeats.push_back('\0');
        continue;
      case ')':
        if (repeats.size() > 1) {
          const bool inner = repeats.back() != '\0';
          repeats.pop_back();
          if (inner && quantifier_at(i + 1)) return true;
          if (inner || quantifier_at(i + 1)) repeats.back() = '\1';
        }
        continue;
      case '*': case '+': case '?': case '{': case '|': case '^': case '$':
        continue;
      default:
        break;
    }
    end = std::min(end, p.size());
    if (quantifier_at(end)) repeats.back() = '\1';
    i = end - 1;
  }
  return false;
}

bool is_operator_object(const Value& v) {
  if (!v.is_object() || v.size() == 0) return false;
  for (const std::string& key : v.keys())
    if (key.empty() || key[0] != '$') return false;
  return true;
}

// Depth and size without recursion, so a hostile Value cannot exhaust the stack.
Status check_limits(const Value& root) {
  using Frame = std::pair<const Value*, std::size_t>;  // a container and its next item
  std::vector<Frame> stack{{&root, 0}};
  std::size_t nodes = 1;
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.second == top.first->size()) {
      stack.pop_back();
      continue;
    }
    const Value& child = top.first->items()[top.second++];
    if (!child.is_array() && !child.is_object()) continue;
    stack.push_back({&child, 0});
    const bool too_deep = stack.size() > kMaxConditionDepth;
    if (too_deep || ++nodes > kMaxConditionNodes) {
      std::string path;
      for (std::size_t k = 1; k < stack.size(); ++k) {
        const Frame& parent = stack[k - 1];
        path = parent.first->is_object() ? json::pointer_append(path, parent.first->keys()[parent.second - 1])
                                         : json::pointer_append(path, parent.second - 1);
      }
      return Status(ErrorCode::kLimitExceeded,
                    std::string(too_deep ? "condition nested deeper than 64" : "condition has more than 100000 arrays and objects") +
                        " at " + path);
    }
  }
  return Status::ok();
}

Status compile_condition(const Value& condition, const std::string& path, GrowthBookNode& out);

Status compile_value(const Value& value, const std::string& path, GrowthBookNode& out) {
  if (!is_operator_object(value)) {
    // Indexed by json::Type: null, bool, number, string, array, object.
    constexpr Kind kByType[] = {Kind::kEqualNull,   Kind::kEqualBool, Kind::kEqualNumber,
                                Kind::kEqualString, Kind::kEqualJson, Kind::kEqualJson};
    out.kind = kByType[static_cast<int>(value.type())];
    out.operand = value;
    return Status::ok();
  }
  out.kind = Kind::kOperators;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string& name = value.keys()[i];
    const Value& operand = value.items()[i];
    const std::string operand_path = json::pointer_append(path, name);
    const OperatorSpec* spec = nullptr;
    for (const OperatorSpec& s : kOperatorSpecs)
      if (s.name == name) spec = &s;
    if (!spec) return invalid("unknown operator \"" + name + "\"", path);
    GrowthBookNode& op = out.children.emplace_back();
    op.kind = spec->kind;
    op.mask = spec->mask;
    op.negate = spec->negate;
    op.insensitive = spec->insensitive;
    switch (op.kind) {
      case Kind::kExists:
        op.negate = !truthy(operand);
        break;
      case Kind::kIn:
        if (!operand.is_array()) {
          op.kind = Kind::kFalse;  // the SDK returns false for $in / $nin alike
          break;
        }
        op.operand = operand;
        if (op.insensitive)  // fold the list once here, the attribute at each test
          for (Value& e : op.operand.items())
            if (e.is_string()) e = Value::string(to_lower(e.as_string()));
        break;
      case Kind::kNot:
      case Kind::kSize:
        CABINE_RETURN_IF_ERROR(compile_value(operand, operand_path, op.children.emplace_back()));
        break;
      case Kind::kElemMatch:
        if (!operand.is_object()) return invalid("$elemMatch needs an object", operand_path);
        CABINE_RETURN_IF_ERROR(is_operator_object(operand)
                                   ? compile_value(operand, operand_path, op.children.emplace_back())
                                   : compile_condition(operand, operand_path, op.children.emplace_back()));
        break;
      case Kind::kAll:
        if (!operand.is_array()) {
          op.kind = Kind::kFalse;
          break;
        }
        for (std::size_t j = 0; j < operand.size(); ++j)
          CABINE_RETURN_IF_ERROR(
              compile_value(operand.items()[j], json::pointer_append(operand_path, j), op.children.emplace_back()));
        break;
      case Kind::kRegex:
        if (!operand.is_string()) op.kind = Kind::kFalse;  // the SDK's replace() throws, caught as false
        else if (nests_repetition(operand.as_string()))
          return invalid("the pattern \"" + operand.as_string() + "\" repeats a repetition, which can take exponential time; " +
                             "write it without nested quantifiers", operand_path);
        op.operand = operand;
        break;
      default:  // $eq, comparisons, versions, $inGroup, $type: the operand as is
        op.operand = operand;
        break;
    }
  }
  return Status::ok();
}

Status compile_condition(const Value& condition, const std::string& path, GrowthBookNode& out) {
  if (!condition.is_object()) return invalid("a condition must be an object", path);
  out.kind = Kind::kCondition;
  for (std::size_t i = 0; i < condition.size(); ++i) {
    const std::string& key = condition.keys()[i];
    const Value& value = condition.items()[i];
    const std::string child_path = json::pointer_append(path, key);
    GrowthBookNode& clause = out.children.emplace_back();
    if (key == "$and" || key == "$or" || key == "$nor") {
      if (!value.is_array()) return invalid(key + " needs an array of conditions", child_path);
      clause.kind = key == "$and" ? Kind::kAnd : key == "$or" ? Kind::kOr : Kind::kNor;
      for (std::size_t j = 0; j < value.size(); ++j)
        CABINE_RETURN_IF_ERROR(
            compile_condition(value.items()[j], json::pointer_append(child_path, j), clause.children.emplace_back()));
    } else if (key == "$not") {
      clause.kind = Kind::kNotCondition;
      CABINE_RETURN_IF_ERROR(compile_condition(value, child_path, clause.children.emplace_back()));
    } else {
      // Any other key, '$' or not, is a dot path into the attributes (the
      // suite's "$groups" is an attribute).
      clause.kind = Kind::kPath;
      std::size_t start = 0;
      for (std::size_t dot; (dot = key.find('.', start)) != std::string::npos; start = dot + 1)
        clause.path.push_back(key.substr(start, dot - start));
      clause.path.push_back(key.substr(start));
      CABINE_RETURN_IF_ERROR(compile_value(value, child_path, clause.children.emplace_back()));
    }
  }
  return Status::ok();
}

// ------------------------------------------------------------ evaluating

struct Context {
  const Value& saved_groups;
  const RuleHost& host;
};

// getPath: own members of objects, indices and `length` of arrays; anything
// else reads as null. `scratch` holds a value made up on the way (a length, or null).
const Value& resolve(const Value& root, const std::vector<std::string>& path, Value& scratch) {
  const Value* current = &root;
  for (const std::string& part : path) {
    std::size_t index = 0;
    if (current->is_object()) {
      current = current->find(part);
    } else if (current->is_array() && part == "length") {
      scratch = Value::number(static_cast<double>(current->size()));
      current = &scratch;
    } else if (current->is_array() && json::js::parse_index(part, index) && index < current->size()) {
      current = &current->items()[index];
    } else {
      current = nullptr;
    }
    if (!current) {
      scratch = Value();
      return scratch;
    }
  }
  return *current;
}

bool eval_condition(const GrowthBookNode& node, const Value& object, const Context& c);
bool eval_value(const GrowthBookNode& node, const Value& value, const Context& c, bool insensitive = false);

// expected.includes(x) (SameValueZero: === except that NaN finds NaN), or
// with $ini's folding `caseFold(x) === caseFold(e)`; the list was folded at compile time.
bool list_contains(const Value& list, const Value& x, bool fold) {
  if (fold && x.is_string()) {
    const std::string folded = to_lower(x.as_string());
    for (const Value& e : list.items())
      if (e.is_string() && e.as_string() == folded) return true;
    return false;
  }
  const bool nan = !fold && x.is_number() && std::isnan(x.as_number());
  for (const Value& e : list.items())
    if (strict_equal(x, e) || (nan && e.is_number() && std::isnan(e.as_number()))) return true;
  return false;
}

// isIn: an array attribute matches when any element is in the list.
bool is_in(const Value& actual, const Value& list, bool fold) {
  if (!actual.is_array()) return list_contains(list, actual, fold);
  for (const Value& e : actual.items())
    if (list_contains(list, e, fold)) return true;
  return false;
}

bool eval_operator(const GrowthBookNode& op, const Value& actual, const Context& c) {
  switch (op.kind) {
    case Kind::kEq: return strict_equal(actual, op.operand) != op.negate;
    case Kind::kCompare: return (js_relation(actual, op.operand, c.host) & op.mask) != 0;
    case Kind::kVersion:
      return (compare_strings(padded_version(actual, c.host), padded_version(op.operand, c.host)) & op.mask) != 0;
    case Kind::kExists: return actual.is_null() == op.negate;
    case Kind::kIn: return is_in(actual, op.operand, op.insensitive) != op.negate;
    case Kind::kInGroup: {
      // savedGroups[expected] || []
      const Value* group = c.saved_groups.find(js_string(op.operand, c.host));
      return (group && group->is_array() && is_in(actual, *group, false)) != op.negate;
    }
    case Kind::kNot: return !eval_value(op.children[0], actual, c);
    case Kind::kSize:
      return actual.is_array() && eval_value(op.children[0], Value::number(static_cast<double>(actual.size())), c);
    case Kind::kElemMatch: {
      if (!actual.is_array()) return false;
      const GrowthBookNode& test = op.children[0];
      for (const Value& e : actual.items()) {
        if (truthy(e) && (test.kind == Kind::kCondition ? eval_condition(test, e, c) : eval_value(test, e, c)))
          return true;
      }
      return false;
    }
    case Kind::kAll: {
      if (!actual.is_array()) return false;
      for (const GrowthBookNode& expected : op.children) {
        bool found = false;
        for (const Value& e : actual.items()) {
          if ((found = eval_value(expected, e, c, op.insensitive))) break;
        }
        if (!found) return false;
      }
      return true;
    }
    case Kind::kRegex: {
      const Result<bool> match = c.host.regex_test(op.operand.as_string(), op.insensitive ? "i" : "", js_string(actual, c.host));
      return match.is_ok() && match.value();  // an invalid pattern does not match
    }
    case Kind::kType: return json::type_name(actual.type()) == op.operand.as_string();
    default: return false;
  }
}

bool eval_value(const GrowthBookNode& node, const Value& value, const Context& c, bool insensitive) {
  switch (node.kind) {
    case Kind::kEqualString:
      return insensitive ? to_lower(js_string(value, c.host)) == to_lower(node.operand.as_string())
                         : js_string(value, c.host) == node.operand.as_string();
    case Kind::kEqualNumber: return js_number(value, c.host) == node.operand.as_number();
    case Kind::kEqualBool: return !value.is_null() && truthy(value) == node.operand.as_bool();
    case Kind::kEqualNull: return value.is_null();
    case Kind::kEqualJson: return stringify_equal(value, node.operand);
    default:
      for (const GrowthBookNode& op : node.children)
        if (!eval_operator(op, value, c)) return false;
      return true;
  }
}

// evalOr: true when empty, else whether any condition holds.
bool any_condition(const GrowthBookNode& clause, const Value& object, const Context& c) {
  for (const GrowthBookNode& condition : clause.children)
    if (eval_condition(condition, object, c)) return true;
  return clause.children.empty();
}

bool eval_condition(const GrowthBookNode& node, const Value& object, const Context& c) {
  for (const GrowthBookNode& clause : node.children) {
    bool pass = true;
    switch (clause.kind) {
      case Kind::kAnd:
        for (const GrowthBookNode& condition : clause.children) pass = pass && eval_condition(condition, object, c);
        break;
      case Kind::kOr: pass = any_condition(clause, object, c); break;
      case Kind::kNor: pass = !any_condition(clause, object, c); break;
      case Kind::kNotCondition: pass = !eval_condition(clause.children[0], object, c); break;
      default: {
        Value scratch;
        pass = eval_value(clause.children[0], resolve(object, clause.path, scratch), c);
        break;
      }
    }
    if (!pass) return false;
  }
  return true;
}

// FNV-1a (32-bit) over UTF-16 code units, as the SDK's hashFnv32a reads charCodeAt.
std::uint32_t fnv1a32(std::string_view s) {
  std::uint32_t h = 0x811C9DC5u;
  const auto mix = [&h](std::uint32_t unit) { h = (h ^ unit) * 0x01000193u; };
  for (std::size_t i = 0; i < s.size();) {
    const std::uint32_t key = utf16_order_key(next_code_point(s, i));
    mix(key >> 16);
    if (key & 0xFFFF) mix(key & 0xFFFF);
  }
  return h;
}

}  // namespace

Condition::Condition() = default;
Condition::Condition(const Condition& other) = default;
Condition::Condition(Condition&& other) noexcept = default;
Condition& Condition::operator=(const Condition& other) = default;
Condition& Condition::operator=(Condition&& other) noexcept = default;
Condition::~Condition() = default;

Result<Condition> Condition::compile(const Value& condition) {
  CABINE_RETURN_IF_ERROR(check_limits(condition));
  Condition compiled;
  CABINE_RETURN_IF_ERROR(compile_condition(condition, "", compiled.root_.emplace_back()));
  return compiled;
}

Result<bool> Condition::evaluate(const Value& attributes, const Value& saved_groups, const RuleHost& host) const {
  return eval_condition(root_[0], attributes, Context{saved_groups, host});
}

std::optional<double> hash(std::string_view seed, std::string_view value, int version) {
  if (version == 2) {
    const std::string inner = json::integer_to_string(fnv1a32(std::string(seed) + std::string(value)));
    return static_cast<double>(fnv1a32(inner) % 10000) / 10000;
  }
  if (version == 1) return static_cast<double>(fnv1a32(std::string(value) + std::string(seed)) % 1000) / 1000;
  return std::nullopt;
}

std::vector<double> get_equal_weights(int num_variations) {
  if (num_variations <= 0) return {};
  return std::vector<double>(static_cast<std::size_t>(num_variations), 1.0 / num_variations);
}

std::vector<std::pair<double, double>> get_bucket_ranges(int num_variations, double coverage,
                                                         const std::vector<double>& weights) {
  if (coverage < 0) coverage = 0;
  else if (coverage > 1) coverage = 1;
  std::vector<double> w = weights;
  if (w.size() != static_cast<std::size_t>(std::max(num_variations, 0)) || w.empty()) w = get_equal_weights(num_variations);
  double total = 0;
  for (const double x : w) total += x;
  if (total < 0.99 || total > 1.01) w = get_equal_weights(num_variations);
  std::vector<std::pair<double, double>> ranges;
  double cumulative = 0;
  for (const double x : w) {
    const double start = cumulative;
    cumulative += x;
    ranges.emplace_back(start, start + coverage * x);
  }
  return ranges;
}

int choose_variation(double n, const std::vector<std::pair<double, double>>& ranges) {
  for (std::size_t i = 0; i < ranges.size(); ++i)
    if (n >= ranges[i].first && n < ranges[i].second) return static_cast<int>(i);
  return -1;
}

bool in_namespace(std::string_view hash_value, std::string_view namespace_id, double start, double end) {
  const double n = *hash("__" + std::string(namespace_id), hash_value, 1);
  return n >= start && n < end;
}

}  // namespace cabine::growthbook
