// model-export: the model team's native tool. It trains, evaluates, writes and
// inspects Cabine model files, using the same core code as the browser.
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cabine/version.h"
#include "cli.h"
#include "commands.h"

namespace {

constexpr const char* kUsage = R"(usage: model-export <command> [options]

commands:
  train --purchases FILE [--catalogue FILE] --out MODEL [--audiences FILE]
        [--id ID] [--holdout 0.1] [--seed N] [--iterations 400] [--max-bad-fraction 0.05] [--no-refit]
                                        train a fit model; prints progress, time and held-out metrics;
                                        --audiences validates rule audiences and writes them into the model
  features --events FILE --out FILE [--at TIME] [--format jsonl|csv] [--model MODEL | --audiences FILE]
        [--label TYPE --label-days N] [--max-bad-fraction 0.05]
                                        replay an event log (JSON Lines) through the browser's profile code
                                        and write each customer's derived features at TIME from the events
                                        up to TIME (default: the latest event); settings from the model's or
                                        the spec's profile; --label adds whether an event of TYPE came in
                                        the N days after TIME (training rows for learned models)
  predict-fit --model MODEL --history FILE --queries FILE --out FILE
                                        P(too small), P(fit), P(too large) and the suggested size per query,
                                        each from that customer's own rows in the history file
  train-propensity --data FILE --outcome COL --features COLS --name NAME --out MODEL
        [--categorical COLS] [--numeric COLS] [--bucketize COLS] [--max-levels 100]
        [--l2 1.0] [--max-iterations 50] [--holdout 0.3] [--seed N]
                                        logistic regression P(outcome) on the features (CSV columns, which
                                        are also the paths the browser reads); held-out AUC and calibration
  train-uplift --data FILE --treatment-col COL --treatment VALUE --control VALUE --outcome COL
        --features COLS --name NAME --out MODEL [--method two_model|class_transformation]
        [--persuadable-min X] [--sleeping-dog-min X] [--sure-thing-min X] [feature and fit options]
                                        uplift of the treatment over the control; held-out Qini, uplift@30%
  train-segments --data FILE --features COLS --out MODEL [--k K | --k-range 2..8] [--seed N]
        [--restarts 4] [--silhouette-sample 2000] [feature options]
                                        k-means++ segments, k chosen by silhouette; named by their traits
  score --model MODEL --input FILE --out FILE [--now TIME]
                                        every learned model, audience and slot on every CSV row, as the
                                        browser scores it (at TIME; default: the run's time)
                                        (train-* add to MODEL, replacing a model of the same name; a MODEL
                                        ending in .json holds the learned models alone, as JSON)
  synth --out DIR [--customers 2000] [--products 200] [--seed N]
                                        a synthetic purchase log with the true sizes and offsets beside it
  bundle  --config FILE --out MODEL     write a model from a bundle config (docs/model-export.md)
  inspect MODEL                         print any model file as JSON (exit 1 if it does not load)
  version                               print the exporter and model format versions
  help                                  print this text

Environment: SOURCE_DATE_EPOCH (seconds) fixes the model's created-at time.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace cabine::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "version" || args[0] == "--version") {
    std::printf("model-export %s (model format %d.%d)\n", cabine::kVersion.data(), cabine::kFormatMajor,
                cabine::kFormatMinor);
    return 0;
  }
  const std::map<std::string, std::function<int(const std::vector<std::string>&)>> commands = {
      {"bundle", run_bundle},
      {"inspect", run_inspect},
      {"train", run_train},
      {"predict-fit", run_predict_fit},
      {"synth", run_synth},
      {"features", run_features},
      {"train-propensity", run_train_propensity},
      {"train-uplift", run_train_uplift},
      {"train-segments", run_train_segments},
      {"score", run_score},
  };
  auto it = commands.find(args[0]);
  if (it == commands.end()) {
    std::fprintf(stderr, "model-export: unknown command '%s'\n\n%s", args[0].c_str(), kUsage);
    return 2;
  }
  try {
    return it->second(std::vector<std::string>(args.begin() + 1, args.end()));
  } catch (const CliError& e) {
    std::fprintf(stderr, "model-export %s: %s\n", args[0].c_str(), e.message.c_str());
    return e.exit_code;
  }
}
