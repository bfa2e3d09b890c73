// Size systems (docs/size-systems.md): label parsing, the common scale per
// dimension, and nearest-label conversion.
//
// Numbers are parsed by hand into integer thousandths rather than with strtod or
// std::from_chars: no locale, no float-parsing tables in the wasm, and the grid
// checks ("even", "half size") become exact integer arithmetic.
#include "cabine/size_system.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>

#include "byte_io.h"

namespace cabine {
namespace {

using internal::cat;

constexpr std::size_t kMaxQuotedBytes = 40;
constexpr int kMaxIntegerDigits = 6;
constexpr int kMaxFractionDigits = 3;
constexpr std::string_view kHalf = "\xC2\xBD";  // "½" in UTF-8

// One size system: its name, dimension and, for the numeric systems, the grid
// of its labels in thousandths of the system's own unit.
struct SystemSpec {
  std::string_view name;
  SizeDimension dimension;
  std::string_view prefix;    // the marker a label may carry ("UK 10"); empty when none
  std::int64_t min_milli;     // smallest label
  std::int64_t max_milli;     // largest label
  std::int64_t step_milli;    // label grid
  std::int64_t offset_milli;  // dimension value = label + offset
  std::string_view grid;      // the grid in words, for error messages
};

// Indexed by SizeSystem. Letter uses kLetters instead of the grid fields; waist_length uses them for
// the waist. The dress and shoe offsets are the conventions of docs/size-systems.md.
constexpr SystemSpec kSystems[] = {
    {"letter", SizeDimension::kBody, "", 0, 0, 1, 0, "XXS..XXXL"},
    {"eu", SizeDimension::kBody, "eu", 28000, 60000, 2000, 0, "EU dress sizes are even numbers 28..60"},
    {"uk", SizeDimension::kBody, "uk", 0, 32000, 2000, 28000, "UK dress sizes are even numbers 0..32"},
    // US "00" is stored as label -2 so that the even grid and the offset hold for it too.
    {"us", SizeDimension::kBody, "us", -2000, 28000, 2000, 32000, "US dress sizes are 00 and even numbers 0..28"},
    {"waist_length", SizeDimension::kWaist, "", 20000, 60000, 500, 0, "waists are whole or half inches 20..60"},
    {"shoe_eu", SizeDimension::kFoot, "eu", 30000, 50000, 500, 0, "EU shoe sizes are whole or half sizes 30..50"},
    {"shoe_uk", SizeDimension::kFoot, "uk", 1000, 17000, 500, 33000,
     "UK women's shoe sizes are whole or half sizes 1..17"},
    {"shoe_us", SizeDimension::kFoot, "us", 1000, 19000, 500, 31000,
     "US women's shoe sizes are whole or half sizes 1..19"},
    {"numeric", SizeDimension::kNumeric, "", 0, 500000, 1, 0, "numeric sizes are 0..500 with at most 3 decimals"},
};
static_assert(std::size(kSystems) == kSizeSystemCount);

struct DimensionSpec {
  std::string_view name;
  double min;
  double max;
  std::string_view scale;
};

// Indexed by SizeDimension: the common scale and its valid range.
constexpr DimensionSpec kDimensions[] = {
    {"body", 28, 60, "EU dress sizes 28..60"},
    {"waist", 20, 60, "waist 20..60 inches"},
    {"foot", 30, 50, "EU shoe sizes 30..50"},
    {"numeric", 0, 500, "0..500"},
};
static_assert(std::size(kDimensions) == kSizeDimensionCount);

// Inseam length, the secondary value of waist_length, in inches.
constexpr std::int64_t kMinLengthMilli = 20000;
constexpr std::int64_t kMaxLengthMilli = 40000;

// Letter sizes and the EU dress sizes each one covers (two sizes per letter).
struct LetterSize {
  std::string_view name;
  std::int8_t eu_low;
  std::int8_t eu_high;
};
constexpr LetterSize kLetters[] = {
    {"XXS", 28, 30}, {"XS", 32, 34}, {"S", 36, 38},   {"M", 40, 42},
    {"L", 44, 46},   {"XL", 48, 50}, {"XXL", 52, 54}, {"XXXL", 56, 58},
};
struct LetterAlias {
  std::string_view alias;
  std::size_t index;  // into kLetters
};
constexpr LetterAlias kLetterAliases[] = {{"2XS", 0}, {"2XL", 6}, {"3XL", 7}};

enum class NumberError : std::uint8_t { kOk, kNotANumber, kTooManyDecimals, kTooManyDigits };

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_upper(x) == to_upper(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

void skip_spaces(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
}

bool is_valid(SizeSystem system) { return static_cast<int>(system) < kSizeSystemCount; }
const SystemSpec& spec(SizeSystem system) { return kSystems[static_cast<std::size_t>(system)]; }
const DimensionSpec& spec(SizeDimension dimension) { return kDimensions[static_cast<std::size_t>(dimension)]; }

// Quotes caller text for a message: bounded (labels come from untrusted CSVs), control characters
// replaced, and never cut inside a UTF-8 sequence.
std::string quote(std::string_view s) {
  std::size_t n = std::min(s.size(), kMaxQuotedBytes);
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  std::string out = "'";
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7F) ? '?' : s[i];
  }
  if (n < s.size()) out += "...";
  out += '\'';
  return out;
}

// "38", "38.5", "0.125": thousandths without trailing zeros.
std::string format_milli(std::int64_t milli) {
  const std::int64_t magnitude = milli < 0 ? -milli : milli;
  char fraction[4] = {'.', 0, 0, 0};
  std::size_t length = 0;
  for (int frac = static_cast<int>(magnitude % 1000), scale = 100; frac != 0; frac %= scale, scale /= 10)
    fraction[++length] = static_cast<char>('0' + frac / scale);
  return cat({milli < 0 ? "-" : "", magnitude / 1000, std::string_view(fraction, length ? length + 1 : 0)});
}

// A caller-supplied double for a message, safe for any value.
std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::fabs(v) >= 1e9) return v > 0 ? "1e9+" : "-1e9-";
  return format_milli(std::llround(v * 1000));
}

