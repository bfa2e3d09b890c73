// Math shared by fit inference and the fit trainer: one implementation, so
// the features and probabilities computed for training and for serving cannot
// drift apart.
#pragma once

#include <array>
#include <cmath>
#include <span>
#include <vector>

#include "cabine/fit_model.h"

namespace cabine::internal {

inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

// Class order everywhere: 0 too small, 1 fit, 2 too large.
using Probs = std::array<double, 3>;

inline constexpr double kProbFloor = 1e-9;

// The structural model for one purchase: u = s - (x + offset) in size units.
// P(large) = sigmoid(c1 - a*u), P(<= fit) = sigmoid(c2 - a*u).
struct BandParams {
  double slope;  // a
  double c1, c2;
};

inline BandParams band_for(const FitModel& m, double band_adjust) {
  const double half = std::exp(static_cast<double>(m.band_log_half) + band_adjust);
  return {static_cast<double>(m.slope), m.band_center - half, m.band_center + half};
}

inline Probs structural_probs(const BandParams& b, double u) {
  const double eta = b.slope * u;
  const double f1 = sigmoid(b.c1 - eta);
  const double f2 = sigmoid(b.c2 - eta);
  Probs p{1.0 - f2, f2 - f1, f1};
  for (double& v : p) v = std::max(v, kProbFloor);
  return p;
}

// A product's parameters after the product -> brand -> category fallback.
struct ResolvedProduct {
  FitSource source = FitSource::kGlobal;
  double offset = 0;   // total offset, size units
  double band = 0;     // total band adjustment
  double small_logit = 0, large_logit = 0, log_count = 0;   // the most specific statistics known
  double residual = 0;                                       // the most specific residual known, size units
  double parent_small_logit = 0, parent_large_logit = 0;    // category (or global) statistics
  double parent_offset = 0, parent_band = 0;                // brand + category only, without the product
  std::int32_t category_index = -1;
  SizeSystem system = SizeSystem::kNumeric;
  std::vector<std::string> sizes;
  std::vector<double> values;  // parsed sizes on the dimension scale
  const FitDimension* dimension = nullptr;
  std::string category;  // for reason texts; may be empty
};

// Fails when the product is unknown and has no usable size list, or a label does not parse.
Result<ResolvedProduct> resolve_product(const FitModel& m, const ProductRef& ref);

// Standardised body features: numeric z-scores (0 when missing), missing flags, body-type one-hot.
std::vector<double> body_features(const FitModel& m, const BodyMeasurements& body);
bool has_any_body(const BodyMeasurements& body);

// The shopper's posterior over the size grid of one dimension.
struct Posterior {
  std::array<double, kFitGridPoints> grid{};
  std::array<double, kFitGridPoints> prob{};
  double mean = 0, sd = 0;
};

// Log-likelihood of one history purchase at each grid point.
using GridLogLik = std::array<double, kFitGridPoints>;
GridLogLik history_loglik(const FitModel& m, const FitDimension& d, double offset, double band, double x, int outcome);

// Prior from the questionnaire (when given and learned) or the population.
struct Prior {
  double mean, sd;
  bool from_questionnaire;
};
Prior size_prior(const FitDimension& d, std::span<const double> body_feats, bool body_given);

// Posterior from the prior and a sum of history log-likelihoods.
Posterior make_posterior(const FitDimension& d, const Prior& prior, const GridLogLik& loglik_sum);

// The shopper's own fit-report statistics, for the calibration head.
struct HistoryStats {
  double n = 0, n_small = 0, n_large = 0;  // fit-signal rows in this dimension
  double size_sum = 0;                      // sum of their size values
  // Sum and sum of squares of "label-adjusted residuals": size minus the body's
  // prediction minus the product's residual, plus one step for too small and
  // minus one for too large (what the shopper's size looks like from each purchase).
  double adjusted_sum = 0, adjusted_sq = 0;
};

// One history purchase's label-adjusted residual (see HistoryStats), size units.
inline double adjusted_residual(double x, double prior_mean, double product_residual, int outcome, double step) {
  return x - prior_mean - product_residual + step * ((outcome == 0 ? 1.0 : 0.0) - (outcome == 2 ? 1.0 : 0.0));
}

// Structural probabilities for label value x integrated over the posterior.
Probs integrated_structural(const FitModel& m, const FitDimension& d, const Posterior& post, double offset,
                            double band, double x);

// Calibration-head features (kFitHeadBase + body features); see fit_model.cc.
// `prior` is the shopper's size prior before history; `index` the size's
// position in the product's list.
std::vector<double> head_features(const FitModel& m, const FitDimension& d, const Posterior& post, const Prior& prior,
                                  const ResolvedProduct& p, double x, std::size_t index, const HistoryStats& hist,
                                  std::span<const double> body_feats);

// Head probabilities from features (softmax with "fit" as the reference class).
Probs head_probs(const FitModel& m, std::span<const double> f);

}  // namespace cabine::internal
