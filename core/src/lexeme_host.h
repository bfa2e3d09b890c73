// The RuleHost for writing values that arrived as text (audience and decision
// specs, profile attributes): every number keeps its lexeme, so this host is
// never asked to format one, and it runs no regex.
#pragma once

#include <string>
#include <string_view>

#include "cabine/rule_host.h"

namespace cabine::internal {

class LexemeOnlyHost final : public RuleHost {
 public:
  std::string number_to_string(double) const override { return "null"; }
  Result<bool> regex_test(std::string_view, std::string_view, std::string_view) const override { return false; }
};

}  // namespace cabine::internal
