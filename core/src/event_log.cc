#include "cabine/event_log.h"

#include <unordered_map>

namespace cabine {

EventLogReplay replay_event_log(std::string_view jsonl, const ProfileConfig& config, const ReplayOptions& options) {
  EventLogReplay out;
  std::unordered_map<std::string, std::size_t> index;
  std::size_t line_number = 0;
  while (!jsonl.empty()) {
    const std::size_t end = jsonl.find('\n');
    std::string_view line = jsonl.substr(0, end);
    jsonl = end == std::string_view::npos ? std::string_view() : jsonl.substr(end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    Result<json::Value> parsed = json::parse(line, {.max_bytes = 64 * 1024, .max_depth = 4, .max_elements = 64}, "event");
    if (!parsed.is_ok()) {
      out.skipped.push_back({line_number, "", parsed.status().message()});
      continue;
    }
    json::Value& object = parsed.value();
    const json::Value* id = object.find("customerId");
    if (id == nullptr || !id->is_string() || id->as_string().empty()) {
      out.skipped.push_back({line_number, "customerId", "customerId must be a non-empty string"});
      continue;
    }
    const std::string customer = id->as_string();
    object.erase("customerId");
    Result<Event> event = event_from_json(object);
    if (!event.is_ok()) {
      out.skipped.push_back({line_number, "", event.status().message()});
      continue;
    }
    auto [it, added] = index.emplace(customer, out.customers.size());
    if (added) out.customers.push_back({customer, Profile()});
    CustomerProfile& c = out.customers[it->second];
    const Event& e = event.value();
    if (e.time_ms > out.latest_ms) out.latest_ms = e.time_ms;
    ++out.events;
    if (e.time_ms > options.cutoff_ms) {
      if (options.labels && e.type == options.label_type && e.time_ms <= options.cutoff_ms + options.label_window_ms) c.label = true;
      continue;
    }
    c.profile.track(e, config);
    c.has_features = true;
  }
  return out;
}

}  // namespace cabine
