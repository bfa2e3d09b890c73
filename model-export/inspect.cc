// `model-export inspect`: prints any model file as readable JSON. A file that
// does not load prints its error code and message and exits 1.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cabine/hash.h"
#include "cabine/model_format.h"
#include "cli.h"
#include "commands.h"

namespace cabine::cli {
namespace {

nlohmann::ordered_json group_to_json(const FitGroupParams& g) {
  return {{"name", g.name},           {"offset", g.offset},           {"band", g.band},
          {"small_logit", g.small_logit}, {"large_logit", g.large_logit}, {"log_count", g.log_count},
          {"residual", g.residual}};
}

// Every learned number of the fit section, for review and diffs.
nlohmann::ordered_json fit_to_json(const FitModel& m) {
  nlohmann::ordered_json out;
  out["slope"] = m.slope;
  out["band_center"] = m.band_center;
  out["band_log_half"] = m.band_log_half;
  out["body_mean"] = m.body_mean;
  out["body_sd"] = m.body_sd;
  out["body_types"] = m.body_types;
  out["dimensions"] = nlohmann::ordered_json::array();
  for (const FitDimension& d : m.dimensions) {
    out["dimensions"].push_back({{"dimension", size_dimension_name(d.dimension)},
                                 {"step", d.step},
                                 {"grid", {d.grid_lo, d.grid_hi}},
                                 {"population_mean", d.population_mean},
                                 {"population_sd", d.population_sd},
                                 {"has_questionnaire", d.has_questionnaire},
                                 {"questionnaire_intercept", d.questionnaire_intercept},
                                 {"questionnaire_sd", d.questionnaire_sd},
                                 {"questionnaire_weights", d.questionnaire_weights}});
  }
  out["global"] = group_to_json(m.global);
  out["categories"] = nlohmann::ordered_json::array();
  for (const FitGroupParams& g : m.categories) out["categories"].push_back(group_to_json(g));
  out["brands"] = nlohmann::ordered_json::array();
  for (const FitGroupParams& g : m.brands) out["brands"].push_back(group_to_json(g));
  out["products"] = nlohmann::ordered_json::array();
  for (const FitProduct& p : m.products) {
    nlohmann::ordered_json j = group_to_json(p.params);
    j["brand"] = p.brand >= 0 ? nlohmann::ordered_json(m.brands[static_cast<std::size_t>(p.brand)].name) : nullptr;
    j["category"] = p.category >= 0 ? nlohmann::ordered_json(m.categories[static_cast<std::size_t>(p.category)].name) : nullptr;
    j["size_system"] = size_system_name(p.size_system);
    j["sizes"] = m.size_lists[p.size_list];
    j["flag"] = fit_flag_name(product_flag(m, p.params.name).value());
    out["products"].push_back(j);
  }
  out["size_stats"] = nlohmann::ordered_json::array();
  for (const FitSizeStat& st : m.size_stats) {
    out["size_stats"].push_back({{"dimension", size_dimension_name(st.dimension)},
                                 {"category", st.category >= 0 ? nlohmann::ordered_json(m.categories[static_cast<std::size_t>(st.category)].name) : nullptr},
                                 {"value", st.value},
                                 {"small_logit", st.small_logit},
                                 {"large_logit", st.large_logit}});
  }
  out["head"] = m.has_head() ? nlohmann::ordered_json{{"small_vs_fit", m.head_small}, {"large_vs_fit", m.head_large}} : nullptr;
  return out;
}

}  // namespace

int run_inspect(const std::vector<std::string>& argv) {
  Args args(argv, {}, {});
  if (args.positional().size() != 1) throw CliError{"expected exactly one model file"};
  const std::string path = args.positional()[0];
  const std::vector<std::uint8_t> bytes = read_file(path);
  Result<Model> parsed = parse_model(bytes);
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "model-export inspect: %s: %s\n", path.c_str(), parsed.status().to_string().c_str());
    return 1;
  }
  const Model& model = parsed.value();
  const ModelInfo& info = model.info;
  nlohmann::ordered_json out;
  out["file"] = path;
  out["format_version"] = std::to_string(info.format_major) + "." + std::to_string(info.format_minor);
  out["model_id"] = info.header.model_id;
  out["created_at"] = format_iso8601_utc(info.header.created_at_ms);
  out["created_at_ms"] = info.header.created_at_ms;
  out["exporter_version"] = info.header.exporter_version;
  out["data_fingerprint"] = to_hex(info.header.data_fingerprint);
  out["total_bytes"] = info.total_bytes;
  out["sections"] = nlohmann::ordered_json::array();
  for (const SectionInfo& s : info.sections) {
    nlohmann::ordered_json entry = {{"tag", s.tag}, {"name", s.name}, {"required", s.required},
                                    {"known", s.known}, {"bytes", s.bytes}};
    out["sections"].push_back(entry);
  }
  out["strings"] = model.strings;
  nlohmann::ordered_json metadata = nlohmann::ordered_json::object();
  for (const auto& [key, value] : model.metadata) metadata[key] = value;
  out["metadata"] = metadata;
  if (model.fit) out["fit"] = fit_to_json(*model.fit);
  if (model.audiences) out["audiences"] = nlohmann::ordered_json::parse(model.audiences->spec(), nullptr, false);
  if (model.learned) out["learned"] = nlohmann::ordered_json::parse(model.learned->to_json(), nullptr, false);
  if (model.decisions) out["decisions"] = nlohmann::ordered_json::parse(model.decisions->spec(), nullptr, false);
  std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace cabine::cli
