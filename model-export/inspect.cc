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
  std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace cabine::cli
