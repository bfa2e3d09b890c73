// Shared helpers for tests that build or damage model files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cabine/hash.h"
#include "cabine/model_format.h"

namespace cabine::testing {

struct GoldenFile {
  const char* name;  // "<format version>/<file name>"
  std::vector<std::uint8_t> bytes;
};

// Every golden model checked in under tests/golden/, compiled in.
inline const std::vector<GoldenFile>& golden_models() {
  static const std::vector<GoldenFile> files = {
#include "golden_models.inc"
  };
  return files;
}

inline const std::vector<std::uint8_t>& golden_v1_0() { return golden_models().at(0).bytes; }

// Rewrites the payload length and checksum after a test edited the payload, so
// that the edit reaches the checks behind the checksum.
inline void reseal(std::vector<std::uint8_t>& file) {
  const std::uint32_t len = static_cast<std::uint32_t>(file.size() - kPreambleBytes);
  const std::uint32_t crc = crc32(std::span(file).subspan(kPreambleBytes));
  for (int i = 0; i < 4; ++i) {
    file[6 + i] = static_cast<std::uint8_t>(len >> (8 * i));
    file[10 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
  }
}

inline ModelHeader test_header(const std::string& id = "test-model") {
  ModelHeader h;
  h.model_id = id;
  h.created_at_ms = 1767225600000;  // 2026-01-01T00:00:00Z
  h.exporter_version = "0.1.0";
  for (std::size_t i = 0; i < h.data_fingerprint.size(); ++i) h.data_fingerprint[i] = static_cast<std::uint8_t>(i);
  return h;
}

// A valid strings section holding `strings`.
inline RawSection strings_section(const std::vector<std::string>& strings) {
  RawSection s{static_cast<std::uint32_t>(SectionTag::kStrings), true, {}};
  s.content.push_back(static_cast<std::uint8_t>(strings.size()));
  for (const std::string& str : strings) {
    s.content.push_back(static_cast<std::uint8_t>(str.size()));
    s.content.insert(s.content.end(), str.begin(), str.end());
  }
  return s;
}

}  // namespace cabine::testing
