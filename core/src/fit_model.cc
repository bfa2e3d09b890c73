// Fit inference: the shopper's size posterior, per-size probabilities, the
// recommendation with its confidence, flag and reason. docs/fit-model.md.
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "byte_io.h"
#include "cabine/fit_model.h"
#include "fit_internal.h"

namespace cabine {
namespace internal {

namespace {

double clip(double v, double lim) { return std::max(-lim, std::min(lim, v)); }

}  // namespace

Result<ResolvedProduct> resolve_product(const FitModel& m, const ProductRef& ref) {
  ResolvedProduct r;
  r.small_logit = m.global.small_logit;
  r.large_logit = m.global.large_logit;
  r.parent_small_logit = m.global.small_logit;
  r.parent_large_logit = m.global.large_logit;
  const int pi = m.find_product(ref.product_id);
  int bi = -1, ci = -1;
  if (pi >= 0) {
    const FitProduct& p = m.products[static_cast<std::size_t>(pi)];
    bi = p.brand;
    ci = p.category;
    r.system = p.size_system;
    r.sizes = m.size_lists[p.size_list];
  } else {
    bi = m.find_brand(ref.brand);
    ci = m.find_category(ref.category);
    if (ref.sizes.empty())
      return error_status(ErrorCode::kInvalidArgument,
                          {"product '", ref.product_id,
                           "' is not in the model; pass its sizes (and brand, category) to get a suggestion"});
    if (ref.sizes.size() > kMaxProductSizes)
      return error_status(ErrorCode::kInvalidArgument, {"product '", ref.product_id, "' lists ", ref.sizes.size(),
                                                        " sizes; the limit is ", kMaxProductSizes});
    r.sizes = ref.sizes;
    Result<SizeSystem> system = system_or_inferred(ref.size_system, ref.sizes.front());
    if (!system.is_ok()) return system.status();
    r.system = system.value();
  }
  r.residual = m.global.residual;
  if (ci >= 0) {
    const FitGroupParams& c = m.categories[static_cast<std::size_t>(ci)];
    r.offset += c.offset;
    r.band += c.band;
    r.small_logit = r.parent_small_logit = c.small_logit;
    r.large_logit = r.parent_large_logit = c.large_logit;
    r.residual = c.residual;
    r.log_count = 0;  // the product itself has no purchases
    r.source = FitSource::kCategory;
    r.category = c.name;
    r.category_index = ci;
  }
  if (bi >= 0) {
    const FitGroupParams& b = m.brands[static_cast<std::size_t>(bi)];
    r.offset += b.offset;
    r.band += b.band;
    r.source = FitSource::kBrand;
  }
  r.parent_offset = r.offset;
  r.parent_band = r.band;
  if (pi >= 0) {
    const FitGroupParams& p = m.products[static_cast<std::size_t>(pi)].params;
    r.residual = p.residual;
    r.offset += p.offset;
    r.band += p.band;
    r.small_logit = p.small_logit;
    r.large_logit = p.large_logit;
    r.log_count = p.log_count;
    r.source = FitSource::kProduct;
  }
  r.dimension = m.find_dimension(size_dimension(r.system));
  if (r.dimension == nullptr)
    return error_status(
        ErrorCode::kInvalidArgument,
        {"the model has no ", size_dimension_name(size_dimension(r.system)), " sizes, so it cannot suggest a ",
         size_system_name(r.system), " size",
         pi < 0 && ref.size_system.empty() ? "; set the product's sizeSystem (e.g. \"eu\") if the labels are dress sizes" : ""});
  r.values.reserve(r.sizes.size());
  for (const std::string& label : r.sizes) {
    Result<SizeValue> v = parse_size(r.system, label);
    if (!v.is_ok()) return error_status(ErrorCode::kInvalidArgument, {"product '", ref.product_id, "': ", v.status().message()});
    r.values.push_back(v.value().value);
  }
  return r;
}

bool has_any_body(const BodyMeasurements& b) {
  return b.height_cm || b.weight_kg || b.age || !b.bust.empty() || !b.body_type.empty();
}

std::vector<double> body_features(const FitModel& m, const BodyMeasurements& body) {
  std::array<std::optional<double>, kBodyNumericFeatures> raw = {body.height_cm, body.weight_kg, body.age, {}, {}};
  if (!body.bust.empty()) {
    Result<Bust> bust = parse_bust(body.bust);
    if (bust.is_ok()) {
      raw[3] = bust.value().band;
      raw[4] = bust.value().cup;
    }
  }
  std::vector<double> f(static_cast<std::size_t>(m.body_feature_count()), 0.0);
  for (int k = 0; k < kBodyNumericFeatures; ++k) {
    if (raw[k]) {
      const double sd = m.body_sd[k] > 0 ? m.body_sd[k] : 1.0;
      f[k] = clip((*raw[k] - m.body_mean[k]) / sd, 6);
    } else {
      f[kBodyNumericFeatures + k] = 1.0;
    }
  }
  for (std::size_t t = 0; t < m.body_types.size(); ++t)
    if (m.body_types[t] == body.body_type) f[2 * kBodyNumericFeatures + t] = 1.0;
  return f;
}

GridLogLik history_loglik(const FitModel& m, const FitDimension& d, double offset, double band, double x, int outcome) {
  const BandParams b = band_for(m, band);
  GridLogLik ll{};
  const double step = (d.grid_hi - d.grid_lo) / (kFitGridPoints - 1);
  for (int g = 0; g < kFitGridPoints; ++g) {
    const double s = d.grid_lo + step * g;
    ll[g] = std::log(structural_probs(b, (s - x - offset) / d.step)[static_cast<std::size_t>(outcome)]);
  }
  return ll;
}

Prior size_prior(const FitDimension& d, std::span<const double> body_feats, bool body_given) {
  if (body_given && d.has_questionnaire && body_feats.size() == d.questionnaire_weights.size()) {
    double mean = d.questionnaire_intercept;
    for (std::size_t k = 0; k < body_feats.size(); ++k) mean += d.questionnaire_weights[k] * body_feats[k];
    return {mean, d.questionnaire_sd, true};
  }
  return {d.population_mean, d.population_sd, false};
}

Posterior make_posterior(const FitDimension& d, const Prior& prior, const GridLogLik& loglik_sum) {
  Posterior p;
  const double step = (d.grid_hi - d.grid_lo) / (kFitGridPoints - 1);
  double best = -1e300;
  std::array<double, kFitGridPoints> lp{};
  for (int g = 0; g < kFitGridPoints; ++g) {
    p.grid[g] = d.grid_lo + step * g;
    const double z = (p.grid[g] - prior.mean) / prior.sd;
    lp[g] = -0.5 * z * z + loglik_sum[g];
    best = std::max(best, lp[g]);
  }
  double total = 0;
  for (int g = 0; g < kFitGridPoints; ++g) total += (p.prob[g] = std::exp(lp[g] - best));
  double mean = 0, sq = 0;
  for (int g = 0; g < kFitGridPoints; ++g) {
    p.prob[g] /= total;
    mean += p.prob[g] * p.grid[g];
  }
  for (int g = 0; g < kFitGridPoints; ++g) sq += p.prob[g] * (p.grid[g] - mean) * (p.grid[g] - mean);
  p.mean = mean;
  p.sd = std::sqrt(sq);
  return p;
}

Probs integrated_structural(const FitModel& m, const FitDimension& d, const Posterior& post, double offset,
                            double band, double x) {
  const BandParams b = band_for(m, band);
  Probs out{0, 0, 0};
  for (int g = 0; g < kFitGridPoints; ++g) {
    if (post.prob[g] < 1e-12) continue;
    const Probs p = structural_probs(b, (post.grid[g] - x - offset) / d.step);
    for (int k = 0; k < 3; ++k) out[k] += post.prob[g] * p[k];
  }
  for (double& v : out) v = std::max(v, kProbFloor);
  return out;
}

std::vector<double> head_features(const FitModel& m, const FitDimension& d, const Posterior& post, const Prior& prior,
                                  const ResolvedProduct& p, double x, std::size_t index, const HistoryStats& hist,
                                  std::span<const double> body_feats) {
  std::vector<double> f;
  f.reserve(static_cast<std::size_t>(m.head_feature_count()));
  const double step = d.step;
  // The latent-size model with the brand and category offsets only: product
  // knowledge enters through the product statistics below, which training
  // computes from earlier purchases only (so new products are represented).
  const Probs s = integrated_structural(m, d, post, p.parent_offset, p.parent_band, x);
  const double u = (post.mean - x - p.parent_offset) / step;
  const double res = clip((x - prior.mean) / step, 8);       // label vs the body's size
  const double ioff = clip(p.residual / step, 8);            // how much larger people buy this product
  const double z = res - ioff;
  const double zc = clip((x - post.mean - p.residual) / step, 8);  // label vs this shopper, at this product
  const std::size_t n_sizes = std::max<std::size_t>(1, p.values.size());
  const double lo = p.values.empty() ? x : p.values.front(), hi = p.values.empty() ? x : p.values.back();
  const double pos = n_sizes > 1 ? static_cast<double>(index) / static_cast<double>(n_sizes - 1) : 0.5;
  const FitSizeStat* by_size = m.find_size_stat(d.dimension, -1, x);
  const FitSizeStat* by_cat_size = p.category_index >= 0 ? m.find_size_stat(d.dimension, p.category_index, x) : nullptr;
  if (by_cat_size == nullptr) by_cat_size = by_size;
  const double n_hist = hist.n;
  f.push_back(1.0);                                                        // 0 bias
  f.push_back(clip(std::log(s[0] / s[1]), 12));                            // 1-2 latent-size model
  f.push_back(clip(std::log(s[2] / s[1]), 12));
  f.push_back(clip(u, 8));                                                 // 3-6 size difference and uncertainty
  f.push_back(std::fabs(clip(u, 8)));
  f.push_back(std::min(u * u, 64.0));
  f.push_back(clip(post.sd / step, 8));
  f.push_back(clip(p.small_logit, 8));                                     // 7-11 product statistics
  f.push_back(clip(p.large_logit, 8));
  f.push_back(p.log_count);
  f.push_back(clip(p.small_logit, 8) * p.log_count);
  f.push_back(clip(p.large_logit, 8) * p.log_count);
  f.push_back(ioff);                                                       // 12
  f.push_back(clip(p.parent_small_logit, 8));                              // 13-14 category statistics
  f.push_back(clip(p.parent_large_logit, 8));
  f.push_back(res);                                                        // 15-18 body residuals
  f.push_back(z);
  f.push_back(std::min(z * z, 64.0));
  f.push_back(std::min(res * res, 64.0));
  f.push_back(std::log1p(n_hist));                                         // 19-22 the shopper's history
  f.push_back(std::log((hist.n_small + 0.25) / (n_hist - hist.n_small - hist.n_large + 1.0)));
  f.push_back(std::log((hist.n_large + 0.25) / (n_hist - hist.n_small - hist.n_large + 1.0)));
  f.push_back(n_hist > 0 ? clip((x - hist.size_sum / n_hist) / step, 8) : 0.0);
  f.push_back(zc);                                                         // 23-25
  f.push_back(std::fabs(zc));
  f.push_back(std::min(zc * zc, 64.0));
  f.push_back(pos);                                                        // 26-32 the size within the product's range
  f.push_back((pos - 0.5) * (pos - 0.5));
  f.push_back(std::log(static_cast<double>(n_sizes)));
  f.push_back(index == 0 ? 1.0 : 0.0);
  f.push_back(index + 1 == n_sizes ? 1.0 : 0.0);
  f.push_back(index == 1 ? 1.0 : 0.0);
  f.push_back(index + 2 == n_sizes ? 1.0 : 0.0);
  f.push_back(clip((prior.mean - hi) / step, 8));                          // 33-34 the body beyond the range
  f.push_back(clip((lo - prior.mean) / step, 8));
  f.push_back(by_cat_size ? clip(by_cat_size->small_logit, 8) : clip(m.global.small_logit, 8));  // 35-38 size tables
  f.push_back(by_cat_size ? clip(by_cat_size->large_logit, 8) : clip(m.global.large_logit, 8));
  f.push_back(by_size ? clip(by_size->small_logit, 8) : clip(m.global.small_logit, 8));
  f.push_back(by_size ? clip(by_size->large_logit, 8) : clip(m.global.large_logit, 8));
  f.push_back(by_size ? 1.0 : 0.0);                                        // 39
  f.push_back(p.source == FitSource::kProduct ? 1.0 : 0.0);                // 40
  f.push_back(clip(std::log(s[0] / s[1]), 12) * (n_hist > 0 ? 1.0 : 0.0)); // 41-42 model terms when history exists
  f.push_back(clip(std::log(s[2] / s[1]), 12) * (n_hist > 0 ? 1.0 : 0.0));
  f.push_back(prior.from_questionnaire ? 1.0 : 0.0);                       // 43
  f.push_back(clip(ioff * p.log_count, 30));                               // 44
  f.push_back(clip((x - lo) / step, 8));                                   // 45-46 distance to the range's ends
  f.push_back(clip((hi - x) / step, 8));
  // 47-51 the shopper's size as the history's label-adjusted residuals see it
  const double cust_u = clip(hist.adjusted_sum / (n_hist + 1.0) / step, 8);
  const double zc2 = clip(z - cust_u, 8);
  f.push_back(cust_u);
  f.push_back(zc2);
  f.push_back(std::fabs(zc2));
  f.push_back(std::min(zc2 * zc2, 64.0));
  const double mean_adj = n_hist > 0 ? hist.adjusted_sum / n_hist : 0.0;
  const double var_adj = n_hist > 0 ? std::max(hist.adjusted_sq / n_hist - mean_adj * mean_adj, 0.0) : 0.0;
  f.push_back(clip(std::sqrt(var_adj + step * step / (n_hist + 1.0)) / step, 8));
  // 52-55 a product without purchases leans on other signals
  const double fresh = p.source == FitSource::kProduct ? 0.0 : 1.0;
  f.push_back(fresh * res);
  f.push_back(fresh * z);
  f.push_back(fresh * f[35]);
  f.push_back(fresh * f[36]);
  // 56-70 piecewise-linear terms of the three size differences (hinges at -2..2 steps)
  for (const double v : {res, z, zc2})
    for (int knot = -2; knot <= 2; ++knot) f.push_back(std::max(0.0, v - knot));
  // 71-74 how the product runs, against how this label sits on the shopper
  f.push_back(clip(p.small_logit, 8) * z);
  f.push_back(clip(p.large_logit, 8) * z);
  f.push_back(clip(p.small_logit, 8) * zc2);
  f.push_back(clip(p.large_logit, 8) * zc2);
  for (double b : body_feats) f.push_back(b);                              // body features
  f.resize(static_cast<std::size_t>(m.head_feature_count()), 0.0);
  return f;
}

Probs head_probs(const FitModel& m, std::span<const double> f) {
  double z0 = 0, z1 = 0;
  for (std::size_t k = 0; k < f.size() && k < m.head_small.size(); ++k) {
    z0 += m.head_small[k] * f[k];
    z1 += m.head_large[k] * f[k];
  }
  const double hi = std::max({0.0, z0, z1});
  const double es = std::exp(z0 - hi), ef = std::exp(-hi), el = std::exp(z1 - hi);
  const double total = es + ef + el;
  return {es / total, ef / total, el / total};
}

}  // namespace internal

namespace {

using namespace internal;

// Groups are sorted by name (validate_fit_model checks it), so lookups are binary searches.
template <typename T, typename Key>
int find_sorted(const std::vector<T>& items, std::string_view name, Key key) {
  if (name.empty()) return -1;
  auto it = std::lower_bound(items.begin(), items.end(), name,
                             [&](const T& item, std::string_view n) { return key(item) < n; });
  if (it == items.end() || key(*it) != name) return -1;
  return static_cast<int>(it - items.begin());
}

int percent(double p) { return static_cast<int>(std::lround(p * 100)); }

// Offset, band and system of a product in the shopper's history (no size list needed).
struct HistoryProduct {
  double offset = 0, band = 0, residual = 0;
  bool known_system = false;
  SizeSystem system = SizeSystem::kNumeric;
  int brand_index = -1, category_index = -1;
};

HistoryProduct resolve_history_product(const FitModel& m, const ProductRef& ref) {
  HistoryProduct h;
  const int pi = m.find_product(ref.product_id);
  int bi = m.find_brand(ref.brand), ci = m.find_category(ref.category);
  h.residual = m.global.residual;
  if (ci >= 0 && pi < 0) h.residual = m.categories[static_cast<std::size_t>(ci)].residual;
  if (pi >= 0) {
    const FitProduct& p = m.products[static_cast<std::size_t>(pi)];
    bi = p.brand;
    ci = p.category;
    h.residual = p.params.residual;
    h.offset += p.params.offset;
    h.band += p.params.band;
    h.system = p.size_system;
    h.known_system = true;
  }
  if (bi >= 0) h.offset += m.brands[static_cast<std::size_t>(bi)].offset, h.band += m.brands[static_cast<std::size_t>(bi)].band;
  if (ci >= 0) h.offset += m.categories[static_cast<std::size_t>(ci)].offset, h.band += m.categories[static_cast<std::size_t>(ci)].band;
  if (!h.known_system && !ref.size_system.empty()) {
    Result<SizeSystem> s = parse_size_system(ref.size_system);
    if (s.is_ok()) h.system = s.value(), h.known_system = true;
  }
  h.brand_index = bi;
  h.category_index = ci;
  return h;
}

// "Acme Jeans", "Acme dress", "dress 123": how a reason text names a history item.
std::string history_label(const FitModel& m, const ProductRef& ref, const HistoryProduct& h) {
  if (!ref.name.empty()) return ref.name;
  const std::string& brand = h.brand_index >= 0 ? m.brands[static_cast<std::size_t>(h.brand_index)].name : ref.brand;
  const std::string& category = h.category_index >= 0 ? m.categories[static_cast<std::size_t>(h.category_index)].name : ref.category;
  if (!brand.empty()) return category.empty() ? brand : cat({brand, " ", category});
  if (category.empty()) return cat({"item ", ref.product_id});
  return cat({category, " ", ref.product_id});
}

// Everything the per-size answers share: the product, the shopper's posterior and history statistics.
struct Evaluation {
  ResolvedProduct product;
  Posterior posterior;
  Prior prior{};
  HistoryStats stats;
  std::vector<double> body;
  std::vector<std::size_t> used;
  std::vector<std::string> used_text;
  std::vector<std::string> notes;
};

// Fills `e`; a Status rather than a Result<Evaluation> keeps the failure paths short in the wasm.
Status evaluate(const FitModel& m, const ProductRef& product, const std::vector<HistoryItem>& history,
                const BodyMeasurements& body, Evaluation& e) {
  if (history.size() > kMaxHistoryRows)
    return error_status(ErrorCode::kInvalidArgument,
                        {"history has ", history.size(), " rows; the limit is ", kMaxHistoryRows});
  Status body_ok = validate_body(body);
  if (!body_ok.is_ok()) return error_status(ErrorCode::kInvalidArgument, {"questionnaire: ", body_ok.message()});
  Result<ResolvedProduct> resolved = resolve_product(m, product);
  if (!resolved.is_ok()) return resolved.status();
  e.product = std::move(resolved).value();
  const FitDimension& d = *e.product.dimension;
  e.body = body_features(m, body);
  e.prior = size_prior(d, e.body, has_any_body(body));
  GridLogLik sum{};
  for (std::size_t i = 0; i < history.size(); ++i) {
    const HistoryItem& item = history[i];
    if (item.outcome == FitOutcome::kReturnedOther) {
      e.notes.push_back(cat({"history[", i, "] ignored: returned for a reason other than fit"}));
      continue;
    }
    HistoryProduct hp = resolve_history_product(m, item.product);
    const SizeSystem system = hp.known_system ? hp.system : infer_size_system(item.size);
    Result<SizeValue> v = parse_size(system, item.size);
    if (!v.is_ok()) {
      e.notes.push_back(cat({"history[", i, "] ignored: ", v.status().message()}));
      continue;
    }
    if (size_dimension(system) != d.dimension) {
      e.notes.push_back(cat({"history[", i, "] ignored: its ", size_dimension_name(size_dimension(system)),
                             " size says nothing about ", size_dimension_name(d.dimension), " sizes"}));
      continue;
    }
    const double x = v.value().value;
    const GridLogLik ll = history_loglik(m, d, hp.offset, hp.band, x, static_cast<int>(item.outcome));
    for (int g = 0; g < kFitGridPoints; ++g) sum[g] += ll[g];
    e.stats.n += 1;
    e.stats.n_small += item.outcome == FitOutcome::kTooSmall;
    e.stats.n_large += item.outcome == FitOutcome::kTooLarge;
    e.stats.size_sum += x;
    const double adj = adjusted_residual(x, e.prior.mean, hp.residual, static_cast<int>(item.outcome), d.step);
    e.stats.adjusted_sum += adj;
    e.stats.adjusted_sq += adj * adj;
    e.used.push_back(i);
    if (e.used_text.size() < 2) {
      const std::string& size = item.size;
      const std::string label = history_label(m, item.product, hp);
      if (item.outcome == FitOutcome::kKept)
        e.used_text.push_back(cat({"You kept ", size, " in ", label}));
      else if (item.outcome != FitOutcome::kReturnedOther)
        e.used_text.push_back(cat({label, " in ", size,
                                   item.outcome == FitOutcome::kTooSmall ? " was too small for you" : " was too large for you"}));
    }
  }
  e.posterior = make_posterior(d, e.prior, sum);
  return Status::ok();
}

SizeProbabilities answer_for(const FitModel& m, const Evaluation& e, std::size_t j, double x, const std::string& label) {
  const FitDimension& d = *e.product.dimension;
  Probs p = integrated_structural(m, d, e.posterior, e.product.offset, e.product.band, x);
  if (m.has_head()) p = head_probs(m, head_features(m, d, e.posterior, e.prior, e.product, x, j, e.stats, e.body));
  return {label, p[0], p[1], p[2]};
}

FitFlag flag_for(double offset, double step) {
  if (offset < -0.35 * step) return FitFlag::kRunsSmall;
  if (offset > 0.35 * step) return FitFlag::kRunsLarge;
  return FitFlag::kTrueToSize;
}

}  // namespace

int FitModel::find_product(std::string_view id) const {
  if (id.empty()) return -1;
  auto it = std::lower_bound(products.begin(), products.end(), id,
                             [](const FitProduct& p, std::string_view n) { return product_id_less(p.params.name, n); });
  if (it == products.end() || it->params.name != id) return -1;
  return static_cast<int>(it - products.begin());
}
int FitModel::find_brand(std::string_view name) const {
  return find_sorted(brands, name, [](const FitGroupParams& g) -> const std::string& { return g.name; });
}
int FitModel::find_category(std::string_view name) const {
  return find_sorted(categories, name, [](const FitGroupParams& g) -> const std::string& { return g.name; });
}
const FitSizeStat* FitModel::find_size_stat(SizeDimension dim, std::int32_t category, double value) const {
  const auto key = std::make_tuple(dim, category, value);
  auto it = std::lower_bound(size_stats.begin(), size_stats.end(), key, [](const FitSizeStat& s, const auto& k) {
    return std::make_tuple(s.dimension, s.category, static_cast<double>(s.value)) < k;
  });
  if (it == size_stats.end() || it->dimension != dim || it->category != category || it->value != static_cast<float>(value))
    return nullptr;
  return &*it;
}

const FitDimension* FitModel::find_dimension(SizeDimension dim) const {
  for (const FitDimension& d : dimensions)
    if (d.dimension == dim) return &d;
  return nullptr;
}

std::string_view fit_source_name(FitSource source) {
  switch (source) {
    case FitSource::kProduct: return "product";
    case FitSource::kBrand: return "brand";
    case FitSource::kCategory: return "category";
    case FitSource::kGlobal: return "global";
  }
  return "global";
}

std::string_view fit_flag_name(FitFlag flag) {
  switch (flag) {
    case FitFlag::kRunsSmall: return "runs_small";
    case FitFlag::kTrueToSize: return "true_to_size";
    case FitFlag::kRunsLarge: return "runs_large";
  }
  return "true_to_size";
}

std::string_view fit_reason_name(FitReason reason) {
  switch (reason) {
    case FitReason::kFromHistory: return "FROM_HISTORY";
    case FitReason::kFromQuestionnaire: return "FROM_QUESTIONNAIRE";
    case FitReason::kFromPopulation: return "FROM_POPULATION";
    case FitReason::kLowConfidence: return "LOW_CONFIDENCE";
  }
  return "FROM_POPULATION";
}

Result<FitRecommendation> recommend_size(const FitModel& m, const FitRequest& request) {
  if (!std::isfinite(request.min_confidence) || request.min_confidence < 0 || request.min_confidence > 1)
    return Status(ErrorCode::kInvalidArgument, "minConfidence must be a number from 0 to 1");
  Evaluation e;
  Status evaluated = evaluate(m, request.product, request.history, request.questionnaire, e);
  if (!evaluated.is_ok()) return evaluated;
  const ResolvedProduct& p = e.product;
  const FitDimension& d = *p.dimension;

  FitRecommendation out;
  for (std::size_t j = 0; j < p.sizes.size(); ++j) out.sizes.push_back(answer_for(m, e, j, p.values[j], p.sizes[j]));

  // Confidence: the posterior mass of shopper sizes for which this size is the
  // closest to the product's effective size.
  std::vector<double> mass(p.sizes.size(), 0.0);
  for (int g = 0; g < kFitGridPoints; ++g) {
    std::size_t best = 0;
    double best_gap = 1e300;
    for (std::size_t j = 0; j < p.values.size(); ++j) {
      const double gap = std::fabs(e.posterior.grid[g] - p.values[j] - p.offset);
      if (gap < best_gap) best_gap = gap, best = j;
    }
    mass[best] += e.posterior.prob[g];
  }
  // The shopper's own returns of this very product bound the suggestion: never
  // a size at or below one that was too small, nor at or above one that was too large.
  std::string allowed(p.sizes.size(), '\1');  // a flag per size (std::string: no vector<bool> code in the wasm)
  std::string bound_note;
  std::string_view bound_way;
  if (!request.product.product_id.empty()) {
    for (const std::size_t i : e.used) {
      const HistoryItem& item = request.history[i];
      if (item.product.product_id != request.product.product_id ||
          (item.outcome != FitOutcome::kTooSmall && item.outcome != FitOutcome::kTooLarge))
        continue;
      const Result<SizeValue> v = parse_size(p.system, item.size);
      if (!v.is_ok()) continue;
      for (std::size_t j = 0; j < p.values.size(); ++j)
        if (item.outcome == FitOutcome::kTooSmall ? p.values[j] <= v.value().value : p.values[j] >= v.value().value) allowed[j] = '\0';
      if (bound_note.empty()) {
        const bool small = item.outcome == FitOutcome::kTooSmall;
        bound_note = cat({item.size, " of this product was too ", small ? "small" : "large", " for you"});
        bound_way = small ? "larger" : "smaller";
      }
    }
  }
  std::size_t chosen = static_cast<std::size_t>(std::max_element(mass.begin(), mass.end()) - mass.begin());
  if (allowed[chosen] == '\0') {
    std::size_t best = p.sizes.size();
    for (std::size_t j = 0; j < p.sizes.size(); ++j)
      if (allowed[j] != '\0' && (best == p.sizes.size() || mass[j] > mass[best])) best = j;
    if (best < p.sizes.size()) {
      chosen = best;
      e.notes.push_back(cat({bound_note, ", so a ", bound_way, " size"}));
    } else {
      e.notes.push_back(cat({bound_note, " and there is no ", bound_way, " size"}));
    }
  }
  out.confidence = mass[chosen];
  out.source = p.source;
  out.product_offset = p.offset;
  out.flag = flag_for(p.offset, d.step);
  out.history_used = e.used;
  out.notes = e.notes;
  out.size_mean = e.posterior.mean;
  out.size_sd = e.posterior.sd;

  const std::string& rec = p.sizes[chosen];
  const std::string_view noun = p.category.empty() ? std::string_view("item") : std::string_view(p.category);
  const std::string_view how = out.flag == FitFlag::kRunsSmall   ? "runs small"
                               : out.flag == FitFlag::kRunsLarge ? "runs large"
                                                                 : "is true to size";
  std::string text;
  if (!e.used.empty()) {
    out.reason = FitReason::kFromHistory;
    for (std::size_t k = 0; k < e.used_text.size(); ++k) {
      if (k) text += "; ";
      text += e.used_text[k];
    }
    text += cat({"; this ", noun, " ", how, ", so ", rec});
  } else if (e.prior.from_questionnaire) {
    out.reason = FitReason::kFromQuestionnaire;
    text = cat({"From your measurements, ", rec, "; this ", noun, " ", how});
  } else {
    out.reason = FitReason::kFromPopulation;
    text = cat({"Most shoppers take ", rec, " in this ", noun, ", which ", how,
                "; add your measurements or past purchases for a personal suggestion"});
  }
  if (p.source != FitSource::kProduct)
    text += cat({". This product is new to the model, so its ", fit_source_name(p.source), " decides how it runs"});
  if (out.confidence < request.min_confidence) {
    out.reason = FitReason::kLowConfidence;
    text = cat({"No suggestion: confidence ", percent(out.confidence), "% is below ", percent(request.min_confidence),
                "%. Best guess: ", text});
  } else {
    out.size = rec;
  }
  text += '.';
  out.reason_text = std::move(text);
  return out;
}

HistoryItem history_item_from(const Purchase& purchase) {
  HistoryItem item;
  item.product.product_id = purchase.product_id;
  item.product.brand = purchase.brand;
  item.product.category = purchase.category;
  item.product.size_system = purchase.size_system;
  item.size = purchase.size;
  item.outcome = purchase.outcome;
  return item;
}

Result<SizeProbabilities> predict_fit(const FitModel& m, const ProductRef& product, std::string_view size,
                                      const std::vector<HistoryItem>& history, const BodyMeasurements& body) {
  Evaluation e;
  Status evaluated = evaluate(m, product, history, body, e);
  if (!evaluated.is_ok()) return evaluated;
  Result<SizeValue> v = parse_size(e.product.system, size);
  if (!v.is_ok()) return v.status();
  // The size's position in the product's list: its own index, or the nearest value's.
  std::size_t index = 0;
  for (std::size_t j = 0; j < e.product.values.size(); ++j)
    if (std::fabs(e.product.values[j] - v.value().value) < std::fabs(e.product.values[index] - v.value().value)) index = j;
  return answer_for(m, e, index, v.value().value, std::string(size));
}

Result<FitFlag> product_flag(const FitModel& m, std::string_view product_id) {
  const int pi = m.find_product(product_id);
  if (pi < 0) return error_status(ErrorCode::kInvalidArgument, {"product '", product_id, "' is not in the model"});
  ProductRef ref;
  ref.product_id = std::string(product_id);
  Result<ResolvedProduct> r = resolve_product(m, ref);
  if (!r.is_ok()) return r.status();
  return flag_for(r.value().offset, r.value().dimension->step);
}

}  // namespace cabine
