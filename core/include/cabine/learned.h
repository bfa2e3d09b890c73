// Learned audiences: propensity (logistic regression), uplift (two-model and
// class transformation) and segments (k-means), trained natively by
// model-export and scored by the core, so by the browser too
// (docs/learned-models.md).
//
// Every model reads the same JSON object as rule audiences (audiences.h,
// `rule_data`): declared attributes at the top level, derived profile features
// under "features." A feature's `name` is both the CSV column it was trained
// from and the dot path it is read from when scoring ("features.recency_days").
//
// Scoring (learned.cc) is small and infallible on any data: a missing or
// unreadable value takes its training default. Loading (`from_json`) validates
// everything once. Training and metrics (learned_train.cc) are native only in
// practice; they do no I/O and report progress through a callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cabine/csv.h"
#include "cabine/json.h"
#include "cabine/status.h"

namespace cabine {

// ------------------------------------------------------------------ features

enum class FeatureKind : std::uint8_t { kNumeric, kCategorical };
enum class NumericTransform : std::uint8_t { kStandardize, kBucketize };

// How one input becomes model columns.
//  - numeric + standardize: one column, (x - mean) / sd; missing → 0 (the mean).
//  - numeric + bucketize: edges.size() + 1 one-hot columns; x falls in bucket i
//    = the number of edges <= x; missing → the bucket of `mean`.
//  - categorical: one one-hot column per level; an unknown or missing level →
//    all zeros.
// Reading a value: a number is used as it is; a numeric feature also accepts a
// string that is a plain decimal ("12.5", parse_plain_number) and a boolean (1/0); anything else,
// and a non-finite number, is missing. A categorical feature matches a string
// to a level exactly, a number to the level whose text is a plain decimal of
// that value ("75001" matches 75001), and a boolean to "true" / "false".
struct FeatureSpec {
  std::string name;  // 1..256 bytes: CSV column and dot path into the rule data
  FeatureKind kind = FeatureKind::kNumeric;
  NumericTransform transform = NumericTransform::kStandardize;
  double mean = 0.0;  // numeric: training mean (the value of a missing input)
  double sd = 1.0;    // standardize: training standard deviation, > 0
  std::vector<double> edges;        // bucketize: strictly ascending, 1..1000
  std::vector<std::string> levels;  // categorical: distinct, 1..1000

  // Number of model columns this feature produces.
  std::size_t width() const noexcept;
};

// A plain decimal ("12", "-3.5", ".5", "1e3"; spaces around allowed) as the
// double JavaScript's Number() gives; NaN for anything else.
double parse_plain_number(std::string_view text) noexcept;

// Total model columns of `features`.
std::size_t encoded_width(const std::vector<FeatureSpec>& features) noexcept;

// Looks `path` up in `data`: dot-separated members ("features.recency_days"),
// or else a top-level member whose key is the whole path. nullptr if absent.
const json::Value* lookup_path(const json::Value& data, std::string_view path) noexcept;

// The model columns for `data` (an object; anything else is kInvalidArgument).
Result<std::vector<double>> encode(const std::vector<FeatureSpec>& features, const json::Value& data);
// Same, into `out` (resized); a non-object `data` reads as all missing.
void encode_into(const std::vector<FeatureSpec>& features, const json::Value& data, std::vector<double>& out);

// ------------------------------------------------------------------ models

// P(y = 1 | x) = 1 / (1 + exp(-(intercept + weights · encode(x)))).
struct LogisticModel {
  std::vector<FeatureSpec> features;
  double intercept = 0.0;
  std::vector<double> weights;  // encoded_width(features) entries

