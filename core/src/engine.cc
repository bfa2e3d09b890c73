#include "cabine/engine.h"

#include <utility>

#include "js_semantics.h"

namespace cabine {

Status Engine::load_model(std::span<const std::uint8_t> bytes) {
  Result<Model> parsed = parse_model(bytes);
  if (!parsed.is_ok()) return parsed.status();
  // Only a fully validated model replaces the one in service.
  model_ = std::make_unique<const Model>(std::move(parsed).value());
  return Status::ok();
}

Result<ModelInfo> Engine::model_info() const {
  if (!model_) return Status(ErrorCode::kNoModel, "no model is loaded; call loadModel first");
  return model_->info;
}

Result<FitRecommendation> Engine::recommend_size(const FitRequest& request) const {
  if (!model_) return Status(ErrorCode::kNoModel, "no model is loaded; call loadModel first");
  if (!model_->fit) return Status(ErrorCode::kNoFitModel, "the model '" + model_->info.header.model_id + "' has no fit section");
  return cabine::recommend_size(*model_->fit, request);
}

const ProfileConfig& Engine::profile_config() const noexcept {
  return model_ && model_->audiences ? model_->audiences->profile_config() : default_profile_config_;
}

Status Engine::track(std::string_view event_json) {
  Result<json::Value> parsed = json::parse(event_json, {.max_bytes = 16 * 1024, .max_depth = 4, .max_elements = 64}, "event");
  if (!parsed.is_ok()) return parsed.status();
  Result<Event> event = event_from_json(parsed.value());
  if (!event.is_ok()) return event.status();
  profile_.track(event.value(), profile_config());
  return Status::ok();
}

Status Engine::load_profile(std::string_view text) {
  Result<Profile> loaded = Profile::load(text);
  if (!loaded.is_ok()) {
    profile_.forget();
    return loaded.status();
  }
  profile_ = std::move(loaded).value();
  return Status::ok();
}

json::Value Engine::rule_data_at(double now_ms) const { return rule_data(profile_, now_ms, profile_config()); }

Result<std::vector<AudienceMatch>> Engine::match_audiences(double now_ms, const RuleHost& host) const {
  return match_audiences(rule_data_at(now_ms), now_ms, host);
}

Result<std::vector<AudienceMatch>> Engine::match_audiences(const json::Value& data, double now_ms, const RuleHost& host) const {
  if (!model_) return Status(ErrorCode::kNoModel, "no model is loaded; call loadModel first");
  if (!model_->audiences) return std::vector<AudienceMatch>();
  return model_->audiences->match(data, host, now_ms);
}

ModelScores score_learned(const LearnedModels& models, const json::Value& data) {
  ModelScores out;
  LearnedScores s = models.score(data);
  for (PropensityScore& p : s.propensity) out.propensity.emplace_back(std::move(p.name), p.p);
  for (UpliftScore& u : s.uplift)
    out.uplift.push_back({std::move(u.name), u.p_treated, u.p_control, u.uplift, std::string(quadrant_name(u.quadrant))});
  if (s.segment) {
    out.segment = std::move(s.segment->name);
    out.segment_confidence = s.segment->confidence;
  }
  return out;
}

Result<json::Value> Engine::model_contents(std::size_t max_products) const {
  if (!model_) return Status(ErrorCode::kNoModel, "no model is loaded; call loadModel first");
  json::Value out = json::Value::object();
  json::Value products = json::Value::array();
  std::size_t count = 0;
  if (model_->fit) {
    const FitModel& fit = *model_->fit;
    count = fit.products.size();
    const auto name_or_null = [](const std::vector<FitGroupParams>& groups, std::int32_t i) {
      return i >= 0 && static_cast<std::size_t>(i) < groups.size() ? json::Value::string(groups[static_cast<std::size_t>(i)].name) : json::Value();
    };
    for (std::size_t i = 0; i < count && i < max_products; ++i) {
      const FitProduct& p = fit.products[i];
      json::Value item = json::Value::object();
      item.set("productId", json::Value::string(p.params.name));
      item.set("brand", name_or_null(fit.brands, p.brand));
      item.set("category", name_or_null(fit.categories, p.category));
      item.set("sizeSystem", json::Value::string(std::string(size_system_name(p.size_system))));
      json::Value sizes = json::Value::array();
      if (p.size_list < fit.size_lists.size())
        for (const std::string& label : fit.size_lists[p.size_list]) sizes.push_back(json::Value::string(label));
      item.set("sizes", std::move(sizes));
      const Result<FitFlag> flag = product_flag(fit, p.params.name);
      item.set("flag", flag.is_ok() ? json::Value::string(std::string(fit_flag_name(flag.value()))) : json::Value());
      products.push_back(std::move(item));
    }
  }
  out.set("products", std::move(products));
  out.set("productCount", json::Value::number(static_cast<double>(count)));
  json::Value slots = json::Value::array();
  if (model_->decisions)
    for (auto& [id, contents] : model_->decisions->slot_contents()) {
      json::Value slot = json::Value::object();
      slot.set("id", json::Value::string(id));
      json::Value ids = json::Value::array();
      for (std::string& c : contents) ids.push_back(json::Value::string(std::move(c)));
      slot.set("contents", std::move(ids));
      slots.push_back(std::move(slot));
    }
  out.set("slots", std::move(slots));
  return out;
}

Result<ModelScores> Engine::score(double now_ms) const { return score(rule_data_at(now_ms)); }

Result<ModelScores> Engine::score(const json::Value& data) const {
  if (!model_) return Status(ErrorCode::kNoModel, "no model is loaded; call loadModel first");
  if (!model_->learned) return ModelScores();
  return score_learned(*model_->learned, data);
}

Result<Decision> Engine::decide(std::string_view slot_id, double now_ms, const RuleHost& host) const {
  return decide(slot_id, rule_data_at(now_ms), now_ms, host);
}

Result<Decision> Engine::decide(std::string_view slot_id, json::Value data, double now_ms, const RuleHost& host) const {
  if (!model_) return Status(ErrorCode::kNoModel, "no model is loaded; call loadModel first");
  if (!model_->decisions)
    return Status(ErrorCode::kInvalidArgument, "the model '" + model_->info.header.model_id + "' has no decisions section");
  std::vector<std::string> audiences;
  if (model_->audiences)
    for (const AudienceMatch& m : model_->audiences->match(data, host, now_ms))
      if (m.matched) audiences.push_back(m.id);
  const ModelScores scores = model_->learned ? score_learned(*model_->learned, data) : ModelScores();
  // Candidates' rules also see the matched audiences and the segment.
  json::Value ids = json::Value::array();
  for (const std::string& a : audiences) ids.push_back(json::Value::string(a));
  json::Value* features = data.find("features");
  if (features == nullptr || !features->is_object()) {
    data.set("features", json::Value::object());
    features = data.find("features");
  }
  features->set("audiences", std::move(ids));
  features->set("segment", scores.segment.empty() ? json::Value() : json::Value::string(scores.segment));
  const json::Value* id = profile_.attributes().find("id");
  DecisionSet::Context context;
  context.data = &data;
  if (model_->audiences) context.saved_groups = &model_->audiences->saved_groups();
  context.scores = &scores;
  context.audiences = &audiences;
  context.profile = &profile_;
  // The visitor id as GrowthBook hashes it: a string, or a number as String(n) writes it.
  const std::string visitor_id = id != nullptr && (id->is_string() || id->is_number()) ? json::js::to_string(*id, host) : std::string();
  context.visitor_id = visitor_id;
  context.model_id = model_->info.header.model_id;
  context.now_ms = now_ms;
  return model_->decisions->decide(slot_id, context, host);
}

}  // namespace cabine
