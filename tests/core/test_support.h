// Test support shared by the rule, profile and suite tests: the RuleHost the
// tests use and reading the workplace's shared conformance suites.
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "cabine/rule_host.h"
#include "cabine/status.h"


namespace cabine::testing {

// The RuleHost the tests use: JavaScript's own String() and RegExp under node
// (as in the browser module), NativeRuleHost natively. Defined in test_support.cc.
const RuleHost& rule_host();

// ../shared/<relative> next to the repository, or nullopt when this checkout is
// outside the workplace (the caller then skips with the reason).
inline std::string shared_path(const std::string& relative) {
  return std::string(CABINE_SOURCE_DIR) + "/../shared/" + relative;
}
inline std::optional<std::string> read_shared_file(const std::string& relative) {
  std::ifstream in(shared_path(relative), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace cabine::testing