  double predict_encoded(std::span<const double> x) const noexcept;
  double predict(const json::Value& data) const;
};

struct PropensityModel {
  std::string name;  // 1..64 characters from letters, digits, _ - .
  LogisticModel model;
};

enum class UpliftMethod : std::uint8_t { kTwoModel, kClassTransformation };
// "two_model" / "class_transformation".
std::string_view uplift_method_name(UpliftMethod method) noexcept;

enum class Quadrant : std::uint8_t { kPersuadable, kSureThing, kLostCause, kSleepingDog };
// "persuadable", "sure_thing", "lost_cause", "sleeping_dog".
std::string_view quadrant_name(Quadrant quadrant) noexcept;

// The quadrant rule, in this order:
//   uplift >= persuadable_min            → persuadable
//   uplift <= -sleeping_dog_min          → sleeping_dog
//   p_control >= sure_thing_min          → sure_thing
//   otherwise                            → lost_cause
struct UpliftThresholds {
  double persuadable_min = 0.01;   // in [-1, 1]
  double sleeping_dog_min = 0.01;  // in [-1, 1]
  double sure_thing_min = 0.5;     // in [0, 1]
};

// Uplift of one treatment over its control.
//  - two_model: `treated` = P(y | x, treated), `control` = P(y | x, control);
//    uplift = p_treated - p_control.
//  - class_transformation: `transformed` = P(z = 1 | x) with
//    z = y·t + (1 - y)·(1 - t), fitted with treated rows weighted 1/(2·share)
//    and control rows 1/(2·(1 - share)) so that 2·P(z = 1) - 1 estimates the
//    uplift whatever the treatment share; `control` = P(y | x, control).
//    p_control comes from `control`, p_treated = clamp(p_control + 2·P(z=1) - 1,
//    0, 1), and uplift = p_treated - p_control. `treated` is empty (no
//    features, no weights).
struct UpliftModel {
  std::string name;
  UpliftMethod method = UpliftMethod::kTwoModel;
  LogisticModel treated;
  LogisticModel control;
  LogisticModel transformed;  // class_transformation only; empty otherwise
  UpliftThresholds thresholds;
};

struct UpliftScore {
  std::string name;
  double p_treated = 0.0;
  double p_control = 0.0;
  double uplift = 0.0;
  Quadrant quadrant = Quadrant::kLostCause;
};
UpliftScore score_uplift(const UpliftModel& model, const json::Value& data);
// The score from the heads' outputs: `second_head` is P(y | treated) for
// two_model and P(z = 1) for class_transformation. score_uplift and training
// both go through here.
UpliftScore combine_uplift(const UpliftModel& model, double p_control, double second_head);

// k-means segments over standardized numeric and one-hot categorical columns.
// assign() picks the nearest centroid (squared Euclidean distance over the
// encoded columns); confidence = 1 - d1 / d2 with d1, d2 the distances to the
// nearest and the second-nearest centroids: 0 on the border between two
// segments, 1 at a centroid (and 1 when there is a single segment).
struct SegmentModel {
  std::vector<FeatureSpec> features;
  std::vector<std::vector<double>> centroids;  // 1..100, each encoded_width(features) long
  std::vector<std::string> names;              // one per centroid, distinct, 1..256 bytes
  std::vector<std::string> descriptions;       // one per centroid, up to 4096 bytes
};

struct SegmentAssignment {
  std::size_t index = 0;
  std::string name;
  double confidence = 0.0;
};
SegmentAssignment assign_segment(const SegmentModel& model, const json::Value& data);

struct PropensityScore {
  std::string name;
  double p = 0.0;
};

// Everything the learned models say about one visitor.
struct LearnedScores {
  std::vector<PropensityScore> propensity;  // in model order
  std::vector<UpliftScore> uplift;          // in model order
  std::optional<SegmentAssignment> segment;
};

// Limits checked by from_json.
inline constexpr std::size_t kMaxLearnedJsonBytes = 8u << 20;
inline constexpr std::size_t kMaxLearnedModels = 100;      // propensity, and uplift, each
inline constexpr std::size_t kMaxLearnedFeatures = 1000;   // per model
inline constexpr std::size_t kMaxFeatureLevels = 1000;     // levels or edges of one feature
inline constexpr std::size_t kMaxEncodedWidth = 10000;     // model columns of one model
inline constexpr std::size_t kMaxSegments = 100;
inline constexpr int kLearnedFormatVersion = 1;

// All learned models of one model file: the JSON document stored in the model's
// "learned" section (format in docs/learned-models.md).
struct LearnedModels {
  std::vector<PropensityModel> propensity;
  std::vector<UpliftModel> uplift;
  std::optional<SegmentModel> segments;

  bool empty() const noexcept { return propensity.empty() && uplift.empty() && !segments; }

  // Compact JSON. Every double is written so that from_json (the core's own
  // decimal reader) gives back the very same double. Native code
  // (learned_train.cc); the browser never writes models.
  std::string to_json() const;
  // Parses and validates: version, names (unique per kind), array lengths
  // consistent with the features, finite numbers, sd > 0, ascending edges,
  // distinct levels, thresholds in range, limits above. Unknown members are
  // ignored (a newer minor writer may add some). Errors: kInvalidJson /
  // kLimitExceeded for the text, kInvalidArgument naming the model and the
  // field ('uplift "womens": control.weights has 11 entries; its features
  // encode to 12 columns').
  static Result<LearnedModels> from_json(std::string_view text);

