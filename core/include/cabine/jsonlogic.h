// JsonLogic (jsonlogic.com): the targeting-rule language of Adobe Target's
// on-device decisioning and OpenFeature's flagd, compiled once and evaluated
// many times.
//
// Semantics follow json-logic-js 2.x, the reference implementation, including
// JavaScript's coercions: loose (==) and relational (<) comparison, ToNumber,
// String() (cat, substr, var paths), parseFloat (+ and *), and JsonLogic
// truthiness ([] is falsy, "0" is truthy). The official suites
// (../shared/suites/jsonlogic-tests.json, jsonlogic-rule_like.json) pass in full.
//
// Operators: var, missing, missing_some, if, ?:, ==, ===, !=, !==, !, !!, or,
// and, <, <=, >, >=, max, min, +, -, *, /, %, map, filter, reduce, all, none,
// some, merge, in, cat, substr, log (returns its argument, prints nothing).
// cat joins as json-logic-js does, with Array.prototype.join: null is "",
// arrays are joined with "," (so {"cat": [null, [1, null]]} is "1,").
// An object with exactly one key is an operation; any other object is data and
// passes through unevaluated; an array evaluates each element.
//
// Extensions (not in json-logic-js):
//   {"within_last_days": [date, N]}    true when date <= ctx.now_ms and
//                                      now_ms - date <= N days
//   {"more_than_days_ago": [date, N]}  true when now_ms - date > N days
// A date is a number (ms since the Unix epoch) or a UTC ISO-8601 string,
// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.fff]Z". Anything else (or a bad N)
// makes both operators false. A day is 86,400,000 ms.
//
// Known differences from JavaScript, all outside the suites:
//   - JS `undefined` exists only as an absent argument ({"<": [1]} compares
//     with undefined); "and"/"or"/"log" with no arguments give null.
//   - Arrays and objects are == / === only when both are the same value of the
//     data or of the rule (JS compares references; computed arrays are always new).
//   - reduce's initial value is evaluated as a rule (json-logic-js uses it raw;
//     the two agree for literals).
//   - Strings are UTF-8; length, substr and indexing count UTF-16 code units as
//     JS does, but a cut inside a surrogate pair drops that character.
//
// Errors:
//   compile: INVALID_RULE naming the fault and the JSON Pointer of the
//     offending node (`unknown operator "foo" at /and/1`); {"*": []} is
//     invalid (JS throws). LIMIT_EXCEEDED past kMaxRuleDepth nested arrays and
//     objects or kMaxRuleNodes values, checked before descending, so any
//     json::Value is safe to pass.
//   evaluate: LIMIT_EXCEEDED after ctx.max_steps steps ("rule evaluation
//     exceeded N steps"). A step is one node visit (each element of map,
//     filter, reduce, all, none, some re-visits the body), plus one per element
//     merge copies and one per 64 bytes cat builds. Also LIMIT_EXCEEDED when cat
//     would build more than kMaxStringBytes or merge/map/filter more than
//     kMaxArrayElements elements.
// Data is assumed to be within json::ParseLimits depth; String() of deeper
// data stops at depth 64.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cabine/json.h"
#include "cabine/rule_host.h"
#include "cabine/status.h"

namespace cabine::jsonlogic {

namespace internal {
class RuleCompiler;
class RuleEvaluator;
}  // namespace internal

inline constexpr std::size_t kMaxRuleDepth = 64;         // nested arrays and objects, as json::ParseLimits
inline constexpr std::size_t kMaxRuleNodes = 100000;     // JSON values in one rule
inline constexpr std::size_t kMaxStringBytes = 1 << 20;  // one string built by cat
inline constexpr std::size_t kMaxArrayElements = 100000; // one array built by merge, map or filter

struct EvalContext {
  double now_ms = 0;              // "now" for the relative-date operators, ms since the Unix epoch
  std::size_t max_steps = 1000000;  // evaluation budget, see above
};

// A compiled rule: operators resolved to an enum, literal var paths pre-split,
// constant arrays and data objects stored once. Immutable after compile, so
// one Rule may be evaluated from several threads. Copyable and movable.
class Rule {
 public:
  Rule() = default;  // evaluates to null

  // Compiles a parsed rule. Errors: INVALID_RULE, LIMIT_EXCEEDED (see above).
  static Result<Rule> compile(const json::Value& rule);

  // Applies the rule to `data` (the scope `var` reads). `host` supplies
  // String(number) for non-integral numbers. Errors: LIMIT_EXCEEDED only.
  Result<json::Value> evaluate(const json::Value& data, const RuleHost& host, const EvalContext& ctx = {}) const;

  // Compiled nodes (one per operation, argument and literal), for tests and sizing.
  std::size_t node_count() const noexcept { return nodes_.size(); }

 private:
  friend class internal::RuleCompiler;
  friend class internal::RuleEvaluator;
  enum class Op : std::uint8_t;
  struct Node {
    Op op{};
    std::uint32_t first = 0;  // children are nodes_[first, first + count)
    std::uint32_t count = 0;
    std::uint32_t aux = 0;    // kLiteral: index in literals_; kVar: 1 + index in paths_, or 0 if computed
  };
  std::vector<Node> nodes_;  // nodes_[0] is the root
  std::vector<json::Value> literals_;
  std::vector<std::vector<std::string>> paths_;  // empty path: the whole data
};

// JsonLogic truthiness: false for null, false, 0, NaN, "" and []; true otherwise
// (including "0" and {}).
bool truthy(const json::Value& value) noexcept;

// json-logic-js rule_like: whether `rule` matches `pattern`, where "@" matches
// anything, "number"/"string"/"array" match by type, {"@": p} matches any
// operation whose arguments match p, arrays match element-wise in order, and
// other primitives match when strictly equal.
bool rule_like(const json::Value& rule, const json::Value& pattern) noexcept;

}  // namespace cabine::jsonlogic
