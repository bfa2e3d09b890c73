// Learned audiences: feature encoding, logistic regression, uplift, k-means,
// the metrics against hand-computed scikit-uplift / sklearn numbers, and the
// JSON round trip and validation.
#include "cabine/learned.h"

#include "cabine/model_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

namespace cabine {
namespace {

json::Value parse(std::string_view text) {
  Result<json::Value> v = json::parse(text);
  EXPECT_TRUE(v.is_ok()) << v.status().to_string();
  return v.is_ok() ? v.value() : json::Value();
}

FeatureSpec numeric(std::string name, double mean, double sd) {
  FeatureSpec f;
  f.name = std::move(name);
  f.mean = mean;
  f.sd = sd;
  return f;
}

FeatureSpec categorical(std::string name, std::vector<std::string> levels) {
  FeatureSpec f;
  f.name = std::move(name);
  f.kind = FeatureKind::kCategorical;
  f.levels = std::move(levels);
  return f;
}

CsvTable table_of(std::string_view text) {
  Result<CsvTable> t = parse_csv(text);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.value();
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// ------------------------------------------------------------------ encoding

// Missing numbers take the mean (0 after standardising); unknown levels encode as zeros.
TEST(LearnedEncode, HandlesMissingAndUnknownValues) {
  FeatureSpec bucket = numeric("features.recency_days", 10, 1);
  bucket.transform = NumericTransform::kBucketize;
  bucket.edges = {5, 20};
  const std::vector<FeatureSpec> specs = {numeric("history", 100, 50), categorical("channel", {"Web", "Phone"}),
                                          categorical("zip", {"75001", "Rural"}), bucket};
  ASSERT_EQ(encoded_width(specs), 1u + 2u + 2u + 3u);
  const auto enc = [&](std::string_view data) { return encode(specs, parse(data)).value(); };
  EXPECT_EQ(enc(R"({"history": 200, "channel": "Phone", "zip": 75001, "features": {"recency_days": 3}})"),
            (std::vector<double>{2, 0, 1, 1, 0, 1, 0, 0}));
  // All missing: the mean, no level, the mean's bucket.
  EXPECT_EQ(enc("{}"), (std::vector<double>{0, 0, 0, 0, 0, 0, 1, 0}));
  // Unknown level, a non-number string, a non-finite number, a numeric string, a bool.
  EXPECT_EQ(enc(R"({"history": "lots", "channel": "Fax", "zip": "Rural", "features": {"recency_days": "25"}})"),
            (std::vector<double>{0, 0, 0, 0, 1, 0, 0, 1}));
  EXPECT_EQ(enc(R"({"history": 1e999, "channel": null, "features.recency_days": 20})"),
            (std::vector<double>{0, 0, 0, 0, 0, 0, 0, 1}));  // a flat dotted key works too; edge 20 is in the top bucket
  EXPECT_EQ(enc(R"({"history": true})")[0], (1 - 100) / 50.0);
  EXPECT_EQ(encode(specs, parse("[1]")).code(), ErrorCode::kInvalidArgument);
}

// CSV cells become the same values the browser passes.
TEST(LearnedEncode, CellsReadLikeJson) {
  EXPECT_TRUE(cell_to_value("").is_null());
  EXPECT_EQ(cell_to_value("142.44").as_number(), 142.44);
  EXPECT_EQ(cell_to_value("Surburban").as_string(), "Surburban");
  EXPECT_EQ(cell_to_value("1e3").as_number(), 1000);
  EXPECT_TRUE(cell_to_value("0x10").is_string());
  EXPECT_TRUE(std::isnan(parse_plain_number("12abc")));
  EXPECT_EQ(parse_binary_outcome("Yes"), true);
  EXPECT_EQ(parse_binary_outcome("0"), false);
  EXPECT_EQ(parse_binary_outcome("maybe"), std::nullopt);
}

// ------------------------------------------------------------------ logistic regression

Matrix matrix_of(std::size_t rows, std::size_t cols) {
  Matrix m;
  m.rows = rows;
  m.cols = cols;
  m.values.assign(rows * cols, 0.0);
  return m;
}

// One binary feature without a penalty has a closed form: the log-odds of each group.
TEST(LearnedLogistic, MatchesTheClosedFormForOneBinaryFeature) {
  // x = 0: 30 of 100 positive; x = 1: 80 of 200 positive.
  Matrix x = matrix_of(300, 1);
  std::vector<double> y(300, 0.0);
  for (std::size_t i = 0; i < 300; ++i) {
    x.row(i)[0] = i < 100 ? 0 : 1;
    y[i] = (i < 30) || (i >= 100 && i < 180) ? 1 : 0;
  }
  LogisticOptions options;
  options.l2 = 0;
  options.tolerance = 1e-12;
  const Result<LogisticFit> fit = fit_logistic(x, y, {}, options);
  ASSERT_TRUE(fit.is_ok()) << fit.status().to_string();
  EXPECT_TRUE(fit.value().converged);
  EXPECT_LT(fit.value().iterations, 10);
  const double logit0 = std::log(0.3 / 0.7), logit1 = std::log(0.4 / 0.6);
  EXPECT_NEAR(fit.value().intercept, logit0, 1e-9);
  EXPECT_NEAR(fit.value().weights[0], logit1 - logit0, 1e-9);
}

// On synthetic data from known coefficients IRLS converges and recovers them.
TEST(LearnedLogistic, RecoversKnownCoefficients) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  const std::size_t n = 40000;
  Matrix x = matrix_of(n, 2);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    x.row(i)[0] = normal(rng);
    x.row(i)[1] = normal(rng);
    const double z = -0.5 + 1.0 * x.row(i)[0] - 2.0 * x.row(i)[1];
    y[i] = uniform(rng) < 1 / (1 + std::exp(-z)) ? 1 : 0;
  }
  LogisticOptions options;
  options.l2 = 0;
  const Result<LogisticFit> fit = fit_logistic(x, y, {}, options);
  ASSERT_TRUE(fit.is_ok());
  EXPECT_TRUE(fit.value().converged);
  EXPECT_LT(fit.value().iterations, 15);
  EXPECT_NEAR(fit.value().intercept, -0.5, 0.06);
  EXPECT_NEAR(fit.value().weights[0], 1.0, 0.06);
  EXPECT_NEAR(fit.value().weights[1], -2.0, 0.08);

