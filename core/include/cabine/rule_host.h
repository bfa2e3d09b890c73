// RuleHost: the two things rule evaluation borrows from its host.
//
// JsonLogic and GrowthBook conditions are JavaScript languages: `cat` turns a
// number into text the way String(number) does, and `$regex` is an ECMAScript
// RegExp. The browser already has both, exactly, for free; a C++ copy of each
// would cost several KB of wasm. So the core asks its host:
//   - wasm/bindings.cc implements RuleHost with the page's own String() and RegExp;
//   - NativeRuleHost (native builds: model-export and the tests) implements it with
//     printf-style shortest round-trip formatting and std::regex (ECMAScript grammar).
// Integral numbers below 2^53 never reach the host (json::integer_to_string).
#pragma once

#include <string>
#include <string_view>

#include "cabine/status.h"

namespace cabine {

class RuleHost {
 public:
  virtual ~RuleHost() = default;
  // JavaScript's String(n) for any double ("0.1", "1e+21", "NaN", "-Infinity").
  virtual std::string number_to_string(double n) const = 0;
  // new RegExp(pattern, flags).test(subject). A pattern the host cannot compile
  // gives kInvalidRule with the host's message.
  virtual Result<bool> regex_test(std::string_view pattern, std::string_view flags, std::string_view subject) const = 0;
};

#ifndef __EMSCRIPTEN__
// The native host. Regexes use std::regex's ECMAScript grammar, which covers
// the syntax rules use (classes, anchors, groups, alternation, quantifiers);
// flags "i" is honoured, others are ignored. Compiled patterns are cached.
class NativeRuleHost final : public RuleHost {
 public:
  NativeRuleHost();
  ~NativeRuleHost() override;
  NativeRuleHost(const NativeRuleHost&) = delete;
  NativeRuleHost& operator=(const NativeRuleHost&) = delete;
  std::string number_to_string(double n) const override;
  Result<bool> regex_test(std::string_view pattern, std::string_view flags, std::string_view subject) const override;

 private:
  struct Cache;
  Cache* cache_;
};
#endif

// JavaScript's Number::toString(10) given the shortest round-trip digits of a
// finite, non-zero |n|: `digits` ("15") and the decimal exponent `point` such
// that |n| = 0.digits × 10^point. Shared by NativeRuleHost and the tests.
std::string js_number_format(bool negative, std::string_view digits, int point);

}  // namespace cabine
