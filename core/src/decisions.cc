#include "cabine/decisions.h"

#include <cmath>
#include <optional>

#include "cabine/growthbook.h"
#include "cabine/profile.h"
#include "byte_io.h"
#include "lexeme_host.h"

namespace cabine {

using internal::cat;  // messages: one out-of-line concatenation (byte_io.h)

namespace {

using internal::LexemeOnlyHost;

Status spec_error(const std::string& message) { return Status(ErrorCode::kInvalidRule, cat({"decisions: ", message})); }

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.')) return false;
  return true;
}

// A number for reason texts: three decimals, as JavaScript would print it.
std::string short_number(double v, const RuleHost& host) {
  const double r = std::round(v * 1000) / 1000;
  const std::string i = json::integer_to_string(r);
  return i.empty() ? host.number_to_string(r) : i;
}

// Reads a number member in [lo, hi]; absent keeps `out`.
bool number_in(const json::Value& object, const char* key, double lo, double hi, double& out) {
  const json::Value* v = object.find(key);
  if (v == nullptr) return true;
  if (!v->is_number() || !(v->as_number() >= lo && v->as_number() <= hi)) return false;
  out = v->as_number();
  return true;
}

}  // namespace

struct DecisionSet::Slot {
  std::string id;
  struct Entry {
    Candidate candidate;
    std::optional<CompiledRule> rule;
  };
  std::vector<Entry> entries;
};

DecisionSet::DecisionSet() = default;
DecisionSet::DecisionSet(DecisionSet&&) noexcept = default;
DecisionSet& DecisionSet::operator=(DecisionSet&&) noexcept = default;
DecisionSet::~DecisionSet() = default;

std::vector<std::string> DecisionSet::slot_ids() const {
  std::vector<std::string> out;
  for (const Slot& s : slots_) out.push_back(s.id);
  return out;
}

