// Embind bindings: the only C++ that knows about JavaScript.
//
// Every function returns a plain JS object ({ok: true, ...} or {ok: false,
// code, message}); the JS layer (src/cabine.js) turns failures into
// CabineError. Nothing here throws into JS (see ../shared/TOOLCHAIN.md: C++
// exceptions and val::throw_() both misbehave across Embind in 3.1.6), and no
// Embind class or vector handle is handed out, so nothing can leak.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <optional>
#include <string>

#include "cabine/engine.h"
#include "cabine/hash.h"
#include "cabine/version.h"

namespace {

using emscripten::val;

// One engine per module instance; every createCabine() instantiates its own module.
cabine::Engine& engine() {
  static cabine::Engine instance;
  return instance;
}

// Rules borrow String(number) and RegExp from the page (rule_host.h). The JS
// layer passes an object {numberToString(n), regexTest(pattern, flags, subject)}
// whose regexTest returns true, false, or an error message string (it catches
// the SyntaxError itself, so no JS exception crosses the wasm frames).
class JsRuleHost final : public cabine::RuleHost {
 public:
  val host = val::undefined();
  std::string number_to_string(double n) const override { return host.call<std::string>("numberToString", n); }
  cabine::Result<bool> regex_test(std::string_view pattern, std::string_view flags, std::string_view subject) const override {
    const val r = host.call<val>("regexTest", std::string(pattern), std::string(flags), std::string(subject));
    if (r.isString()) return cabine::Status(cabine::ErrorCode::kInvalidRule, "invalid regular expression /" + std::string(pattern) + "/: " + r.as<std::string>());
    return r.isTrue();
  }
};

JsRuleHost& rule_host() {
  static JsRuleHost instance;
  return instance;
}

val failure(const cabine::Status& status) {
  val out = val::object();
  out.set("ok", false);
  out.set("code", std::string(cabine::error_code_name(status.code())));
  out.set("message", status.message());
  return out;
}

val info_to_js(const cabine::Model& model) {
  const cabine::ModelInfo& info = model.info;
  val out = val::object();
  out.set("ok", true);
  out.set("id", info.header.model_id);
  out.set("formatVersion", std::to_string(info.format_major) + "." + std::to_string(info.format_minor));
  out.set("createdAtMs", static_cast<double>(info.header.created_at_ms));
  out.set("exporterVersion", info.header.exporter_version);
  out.set("dataFingerprint", cabine::to_hex(info.header.data_fingerprint));
  out.set("totalBytes", info.total_bytes);
  val sections = val::array();
  for (const cabine::SectionInfo& s : info.sections) {
    val section = val::object();
    section.set("name", s.name);
    section.set("tag", s.tag);
    section.set("required", s.required);
    section.set("known", s.known);
    section.set("bytes", s.bytes);
    sections.call<void>("push", section);
  }
  out.set("sections", sections);
  val metadata = val::object();
  for (const auto& [key, value] : model.metadata) metadata.set(key, value);
  out.set("metadata", metadata);
  return out;
}

// `bytes` arrives as a copy of the caller's Uint8Array (Embind's std::string
// conversion accepts typed arrays), so the caller's buffer is never aliased.
val load_model(const std::string& bytes) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  cabine::Status status = engine().load_model(std::span(data, bytes.size()));
  if (!status.is_ok()) return failure(status);
  return info_to_js(*engine().model());
}

val model_info() {
  if (!engine().has_model()) return failure(engine().model_info().status());
  return info_to_js(*engine().model());
}

// Readers for request objects. The JS layer has checked the types already; these
// still fall back to empty values rather than trap on anything unexpected.
std::string get_string(const val& object, const char* key) {
  const val v = object[key];
  return v.isString() ? v.as<std::string>() : std::string();
}

std::optional<double> get_number(const val& object, const char* key) {
  const val v = object[key];
  if (v.isNumber()) return v.as<double>();
  return std::nullopt;
}

cabine::ProductRef read_product(const val& p) {
  cabine::ProductRef ref;
  ref.product_id = get_string(p, "productId");
  ref.brand = get_string(p, "brand");
  ref.category = get_string(p, "category");
  ref.size_system = get_string(p, "sizeSystem");
  ref.name = get_string(p, "name");
  const val sizes = p["sizes"];
  if (sizes.isArray()) {
    const unsigned n = sizes["length"].as<unsigned>();
    for (unsigned i = 0; i < n; ++i) {
      const val label = sizes[i];
      if (label.isString()) ref.sizes.push_back(label.as<std::string>());
    }
  }
  return ref;
}