  // L2 shrinks the weights towards 0, and more for a bigger penalty.
  options.l2 = 2000;
  const LogisticFit shrunk = fit_logistic(x, y, {}, options).value();
  options.l2 = 20000;
  const LogisticFit shrunk_more = fit_logistic(x, y, {}, options).value();
  EXPECT_LT(std::fabs(shrunk.weights[1]), std::fabs(fit.value().weights[1]));
  EXPECT_LT(std::fabs(shrunk_more.weights[1]), std::fabs(shrunk.weights[1]));
  EXPECT_LT(std::fabs(shrunk_more.weights[0]), std::fabs(shrunk.weights[0]));
}

// Perfectly separable data with no penalty still ends without failing.
TEST(LearnedLogistic, SurvivesSeparableData) {
  Matrix x = matrix_of(20, 1);
  std::vector<double> y(20);
  for (std::size_t i = 0; i < 20; ++i) x.row(i)[0] = static_cast<double>(i), y[i] = i >= 10;
  LogisticOptions options;
  options.l2 = 0;
  const Result<LogisticFit> fit = fit_logistic(x, y, {}, options);
  ASSERT_TRUE(fit.is_ok()) << fit.status().to_string();
  EXPECT_GT(fit.value().weights[0], 1.0);
}

// The CSV pipeline: held-out AUC well above chance for a real signal.
TEST(LearnedPropensity, TrainsFromCsv) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  std::string csv = "age,channel,bought\n";
  for (int i = 0; i < 4000; ++i) {
    const double age = 40 + 10 * normal(rng);
    const char* channel = i % 3 == 0 ? "Web" : i % 3 == 1 ? "Phone" : "Store";
    const double z = -1 + 0.15 * (age - 40) + (i % 3 == 0 ? 1.0 : 0.0);
    csv += std::to_string(age) + "," + channel + "," + (uniform(rng) < 1 / (1 + std::exp(-z)) ? "yes" : "no") + "\n";
  }
  const CsvTable table = table_of(csv);
  const Result<PropensityReport> r =
      train_propensity(table, "buyer", "bought", {"age", "channel"}, {}, {}, {0.3, 5});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r.value().holdout_rows, 1200u);
  EXPECT_GT(r.value().holdout_auc, 0.75);  // the true z ranks them at about 0.82
  EXPECT_EQ(r.value().model.model.features[1].kind, FeatureKind::kCategorical);
  EXPECT_EQ(r.value().holdout_calibration.size(), 10u);
  // Scoring a row through the rule data gives the model's own prediction.
  const double p = r.value().model.model.predict(parse(R"({"age": 50, "channel": "Web"})"));
  EXPECT_GT(p, r.value().model.model.predict(parse(R"({"age": 50, "channel": "Store"})")));
  EXPECT_FALSE(train_propensity(table, "bad name!", "bought", {"age"}, {}, {}, {}).is_ok());
  const CsvTable bad = table_of("x,y\n1,1\n2,maybe\n");
  const Result<PropensityReport> e = train_propensity(bad, "p", "y", {"x"}, {}, {}, {});
  EXPECT_NE(e.status().message().find("line 3"), std::string::npos) << e.status().message();
}

