// Engine: the model in service and the calls that use it. One Engine backs one
// JS `Cabine` instance.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "cabine/model_format.h"
#include "cabine/status.h"

namespace cabine {

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

  // The model in service, or nullptr.
  const Model* model() const noexcept { return model_.get(); }

 private:
  std::unique_ptr<const Model> model_;
};

}  // namespace cabine
