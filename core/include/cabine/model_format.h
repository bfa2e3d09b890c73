// Cabine model file format v1: constants, the in-memory model, the loader and
// the writer. The byte layout is specified in docs/model-format.md.
//
// The loader (`parse_model`) is written for untrusted bytes: it validates the
// whole file (lengths against the bytes that remain, checksum, UTF-8, indices,
// limits) before it returns anything, and it never reads out of range, throws or
// aborts. The writer (`encode_model`) is what `model-export` uses.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cabine/audiences.h"
#include "cabine/decisions.h"
#include "cabine/fit_model.h"
#include "cabine/learned.h"
#include "cabine/status.h"

namespace cabine {

// "CABN" at offset 0.
inline constexpr std::array<std::uint8_t, 4> kModelMagic = {0x43, 0x41, 0x42, 0x4E};
// The format version this code reads and writes. A reader accepts every minor
// version of its major (it skips what a newer minor added) and rejects other majors.
inline constexpr std::uint8_t kFormatMajor = 1;
inline constexpr std::uint8_t kFormatMinor = 0;
// Magic (4) + major (1) + minor (1) + payload length (u32) + payload CRC-32 (u32).
inline constexpr std::size_t kPreambleBytes = 14;
// Files above this size are refused before any parsing (MODEL_TOO_LARGE). Real
// models are far smaller (RentTheRunway's 5,850 products: 90 KB); the limit
// also bounds what a hostile file can make the decoder allocate.
inline constexpr std::size_t kMaxModelBytes = 16u << 20;
inline constexpr std::size_t kMaxModelIdBytes = 128;
inline constexpr std::size_t kMaxExporterVersionBytes = 64;
inline constexpr std::size_t kMaxSections = 255;
inline constexpr std::size_t kMaxStringBytes = 4096;
inline constexpr std::size_t kMaxMetadataKeyBytes = 64;
// created_at is stored in milliseconds and must fit a JS number exactly.
inline constexpr std::uint64_t kMaxCreatedAtMs = (std::uint64_t{1} << 53) - 1;

// Section tags known to this reader. Tags are never reused.
enum class SectionTag : std::uint32_t {
  kStrings = 1,   // shared string table; required in every v1 model
  kMetadata = 2,  // free-form key/value pairs describing the model
  kFit = 16,      // the fit model (fit_model.h); written as required
  kAudiences = 32,  // rule audiences and the profile settings (audiences.h): the spec as
                    // compact UTF-8 JSON, compiled when the model loads; written as optional
  kLearned = 48,    // propensity, uplift and segment models (learned.h), compact JSON; optional
  kDecisions = 64,  // slots, their candidate contents and the holdout (decisions.h), compact JSON; optional
};

// The model header: who made the model, when, and from what.
struct ModelHeader {
  std::string model_id;                          // 1..128 bytes of UTF-8, no control characters
  std::uint64_t created_at_ms = 0;               // Unix time in milliseconds (UTC)
  std::string exporter_version;                  // version of the model-export that wrote it
  std::array<std::uint8_t, 32> data_fingerprint{};  // SHA-256 over the training inputs
};

// One section as found in the file.
struct SectionInfo {
  std::uint32_t tag = 0;
  std::string name;        // "strings", "metadata", or "tag_<n>" when unknown to this reader
  bool required = false;   // the file's flag: a reader that does not know it must refuse the file
  bool known = false;      // whether this reader decoded it (unknown optional sections are skipped)
  std::uint32_t bytes = 0; // content length, without the tag/flags/length prefix
};

// What `modelInfo` reports: identity, version and size of a model.
struct ModelInfo {
  ModelHeader header;
  std::uint8_t format_major = 0;
  std::uint8_t format_minor = 0;
  std::uint32_t total_bytes = 0;  // size of the whole file
  std::vector<SectionInfo> sections;  // in file order
};

// A fully validated model, ready for use.
struct Model {
  ModelInfo info;
  std::vector<std::string> strings;  // the shared string table
  std::vector<std::pair<std::string, std::string>> metadata;  // unique keys, file order
  std::optional<FitModel> fit;  // present when the file has a fit section
  std::optional<AudienceSet> audiences;  // present when the file has an audiences section
  std::optional<LearnedModels> learned;  // present when the file has a learned section
  std::optional<DecisionSet> decisions;  // present when the file has a decisions section
};

// Parses and validates a model file. On failure the code says which check
// failed (MODEL_EMPTY, MODEL_BAD_MAGIC, MODEL_UNSUPPORTED_VERSION,
// MODEL_TRUNCATED, MODEL_TRAILING_BYTES, MODEL_CHECKSUM_MISMATCH,
// MODEL_MALFORMED_HEADER, MODEL_MISSING_REQUIRED_SECTION,
// MODEL_UNKNOWN_REQUIRED_SECTION, MODEL_DUPLICATE_SECTION,
// MODEL_MALFORMED_SECTION, MODEL_TOO_LARGE) and the message says where.
Result<Model> parse_model(std::span<const std::uint8_t> bytes);

// A section's raw content, for writers (and for tests that build unusual files).
struct RawSection {
  std::uint32_t tag = 0;
  bool required = false;
  std::vector<std::uint8_t> content;
};

// Frames header and sections into a complete file: preamble, payload, checksum.
// Performs no validation of the contents; `encode_model` is the checked path.
std::vector<std::uint8_t> encode_container(const ModelHeader& header,
                                           std::span<const RawSection> sections,
                                           std::uint8_t major = kFormatMajor,
                                           std::uint8_t minor = kFormatMinor);

// What the exporter puts into a model.
struct ModelContent {
  ModelHeader header;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::optional<FitModel> fit;
  std::optional<std::string> audiences;  // an audiences spec (JSON text, audiences.h)
  std::optional<std::string> learned;    // learned models (JSON text, learned.h)
  std::optional<std::string> decisions;  // a decisions spec (JSON text, decisions.h)
};

// Encodes a model as format v1. Fails with INVALID_ARGUMENT when a field breaks
// a limit above (naming the field), so that every written file loads.
Result<std::vector<std::uint8_t>> encode_model(const ModelContent& content);

// The display name of a section tag ("strings", "metadata", "tag_<n>").
std::string section_name(std::uint32_t tag);

}  // namespace cabine
