// Synthetic recovery: on data generated from known sizes and offsets, training
// recovers the offsets and the recommendations hit the true best size.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "cabine/fit_synth.h"
#include "cabine/fit_train.h"

namespace cabine {
namespace {

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i] / n, mb += b[i] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

struct Trained {
  SynthData data;
  FitModel model;
};

const Trained& trained() {
  static const Trained t = [] {
    SynthOptions options;
    options.customers = 4000;
    options.products = 150;
    options.seed = 7;
    Trained out{synthesize_fit_data(options), {}};
    FitTrainOptions train;
    train.holdout_fraction = 0;
    Result<FitModel> model = train_fit(out.data.purchases, out.data.catalogue, train);
    EXPECT_TRUE(model.is_ok()) << model.status().to_string();
    out.model = std::move(model).value();
    return out;
  }();
  return t;
}

double total_offset(const FitModel& m, const std::string& id) {
  const FitProduct& p = m.products[static_cast<std::size_t>(m.find_product(id))];
  double o = p.params.offset;
  if (p.brand >= 0) o += m.brands[static_cast<std::size_t>(p.brand)].offset;
  if (p.category >= 0) o += m.categories[static_cast<std::size_t>(p.category)].offset;
  return o;
}

// Acceptance: trained product offsets correlate >= 0.95 with the true ones.
TEST(FitSynthetic, OffsetsCorrelateWithTruth) {
  const Trained& t = trained();
  std::vector<double> learned, truth;
  for (const SynthProductTruth& p : t.data.products) {
    learned.push_back(total_offset(t.model, p.product_id));
    truth.push_back(p.offset);
  }
  const double r = correlation(learned, truth);
  std::printf("offset correlation with truth: %.4f over %zu products\n", r, truth.size());
  EXPECT_GE(r, 0.95);
}

// The per-product flag follows the true offset for clearly off-size products.
TEST(FitSynthetic, FlagsFollowTrueOffsets) {
  const Trained& t = trained();
  int checked = 0, right = 0;
  for (const SynthProductTruth& p : t.data.products) {
    if (std::fabs(p.offset) < 1.5) continue;  // three quarters of a size step or more
    const FitFlag flag = product_flag(t.model, p.product_id).value();
    ++checked;
    right += (p.offset < 0 && flag == FitFlag::kRunsSmall) || (p.offset > 0 && flag == FitFlag::kRunsLarge);
  }
  ASSERT_GT(checked, 20);
  std::printf("products 0.75 steps or more off size flagged the right way: %d of %d (%.1f%%)\n", right, checked,
              100.0 * right / checked);
  EXPECT_GE(static_cast<double>(right) / checked, 0.9) << right << " of " << checked;
}

// Acceptance: shoppers with >= 3 history rows get the true best size in at least
// the share docs/fit-model.md states (60 %; sizes are one EU step apart and the
// shopper's size is known to about half a step), and a size within one step of
// it at least 97 % of the time.
TEST(FitSynthetic, RecommendationsHitTrueBestSize) {
  const Trained& t = trained();
  std::unordered_map<std::string, std::vector<HistoryItem>> history;
  for (const Purchase& p : t.data.purchases) {
    HistoryItem item;
    item.product.product_id = p.product_id;
    item.size = p.size;
    item.outcome = p.outcome;
    history[p.customer_id].push_back(item);
  }
  int asked = 0, hit = 0, near = 0;
  for (std::size_t i = 0; i < t.data.customers.size(); ++i) {
    const SynthCustomerTruth& c = t.data.customers[i];
    const auto& items = history[c.customer_id];
    if (items.size() < 3) continue;
    const CatalogueEntry& product = t.data.catalogue[(i * 7919) % t.data.catalogue.size()];
    const double offset = t.data.products[(i * 7919) % t.data.products.size()].offset;
    FitRequest request;
    request.product.product_id = product.product_id;
    request.history = items;
    request.questionnaire = c.body;
    Result<FitRecommendation> rec = recommend_size(t.model, request);
    ASSERT_TRUE(rec.is_ok()) << rec.status().to_string();
    ASSERT_TRUE(rec.value().size.has_value());
    ++asked;
    const std::string best = true_best_size(product, c.size, offset);
    hit += *rec.value().size == best;
    auto index = [&](const std::string& label) { return std::find(product.sizes.begin(), product.sizes.end(), label) - product.sizes.begin(); };
    near += std::abs(index(*rec.value().size) - index(best)) <= 1;
  }
  const double share = static_cast<double>(hit) / asked;
  const double near_share = static_cast<double>(near) / asked;
  std::printf("true best size recommended for %d of %d shoppers with >= 3 rows (%.1f%%), within one size %.1f%%\n", hit,
              asked, 100 * share, 100 * near_share);
  ASSERT_GT(asked, 500);
  EXPECT_GE(share, 0.60);
  EXPECT_GE(near_share, 0.97);
}

}  // namespace
}  // namespace cabine
