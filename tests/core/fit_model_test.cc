// Fit inference edge cases: fallbacks for unknown products, unknown labels,
// empty and huge histories, bad measurements, confidence thresholds, and the
// fit section's round trip and robustness in the model file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "cabine/engine.h"
#include "cabine/fit_synth.h"
#include "cabine/fit_train.h"
#include "cabine/model_format.h"
#include "test_models.h"

namespace cabine {
namespace {

const SynthData& data() {
  static const SynthData d = [] {
    SynthOptions o;
    o.customers = 800;
    o.products = 40;
    o.seed = 11;
    return synthesize_fit_data(o);
  }();
  return d;
}

const FitModel& model() {
  static const FitModel m = [] {
    FitTrainOptions o;
    o.holdout_fraction = 0;
    o.iterations = 200;
    return train_fit(data().purchases, data().catalogue, o).value();
  }();
  return m;
}

FitRequest request_for(const std::string& product_id) {
  FitRequest r;
  r.product.product_id = product_id;
  return r;
}

void expect_probabilities(const FitRecommendation& rec) {
  ASSERT_FALSE(rec.sizes.empty());
  for (const SizeProbabilities& p : rec.sizes) {
    EXPECT_NEAR(p.p_small + p.p_fit + p.p_large, 1.0, 1e-9) << p.size;
    for (double v : {p.p_small, p.p_fit, p.p_large}) EXPECT_TRUE(v >= 0 && v <= 1) << p.size;
  }
}

TEST(FitInference, EmptyHistoryUsesPopulationThenQuestionnaire) {
  FitRequest r = request_for("P00001");
  FitRecommendation rec = recommend_size(model(), r).value();
  EXPECT_EQ(rec.reason, FitReason::kFromPopulation);
  EXPECT_TRUE(rec.size.has_value());
  EXPECT_NE(rec.reason_text.find("Most shoppers take"), std::string::npos) << rec.reason_text;
  expect_probabilities(rec);
  r.questionnaire.height_cm = 175;
  r.questionnaire.weight_kg = 80;
  FitRecommendation q = recommend_size(model(), r).value();
  EXPECT_EQ(q.reason, FitReason::kFromQuestionnaire);
  EXPECT_GT(q.size_mean, rec.size_mean);  // a heavier shopper gets a larger size estimate
  EXPECT_NE(q.reason_text.find("From your measurements"), std::string::npos) << q.reason_text;
}

TEST(FitInference, HistoryIsUsedAndNamedInTheReason) {
  FitRequest r = request_for("P00002");
  HistoryItem kept;
  kept.product.product_id = "P00003";
  kept.product.name = "Acme Jeans";
  kept.size = data().catalogue[2].sizes[2];
  kept.outcome = FitOutcome::kKept;
  HistoryItem other = kept;
  other.outcome = FitOutcome::kReturnedOther;
  r.history = {kept, other};
  FitRecommendation rec = recommend_size(model(), r).value();
  EXPECT_EQ(rec.reason, FitReason::kFromHistory);
  EXPECT_EQ(rec.history_used, std::vector<std::size_t>{0});
  EXPECT_NE(rec.reason_text.find("You kept " + kept.size + " in Acme Jeans"), std::string::npos) << rec.reason_text;
  ASSERT_EQ(rec.notes.size(), 1u);
  EXPECT_EQ(rec.notes[0], "history[1] ignored: returned for a reason other than fit");
}

// A size the shopper returned for this very product is never suggested again
// (nor anything on the wrong side of it), and the note says why.
TEST(FitInference, ReturnsOfTheSameProductBoundTheSuggestion) {
  const CatalogueEntry& product = data().catalogue[4];
  const std::vector<std::string>& sizes = product.sizes;
  ASSERT_GE(sizes.size(), 4u);
  for (std::size_t at = 0; at < sizes.size(); ++at) {
    for (const FitOutcome outcome : {FitOutcome::kTooSmall, FitOutcome::kTooLarge}) {
      FitRequest r = request_for(product.product_id);
      HistoryItem item;
      item.product.product_id = product.product_id;
      item.size = sizes[at];
      item.outcome = outcome;
      r.history = {item};
      const FitRecommendation rec = recommend_size(model(), r).value();
      ASSERT_TRUE(rec.size.has_value());
      const std::size_t got = static_cast<std::size_t>(std::find(sizes.begin(), sizes.end(), *rec.size) - sizes.begin());
      const bool small = outcome == FitOutcome::kTooSmall;
      const bool room = small ? at + 1 < sizes.size() : at > 0;
      if (room) {
        EXPECT_TRUE(small ? got > at : got < at) << sizes[at] << (small ? " too small -> " : " too large -> ") << *rec.size;
      } else {
        EXPECT_EQ(got, at) << "nothing beyond the end of the range";
        ASSERT_FALSE(rec.notes.empty());
        EXPECT_EQ(rec.notes.back(), sizes[at] + " of this product was too " + (small ? "small" : "large") + " for you and there is no " +
                                        (small ? "larger" : "smaller") + " size");
      }
    }
  }
}

TEST(FitInference, UnknownSizeLabelInHistoryIsIgnoredWithANote) {
  FitRequest r = request_for("P00002");
  HistoryItem bad;
  bad.product.product_id = "P00003";
  bad.size = "XXXXL";
  r.history = {bad};
  FitRecommendation rec = recommend_size(model(), r).value();
  EXPECT_TRUE(rec.history_used.empty());
  ASSERT_EQ(rec.notes.size(), 1u);
  EXPECT_NE(rec.notes[0].find("history[0] ignored"), std::string::npos) << rec.notes[0];
  EXPECT_NE(rec.notes[0].find("XXXXL"), std::string::npos) << rec.notes[0];
}

// An unknown product falls back to its brand, then its category, and says so.
TEST(FitInference, UnknownProductFallsBackToBrandThenCategory) {
  const SynthProductTruth& known = data().products[0];
  FitRequest r;
  r.product.product_id = "NEW-1";
  r.product.size_system = "eu";
  r.product.sizes = {"36", "38", "40", "42"};
  r.product.brand = known.brand;
  r.product.category = known.category;
  FitRecommendation brand = recommend_size(model(), r).value();
  EXPECT_EQ(brand.source, FitSource::kBrand);
  EXPECT_NE(brand.reason_text.find("new to the model, so its brand decides"), std::string::npos) << brand.reason_text;
  r.product.brand = "Unheard-Of";
  FitRecommendation category = recommend_size(model(), r).value();
  EXPECT_EQ(category.source, FitSource::kCategory);
  EXPECT_NE(category.reason_text.find("its category decides"), std::string::npos);
  r.product.category = "hats";
  FitRecommendation global = recommend_size(model(), r).value();
  EXPECT_EQ(global.source, FitSource::kGlobal);
  EXPECT_EQ(global.product_offset, 0.0);
  r.product.sizes.assign(kMaxProductSizes + 1, "38");
  EXPECT_EQ(recommend_size(model(), r).status().message(), "product 'NEW-1' lists 201 sizes; the limit is 200");
  r.product.sizes.clear();
  Result<FitRecommendation> no_sizes = recommend_size(model(), r);
  EXPECT_EQ(no_sizes.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(no_sizes.status().message(),
            "product 'NEW-1' is not in the model; pass its sizes (and brand, category) to get a suggestion");
}

TEST(FitInference, BadMeasurementsAreClearErrors) {
  FitRequest r = request_for("P00001");
  r.questionnaire.height_cm = std::nan("");
  EXPECT_EQ(recommend_size(model(), r).status().message(), "questionnaire: height_cm must be a finite number");
  r.questionnaire.height_cm = -160;
  EXPECT_EQ(recommend_size(model(), r).status().message(), "questionnaire: height_cm -160 is outside 100..230 cm");
  r.questionnaire.height_cm = 170;
  r.questionnaire.weight_kg = 4000;
  EXPECT_EQ(recommend_size(model(), r).status().message(), "questionnaire: weight_kg 4000 is outside 25..250 kg");
  r.questionnaire.weight_kg = std::numeric_limits<double>::infinity();
  EXPECT_EQ(recommend_size(model(), r).status().message(), "questionnaire: weight_kg must be a finite number");
  r.questionnaire.weight_kg.reset();
  r.questionnaire.age = 250;
  EXPECT_EQ(recommend_size(model(), r).status().message(), "questionnaire: age 250 is outside 12..100 years");
}

TEST(FitInference, MinConfidence) {
  FitRequest r = request_for("P00001");
  r.min_confidence = 0.999;
  FitRecommendation rec = recommend_size(model(), r).value();
  EXPECT_FALSE(rec.size.has_value());
  EXPECT_EQ(rec.reason, FitReason::kLowConfidence);
  EXPECT_EQ(rec.reason_text.rfind("No suggestion: confidence ", 0), 0u) << rec.reason_text;
  r.min_confidence = 1.5;
  EXPECT_EQ(recommend_size(model(), r).status().message(), "minConfidence must be a number from 0 to 1");
  r.min_confidence = std::nan("");
  EXPECT_EQ(recommend_size(model(), r).status().message(), "minConfidence must be a number from 0 to 1");
  r.min_confidence = -0.1;
  EXPECT_EQ(recommend_size(model(), r).status().message(), "minConfidence must be a number from 0 to 1");
}

// 10,000 history rows get an answer; more than the limit is refused.
TEST(FitInference, HugeHistories) {
  FitRequest r = request_for("P00001");
  for (int i = 0; i < 10000; ++i) {
    HistoryItem h;
    h.product.product_id = data().catalogue[static_cast<std::size_t>(i) % data().catalogue.size()].product_id;
    h.size = data().catalogue[static_cast<std::size_t>(i) % data().catalogue.size()].sizes[2];
    h.outcome = static_cast<FitOutcome>(i % 3);
    r.history.push_back(h);
  }
  FitRecommendation rec = recommend_size(model(), r).value();
  EXPECT_EQ(rec.history_used.size(), 10000u);
  expect_probabilities(rec);
  r.history.resize(kMaxHistoryRows + 1, r.history[0]);
  EXPECT_EQ(recommend_size(model(), r).status().message(), "history has 100001 rows; the limit is 100000");
}

TEST(FitInference, PredictFitMatchesRecommendation) {
  FitRequest r = request_for("P00004");
  r.questionnaire.weight_kg = 70;
  const FitRecommendation rec = recommend_size(model(), r).value();
  for (const SizeProbabilities& s : rec.sizes) {
    const SizeProbabilities p = predict_fit(model(), r.product, s.size, r.history, r.questionnaire).value();
    EXPECT_EQ(p.p_small, s.p_small);
    EXPECT_EQ(p.p_fit, s.p_fit);
    EXPECT_EQ(p.p_large, s.p_large);
  }
  const Status banana = predict_fit(model(), r.product, "banana", r.history, r.questionnaire).status();
  EXPECT_EQ(banana.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(banana.message().find("size 'banana' is not"), std::string::npos) << banana.message();
}

TEST(FitModelFile, RoundTripsThroughTheModelFileAndTheEngine) {
  ModelContent content{testing::test_header("fit"), {}, model(), {}, {}, {}};
  const std::vector<std::uint8_t> bytes = encode_model(content).value();
  Engine engine;
  ASSERT_TRUE(engine.load_model(bytes).is_ok());
  const FitRequest r = request_for("P00005");
  const FitRecommendation a = recommend_size(model(), r).value();
  const FitRecommendation b = engine.recommend_size(r).value();
  ASSERT_EQ(a.sizes.size(), b.sizes.size());
  for (std::size_t i = 0; i < a.sizes.size(); ++i) EXPECT_EQ(a.sizes[i].p_fit, b.sizes[i].p_fit);
  EXPECT_EQ(engine.model()->info.sections.back().name, "fit");
  EXPECT_TRUE(engine.model()->info.sections.back().required);
  // A model without a fit section says so.
  Engine plain;
  ASSERT_TRUE(plain.load_model(testing::golden_v1_0()).is_ok());
  EXPECT_EQ(plain.recommend_size(r).code(), ErrorCode::kNoFitModel);
  EXPECT_EQ(plain.recommend_size(r).status().message(), "the model 'golden-v1.0' has no fit section");
  EXPECT_EQ(Engine().recommend_size(r).code(), ErrorCode::kNoModel);
  EXPECT_EQ(Engine().recommend_size(r).status().message(), "no model is loaded; call loadModel first");
}

// Damage inside the fit section (with a repaired checksum) is a clean MODEL_MALFORMED_SECTION or a valid model.
// Every truncation of the fit section is refused with a message naming the section.
TEST(FitModelFile, TruncatedFitSectionNamesTheSection) {
  std::vector<std::string> strings;
  const std::vector<std::uint8_t> section = encode_fit_section(model(), [&](const std::string& s) {
    strings.push_back(s);
    return static_cast<std::uint32_t>(strings.size() - 1);
  });
  ASSERT_TRUE(decode_fit_section(section, strings, kFormatMinor).is_ok());
  for (std::size_t n = 0; n < section.size(); n += 1 + n / 64) {
    Result<FitModel> m = decode_fit_section(std::span(section.data(), n), strings, kFormatMinor);
    ASSERT_FALSE(m.is_ok()) << n;
    EXPECT_EQ(m.code(), ErrorCode::kModelMalformedSection) << n;
    EXPECT_EQ(m.status().message().rfind("section 'fit': ", 0), 0u) << n << ": " << m.status().message();
  }
}

TEST(FitModelFile, SurvivesDamageInsideTheFitSection) {
  ModelContent content{testing::test_header("fit"), {}, model(), {}, {}, {}};
  const std::vector<std::uint8_t> bytes = encode_model(content).value();
  std::mt19937 rng(5);
  int malformed = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    auto file = bytes;
    const std::size_t at = file.size() / 2 + rng() % (file.size() / 2);
    file[at] = static_cast<std::uint8_t>(rng());
    if (iter % 3 == 0) file.resize(file.size() - 1 - rng() % 50);
    testing::reseal(file);
    Result<Model> m = parse_model(file);
    if (!m.is_ok()) {
      ++malformed;
      EXPECT_TRUE(m.code() == ErrorCode::kModelMalformedSection || m.code() == ErrorCode::kModelMalformedHeader)
          << m.status().to_string();
    } else if (m.value().fit) {
      FitRequest r = request_for(m.value().fit->products.front().params.name);
      (void)recommend_size(*m.value().fit, r);  // must not crash
    }
  }
  EXPECT_GT(malformed, 1000);
}

}  // namespace
}  // namespace cabine

namespace cabine {
namespace {

// Decimal product ids are stored as deltas in numeric order and come back unchanged;
// ids with letters or leading zeros keep the string form.
TEST(FitModelFile, NumericProductIdsRoundTrip) {
  FitModel m = model();
  for (std::size_t i = 0; i < m.products.size(); ++i) m.products[i].params.name = std::to_string(1000 + 7 * i * i);
  m.products.back().params.name = "90071992547409";  // large but below 2^53
  ModelContent content{testing::test_header("ids"), {}, m, {}, {}, {}};
  const Result<Model> loaded = parse_model(encode_model(content).value());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  for (std::size_t i = 0; i < m.products.size(); ++i) EXPECT_EQ(loaded.value().fit->products[i].params.name, m.products[i].params.name);
  EXPECT_EQ(loaded.value().fit->find_product("1007"), 1);
  // Out of order ids are refused by the writer.
  std::swap(m.products[0], m.products[1]);
  content.fit = m;
  EXPECT_EQ(encode_model(content).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cabine
