// Shared plumbing for the model-export commands: argument parsing, file I/O,
// fingerprints and timestamps. The training and model logic lives in the core.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <chrono>
#include <string>
#include <vector>

namespace cabine::cli {

// Thrown inside the CLI only (never from the core) for a user-facing failure;
// main() prints "model-export: <message>" and exits with `exit_code`.
struct CliError {
  std::string message;
  int exit_code = 2;
};

// --name value pairs and bare flags, checked against the options a command accepts.
class Args {
 public:
  // `valued` options take a value; `flags` take none. Unknown options are an error.
  Args(const std::vector<std::string>& argv, const std::vector<std::string>& valued,
       const std::vector<std::string>& flags);
  std::optional<std::string> get(const std::string& name) const;
  std::string require(const std::string& name) const;
  bool flag(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> flags_;
  std::vector<std::string> positional_;
};

std::vector<std::uint8_t> read_file(const std::string& path);
// Writes through a temporary file and a rename, so a failed write never leaves
// a half-written model where a good one was.
void write_file_atomically(const std::string& path, const std::vector<std::uint8_t>& bytes);

// SHA-256 over the SHA-256 digests of `paths`' contents, in order
// (docs/model-format.md, "data fingerprint").
std::array<std::uint8_t, 32> fingerprint_files(const std::vector<std::string>& paths);

// Milliseconds since the Unix epoch; SOURCE_DATE_EPOCH (seconds) overrides the
// clock so that builds are reproducible.
std::uint64_t creation_time_ms();
// "2026-12-03T16:58:26.000Z"
std::string format_iso8601_utc(std::uint64_t ms);
// A time option: milliseconds since 1970, or an ISO date "YYYY-MM-DD[THH:MM:SS[.sss]Z]".
double parse_time(const std::string& text, const char* option = "at");

// --option values: a fraction in [0, 1], a whole number in [1, max].
double parse_fraction(const std::optional<std::string>& text, double fallback, const char* option);
std::uint64_t parse_count(const std::optional<std::string>& text, std::uint64_t fallback, const char* option, std::uint64_t max);
double seconds_since(std::chrono::steady_clock::time_point start);
long peak_rss_mb();

// Reads and validates an audiences spec (core/include/cabine/audiences.h);
// a bad rule fails with the file, the audience id and the rule path.
std::string read_audiences_spec(const std::string& path);

}  // namespace cabine::cli