// ------------------------------------------------------------------ metrics

// sklearn's roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.75; ties count one half.
TEST(LearnedMetrics, AucMatchesSklearn) {
  EXPECT_DOUBLE_EQ(auc(std::vector<double>{0.1, 0.4, 0.35, 0.8}, std::vector<double>{0, 0, 1, 1}), 0.75);
  // Positives {0.5, 0.9}, negatives {0.5, 0.2}: pairs 0.5 + 1 + 1 + 1 = 3.5 of 4.
  EXPECT_DOUBLE_EQ(auc(std::vector<double>{0.5, 0.5, 0.2, 0.9}, std::vector<double>{1, 0, 0, 1}), 0.875);
  EXPECT_TRUE(std::isnan(auc(std::vector<double>{0.1, 0.2}, std::vector<double>{1, 1})));
}

// sklift's qini_auc_score on six rows, by hand:
//   y = 1 0 1 0 1 0, t = 1 1 0 0 1 0, uplift = .9 .8 .7 .6 .5 .4 (already descending)
//   curve Y_t - Y_c·N_t/N_c: (1,1) (2,1) (3,-1) (4,0) (5,.5) (6,1); trapezoid area from (0,0) = 2
//   perfect scores y·t - y·(1-t) = 1 0 -1 0 1 0 → ties grouped: (2,2) (5,2) (6,1); area 2 + 6 + 1.5 = 9.5
//   random: the line to (6,1), area 3; Qini = (2 - 3) / (9.5 - 3) = -2/13.
TEST(LearnedMetrics, QiniMatchesScikitUplift) {
  const std::vector<double> y = {1, 0, 1, 0, 1, 0}, t = {1, 1, 0, 0, 1, 0};
  EXPECT_DOUBLE_EQ(qini_auc_score(y, std::vector<double>{.9, .8, .7, .6, .5, .4}, t), -2.0 / 13.0);
  // Scores whose ties group exactly like the perfect scores give 1.
  EXPECT_DOUBLE_EQ(qini_auc_score(y, std::vector<double>{.9, .5, .1, .5, .9, .5}, t), 1.0);
  // One big tie is the random line: 0.
  EXPECT_DOUBLE_EQ(qini_auc_score(y, std::vector<double>(6, 0.5), t), 0.0);
}