Status invalid(std::string message) { return Status(ErrorCode::kInvalidArgument, std::move(message)); }

Status bad_label(SizeSystem system, std::string_view label, std::string_view what) {
  return internal::error_status(ErrorCode::kInvalidArgument, {spec(system).name, " size ", quote(label), ' ', what});
}

Status bad_system_value(SizeSystem system) {
  return internal::error_status(ErrorCode::kInvalidArgument,
                                {"size system value ", static_cast<int>(system), " is not a SizeSystem"});
}

// Parses a plain decimal at s[pos..] into thousandths and advances pos past it. Stops at the first
// character that cannot continue the number; the caller decides whether anything may follow.
NumberError parse_decimal(std::string_view s, std::size_t& pos, std::int64_t& milli) {
  std::size_t i = pos;
  std::int64_t whole = 0;
  int digits = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (++digits > kMaxIntegerDigits) return NumberError::kTooManyDigits;
    whole = whole * 10 + (s[i] - '0');
  }
  if (digits == 0) return NumberError::kNotANumber;
  std::int64_t fraction = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    int fraction_digits = 0;
    for (std::int64_t scale = 100; i < s.size() && is_digit(s[i]); ++i, scale /= 10) {
      if (++fraction_digits > kMaxFractionDigits) return NumberError::kTooManyDecimals;
      fraction += (s[i] - '0') * scale;
    }
    if (fraction_digits == 0) return NumberError::kNotANumber;  // "38." is a typo, not 38
  } else if (s.substr(i, kHalf.size()) == kHalf) {
    fraction = 500;
    i += kHalf.size();
  }
  milli = whole * 1000 + fraction;
  pos = i;
  return NumberError::kOk;
}

