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
  emscripten::function("errorCodes", &error_codes);
  emscripten::function("versions", &versions);
  emscripten::function("heapStats", &heap_stats);
}