val recommend_size(const val& request) {
  cabine::FitRequest r;
  r.product = read_product(request["product"]);
  const val history = request["history"];
  if (history.isArray()) {
    const unsigned n = history["length"].as<unsigned>();
    r.history.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
      const val item = history[i];
      cabine::HistoryItem h;
      h.product = read_product(item);
      h.size = get_string(item, "size");
      cabine::Result<cabine::FitOutcome> outcome = cabine::parse_outcome(get_string(item, "outcome"));
      if (!outcome.is_ok())
        return failure(cabine::Status(cabine::ErrorCode::kInvalidArgument,
                                      "history[" + std::to_string(i) + "]: " + outcome.status().message()));
      h.outcome = outcome.value();
      r.history.push_back(std::move(h));
    }
  }
  const val q = request["questionnaire"];
  if (!q.isUndefined() && !q.isNull()) {
    r.questionnaire.height_cm = get_number(q, "heightCm");
    r.questionnaire.weight_kg = get_number(q, "weightKg");
    r.questionnaire.age = get_number(q, "age");
    r.questionnaire.body_type = get_string(q, "bodyType");
    r.questionnaire.bust = get_string(q, "bust");
  }
  r.min_confidence = get_number(request, "minConfidence").value_or(0.0);

  cabine::Result<cabine::FitRecommendation> result = engine().recommend_size(r);
  if (!result.is_ok()) return failure(result.status());
  const cabine::FitRecommendation& rec = result.value();
  val out = val::object();
  out.set("ok", true);
  out.set("size", rec.size ? val(*rec.size) : val::null());
  out.set("confidence", rec.confidence);
  val sizes = val::array();
  for (const cabine::SizeProbabilities& p : rec.sizes) {
    val entry = val::object();
    entry.set("size", p.size);
    entry.set("pSmall", p.p_small);
    entry.set("pFit", p.p_fit);
    entry.set("pLarge", p.p_large);
    sizes.call<void>("push", entry);
  }
  out.set("sizes", sizes);
  out.set("reasonCode", std::string(cabine::fit_reason_name(rec.reason)));
  out.set("reasonText", rec.reason_text);
  out.set("source", std::string(cabine::fit_source_name(rec.source)));
  out.set("flag", std::string(cabine::fit_flag_name(rec.flag)));
  out.set("productOffset", rec.product_offset);
  val used = val::array();
  for (std::size_t i : rec.history_used) used.call<void>("push", static_cast<double>(i));
  out.set("itemsUsed", used);
  val notes = val::array();
  for (const std::string& note : rec.notes) notes.call<void>("push", note);
  out.set("notes", notes);
  out.set("sizeMean", rec.size_mean);
  out.set("sizeSd", rec.size_sd);
  return out;
}

val ok() {
  val out = val::object();
  out.set("ok", true);
  return out;
}

val status_to_js(const cabine::Status& status) { return status.is_ok() ? ok() : failure(status); }

val json_to_js(const cabine::json::Value& v) {
  using cabine::json::Type;
  switch (v.type()) {
    case Type::kNull: return val::null();
    case Type::kBool: return val(v.as_bool());
    case Type::kNumber: return val(v.as_number());
    case Type::kString: return val(v.as_string());
    case Type::kArray: {
      val out = val::array();
      for (const auto& item : v.items()) out.call<void>("push", json_to_js(item));
      return out;
    }
    case Type::kObject: {
      val out = val::object();
      for (std::size_t i = 0; i < v.size(); ++i) out.set(v.keys()[i], json_to_js(v.items()[i]));
      return out;
    }
  }
  return val::null();
}

void set_host(val host) { rule_host().host = host; }

val track(const std::string& event_json) { return status_to_js(engine().track(event_json)); }
val set_attributes(const std::string& json_text) { return status_to_js(engine().set_attributes(json_text)); }
std::string save_profile() { return engine().save_profile(); }
val load_profile(const std::string& text) { return status_to_js(engine().load_profile(text)); }
void forget() { engine().forget(); }

val profile(double now_ms) {
  val out = ok();
  out.set("attributes", json_to_js(engine().profile().attributes()));
  out.set("features", json_to_js(engine().features(now_ms)));
  return out;
}

val match_audiences(double now_ms) {
  cabine::Result<std::vector<cabine::AudienceMatch>> r = engine().match_audiences(now_ms, rule_host());
  if (!r.is_ok()) return failure(r.status());
  val list = val::array();
  for (const cabine::AudienceMatch& m : r.value()) {
    val entry = val::object();
    entry.set("id", m.id);
    entry.set("matched", m.matched);
    entry.set("reason", m.reason);
    list.call<void>("push", entry);
  }
  val out = ok();
  out.set("audiences", list);
  return out;
}

