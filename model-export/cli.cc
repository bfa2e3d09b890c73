#include "cli.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>

#include "cabine/fit_data.h"
#include "cabine/hash.h"
#include "cabine/profile.h"

namespace cabine::cli {

Args::Args(const std::vector<std::string>& argv, const std::vector<std::string>& valued,
           const std::vector<std::string>& flags) {
  auto contains = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (contains(flags, name)) {
      if (inline_value) throw CliError{"option --" + name + " takes no value"};
      flags_.push_back(name);
    } else if (contains(valued, name)) {
      if (inline_value) {
        values_[name] = *inline_value;
      } else {
        if (i + 1 >= argv.size()) throw CliError{"option --" + name + " needs a value"};
        values_[name] = argv[++i];
      }
    } else {
      throw CliError{"unknown option --" + name};
    }
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::require(const std::string& name) const {
  auto v = get(name);
  if (!v || v->empty()) throw CliError{"missing required option --" + name};
  return *v;
}

bool Args::flag(const std::string& name) const {
  return std::find(flags_.begin(), flags_.end(), name) != flags_.end();
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CliError{"cannot open '" + path + "' for reading"};
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw CliError{"error while reading '" + path + "'"};
  return bytes;
}

void write_file_atomically(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw CliError{"cannot open '" + tmp + "' for writing"};
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw CliError{"error while writing '" + tmp + "'"};
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw CliError{"cannot move '" + tmp + "' to '" + path + "'"};
  }
}

std::array<std::uint8_t, 32> fingerprint_files(const std::vector<std::string>& paths) {
  Sha256 outer;
  for (const std::string& path : paths) {
    Sha256 inner;
    inner.update(read_file(path));
    outer.update(inner.finish());
  }
  return outer.finish();
}

std::uint64_t creation_time_ms() {
  if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde != nullptr && *sde != '\0') {
    char* end = nullptr;
    const unsigned long long seconds = std::strtoull(sde, &end, 10);
    if (*end != '\0' || seconds > 9007199254740ull)
      throw CliError{"SOURCE_DATE_EPOCH must be a number of seconds, got '" + std::string(sde) + "'"};
    return seconds * 1000;
  }
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

double parse_time(const std::string& text, const char* option) {
  if (const auto ms = parse_decimal(text); ms && *ms >= 0 && *ms <= kMaxTimeMs) return std::round(*ms);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  char tail = 0;
  const int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%c", &y, &mo, &d, &h, &mi, &s, &tail);
  if ((n != 3 && n != 7) || (n == 7 && tail != 'Z') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s >= 61)
    throw CliError{std::string("--") + option + " must be milliseconds since 1970 or an ISO-8601 UTC time such as 2026-12-01 or 2026-12-01T12:00:00Z"};
  // Days from civil (H. Hinnant).
  const int yy = y - (mo <= 2);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const double days = era * 146097.0 + doe - 719468.0;
  return days * 86400000.0 + h * 3600000.0 + mi * 60000.0 + std::round(s * 1000);
}

std::string format_iso8601_utc(std::uint64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

double parse_fraction(const std::optional<std::string>& text, double fallback, const char* option) {
  if (!text) return fallback;
  const auto v = parse_decimal(*text);
  if (!v || *v < 0 || *v > 1) throw CliError{std::string("--") + option + " must be a number from 0 to 1"};
  return *v;
}

std::uint64_t parse_count(const std::optional<std::string>& text, std::uint64_t fallback, const char* option,
                          std::uint64_t max) {
  if (!text) return fallback;
  const auto v = parse_decimal(*text);
  if (!v || *v < 1 || *v > static_cast<double>(max) || std::floor(*v) != *v)
    throw CliError{std::string("--") + option + " must be a whole number from 1 to " + std::to_string(max)};
  return static_cast<std::uint64_t>(*v);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}


}  // namespace cabine::cli
