#include "cabine/audiences.h"

#include <cmath>
#include <variant>

#include "cabine/growthbook.h"
#include "cabine/jsonlogic.h"
#include "byte_io.h"
#include "lexeme_host.h"

namespace cabine {

using internal::cat;  // messages: one out-of-line concatenation (byte_io.h)

namespace {

using internal::LexemeOnlyHost;

std::string clipped_text(const json::Value& v) {
  std::string text = json::write(v, LexemeOnlyHost());
  if (text.size() > 160) text = cat({text.substr(0, 157), "..."});
  return text;
}

Status spec_error(const std::string& message) { return Status(ErrorCode::kInvalidRule, cat({"audiences: ", message})); }

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.')) return false;
  return true;
}

}  // namespace

std::string_view rule_language_name(RuleLanguage language) noexcept {
  return language == RuleLanguage::kGrowthBook ? "growthbook" : "jsonlogic";
}

Result<RuleLanguage> rule_language_from_name(std::string_view name) {
  if (name == "jsonlogic") return RuleLanguage::kJsonLogic;
  if (name == "growthbook") return RuleLanguage::kGrowthBook;
  return Status(ErrorCode::kInvalidArgument, cat({"rule language must be \"jsonlogic\" or \"growthbook\", not \"", name, "\""}));
}

struct CompiledRule::Impl {
  std::variant<jsonlogic::Rule, growthbook::Condition> rule;
};

CompiledRule::CompiledRule(std::unique_ptr<Impl> impl, RuleLanguage language) : impl_(std::move(impl)), language_(language) {}
CompiledRule::CompiledRule(CompiledRule&&) noexcept = default;
CompiledRule& CompiledRule::operator=(CompiledRule&&) noexcept = default;
CompiledRule::~CompiledRule() = default;

Result<CompiledRule> CompiledRule::compile(RuleLanguage language, const json::Value& rule) {
  if (language == RuleLanguage::kJsonLogic) {
    Result<jsonlogic::Rule> r = jsonlogic::Rule::compile(rule);
    if (!r.is_ok()) return r.status();
    return CompiledRule(std::make_unique<Impl>(Impl{std::move(r).value()}), language);
  }
  Result<growthbook::Condition> c = growthbook::Condition::compile(rule);
  if (!c.is_ok()) return c.status();
  return CompiledRule(std::make_unique<Impl>(Impl{std::move(c).value()}), language);
}

Result<json::Value> CompiledRule::evaluate(const json::Value& data, const json::Value& saved_groups, const RuleHost& host,
                                           double now_ms) const {
  if (const auto* logic = std::get_if<jsonlogic::Rule>(&impl_->rule)) {
    jsonlogic::EvalContext context;
    context.now_ms = now_ms;
    return logic->evaluate(data, host, context);
  }
  Result<bool> holds = std::get<growthbook::Condition>(impl_->rule).evaluate(data, saved_groups, host);
  if (!holds.is_ok()) return holds.status();
  return json::Value::boolean(holds.value());
}

Result<bool> CompiledRule::matches(const json::Value& data, const json::Value& saved_groups, const RuleHost& host, double now_ms) const {
  Result<json::Value> v = evaluate(data, saved_groups, host, now_ms);
  if (!v.is_ok()) return v.status();
  return jsonlogic::truthy(v.value());
}

Result<json::Value> evaluate_rule_text(RuleLanguage language, std::string_view rule, std::string_view data,
                                       std::string_view saved_groups, const RuleHost& host, double now_ms) {
  Result<json::Value> parsed_rule = json::parse(rule, kRuleParseLimits, "rule");
  if (!parsed_rule.is_ok()) return parsed_rule.status();
  Result<json::Value> parsed_data =
      json::parse(data.empty() ? std::string_view("null") : data, {kMaxRuleDataBytes, kMaxRuleDepth, kMaxArrayLength}, "data");
  if (!parsed_data.is_ok()) return parsed_data.status();
  Result<json::Value> groups =
      json::parse(saved_groups.empty() ? std::string_view("null") : saved_groups, {kMaxRuleDataBytes, kMaxRuleDepth, kMaxArrayLength}, "saved groups");
  if (!groups.is_ok()) return groups.status();
  if (!groups.value().is_null() && !groups.value().is_object())
    return Status(ErrorCode::kInvalidArgument, "saved groups must be an object of arrays");
  Result<CompiledRule> compiled = CompiledRule::compile(language, parsed_rule.value());
  if (!compiled.is_ok()) return compiled.status();
  return compiled.value().evaluate(parsed_data.value(), groups.value(), host, now_ms);
}