// `text` (the label without spaces or prefix) must be exactly one number.
Status parse_number_label(SizeSystem system, std::string_view label, std::string_view text, std::int64_t& milli) {
  if (text.empty()) return bad_label(system, label, "has no number after its prefix");
  if (text.size() > 1 && text[0] == '-' && is_digit(text[1]))
    return bad_label(system, label, "is negative; sizes are never negative");
  std::size_t pos = 0;
  switch (parse_decimal(text, pos, milli)) {
    case NumberError::kOk:
      break;
    case NumberError::kTooManyDecimals:
      return bad_label(system, label, "has more than 3 decimal places");
    case NumberError::kTooManyDigits:
      return bad_label(system, label, "has too many digits");
    case NumberError::kNotANumber:
      pos = 0;
      break;
  }
  if (pos == 0 || pos != text.size())
    return bad_label(system, label, "is not a plain decimal number (expected e.g. 38, 38.5 or 7½)");
  return Status::ok();
}

// Removes a leading "EU"/"UK"/"US" marker ("UK 10", "uk10"), which must match the system: a UK label
// in an eu column is a data error, not something to convert silently.
Status strip_prefix(SizeSystem system, std::string_view label, std::string_view& text) {
  if (text.size() < 2 || !is_alpha(text[0]) || !is_alpha(text[1]) || (text.size() > 2 && is_alpha(text[2])))
    return Status::ok();
  const std::string_view marker = text.substr(0, 2);
  const std::string_view expected = spec(system).prefix;
  if (iequals(marker, expected)) {
    text = trim(text.substr(2));
    return Status::ok();
  }
  for (std::string_view other : {"eu", "uk", "us"}) {
    if (iequals(marker, other))
      return bad_label(system, label,
                       cat({"is marked ", to_upper(other[0]), to_upper(other[1]), " but the size system is ", spec(system).name}));
  }
  return Status::ok();  // not a marker; the number parser reports it
}

Result<SizeValue> parse_grid_size(SizeSystem system, std::string_view label, std::string_view text) {
  const SystemSpec& s = spec(system);
  if (!s.prefix.empty()) CABINE_RETURN_IF_ERROR(strip_prefix(system, label, text));
  std::int64_t milli = 0;
  if (system == SizeSystem::kUs && text == "00") {
    milli = -2000;
  } else {
    CABINE_RETURN_IF_ERROR(parse_number_label(system, label, text, milli));
  }
  if (milli < s.min_milli || milli > s.max_milli)
    return bad_label(system, label, cat({"is out of range; ", s.grid}));
  if ((milli - s.min_milli) % s.step_milli != 0)
    return bad_label(system, label,
                     cat({s.step_milli == 2000 ? "is not an even number; " : "is not a whole or half size; ", s.grid}));
  return SizeValue{static_cast<double>(milli + s.offset_milli) / 1000.0, 0, false};
}

// Index into kLetters, or -1. Only the canonical names and the numbered aliases are letters.
int find_letter(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kLetters); ++i)
    if (iequals(text, kLetters[i].name)) return static_cast<int>(i);
  for (const LetterAlias& a : kLetterAliases)
    if (iequals(text, a.alias)) return static_cast<int>(a.index);
  return -1;
}

// Letter syntax, wider than the accepted set so that "XXXXL" is reported as a bad letter size.
bool looks_like_letter(std::string_view text) {
  std::size_t i = (!text.empty() && is_digit(text[0])) ? 1 : 0;
  if (i == text.size()) return false;
  for (; i < text.size(); ++i) {
    const char c = to_upper(text[i]);
    if (c != 'X' && c != 'S' && c != 'M' && c != 'L') return false;
  }
  return true;
}

// The EU midpoint of the letter's range: S (36-38) -> 37.
double letter_value(std::size_t index) { return (kLetters[index].eu_low + kLetters[index].eu_high) / 2.0; }

struct WaistSyntax {
  std::int64_t waist_milli = 0;
  std::int64_t length_milli = 0;
  bool w_prefix = false;
  bool has_length = false;
};

