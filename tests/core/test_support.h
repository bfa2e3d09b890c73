// Test support shared by the rule, profile and suite tests: the RuleHost the
// tests use and reading the workplace's shared conformance suites.
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "cabine/rule_host.h"
#include "cabine/status.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

namespace cabine::testing {

#ifdef __EMSCRIPTEN__
// Under node the tests use JavaScript's own String() and RegExp, as the browser module does.
EM_JS(char*, cabine_test_js_number_to_string, (double n), {
  var s = String(n);
  var size = lengthBytesUTF8(s) + 1;
  var p = _malloc(size);
  stringToUTF8(s, p, size);
  return p;
});
// Returns 1 / 0 for a match, or a malloc'ed error message as a negative-tagged pointer.
EM_JS(int, cabine_test_js_regex_test, (const char* pattern, const char* flags, const char* subject, char** error), {
  try {
    return new RegExp(UTF8ToString(pattern), UTF8ToString(flags)).test(UTF8ToString(subject)) ? 1 : 0;
  } catch (e) {
    var m = String(e.message);
    var size = lengthBytesUTF8(m) + 1;
    var p = _malloc(size);
    stringToUTF8(m, p, size);
    HEAPU32[error >> 2] = p;
    return -1;
  }
});

class JsRuleHost final : public RuleHost {
 public:
  std::string number_to_string(double n) const override {
    char* s = cabine_test_js_number_to_string(n);
    std::string out(s);
    free(s);
    return out;
  }
  Result<bool> regex_test(std::string_view pattern, std::string_view flags, std::string_view subject) const override {
    char* error = nullptr;
    const int r = cabine_test_js_regex_test(std::string(pattern).c_str(), std::string(flags).c_str(),
                                            std::string(subject).c_str(), &error);
    if (r < 0) {
      std::string message(error);
      free(error);
      return Status(ErrorCode::kInvalidRule, "invalid regular expression: " + message);
    }
    return r == 1;
  }
};
inline const RuleHost& rule_host() {
  static const JsRuleHost host;
  return host;
}
#else
inline const RuleHost& rule_host() {
  static const NativeRuleHost host;
  return host;
}
#endif

// ../shared/<relative> next to the repository, or nullopt when this checkout is
// outside the workplace (the caller then skips with the reason).
inline std::string shared_path(const std::string& relative) {
  return std::string(CABINE_SOURCE_DIR) + "/../shared/" + relative;
}
inline std::optional<std::string> read_shared_file(const std::string& relative) {
  std::ifstream in(shared_path(relative), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace cabine::testing
