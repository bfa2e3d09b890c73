#include "cabine/fit_synth.h"

#include <cmath>
#include <string>

#include "cabine/size_system.h"
#include "synth_rng.h"

namespace cabine {
namespace {

using internal::Rng;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

std::string pad(std::size_t n, int width) {
  std::string s = std::to_string(n);
  while (static_cast<int>(s.size()) < width) s.insert(s.begin(), '0');
  return s;
}

constexpr const char* kCategories[] = {"dress", "top", "skirt", "coat"};
constexpr const char* kBrands[] = {"Acme", "Belle", "Cora", "Dune", "Edda", "Fjord", "Gala", "Hale",
                                   "Iris", "Juno", "Kaia", "Lune", "Mira", "Nova", "Opal", "Pia"};
constexpr const char* kBodyTypes[] = {"petite", "athletic", "hourglass", "pear", "straight"};

}  // namespace

std::string true_best_size(const CatalogueEntry& product, double customer_size, double offset) {
  const SizeSystem system = parse_size_system(product.size_system).value();
  std::string best;
  double best_gap = 1e300;
  for (const std::string& label : product.sizes) {
    const double v = parse_size(system, label).value().value;
    const double gap = std::fabs(customer_size - (v + offset));
    if (gap <= best_gap + 1e-12) best_gap = gap, best = label;
  }
  return best;
}

SynthData synthesize_fit_data(const SynthOptions& options) {
  Rng rng(options.seed);
  SynthData data;
  const std::size_t n_brands = std::min<std::size_t>(16, std::max<std::size_t>(3, options.products / 15));
  double cat_offset[4], brand_offset[16];
  for (double& o : cat_offset) o = 0.8 * rng.normal();
  for (double& o : brand_offset) o = 1.2 * rng.normal();
  for (std::size_t i = 0; i < options.products; ++i) {
    const std::size_t c = rng.below(4), b = rng.below(n_brands);
    CatalogueEntry e;
    e.product_id = "P" + pad(i + 1, 5);
    e.brand = kBrands[b];
    e.category = kCategories[c];
    // Tops come in letter sizes, the rest in EU dress sizes.
    if (c == 1) {
      e.size_system = "letter";
      e.sizes = {"XS", "S", "M", "L", "XL", "XXL"};
    } else {
      e.size_system = "eu";
      for (int s = 32; s <= 50; s += 2) e.sizes.push_back(std::to_string(s));
    }
    SynthProductTruth t{e.product_id, e.brand, e.category, e.size_system,
                        cat_offset[c] + brand_offset[b] + 0.8 * rng.normal()};
    data.catalogue.push_back(std::move(e));
    data.products.push_back(std::move(t));
  }
  int day = 0;
  for (std::size_t i = 0; i < options.customers; ++i) {
    SynthCustomerTruth c;
    c.customer_id = "C" + pad(i + 1, 6);
    c.size = 40 + 3.2 * rng.normal();
    const double z = (c.size - 40) / 3.2;
    // Measurements that carry most, not all, of the size.
    c.body.height_cm = std::round(166 + 4 * z + 5 * rng.normal());
    c.body.weight_kg = std::round(66 + 8 * z + 4 * rng.normal());
    c.body.age = std::round(std::min(80.0, std::max(18.0, 38 + 11 * rng.normal())));
    c.body.body_type = kBodyTypes[rng.below(5)];
    const int n = 1 + rng.poisson(std::max(0.0, options.mean_purchases - 1));
    for (int k = 0; k < n; ++k) {
      const std::size_t pi = rng.below(data.catalogue.size());
      const CatalogueEntry& product = data.catalogue[pi];
      const SizeSystem system = parse_size_system(product.size_system).value();
      // Shoppers pick the label nearest to what they believe their size is; they do not know the offsets.
      const double believed = c.size + 1.5 * rng.normal();
      std::string chosen = product.sizes.front();
      double best = 1e300;
      for (const std::string& label : product.sizes) {
        const double gap = std::fabs(parse_size(system, label).value().value - believed);
        if (gap < best) best = gap, chosen = label;
      }
      const double x = parse_size(system, chosen).value().value;
      const double u = (c.size - (x + data.products[pi].offset)) / 2.0;
      const double p_large = sigmoid(data.c1 - data.slope * u);
      const double p_le_fit = sigmoid(data.c2 - data.slope * u);
      const double r = rng.uniform();
      Purchase p;
      p.customer_id = c.customer_id;
      p.product_id = product.product_id;
      p.brand = product.brand;
      p.category = product.category;
      p.size_system = product.size_system;
      p.size = chosen;
      p.outcome = r < p_large ? FitOutcome::kTooLarge : r < p_le_fit ? FitOutcome::kKept : FitOutcome::kTooSmall;
      if (p.outcome == FitOutcome::kKept && rng.uniform() < options.returned_other) p.outcome = FitOutcome::kReturnedOther;
      day = (day + 1 + static_cast<int>(rng.below(3))) % 700;
      const int month = 1 + (day / 28) % 12, dom = 1 + day % 28;
      p.date = std::string("2025-") + (month < 10 ? "0" : "") + std::to_string(month) + "-" + (dom < 10 ? "0" : "") +
               std::to_string(dom);
      p.body = c.body;
      data.purchases.push_back(std::move(p));
    }
    data.customers.push_back(std::move(c));
  }
  return data;
}

}  // namespace cabine
