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

}  // namespace cabine