  // Every propensity p, every uplift, and the segment, for one visitor's rule
  // data (see rule_data in audiences.h). Never fails: unreadable values are
  // missing, and a non-object `data` reads as all missing.
  LearnedScores score(const json::Value& data) const;
};

// Adds or replaces (by name) the models of `update` in `base`; `update`'s
// segments, when present, replace `base`'s.
void merge_learned(LearnedModels& base, LearnedModels update);

// ================================================================== training
// Native training and metrics (learned_train.cc). No I/O; progress lines go to
// the callback (may be empty).

using ProgressCallback = std::function<void(std::string_view line)>;

// A CSV cell as rule data: "" → null; a plain decimal → number; else string.
json::Value cell_to_value(std::string_view cell);
// One CSV row as rule data: an object with one member per header column
// (cells beyond the header are ignored, missing ones are null).
json::Value row_to_data(const CsvTable& table, const CsvRow& row);

// Column type detection and transforms for training.
struct FeatureOptions {
  std::vector<std::string> categorical;  // forced categorical
  std::vector<std::string> numeric;      // forced numeric (non-numbers become missing)
  std::vector<std::string> bucketize;    // numeric columns cut at their deciles
  std::size_t max_levels = 100;          // most frequent levels kept; rarer ones encode as unknown
};

// Fits specs for `columns` on `rows` (indices into table.rows): a column whose
// non-empty cells all are plain decimals is numeric, else categorical, unless
// forced. kInvalidArgument for an unknown column or a column listed twice.
Result<std::vector<FeatureSpec>> fit_features(const CsvTable& table, const std::vector<std::string>& columns,
                                              const std::vector<std::size_t>& rows, const FeatureOptions& options);

// Row-major dense matrix.
struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<double> values;
  const double* row(std::size_t i) const { return values.data() + i * cols; }
  double* row(std::size_t i) { return values.data() + i * cols; }
};
// Encodes `rows` of `table` through row_to_data and encode, exactly as scoring does.
Matrix encode_rows(const CsvTable& table, const std::vector<std::size_t>& rows, const std::vector<FeatureSpec>& features);

struct LogisticOptions {
  double l2 = 1.0;              // penalty λ/2·|w|² on the weights (not the intercept), ≥ 0
  int max_iterations = 50;
  double tolerance = 1e-8;      // stop when max |gradient| / Σ sample weights falls below
};
struct LogisticFit {
  double intercept = 0.0;
  std::vector<double> weights;
  int iterations = 0;
  bool converged = false;
  double gradient_norm = 0.0;  // max |gradient| / Σ sample weights at the end
};
// L2-regularised logistic regression by Newton's method (IRLS), solving each
// step with a Cholesky factorisation and halving it when the penalised loss
// does not fall. `labels` are 0/1; `sample_weights` empty or one per row (> 0).
Result<LogisticFit> fit_logistic(const Matrix& x, std::span<const double> labels, std::span<const double> sample_weights,
                                 const LogisticOptions& options, const ProgressCallback& progress = {});

// Parses an outcome cell: 1/0, true/false, yes/no (any case); else nullopt.
std::optional<bool> parse_binary_outcome(std::string_view cell);

// --------------------------------------------------------------- metrics
// ROC AUC (ties count one half, as sklearn's roc_auc_score); NaN without both classes.
double auc(std::span<const double> scores, std::span<const double> labels);
// scikit-uplift's qini_auc_score(y, uplift, treatment, negative_effect=True):
// (area under the Qini curve - random) / (area under the perfect curve - random),
// curves evaluated at distinct scores only (ties form one step) and integrated
// with trapezoids. NaN when undefined.
double qini_auc_score(std::span<const double> labels, std::span<const double> uplift, std::span<const double> treatment);
// scikit-uplift's uplift_at_k(strategy="overall"): the top floor(n·k) rows by
// uplift (ties: later rows first, as numpy's reversed stable argsort), treated
// response rate minus control response rate among them; NaN if a group is empty.
double uplift_at_k(std::span<const double> labels, std::span<const double> uplift, std::span<const double> treatment,
                   double k);
struct CalibrationBin {
  std::size_t count = 0;
  double mean_predicted = 0.0;
  double observed_rate = 0.0;
};
// 10 equal-count bins of rows sorted by prediction (fewer when there are fewer rows).
std::vector<CalibrationBin> calibration(std::span<const double> predicted, std::span<const double> labels, int bins = 10);
// Uplift calibration: rows sorted by predicted uplift in `bins` equal-count
// bins; per bin the mean prediction against the observed uplift (treated rate
// minus control rate in the bin; NaN when the bin lacks one of the groups).
struct UpliftCalibrationBin {
  std::size_t count = 0, treated = 0, control = 0;
  double mean_predicted = 0.0;
  double observed_uplift = 0.0;
};
std::vector<UpliftCalibrationBin> uplift_calibration(std::span<const double> predicted, std::span<const double> labels,
                                                     std::span<const double> treatment, int bins = 5);
