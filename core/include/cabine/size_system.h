// Size systems: parsing size labels ("M", "UK 10", "W30/L32", "38.5"), placing
// them on a common numeric scale per fit dimension, and converting a label from
// one system to another. The tables and their sources are in docs/size-systems.md.
//
// Every size system belongs to one fit DIMENSION, and every dimension has one
// common scale, so sizes written in different systems of the same dimension can
// be compared and averaged:
//
//   dimension  systems                    common scale (SizeValue::value)
//   body       letter, eu, uk, us         EU women's dress size, 28..60
//   waist      waist_length               waist in inches, 20..60 (secondary: inseam in inches, 20..40)
//   foot       shoe_eu, shoe_uk, shoe_us  EU (Paris point) shoe size, 30..50
//   numeric    numeric                    the number itself, 0..500; never converted to another system
//
// Cross-system conversions (UK 10 = EU 38 = US 6 = S; UK shoe 5 = EU 38) are
// retail conventions that vary by brand. They give the model a shared starting
// point; brand and product offsets are learned on top of them.
//
// Label syntax, common to all systems: surrounding spaces, tabs and CR/LF are
// ignored and letters are case-insensitive. Numbers are plain decimals: digits,
// optionally followed by '.' or ',' and 1..3 digits ("38", "38.5", "38,5"); a
// trailing "½" (UTF-8) means .5 ("7½"). No signs, exponents, "nan" or "inf".
//
// Errors: every fallible call returns ErrorCode::kInvalidArgument with a message
// that quotes the offending label or name (truncated to 40 bytes) and says what
// was expected. Nothing here allocates except the returned strings, and nothing
// throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cabine/status.h"