Result<DecisionSet> DecisionSet::compile(std::string_view spec_text) {
  Result<json::Value> parsed = json::parse(spec_text, {kMaxAudiencesBytes, kMaxRuleDepth + 6, kMaxArrayLength}, "decisions");
  if (!parsed.is_ok()) return parsed.status();
  const json::Value& spec = parsed.value();
  if (!spec.is_object()) return spec_error("the spec must be a JSON object");
  for (const std::string& key : spec.keys())
    if (key != "holdout" && key != "slots" && key != "$comment") return spec_error(cat({"unknown key \"", key, "\" (expected holdout, slots)"}));
  DecisionSet set;
  set.holdout_seed_ = "cabine-holdout";
  if (const json::Value* holdout = spec.find("holdout")) {
    if (!holdout->is_object()) return spec_error("\"holdout\" must be an object like {\"share\": 0.05, \"seed\": \"...\"}");
    for (const std::string& key : holdout->keys())
      if (key != "share" && key != "seed") return spec_error(cat({"unknown key holdout.", key, " (expected share, seed)"}));
    if (!number_in(*holdout, "share", 0, 0.5, set.holdout_share_)) return spec_error("holdout.share must be a number from 0 to 0.5");
    if (const json::Value* seed = holdout->find("seed")) {
      if (!seed->is_string() || seed->as_string().empty() || seed->as_string().size() > 64)
        return spec_error("holdout.seed must be a string of 1 to 64 bytes");
      set.holdout_seed_ = seed->as_string();
    }
  }
  const json::Value* slots = spec.find("slots");
  if (slots == nullptr || !slots->is_array()) return spec_error("\"slots\" must be an array");
  if (slots->size() > 100) return Status(ErrorCode::kLimitExceeded, "decisions: more than 100 slots");
  for (std::size_t i = 0; i < slots->size(); ++i) {
    const json::Value& s = slots->items()[i];
    const std::string at = json::pointer_append("/slots", i);
    const json::Value* id = s.is_object() ? s.find("id") : nullptr;
    if (id == nullptr || !valid_id(id->as_string()))
      return spec_error(cat({"slot ", at, " needs an \"id\" of 1 to 64 letters, digits, '_', '-' or '.'"}));
    const std::string slot_name = cat({"slot \"", id->as_string(), "\": "});
    for (const Slot& seen : set.slots_)
      if (seen.id == id->as_string()) return spec_error(cat({slot_name, "the id is used twice"}));
    for (const std::string& key : s.keys())
      if (key != "id" && key != "contents" && key != "description") return spec_error(cat({slot_name, "unknown key \"", key, "\" (expected id, description, contents)"}));
    const json::Value* contents = s.find("contents");
    if (contents == nullptr || !contents->is_array() || contents->size() == 0 || contents->size() > 100)
      return spec_error(cat({slot_name, "\"contents\" must be an array of 1 to 100 candidates"}));
    Slot slot{id->as_string(), {}};
    for (std::size_t k = 0; k < contents->size(); ++k) {
      const json::Value& c = contents->items()[k];
      const std::string content_at = at + json::pointer_append("/contents", k);
      const json::Value* cid = c.is_object() ? c.find("id") : nullptr;
      if (cid == nullptr || !valid_id(cid->as_string()))
        return spec_error(cat({slot_name, "content ", content_at, " needs an \"id\" of 1 to 64 letters, digits, '_', '-' or '.'"}));
      const std::string name = cat({slot_name, "content \"", cid->as_string(), "\": "});
      for (const Slot::Entry& seen : slot.entries)
        if (seen.candidate.id == cid->as_string()) return spec_error(cat({name, "the id is used twice in the slot"}));
      Slot::Entry entry;
      entry.candidate.id = cid->as_string();
      for (const std::string& key : c.keys())
        if (key != "id" && key != "priority" && key != "incentive" && key != "cap" && key != "jsonlogic" && key != "growthbook" && key != "description")
          return spec_error(cat({name, "unknown key \"", key, "\" (expected id, description, priority, incentive, cap, jsonlogic or growthbook)"}));
      if (!number_in(c, "priority", -1e6, 1e6, entry.candidate.priority)) return spec_error(cat({name, "priority must be a number from -1e6 to 1e6"}));
      if (const json::Value* incentive = c.find("incentive")) {
        const json::Value* model = incentive->is_object() ? incentive->find("uplift_model") : nullptr;
        if (model == nullptr || !model->is_string() || model->as_string().empty())
          return spec_error(cat({name, "incentive needs \"uplift_model\" (the uplift model that predicts its effect), \"cost\" and \"value\""}));
        for (const std::string& key : incentive->keys())
          if (key != "uplift_model" && key != "cost" && key != "value") return spec_error(cat({name, "unknown key incentive.", key, " (expected uplift_model, cost, value)"}));
        entry.candidate.incentive = true;
        entry.candidate.uplift_model = model->as_string();
        if (incentive->find("cost") == nullptr || incentive->find("value") == nullptr ||
            !number_in(*incentive, "cost", 0, 1e9, entry.candidate.cost) || !number_in(*incentive, "value", 0, 1e9, entry.candidate.value))
          return spec_error(cat({name, "incentive.cost and incentive.value must be numbers from 0 to 1e9"}));
      }
      if (const json::Value* cap = c.find("cap")) {
        double max = 0, days = 0;
        if (!cap->is_object() || cap->size() != 2 || !number_in(*cap, "max", 1, static_cast<double>(kMaxRendersPerContent), max) ||
            !number_in(*cap, "days", 0.001, 365, days) || max != std::floor(max) || cap->find("max") == nullptr || cap->find("days") == nullptr)
          return spec_error(cat({name, "cap must be {\"max\": renders (1 to 32), \"days\": a period (up to 365)}"}));
        entry.candidate.cap_max = static_cast<int>(max);
        entry.candidate.cap_days = days;
      }
      const json::Value* logic = c.find("jsonlogic");
      const json::Value* growth = c.find("growthbook");
      if (logic != nullptr && growth != nullptr) return spec_error(cat({name, "give at most one of \"jsonlogic\" and \"growthbook\""}));
      if (logic != nullptr || growth != nullptr) {
        const RuleLanguage language = logic ? RuleLanguage::kJsonLogic : RuleLanguage::kGrowthBook;
        Result<CompiledRule> rule = CompiledRule::compile(language, logic ? *logic : *growth);
        if (!rule.is_ok())
          return Status(rule.code(), cat({"decisions: ", name, rule.status().message(), " (rule at ", content_at, (logic ? "/jsonlogic)" : "/growthbook)")}));
        entry.rule = std::move(rule).value();
        entry.candidate.has_rule = true;
        entry.candidate.rule_text = json::write(logic ? *logic : *growth, LexemeOnlyHost());
        if (entry.candidate.rule_text.size() > 120) entry.candidate.rule_text = cat({entry.candidate.rule_text.substr(0, 117), "..."});
      }
      slot.entries.push_back(std::move(entry));
    }
    set.slots_.push_back(std::move(slot));
  }
  set.spec_ = json::write(spec, LexemeOnlyHost());
  return set;
}

std::vector<std::pair<std::string, std::vector<std::string>>> DecisionSet::slot_contents() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const Slot& slot : slots_) {
    std::vector<std::string> ids;
    for (const Slot::Entry& e : slot.entries) ids.push_back(e.candidate.id);
    out.emplace_back(slot.id, std::move(ids));
  }
  return out;
}

bool DecisionSet::in_holdout(std::string_view visitor_id) const {
  if (visitor_id.empty() || holdout_share_ <= 0) return false;
  const std::optional<double> n = growthbook::hash(holdout_seed_, visitor_id, 2);
  return n.has_value() && *n < holdout_share_;
}