// Mean silhouette (Euclidean) over at most `sample` rows drawn with `seed`.
double silhouette(const Matrix& x, std::span<const std::size_t> labels, std::size_t k, std::size_t sample,
                  std::uint64_t seed);

// --------------------------------------------------------------- pipelines
struct SplitOptions {
  double holdout = 0.3;  // share of rows held out for the metrics, in [0, 0.9]
  std::uint64_t seed = 1;
};

struct PropensityReport {
  PropensityModel model;
  std::size_t train_rows = 0, holdout_rows = 0, skipped_rows = 0;  // skipped: empty outcome
  double base_rate = 0.0;
  LogisticFit fit;
  double train_auc = 0.0, holdout_auc = 0.0;
  std::vector<CalibrationBin> holdout_calibration;
};
// Fails (kInvalidArgument) on a bad outcome value (with the CSV line), an
// unknown column, or fewer than 2 training rows of each outcome.
Result<PropensityReport> train_propensity(const CsvTable& table, std::string name, const std::string& outcome,
                                          const std::vector<std::string>& features, const FeatureOptions& feature_options,
                                          const LogisticOptions& logistic, const SplitOptions& split,
                                          const ProgressCallback& progress = {});

struct UpliftTrainOptions {
  std::string treatment_column;
  std::string treatment_value;
  std::string control_value;
  std::string outcome;
  UpliftMethod method = UpliftMethod::kTwoModel;
  // Thresholds the trainer would choose are replaced by those given here.
  std::optional<double> persuadable_min, sleeping_dog_min, sure_thing_min;
};
struct UpliftReport {
  UpliftModel model;
  std::size_t train_rows = 0, holdout_rows = 0;
  std::size_t skipped_rows = 0;  // treatment neither value, or empty outcome
  double treated_share = 0.0;    // of the training rows
  double train_uplift = 0.0;     // observed ATE on the training rows
  double holdout_qini = 0.0, holdout_uplift_at_30 = 0.0;
  double holdout_auc_treated = 0.0, holdout_auc_control = 0.0;  // the heads on their own groups' rows
  std::vector<UpliftCalibrationBin> holdout_calibration;
  double holdout_ate = 0.0;  // observed treated minus control rate
  std::size_t quadrant_counts[4] = {0, 0, 0, 0};  // holdout rows, in Quadrant order
};
// Default thresholds: persuadable_min = max(0.01, the 70th percentile of the
// training uplift), sleeping_dog_min = max(0.01, -(10th percentile)),
// sure_thing_min = the 75th percentile of the training p_control.
Result<UpliftReport> train_uplift(const CsvTable& table, std::string name, const UpliftTrainOptions& options,
                                  const std::vector<std::string>& features, const FeatureOptions& feature_options,
                                  const LogisticOptions& logistic, const SplitOptions& split,
                                  const ProgressCallback& progress = {});

struct SegmentOptions {
  std::size_t k_min = 2, k_max = 8;  // k = k_min = k_max to fix it; else chosen by silhouette
  int restarts = 4;                  // k-means++ starts per k; the lowest inertia wins
  int max_iterations = 100;
  std::size_t silhouette_sample = 2000;
  std::uint64_t seed = 1;
};
struct SegmentReport {
  SegmentModel model;
  std::size_t rows = 0;
  std::vector<std::pair<std::size_t, double>> silhouette_by_k;  // (k, silhouette) for each k tried
  double silhouette = 0.0;  // of the chosen k
  std::vector<std::size_t> sizes;
  double inertia = 0.0;
};
Result<SegmentReport> train_segments(const CsvTable& table, const std::vector<std::string>& features,
                                     const FeatureOptions& feature_options, const SegmentOptions& options,
                                     const ProgressCallback& progress = {});

// Lloyd's k-means with k-means++ seeding over the rows of `x`; deterministic for
// a seed. Returns the centroids (k rows); `labels` gets each row's cluster.
Matrix kmeans(const Matrix& x, std::size_t k, int restarts, int max_iterations, std::uint64_t seed,
              std::vector<std::size_t>& labels, double* inertia = nullptr);

}  // namespace cabine
