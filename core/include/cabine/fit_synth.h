// Synthetic purchase logs from known true sizes and offsets, for testing that
// training recovers them (`model-export synth`, the demo model, the tests).
// Deterministic for a seed, on every platform.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cabine/fit_data.h"

namespace cabine {

struct SynthOptions {
  std::size_t customers = 2000;
  std::size_t products = 200;
  std::uint64_t seed = 42;
  double mean_purchases = 4;     // per customer (1 + Poisson(mean - 1))
  double returned_other = 0.04;  // share of returns unrelated to fit
};

struct SynthProductTruth {
  std::string product_id, brand, category, size_system;
  double offset = 0;  // true total offset, EU dress-size units (> 0 runs large)
};

struct SynthCustomerTruth {
  std::string customer_id;
  double size = 0;  // true size, EU dress-size units
  BodyMeasurements body;
};

struct SynthData {
  std::vector<Purchase> purchases;
  std::vector<CatalogueEntry> catalogue;
  std::vector<SynthProductTruth> products;
  std::vector<SynthCustomerTruth> customers;
  // The generating model: P(large) = sigmoid(c1 - a*u), P(<= fit) = sigmoid(c2 - a*u),
  // u = (true size - (label + offset)) / 2 (one EU dress step).
  double slope = 2.0, c1 = -1.2, c2 = 1.2;
};

// Every product is a women's dress size, in the "eu" or "letter" system.
SynthData synthesize_fit_data(const SynthOptions& options);

// The label of `sizes` (EU dress or letter values) nearest to the true best
// value `size - offset`; ties go to the larger size.
std::string true_best_size(const CatalogueEntry& product, double customer_size, double offset);

}  // namespace cabine
