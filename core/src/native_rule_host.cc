// NativeRuleHost: String(number) and RegExp.test for native builds. Never
// linked into the browser module, which uses the page's own (wasm/bindings.cc).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <regex>
#include <string>

#include "cabine/rule_host.h"

namespace cabine {

struct NativeRuleHost::Cache {
  // pattern + '\0' + flags -> compiled regex, or the compile error.
  std::map<std::string, std::pair<std::unique_ptr<std::regex>, std::string>> regexes;
};

NativeRuleHost::NativeRuleHost() : cache_(new Cache) {}
NativeRuleHost::~NativeRuleHost() { delete cache_; }

std::string js_number_format(bool negative, std::string_view digits, int point) {
  const int k = static_cast<int>(digits.size());
  std::string out = negative ? "-" : "";
  if (k <= point && point <= 21) {
    out.append(digits);
    out.append(static_cast<std::size_t>(point - k), '0');
  } else if (0 < point && point <= 21) {
    out.append(digits.substr(0, static_cast<std::size_t>(point)));
    out += '.';
    out.append(digits.substr(static_cast<std::size_t>(point)));
  } else if (-6 < point && point <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-point), '0');
    out.append(digits);
  } else {
    const int e = point - 1;
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits.substr(1));
    }
    out += e < 0 ? "e-" : "e+";
    out += std::to_string(e < 0 ? -e : e);
  }
  return out;
}

std::string NativeRuleHost::number_to_string(double n) const {
  if (std::isnan(n)) return "NaN";
  if (std::isinf(n)) return n < 0 ? "-Infinity" : "Infinity";
  if (n == 0) return "0";
  // The shortest %.{p}e that reads back as n gives JavaScript's digits.
  char buf[40];
  for (int precision = 0; precision <= 16; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision, std::fabs(n));
    if (std::strtod(buf, nullptr) == std::fabs(n)) break;
  }
  // buf is "d.ddde[+-]xx"
  std::string digits;
  const char* p = buf;
  for (; *p != 'e'; ++p)
    if (*p != '.') digits += *p;
  const int exponent = std::atoi(p + 1);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  return js_number_format(n < 0, digits, exponent + 1);
}

Result<bool> NativeRuleHost::regex_test(std::string_view pattern, std::string_view flags, std::string_view subject) const {
  std::string key(pattern);
  key += '\0';
  key.append(flags);
  auto it = cache_->regexes.find(key);
  if (it == cache_->regexes.end()) {
    auto syntax = std::regex::ECMAScript;
    if (flags.find('i') != std::string_view::npos) syntax |= std::regex::icase;
    std::pair<std::unique_ptr<std::regex>, std::string> entry;
    try {
      entry.first = std::make_unique<std::regex>(std::string(pattern), syntax);
    } catch (const std::regex_error& e) {
      entry.second = e.what();
    }
    it = cache_->regexes.emplace(std::move(key), std::move(entry)).first;
  }
  if (!it->second.first) return Status(ErrorCode::kInvalidRule, "invalid regular expression /" + std::string(pattern) + "/: " + it->second.second);
  try {
    return std::regex_search(subject.begin(), subject.end(), *it->second.first);
  } catch (const std::regex_error& e) {
    return Status(ErrorCode::kLimitExceeded, "regular expression /" + std::string(pattern) + "/ is too complex for this input: " + e.what());
  }
}

}  // namespace cabine
