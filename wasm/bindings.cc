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
  emscripten::function("errorCodes", &error_codes);
  emscripten::function("versions", &versions);
  emscripten::function("heapStats", &heap_stats);
}