val scores_to_js(const cabine::ModelScores& scores, val out = val::object()) {
  val propensity = val::object();
  for (const auto& [name, p] : scores.propensity) propensity.set(name, p);
  out.set("propensity", propensity);
  val uplift = val::object();
  for (const cabine::UpliftEstimate& u : scores.uplift) {
    val entry = val::object();
    entry.set("pTreated", u.p_treated);
    entry.set("pControl", u.p_control);
    entry.set("uplift", u.uplift);
    entry.set("quadrant", u.quadrant);
    uplift.set(u.name, entry);
  }
  out.set("uplift", uplift);
  out.set("segment", scores.segment.empty() ? val::null() : val(scores.segment));
  out.set("segmentConfidence", scores.segment_confidence);
  return out;
}

// The model's products (at most `limit`) and slots, for QA tools.
val model_contents(double limit) {
  cabine::Result<cabine::json::Value> r = engine().model_contents(static_cast<std::size_t>(limit));
  if (!r.is_ok()) return failure(r.status());
  val out = ok();
  out.set("contents", json_to_js(r.value()));
  return out;
}

val decide(const std::string& slot, double now_ms) {
  cabine::Result<cabine::Decision> r = engine().decide(slot, now_ms, rule_host());
  if (!r.is_ok()) return failure(r.status());
  const cabine::Decision& d = r.value();
  val out = ok();
  out.set("slot", d.slot);
  out.set("content", d.content.empty() ? val::null() : val(d.content));
  out.set("holdout", d.holdout);
  out.set("reason", d.reason);
  val audiences = val::array();
  for (const std::string& a : d.audiences) audiences.call<void>("push", a);
  out.set("audiences", audiences);
  out.set("scores", scores_to_js(d.scores));
  out.set("expectedGain", d.expected_gain);
  out.set("exposure", d.exposure);
  return out;
}

void mark_rendered(const std::string& content, double now_ms) { engine().mark_rendered(content, now_ms); }

val scores(double now_ms) {
  cabine::Result<cabine::ModelScores> r = engine().score(now_ms);
  if (!r.is_ok()) return failure(r.status());
  return scores_to_js(r.value(), ok());
}

val evaluate_rule(const std::string& rule, const std::string& data, const std::string& language,
                  const std::string& saved_groups, double now_ms) {
  cabine::Result<cabine::RuleLanguage> lang = cabine::rule_language_from_name(language);
  if (!lang.is_ok()) return failure(lang.status());
  cabine::Result<cabine::json::Value> r = cabine::evaluate_rule_text(lang.value(), rule, data, saved_groups, rule_host(), now_ms);
  if (!r.is_ok()) return failure(r.status());
  val out = ok();
  out.set("value", json_to_js(r.value()));
  return out;
}

val error_codes() {
  val codes = val::array();
  for (int i = 1; i < cabine::kErrorCodeCount; ++i)
    codes.call<void>("push", std::string(cabine::error_code_name(static_cast<cabine::ErrorCode>(i))));
  return codes;
}

val versions() {
  val out = val::object();
  out.set("package", std::string(cabine::kVersion));
  out.set("formatMajor", cabine::kFormatMajor);
  out.set("formatMinor", cabine::kFormatMinor);
  out.set("maxModelBytes", static_cast<double>(cabine::kMaxModelBytes));
  out.set("maxRuleBytes", static_cast<double>(cabine::kMaxRuleBytes));
  out.set("maxRuleDataBytes", static_cast<double>(cabine::kMaxRuleDataBytes));
  out.set("maxRuleDepth", static_cast<double>(cabine::kMaxRuleDepth));
  out.set("maxArrayLength", static_cast<double>(cabine::kMaxArrayLength));
  return out;
}

// For the leak tests: bytes of wasm linear memory and bytes malloc has handed out.
val heap_stats() {
  struct mallinfo mi = mallinfo();
  val out = val::object();
  out.set("wasmMemoryBytes", static_cast<double>(__builtin_wasm_memory_size(0)) * 65536.0);
  out.set("heapBytesInUse", static_cast<double>(mi.uordblks));
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(cabine) {
  emscripten::function("loadModel", &load_model);
  emscripten::function("modelInfo", &model_info);
  emscripten::function("recommendSize", &recommend_size);
  emscripten::function("setHost", &set_host);
  emscripten::function("track", &track);
  emscripten::function("setAttributes", &set_attributes);
  emscripten::function("saveProfile", &save_profile);
  emscripten::function("loadProfile", &load_profile);
  emscripten::function("forget", &forget);
  emscripten::function("profile", &profile);
  emscripten::function("matchAudiences", &match_audiences);
  emscripten::function("evaluateRule", &evaluate_rule);
  emscripten::function("decide", &decide);
  emscripten::function("markRendered", &mark_rendered);
  emscripten::function("scores", &scores);
  emscripten::function("modelContents", &model_contents);
  emscripten::function("errorCodes", &error_codes);
  emscripten::function("versions", &versions);
  emscripten::function("heapStats", &heap_stats);
}
