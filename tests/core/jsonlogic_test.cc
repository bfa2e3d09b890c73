// JsonLogic: the official conformance suites, the date extensions, compile
// errors and the depth, size and step limits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "cabine/json.h"
#include "cabine/jsonlogic.h"
#include "test_support.h"

namespace {

using cabine::ErrorCode;
using cabine::json::Value;
using cabine::jsonlogic::EvalContext;
using cabine::jsonlogic::Rule;

Value parse(const std::string& text) {
  auto parsed = cabine::json::parse(text);
  EXPECT_TRUE(parsed.is_ok()) << parsed.status().to_string() << " in " << text;
  return parsed.is_ok() ? parsed.value() : Value();
}

std::string write(const Value& v) { return cabine::json::write(v, cabine::testing::rule_host()); }

cabine::Result<Value> apply(const std::string& rule, const std::string& data = "null", const EvalContext& ctx = {}) {
  auto compiled = Rule::compile(parse(rule));
  if (!compiled.is_ok()) return compiled.status();
  return compiled.value().evaluate(parse(data), cabine::testing::rule_host(), ctx);
}

// The result of a rule as compact JSON, or "CODE: message".
std::string run(const std::string& rule, const std::string& data = "null", const EvalContext& ctx = {}) {
  auto result = apply(rule, data, ctx);
  return result.is_ok() ? write(result.value()) : result.status().to_string();
}

// Frees a deep value level by level, so the test never recurses as deep as the value.
void dismantle(Value& v) {
  while (!v.items().empty()) {
    Value inner = std::move(v.items()[0]);
    v = std::move(inner);
  }
}

Value nest_in_not(std::size_t levels) {
  Value v = Value::boolean(true);
  for (std::size_t i = 0; i < levels; ++i) {
    Value outer = Value::object();
    outer.set("!", std::move(v));
    v = std::move(outer);
  }
  return v;
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Every [rule, data, expected] case of the official tests.json; strings are section labels.
TEST(JsonLogicSuite, OfficialTests) {
  const auto text = cabine::testing::read_shared_file("suites/jsonlogic-tests.json");
  if (!text) GTEST_SKIP() << "../shared/suites/jsonlogic-tests.json not found (checkout outside the workplace)";
  const Value suite = parse(*text);
  ASSERT_TRUE(suite.is_array());
  int passed = 0, failed = 0;
  std::string section;
  for (const Value& entry : suite.items()) {
    if (entry.is_string()) {
      section = entry.as_string();
      continue;
    }
    ASSERT_TRUE(entry.is_array() && entry.size() == 3) << write(entry);
    const Value& rule = entry.items()[0];
    const Value& data = entry.items()[1];
    const Value& expected = entry.items()[2];
    auto compiled = Rule::compile(rule);
    auto result = compiled.is_ok() ? compiled.value().evaluate(data, cabine::testing::rule_host())
                                   : cabine::Result<Value>(compiled.status());
    if (result.is_ok() && result.value() == expected) {
      ++passed;
      continue;
    }
    ++failed;
    std::printf("FAIL [%s] rule %s data %s: expected %s, got %s\n", section.c_str(), write(rule).c_str(),
                write(data).c_str(), write(expected).c_str(),
                result.is_ok() ? write(result.value()).c_str() : result.status().to_string().c_str());
  }
  std::printf("jsonlogic-tests.json: %d passed, %d failed\n", passed, failed);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(passed, 277);
}

// Every [rule, pattern, expected] case of the official rule_like.json.
TEST(JsonLogicSuite, RuleLike) {
  const auto text = cabine::testing::read_shared_file("suites/jsonlogic-rule_like.json");
  if (!text) GTEST_SKIP() << "../shared/suites/jsonlogic-rule_like.json not found (checkout outside the workplace)";
  const Value suite = parse(*text);
  ASSERT_TRUE(suite.is_array());
  int passed = 0, failed = 0;
  for (const Value& entry : suite.items()) {
    if (entry.is_string()) continue;
    ASSERT_TRUE(entry.is_array() && entry.size() == 3) << write(entry);
    const bool got = cabine::jsonlogic::rule_like(entry.items()[0], entry.items()[1]);
    if (got == entry.items()[2].as_bool()) {
      ++passed;
      continue;
    }
    ++failed;
    std::printf("FAIL rule_like(%s, %s): expected %s\n", write(entry.items()[0]).c_str(),
                write(entry.items()[1]).c_str(), write(entry.items()[2]).c_str());
  }
  std::printf("jsonlogic-rule_like.json: %d passed, %d failed\n", passed, failed);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(passed, 39);
}

// JsonLogic truthiness differs from JS for [] and from PHP for "0".
TEST(JsonLogicTruthy, Table) {
  const std::pair<const char*, bool> table[] = {
      {"null", false}, {"false", false}, {"true", true},  {"0", false},   {"-0", false},       {"1", true},
      {"-1", true},    {"0.5", true},    {"\"\"", false}, {"\"0\"", true}, {"\"false\"", true}, {"[]", false},
      {"[0]", true},   {"[[]]", true},   {"{}", true},    {"{\"a\":0}", true},
  };
  for (const auto& [text, expected] : table) EXPECT_EQ(cabine::jsonlogic::truthy(parse(text)), expected) << text;
  EXPECT_FALSE(cabine::jsonlogic::truthy(Value::number(std::nan(""))));
  EXPECT_EQ(run(R"({"!!":[{"-":["x"]}]})"), "false");  // NaN
}

// JavaScript coercions that the suites leave out.
TEST(JsonLogicSemantics, JavaScriptCoercions) {
  EXPECT_EQ(run(R"({"==":[[], false]})"), "true");
  EXPECT_EQ(run(R"({"==":[[1,2], "1,2"]})"), "true");
  EXPECT_EQ(run(R"({"==":[null, 0]})"), "false");
  EXPECT_EQ(run(R"({"==":[null]})"), "true");  // null == undefined
  EXPECT_EQ(run(R"({"===":[null]})"), "false");
  EXPECT_EQ(run(R"({"==":["1", true]})"), "true");
  EXPECT_EQ(run(R"({"==":[[1], [1]]})"), "false");  // two arrays are two objects
  EXPECT_EQ(run(R"({"===":[{"var":"a"}, {"var":"a"}]})", R"({"a":[1]})"), "true");  // one object
  EXPECT_EQ(run(R"({"in":[{"var":"a.0"}, {"var":"a"}]})", R"({"a":[{"k":1}]})"), "true");
  EXPECT_EQ(run(R"({"in":[{"k":1,"j":2}, [{"k":1,"j":2}]]})"), "false");
  EXPECT_EQ(run(R"({">":[1, null]})"), "true");
  EXPECT_EQ(run(R"({">":[1]})"), "false");  // 1 > undefined
  EXPECT_EQ(run(R"({"<":["10", "9"]})"), "true");  // string order
  EXPECT_EQ(run(R"({"<":["10", 9]})"), "false");
  EXPECT_EQ(run(R"({"<=":["a", 1]})"), "false");  // NaN
  EXPECT_EQ(run(R"({"<":["\uffff", "\ud83d\ude00"]})"), "false");  // UTF-16 order: surrogates sort first
  EXPECT_EQ(run(R"({"+":["3.5px", " 2", "1e2x"]})"), "105.5");  // parseFloat
  EXPECT_EQ(run(R"({"+":["px"]})"), "null");  // NaN is written as null
  EXPECT_EQ(run(R"({"*":["2"]})"), "\"2\"");  // reduce without initial value: unconverted
  EXPECT_EQ(run(R"({"-":["5", "2"]})"), "3");
  EXPECT_EQ(run(R"({"/":[1, 3]})"), "0.3333333333333333");
  EXPECT_EQ(run(R"({"%":[-7, 3]})"), "-1");
  EXPECT_EQ(run(R"({"max":[]})"), "null");  // -Infinity
  EXPECT_EQ(run(R"({"min":["2", 1, true]})"), "1");
  EXPECT_EQ(run(R"({"cat":[null, 1.5, true, [1, [2, null]], {"a":1, "b":2}]})"), "\"1.5true1,2,[object Object]\"");
  EXPECT_EQ(run(R"({"in":["", "abc"]})"), "true");
  EXPECT_EQ(run(R"({"in":["a", ""]})"), "false");
  EXPECT_EQ(run(R"({"in":[1, ["1", 1]]})"), "true");
  EXPECT_EQ(run(R"({"in":["1", 12]})"), "false");
  EXPECT_EQ(run(R"({"substr":["h\u00e9llo w\ud83d\ude00rld", 6, 4]})"), "\"w\xF0\x9F\x98\x80r\"");
  EXPECT_EQ(run(R"({"substr":[12345, -3, -1]})"), "\"34\"");
  EXPECT_EQ(run(R"({"substr":["abcdef", 1, "-1"]})"), "\"\"");  // 5 + "-1" is "5-1" in JS
}

// var: dot paths, indices, length, defaults, and the whole data.
TEST(JsonLogicSemantics, Var) {
  const std::string data = R"({"a":{"b":[10,{"c":"x\ud83d\ude00y"}]},"n":null,"e":"","01":1})";
  EXPECT_EQ(run(R"({"var":"a.b.1.c"})", data), "\"x\xF0\x9F\x98\x80y\"");
  EXPECT_EQ(run(R"({"var":"a.b.length"})", data), "2");
  EXPECT_EQ(run(R"({"var":"a.b.1.c.length"})", data), "4");
  EXPECT_EQ(run(R"({"var":"a.b.1.c.3"})", data), "\"y\"");
  EXPECT_EQ(run(R"({"var":"a.b.01"})", data), "null");  // not a canonical index
  EXPECT_EQ(run(R"({"var":"01"})", data), "1");        // but a fine object key
  EXPECT_EQ(run(R"({"var":["n", 5]})", data), "null");  // present null is not missing
  EXPECT_EQ(run(R"({"var":["n.x", 5]})", data), "5");
  EXPECT_EQ(run(R"({"var":[{"cat":["a", ".b.0"]}, 7]})", data), "10");
  EXPECT_EQ(run(R"({"missing":["a.b", "n", "e", "zz"]})", data), R"(["n","e","zz"])");
  EXPECT_EQ(run(R"({"var":""})", "[1,2]"), "[1,2]");
}

// reduce reads "current" and "accumulator"; the initial value is itself evaluated.
TEST(JsonLogicSemantics, Reduce) {
  const std::string data = R"({"xs":[1,2,3],"start":10})";
  EXPECT_EQ(run(R"({"reduce":[{"var":"xs"},{"+":[{"var":"current"},{"var":"accumulator"}]},{"var":"start"}]})", data),
            "16");
  EXPECT_EQ(run(R"({"reduce":[{"var":"xs"},{"merge":[[{"var":"current"}],{"var":"accumulator"}]},[]]})", data),
            "[3,2,1]");
  EXPECT_EQ(run(R"({"reduce":[[5, 6],{"var":""},0]})"), R"({"current":6,"accumulator":{"current":5,"accumulator":0}})");
  EXPECT_EQ(run(R"({"reduce":[[5, 6],{"var":"accumulator.current"},{"current":9,"x":0}]})"), "null");
  EXPECT_EQ(run(R"({"reduce":[{"var":"xs"},{"var":"accumulator"},{"var":"start"}]})", data), "10");
  EXPECT_EQ(run(R"({"reduce":[{"var":"nothing"},{"var":"current"},3]})", data), "3");
}

// Data objects (not exactly one key) pass through; arrays evaluate their elements.
TEST(JsonLogicSemantics, Literals) {
  EXPECT_EQ(run(R"({"a":{"var":"x"},"b":1})", R"({"x":2})"), R"({"a":{"var":"x"},"b":1})");
  EXPECT_EQ(run(R"({})"), "{}");
  EXPECT_EQ(run(R"([{"var":"x"}, [{"var":"x"}], "s"])", R"({"x":2})"), R"([2,[2],"s"])");
}

// A compiled rule is reusable, copyable, and independent of its source value.
TEST(JsonLogicRule, CompileOnceEvaluateMany) {
  Value source = parse(R"({"if":[{">=":[{"var":"age"}, 18]}, "adult", "minor"]})");
  auto compiled = Rule::compile(source);
  ASSERT_TRUE(compiled.is_ok());
  source = Value();
  const Rule copy = compiled.value();
  const auto& host = cabine::testing::rule_host();
  EXPECT_EQ(write(copy.evaluate(parse(R"({"age":30})"), host).value()), "\"adult\"");
  EXPECT_EQ(write(copy.evaluate(parse(R"({"age":"9"})"), host).value()), "\"minor\"");
  EXPECT_EQ(write(compiled.value().evaluate(Value(), host).value()), "\"minor\"");
  EXPECT_EQ(write(Rule().evaluate(Value(), host).value()), "null");
}

// within_last_days / more_than_days_ago with epoch-ms numbers and ISO strings.
TEST(JsonLogicDates, RelativeDateOperators) {
  EvalContext ctx;
  ctx.now_ms = 1718445600000.0;  // 2024-06-15T10:00:00Z
  const double day = 86400000.0;
  const auto data = [&](double ms) { return "{\"d\":" + cabine::json::integer_to_string(ms) + "}"; };
  EXPECT_EQ(run(R"({"within_last_days":[{"var":"d"}, 7]})", data(ctx.now_ms - 3 * day), ctx), "true");
  EXPECT_EQ(run(R"({"within_last_days":[{"var":"d"}, 7]})", data(ctx.now_ms - 7 * day), ctx), "true");
  EXPECT_EQ(run(R"({"within_last_days":[{"var":"d"}, 7]})", data(ctx.now_ms - 7 * day - 1), ctx), "false");
  EXPECT_EQ(run(R"({"within_last_days":[{"var":"d"}, 7]})", data(ctx.now_ms + 1000), ctx), "false");  // future
  EXPECT_EQ(run(R"({"within_last_days":[{"var":"d"}, 0]})", data(ctx.now_ms), ctx), "true");
  EXPECT_EQ(run(R"({"more_than_days_ago":[{"var":"d"}, 30]})", data(ctx.now_ms - 31 * day), ctx), "true");
  EXPECT_EQ(run(R"({"more_than_days_ago":[{"var":"d"}, 30]})", data(ctx.now_ms - 30 * day), ctx), "false");
  EXPECT_EQ(run(R"({"more_than_days_ago":[{"var":"d"}, 1]})", data(ctx.now_ms + 5 * day), ctx), "false");

  EXPECT_EQ(run(R"({"within_last_days":["2024-06-10", 7]})", "null", ctx), "true");
  EXPECT_EQ(run(R"({"within_last_days":["2024-06-08T10:00:00Z", 7]})", "null", ctx), "true");
  EXPECT_EQ(run(R"({"within_last_days":["2024-06-08T09:59:59.999Z", 7]})", "null", ctx), "false");
  EXPECT_EQ(run(R"({"within_last_days":["2024-06-15T10:00:00.001Z", 7]})", "null", ctx), "false");  // future
  EXPECT_EQ(run(R"({"more_than_days_ago":["2024-02-29", 100]})", "null", ctx), "true");
  EXPECT_EQ(run(R"({"more_than_days_ago":["2024-03-08T00:00:00Z", 100]})", "null", ctx), "false");
  EXPECT_EQ(run(R"({"more_than_days_ago":["1970-01-01", 19889]})", "null", ctx), "true");
  EXPECT_EQ(run(R"({"more_than_days_ago":["1970-01-01", 19890]})", "null", ctx), "false");

  for (const char* bad : {"\"2024-13-01\"", "\"2023-02-29\"", "\"2024-06-10T25:00:00Z\"", "\"2024-06-10T10:00:00\"",
                          "\"2024-06-10T10:00:00.Z\"", "\"2024-6-10\"", "\"yesterday\"", "\"\"", "null", "true",
                          "[]", "{\"a\":1,\"b\":2}"}) {
    EXPECT_EQ(run(std::string("{\"within_last_days\":[") + bad + ", 100000]}", "null", ctx), "false") << bad;
    EXPECT_EQ(run(std::string("{\"more_than_days_ago\":[") + bad + ", -100000]}", "null", ctx), "false") << bad;
  }
  EXPECT_EQ(run(R"({"within_last_days":["2024-06-10", "x"]})", "null", ctx), "false");  // N is NaN
}

// An unknown operator is INVALID_RULE with its name and JSON Pointer.
TEST(JsonLogicCompile, UnknownOperatorNamesPath) {
  EXPECT_EQ(run(R"({"and":[true, {"foo":1}]})"), "INVALID_RULE: unknown operator \"foo\" at /and/1");
  EXPECT_EQ(run(R"({"!":{"if":[1, [0, {"a/b~":2}]]}})"), "INVALID_RULE: unknown operator \"a/b~\" at /!/if/1/1");
  EXPECT_EQ(run(R"({"nope":[]})"), "INVALID_RULE: unknown operator \"nope\" at the root");
  EXPECT_EQ(run(R"({"*":[]})"), "INVALID_RULE: operator \"*\" needs at least one argument at the root");
  EXPECT_EQ(run(R"({"a":{"foo":1},"b":2})"), R"({"a":{"foo":1},"b":2})");  // data, not checked
}

// A 10,000-deep rule built in memory is refused without recursing that deep.
TEST(JsonLogicLimits, DeepProgrammaticRule) {
  Value rule = nest_in_not(10000);
  auto compiled = Rule::compile(rule);
  ASSERT_FALSE(compiled.is_ok());
  EXPECT_EQ(compiled.code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(compiled.status().message().find("rule nested deeper than 64 levels at /!/!/!"), std::string::npos)
      << compiled.status().message();
  dismantle(rule);

  Value array = Value::boolean(true);
  for (int i = 0; i < 10000; ++i) {
    std::vector<Value> items;
    items.push_back(std::move(array));
    array = Value::array(std::move(items));
  }
  EXPECT_EQ(Rule::compile(array).code(), ErrorCode::kLimitExceeded);
  dismantle(array);

  Value limit = nest_in_not(64);
  EXPECT_TRUE(Rule::compile(limit).is_ok());
  Value over = nest_in_not(65);
  EXPECT_EQ(Rule::compile(over).code(), ErrorCode::kLimitExceeded);
}

// The same depth as text: the parser refuses it first; a parse with a looser
// limit hands compile a rule it refuses itself.
TEST(JsonLogicLimits, DeepRuleText) {
  const std::string deep = repeat("{\"!\":", 10000) + "true" + repeat("}", 10000);
  auto parsed = cabine::json::parse(deep, {}, "rule");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.code(), ErrorCode::kLimitExceeded);

  cabine::json::ParseLimits loose;
  loose.max_depth = 100;
  auto deeper = cabine::json::parse(repeat("[", 80) + repeat("]", 80), loose, "rule");
  ASSERT_TRUE(deeper.is_ok()) << deeper.status().to_string();
  auto compiled = Rule::compile(deeper.value());
  EXPECT_EQ(compiled.code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(compiled.status().message().find("deeper than 64"), std::string::npos);
  EXPECT_TRUE(Rule::compile(parse(repeat("[", 64) + repeat("]", 64))).is_ok());
}

// More than 100,000 values in one rule, literal data included.
TEST(JsonLogicLimits, NodeCount) {
  std::vector<Value> items(99999, Value::number(1));  // and the array itself
  EXPECT_TRUE(Rule::compile(Value::array(items)).is_ok());
  items.push_back(Value::number(1));
  auto compiled = Rule::compile(Value::array(std::move(items)));
  EXPECT_EQ(compiled.code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(compiled.status().message().find("more than 100000 values"), std::string::npos);
}

// Nested map over 1000-element arrays runs out of steps; so does a small budget.
TEST(JsonLogicLimits, Steps) {
  std::string numbers = "[0";
  for (int i = 1; i < 1000; ++i) numbers += "," + std::to_string(i);
  numbers += "]";
  const std::string data = "{\"xs\":" + numbers + "}";
  const std::string single = R"({"map":[{"var":"xs"},{"+":[{"var":""},1]}]})";
  auto ok = apply(single, data);
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_EQ(ok.value().size(), 1000u);

  EvalContext small;
  small.max_steps = 500;
  EXPECT_EQ(run(single, data, small), "LIMIT_EXCEEDED: rule evaluation exceeded 500 steps");

  const std::string nested = R"({"map":[{"var":"xs"},{"all":[)" + numbers + R"(,{">=":[{"var":""},0]}]}]})";
  EXPECT_EQ(run(nested, data), "LIMIT_EXCEEDED: rule evaluation exceeded 1000000 steps");
  EvalContext large;
  large.max_steps = 5000000;
  auto big = apply(nested, data, large);
  ASSERT_TRUE(big.is_ok()) << big.status().to_string();
  EXPECT_EQ(big.value().size(), 1000u);
}

// cat and merge outputs are bounded.
TEST(JsonLogicLimits, OutputSize) {
  const std::string half = std::string(600 * 1024, 'x');
  Value data = Value::object();
  data.set("s", Value::string(half));
  data.set("a", Value::array(std::vector<Value>(60000, Value::number(1))));
  auto cat = Rule::compile(parse(R"({"cat":[{"var":"s"},{"var":"s"}]})"));
  ASSERT_TRUE(cat.is_ok());
  auto cat_result = cat.value().evaluate(data, cabine::testing::rule_host());
  EXPECT_EQ(cat_result.code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(cat_result.status().message().find("cat result longer than 1048576 bytes"), std::string::npos);
  auto merge = Rule::compile(parse(R"({"merge":[{"var":"a"},{"var":"a"}]})"));
  ASSERT_TRUE(merge.is_ok());
  auto merge_result = merge.value().evaluate(data, cabine::testing::rule_host());
  EXPECT_EQ(merge_result.code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(merge_result.status().message().find("longer than 100000 elements"), std::string::npos);
  auto one = Rule::compile(parse(R"({"merge":[{"var":"a"},{"cat":[{"var":"s"}]}]})"));
  ASSERT_TRUE(one.is_ok());
  auto fine = one.value().evaluate(data, cabine::testing::rule_host());
  ASSERT_TRUE(fine.is_ok()) << fine.status().to_string();
  EXPECT_EQ(fine.value().size(), 60001u);
}

}  // namespace
