// The model-export commands. Each takes its arguments (after the command name)
// and returns the process exit code; user errors are thrown as cli::CliError.
#pragma once

#include <string>
#include <vector>

namespace cabine::cli {

int run_bundle(const std::vector<std::string>& args);
int run_inspect(const std::vector<std::string>& args);
int run_train(const std::vector<std::string>& args);
int run_predict_fit(const std::vector<std::string>& args);
int run_synth(const std::vector<std::string>& args);
int run_features(const std::vector<std::string>& args);
int run_train_propensity(const std::vector<std::string>& args);
int run_train_uplift(const std::vector<std::string>& args);
int run_train_segments(const std::vector<std::string>& args);
int run_score(const std::vector<std::string>& args);

}  // namespace cabine::cli
