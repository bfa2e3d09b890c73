// Fit training: a MAP fit of the latent-size ordinal model by Adam, then the
// calibration head by Newton's method on leave-one-out features computed with
// the serving code (fit_internal.h). docs/fit-model.md explains the model.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <tuple>
#include <unordered_map>

#include "cabine/fit_train.h"
#include "cabine/model_format.h"
#include "fit_internal.h"

namespace cabine {
namespace {

using namespace internal;

// Prior scales of the hierarchical offsets and bands, in size steps.
constexpr double kCategoryOffsetSd = 1.0, kBrandOffsetSd = 0.75, kProductOffsetSd = 0.5;
constexpr double kBandSd = 0.5;
// Smoothing of the product and category fit statistics toward their parents.
constexpr double kProductSmoothing = 5, kCategorySmoothing = 20;
// Shrinkage of product and category residuals toward 0, and of the size tables toward the global rates.
constexpr double kProductResidualSmoothing = 3, kCategoryResidualSmoothing = 20, kSizeTableSmoothing = 20;

std::string fmt(double v, int digits = 4) {
  std::string s = std::to_string(v);
  const auto dot = s.find('.');
  if (dot != std::string::npos && s.size() > dot + 1 + static_cast<std::size_t>(digits)) s.resize(dot + 1 + static_cast<std::size_t>(digits));
  return s;
}

std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

int outcome_class(FitOutcome o) { return static_cast<int>(o); }  // 0 small, 1 fit, 2 large

struct ProductInfo {
  std::string id, brand, category;
  SizeSystem system = SizeSystem::kNumeric;
  bool from_catalogue = false;
  std::vector<std::pair<double, std::string>> sizes;  // value, label
};

struct Counts {
  double n[3] = {0, 0, 0};
  double total() const { return n[0] + n[1] + n[2]; }
};

double smoothed_logit(double n_num, double n_fit, double k, double p_num, double p_fit) {
  return std::log((n_num + k * p_num) / (n_fit + k * p_fit));
}

// Adam optimiser over a flat parameter vector.
struct Adam {
  std::vector<double> m, v;
  double lr, b1 = 0.9, b2 = 0.999;
  int t = 0;
  Adam(std::size_t n, double rate) : m(n, 0.0), v(n, 0.0), lr(rate) {}
  void step(std::vector<double>& params, const std::vector<double>& grad) {
    ++t;
    const double c1 = 1 - std::pow(b1, t), c2 = 1 - std::pow(b2, t);
    for (std::size_t i = 0; i < params.size(); ++i) {
      m[i] = b1 * m[i] + (1 - b1) * grad[i];
      v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
      params[i] -= lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + 1e-8);
    }
  }
};

// Solves A x = b for symmetric positive definite A (Cholesky); false if not SPD.
bool solve_spd(std::vector<double> a, std::vector<double>& b, int n) {
  for (int j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (int k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 1e-12)) return false;
    d = std::sqrt(d);
    a[j * n + j] = d;
    for (int i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (int k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
  }
  for (int i = 0; i < n; ++i) {
    double s = b[i];
    for (int k = 0; k < i; ++k) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  for (int i = n - 1; i >= 0; --i) {
    double s = b[i];
    for (int k = i + 1; k < n; ++k) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  return true;
}

class Trainer {
 public:
  Trainer(const FitTrainOptions& options, FitTrainReport& report) : opt_(options), report_(report) {}

  Result<FitModel> run(const std::vector<Purchase>& purchases, const std::vector<CatalogueEntry>& catalogue) {
    CABINE_RETURN_IF_ERROR(index(purchases, catalogue));
    if (rows_.empty())
      return Status(ErrorCode::kInvalidArgument, "no purchases with a fit outcome (kept, too_small, too_large) to learn from");
    say("fit: " + std::to_string(rows_.size()) + " fit rows, " + std::to_string(customers_.size()) + " customers, " +
        std::to_string(products_.size()) + " products, " + std::to_string(brand_names_.size()) + " brands, " +
        std::to_string(category_names_.size()) + " categories");
    body_statistics();
    fit_structural();
    FitModel model = build_model();
    // Quantise exactly as the file will, so the head learns on what serving sees.
    Result<FitModel> quantised = roundtrip(model);
    if (!quantised.is_ok()) return quantised.status();
    model = std::move(quantised).value();
    calibrate_priors(model);
    fit_head(model);
    return roundtrip(model);
  }

 private:
  struct Row {
    std::size_t cust;      // index into cust_dims_
    std::size_t product;   // index into products_
    double x;              // size value on the dimension scale
    int y;                 // 0 small, 1 fit, 2 large
    std::string date;      // for the order of purchases (empty dates sort first, then file order)
  };
  struct CustDim {
    std::size_t customer;
    int dim;  // index into dims_
  };
  struct Dim {
    SizeDimension dimension;
    double lo = 1e300, hi = -1e300, step = 1;
  };

  void say(const std::string& line) const {
    if (opt_.progress) opt_.progress(line);
  }

  int dim_index(SizeDimension d) {
    for (std::size_t i = 0; i < dims_.size(); ++i)
      if (dims_[i].dimension == d) return static_cast<int>(i);
    dims_.push_back({d});
    return static_cast<int>(dims_.size() - 1);
  }

  Status index(const std::vector<Purchase>& purchases, const std::vector<CatalogueEntry>& catalogue) {
    std::unordered_map<std::string, std::size_t> product_of;
    for (const CatalogueEntry& e : catalogue) {
      ProductInfo p;
      p.id = e.product_id;
      p.brand = e.brand;
      p.category = e.category;
      p.from_catalogue = true;
      Result<SizeSystem> system = system_or_inferred(e.size_system, e.sizes.front());
      if (!system.is_ok()) return system.status();
      p.system = system.value();
      for (const std::string& label : e.sizes) {
        Result<SizeValue> v = parse_size(p.system, label);
        if (!v.is_ok()) return Status(ErrorCode::kInvalidArgument, "catalogue line " + std::to_string(e.line) + ": " + v.status().message());
        p.sizes.emplace_back(v.value().value, label);
      }
      if (product_of.emplace(p.id, products_.size()).second) products_.push_back(std::move(p));
    }
    std::unordered_map<std::string, std::size_t> customer_of;
    std::map<std::pair<std::size_t, int>, std::size_t> cust_dim_of;
    for (const Purchase& row : purchases) {
      auto [it, added] = product_of.emplace(row.product_id, products_.size());
      if (added) {
        ProductInfo p;
        p.id = row.product_id;
        // An unknown system name falls back to inference; the size check below then skips bad rows.
        Result<SizeSystem> system = system_or_inferred(row.size_system, row.size);
        p.system = system.is_ok() ? system.value() : infer_size_system(row.size);
        products_.push_back(std::move(p));
      }
      ProductInfo& p = products_[it->second];
      if (p.brand.empty()) p.brand = row.brand;
      if (p.category.empty()) p.category = row.category;
      Result<SizeValue> v = parse_size(p.system, row.size);
      if (!v.is_ok()) {
        ++report_.skipped_rows;
        if (report_.warnings.size() < 20)
          report_.warnings.push_back("line " + std::to_string(row.line) + ": " + v.status().message() + " (product '" + p.id +
                                     "' uses " + std::string(size_system_name(p.system)) + ")");
        continue;
      }
      const double x = v.value().value;
      if (!p.from_catalogue) {
        bool seen = false;
        for (const auto& s : p.sizes) seen = seen || s.second == row.size;
        if (!seen) p.sizes.emplace_back(x, row.size);
      }
      auto [cit, cadded] = customer_of.emplace(row.customer_id, customers_.size());
      if (cadded) {
        customers_.emplace_back();
        customers_.back().id = row.customer_id;
      }
      Customer& c = customers_[cit->second];
      // The customer's body: the latest non-empty value of each field (rows come in file order).
      if (row.body.height_cm) c.body.height_cm = row.body.height_cm;
      if (row.body.weight_kg) c.body.weight_kg = row.body.weight_kg;
      if (row.body.age) c.body.age = row.body.age;
      if (!row.body.body_type.empty()) c.body.body_type = row.body.body_type;
      if (!row.body.bust.empty()) c.body.bust = row.body.bust;
      if (row.outcome == FitOutcome::kReturnedOther) {
        ++report_.returned_other;
        continue;
      }
      const int d = dim_index(size_dimension(p.system));
      auto [dit, dadded] = cust_dim_of.emplace(std::make_pair(cit->second, d), cust_dims_.size());
      if (dadded) cust_dims_.push_back({cit->second, d});
      rows_.push_back({dit->second, it->second, x, outcome_class(row.outcome), row.date});
    }
    report_.fit_rows = rows_.size();
    product_index_ = product_of;
    report_.customers = customers_.size();
    report_.products = products_.size();
    // The catalogue's order is the product's size order; sizes seen only in purchases are sorted on the scale.
    for (ProductInfo& p : products_)
      if (!p.from_catalogue) std::sort(p.sizes.begin(), p.sizes.end());
    // Brands and categories, sorted for binary search.
    for (const ProductInfo& p : products_) {
      if (!p.brand.empty()) brand_names_.push_back(p.brand);
      if (!p.category.empty()) category_names_.push_back(p.category);
      dim_index(size_dimension(p.system));
    }
    for (auto* names : {&brand_names_, &category_names_}) {
      std::sort(names->begin(), names->end());
      names->erase(std::unique(names->begin(), names->end()), names->end());
    }
    report_.brands = brand_names_.size();
    report_.categories = category_names_.size();
    for (const ProductInfo& p : products_) {
      product_brand_.push_back(lookup(brand_names_, p.brand));
      product_category_.push_back(lookup(category_names_, p.category));
      product_dim_.push_back(dim_index(size_dimension(p.system)));
    }
    // Dimension scales: fixed steps for the named systems, the median gap between sizes for plain numbers.
    for (std::size_t d = 0; d < dims_.size(); ++d) {
      Dim& dim = dims_[d];
      std::vector<double> gaps;
      for (std::size_t i = 0; i < products_.size(); ++i) {
        if (product_dim_[i] != static_cast<int>(d)) continue;
        const auto& sizes = products_[i].sizes;
        for (std::size_t k = 0; k < sizes.size(); ++k) {
          dim.lo = std::min(dim.lo, sizes[k].first);
          dim.hi = std::max(dim.hi, sizes[k].first);
          if (k > 0 && sizes[k].first > sizes[k - 1].first) gaps.push_back(sizes[k].first - sizes[k - 1].first);
        }
      }
      switch (dim.dimension) {
        case SizeDimension::kBody: dim.step = 2; break;
        case SizeDimension::kWaist: dim.step = 1; break;
        case SizeDimension::kFoot: dim.step = 1; break;
        case SizeDimension::kNumeric:
          if (!gaps.empty()) {
            std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
            dim.step = gaps[gaps.size() / 2];
          }
          break;
      }
      if (dim.lo > dim.hi) dim.lo = dim.hi = 0;
    }
    return Status::ok();
  }

  std::size_t product_of_id(const std::string& id) const { return product_index_.at(id); }

  // A product's residual from `n` purchases summing to `sum`, shrunk toward its category's.
  double shrunk_residual(const FitModel& m, std::size_t product, double sum, double n) const {
    const int c = product_category_[product];
    const double parent = c >= 0 ? m.categories[static_cast<std::size_t>(c)].residual : m.global.residual;
    return (sum + kProductResidualSmoothing * parent) / (n + kProductResidualSmoothing);
  }

  static int lookup(const std::vector<std::string>& names, const std::string& name) {
    if (name.empty()) return -1;
    auto it = std::lower_bound(names.begin(), names.end(), name);
    return it != names.end() && *it == name ? static_cast<int>(it - names.begin()) : -1;
  }

  void body_statistics() {
    FitModel probe;  // holds the normalisation while features are computed
    std::array<double, kBodyNumericFeatures> sum{}, sq{}, n{};
    std::map<std::string, int> types;
    for (const Customer& c : customers_) {
      std::array<std::optional<double>, kBodyNumericFeatures> raw = {c.body.height_cm, c.body.weight_kg, c.body.age, {}, {}};
      if (!c.body.bust.empty()) {
        Result<Bust> b = parse_bust(c.body.bust);
        if (b.is_ok()) raw[3] = b.value().band, raw[4] = b.value().cup;
      }
      for (int k = 0; k < kBodyNumericFeatures; ++k)
        if (raw[k]) sum[k] += *raw[k], sq[k] += *raw[k] * *raw[k], n[k] += 1;
      if (!c.body.body_type.empty()) ++types[c.body.body_type];
    }
    for (int k = 0; k < kBodyNumericFeatures; ++k) {
      const double mean = n[k] > 0 ? sum[k] / n[k] : 0;
      const double var = n[k] > 1 ? sq[k] / n[k] - mean * mean : 1;
      body_mean_[k] = static_cast<float>(mean);
      body_sd_[k] = static_cast<float>(std::sqrt(std::max(var, 1e-6)));
    }
    for (const auto& [type, count] : types)
      if (count >= 10) body_types_.push_back(type);
    probe.body_mean = body_mean_;
    probe.body_sd = body_sd_;
    probe.body_types = body_types_;
    n_body_ = static_cast<std::size_t>(probe.body_feature_count());
    for (Customer& c : customers_) {
      c.features = body_features(probe, c.body);
      c.has_body = has_any_body(c.body);
      if (c.has_body) ++customers_with_body_;
    }
  }

  // Parameter layout in the flat vector.
  std::size_t p_slope() const { return 0; }
  std::size_t p_center() const { return 1; }
  std::size_t p_half() const { return 2; }
  std::size_t p_cust(std::size_t i) const { return 3 + i; }
  std::size_t p_cat_offset(int i) const { return 3 + cust_dims_.size() + static_cast<std::size_t>(i); }
  std::size_t p_cat_band(int i) const { return p_cat_offset(0) + category_names_.size() + static_cast<std::size_t>(i); }
  std::size_t p_brand_offset(int i) const { return p_cat_band(0) + category_names_.size() + static_cast<std::size_t>(i); }
  std::size_t p_prod_offset(std::size_t i) const { return p_brand_offset(0) + brand_names_.size() + i; }
  std::size_t p_prod_band(std::size_t i) const { return p_prod_offset(0) + products_.size() + i; }
  std::size_t p_beta(int d, std::size_t k) const { return p_prod_band(0) + products_.size() + static_cast<std::size_t>(d) * (n_body_ + 1) + k; }
  std::size_t n_params() const { return p_beta(static_cast<int>(dims_.size()), 0); }

  double offset_of(const std::vector<double>& th, std::size_t product) const {
    double o = th[p_prod_offset(product)];
    if (product_category_[product] >= 0) o += th[p_cat_offset(product_category_[product])];
    if (product_brand_[product] >= 0) o += th[p_brand_offset(product_brand_[product])];
    return o;
  }
  double band_of(const std::vector<double>& th, std::size_t product) const {
    double b = th[p_prod_band(product)];
    if (product_category_[product] >= 0) b += th[p_cat_band(product_category_[product])];
    return b;
  }
  double prior_mean(const std::vector<double>& th, std::size_t cd) const {
    const CustDim& c = cust_dims_[cd];
    double mu = th[p_beta(c.dim, 0)];
    const auto& f = customers_[c.customer].features;
    for (std::size_t k = 0; k < n_body_; ++k) mu += th[p_beta(c.dim, k + 1)] * f[k];
    return mu;
  }

  // MAP estimate of the latent-size model, everything in size steps.
  void fit_structural() {
    const auto started = std::chrono::steady_clock::now();
    std::vector<double> th(n_params(), 0.0);
    th[p_slope()] = std::log(1.5);
    th[p_half()] = std::log(1.0);
    // Start each shopper at the mean of the sizes they bought, and the prior intercepts at the dimension means.
    std::vector<double> sum(cust_dims_.size(), 0.0), cnt(cust_dims_.size(), 0.0);
    std::vector<double> dsum(dims_.size(), 0.0), dcnt(dims_.size(), 0.0);
    for (const Row& r : rows_) {
      const double xs = r.x / dims_[static_cast<std::size_t>(cust_dims_[r.cust].dim)].step;
      sum[r.cust] += xs, cnt[r.cust] += 1;
      dsum[static_cast<std::size_t>(cust_dims_[r.cust].dim)] += xs, dcnt[static_cast<std::size_t>(cust_dims_[r.cust].dim)] += 1;
    }
    for (std::size_t c = 0; c < cust_dims_.size(); ++c) th[p_cust(c)] = sum[c] / cnt[c];
    for (std::size_t d = 0; d < dims_.size(); ++d) th[p_beta(static_cast<int>(d), 0)] = dsum[d] / std::max(1.0, dcnt[d]);
    prior_sd_.assign(dims_.size(), 1.0);

    Adam adam(th.size(), 0.05);
    std::vector<double> grad(th.size());
    const int iterations = std::max(1, opt_.iterations);
    for (int it = 0; it < iterations; ++it) {
      std::fill(grad.begin(), grad.end(), 0.0);
      double loss = 0;
      const double a = std::exp(th[p_slope()]);
      for (const Row& r : rows_) {
        const double step = dims_[static_cast<std::size_t>(cust_dims_[r.cust].dim)].step;
        const double u = th[p_cust(r.cust)] - r.x / step - offset_of(th, r.product);
        const double eta = a * u;
        const double half = std::exp(th[p_half()] + band_of(th, r.product));
        const double c1 = th[p_center()] - half, c2 = th[p_center()] + half;
        const double f1 = sigmoid(c1 - eta), f2 = sigmoid(c2 - eta);
        double d_eta = 0, d_c1 = 0, d_c2 = 0;
        if (r.y == 2) {
          loss -= std::log(std::max(f1, kProbFloor));
          d_eta = 1 - f1;
          d_c1 = -(1 - f1);
        } else if (r.y == 1) {
          const double p = std::max(f2 - f1, kProbFloor);
          loss -= std::log(p);
          d_eta = (f2 * (1 - f2) - f1 * (1 - f1)) / p;
          d_c2 = -f2 * (1 - f2) / p;
          d_c1 = f1 * (1 - f1) / p;
        } else {
          loss -= std::log(std::max(1 - f2, kProbFloor));
          d_eta = -f2;
          d_c2 = f2;
        }
        grad[p_cust(r.cust)] += d_eta * a;
        const double d_offset = -d_eta * a;
        grad[p_prod_offset(r.product)] += d_offset;
        if (product_category_[r.product] >= 0) grad[p_cat_offset(product_category_[r.product])] += d_offset;
        if (product_brand_[r.product] >= 0) grad[p_brand_offset(product_brand_[r.product])] += d_offset;
        grad[p_slope()] += d_eta * eta;
        grad[p_center()] += d_c1 + d_c2;
        const double d_half = (d_c2 - d_c1) * half;
        grad[p_half()] += d_half;
        grad[p_prod_band(r.product)] += d_half;
        if (product_category_[r.product] >= 0) grad[p_cat_band(product_category_[r.product])] += d_half;
      }
      // Priors: shopper sizes around the questionnaire prediction; offsets and bands around their parents.
      for (std::size_t c = 0; c < cust_dims_.size(); ++c) {
        const int d = cust_dims_[c].dim;
        const double var = prior_sd_[static_cast<std::size_t>(d)] * prior_sd_[static_cast<std::size_t>(d)];
        const double resid = th[p_cust(c)] - prior_mean(th, c);
        loss += 0.5 * resid * resid / var;
        grad[p_cust(c)] += resid / var;
        grad[p_beta(d, 0)] -= resid / var;
        const auto& f = customers_[cust_dims_[c].customer].features;
        for (std::size_t k = 0; k < n_body_; ++k) grad[p_beta(d, k + 1)] -= resid / var * f[k];
      }
      auto ridge = [&](std::size_t i, double sd) {
        loss += 0.5 * th[i] * th[i] / (sd * sd);
        grad[i] += th[i] / (sd * sd);
      };
      for (std::size_t i = 0; i < category_names_.size(); ++i) ridge(p_cat_offset(static_cast<int>(i)), kCategoryOffsetSd), ridge(p_cat_band(static_cast<int>(i)), kBandSd);
      for (std::size_t i = 0; i < brand_names_.size(); ++i) ridge(p_brand_offset(static_cast<int>(i)), kBrandOffsetSd);
      for (std::size_t i = 0; i < products_.size(); ++i) ridge(p_prod_offset(i), kProductOffsetSd), ridge(p_prod_band(i), kBandSd);
      for (std::size_t d = 0; d < dims_.size(); ++d)
        for (std::size_t k = 1; k <= n_body_; ++k) ridge(p_beta(static_cast<int>(d), k), 10.0);
      adam.step(th, grad);
      // The prior's spread follows the shoppers' residuals (floored, so one-purchase shoppers stay uncertain).
      if (it % 25 == 24) {
        std::vector<double> ss(dims_.size(), 0.0), nn(dims_.size(), 0.0);
        for (std::size_t c = 0; c < cust_dims_.size(); ++c) {
          const double r = th[p_cust(c)] - prior_mean(th, c);
          ss[static_cast<std::size_t>(cust_dims_[c].dim)] += r * r;
          nn[static_cast<std::size_t>(cust_dims_[c].dim)] += 1;
        }
        for (std::size_t d = 0; d < dims_.size(); ++d) prior_sd_[d] = std::max(0.5, std::sqrt(ss[d] / std::max(1.0, nn[d])));
      }
      if (it % 50 == 0 || it == iterations - 1)
        say("fit: latent-size model iteration " + std::to_string(it + 1) + "/" + std::to_string(iterations) + ", loss per row " +
            fmt(loss / static_cast<double>(rows_.size())));
    }
    theta_ = std::move(th);
    say("fit: latent-size model done in " +
        fmt(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 2) + " s");
  }

  FitModel build_model() {
    const std::vector<double>& th = theta_;
    FitModel m;
    m.slope = static_cast<float>(std::exp(th[p_slope()]));
    m.band_center = static_cast<float>(th[p_center()]);
    m.band_log_half = static_cast<float>(th[p_half()]);
    m.body_mean = body_mean_;
    m.body_sd = body_sd_;
    m.body_types = body_types_;
    for (std::size_t d = 0; d < dims_.size(); ++d) {
      const Dim& dim = dims_[d];
      FitDimension fd;
      fd.dimension = dim.dimension;
      fd.step = static_cast<float>(dim.step);
      double mean = 0, sq = 0, n = 0;
      for (std::size_t c = 0; c < cust_dims_.size(); ++c) {
        if (cust_dims_[c].dim != static_cast<int>(d)) continue;
        const double s = th[p_cust(c)] * dim.step;
        mean += s, sq += s * s, n += 1;
      }
      mean /= std::max(1.0, n);
      const double sd = std::sqrt(std::max(sq / std::max(1.0, n) - mean * mean, 0.0));
      fd.population_mean = static_cast<float>(mean);
      fd.population_sd = static_cast<float>(std::max(sd, 0.5 * dim.step));
      fd.grid_lo = static_cast<float>(std::min(dim.lo, mean - 3 * fd.population_sd) - 3 * dim.step);
      fd.grid_hi = static_cast<float>(std::max(dim.hi, mean + 3 * fd.population_sd) + 3 * dim.step);
      fd.has_questionnaire = customers_with_body_ >= 20;
      if (fd.has_questionnaire) {
        fd.questionnaire_intercept = static_cast<float>(th[p_beta(static_cast<int>(d), 0)] * dim.step);
        fd.questionnaire_sd = static_cast<float>(prior_sd_[d] * dim.step);
        for (std::size_t k = 0; k < n_body_; ++k)
          fd.questionnaire_weights.push_back(static_cast<float>(th[p_beta(static_cast<int>(d), k + 1)] * dim.step));
      }
      m.dimensions.push_back(std::move(fd));
    }
    // Fit statistics, smoothed toward the parent level.
    Counts global;
    std::vector<Counts> by_product(products_.size()), by_category(category_names_.size()), by_brand(brand_names_.size());
    for (const Row& r : rows_) {
      global.n[r.y] += 1;
      by_product[r.product].n[r.y] += 1;
      if (product_category_[r.product] >= 0) by_category[static_cast<std::size_t>(product_category_[r.product])].n[r.y] += 1;
      if (product_brand_[r.product] >= 0) by_brand[static_cast<std::size_t>(product_brand_[r.product])].n[r.y] += 1;
    }
    rates_ = {(global.n[0] + 1) / (global.total() + 3), (global.n[1] + 1) / (global.total() + 3),
              (global.n[2] + 1) / (global.total() + 3)};
    auto stats = [&](FitGroupParams& g, const Counts& c, const std::array<double, 3>& parent, double k) {
      g.small_logit = static_cast<float>(smoothed_logit(c.n[0], c.n[1], k, parent[0], parent[1]));
      g.large_logit = static_cast<float>(smoothed_logit(c.n[2], c.n[1], k, parent[2], parent[1]));
      g.log_count = static_cast<float>(std::log1p(c.total()));
    };
    stats(m.global, global, rates_, 1.0);
    category_rates_.clear();
    for (std::size_t i = 0; i < category_names_.size(); ++i) {
      FitGroupParams g;
      g.name = category_names_[i];
      g.offset = static_cast<float>(th[p_cat_offset(static_cast<int>(i))]);
      g.band = static_cast<float>(th[p_cat_band(static_cast<int>(i))]);
      stats(g, by_category[i], rates_, kCategorySmoothing);
      m.categories.push_back(g);
      const Counts& c = by_category[i];
      const double t = c.total() + kCategorySmoothing;
      category_rates_.push_back({(c.n[0] + kCategorySmoothing * rates_[0]) / t, (c.n[1] + kCategorySmoothing * rates_[1]) / t,
                                 (c.n[2] + kCategorySmoothing * rates_[2]) / t});
    }
    for (std::size_t i = 0; i < brand_names_.size(); ++i) {
      FitGroupParams g;
      g.name = brand_names_[i];
      g.offset = static_cast<float>(th[p_brand_offset(static_cast<int>(i))]);
      stats(g, by_brand[i], rates_, kCategorySmoothing);
      m.brands.push_back(g);
    }
    // Offsets are stored on the dimension scale: steps times the step size.
    for (FitGroupParams& g : m.categories) g.offset = static_cast<float>(g.offset * typical_step());
    for (FitGroupParams& g : m.brands) g.offset = static_cast<float>(g.offset * typical_step());
    std::vector<std::size_t> order(products_.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return product_id_less(products_[a].id, products_[b].id); });
    std::map<std::vector<std::string>, std::uint32_t> list_of;
    for (std::size_t i : order) {
      const ProductInfo& info = products_[i];
      FitProduct p;
      p.params.name = info.id;
      p.params.offset = static_cast<float>(th[p_prod_offset(i)] * dims_[static_cast<std::size_t>(product_dim_[i])].step);
      p.params.band = static_cast<float>(th[p_prod_band(i)]);
      stats(p.params, by_product[i], parent_rates(i), kProductSmoothing);
      p.brand = product_brand_[i];
      p.category = product_category_[i];
      p.size_system = info.system;
      std::vector<std::string> labels;
      for (const auto& s : info.sizes) labels.push_back(s.second);
      if (labels.empty()) continue;
      auto [it, added] = list_of.emplace(labels, static_cast<std::uint32_t>(m.size_lists.size()));
      if (added) m.size_lists.push_back(labels);
      p.size_list = it->second;
      m.products.push_back(std::move(p));
    }
    return m;
  }

  // Brand and category offsets are shared across dimensions; they are learned
  // in steps and stored on the scale of the dimension most products use.
  double typical_step() const {
    std::vector<double> n(dims_.size(), 0.0);
    for (int d : product_dim_) n[static_cast<std::size_t>(d)] += 1;
    return dims_[static_cast<std::size_t>(std::max_element(n.begin(), n.end()) - n.begin())].step;
  }

  std::array<double, 3> parent_rates(std::size_t product) const {
    const int c = product_category_[product];
    return c >= 0 ? category_rates_[static_cast<std::size_t>(c)] : rates_;
  }

  // Every product as serving resolves it (a product that fails to resolve keeps no dimension).
  std::vector<ResolvedProduct> resolve_all(const FitModel& m) const {
    std::vector<ResolvedProduct> resolved(products_.size());
    for (std::size_t i = 0; i < products_.size(); ++i) {
      ProductRef ref;
      ref.product_id = products_[i].id;
      Result<ResolvedProduct> r = resolve_product(m, ref);
      if (r.is_ok()) resolved[i] = std::move(r).value();
    }
    return resolved;
  }

  // Through the model file's writer and reader: quantised and validated exactly as served.
  static Result<FitModel> roundtrip(const FitModel& model) {
    ModelContent content;
    content.header.model_id = "training";
    content.fit = model;
    Result<std::vector<std::uint8_t>> bytes = encode_model(content);
    if (!bytes.is_ok()) return Status(ErrorCode::kInvalidArgument, "trained fit model failed validation: " + bytes.status().message());
    Result<Model> decoded = parse_model(bytes.value());
    if (!decoded.is_ok()) return Status(ErrorCode::kInvalidArgument, "trained fit model failed validation: " + decoded.status().message());
    return std::move(*std::move(decoded).value().fit);
  }

  // The MAP fit underestimates how uncertain a shopper's size is before any
  // history (point estimates are shrunk to the prior). Re-estimate the prior
  // spreads by EM on the serving posteriors: sd^2 = mean((mean - prior)^2 + var).
  void calibrate_priors(FitModel& m) {
    const std::vector<ResolvedProduct> resolved = resolve_all(m);
    std::vector<GridLogLik> ll_sum(cust_dims_.size(), GridLogLik{});
    for (const Row& r : rows_) {
      const ResolvedProduct& p = resolved[r.product];
      if (p.dimension == nullptr) continue;
      const GridLogLik ll = history_loglik(m, *p.dimension, p.offset, p.band, r.x, r.y);
      for (int g = 0; g < kFitGridPoints; ++g) ll_sum[r.cust][g] += ll[g];
    }
    for (FitDimension& d : m.dimensions) {
      const int di = dim_index(d.dimension);
      for (int round = 0; round < 8; ++round) {
        double q_ss = 0, q_n = 0, p_ss = 0, p_n = 0;
        for (std::size_t c = 0; c < cust_dims_.size(); ++c) {
          if (cust_dims_[c].dim != di) continue;
          const Customer& cust = customers_[cust_dims_[c].customer];
          const Prior prior = size_prior(d, cust.features, cust.has_body);
          const Posterior post = make_posterior(d, prior, ll_sum[c]);
          const double e2 = (post.mean - prior.mean) * (post.mean - prior.mean) + post.sd * post.sd;
          if (prior.from_questionnaire) {
            q_ss += e2, q_n += 1;
          } else {
            p_ss += e2, p_n += 1;
          }
        }
        if (q_n > 0) d.questionnaire_sd = static_cast<float>(std::max(0.25 * d.step, std::sqrt(q_ss / q_n)));
        if (p_n > 0) d.population_sd = static_cast<float>(std::max(0.25 * d.step, std::sqrt(p_ss / p_n)));
      }
      say("fit: prior spread on " + std::string(size_dimension_name(d.dimension)) + ": questionnaire " +
          fmt(d.questionnaire_sd, 3) + ", population " + fmt(d.population_sd, 3));
    }
  }

  // The calibration head. Its features come from the serving code; for each
  // training row, the product statistics use only that product's EARLIER
  // purchases (by date, then file order), as if the row were being predicted
  // at the time it happened, so early rows look like new products do at
  // serving time. The shopper's history leaves the row out; so do the size
  // tables. Residuals (label minus the body's predicted size) need the
  // calibrated priors, so they are computed here.
  void fit_head(FitModel& m) {
    const auto started = std::chrono::steady_clock::now();
    std::vector<ResolvedProduct> resolved = resolve_all(m);
    // Priors, residuals and history sums.
    std::vector<Prior> priors(cust_dims_.size());
    for (std::size_t c = 0; c < cust_dims_.size(); ++c) {
      const Customer& cust = customers_[cust_dims_[c].customer];
      priors[c] = size_prior(m.dimensions[static_cast<std::size_t>(cust_dims_[c].dim)], cust.features, cust.has_body);
    }
    std::vector<double> res(rows_.size());
    std::vector<GridLogLik> ll_rows(rows_.size());
    std::vector<GridLogLik> ll_sum(cust_dims_.size(), GridLogLik{});
    std::vector<HistoryStats> hist(cust_dims_.size());
    struct Sums {
      double n = 0, s = 0, l = 0, r = 0;
    };
    std::vector<Sums> by_product(products_.size()), by_category(category_names_.size());
    Sums global;
    std::map<std::tuple<int, int, double>, Sums> size_table;  // (dimension, category, value)
    for (std::size_t k = 0; k < rows_.size(); ++k) {
      const Row& r = rows_[k];
      const ResolvedProduct& p = resolved[r.product];
      if (p.dimension == nullptr) continue;
      res[k] = r.x - priors[r.cust].mean;
      ll_rows[k] = history_loglik(m, *p.dimension, p.offset, p.band, r.x, r.y);
      for (int g = 0; g < kFitGridPoints; ++g) ll_sum[r.cust][g] += ll_rows[k][g];
      HistoryStats& h = hist[r.cust];
      h.n += 1, h.n_small += r.y == 0, h.n_large += r.y == 2, h.size_sum += r.x;
      const int dim = static_cast<int>(p.dimension->dimension);
      for (Sums* sums : {&by_product[r.product], &global, &size_table[{dim, -1, r.x}],
                         product_category_[r.product] >= 0 ? &by_category[static_cast<std::size_t>(product_category_[r.product])] : nullptr,
                         product_category_[r.product] >= 0 ? &size_table[{dim, product_category_[r.product], r.x}] : nullptr}) {
        if (sums == nullptr) continue;
        sums->n += 1, sums->s += r.y == 0, sums->l += r.y == 2, sums->r += res[k];
      }
    }
    // Stored residuals and size tables.
    m.global.residual = static_cast<float>(global.r / std::max(1.0, global.n));
    for (std::size_t i = 0; i < m.categories.size(); ++i)
      m.categories[i].residual = static_cast<float>(by_category[i].r / (by_category[i].n + kCategoryResidualSmoothing));
    for (FitProduct& fp : m.products) {
      const std::size_t i = product_of_id(fp.params.name);
      fp.params.residual = static_cast<float>(shrunk_residual(m, i, by_product[i].r, by_product[i].n));
    }
    auto table_logits = [&](const Sums& t) {
      const double n_fit = t.n - t.s - t.l;
      return std::make_pair(smoothed_logit(t.s, n_fit, kSizeTableSmoothing, rates_[0], rates_[1]),
                            smoothed_logit(t.l, n_fit, kSizeTableSmoothing, rates_[2], rates_[1]));
    };
    m.size_stats.clear();
    for (const auto& [key, t] : size_table) {
      if (std::get<1>(key) >= 0 && t.n < 5) continue;  // category tables only where there is something to say
      FitSizeStat st;
      st.dimension = static_cast<SizeDimension>(std::get<0>(key));
      st.category = std::get<1>(key);
      st.value = static_cast<float>(std::get<2>(key));
      const auto [small, large] = table_logits(t);
      st.small_logit = static_cast<float>(small);
      st.large_logit = static_cast<float>(large);
      m.size_stats.push_back(st);
    }
    std::sort(m.size_stats.begin(), m.size_stats.end(), [](const FitSizeStat& a, const FitSizeStat& b) {
      return std::make_tuple(a.dimension, a.category, a.value) < std::make_tuple(b.dimension, b.category, b.value);
    });
    resolved = resolve_all(m);  // products now carry their residuals
    // The shoppers' label-adjusted residuals, as serving computes them from history.
    std::vector<double> adjusted(rows_.size(), 0.0);
    for (std::size_t k = 0; k < rows_.size(); ++k) {
      const Row& r = rows_[k];
      const ResolvedProduct& p = resolved[r.product];
      if (p.dimension == nullptr) continue;
      adjusted[k] = adjusted_residual(r.x, priors[r.cust].mean, p.residual, r.y, p.dimension->step);
      hist[r.cust].adjusted_sum += adjusted[k];
      hist[r.cust].adjusted_sq += adjusted[k] * adjusted[k];
    }

    // Rows in time order, for the product statistics "so far".
    std::vector<std::size_t> order(rows_.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rows_[a].date < rows_[b].date; });
    std::vector<Sums> so_far(products_.size());
    const std::size_t F = static_cast<std::size_t>(m.head_feature_count());
    std::vector<float> feats(rows_.size() * F, 0.0f);
    for (std::size_t k : order) {
      const Row& r = rows_[k];
      ResolvedProduct p = resolved[r.product];
      if (p.dimension == nullptr) continue;
      const FitDimension& d = *p.dimension;
      Sums& before = so_far[r.product];
      const auto parent = parent_rates(r.product);
      const double n_fit = before.n - before.s - before.l;
      if (before.n > 0) {
        p.small_logit = smoothed_logit(before.s, n_fit, kProductSmoothing, parent[0], parent[1]);
        p.large_logit = smoothed_logit(before.l, n_fit, kProductSmoothing, parent[2], parent[1]);
        p.residual = shrunk_residual(m, r.product, before.r, before.n);
        p.log_count = std::log1p(before.n);
        p.source = FitSource::kProduct;
      } else {
        // Not yet bought: exactly what serving sees for a product new to the model.
        p.small_logit = p.parent_small_logit;
        p.large_logit = p.parent_large_logit;
        p.residual = product_category_[r.product] >= 0 ? m.categories[static_cast<std::size_t>(product_category_[r.product])].residual
                                                       : m.global.residual;
        p.log_count = 0;
        p.source = product_category_[r.product] >= 0 ? FitSource::kCategory : FitSource::kGlobal;
      }
      before.n += 1, before.s += r.y == 0, before.l += r.y == 2, before.r += res[k];
      // The shopper's other purchases.
      GridLogLik other = ll_sum[r.cust];
      for (int g = 0; g < kFitGridPoints; ++g) other[g] -= ll_rows[k][g];
      HistoryStats h = hist[r.cust];
      h.n -= 1, h.n_small -= r.y == 0, h.n_large -= r.y == 2, h.size_sum -= r.x;
      h.adjusted_sum -= adjusted[k], h.adjusted_sq -= adjusted[k] * adjusted[k];
      const Customer& cust = customers_[cust_dims_[r.cust].customer];
      const Posterior post = make_posterior(d, priors[r.cust], other);
      std::size_t index = 0;
      for (std::size_t j = 0; j < p.values.size(); ++j)
        if (std::fabs(p.values[j] - r.x) < std::fabs(p.values[index] - r.x)) index = j;
      std::vector<double> f = head_features(m, d, post, priors[r.cust], p, r.x, index, h, cust.features);
      // The size tables without this row (features 35-39), with serving's fallback rule.
      const int dim = static_cast<int>(d.dimension);
      auto without = [&](Sums t) {
        t.n -= 1, t.s -= r.y == 0, t.l -= r.y == 2;
        return t;
      };
      const Sums by_size = without(size_table[{dim, -1, r.x}]);
      Sums by_cat_size = by_size;
      if (product_category_[r.product] >= 0) {
        const Sums c = without(size_table[{dim, product_category_[r.product], r.x}]);
        if (c.n + 1 >= 5) by_cat_size = c;  // stored only when the full table has >= 5 rows
      }
      const auto cat_logits = table_logits(by_cat_size), size_logits = table_logits(by_size);
      f[35] = std::clamp(cat_logits.first, -8.0, 8.0);
      f[36] = std::clamp(cat_logits.second, -8.0, 8.0);
      f[37] = std::clamp(size_logits.first, -8.0, 8.0);
      f[38] = std::clamp(size_logits.second, -8.0, 8.0);
      f[39] = 1.0;
      const double fresh = p.source == FitSource::kProduct ? 0.0 : 1.0;
      f[54] = fresh * f[35];
      f[55] = fresh * f[36];
      for (std::size_t j = 0; j < F; ++j) feats[k * F + j] = static_cast<float>(f[j]);
    }
    say("fit: calibration features (" + std::to_string(F) + " per row) for " + std::to_string(rows_.size()) + " rows in " +
        fmt(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 2) + " s");
    newton_head(m, feats, F);
    say("fit: calibration head done in " +
        fmt(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 2) + " s");
  }

  // Multinomial logistic regression (fit as the reference class) by Newton's
  // method with a small ridge, on the flat row-major feature matrix.
  void newton_head(FitModel& m, const std::vector<float>& feats, std::size_t F) {
    const int P = static_cast<int>(2 * F);
    const std::size_t n = rows_.size();
    std::vector<double> w(static_cast<std::size_t>(P), 0.0);
    w[0] = std::log(rates_[0] / rates_[1]);
    w[F] = std::log(rates_[2] / rates_[1]);
    const double lambda = 1.0;
    auto objective = [&](const std::vector<double>& wt) {
      double loss = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const float* f = &feats[k * F];
        double z0 = 0, z1 = 0;
        for (std::size_t j = 0; j < F; ++j) z0 += wt[j] * f[j], z1 += wt[F + j] * f[j];
        const double hi = std::max({0.0, z0, z1});
        const double lse = hi + std::log(std::exp(z0 - hi) + std::exp(-hi) + std::exp(z1 - hi));
        loss += lse - (rows_[k].y == 0 ? z0 : rows_[k].y == 2 ? z1 : 0.0);
      }
      for (std::size_t j = 1; j < F; ++j) loss += 0.5 * lambda * (wt[j] * wt[j] + wt[F + j] * wt[F + j]);
      return loss;
    };
    double current = objective(w);
    for (int iter = 0; iter < 15; ++iter) {
      std::vector<double> g(static_cast<std::size_t>(P), 0.0), h(static_cast<std::size_t>(P) * static_cast<std::size_t>(P), 0.0);
      for (std::size_t k = 0; k < n; ++k) {
        const float* f = &feats[k * F];
        double z0 = 0, z1 = 0;
        for (std::size_t j = 0; j < F; ++j) z0 += w[j] * f[j], z1 += w[F + j] * f[j];
        const double hi = std::max({0.0, z0, z1});
        const double e0 = std::exp(z0 - hi), ef = std::exp(-hi), e1 = std::exp(z1 - hi), t = e0 + ef + e1;
        const double p0 = e0 / t, p1 = e1 / t;
        const double r0 = p0 - (rows_[k].y == 0), r1 = p1 - (rows_[k].y == 2);
        const double h00 = p0 * (1 - p0), h11 = p1 * (1 - p1), h01 = -p0 * p1;
        for (std::size_t a = 0; a < F; ++a) {
          const double fa = f[a];
          if (fa == 0) continue;
          g[a] += r0 * fa;
          g[F + a] += r1 * fa;
          double* row0 = &h[a * static_cast<std::size_t>(P)];
          double* row1 = &h[(F + a) * static_cast<std::size_t>(P)];
          for (std::size_t b = 0; b <= a; ++b) {
            const double ff = fa * f[b];
            row0[b] += h00 * ff;
            row1[F + b] += h11 * ff;
            row1[b] += h01 * ff;
          }
        }
      }
      // Fill the symmetric blocks from the lower triangles.
      for (std::size_t a = 0; a < F; ++a) {
        for (std::size_t b = 0; b < a; ++b) {
          h[b * P + a] = h[a * P + b];
          h[(F + b) * P + F + a] = h[(F + a) * P + F + b];
          h[(F + b) * P + a] = h[(F + a) * P + b];
        }
      }
      for (std::size_t a = 0; a < F; ++a)
        for (std::size_t b = 0; b < F; ++b) h[a * P + F + b] = h[(F + b) * P + a];
      for (std::size_t j = 1; j < F; ++j) {
        g[j] += lambda * w[j], g[F + j] += lambda * w[F + j];
        h[j * P + j] += lambda, h[(F + j) * P + F + j] += lambda;
      }
      for (int j = 0; j < P; ++j) h[static_cast<std::size_t>(j) * P + j] += 1e-9;
      if (!solve_spd(h, g, P)) break;
      double step = 1.0, next = current;
      std::vector<double> trial(static_cast<std::size_t>(P));
      for (int half = 0; half < 20; ++half, step *= 0.5) {
        for (int j = 0; j < P; ++j) trial[j] = w[j] - step * g[j];
        next = objective(trial);
        if (next <= current) break;
      }
      if (!(next <= current)) break;
      const double gain = current - next;
      w = trial;
      current = next;
      say("fit: calibration head iteration " + std::to_string(iter + 1) + ", loss per row " + fmt(current / static_cast<double>(n)));
      if (gain < 1e-6 * static_cast<double>(n)) break;
    }
    m.head_small.assign(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(F));
    m.head_large.assign(w.begin() + static_cast<std::ptrdiff_t>(F), w.end());
  }

  struct Customer {
    std::string id;
    BodyMeasurements body;
    std::vector<double> features;
    bool has_body = false;
  };

  const FitTrainOptions& opt_;
  FitTrainReport& report_;
  std::vector<ProductInfo> products_;
  std::unordered_map<std::string, std::size_t> product_index_;
  std::vector<int> product_brand_, product_category_, product_dim_;
  std::vector<std::string> brand_names_, category_names_;
  std::vector<Customer> customers_;
  std::vector<CustDim> cust_dims_;
  std::vector<Dim> dims_;
  std::vector<Row> rows_;
  std::array<float, kBodyNumericFeatures> body_mean_{}, body_sd_{};
  std::vector<std::string> body_types_;
  std::size_t n_body_ = 0, customers_with_body_ = 0;
  std::vector<double> theta_, prior_sd_;
  std::array<double, 3> rates_{};
  std::vector<std::array<double, 3>> category_rates_;
};

}  // namespace

