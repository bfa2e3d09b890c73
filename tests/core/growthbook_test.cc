// GrowthBook conditions and bucketing against the SDK's cross-language suite
// (../shared/suites/growthbook-cases.json) plus the limits and edge cases the
// suite does not cover.
#include "cabine/growthbook.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "test_support.h"

namespace cabine::growthbook {
namespace {

using json::Value;

constexpr const char* kSuite = "suites/growthbook-cases.json";

// Parses the suite into `out`; false when the workplace copy is absent.
bool load_suite(Value& out) {
  const std::optional<std::string> text = cabine::testing::read_shared_file(kSuite);
  if (!text) return false;
  Result<Value> parsed = json::parse(*text, json::ParseLimits{}, "growthbook suite");
  EXPECT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  if (parsed.is_ok()) out = std::move(parsed).value();
  return parsed.is_ok();
}

// The rounding the SDK's own json.test.ts applies before comparing ranges and weights.
double sdk_round(double n) { return std::floor(n * 1e8) / 1e8; }

std::vector<double> numbers(const Value& array) {
  std::vector<double> out;
  for (const Value& v : array.items()) out.push_back(v.as_number());
  return out;
}

// Prints the tally and each failure, then asserts that nothing failed.
void report(const char* section, int passed, const std::vector<std::string>& failures, const std::string& note = "") {
  std::printf("growthbook %s: %d passed, %d failed%s\n", section, passed, static_cast<int>(failures.size()), note.c_str());
  for (const std::string& f : failures) std::printf("  FAIL %s\n", f.c_str());
  EXPECT_TRUE(failures.empty());
}

Value parse(std::string_view text) {
  Result<Value> v = json::parse(text);
  EXPECT_TRUE(v.is_ok()) << v.status().to_string() << " in " << text;
  return v.is_ok() ? std::move(v).value() : Value();
}

// Compiles and evaluates; a compile error fails the test.
bool matches(std::string_view condition, std::string_view attributes, std::string_view groups = "null") {
  Result<Condition> compiled = Condition::compile(parse(condition));
  EXPECT_TRUE(compiled.is_ok()) << compiled.status().to_string();
  if (!compiled.is_ok()) return false;
  Result<bool> r = compiled.value().evaluate(parse(attributes), parse(groups), cabine::testing::rule_host());
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() && r.value();
}

Status compile_error(std::string_view condition) { return Condition::compile(parse(condition)).status(); }

// A condition nested `wraps` levels of {"$not": ...} around {"a": 1}: depth wraps + 1.
Value not_chain(int wraps) {
  Value v = Value::object();
  v.set("a", Value::number(1));
  for (int i = 0; i < wraps; ++i) {
    Value outer = Value::object();
    outer.set("$not", std::move(v));
    v = std::move(outer);
  }
  return v;
}

// Takes a deep chain apart one level at a time: Value's destructor recurses.
void dismantle(Value& v) {
  while (v.size() > 0) {
    Value child = std::move(v.items().back());
    v = std::move(child);
  }
}

// Every evalCondition case. The SDK lets a condition with an unknown operator
// fail; Cabine rejects it at compile time, which the runner counts as "false".
TEST(GrowthBookSuite, EvalCondition) {
  Value suite;
  if (!load_suite(suite)) GTEST_SKIP() << "../shared/" << kSuite << " not found (checkout outside the workplace)";
  const Value* cases = suite.find("evalCondition");
  ASSERT_TRUE(cases && cases->is_array());
  int passed = 0;
  std::vector<std::string> failures, rejected;
  for (const Value& c : cases->items()) {
    const std::string& name = c.items()[0].as_string();
    const Value groups = c.size() > 4 ? c.items()[4] : Value();
    bool actual = false;
    Result<Condition> compiled = Condition::compile(c.items()[1]);
    if (!compiled.is_ok()) {
      if (compiled.code() != ErrorCode::kInvalidRule) failures.push_back(name + ": " + compiled.status().to_string());
      rejected.push_back(name + " (" + compiled.status().message() + ")");
    } else {
      const Condition copy = compiled.value();  // copies evaluate the same
      Result<bool> r = copy.evaluate(c.items()[2], groups, cabine::testing::rule_host());
      if (!r.is_ok()) {
        failures.push_back(name + ": " + r.status().to_string());
        continue;
      }
      actual = r.value();
    }
    if (actual == c.items()[3].as_bool()) ++passed;
    else failures.push_back(name + ": expected " + (actual ? "false" : "true"));
  }
  std::string note;
  for (const std::string& r : rejected) note += (note.empty() ? " (rejected at compile time: " : "; ") + r;
  report("evalCondition", passed, failures, note.empty() ? note : note + ")");
  EXPECT_EQ(passed, static_cast<int>(cases->size()));
  EXPECT_LE(rejected.size(), 1u);  // only "unknown operator"
}

TEST(GrowthBookSuite, Hash) {
  Value suite;
  if (!load_suite(suite)) GTEST_SKIP() << "../shared/" << kSuite << " not found (checkout outside the workplace)";
  const Value* cases = suite.find("hash");
  ASSERT_TRUE(cases && cases->is_array());
  int passed = 0;
  std::vector<std::string> failures;
  for (const Value& c : cases->items()) {
    const std::string& seed = c.items()[0].as_string();
    const std::string& value = c.items()[1].as_string();
    const int version = static_cast<int>(c.items()[2].as_number());
    const std::optional<double> h = hash(seed, value, version);
    const bool ok = c.items()[3].is_null() ? !h : (h && *h == c.items()[3].as_number());
    if (ok) ++passed;
    else failures.push_back("hash(\"" + seed + "\", \"" + value + "\", " + std::to_string(version) + ") = " +
                            (h ? std::to_string(*h) : "null"));
  }
  report("hash", passed, failures);
}

TEST(GrowthBookSuite, GetBucketRange) {
  Value suite;
  if (!load_suite(suite)) GTEST_SKIP() << "../shared/" << kSuite << " not found (checkout outside the workplace)";
  const Value* cases = suite.find("getBucketRange");
  ASSERT_TRUE(cases && cases->is_array());
  int passed = 0;
  std::vector<std::string> failures;
  for (const Value& c : cases->items()) {
    const Value& args = c.items()[1];
    const std::vector<std::pair<double, double>> ranges = get_bucket_ranges(
        static_cast<int>(args.items()[0].as_number()), args.items()[1].as_number(), numbers(args.items()[2]));
    const Value& expected = c.items()[2];
    bool ok = ranges.size() == expected.size();
    for (std::size_t i = 0; ok && i < ranges.size(); ++i) {
      ok = sdk_round(ranges[i].first) == sdk_round(expected.items()[i].items()[0].as_number()) &&
           sdk_round(ranges[i].second) == sdk_round(expected.items()[i].items()[1].as_number());
    }
    if (ok) ++passed;
    else failures.push_back(c.items()[0].as_string());
  }
  report("getBucketRange", passed, failures);
}

TEST(GrowthBookSuite, ChooseVariation) {
  Value suite;
  if (!load_suite(suite)) GTEST_SKIP() << "../shared/" << kSuite << " not found (checkout outside the workplace)";
  const Value* cases = suite.find("chooseVariation");
  ASSERT_TRUE(cases && cases->is_array());
  int passed = 0;
  std::vector<std::string> failures;
  for (const Value& c : cases->items()) {
    std::vector<std::pair<double, double>> ranges;
    for (const Value& r : c.items()[2].items()) ranges.emplace_back(r.items()[0].as_number(), r.items()[1].as_number());
    const int chosen = choose_variation(c.items()[1].as_number(), ranges);
    if (chosen == static_cast<int>(c.items()[3].as_number())) ++passed;
    else failures.push_back(c.items()[0].as_string() + ": got " + std::to_string(chosen));
  }
  report("chooseVariation", passed, failures);
}

TEST(GrowthBookSuite, InNamespace) {
  Value suite;
  if (!load_suite(suite)) GTEST_SKIP() << "../shared/" << kSuite << " not found (checkout outside the workplace)";
  const Value* cases = suite.find("inNamespace");
  ASSERT_TRUE(cases && cases->is_array());
  int passed = 0;
  std::vector<std::string> failures;
  for (const Value& c : cases->items()) {
    const Value& ns = c.items()[2];
    const bool in = in_namespace(c.items()[1].as_string(), ns.items()[0].as_string(), ns.items()[1].as_number(),
                                 ns.items()[2].as_number());
    if (in == c.items()[3].as_bool()) ++passed;
    else failures.push_back(c.items()[0].as_string());
  }
  report("inNamespace", passed, failures);
}

TEST(GrowthBookSuite, GetEqualWeights) {
  Value suite;
  if (!load_suite(suite)) GTEST_SKIP() << "../shared/" << kSuite << " not found (checkout outside the workplace)";
  const Value* cases = suite.find("getEqualWeights");
  ASSERT_TRUE(cases && cases->is_array());
  int passed = 0;
  std::vector<std::string> failures;
  for (const Value& c : cases->items()) {
    const int n = static_cast<int>(c.items()[0].as_number());
    const std::vector<double> weights = get_equal_weights(n);
    const std::vector<double> expected = numbers(c.items()[1]);
    bool ok = weights.size() == expected.size();
    for (std::size_t i = 0; ok && i < weights.size(); ++i) ok = sdk_round(weights[i]) == sdk_round(expected[i]);
    if (ok) ++passed;
    else failures.push_back("getEqualWeights(" + std::to_string(n) + ")");
  }
  report("getEqualWeights", passed, failures);
}

// An unknown operator is an error naming the operator object's JSON Pointer.
TEST(GrowthBookCondition, UnknownOperatorReportsPath) {
  const Status s = compile_error(R"({"$and": [{"a": 1}, {"age": {"$gt": 1, "$foo": 2}}]})");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidRule);
  EXPECT_EQ(s.message(), "unknown operator \"$foo\" at /$and/1/age");
  // Inside $elemMatch and $not, and with pointer escaping.
  EXPECT_EQ(compile_error(R"({"a/b": {"$elemMatch": {"x": {"$nope": 1}}}})").message(),
            "unknown operator \"$nope\" at /a~1b/$elemMatch/x");
  // A '$' key of a condition is an attribute path, and a mixed object is a literal.
  EXPECT_TRUE(matches(R"({"$groups": {"$size": 2}})", R"({"$groups": [1, 2]})"));
  EXPECT_TRUE(matches(R"({"a": {"$foo": 1, "b": 2}})", R"({"a": {"$foo": 1, "b": 2}})"));
}

// Shapes on which the SDK throws or walks strings are rejected with their path.
TEST(GrowthBookCondition, RejectsMalformedShapes) {
  EXPECT_EQ(compile_error(R"([1])").message(), "a condition must be an object at the top level");
  EXPECT_EQ(compile_error(R"({"$or": {"a": 1}})").message(), "$or needs an array of conditions at /$or");
  EXPECT_EQ(compile_error(R"({"$and": [{"a": 1}, 2]})").message(), "a condition must be an object at /$and/1");
  EXPECT_EQ(compile_error(R"({"$not": "x"})").code(), ErrorCode::kInvalidRule);
  EXPECT_EQ(compile_error(R"({"tags": {"$elemMatch": null}})").message(), "$elemMatch needs an object at /tags/$elemMatch");
  // ...while the SDK's "returns false" shapes compile and fail.
  EXPECT_FALSE(matches(R"({"a": {"$in": "abc"}})", R"({"a": "b"})"));
  EXPECT_FALSE(matches(R"({"a": {"$regex": 5}})", R"({"a": "5"})"));
  EXPECT_FALSE(matches(R"({"a": {"$all": 5}})", R"({"a": [5]})"));
}

// Patterns that backtrack exponentially (a repetition inside a repetition)
// are refused when the rule compiles; ordinary patterns are kept.
TEST(GrowthBookCondition, RegexWithNestedRepetitionIsRefused) {
  for (const char* pattern : {"(a+)+$", "(a*)*", "^(\\\\d+x)*y", "(?:[a-z]+\\\\s)+$", "((ab)+c)+", "(a{2,})+", "(x+){2,5}", "(a|b+)*"}) {
    const Status s = compile_error(std::string(R"({"x": {"$regex": ")") + pattern + "\"}}");
    EXPECT_EQ(s.code(), ErrorCode::kInvalidRule) << pattern;
    EXPECT_NE(s.message().find("repeats a repetition, which can take exponential time"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(" at /x/$regex"), std::string::npos) << s.message();
  }
  for (const char* pattern : {"^ab+c$", "(abc)+", "[a+]+", "\\\\d+\\\\.\\\\d*", "(a?)+", "(a{1})+", "(ab)+(cd)*", "x(?:y|z)+", "^[^)]+\\\\)+$"}) {
    EXPECT_TRUE(compile_error(std::string(R"({"x": {"$regex": ")") + pattern + "\"}}").is_ok()) << pattern;
  }
  // The pattern that froze a browser tab: now a quick, clear refusal.
  EXPECT_EQ(compile_error(R"({"x": {"$regex": "(a+)+$"}})").message(),
            "the pattern \"(a+)+$\" repeats a repetition, which can take exponential time; write it without nested quantifiers at /x/$regex");
}

// A programmatically built 10,000-deep condition is refused without recursion.
TEST(GrowthBookCondition, DepthLimit) {
  Value deep = not_chain(10000);
  const Status s = Condition::compile(deep).status();
  EXPECT_EQ(s.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(s.message().rfind("condition nested deeper than 64 at /$not/$not/", 0), 0u) << s.message();
  dismantle(deep);
  // Depth 64 (the root counts as 1) is the last one allowed.
  Value at_limit = not_chain(63);
  Result<Condition> ok = Condition::compile(at_limit);
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_FALSE(ok.value().evaluate(parse(R"({"a": 1})"), Value(), cabine::testing::rule_host()).value());  // 63 nots
  EXPECT_EQ(Condition::compile(not_chain(64)).code(), ErrorCode::kLimitExceeded);
}

// More than 100000 arrays and objects is refused; scalars inside a list do not count.
TEST(GrowthBookCondition, NodeLimit) {
  Value many = Value::array();
  for (int i = 0; i < 100000; ++i) many.push_back(Value::object());
  Value condition = Value::object();
  condition.set("$and", std::move(many));
  const Status s = Condition::compile(condition).status();
  EXPECT_EQ(s.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(s.message(), "condition has more than 100000 arrays and objects at /$and/99998");
}

// $in / $nin over a 100000-element list.
TEST(GrowthBookCondition, LargeInList) {
  Value list = Value::array();
  for (int i = 0; i < 100000; ++i) list.push_back(Value::number(i));
  Value in = Value::object();
  in.set("$in", list);
  Value condition = Value::object();
  condition.set("id", std::move(in));
  Result<Condition> compiled = Condition::compile(condition);
  ASSERT_TRUE(compiled.is_ok()) << compiled.status().to_string();
  const RuleHost& host = cabine::testing::rule_host();
  EXPECT_TRUE(compiled.value().evaluate(parse(R"({"id": 99999})"), Value(), host).value());
  EXPECT_TRUE(compiled.value().evaluate(parse(R"({"id": [-1, 5]})"), Value(), host).value());
  EXPECT_FALSE(compiled.value().evaluate(parse(R"({"id": 100000})"), Value(), host).value());
  EXPECT_FALSE(compiled.value().evaluate(parse(R"({"id": "5"})"), Value(), host).value());  // includes() is strict
}

// A pattern the host cannot compile never matches, as in the SDK.
TEST(GrowthBookCondition, BadRegexIsFalse) {
  EXPECT_FALSE(matches(R"({"name": {"$regex": "([a-z"}})", R"({"name": "hello"})"));
  EXPECT_FALSE(matches(R"({"name": {"$regexi": "([a-z"}})", R"({"name": "hello"})"));
  EXPECT_TRUE(matches(R"({"name": {"$not": {"$regex": "([a-z"}}})", R"({"name": "hello"})"));
  // The subject is String(value): a missing attribute reads as "null".
  EXPECT_TRUE(matches(R"({"name": {"$regex": "^nul"}})", R"({})"));
}

// JavaScript coercions and paths the suite does not reach.
TEST(GrowthBookCondition, JavaScriptSemantics) {
  EXPECT_TRUE(matches(R"({"tags.length": 3, "tags.1": "b"})", R"({"tags": ["a", "b", "c"]})"));
  EXPECT_FALSE(matches(R"({"tags.01": "b"})", R"({"tags": ["a", "b"]})"));
  EXPECT_TRUE(matches(R"({"n": "1,2,,3"})", R"({"n": [1, [2, null], 3]})"));  // value + ""
  EXPECT_TRUE(matches(R"({"n": 0.5})", R"({"n": ["0.5"]})"));                 // value * 1
  EXPECT_TRUE(matches(R"({"n": {"$lt": "b"}})", R"({"n": ["a"]})"));
  EXPECT_TRUE(matches(R"({"n": {"$gt": true}})", R"({"n": "2"})"));
  EXPECT_FALSE(matches(R"({"n": {"$gte": 0, "$lte": 0}})", R"({"n": "x"})"));  // NaN orders nothing
  // Strings compare by UTF-16 code unit: U+10000 (D800 DC00) sorts before U+FFFF.
  EXPECT_TRUE(matches(R"({"s": {"$lt": "\uffff"}})", R"({"s": "\ud800\udc00"})"));
  // JSON.stringify puts array-index keys first, so these objects are equal...
  EXPECT_TRUE(matches(R"({"o": {"b": 1, "1": 2}})", R"({"o": {"1": 2, "b": 1}})"));
  // ...but other keys keep their order.
  EXPECT_FALSE(matches(R"({"o": {"b": 1, "a": 2}})", R"({"o": {"a": 2, "b": 1}})"));
  EXPECT_TRUE(matches(R"({"v": {"$vgt": 1.5}})", R"({"v": "1.10"})"));
  // paddedVersionString: build metadata goes only when no line break follows the '+'.
  EXPECT_TRUE(matches(R"({"v": {"$veq": "1"}})", R"({"v": "1+a"})"));
  EXPECT_TRUE(matches(R"({"v": {"$veq": "1+a\nb"}})", R"({"v": "1+a\nb+c"})"));
  EXPECT_FALSE(matches(R"({"v": {"$veq": "1"}})", R"({"v": "1+a\nb"})"));
  EXPECT_TRUE(matches(R"({"v": {"$veq": 0}})", R"({"v": ""})"));          // "" and 0 both read "0"
  EXPECT_TRUE(matches(R"({"v": {"$vlt": "1.2.3"}})", R"({"v": null})"));
  EXPECT_TRUE(matches(R"({"c": {"$ini": ["ÉTÉ"]}})", R"({"c": "été"})"));
  EXPECT_FALSE(matches(R"({"tags": {"$elemMatch": {"$exists": true}}})", R"({"tags": [0, "", false, null]})"));
  EXPECT_FALSE(matches(R"({"$nor": []})", R"({})"));  // an empty $or holds, so an empty $nor fails
}

// Saved groups: an absent or non-array group is empty.
TEST(GrowthBookCondition, SavedGroups) {
  EXPECT_FALSE(matches(R"({"id": {"$inGroup": "g"}})", R"({"id": 1})"));
  EXPECT_TRUE(matches(R"({"id": {"$notInGroup": "g"}})", R"({"id": 1})"));
  EXPECT_FALSE(matches(R"({"id": {"$inGroup": "g"}})", R"({"id": 1})", R"({"g": 1})"));
  EXPECT_TRUE(matches(R"({"id": {"$inGroup": 7}})", R"({"id": [3, 1]})", R"({"7": [1]})"));
}

// Hashes of non-ASCII text run over UTF-16 units (values from the JavaScript SDK's hash).
TEST(GrowthBookHash, Utf16Units) {
  EXPECT_EQ(hash("seed", "\xC3\xA9\xF0\x9F\x98\x80", 1), 0.032);
  EXPECT_EQ(hash("seed", "\xC3\xA9\xF0\x9F\x98\x80", 2), 0.0156);
  EXPECT_EQ(hash("\xC3\x9F" "eed", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 1), 0.027);
  EXPECT_EQ(hash("\xC3\x9F" "eed", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 2), 0.4403);
  EXPECT_EQ(hash("", "\xF4\x8F\xBF\xBF\xEF\xBF\xBF", 2), 0.1652);
  EXPECT_FALSE(hash("a", "b", 3).has_value());
}

}  // namespace
}  // namespace cabine::growthbook