// sklift's uplift_at_k(strategy="overall"): top int(n·k) rows by reversed stable argsort.
TEST(LearnedMetrics, UpliftAtKMatchesScikitUplift) {
  const std::vector<double> y = {1, 0, 1, 0, 1, 0}, t = {1, 1, 0, 0, 1, 0};
  // Top 3 = rows 0, 1, 2: treated mean (1+0)/2, control mean 1 → -0.5.
  EXPECT_DOUBLE_EQ(uplift_at_k(y, std::vector<double>{.9, .8, .7, .6, .5, .4}, t, 0.5), -0.5);
  // All tied: numpy's reversed mergesort order is rows 5, 4, 3: treated 1, control 0 → 1.
  EXPECT_DOUBLE_EQ(uplift_at_k(y, std::vector<double>(6, 0.5), t, 0.5), 1.0);
  // int(6 · 0.3) = 1 row: a group is empty → NaN (numpy's mean of nothing).
  EXPECT_TRUE(std::isnan(uplift_at_k(y, std::vector<double>{.9, .8, .7, .6, .5, .4}, t, 0.3)));
}

TEST(LearnedMetrics, CalibrationUsesEqualCountBins) {
  const std::vector<CalibrationBin> bins =
      calibration(std::vector<double>{0.9, 0.1, 0.2, 0.8}, std::vector<double>{1, 0, 1, 1}, 2);
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_EQ(bins[0].count, 2u);
  EXPECT_DOUBLE_EQ(bins[0].mean_predicted, 0.15000000000000002);
  EXPECT_DOUBLE_EQ(bins[0].observed_rate, 0.5);
  EXPECT_DOUBLE_EQ(bins[1].mean_predicted, 0.85);
  EXPECT_DOUBLE_EQ(bins[1].observed_rate, 1.0);
}

TEST(LearnedMetrics, UpliftCalibrationComparesPredictedAndObservedUpliftPerBin) {
  // Sorted by prediction: bin 0 = rows with -0.1, 0.0, 0.05 (1 treated of them); bin 1 = 0.2, 0.3, 0.4.
  const std::vector<double> predicted{0.3, -0.1, 0.2, 0.0, 0.4, 0.05};
  const std::vector<double> labels{1, 0, 0, 1, 1, 0};
  const std::vector<double> treated{1, 1, 0, 0, 1, 0};
  const std::vector<UpliftCalibrationBin> bins = uplift_calibration(predicted, labels, treated, 2);
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_EQ(bins[0].count, 3u);
  EXPECT_EQ(bins[0].treated, 1u);
  EXPECT_EQ(bins[0].control, 2u);
  EXPECT_NEAR(bins[0].mean_predicted, (-0.1 + 0.0 + 0.05) / 3, 1e-15);
  EXPECT_DOUBLE_EQ(bins[0].observed_uplift, 0.0 - 0.5);  // treated -0.1 -> 0; control 0.0 -> 1, 0.05 -> 0
  EXPECT_EQ(bins[1].treated, 2u);
  EXPECT_DOUBLE_EQ(bins[1].observed_uplift, 1.0 - 0.0);  // treated 0.3, 0.4 -> 1, 1; control 0.2 -> 0
  // A bin without one of the groups has no observed uplift.
  EXPECT_TRUE(std::isnan(uplift_calibration(std::vector<double>{1, 2}, std::vector<double>{1, 0}, std::vector<double>{1, 1}, 1)[0].observed_uplift));
}

// ------------------------------------------------------------------ uplift

