// The learned-audience side of model-export: train-propensity, train-uplift,
// train-segments and score. Training, metrics and scoring are the core's
// (core/include/cabine/learned.h); this file reads the CSV, reports, and writes
// the models into the model file (docs/learned-models.md).
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cabine/csv.h"
#include "cabine/engine.h"
#include "cabine/hash.h"
#include "cabine/rule_host.h"
#include "cabine/hash.h"
#include "cabine/learned.h"
#include "cabine/model_format.h"
#include "cabine/version.h"
#include "cli.h"
#include "commands.h"

namespace cabine::cli {

// The learned models as the JSON text stored in the model's "learned" section.
std::string learned_json(const LearnedModels& models) { return models.to_json(); }

namespace {

// ------------------------------------------------------------ model file plumbing
// Learned models live in the model's optional "learned" section (tag 48) as the
// text of learned_json; a --out or --model ending in ".json" holds that JSON
// alone, for review and diffs.

bool is_json_path(const std::string& path) {
  return path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
}

std::string text_of(const std::vector<std::uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

// Everything of a loaded model that encode_model can write back.
ModelContent content_of(const Model& model) {
  ModelContent c;
  c.header = model.info.header;
  c.metadata = model.metadata;
  c.fit = model.fit;
  if (model.audiences) c.audiences = model.audiences->spec();
  if (model.learned) c.learned = learned_json(*model.learned);
  if (model.decisions) c.decisions = model.decisions->spec();
  return c;
}

LearnedModels parse_learned(const std::string& text, const std::string& where) {
  Result<LearnedModels> parsed = LearnedModels::from_json(text);
  if (!parsed.is_ok()) throw CliError{where + ": " + parsed.status().to_string()};
  return std::move(parsed).value();
}

// The learned models of --model: a model file, or a .json file of learned_json.
LearnedModels load_learned(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file(path);
  if (is_json_path(path)) return parse_learned(text_of(bytes), path);
  Result<Model> model = parse_model(bytes);
  if (!model.is_ok()) throw CliError{path + ": " + model.status().to_string()};
  if (!model.value().learned) throw CliError{path + ": the model has no learned models"};
  return std::move(*model.value().learned);
}

// Adds `update` to --out: merged with the learned models already there (same
// names are replaced), keeping the file's other sections.
void write_learned(const std::string& out_path, LearnedModels update, const std::string& data_path) {
  const bool exists = std::filesystem::exists(out_path);
  LearnedModels merged;
  if (is_json_path(out_path)) {
    if (exists) merged = parse_learned(text_of(read_file(out_path)), out_path);
    merge_learned(merged, std::move(update));
    const std::string text = learned_json(merged);
    parse_learned(text, "internal error: the written models do not load");
    write_file_atomically(out_path, std::vector<std::uint8_t>(text.begin(), text.end()));
    return;
  }
  ModelContent content;
  if (exists) {
    Result<Model> model = parse_model(read_file(out_path));
    if (!model.is_ok())
      throw CliError{out_path + " exists but does not load (" + model.status().to_string() +
                     "); remove it or choose another --out"};
    content = content_of(model.value());
    if (model.value().learned) merged = std::move(*model.value().learned);
    // The file now also depends on this data: SHA-256 of the old fingerprint and the new file's.
    Sha256 both;
    both.update(content.header.data_fingerprint);
    both.update(fingerprint_files({data_path}));
    content.header.data_fingerprint = both.finish();
  } else {
    content.header.model_id = std::filesystem::path(out_path).stem().string();
    if (content.header.model_id.empty()) content.header.model_id = "learned-model";
    content.header.data_fingerprint = fingerprint_files({data_path});
  }
  content.header.created_at_ms = creation_time_ms();
  content.header.exporter_version = std::string(kVersion);
  merge_learned(merged, std::move(update));
  content.learned = learned_json(merged);
  Result<std::vector<std::uint8_t>> encoded = encode_model(content);
  if (!encoded.is_ok()) throw CliError{"cannot encode the model: " + encoded.status().to_string(), 3};
  Result<Model> check = parse_model(encoded.value());
  if (!check.is_ok()) throw CliError{"internal error: the written model does not load: " + check.status().to_string(), 3};
  write_file_atomically(out_path, encoded.value());
}

// ------------------------------------------------------------ arguments

CsvTable load_table(const std::string& path) {
  std::fprintf(stderr, "reading %s...\n", path.c_str());
  Result<CsvTable> table = parse_csv(text_of(read_file(path)));
  if (!table.is_ok()) throw CliError{path + ": " + table.status().message()};
  std::size_t ragged = 0;
  for (const CsvRow& row : table.value().rows) ragged += row.fields.size() != table.value().header.size();
  if (ragged > 0)
    std::fprintf(stderr, "warning: %s: %zu rows do not have %zu fields; their missing cells read as empty\n", path.c_str(),
                 ragged, table.value().header.size());
  return std::move(table).value();
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

double parse_number(const std::optional<std::string>& text, double fallback, const char* option, double lo, double hi) {
  if (!text) return fallback;
  const double v = parse_plain_number(*text);
  if (!std::isfinite(v) || v < lo || v > hi)
    throw CliError{std::string("--") + option + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi)};
  return v;
}

std::optional<double> optional_number(const std::optional<std::string>& text, const char* option, double lo, double hi) {
  if (!text) return std::nullopt;
  return parse_number(text, 0, option, lo, hi);
}

const std::vector<std::string> kFeatureOptions = {"categorical", "numeric", "bucketize", "max-levels"};
const std::vector<std::string> kFitOptions = {"l2", "max-iterations", "holdout", "seed"};

std::vector<std::string> options_with(std::vector<std::string> base, const std::vector<std::vector<std::string>>& more) {
  for (const auto& list : more) base.insert(base.end(), list.begin(), list.end());
  return base;
}

FeatureOptions feature_options(const Args& args) {
  FeatureOptions o;
  if (const auto v = args.get("categorical")) o.categorical = split_list(*v);
  if (const auto v = args.get("numeric")) o.numeric = split_list(*v);
  if (const auto v = args.get("bucketize")) o.bucketize = split_list(*v);
  o.max_levels = parse_count(args.get("max-levels"), 100, "max-levels", kMaxFeatureLevels);
  return o;
}

LogisticOptions logistic_options(const Args& args) {
  LogisticOptions o;
  o.l2 = parse_number(args.get("l2"), 1.0, "l2", 0, 1e9);
  o.max_iterations = static_cast<int>(parse_count(args.get("max-iterations"), 50, "max-iterations", 1000));
  return o;
}

SplitOptions split_options(const Args& args) {
  SplitOptions o;
  o.holdout = parse_fraction(args.get("holdout"), 0.3, "holdout");
  if (o.holdout > 0.9) throw CliError{"--holdout must be at most 0.9"};
  o.seed = parse_count(args.get("seed"), 1, "seed", (std::uint64_t{1} << 53) - 1);
  return o;
}

std::vector<std::string> required_list(const Args& args, const std::string& name) {
  std::vector<std::string> list = split_list(args.require(name));
  if (list.empty()) throw CliError{"--" + name + " needs at least one column"};
  return list;
}

void progress_line(std::string_view line) { std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data()); }

std::string fmt(double v, const char* format = "%.4f") {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void print_features(const std::vector<FeatureSpec>& features) {
  for (const FeatureSpec& f : features) {
    if (f.kind == FeatureKind::kCategorical)
      std::printf("  %-24s categorical, %zu levels\n", f.name.c_str(), f.levels.size());
    else if (f.transform == NumericTransform::kBucketize)
      std::printf("  %-24s numeric, %zu buckets\n", f.name.c_str(), f.edges.size() + 1);
    else
      std::printf("  %-24s numeric, mean %.4g, sd %.4g\n", f.name.c_str(), f.mean, f.sd);
  }
}

}  // namespace

// ------------------------------------------------------------ commands

int run_train_propensity(const std::vector<std::string>& argv) {
  Args args(argv, options_with({"data", "outcome", "features", "name", "out"}, {kFeatureOptions, kFitOptions}), {});
  const std::string data_path = args.require("data"), out_path = args.require("out");
  const auto started = std::chrono::steady_clock::now();
  const CsvTable table = load_table(data_path);
  Result<PropensityReport> result =
      train_propensity(table, args.require("name"), args.require("outcome"), required_list(args, "features"),
                       feature_options(args), logistic_options(args), split_options(args), progress_line);
  if (!result.is_ok()) throw CliError{data_path + ": " + result.status().message()};
  const PropensityReport& r = result.value();
  const double seconds = seconds_since(started);
  std::printf("propensity '%s': %zu training rows, %zu held out, %zu skipped (empty outcome); base rate %s\n",
              r.model.name.c_str(), r.train_rows, r.holdout_rows, r.skipped_rows, fmt(r.base_rate).c_str());
  print_features(r.model.model.features);
  std::printf("IRLS: %d iterations, %s (max |gradient| %.3g)\n", r.fit.iterations,
              r.fit.converged ? "converged" : "NOT converged", r.fit.gradient_norm);
  std::printf("AUC: training %s, held-out %s\n", fmt(r.train_auc).c_str(), fmt(r.holdout_auc).c_str());
  if (!r.holdout_calibration.empty()) {
    std::printf("held-out calibration (10 equal-count bins):\n   rows  mean predicted  observed\n");
    for (const CalibrationBin& b : r.holdout_calibration)
      std::printf("  %5zu  %14s  %8s\n", b.count, fmt(b.mean_predicted).c_str(), fmt(b.observed_rate).c_str());
  }
  LearnedModels update;
  update.propensity.push_back(r.model);
  write_learned(out_path, std::move(update), data_path);
  std::printf("trained in %.2f s; wrote propensity '%s' to %s\n", seconds, r.model.name.c_str(), out_path.c_str());
  return 0;
}

int run_train_uplift(const std::vector<std::string>& argv) {
  Args args(argv,
            options_with({"data", "treatment-col", "treatment", "control", "outcome", "features", "name", "out", "method",
                          "persuadable-min", "sleeping-dog-min", "sure-thing-min"},
                         {kFeatureOptions, kFitOptions}),
            {});
  const std::string data_path = args.require("data"), out_path = args.require("out");
  UpliftTrainOptions options;
  options.treatment_column = args.require("treatment-col");
  options.treatment_value = args.require("treatment");
  options.control_value = args.require("control");
  options.outcome = args.require("outcome");
  const std::string method = args.get("method").value_or("two_model");
  if (method == "two_model") options.method = UpliftMethod::kTwoModel;
  else if (method == "class_transformation") options.method = UpliftMethod::kClassTransformation;
  else throw CliError{"--method must be two_model or class_transformation"};
  options.persuadable_min = optional_number(args.get("persuadable-min"), "persuadable-min", -1, 1);
  options.sleeping_dog_min = optional_number(args.get("sleeping-dog-min"), "sleeping-dog-min", -1, 1);
  options.sure_thing_min = optional_number(args.get("sure-thing-min"), "sure-thing-min", 0, 1);

  const auto started = std::chrono::steady_clock::now();
  const CsvTable table = load_table(data_path);
  Result<UpliftReport> result = train_uplift(table, args.require("name"), options, required_list(args, "features"),
                                             feature_options(args), logistic_options(args), split_options(args), progress_line);
  if (!result.is_ok()) throw CliError{data_path + ": " + result.status().message()};
  const UpliftReport& r = result.value();
  const double seconds = seconds_since(started);
  const UpliftModel& m = r.model;
  std::printf("uplift '%s' (%s): %zu training rows (%.1f%% treated), %zu held out, %zu skipped (treatment neither '%s' "
              "nor '%s', or empty outcome)\n",
              m.name.c_str(), std::string(uplift_method_name(m.method)).c_str(), r.train_rows, 100 * r.treated_share,
              r.holdout_rows, r.skipped_rows, options.treatment_value.c_str(), options.control_value.c_str());
  print_features(m.control.features);
  std::printf("observed uplift (treated - control rate): training %s, held-out %s\n", fmt(r.train_uplift).c_str(),
              fmt(r.holdout_ate).c_str());
  std::printf("held-out: Qini coefficient %s, uplift@30%% %s; AUC of the treated head %s, of the control head %s\n",
              fmt(r.holdout_qini).c_str(), fmt(r.holdout_uplift_at_30).c_str(), fmt(r.holdout_auc_treated).c_str(),
              fmt(r.holdout_auc_control).c_str());
  if (!r.holdout_calibration.empty()) {
    std::printf("held-out uplift calibration (5 equal-count bins by predicted uplift):\n   rows  treated  control  mean predicted  observed\n");
    for (const UpliftCalibrationBin& b : r.holdout_calibration)
      std::printf("  %5zu  %7zu  %7zu  %14s  %8s\n", b.count, b.treated, b.control, fmt(b.mean_predicted).c_str(),
                  fmt(b.observed_uplift).c_str());
  }
  std::printf("thresholds: persuadable if uplift >= %s; sleeping dog if uplift <= -%s; else sure thing if p_control >= %s\n",
              fmt(m.thresholds.persuadable_min).c_str(), fmt(m.thresholds.sleeping_dog_min).c_str(),
              fmt(m.thresholds.sure_thing_min).c_str());
  std::printf("held-out quadrants: persuadable %zu, sure_thing %zu, lost_cause %zu, sleeping_dog %zu\n", r.quadrant_counts[0],
              r.quadrant_counts[1], r.quadrant_counts[2], r.quadrant_counts[3]);
  LearnedModels update;
  update.uplift.push_back(m);
  write_learned(out_path, std::move(update), data_path);
  std::printf("trained in %.2f s; wrote uplift '%s' to %s\n", seconds, m.name.c_str(), out_path.c_str());
  return 0;
}

int run_train_segments(const std::vector<std::string>& argv) {
  Args args(argv, options_with({"data", "features", "out", "k", "k-range", "seed", "restarts", "silhouette-sample"}, {kFeatureOptions}), {});
  const std::string data_path = args.require("data"), out_path = args.require("out");
  SegmentOptions options;
  if (args.get("k") && args.get("k-range")) throw CliError{"give --k or --k-range, not both"};
  if (const auto k = args.get("k")) {
    options.k_min = options.k_max = parse_count(k, 2, "k", kMaxSegments);
  } else if (const auto range = args.get("k-range")) {
    const std::size_t dots = range->find("..");
    if (dots == std::string::npos) throw CliError{"--k-range must look like 2..8"};
    options.k_min = parse_count(range->substr(0, dots), 2, "k-range", kMaxSegments);
    options.k_max = parse_count(range->substr(dots + 2), 8, "k-range", kMaxSegments);
    if (options.k_min < 2 || options.k_max < options.k_min) throw CliError{"--k-range must look like 2..8 (from 2, ascending)"};
  }
  options.seed = parse_count(args.get("seed"), 1, "seed", (std::uint64_t{1} << 53) - 1);
  options.restarts = static_cast<int>(parse_count(args.get("restarts"), 4, "restarts", 100));
  options.silhouette_sample = parse_count(args.get("silhouette-sample"), 2000, "silhouette-sample", 20000);

  const auto started = std::chrono::steady_clock::now();
  const CsvTable table = load_table(data_path);
  Result<SegmentReport> result =
      train_segments(table, required_list(args, "features"), feature_options(args), options, progress_line);
  if (!result.is_ok()) throw CliError{data_path + ": " + result.status().message()};
  const SegmentReport& r = result.value();
  const double seconds = seconds_since(started);
  std::printf("segments: %zu rows, k = %zu\n", r.rows, r.model.centroids.size());
  print_features(r.model.features);
  for (const auto& [k, s] : r.silhouette_by_k) std::printf("  k = %zu: silhouette %s\n", k, fmt(s).c_str());
  std::printf("silhouette %s (sample of up to %zu rows)\n", fmt(r.silhouette).c_str(), options.silhouette_sample);
  for (std::size_t c = 0; c < r.model.centroids.size(); ++c)
    std::printf("  %zu. %s: %zu rows; %s\n", c + 1, r.model.names[c].c_str(), r.sizes[c], r.model.descriptions[c].c_str());
  LearnedModels update;
  update.segments = r.model;
  write_learned(out_path, std::move(update), data_path);
  std::printf("trained in %.2f s; wrote %zu segments to %s\n", seconds, r.model.centroids.size(), out_path.c_str());
  return 0;
}

// score: every row of --input through the models, as the browser scores a
// visitor whose declared attributes are that row. With a model file the rows
// go through the engine the wasm module wraps (a fresh profile per row, the
// row as setAttributes, then scores, matchAudiences and decide for every slot
// at --now); with a .json of learned models, through LearnedModels::score.
int run_score(const std::vector<std::string>& argv) {
  Args args(argv, {"model", "input", "out", "now"}, {});
  const std::string model_path = args.require("model"), input_path = args.require("input"), out_path = args.require("out");
  const double now = args.get("now") ? parse_time(*args.get("now"), "now") : static_cast<double>(creation_time_ms());
  const auto started = std::chrono::steady_clock::now();

  Engine engine;
  LearnedModels json_models;
  const LearnedModels* models = nullptr;
  if (is_json_path(model_path)) {
    json_models = load_learned(model_path);
    models = &json_models;
  } else {
    const Status loaded = engine.load_model(read_file(model_path));
    if (!loaded.is_ok()) throw CliError{model_path + ": " + loaded.to_string()};
    if (engine.model()->learned) models = &*engine.model()->learned;
  }
  const Model* model = engine.model();
  const bool audiences = model != nullptr && model->audiences && model->audiences->size() > 0;
  const std::vector<std::string> slots = model != nullptr && model->decisions ? model->decisions->slot_ids() : std::vector<std::string>();
  if ((models == nullptr || models->empty()) && !audiences && slots.empty())
    throw CliError{model_path + ": the model has no learned models, audiences or decisions to score"};
  const CsvTable table = load_table(input_path);
  std::fprintf(stderr, "scoring %zu rows at %s...\n", table.rows.size(), format_iso8601_utc(static_cast<std::uint64_t>(now)).c_str());

  std::string out;
  const auto header = [&](const std::string& column) { out += (out.empty() ? "" : ",") + csv_escape(column); };
  if (models != nullptr) {
    for (const PropensityModel& m : models->propensity) header("p_" + m.name);
    for (const UpliftModel& m : models->uplift) {
      header("uplift_" + m.name);
      header("p_treated_" + m.name);
      header("p_control_" + m.name);
      header("quadrant_" + m.name);
    }
    if (models->segments) {
      header("segment");
      header("segment_confidence");
    }
  }
  if (audiences) header("audiences");
  for (const std::string& slot : slots) {
    header("content_" + slot);
    header("assignment_" + slot);
  }
  out += "\n";

  char buf[64];
  const auto cell = [&](std::string_view text) {
    if (out.back() != '\n') out += ',';
    out += text;
  };
  const auto number = [&](double v) {
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    cell(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  };
  NativeRuleHost host;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const CsvRow& row = table.rows[i];
    json::Value data = row_to_data(table, row);
    ModelScores scores;
    if (model != nullptr) {
      // The row's "features.<name>" columns (a features CSV) stand for the
      // visitor's derived features; the other columns are declared attributes.
      json::Value attributes = json::Value::object(), features;
      for (std::size_t k = 0; k < data.size(); ++k) {
        const std::string& key = data.keys()[k];
        if (key.rfind("features.", 0) == 0) {
          if (features.is_null()) features = json::Value::object();
          features.set(key.substr(9), data.items()[k]);
        } else {
          attributes.set(key, data.items()[k]);
        }
      }
      engine.forget();
      const Status set = engine.set_attributes(json::write(attributes, host));
      if (!set.is_ok()) throw CliError{input_path + ":" + std::to_string(row.line) + ": " + set.to_string()};
      data = engine.rule_data_at(now);
      if (!features.is_null()) {
        json::Value* derived = data.find("features");
        for (std::size_t k = 0; k < features.size(); ++k) derived->set(features.keys()[k], features.items()[k]);
      }
      scores = engine.score(data).value();
    } else {
      scores = score_learned(*models, data);
    }
    if (models != nullptr) {
      for (const auto& [name, p] : scores.propensity) number(p);
      for (const UpliftEstimate& u : scores.uplift) {
        number(u.uplift);
        number(u.p_treated);
        number(u.p_control);
        cell(u.quadrant);
      }
      if (models->segments) {
        cell(csv_escape(scores.segment));
        number(scores.segment_confidence);
      }
    }
    if (audiences) {
      std::string matched;
      const Result<std::vector<AudienceMatch>> matches = engine.match_audiences(data, now, host);
      if (!matches.is_ok()) throw CliError{input_path + ":" + std::to_string(row.line) + ": " + matches.status().to_string()};
      for (const AudienceMatch& m : matches.value())
        if (m.matched) matched += (matched.empty() ? "" : " ") + m.id;
      cell(csv_escape(matched));
    }
    for (const std::string& slot : slots) {
      const Result<Decision> d = engine.decide(slot, data, now, host);
      if (!d.is_ok()) throw CliError{input_path + ":" + std::to_string(row.line) + ": slot " + slot + ": " + d.status().to_string()};
      cell(csv_escape(d.value().content));
      cell(d.value().holdout ? "holdout" : "treatment");
    }
    out += "\n";
    if ((i + 1) % 100000 == 0) std::fprintf(stderr, "  %zu rows\n", i + 1);
  }
  write_file_atomically(out_path, std::vector<std::uint8_t>(out.begin(), out.end()));
  std::printf("scored %zu rows with %zu propensity, %zu uplift and %s segment models, %s audiences and %zu slots in %.2f s; wrote %s\n",
              table.rows.size(), models ? models->propensity.size() : 0, models ? models->uplift.size() : 0,
              models && models->segments ? "the" : "no", audiences ? "the" : "no", slots.size(), seconds_since(started),
              out_path.c_str());
  return 0;
}

}  // namespace cabine::cli
