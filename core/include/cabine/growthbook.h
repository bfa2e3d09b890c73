// GrowthBook targeting conditions and deterministic bucketing.
//
// GrowthBook writes targeting rules as MongoDB-style conditions
// (`{"country": {"$in": ["FR", "BE"]}, "$or": [...]}`) and assigns users to
// variations with an FNV-1a hash. This file ports the JavaScript SDK
// (packages/sdk-js/src/mongrule.ts and util.ts) so that the core gives the same
// answers as the browser SDK; the cross-SDK conformance file
// ../shared/suites/growthbook-cases.json (spec 0.8.0) is the reference.
//
// JavaScript semantics are kept where they are observable: `value + ""` and
// `value * 1` coercions for plain string and number conditions, abstract
// relational comparison for $lt/$lte/$gt/$gte (strings compare by UTF-16 code
// unit, anything else as numbers; NaN matches nothing), strict equality for
// $eq/$ne, SameValueZero for $in/$nin, JSON.stringify equality for array and
// non-operator object conditions, and a missing attribute reads as null.
//
// Where this port differs on purpose:
//   - An unknown operator inside an operator object (`{"age": {"$foo": 1}}`) is
//     rejected by `Condition::compile` (kInvalidRule); the SDK logs it and lets
//     the condition fail, so a caller that wants SDK behaviour treats a
//     rejected condition as never matching. As in the SDK, an object whose
//     keys all start with '$' is an operator object, so `{"$elemMatch":
//     {"$or": [...]}}` names an unknown operator "$or" and is rejected.
//   - Operand shapes on which the SDK throws or walks strings character by
//     character are rejected too: a condition, `$not` operand or `$and`/`$or`/
//     `$nor` element that is not an object, an `$and`/`$or`/`$nor` operand that
//     is not an array, and an `$elemMatch` operand that is not an object.
//   - Case folding ($ini, $nini, $alli, `toLowerCase`) maps ASCII, Latin-1,
//     Greek and Cyrillic capitals; other scripts compare unchanged.
//   - Dot paths see own members, array indices and array `length`, never
//     inherited JavaScript properties such as `constructor`.
//   - A saved group that is not an array counts as empty.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "cabine/json.h"
#include "cabine/rule_host.h"
#include "cabine/status.h"

namespace cabine::internal { struct GrowthBookNode; }

namespace cabine::growthbook {

// Limits of `Condition::compile`. Depth counts arrays and objects nested inside
// each other (the root object is depth 1), as json::ParseLimits does, so every
// condition that json::parse accepts with default limits is within them.
// Arrays and objects count as nodes; the scalars inside them do not, so a
// 100000-element `$in` list is one node.
inline constexpr std::size_t kMaxConditionDepth = 64;
inline constexpr std::size_t kMaxConditionNodes = 100000;

// A compiled condition: operators are resolved and dot paths split once, then
// `evaluate` runs as often as needed. Copyable and immutable; evaluation is
// thread-compatible (no shared mutable state).
class Condition {
 public:
  // Compiles a condition object.
  // Errors:
  //   kLimitExceeded  deeper than kMaxConditionDepth or more than
  //                   kMaxConditionNodes arrays and objects (checked without
  //                   recursion, so any Value is safe to pass), with the
  //                   JSON Pointer of the node where the limit was hit;
  //   kInvalidRule    an unknown operator or an operand shape listed above,
  //                   e.g. `unknown operator "$foo" at /$and/1/age`.
  // Operand shapes on which the SDK simply returns false (`$in` with a
  // non-array, `$regex` with a non-string, ...) compile and evaluate to false.
  static Result<Condition> compile(const json::Value& condition);

  // Whether `attributes` satisfy the condition. `saved_groups` maps a group id
  // to an array of member values for $inGroup / $notInGroup (null or any
  // non-object: no groups). `host` supplies String(number) and RegExp; an
  // invalid regular expression does not match (as in the SDK).
  // Always returns a value today; the Result leaves room for host failures.
  Result<bool> evaluate(const json::Value& attributes, const json::Value& saved_groups, const RuleHost& host) const;

  Condition(const Condition& other);
  Condition(Condition&& other) noexcept;
  Condition& operator=(const Condition& other);
  Condition& operator=(Condition&& other) noexcept;
  ~Condition();

 private:
  Condition();
  std::vector<internal::GrowthBookNode> root_;  // exactly one node: the top-level condition
};

// GrowthBook's hash of `value` for bucketing, in [0, 1): version 1 is
// (fnv1a32(value + seed) % 1000) / 1000, version 2 is
// (fnv1a32(decimal(fnv1a32(seed + value))) % 10000) / 10000. FNV-1a runs over
// UTF-16 code units, as JavaScript's charCodeAt gives them (inputs are UTF-8;
// an invalid byte counts as U+FFFD). nullopt for any other version.
std::optional<double> hash(std::string_view seed, std::string_view value, int version);

// The [start, end) hash range of each variation. `coverage` is clamped to
// [0, 1]; `weights` falls back to equal weights when it is empty, has a length
// other than `num_variations`, or sums outside [0.99, 1.01]. Variation i starts
// at the sum of the weights before it and covers `coverage * weights[i]`.
std::vector<std::pair<double, double>> get_bucket_ranges(int num_variations, double coverage,
                                                         const std::vector<double>& weights);

// The first variation whose range holds `n` (start inclusive, end exclusive),
// or -1 when none does.
int choose_variation(double n, const std::vector<std::pair<double, double>>& ranges);

// Whether a user is in the [start, end) slice of a namespace:
// hash("__" + namespace_id, hash_value, 1) in [start, end).
bool in_namespace(std::string_view hash_value, std::string_view namespace_id, double start, double end);

// `num_variations` copies of 1 / num_variations; empty when num_variations <= 0.
std::vector<double> get_equal_weights(int num_variations);

}  // namespace cabine::growthbook