// Three segments with known effects (+0.3, 0, -0.2): A ranks first, C last,
// and the quadrants follow.
std::string uplift_csv(int rows, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform;
  std::string csv = "seg,noise,arm,y\n";
  for (int i = 0; i < rows; ++i) {
    const int s = i % 3;
    const bool treated = uniform(rng) < 0.5;
    const double p = 0.3 + (treated ? (s == 0 ? 0.3 : s == 1 ? 0.0 : -0.2) : 0.0);
    csv += std::string(s == 0 ? "A" : s == 1 ? "B" : "C") + "," + std::to_string(uniform(rng)) + "," +
           (treated ? "mail" : "none") + "," + (uniform(rng) < p ? "1" : "0") + "\n";
  }
  csv += "B,0.5,other,1\n";  // neither arm: skipped
  return csv;
}

TEST(LearnedUplift, RanksPersuadablesFirst) {
  const CsvTable table = table_of(uplift_csv(12000, 11));
  for (UpliftMethod method : {UpliftMethod::kTwoModel, UpliftMethod::kClassTransformation}) {
    UpliftTrainOptions options{"arm", "mail", "none", "y", method, 0.1, 0.1, 0.9};
    const Result<UpliftReport> r = train_uplift(table, "mail", options, {"seg", "noise"}, {}, {}, {0.3, 2});
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r.value().skipped_rows, 1u);
    // Scoring these rows with the true uplift itself gives a Qini of 0.20-0.23
    // (outcomes are coin flips around the segment rates), and random scores 0.
    EXPECT_GT(r.value().holdout_qini, 0.15) << uplift_method_name(method);
    EXPECT_GT(r.value().holdout_uplift_at_30, 0.2);
    const UpliftModel& m = r.value().model;
    const UpliftScore a = score_uplift(m, parse(R"({"seg": "A", "noise": 0.5})"));
    const UpliftScore b = score_uplift(m, parse(R"({"seg": "B", "noise": 0.5})"));
    const UpliftScore c = score_uplift(m, parse(R"({"seg": "C", "noise": 0.5})"));
    EXPECT_GT(a.uplift, b.uplift);
    EXPECT_GT(b.uplift, c.uplift);
    EXPECT_NEAR(a.uplift, 0.3, 0.06);
    EXPECT_NEAR(c.uplift, -0.2, 0.06);
    EXPECT_DOUBLE_EQ(a.uplift, a.p_treated - a.p_control);
    EXPECT_EQ(a.quadrant, Quadrant::kPersuadable);
    EXPECT_EQ(b.quadrant, Quadrant::kLostCause);
    EXPECT_EQ(c.quadrant, Quadrant::kSleepingDog);
  }
}

// The quadrant rule, threshold by threshold.
TEST(LearnedUplift, QuadrantRule) {
  UpliftModel m;
  m.thresholds = {0.05, 0.02, 0.4};
  EXPECT_EQ(combine_uplift(m, 0.5, 0.56).quadrant, Quadrant::kPersuadable);
  EXPECT_EQ(combine_uplift(m, 0.5, 0.47).quadrant, Quadrant::kSleepingDog);
  EXPECT_EQ(combine_uplift(m, 0.5, 0.51).quadrant, Quadrant::kSureThing);
  EXPECT_EQ(combine_uplift(m, 0.1, 0.11).quadrant, Quadrant::kLostCause);
  // Class transformation: p_treated = clamp(p_control + 2·P(z) - 1).
  m.method = UpliftMethod::kClassTransformation;
  const UpliftScore s = combine_uplift(m, 0.9, 0.8);
  EXPECT_DOUBLE_EQ(s.p_treated, 1.0);
  EXPECT_DOUBLE_EQ(s.uplift, 1.0 - 0.9);
}

// ------------------------------------------------------------------ segments

std::string blobs_csv() {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0, 0.5);
  std::string csv = "x,y\n";
  const double centres[3][2] = {{0, 0}, {10, 0}, {0, 10}};
  for (int i = 0; i < 900; ++i) {
    const auto& c = centres[i % 3];
    csv += std::to_string(c[0] + normal(rng)) + "," + std::to_string(c[1] + normal(rng)) + "\n";
  }
  return csv;
}

