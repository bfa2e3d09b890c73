// The fit model: how products run, what size a shopper is, and which size to
// suggest. Trained by fit_train.h, stored in the model file's `fit` section,
// evaluated here by the same code natively and in the browser.
//
// The model (docs/fit-model.md) has two parts:
//  * A latent-size ordinal model (cumulative logit, Sembium et al. 2017) on a
//    per-dimension size scale: a purchase of label x of product p by a shopper
//    of size s has u = s - (x + offset_p); P(too large) = sigmoid(c1 - a*u),
//    P(fit) = sigmoid(c2 - a*u) - P(too large), P(too small) = the rest, with
//    the fit band [c1, c2] widened or narrowed per product. Offsets are
//    hierarchical, offset_p = category + brand + product (Guigourès et al.
//    2018), so new products and rare brands borrow from their parents.
//    The shopper's size is a posterior on a grid, from a questionnaire or
//    population prior and the shopper's own history. This part gives the
//    recommendation, the confidence, the runs-small/large flag and the reason.
//  * A calibration head: a multinomial logistic regression over features of
//    the same posterior, product statistics and shopper history, which gives
//    the reported P(too small), P(fit), P(too large).
#pragma once

#include <array>
#include <functional>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cabine/fit_data.h"
#include "cabine/size_system.h"
#include "cabine/status.h"

namespace cabine {

inline constexpr int kFitGridPoints = 48;
// Numeric body features, in this order: height_cm, weight_kg, age, bust band, bust cup.
inline constexpr int kBodyNumericFeatures = 5;
// Calibration-head features before the body features (see head_features in
// fit_model.cc); a model's head has kFitHeadBase + body_feature_count()
// weights per class.
inline constexpr int kFitHeadBase = 75;
// History rows accepted by one call; more is INVALID_ARGUMENT.
inline constexpr std::size_t kMaxHistoryRows = 100000;
// Size labels a caller may list for a product the model does not know.
inline constexpr std::size_t kMaxProductSizes = 200;

// Offsets, band and fit statistics of a product, brand or category.
struct FitGroupParams {
  std::string name;        // product id, brand or category
  float offset = 0;        // size-scale units: > 0 runs large, < 0 runs small
  float band = 0;          // log-scale change of the fit band's half-width
  float small_logit = 0;   // smoothed log(P(too small) / P(fit)) among its purchases
  float large_logit = 0;   // smoothed log(P(too large) / P(fit))
  float log_count = 0;     // log(1 + fit-signal purchases)
  float residual = 0;      // size units: how much larger than their body predicts shoppers buy it (shrunk to 0)
};

// Fit statistics of one size value, within a category (category >= 0) or over all products (-1).
struct FitSizeStat {
  SizeDimension dimension = SizeDimension::kNumeric;
  std::int32_t category = -1;
  float value = 0;
  float small_logit = 0, large_logit = 0;
};

struct FitProduct {
  FitGroupParams params;
  std::int32_t brand = -1;     // index into FitModel::brands, or -1
  std::int32_t category = -1;  // index into FitModel::categories, or -1
  SizeSystem size_system = SizeSystem::kNumeric;
  std::uint32_t size_list = 0;  // index into FitModel::size_lists
};

// A size scale shared by the systems of one dimension.
struct FitDimension {
  SizeDimension dimension = SizeDimension::kNumeric;
  float grid_lo = 0, grid_hi = 1;          // the posterior grid spans this range
  float step = 1;                          // one size step on this scale (EU dress: 2)
  float population_mean = 0, population_sd = 1;
  bool has_questionnaire = false;          // whether the weights below were learned
  float questionnaire_intercept = 0, questionnaire_sd = 1;
  std::vector<float> questionnaire_weights;  // one per body feature (body_feature_count())
};

struct FitModel {
  float slope = 1;           // a > 0: how sharply fit changes with the size difference
  float band_center = 0;     // (c1 + c2) / 2
  float band_log_half = 0;   // log((c2 - c1) / 2)
  std::array<float, kBodyNumericFeatures> body_mean{}, body_sd{};
  std::vector<std::string> body_types;      // known body_type labels, one-hot features
  std::vector<FitDimension> dimensions;     // at most one per SizeDimension
  std::vector<FitGroupParams> categories, brands;
  std::vector<FitProduct> products;         // sorted by product_id_less
  std::vector<std::vector<std::string>> size_lists;
  FitGroupParams global;                    // statistics over all purchases
  std::vector<FitSizeStat> size_stats;      // sorted by (dimension, category, value)
  std::vector<float> head_small, head_large;  // calibration weights: too small vs fit, too large vs fit
  bool has_head() const { return !head_small.empty(); }
  int head_feature_count() const { return kFitHeadBase + body_feature_count(); }