// [W]<waist>[ {'/' | 'x' | spaces} [L]<length> ], spaces allowed around each part; also W30L32.
bool parse_waist_syntax(std::string_view s, WaistSyntax& out) {
  std::size_t i = 0;
  if (i < s.size() && to_upper(s[i]) == 'W') {
    out.w_prefix = true;
    ++i;
    skip_spaces(s, i);
  }
  if (parse_decimal(s, i, out.waist_milli) != NumberError::kOk) return false;
  skip_spaces(s, i);
  if (i == s.size()) return true;
  if (s[i] == '/' || to_upper(s[i]) == 'X') {
    ++i;
    skip_spaces(s, i);
  }
  if (i < s.size() && to_upper(s[i]) == 'L') {
    ++i;
    skip_spaces(s, i);
  }
  if (parse_decimal(s, i, out.length_milli) != NumberError::kOk) return false;
  out.has_length = true;
  return i == s.size();
}

Result<SizeValue> parse_waist_size(std::string_view label, std::string_view text) {
  constexpr SizeSystem kSystem = SizeSystem::kWaistLength;
  WaistSyntax w;
  if (!parse_waist_syntax(text, w))
    return bad_label(kSystem, label, "is not a waist_length label (expected e.g. W30/L32, 30/32, 30x32 or W30)");
  const auto check = [&](std::string_view part, std::int64_t milli, std::int64_t min, std::int64_t max) {
    if (milli >= min && milli <= max && milli % 500 == 0) return Status::ok();
    return bad_label(kSystem, label,
                     cat({"has ", part, ' ', format_milli(milli),
                          (milli < min || milli > max) ? ", out of range; " : ", not a whole or half inch; ", part,
                          "s are whole or half inches ", format_milli(min), "..", format_milli(max)}));
  };
  CABINE_RETURN_IF_ERROR(check("waist", w.waist_milli, spec(kSystem).min_milli, spec(kSystem).max_milli));
  if (w.has_length) CABINE_RETURN_IF_ERROR(check("length", w.length_milli, kMinLengthMilli, kMaxLengthMilli));
  return SizeValue{static_cast<double>(w.waist_milli) / 1000.0,
                   w.has_length ? static_cast<double>(w.length_milli) / 1000.0 : 0.0, w.has_length};
}

// The grid point nearest to `label_value`, ties upwards, clamped to [min, max]; all in thousandths.
std::int64_t nearest_on_grid(double label_value, std::int64_t min_milli, std::int64_t max_milli,
                             std::int64_t step_milli) {
  const double steps =
      std::floor((label_value * 1000.0 - static_cast<double>(min_milli)) / static_cast<double>(step_milli) + 0.5);
  const double max_steps = static_cast<double>((max_milli - min_milli) / step_milli);
  return min_milli + static_cast<std::int64_t>(std::clamp(steps, 0.0, max_steps)) * step_milli;
}

// The letter whose range, widened halfway to its neighbours, contains the EU value; ties upwards.
std::string_view nearest_letter(double eu) {
  for (std::size_t i = std::size(kLetters); i-- > 1;)
    if (eu >= kLetters[i].eu_low - 1) return kLetters[i].name;
  return kLetters[0].name;
}

}  // namespace

Result<SizeSystem> parse_size_system(std::string_view name) {
  constexpr std::string_view kValid =
      "valid: letter, eu, uk, us, waist_length, shoe_eu, shoe_uk, shoe_us, numeric (case-insensitive)";
  const std::string_view text = trim(name);
  if (text.empty())
    return invalid(
        cat({"size system name is empty; an empty size_system column means: infer it from the label with "
             "infer_size_system; ",
             kValid}));
  for (std::size_t i = 0; i < std::size(kSystems); ++i)
    if (iequals(text, kSystems[i].name)) return static_cast<SizeSystem>(i);
  return invalid(cat({"unknown size system ", quote(name), "; ", kValid}));
}

std::string_view size_system_name(SizeSystem system) noexcept {
  return is_valid(system) ? spec(system).name : "unknown";
}