TEST(LearnedSegments, KMeansFindsThreeClustersAndSilhouettePicksThree) {
  const CsvTable table = table_of(blobs_csv());
  SegmentOptions options;
  options.k_min = 2;
  options.k_max = 6;
  const Result<SegmentReport> r = train_segments(table, {"x", "y"}, {}, options);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r.value().model.centroids.size(), 3u);
  EXPECT_GT(r.value().silhouette, 0.8);
  for (std::size_t size : r.value().sizes) EXPECT_EQ(size, 300u);
  // Every training row goes back to a segment of its own blob.
  const SegmentModel& m = r.value().model;
  const SegmentAssignment a = assign_segment(m, parse(R"({"x": 0.1, "y": -0.2})"));
  const SegmentAssignment b = assign_segment(m, parse(R"({"x": 9.8, "y": 0.3})"));
  EXPECT_NE(a.index, b.index);
  EXPECT_GT(a.confidence, 0.8);
  EXPECT_EQ(a.name, m.names[a.index]);
  EXPECT_NE(m.names[0], m.names[1]);
  // Deterministic for a seed.
  const Result<SegmentReport> again = train_segments(table, {"x", "y"}, {}, options);
  EXPECT_EQ(again.value().model.centroids, m.centroids);
}

// ------------------------------------------------------------------ JSON

LearnedModels sample_models() {
  LearnedModels models;
  PropensityModel p;
  p.name = "visit";
  FeatureSpec bucket = numeric("features.recency_days", 3.25, 1);
  bucket.transform = NumericTransform::kBucketize;
  bucket.edges = {1.5, 7, 30};
  p.model.features = {numeric("history", 242.1, 256.2), categorical("channel", {"Web", "Phone", "Multi\"channel"}), bucket};
  p.model.intercept = -2.1;
  p.model.weights = {0.1, 1.0 / 3, -2e-9, 0, 5, 6, 7, 8.5};
  models.propensity.push_back(p);
  UpliftModel u;
  u.name = "womens";
  u.treated = p.model;
  u.control = p.model;
  u.control.intercept = -2.5;
  u.thresholds = {0.07, 0.01, 0.13};
  models.uplift.push_back(u);
  UpliftModel ct = u;
  ct.name = "womens_ct";
  ct.method = UpliftMethod::kClassTransformation;
  ct.transformed = u.treated;
  ct.treated = {};
  models.uplift.push_back(ct);
  SegmentModel s;
  s.features = {numeric("history", 242.1, 256.2), categorical("zip", {"Rural", "Urban"})};
  s.centroids = {{1.9, 0.2, 0.8}, {-0.3, 1, 0}};
  s.names = {"high history", "zip=Rural"};
  s.descriptions = {"13.7% of the rows", ""};
  models.segments = s;
  return models;
}

void expect_same(const LogisticModel& a, const LogisticModel& b) {
  ASSERT_EQ(a.weights.size(), b.weights.size());
  EXPECT_TRUE(same_bits(a.intercept, b.intercept));
  for (std::size_t i = 0; i < a.weights.size(); ++i) EXPECT_TRUE(same_bits(a.weights[i], b.weights[i])) << i;
  ASSERT_EQ(a.features.size(), b.features.size());
  for (std::size_t i = 0; i < a.features.size(); ++i) {
    EXPECT_EQ(a.features[i].name, b.features[i].name);
    EXPECT_TRUE(same_bits(a.features[i].mean, b.features[i].mean));
    EXPECT_TRUE(same_bits(a.features[i].sd, b.features[i].sd));
    EXPECT_EQ(a.features[i].edges, b.features[i].edges);
    EXPECT_EQ(a.features[i].levels, b.features[i].levels);
  }
}

