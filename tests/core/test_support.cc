#include "test_support.h"

#include <cstdlib>

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
// Returns 1 / 0 for a match, or -1 with a malloc'ed error message in *error.
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

namespace {
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
}  // namespace

const RuleHost& rule_host() {
  static const JsRuleHost host;
  return host;
}
#else
const RuleHost& rule_host() {
  static const NativeRuleHost host;
  return host;
}
#endif

}  // namespace cabine::testing
