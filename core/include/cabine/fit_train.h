// Training the fit model from a purchase log (and an optional catalogue), and
// the held-out metrics the model team reads. Native only in practice, but
// pure: no I/O, progress goes through a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cabine/fit_data.h"
#include "cabine/fit_model.h"
#include "cabine/status.h"

namespace cabine {

struct FitTrainOptions {
  double holdout_fraction = 0.1;  // rows held out (by a hash of the row) for the metrics; 0 = none
  std::uint64_t seed = 1;
  int iterations = 400;           // optimiser iterations of the latent-size model
  bool refit_on_all = true;       // after measuring, train the final model on every row
  std::function<void(std::string_view)> progress;  // one line per step; may be empty
};

// Mean one-vs-rest AUC and friends, for rows whose fit outcome is known.
struct FitMetrics {
  std::size_t rows = 0;
  double auc_small = 0, auc_fit = 0, auc_large = 0, auc_mean = 0;
  double log_loss = 0;
};

struct FitTrainReport {
  std::size_t fit_rows = 0;        // rows with a fit signal used for training
  std::size_t returned_other = 0;  // counted, not used as a fit signal
  std::size_t skipped_rows = 0;    // rows whose size did not fit their product's size system
  std::size_t customers = 0, products = 0, brands = 0, categories = 0;
  bool has_holdout = false;
  FitMetrics holdout;
  std::vector<std::string> warnings;
};

// Trains a fit model. Fails with INVALID_ARGUMENT when there is nothing to
// learn from (no rows with a fit outcome).
Result<FitModel> train_fit(const std::vector<Purchase>& purchases, const std::vector<CatalogueEntry>& catalogue,
                           const FitTrainOptions& options, FitTrainReport* report = nullptr);

// Area under the ROC curve of `scores` for `positive` labels (ties count half).
double roc_auc(const std::vector<double>& scores, const std::vector<bool>& positive);

// Predicts held-out rows with the serving code (predict_fit), each with the
// customer's rows in `history_rows` as history, and scores them.
FitMetrics evaluate_fit(const FitModel& model, const std::vector<Purchase>& history_rows,
                        const std::vector<Purchase>& test_rows);

}  // namespace cabine