Result<Decision> DecisionSet::decide(std::string_view slot_id, const Context& context, const RuleHost& host) const {
  const Slot* slot = nullptr;
  for (const Slot& s : slots_)
    if (s.id == slot_id) slot = &s;
  if (slot == nullptr) return Status(ErrorCode::kInvalidArgument, cat({"no slot \"", slot_id, "\" in the model's decisions"}));
  static const json::Value kNoGroups;
  Decision d;
  d.slot = slot->id;
  d.holdout = in_holdout(context.visitor_id);
  if (context.scores) d.scores = *context.scores;
  if (context.audiences) d.audiences = *context.audiences;
  const Slot::Entry* best = nullptr;
  std::vector<std::string> passed_over;
  for (const Slot::Entry& e : slot->entries) {
    const Candidate& c = e.candidate;
    std::string why;
    double gain = 0;
    if (e.rule) {
      Result<bool> holds = e.rule->matches(*context.data, context.saved_groups ? *context.saved_groups : kNoGroups, host, context.now_ms);
      if (!holds.is_ok()) why = cat({"its rule could not be evaluated (", holds.status().to_string(), ")"});
      else if (!holds.value()) why = cat({"its rule does not hold: ", c.rule_text});
    }
    if (why.empty() && c.cap_max > 0 && context.profile != nullptr) {
      const int n = context.profile->renders_within(c.id, c.cap_days, context.now_ms);
      if (n >= c.cap_max)
        why = cat({"capped: rendered ", json::integer_to_string(n), " times in ", short_number(c.cap_days, host), " days"});
    }
    if (why.empty() && c.incentive) {
      const UpliftEstimate* u = nullptr;
      if (context.scores)
        for (const UpliftEstimate& estimate : context.scores->uplift)
          if (estimate.name == c.uplift_model) u = &estimate;
      if (d.holdout) {
        why = "an incentive, and the visitor is in the holdout";
      } else if (u == nullptr) {
        why = cat({"the model has no uplift model \"", c.uplift_model, "\""});
      } else {
        gain = u->uplift * c.value - c.cost;
        const std::string sum = cat({"uplift ", short_number(u->uplift, host), " x value ", short_number(c.value, host), " - cost ", short_number(c.cost, host), " = ", short_number(gain, host)});
        if (u->quadrant != "persuadable") why = cat({"an incentive, and the visitor is a ", u->quadrant, " (", sum, ")"});
        else if (!(gain > 0)) why = cat({"not worth it for a persuadable (", sum, ")"});
      }
    }
    if (!why.empty()) {
      if (passed_over.size() < 3) passed_over.push_back(cat({c.id, ": ", why}));
      continue;
    }
    if (best == nullptr || c.priority > best->candidate.priority) {
      best = &e;
      d.expected_gain = gain;
    }
  }
  // The reason: what was chosen and what drove it.
  std::string reason;
  if (best == nullptr) {
    reason = "no eligible content";
  } else {
    d.content = best->candidate.id;
    reason = cat({"\"", d.content, "\" (priority ", short_number(best->candidate.priority, host), ")"});
    if (best->candidate.incentive) reason += cat({", an incentive worth it here: expected gain ", short_number(d.expected_gain, host)});
  }
  if (d.holdout) reason += cat({"; the visitor is in the ", short_number(holdout_share_ * 100, host), " % holdout and gets the control"});
  if (!d.audiences.empty()) {
    reason += "; audiences: ";
    for (std::size_t i = 0; i < d.audiences.size(); ++i) reason += (i ? ", " : "") + d.audiences[i];
  }
  if (!d.scores.segment.empty()) reason += cat({"; segment ", d.scores.segment});
  for (const auto& [name, p] : d.scores.propensity) reason += cat({"; P(", name, ") ", short_number(p, host)});
  for (const UpliftEstimate& u : d.scores.uplift) reason += cat({"; uplift ", u.name, " ", short_number(u.uplift, host), " (", u.quadrant, ")"});
  for (const std::string& p : passed_over) reason += cat({"; passed over ", p});
  d.reason = std::move(reason);
  // The exposure record the page emits once the slot has rendered.
  std::string x = "{\"slot\":";
  json::append_quoted(x, d.slot);
  x += ",\"content\":";
  if (d.content.empty()) x += "null";
  else json::append_quoted(x, d.content);
  x += ",\"assignment\":";
  x += d.holdout ? "\"holdout\"" : "\"treatment\"";
  x += ",\"visitorId\":";
  json::append_quoted(x, context.visitor_id);
  x += ",\"modelId\":";
  json::append_quoted(x, context.model_id);
  x += cat({",\"decidedAt\":", json::integer_to_string(std::round(context.now_ms)), "}"});
  d.exposure = std::move(x);
  return d;
}

}  // namespace cabine