double roc_auc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0, n_pos = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && scores[order[j + 1]] == scores[order[i]]) ++j;
    const double avg_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k)
      if (positive[order[k]]) rank_sum += avg_rank, n_pos += 1;
    i = j + 1;
  }
  const double n_neg = static_cast<double>(scores.size()) - n_pos;
  if (n_pos == 0 || n_neg == 0) return 0.5;
  return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg);
}

FitMetrics evaluate_fit(const FitModel& model, const std::vector<Purchase>& history_rows,
                        const std::vector<Purchase>& test_rows) {
  std::unordered_map<std::string, std::vector<HistoryItem>> history;
  for (const Purchase& row : history_rows) history[row.customer_id].push_back(history_item_from(row));
  std::vector<double> score[3];
  std::vector<bool> truth[3];
  FitMetrics m;
  const std::vector<HistoryItem> none;
  for (const Purchase& row : test_rows) {
    if (row.outcome == FitOutcome::kReturnedOther) continue;
    ProductRef ref;
    ref.product_id = row.product_id;
    ref.brand = row.brand;
    ref.category = row.category;
    ref.size_system = row.size_system;
    ref.sizes = {row.size};
    auto it = history.find(row.customer_id);
    Result<SizeProbabilities> p = predict_fit(model, ref, row.size, it == history.end() ? none : it->second, row.body);
    if (!p.is_ok()) continue;
    const double probs[3] = {p.value().p_small, p.value().p_fit, p.value().p_large};
    const int y = static_cast<int>(row.outcome);
    for (int k = 0; k < 3; ++k) {
      score[k].push_back(probs[k]);
      truth[k].push_back(y == k);
    }
    m.log_loss -= std::log(std::max(probs[y], 1e-12));
    ++m.rows;
  }
  if (m.rows == 0) return m;
  m.log_loss /= static_cast<double>(m.rows);
  m.auc_small = roc_auc(score[0], truth[0]);
  m.auc_fit = roc_auc(score[1], truth[1]);
  m.auc_large = roc_auc(score[2], truth[2]);
  m.auc_mean = (m.auc_small + m.auc_fit + m.auc_large) / 3;
  return m;
}