TEST(LearnedJson, RoundTripsExactly) {
  const LearnedModels models = sample_models();
  const std::string text = models.to_json();
  const Result<LearnedModels> back = LearnedModels::from_json(text);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  expect_same(back.value().propensity[0].model, models.propensity[0].model);
  expect_same(back.value().uplift[0].treated, models.uplift[0].treated);
  expect_same(back.value().uplift[1].transformed, models.uplift[1].transformed);
  EXPECT_EQ(back.value().uplift[1].method, UpliftMethod::kClassTransformation);
  EXPECT_EQ(back.value().segments->centroids, models.segments->centroids);
  EXPECT_EQ(back.value().segments->names, models.segments->names);
  EXPECT_EQ(back.value().to_json(), text);
  // history 700 standardises to 1.79: nearest to the first centroid (1.9, 0.2, 0.8).
  const LearnedScores s = back.value().score(parse(R"({"history": 700, "channel": "Web"})"));
  ASSERT_EQ(s.propensity.size(), 1u);
  EXPECT_DOUBLE_EQ(s.propensity[0].p, models.propensity[0].model.predict(parse(R"({"history": 700, "channel": "Web"})")));
  ASSERT_TRUE(s.segment.has_value());
  EXPECT_EQ(s.segment->name, "high history");
  EXPECT_EQ(back.value().score(parse(R"({"history": 100, "zip": "Rural"})")).segment->name, "zip=Rural");
  // Scoring never fails, even on data that is not an object.
  EXPECT_EQ(back.value().score(json::Value::number(3)).uplift.size(), 2u);
}

// Every double, however awkward for the core's decimal reader, reads back bit for bit.
TEST(LearnedJson, DoublesRoundTripBitForBit) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  std::vector<double> values = {0.1, 1.0 / 3, 2.0 / 3, -0.0, 1e-300, 4.9406564584124654e-324, 2.2250738585072014e-308,
                                1.7976931348623157e308, 123456789012345678.0, 9007199254740993.0, 0.30000000000000004};
  for (int i = 0; i < 200000; ++i) {
    if (i % 2 == 0) values.push_back(normal(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20));
    else {
      std::uint64_t bits = rng();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      if (std::isfinite(d)) values.push_back(d);
    }
  }
  LearnedModels models;
  PropensityModel p;
  p.name = "bits";
  p.model.features = {categorical("x", {})};
  for (std::size_t i = 0; i < values.size(); i += 1000) {
    const std::size_t n = std::min<std::size_t>(1000, values.size() - i);
    p.model.features[0].levels.clear();
    for (std::size_t k = 0; k < n; ++k) p.model.features[0].levels.push_back("l" + std::to_string(k));
    p.model.weights.assign(values.begin() + static_cast<std::ptrdiff_t>(i), values.begin() + static_cast<std::ptrdiff_t>(i + n));
    models.propensity = {p};
    const Result<LearnedModels> back = LearnedModels::from_json(models.to_json());
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    for (std::size_t k = 0; k < n; ++k)
      ASSERT_TRUE(same_bits(back.value().propensity[0].model.weights[k], values[i + k]))
          << std::hexfloat << values[i + k] << " came back as " << back.value().propensity[0].model.weights[k];
  }
}

