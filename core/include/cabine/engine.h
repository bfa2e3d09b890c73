// Engine: the model in service and the calls that use it. One Engine backs one
// JS `Cabine` instance.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "cabine/audiences.h"
#include "cabine/model_format.h"
#include "cabine/profile.h"
#include "cabine/status.h"

namespace cabine {

// The learned models' answers for `data` (rule data) in the form decisions and
// the JS layer take.
ModelScores score_learned(const LearnedModels& models, const json::Value& data);

class Engine {
 public:
  // Validates `bytes` completely, then swaps the new model in. Loading is
  // atomic: on any failure the model in service (if any) stays in service,
  // unchanged, and the returned Status says what was wrong.
  Status load_model(std::span<const std::uint8_t> bytes);

  bool has_model() const noexcept { return model_ != nullptr; }

  // Info of the model in service; NO_MODEL before the first successful load.
  Result<ModelInfo> model_info() const;

  // Suggests a size with the model in service (fit_model.h). NO_MODEL before
  // the first load, NO_FIT_MODEL when the model has no fit section.
  Result<FitRecommendation> recommend_size(const FitRequest& request) const;

  // What the model in service offers, for QA tools and product lists:
  //   {"products": [{"productId", "brand", "category", "sizeSystem", "sizes", "flag"}, ...],
  //    "productCount": N, "slots": [{"id", "contents": [ids]}, ...]}
  // with at most `max_products` products (in the fit section's order); brand and
  // category are null where unknown. NO_MODEL before the first load.
  Result<json::Value> model_contents(std::size_t max_products) const;

  // The model in service, or nullptr.
  const Model* model() const noexcept { return model_.get(); }

  // ---- The visitor's profile (profile.h). It lives beside the model and
  // survives model swaps; its settings (half-life, weights) come from the
  // model's audiences section, or the defaults without one.

  // Applies one event given as JSON (event_from_json). kInvalidJson,
  // kLimitExceeded or kInvalidEvent leave the profile unchanged.
  Status track(std::string_view event_json);
  // Replaces the declared attributes (Profile::set_attributes).
  Status set_attributes(std::string_view json_text) { return profile_.set_attributes(json_text); }
  // The profile as compact versioned JSON, for the page to store.
  std::string save_profile() const { return profile_.save(); }
  // Replaces the profile with a saved one. On failure (kInvalidProfile) the
  // profile is reset to a fresh one and the Status says why.
  Status load_profile(std::string_view text);
  // Clears attributes and behaviour.
  void forget() { profile_.forget(); }
  const Profile& profile() const noexcept { return profile_; }
  // The derived features at now_ms.
  json::Value features(double now_ms) const { return profile_.derive_features(now_ms, profile_config()); }

  // Every audience of the model in service against the profile at now_ms, in
  // one call. NO_MODEL before a model is loaded; an empty list when the model
  // has no audiences section.
  Result<std::vector<AudienceMatch>> match_audiences(double now_ms, const RuleHost& host) const;

  // What rules and learned models read at now_ms: rule_data(profile, now_ms).
  json::Value rule_data_at(double now_ms) const;
  // The calls below and above, on rule data given by the caller (an object
  // like rule_data's; features taken from elsewhere, e.g. a features CSV that
  // model-export scores). The profile still supplies frequency-cap renders.
  Result<std::vector<AudienceMatch>> match_audiences(const json::Value& data, double now_ms, const RuleHost& host) const;
  Result<ModelScores> score(const json::Value& data) const;
  Result<Decision> decide(std::string_view slot_id, json::Value data, double now_ms, const RuleHost& host) const;

  const ProfileConfig& profile_config() const noexcept;

  // What the model's learned models say about the visitor at now_ms: every
  // propensity, every uplift (with its quadrant) and the segment. Empty
  // without a learned section; NO_MODEL before a model is loaded.
  Result<ModelScores> score(double now_ms) const;

  // Decides one slot of the model's decisions section for the visitor
  // (decisions.h). Candidates' rules see rule_data plus features.audiences
  // (the matched audience ids) and features.segment. The visitor id for the
  // holdout is the declared attribute "id" (a string). NO_MODEL, or INVALID_ARGUMENT for a model without
  // decisions or an unknown slot.
  Result<Decision> decide(std::string_view slot_id, double now_ms, const RuleHost& host) const;
  // Counts a rendered decision against its content's frequency cap.
  void mark_rendered(std::string_view content, double now_ms) { profile_.record_render(content, now_ms); }

 private:
  std::unique_ptr<const Model> model_;
  Profile profile_;
  ProfileConfig default_profile_config_;
};

}  // namespace cabine