struct AudienceSet::Audience {
  std::string id;
  std::string description;
  CompiledRule rule;
  // A top-level "and" (JsonLogic), "$and" or several fields (GrowthBook) is
  // also compiled clause by clause, so a miss can name the clause that failed.
  struct Clause {
    std::string path;
    std::string text;
    CompiledRule rule;
  };
  std::vector<Clause> clauses;
};

AudienceSet::AudienceSet() = default;
AudienceSet::AudienceSet(AudienceSet&&) noexcept = default;
AudienceSet& AudienceSet::operator=(AudienceSet&&) noexcept = default;
AudienceSet::~AudienceSet() = default;
std::size_t AudienceSet::size() const noexcept { return audiences_.size(); }

Result<AudienceSet> AudienceSet::compile(std::string_view spec_text) {
  Result<json::Value> parsed = json::parse(spec_text, {kMaxAudiencesBytes, kMaxRuleDepth + 4, kMaxArrayLength}, "audiences");
  if (!parsed.is_ok()) return parsed.status();
  const json::Value& spec = parsed.value();
  if (!spec.is_object()) return spec_error("the spec must be a JSON object");
  for (const std::string& key : spec.keys())
    if (key != "profile" && key != "saved_groups" && key != "audiences" && key != "$comment")
      return spec_error(cat({"unknown key \"", key, "\" (expected profile, saved_groups, audiences)"}));
  AudienceSet set;
  if (const json::Value* profile = spec.find("profile")) {
    if (!profile->is_object()) return spec_error("\"profile\" must be an object");
    for (std::size_t i = 0; i < profile->size(); ++i) {
      const std::string& key = profile->keys()[i];
      const json::Value& v = profile->items()[i];
      if (key == "half_life_days") {
        if (!v.is_number() || !(v.as_number() > 0) || v.as_number() > 3650)
          return spec_error("profile.half_life_days must be a number of days in (0, 3650]");
        set.profile_.half_life_days = v.as_number();
      } else if (key == "weights") {
        if (!v.is_object()) return spec_error("profile.weights must be an object");
        for (std::size_t w = 0; w < v.size(); ++w) {
          const std::string& name = v.keys()[w];
          const json::Value& weight = v.items()[w];
          double* target = name == "view"          ? &set.profile_.weight_view
                           : name == "add_to_cart" ? &set.profile_.weight_add_to_cart
                           : name == "purchase"    ? &set.profile_.weight_purchase
                           : name == "return"      ? &set.profile_.weight_return
                                                   : nullptr;
          if (target == nullptr) return spec_error(cat({"profile.weights.", name, " is not an event with a weight (view, add_to_cart, purchase, return)"}));
          if (!weight.is_number() || std::fabs(weight.as_number()) > 1000)
            return spec_error(cat({"profile.weights.", name, " must be a number in [-1000, 1000]"}));
          *target = weight.as_number();
        }
      } else {
        return spec_error(cat({"unknown key profile.", key, " (expected half_life_days, weights)"}));
      }
    }
  }
  if (const json::Value* groups = spec.find("saved_groups")) {
    if (!groups->is_object()) return spec_error("\"saved_groups\" must be an object of arrays");
    for (std::size_t i = 0; i < groups->size(); ++i)
      if (!groups->items()[i].is_array()) return spec_error(cat({"saved_groups.", groups->keys()[i], " must be an array"}));
    set.saved_groups_ = *groups;
  }
  const json::Value* audiences = spec.find("audiences");
  if (audiences == nullptr || !audiences->is_array()) return spec_error("\"audiences\" must be an array");
  if (audiences->size() > kMaxAudiences) return Status(ErrorCode::kLimitExceeded, "audiences: more than 1000 audiences");
  for (std::size_t i = 0; i < audiences->size(); ++i) {
    const json::Value& a = audiences->items()[i];
    const std::string at = json::pointer_append("/audiences", i);
    if (!a.is_object()) return spec_error(cat({"entry ", at, " must be an object"}));
    const json::Value* id = a.find("id");
    if (id == nullptr || !valid_id(id->as_string()))
      return spec_error(cat({"entry ", at, " needs an \"id\" of 1 to 64 letters, digits, '_', '-' or '.'"}));
    const std::string name = cat({"audience \"", id->as_string(), "\": "});
    for (const auto& other : set.audiences_)
      if (other.id == id->as_string()) return spec_error(cat({name, "the id is used twice"}));
    const json::Value* description = a.find("description");
    if (description != nullptr && (!description->is_string() || description->as_string().size() > 200))
      return spec_error(cat({name, "\"description\" must be a string of at most 200 bytes"}));
    const json::Value* logic = a.find("jsonlogic");
    const json::Value* growth = a.find("growthbook");
    for (const std::string& key : a.keys())
      if (key != "id" && key != "description" && key != "jsonlogic" && key != "growthbook")
        return spec_error(cat({name, "unknown key \"", key, "\" (expected id, description, jsonlogic or growthbook)"}));
    if ((logic == nullptr) == (growth == nullptr)) return spec_error(cat({name, "give exactly one of \"jsonlogic\" and \"growthbook\""}));
    const RuleLanguage language = logic ? RuleLanguage::kJsonLogic : RuleLanguage::kGrowthBook;
    const json::Value& rule = logic ? *logic : *growth;
    const std::string rule_path = at + (logic ? "/jsonlogic" : "/growthbook");
    Result<CompiledRule> compiled = CompiledRule::compile(language, rule);
    if (!compiled.is_ok())
      return Status(compiled.code(), cat({"audiences: ", name, compiled.status().message(), " (rule at ", rule_path, ")"}));
    Audience audience{id->as_string(), description ? description->as_string() : std::string(), std::move(compiled).value(), {}};
    // Clauses for reasons.
    const json::Value* and_list = nullptr;
    if (rule.is_object() && rule.size() == 1) and_list = language == RuleLanguage::kJsonLogic ? rule.find("and") : rule.find("$and");
    if (and_list != nullptr && and_list->is_array()) {
      for (std::size_t k = 0; k < and_list->size(); ++k) {
        Result<CompiledRule> clause = CompiledRule::compile(language, and_list->items()[k]);
        if (clause.is_ok())
          audience.clauses.push_back({json::pointer_append(language == RuleLanguage::kJsonLogic ? "/and" : "/$and", k),
                                      clipped_text(and_list->items()[k]), std::move(clause).value()});
      }
    } else if (language == RuleLanguage::kGrowthBook && rule.is_object() && rule.size() > 1) {
      for (std::size_t k = 0; k < rule.size(); ++k) {
        json::Value single = json::Value::object();
        single.set(rule.keys()[k], rule.items()[k]);
        Result<CompiledRule> clause = CompiledRule::compile(language, single);
        if (clause.is_ok())
          audience.clauses.push_back({json::pointer_append("", rule.keys()[k]), clipped_text(single), std::move(clause).value()});
      }
    }
    set.audiences_.push_back(std::move(audience));
  }
  set.spec_ = json::write(spec, LexemeOnlyHost());
  return set;
}