// from_json refuses bad documents with the model and the field in the message.
TEST(LearnedJson, RejectsBadInputWithClearMessages) {
  const std::string good = sample_models().to_json();
  ASSERT_TRUE(LearnedModels::from_json(good).is_ok());
  const auto error = [&](std::string_view from, std::string_view to) {
    std::string text = good;
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    const Result<LearnedModels> r = LearnedModels::from_json(text);
    EXPECT_FALSE(r.is_ok()) << text;
    return r.status().message();
  };
  EXPECT_NE(error("\"version\":1", "\"version\":2").find("version 2 is not supported"), std::string::npos);
  EXPECT_NE(error("\"intercept\":-2.5,\"weights\":[0.1,", "\"intercept\":-2.5,\"weights\":[")
                .find("uplift \"womens\".control.weights: has 7 entries; its features encode to 8 columns"),
            std::string::npos);
  EXPECT_NE(error("\"intercept\":-2.1", "\"intercept\":1e999").find("propensity \"visit\".model.intercept: must be a finite number"), std::string::npos);
  EXPECT_NE(error("\"sd\":256.2", "\"sd\":0").find("sd: must be positive"), std::string::npos);
  EXPECT_NE(error("\"edges\":[1.5,7,30]", "\"edges\":[1.5,30,7]").find("strictly ascending"), std::string::npos);
  EXPECT_NE(error("\"Web\",\"Phone\"", "\"Web\",\"Web\"").find("\"Web\" appears twice"), std::string::npos);
  EXPECT_NE(error("\"name\":\"womens_ct\"", "\"name\":\"womens\"").find("name \"womens\" appears twice"), std::string::npos);
  EXPECT_NE(error("\"name\":\"visit\"", "\"name\":\"vi sit\"").find("only letters"), std::string::npos);
  EXPECT_NE(error("\"method\":\"two_model\"", "\"method\":\"forest\"").find("uplift \"womens\".method"), std::string::npos);
  EXPECT_NE(error("[1.9,0.2,0.8]", "[1.9,0.2]").find("segments.centroids[0]: has 2 entries"), std::string::npos);
  EXPECT_NE(error("\"names\":[\"high history\",\"zip=Rural\"]", "\"names\":[\"a\"]").find("same length"), std::string::npos);
  EXPECT_NE(error("\"sure_thing_min\":0.13", "\"sure_thing_min\":1.5").find("sure_thing_min"), std::string::npos);
  EXPECT_NE(error("\"kind\":\"categorical\"", "\"kind\":\"text\"").find("must be \"numeric\" or \"categorical\""),
            std::string::npos);
  EXPECT_EQ(LearnedModels::from_json("{\"version\":1,").code(), ErrorCode::kInvalidJson);
  EXPECT_EQ(LearnedModels::from_json("[]").code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(LearnedModels::from_json("{}").status().message().find("missing \"version\""), std::string::npos);
  EXPECT_TRUE(LearnedModels::from_json("{\"version\":1}").value().empty());
}

// Training into a file with other models adds or replaces by name.
TEST(LearnedJson, MergeReplacesByName) {
  LearnedModels base = sample_models();
  LearnedModels update;
  PropensityModel p = base.propensity[0];
  p.model.intercept = 9;
  update.propensity = {p};
  p.name = "other";
  update.propensity.push_back(p);
  merge_learned(base, update);
  ASSERT_EQ(base.propensity.size(), 2u);
  EXPECT_EQ(base.propensity[0].model.intercept, 9);
  EXPECT_EQ(base.propensity[1].name, "other");
  EXPECT_EQ(base.uplift.size(), 2u);
  EXPECT_TRUE(base.segments.has_value());
}

// A model file whose learned section does not validate is refused as a whole
// (MODEL_MALFORMED_SECTION, naming the field); a valid one loads and scores.
TEST(LearnedJson, ModelFilesValidateTheLearnedSectionOnLoad) {
  ModelContent content;
  content.header.model_id = "learned";
  content.learned = sample_models().to_json();
  const Result<Model> good = parse_model(encode_model(content).value());
  ASSERT_TRUE(good.is_ok()) << good.status().to_string();
  ASSERT_TRUE(good.value().learned.has_value());
  EXPECT_EQ(good.value().learned->uplift[1].name, "womens_ct");
  std::string bad = *content.learned;
  bad.replace(bad.find("\"sure_thing_min\":0.13"), 20, "\"sure_thing_min\":1.5");
  content.learned = bad;
  const Result<Model> refused = parse_model(encode_model(content).value());
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.code(), ErrorCode::kModelMalformedSection);
  EXPECT_NE(refused.status().message().find("learned"), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("uplift \"womens\".thresholds.sure_thing_min"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace cabine
