// Rule audiences: the model team's named JsonLogic or GrowthBook rules over the
// visitor's declared attributes and derived features, compiled once when the
// model loads and all evaluated in one call.
//
// The audiences spec is JSON (docs/audiences.md); model-export validates it
// and stores it in the model's audiences section:
//   {
//     "profile": {"half_life_days": 30,
//                 "weights": {"view": 1, "add_to_cart": 3, "purchase": 5, "return": -5}},
//     "saved_groups": {"staff": ["u1", "u2"]},          // GrowthBook $inGroup lists
//     "audiences": [
//       {"id": "dress_lovers", "description": "Likes dresses",
//        "jsonlogic": {">": [{"var": "features.category_affinity.dresses"}, 3]}},
//       {"id": "fr_gold", "growthbook": {"country": "FR", "tier": "gold"}}
//     ]
//   }
// Rules read the declared attributes at the top level and the derived features
// under "features" (`rule_data`).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cabine/json.h"
#include "cabine/profile.h"
#include "cabine/rule_host.h"
#include "cabine/status.h"

namespace cabine {

enum class RuleLanguage : std::uint8_t { kJsonLogic, kGrowthBook };

// "jsonlogic" or "growthbook".
std::string_view rule_language_name(RuleLanguage language) noexcept;
// Parses "jsonlogic" / "growthbook"; kInvalidArgument otherwise.
Result<RuleLanguage> rule_language_from_name(std::string_view name);

// Limits on rules (docs/audiences.md).
inline constexpr std::size_t kMaxRuleBytes = 1 << 20;           // one rule as JSON text
inline constexpr std::size_t kMaxRuleDataBytes = 8 << 20;       // data given to evaluate_rule
inline constexpr std::size_t kMaxAudiencesBytes = 4 << 20;      // a whole audiences spec
inline constexpr std::size_t kMaxAudiences = 1000;
inline constexpr std::size_t kMaxRuleDepth = 64;
inline constexpr std::size_t kMaxArrayLength = 100000;
inline const json::ParseLimits kRuleParseLimits{kMaxRuleBytes, kMaxRuleDepth, kMaxArrayLength};

// A compiled rule in either language.
class CompiledRule {
 public:
  CompiledRule(CompiledRule&&) noexcept;
  CompiledRule& operator=(CompiledRule&&) noexcept;
  ~CompiledRule();

  // kInvalidRule naming the path of the offending node, kLimitExceeded.
  static Result<CompiledRule> compile(RuleLanguage language, const json::Value& rule);

  // The rule's value (JsonLogic) or its truth (GrowthBook, as a boolean).
  // `saved_groups` (an object or null) serves GrowthBook's $inGroup.
  Result<json::Value> evaluate(const json::Value& data, const json::Value& saved_groups, const RuleHost& host,
                               double now_ms) const;
  // Whether the rule holds: JsonLogic truthiness, or the GrowthBook condition.
  Result<bool> matches(const json::Value& data, const json::Value& saved_groups, const RuleHost& host, double now_ms) const;

  RuleLanguage language() const noexcept { return language_; }

 private:
  struct Impl;
  explicit CompiledRule(std::unique_ptr<Impl> impl, RuleLanguage language);
  std::unique_ptr<Impl> impl_;
  RuleLanguage language_;
};

// Parses and evaluates one rule given as text, for QA and the conformance
// suites: both texts are checked against the limits above first.
Result<json::Value> evaluate_rule_text(RuleLanguage language, std::string_view rule, std::string_view data,
                                       std::string_view saved_groups, const RuleHost& host, double now_ms);

struct AudienceMatch {
  std::string id;
  bool matched = false;
  std::string reason;  // which conditions held or failed, or the evaluation error
};

class AudienceSet {
 public:
  AudienceSet();
  AudienceSet(AudienceSet&&) noexcept;
  AudienceSet& operator=(AudienceSet&&) noexcept;
  ~AudienceSet();

  // Validates and compiles a spec. Errors name the audience and the path:
  // `audience "fr_gold": unknown operator "$foo" at /audiences/1/growthbook/$foo`.
  static Result<AudienceSet> compile(std::string_view spec_text);

  const ProfileConfig& profile_config() const noexcept { return profile_; }
  const json::Value& saved_groups() const noexcept { return saved_groups_; }
  std::size_t size() const noexcept;
  // The spec as compact JSON, as it is stored in the model.
  const std::string& spec() const noexcept { return spec_; }

  // Every audience against `data` (see rule_data), in spec order.
  std::vector<AudienceMatch> match(const json::Value& data, const RuleHost& host, double now_ms) const;

 private:
  struct Audience;
  std::string spec_;
  ProfileConfig profile_;
  json::Value saved_groups_;
  std::vector<Audience> audiences_;
};

// What rules see: the declared attributes, plus the derived features at now_ms
// under "features".
json::Value rule_data(const Profile& profile, double now_ms, const ProfileConfig& config);

}  // namespace cabine