std::vector<AudienceMatch> AudienceSet::match(const json::Value& data, const RuleHost& host, double now_ms) const {
  std::vector<AudienceMatch> out;
  out.reserve(audiences_.size());
  for (const Audience& audience : audiences_) {
    const Audience* a = &audience;
    AudienceMatch m{a->id, false, {}};
    Result<bool> holds = a->rule.matches(data, saved_groups_, host, now_ms);
    if (!holds.is_ok()) {
      m.reason = cat({"not matched: the rule could not be evaluated: ", holds.status().to_string()});
    } else if (holds.value()) {
      m.matched = true;
      m.reason = cat({"matched: ", (a->description.empty() ? std::string("the rule holds") : a->description)});
      if (!a->clauses.empty()) m.reason += cat({" (all ", json::integer_to_string(static_cast<double>(a->clauses.size())), " conditions hold)"});
    } else {
      m.reason = "not matched: the rule does not hold";
      for (const auto& clause : a->clauses) {
        Result<bool> part = clause.rule.matches(data, saved_groups_, host, now_ms);
        if (part.is_ok() && !part.value()) {
          m.reason = cat({"not matched: condition ", clause.path, " does not hold: ", clause.text});
          break;
        }
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

json::Value rule_data(const Profile& profile, double now_ms, const ProfileConfig& config) {
  json::Value data = profile.attributes();
  data.set("features", profile.derive_features(now_ms, config));
  return data;
}

}  // namespace cabine
