// The audience side of model-export: validating audience specs, and `features`,
// which replays an event log through the browser's own profile code.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cabine/audiences.h"
#include "cabine/event_log.h"
#include "cabine/fit_data.h"
#include "cabine/model_format.h"
#include "cli.h"
#include "commands.h"

namespace cabine::cli {

std::string read_audiences_spec(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file(path);
  const std::string text(bytes.begin(), bytes.end());
  Result<AudienceSet> compiled = AudienceSet::compile(text);
  if (!compiled.is_ok()) throw CliError{path + ": " + compiled.status().to_string()};
  return text;
}

namespace {

nlohmann::ordered_json to_nlohmann(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kNull: return nullptr;
    case json::Type::kBool: return v.as_bool();
    case json::Type::kNumber: return v.as_number();
    case json::Type::kString: return v.as_string();
    case json::Type::kArray: {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const json::Value& item : v.items()) out.push_back(to_nlohmann(item));
      return out;
    }
    case json::Type::kObject: {
      nlohmann::ordered_json out = nlohmann::ordered_json::object();
      for (std::size_t i = 0; i < v.size(); ++i) out[v.keys()[i]] = to_nlohmann(v.items()[i]);
      return out;
    }
  }
  return nullptr;
}

}  // namespace

int run_features(const std::vector<std::string>& argv) {
  Args args(argv, {"events", "out", "at", "format", "model", "audiences", "max-bad-fraction", "label", "label-days"}, {});
  const std::string events_path = args.require("events");
  const std::string out_path = args.require("out");
  const std::string format = args.get("format").value_or("jsonl");
  if (format != "jsonl" && format != "csv") throw CliError{"--format must be jsonl or csv"};
  const double max_bad = parse_fraction(args.get("max-bad-fraction"), 0.05, "max-bad-fraction");
  if (args.get("model") && args.get("audiences")) throw CliError{"give --model or --audiences, not both"};
  ProfileConfig config;
  std::string settings_from = "the defaults";
  if (const auto model_path = args.get("model")) {
    Result<Model> model = parse_model(read_file(*model_path));
    if (!model.is_ok()) throw CliError{*model_path + ": " + model.status().to_string()};
    if (model.value().audiences) config = model.value().audiences->profile_config();
    settings_from = *model_path;
  } else if (const auto spec_path = args.get("audiences")) {
    config = AudienceSet::compile(read_audiences_spec(*spec_path)).value().profile_config();
    settings_from = *spec_path;
  }

  ReplayOptions replay_options;
  const std::string label = args.get("label").value_or(""), label_days = args.get("label-days").value_or("");
  if (!label.empty() || !label_days.empty()) {
    if (label.empty() || label_days.empty() || !args.get("at"))
      throw CliError{"--label and --label-days go together, and need --at (the moment the features are taken)"};
    const std::string& type = label;
    bool known = false;
    for (int t = 0; t < kEventTypeCount; ++t)
      if (event_type_name(static_cast<EventType>(t)) == type) replay_options.label_type = static_cast<EventType>(t), known = true;
    if (!known) throw CliError{"--label must be an event type (session_start, view, search, add_to_cart, purchase, return), not \"" + type + "\""};
    const double days = parse_plain_number(label_days);
    if (!(days > 0 && days <= 3650)) throw CliError{"--label-days must be a number of days from 0 (exclusive) to 3650"};
    replay_options.labels = true;
    replay_options.label_window_ms = days * 86400000.0;
  }
  // Features at --at come from the events up to --at only, with or without labels.
  if (args.get("at")) replay_options.cutoff_ms = parse_time(*args.get("at"));
  const std::string label_column = replay_options.labels
      ? "label_" + label + "_" + label_days + "d" : std::string();

  const auto started = std::chrono::steady_clock::now();
  const std::vector<std::uint8_t> bytes = read_file(events_path);
  std::fprintf(stderr, "replaying %s (%.1f MB) with the profile settings of %s (half-life %g days)...\n", events_path.c_str(),
               static_cast<double>(bytes.size()) / 1e6, settings_from.c_str(), config.half_life_days);
  const EventLogReplay replay =
      replay_event_log(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), config, replay_options);
  for (std::size_t i = 0; i < replay.skipped.size() && i < 10; ++i)
    std::fprintf(stderr, "warning: %s:%zu: %s (line skipped)\n", events_path.c_str(), replay.skipped[i].line,
                 replay.skipped[i].message.c_str());
  if (replay.skipped.size() > 10) std::fprintf(stderr, "warning: ... and %zu more bad lines\n", replay.skipped.size() - 10);
  const std::size_t total = replay.events + replay.skipped.size();
  if (total > 0 && static_cast<double>(replay.skipped.size()) / static_cast<double>(total) > max_bad)
    throw CliError{events_path + ": " + std::to_string(replay.skipped.size()) + " of " + std::to_string(total) +
                   " lines are bad, more than --max-bad-fraction " + std::to_string(max_bad)};
  const double at = args.get("at") ? parse_time(*args.get("at")) : std::max(0.0, replay.latest_ms);

  // Customers whose first event comes after --at have no features at --at
  // and are left out.
  std::size_t written = 0;
  std::string out;
  if (format == "jsonl") {
    for (const CustomerProfile& c : replay.customers) {
      if (!c.has_features) continue;
      nlohmann::ordered_json line;
      line["customerId"] = c.customer_id;
      line["features"] = to_nlohmann(c.profile.derive_features(at, config));
      if (replay_options.labels) line[label_column] = c.label ? 1 : 0;
      out += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      ++written;
    }
  } else {
    // One row per customer: the scalar features (affinity maps are left to
    // jsonl), each column named by the path the browser reads it from
    // ("features.recency_days"), so the CSV trains learned models directly.
    const json::Value names = Profile().derive_features(at, config);
    std::vector<std::string> columns;
    for (std::size_t i = 0; i < names.size(); ++i)
      if (!names.items()[i].is_object()) columns.push_back(names.keys()[i]);
    out = "customer_id";
    for (const std::string& c : columns) out += ",features." + c;
    if (replay_options.labels) out += "," + label_column;
    out += "\n";
    for (const CustomerProfile& c : replay.customers) {
      if (!c.has_features) continue;
      ++written;
      const json::Value f = c.profile.derive_features(at, config);
      out += csv_escape(c.customer_id);
      for (const std::string& name : columns) {
        const json::Value* v = f.find(name);
        out += ",";
        if (v->is_number()) {
          const std::string integral = json::integer_to_string(v->as_number());
          out += integral.empty() ? nlohmann::json(v->as_number()).dump() : integral;
        }
        else if (v->is_string()) out += csv_escape(v->as_string());
      }
      if (replay_options.labels) out += c.label ? ",1" : ",0";
      out += "\n";
    }
  }
  write_file_atomically(out_path, std::vector<std::uint8_t>(out.begin(), out.end()));
  std::printf("replayed %zu events for %zu customers in %.2f s (%zu lines skipped); features at %s of %zu customers written to %s\n",
              replay.events, replay.customers.size(), seconds_since(started), replay.skipped.size(),
              format_iso8601_utc(static_cast<std::uint64_t>(at)).c_str(), written, out_path.c_str());
  if (replay_options.labels) {
    std::size_t positives = 0;
    for (const CustomerProfile& c : replay.customers) positives += c.has_features && c.label;
    std::printf("label %s: %zu of %zu customers had a %s in the %s days after %s\n", label_column.c_str(), positives, written,
                label.c_str(), label_days.c_str(), format_iso8601_utc(static_cast<std::uint64_t>(at)).c_str());
  }
  return 0;
}

}  // namespace cabine::cli