  // Lookups; -1 when absent.
  int find_product(std::string_view id) const;
  int find_brand(std::string_view name) const;
  int find_category(std::string_view name) const;
  const FitDimension* find_dimension(SizeDimension d) const;
  // The statistics of `value` in `category` (or over all products with -1), or nullptr.
  const FitSizeStat* find_size_stat(SizeDimension d, std::int32_t category, double value) const;
  int body_feature_count() const { return 2 * kBodyNumericFeatures + static_cast<int>(body_types.size()); }
};

// The order of FitModel::products: shorter ids first, then byte order. For
// decimal ids this is numeric order, which lets the file store them as deltas.
inline bool product_id_less(std::string_view a, std::string_view b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

// Where a product's parameters came from.
enum class FitSource : std::uint8_t { kProduct, kBrand, kCategory, kGlobal };
std::string_view fit_source_name(FitSource source);

enum class FitFlag : std::uint8_t { kRunsSmall, kTrueToSize, kRunsLarge };
std::string_view fit_flag_name(FitFlag flag);

// A product as the caller describes it, for products the model may not know.
struct ProductRef {
  std::string product_id;   // looked up first
  std::string brand;        // fallback when the id is unknown
  std::string category;     // next fallback
  std::string size_system;  // for unknown products: the system of `sizes`
  std::vector<std::string> sizes;  // for unknown products: the labels on offer, smallest first
  std::string name;         // optional display name for reasons ("Acme Jeans")
};

// One row of the shopper's own history, as stored on the device.
struct HistoryItem {
  ProductRef product;
  std::string size;
  FitOutcome outcome = FitOutcome::kKept;
};

// The history item a purchase-log row stands for (what the browser stores for it).
HistoryItem history_item_from(const Purchase& purchase);

struct FitRequest {
  ProductRef product;
  std::vector<HistoryItem> history;
  BodyMeasurements questionnaire;
  double min_confidence = 0;  // 0..1: below it, no recommendation
};

struct SizeProbabilities {
  std::string size;
  double p_small = 0, p_fit = 0, p_large = 0;
};

enum class FitReason : std::uint8_t {
  kFromHistory,        // the shopper's own purchases drove it
  kFromQuestionnaire,  // no usable history; body measurements
  kFromPopulation,     // neither: what most shoppers take
  kLowConfidence,      // confidence below min_confidence: no recommendation
};
std::string_view fit_reason_name(FitReason reason);

struct FitRecommendation {
  std::optional<std::string> size;  // empty when there is no recommendation
  double confidence = 0;            // P(the recommended size is the best one) under the shopper's posterior
  std::vector<SizeProbabilities> sizes;  // every size of the product, in order
  FitReason reason = FitReason::kFromPopulation;
  std::string reason_text;
  FitSource source = FitSource::kGlobal;  // how much of the product the model knew
  FitFlag flag = FitFlag::kTrueToSize;
  double product_offset = 0;              // in size-scale units
  std::vector<std::size_t> history_used;  // indices into FitRequest::history
  std::vector<std::string> notes;         // e.g. history rows ignored and why
  double size_mean = 0, size_sd = 0;      // the shopper's posterior on the dimension scale
};

// Suggests a size for one product. Errors: INVALID_ARGUMENT for a bad
// measurement, min_confidence outside 0..1, too many history rows, or an
// unknown product with no usable size list (each names the field).
Result<FitRecommendation> recommend_size(const FitModel& model, const FitRequest& request);

// The probabilities of one (product, size) for a shopper: what predict-fit
// writes. The same computation as recommend_size's per-size entries.
Result<SizeProbabilities> predict_fit(const FitModel& model, const ProductRef& product, std::string_view size,
                                      const std::vector<HistoryItem>& history, const BodyMeasurements& body);

// Product flag from the model alone: runs small, true to size or runs large.
Result<FitFlag> product_flag(const FitModel& model, std::string_view product_id);

// Validates a decoded model (indices, ranges, finiteness, size lists).
Status validate_fit_model(const FitModel& model);

// Fit section codec (tag kFit in model_format.h). `intern` adds a string to
// the shared string table and returns its index.
std::vector<std::uint8_t> encode_fit_section(const FitModel& model,
                                             const std::function<std::uint32_t(const std::string&)>& intern);
Result<FitModel> decode_fit_section(std::span<const std::uint8_t> content, const std::vector<std::string>& strings,
                                    std::uint8_t minor);

}  // namespace cabine