namespace cabine {

// The size systems the data contract names. The numeric values are internal.
enum class SizeSystem : std::uint8_t {
  kLetter,       // "letter": XXS, XS, S, M, L, XL, XXL, XXXL (aliases 2XS, 2XL, 3XL)
  kEu,           // "eu": EU/continental women's dress size, even numbers 28..60
  kUk,           // "uk": UK women's dress size, even numbers 0..32 (UK = EU - 28)
  kUs,           // "us": US women's dress size, "00", then even numbers 0..28 (US = EU - 32; "00" = EU 30)
  kWaistLength,  // "waist_length": "W30/L32", "30/32", "30x32", "W30 L32", "W30", "30" (inches)
  kShoeEu,       // "shoe_eu": EU shoe size 30..50 in half sizes
  kShoeUk,       // "shoe_uk": UK women's shoe size 1..17 in half sizes (UK = EU - 33)
  kShoeUs,       // "shoe_us": US women's shoe size 1..19 in half sizes (US = EU - 31)
  kNumeric,      // "numeric": any plain decimal 0..500, its own scale
};
inline constexpr int kSizeSystemCount = static_cast<int>(SizeSystem::kNumeric) + 1;

// The fit dimension a system measures; systems of one dimension share a scale.
enum class SizeDimension : std::uint8_t {
  kBody,     // "body": EU women's dress size
  kWaist,    // "waist": waist inches (+ inseam inches as the secondary value)
  kFoot,     // "foot": EU shoe size
  kNumeric,  // "numeric": the number itself
};
inline constexpr int kSizeDimensionCount = static_cast<int>(SizeDimension::kNumeric) + 1;

// A size on its dimension's common scale (see the table above).
struct SizeValue {
  double value = 0;            // on the dimension scale: EU dress size, waist inches, EU shoe size, or the number
  double secondary = 0;        // waist_length only: inseam length in inches; 0 otherwise
  bool has_secondary = false;  // true when `secondary` holds a length ("W30/L32"), false for "W30"
};

// Parses a size-system name as written in a CSV `size_system` column:
// "letter", "eu", "uk", "us", "waist_length", "shoe_eu", "shoe_uk", "shoe_us",
// "numeric"; case-insensitive, surrounding whitespace ignored.
// Errors (kInvalidArgument): an empty name (an empty column means "infer the
// system from the label": call infer_size_system), or an unknown name; the
// message quotes the name and lists the valid ones.
Result<SizeSystem> parse_size_system(std::string_view name);

// The canonical lower-case name of a system, as accepted by parse_size_system.
// "unknown" for a value outside the enum.
std::string_view size_system_name(SizeSystem system) noexcept;

// The dimension a system belongs to; kNumeric for a value outside the enum.
SizeDimension size_dimension(SizeSystem system) noexcept;

// "body", "waist", "foot" or "numeric"; "unknown" for a value outside the enum.
std::string_view size_dimension_name(SizeDimension dimension) noexcept;

// Guesses the system of a label whose size_system column is empty. Looks only at
// the syntax, never at ranges, so that parse_size then reports the precise error:
//   - kLetter when the label is made only of the letters X, S, M, L, optionally
//     after one digit ("M", "xl", "3XL", and also "XXXXL" or "4XL", which
//     parse_size then rejects as not a letter size);
//   - kWaistLength when it is waist_length syntax with a 'W' prefix or a length
//     ("W30", "W30/L32", "30/32", "30x32");
//   - kNumeric otherwise (including labels that are not numbers at all; parse_size
//     then rejects them). Numeric dress and shoe sizes cannot be told apart from
//     the label, so they are never inferred.
SizeSystem infer_size_system(std::string_view label) noexcept;

// Parses `label` in `system` and returns it on the dimension's common scale.
// Accepted labels, beyond the common syntax above:
//   letter        exactly one of XXS XS S M L XL XXL XXXL, or 2XS, 2XL, 3XL; the
//                 value is the midpoint of the letter's EU range (S = 36-38 -> 37)
//   eu, uk, us    an even whole number in the system's range, optionally prefixed
//                 by the system's own name ("UK 10", "uk10"); us also accepts "00"
//   waist_length  [W]<waist>[ {'/' | 'x' | spaces} [L]<length> ] or W<waist>L<length>,
//                 whole or half inches; waist 20..60, length 20..40
//   shoe_*        a whole or half size in the system's range, optionally prefixed
//                 by "EU", "UK" or "US" matching the system ("UK 5.5")
//   numeric       any plain decimal 0..500
// Errors (kInvalidArgument): empty label; not a plain decimal (including signs,
// "nan", "inf", more than 3 decimals); a prefix naming another system ("UK 10"
// given as eu); out of range; odd dress size; not a half size; unknown letter
// size; malformed waist_length label; a system value outside the enum.
Result<SizeValue> parse_size(SizeSystem system, std::string_view label);

// The system named by `name`, or, when `name` is empty, the one inferred from
// `label` (a row's size, or a product's first size). Errors as parse_size_system.
Result<SizeSystem> system_or_inferred(std::string_view name, std::string_view label);

// The label of `system` nearest to `value` (a value on the system's dimension
// scale, e.g. from parse_size or from the model), in canonical form: letters
// upper-case ("XXL", never "2XL"), numbers without trailing zeros ("38", "38.5"),
// US "00", waist_length "W30/L32" or "W30" (when !value.has_secondary).
// Nearest means: dress sizes to the even grid, shoes and waist/length to half
// sizes, numeric to 3 decimals; exact ties go to the LARGER size (the usual
// "between sizes, size up" advice). For letter, the letter whose EU range
// contains the value, where each letter's range extends halfway to the next
// letter's (S covers EU 35 <= v < 39). A value inside the dimension range but
// beyond the system's labels gives the system's smallest or largest label
// (EU 28 -> US "00").
// Errors (kInvalidArgument): a value (or, for waist_length with has_secondary, a
// length) that is not finite or lies outside the dimension range; a system value
// outside the enum.
Result<std::string> nearest_size_label(SizeSystem system, const SizeValue& value);

// Converts `label` from one system to another of the SAME dimension: the label
// in `to` nearest to `label` parsed in `from`, as nearest_size_label. Examples:
// ("10", uk, eu) -> "38"; ("38", eu, letter) -> "S"; ("S", letter, us) -> "6";
// ("5", shoe_uk, shoe_us) -> "7"; ("30/32", waist_length, waist_length) ->
// "W30/L32". Converting a system to itself returns the canonical label.
// Errors (kInvalidArgument): any parse_size error for `label` in `from`; `from`
// and `to` in different dimensions (the message names both systems and their
// dimensions; numeric converts only to numeric).
Result<std::string> convert_size(std::string_view label, SizeSystem from, SizeSystem to);

}  // namespace cabine