SizeDimension size_dimension(SizeSystem system) noexcept {
  return is_valid(system) ? spec(system).dimension : SizeDimension::kNumeric;
}

std::string_view size_dimension_name(SizeDimension dimension) noexcept {
  return static_cast<int>(dimension) < kSizeDimensionCount ? spec(dimension).name : "unknown";
}

SizeSystem infer_size_system(std::string_view label) noexcept {
  const std::string_view text = trim(label);
  if (looks_like_letter(text)) return SizeSystem::kLetter;
  WaistSyntax w;
  if (parse_waist_syntax(text, w) && (w.w_prefix || w.has_length)) return SizeSystem::kWaistLength;
  return SizeSystem::kNumeric;
}

Result<SizeValue> parse_size(SizeSystem system, std::string_view label) {
  if (!is_valid(system)) return bad_system_value(system);
  const std::string_view text = trim(label);
  if (text.empty()) return invalid(cat({spec(system).name, " size label is empty"}));
  switch (system) {
    case SizeSystem::kLetter: {
      const int index = find_letter(text);
      if (index < 0) return bad_label(system, label, "is not a letter size (XXS..XXXL, or 2XS, 2XL, 3XL)");
      return SizeValue{letter_value(static_cast<std::size_t>(index)), 0, false};
    }
    case SizeSystem::kWaistLength:
      return parse_waist_size(label, text);
    default:
      return parse_grid_size(system, label, text);
  }
}

Result<std::string> nearest_size_label(SizeSystem system, const SizeValue& value) {
  if (!is_valid(system)) return bad_system_value(system);
  const DimensionSpec& dimension = spec(spec(system).dimension);
  if (!std::isfinite(value.value) || value.value < dimension.min || value.value > dimension.max)
    return invalid(cat({"value ", format_double(value.value), " is outside the ", dimension.name, " scale (",
                        dimension.scale, ") of size system ", spec(system).name}));
  const SystemSpec& s = spec(system);
  switch (system) {
    case SizeSystem::kLetter:
      return std::string(nearest_letter(value.value));
    case SizeSystem::kWaistLength: {
      std::string out = "W" + format_milli(nearest_on_grid(value.value, s.min_milli, s.max_milli, s.step_milli));
      if (!value.has_secondary) return out;
      const double length_min = static_cast<double>(kMinLengthMilli) / 1000.0;
      const double length_max = static_cast<double>(kMaxLengthMilli) / 1000.0;
      if (!std::isfinite(value.secondary) || value.secondary < length_min || value.secondary > length_max)
        return invalid(cat({"length ", format_double(value.secondary), " is outside 20..40 inches (waist_length)"}));
      out += "/L" + format_milli(nearest_on_grid(value.secondary, kMinLengthMilli, kMaxLengthMilli, 500));
      return out;
    }
    default: {
      const double label_value = value.value - static_cast<double>(s.offset_milli) / 1000.0;
      const std::int64_t milli = nearest_on_grid(label_value, s.min_milli, s.max_milli, s.step_milli);
      if (system == SizeSystem::kUs && milli == -2000) return std::string("00");
      return format_milli(milli);
    }
  }
}

Result<std::string> convert_size(std::string_view label, SizeSystem from, SizeSystem to) {
  if (!is_valid(from)) return bad_system_value(from);
  if (!is_valid(to)) return bad_system_value(to);
  if (spec(from).dimension != spec(to).dimension)
    return invalid(cat({"cannot convert ", quote(label), " from ", spec(from).name, " (", spec(spec(from).dimension).name,
                        ") to ", spec(to).name, " (", spec(spec(to).dimension).name, "): the dimensions differ"}));
  Result<SizeValue> parsed = parse_size(from, label);
  if (!parsed.is_ok()) return parsed.status();
  return nearest_size_label(to, parsed.value());
}

Result<SizeSystem> system_or_inferred(std::string_view name, std::string_view label) {
  if (name.empty()) return infer_size_system(label);
  return parse_size_system(name);
}

}  // namespace cabine
