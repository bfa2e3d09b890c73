#include "cabine/engine.h"

#include <utility>

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

Result<std::vector<AudienceMatch>> Engine::match_audiences(double now_ms, const RuleHost& host) const {
  if (!model_) return Status(ErrorCode::kNoModel, "no model is loaded; call loadModel first");
  if (!model_->audiences) return std::vector<AudienceMatch>();
  return model_->audiences->match(rule_data(profile_, now_ms, profile_config()), host, now_ms);
}

namespace {

// The learned models' answers in the form decisions and the JS layer take.
ModelScores scores_of(const Model* model, const json::Value& data) {
  ModelScores out;
  if (model == nullptr || !model->learned) return out;
  LearnedScores s = model->learned->score(data);
  for (PropensityScore& p : s.propensity) out.propensity.emplace_back(std::move(p.name), p.p);
  for (UpliftScore& u : s.uplift)
    out.uplift.push_back({std::move(u.name), u.p_treated, u.p_control, u.uplift, std::string(quadrant_name(u.quadrant))});
  if (s.segment) {
    out.segment = std::move(s.segment->name);
    out.segment_confidence = s.segment->confidence;
  }
  return out;
}

}  // namespace

ModelScores Engine::score(double now_ms) const {
  return scores_of(model_.get(), rule_data(profile_, now_ms, profile_config()));
}

Result<Decision> Engine::decide(std::string_view slot_id, double now_ms, const RuleHost& host) const {
  if (!model_) return Status(ErrorCode::kNoModel, "no model is loaded; call loadModel first");
  if (!model_->decisions)
    return Status(ErrorCode::kInvalidArgument, "the model '" + model_->info.header.model_id + "' has no decisions section");
  json::Value data = rule_data(profile_, now_ms, profile_config());
  std::vector<std::string> audiences;
  if (model_->audiences)
    for (const AudienceMatch& m : model_->audiences->match(data, host, now_ms))
      if (m.matched) audiences.push_back(m.id);
  const ModelScores scores = scores_of(model_.get(), data);
  // Candidates' rules also see the matched audiences and the segment.
  json::Value ids = json::Value::array();
  for (const std::string& a : audiences) ids.push_back(json::Value::string(a));
  json::Value* features = data.find("features");
  features->set("audiences", std::move(ids));
  features->set("segment", scores.segment.empty() ? json::Value() : json::Value::string(scores.segment));
  const json::Value* id = profile_.attributes().find("id");
  DecisionSet::Context context;
  context.data = &data;
  context.scores = &scores;
  context.audiences = &audiences;
  context.profile = &profile_;
  context.visitor_id = id != nullptr ? std::string_view(id->as_string()) : std::string_view();
  context.model_id = model_->info.header.model_id;
  context.now_ms = now_ms;
  return model_->decisions->decide(slot_id, context, host);
}

}  // namespace cabine