Result<FitModel> train_fit(const std::vector<Purchase>& purchases, const std::vector<CatalogueEntry>& catalogue,
                           const FitTrainOptions& options, FitTrainReport* report) {
  FitTrainReport local;
  FitTrainReport& rep = report ? *report : local;
  rep = FitTrainReport{};
  if (options.holdout_fraction > 0) {
    std::vector<Purchase> train, test;
    for (std::size_t i = 0; i < purchases.size(); ++i) {
      const double u = static_cast<double>(mix(options.seed * 0x100000001B3ull + i) >> 11) / 9007199254740992.0;
      (u < options.holdout_fraction ? test : train).push_back(purchases[i]);
    }
    FitTrainReport held;
    Result<FitModel> model = Trainer(options, held).run(train, catalogue);
    if (!model.is_ok()) return model.status();
    rep.holdout = evaluate_fit(model.value(), train, test);
    rep.has_holdout = true;
    if (options.progress)
      options.progress("fit: held-out rows " + std::to_string(rep.holdout.rows) + ", mean AUC " + fmt(rep.holdout.auc_mean));
    if (!options.refit_on_all) {
      const FitMetrics keep = rep.holdout;
      rep = held;
      rep.holdout = keep;
      rep.has_holdout = true;
      return model;
    }
  }
  const FitMetrics holdout = rep.holdout;
  const bool has_holdout = rep.has_holdout;
  Result<FitModel> model = Trainer(options, rep).run(purchases, catalogue);
  rep.holdout = holdout;
  rep.has_holdout = has_holdout;
  return model;
}

}  // namespace cabine
