// `model-export bundle`: writes a model file from a JSON bundle config.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cabine/model_format.h"
#include "cabine/version.h"
#include "cli.h"
#include "commands.h"

namespace cabine::cli {
namespace {

using nlohmann::json;

json parse_config(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file(path);
  json config = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) throw CliError{path + ": not valid JSON"};
  if (!config.is_object()) throw CliError{path + ": the config must be a JSON object"};
  for (const auto& [key, value] : config.items()) {
    if (key != "id" && key != "metadata" && key != "audiences" && key != "decisions" && key != "include" && key != "$comment")
      throw CliError{path + ": unknown key '" + key + "' (expected id, metadata, audiences, decisions, include)"};
  }
  if (!config.contains("id") || !config["id"].is_string())
    throw CliError{path + ": 'id' must be a string naming the model"};
  if (config.contains("metadata")) {
    if (!config["metadata"].is_object()) throw CliError{path + ": 'metadata' must be an object of strings"};
    for (const auto& [key, value] : config["metadata"].items()) {
      if (!value.is_string()) throw CliError{path + ": metadata." + key + " must be a string"};
    }
  }
  if (config.contains("audiences") && !config["audiences"].is_string())
    throw CliError{path + ": 'audiences' must be the path of an audiences spec, relative to the config"};
  if (config.contains("decisions") && !config["decisions"].is_string())
    throw CliError{path + ": 'decisions' must be the path of a decisions spec, relative to the config"};
  if (config.contains("include")) {
    if (!config["include"].is_array()) throw CliError{path + ": 'include' must be an array of model files, relative to the config"};
    for (const auto& item : config["include"])
      if (!item.is_string()) throw CliError{path + ": 'include' must be an array of model files, relative to the config"};
  }
  return config;
}

}  // namespace

int run_bundle(const std::vector<std::string>& argv) {
  Args args(argv, {"config", "out"}, {});
  const std::string config_path = args.require("config");
  const std::string out_path = args.require("out");
  const json config = parse_config(config_path);

  ModelContent content;
  content.header.model_id = config["id"].get<std::string>();
  content.header.created_at_ms = creation_time_ms();
  content.header.exporter_version = std::string(kVersion);
  std::vector<std::string> inputs = {config_path};
  if (config.contains("audiences")) {
    const std::string spec_path =
        (std::filesystem::path(config_path).parent_path() / config["audiences"].get<std::string>()).string();
    content.audiences = read_audiences_spec(spec_path);
    inputs.push_back(spec_path);
  }
  if (config.contains("decisions")) {
    const std::string spec_path =
        (std::filesystem::path(config_path).parent_path() / config["decisions"].get<std::string>()).string();
    const std::vector<std::uint8_t> bytes = read_file(spec_path);
    const std::string text(bytes.begin(), bytes.end());
    Result<DecisionSet> compiled = DecisionSet::compile(text);
    if (!compiled.is_ok()) throw CliError{spec_path + ": " + compiled.status().to_string()};
    content.decisions = text;
    inputs.push_back(spec_path);
  }
  // Sections taken from models trained separately: fit, audiences and learned models.
  if (config.contains("include")) {
    for (const auto& item : config["include"]) {
      const std::string model_path = (std::filesystem::path(config_path).parent_path() / item.get<std::string>()).string();
      Result<Model> included = parse_model(read_file(model_path));
      if (!included.is_ok()) throw CliError{model_path + ": " + included.status().to_string()};
      Model& m = included.value();
      if (m.fit) {
        if (content.fit) throw CliError{model_path + ": a fit section comes from two included models"};
        content.fit = std::move(m.fit);
      }
      if (m.audiences && !content.audiences) content.audiences = m.audiences->spec();
      if (m.learned) {
        if (content.learned) throw CliError{model_path + ": learned models come from two included models; train them into one file"};
        content.learned = m.learned->to_json();
      }
      inputs.push_back(model_path);
    }
  }
  content.header.data_fingerprint = fingerprint_files(inputs);
  if (config.contains("metadata")) {
    for (const auto& [key, value] : config["metadata"].items())
      content.metadata.emplace_back(key, value.get<std::string>());
  }

  Result<std::vector<std::uint8_t>> encoded = encode_model(content);
  if (!encoded.is_ok()) throw CliError{config_path + ": " + encoded.status().to_string()};
  // Prove the file loads before anyone else sees it.
  Result<Model> check = parse_model(encoded.value());
  if (!check.is_ok()) throw CliError{"internal error: the written model does not load: " + check.status().to_string(), 3};
  write_file_atomically(out_path, encoded.value());
  std::printf("wrote %s: model '%s', %zu bytes, format %d.%d\n", out_path.c_str(), content.header.model_id.c_str(),
              encoded.value().size(), kFormatMajor, kFormatMinor);
  return 0;
}

}  // namespace cabine::cli
