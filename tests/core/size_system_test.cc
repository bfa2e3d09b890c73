// Tests for size-system parsing, the common scales and conversion (docs/size-systems.md).
#include "cabine/size_system.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

namespace {

using cabine::ErrorCode;
using cabine::SizeDimension;
using cabine::SizeSystem;
using cabine::SizeValue;

constexpr SizeSystem kAllSystems[] = {SizeSystem::kLetter, SizeSystem::kEu,          SizeSystem::kUk,
                                      SizeSystem::kUs,     SizeSystem::kWaistLength, SizeSystem::kShoeEu,
                                      SizeSystem::kShoeUk, SizeSystem::kShoeUs,      SizeSystem::kNumeric};
constexpr auto kBadSystem = static_cast<SizeSystem>(99);

// Passes when `result` failed with INVALID_ARGUMENT and a message containing `needle`.
template <typename T>
testing::AssertionResult IsInvalid(const cabine::Result<T>& result, std::string_view needle) {
  if (result.is_ok()) return testing::AssertionFailure() << "expected INVALID_ARGUMENT, got a value";
  const cabine::Status status = result.status();
  if (status.code() != ErrorCode::kInvalidArgument)
    return testing::AssertionFailure() << "wrong code: " << status.to_string();
  if (status.message().find(needle) == std::string::npos)
    return testing::AssertionFailure() << "message \"" << status.message() << "\" lacks \"" << needle << "\"";
  return testing::AssertionSuccess();
}

double value_of(SizeSystem system, std::string_view label) {
  const auto result = cabine::parse_size(system, label);
  EXPECT_TRUE(result.is_ok()) << label << ": " << result.status().to_string();
  return result.is_ok() ? result.value().value : std::nan("");
}

std::string convert(std::string_view label, SizeSystem from, SizeSystem to) {
  const auto result = cabine::convert_size(label, from, to);
  EXPECT_TRUE(result.is_ok()) << label << ": " << result.status().to_string();
  return result.is_ok() ? result.value() : "<error>";
}

std::string nearest(SizeSystem system, double value) {
  const auto result = cabine::nearest_size_label(system, SizeValue{value, 0, false});
  EXPECT_TRUE(result.is_ok()) << value << ": " << result.status().to_string();
  return result.is_ok() ? result.value() : "<error>";
}

// Every canonical name parses back to its system, whatever the case and surrounding spaces.
TEST(SizeSystemName, RoundTripsCaseInsensitively) {
  for (SizeSystem system : kAllSystems) {
    const std::string name(cabine::size_system_name(system));
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const std::string& text : {name, upper, " \t" + name + "\r\n"}) {
      const auto parsed = cabine::parse_size_system(text);
      ASSERT_TRUE(parsed.is_ok()) << text << ": " << parsed.status().to_string();
      EXPECT_EQ(parsed.value(), system);
    }
  }
  EXPECT_EQ(cabine::parse_size_system("Waist_Length").value(), SizeSystem::kWaistLength);
}

// Unknown names are rejected, quoting the name and listing the valid ones.
TEST(SizeSystemName, RejectsUnknownNames) {
  EXPECT_TRUE(IsInvalid(cabine::parse_size_system("shoe"), "unknown size system 'shoe'"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size_system("shoe"), "valid: letter, eu, uk, us, waist_length"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size_system("shoe-eu"), "'shoe-eu'"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size_system("fr"), "'fr'"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size_system("eu uk"), "'eu uk'"));
}

// An empty name is an error that points to inference rather than a silent default.
TEST(SizeSystemName, RejectsEmptyNamePointingToInference) {
  EXPECT_TRUE(IsInvalid(cabine::parse_size_system(""), "size system name is empty"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size_system(" \t "), "infer_size_system"));
}

// Names and dimensions of every system; out-of-enum values do not crash.
TEST(SizeSystemName, DimensionsAndNames) {
  EXPECT_EQ(cabine::size_system_name(SizeSystem::kShoeUs), "shoe_us");
  EXPECT_EQ(cabine::size_dimension(SizeSystem::kLetter), SizeDimension::kBody);
  EXPECT_EQ(cabine::size_dimension(SizeSystem::kEu), SizeDimension::kBody);
  EXPECT_EQ(cabine::size_dimension(SizeSystem::kUk), SizeDimension::kBody);
  EXPECT_EQ(cabine::size_dimension(SizeSystem::kUs), SizeDimension::kBody);
  EXPECT_EQ(cabine::size_dimension(SizeSystem::kWaistLength), SizeDimension::kWaist);
  EXPECT_EQ(cabine::size_dimension(SizeSystem::kShoeEu), SizeDimension::kFoot);
  EXPECT_EQ(cabine::size_dimension(SizeSystem::kShoeUk), SizeDimension::kFoot);
  EXPECT_EQ(cabine::size_dimension(SizeSystem::kShoeUs), SizeDimension::kFoot);
  EXPECT_EQ(cabine::size_dimension(SizeSystem::kNumeric), SizeDimension::kNumeric);
  EXPECT_EQ(cabine::size_dimension_name(SizeDimension::kBody), "body");
  EXPECT_EQ(cabine::size_dimension_name(SizeDimension::kWaist), "waist");
  EXPECT_EQ(cabine::size_dimension_name(SizeDimension::kFoot), "foot");
  EXPECT_EQ(cabine::size_dimension_name(SizeDimension::kNumeric), "numeric");
  EXPECT_EQ(cabine::size_system_name(kBadSystem), "unknown");
  EXPECT_EQ(cabine::size_dimension(kBadSystem), SizeDimension::kNumeric);
  EXPECT_EQ(cabine::size_dimension_name(static_cast<SizeDimension>(42)), "unknown");
}

// Letters map to the midpoint of their EU range; aliases and case are accepted.
TEST(ParseSize, LetterMidpoints) {
  EXPECT_EQ(value_of(SizeSystem::kLetter, "XXS"), 29);
  EXPECT_EQ(value_of(SizeSystem::kLetter, "XS"), 33);
  EXPECT_EQ(value_of(SizeSystem::kLetter, "S"), 37);
  EXPECT_EQ(value_of(SizeSystem::kLetter, "m"), 41);
  EXPECT_EQ(value_of(SizeSystem::kLetter, " L "), 45);
  EXPECT_EQ(value_of(SizeSystem::kLetter, "Xl"), 49);
  EXPECT_EQ(value_of(SizeSystem::kLetter, "XXL"), 53);
  EXPECT_EQ(value_of(SizeSystem::kLetter, "XXXL"), 57);
  EXPECT_EQ(value_of(SizeSystem::kLetter, "2XS"), 29);
  EXPECT_EQ(value_of(SizeSystem::kLetter, "2xl"), 53);
  EXPECT_EQ(value_of(SizeSystem::kLetter, "3XL"), 57);
  EXPECT_FALSE(cabine::parse_size(SizeSystem::kLetter, "M").value().has_secondary);
}

// Letter sizes outside XXS..XXXL, and non-letters, are rejected.
TEST(ParseSize, RejectsUnknownLetters) {
  EXPECT_TRUE(
      IsInvalid(cabine::parse_size(SizeSystem::kLetter, "XXXXL"), "size 'XXXXL' is not a letter size (XXS..XXXL"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kLetter, "XXXS"), "'XXXS' is not a letter size"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kLetter, "4XL"), "'4XL' is not a letter size"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kLetter, "medium"), "'medium' is not a letter size"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kLetter, "38"), "'38' is not a letter size"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kLetter, "M/L"), "'M/L' is not a letter size"));
}

// Dress sizes land on the EU scale: UK 10 = EU 38 = US 6; US 00 = EU 30.
TEST(ParseSize, DressSizesOnEuScale) {
  EXPECT_EQ(value_of(SizeSystem::kEu, "38"), 38);
  EXPECT_EQ(value_of(SizeSystem::kUk, "10"), 38);
  EXPECT_EQ(value_of(SizeSystem::kUs, "6"), 38);
  EXPECT_EQ(value_of(SizeSystem::kUs, "0"), 32);
  EXPECT_EQ(value_of(SizeSystem::kUs, "00"), 30);
  EXPECT_EQ(value_of(SizeSystem::kUs, "US 00"), 30);
  EXPECT_EQ(value_of(SizeSystem::kUk, "UK 10"), 38);
  EXPECT_EQ(value_of(SizeSystem::kUk, "uk10"), 38);
  EXPECT_EQ(value_of(SizeSystem::kEu, "Eu 38"), 38);
  EXPECT_EQ(value_of(SizeSystem::kEu, "28"), 28);
  EXPECT_EQ(value_of(SizeSystem::kEu, "60"), 60);
  EXPECT_EQ(value_of(SizeSystem::kUk, "0"), 28);
  EXPECT_EQ(value_of(SizeSystem::kUk, "32"), 60);
  EXPECT_EQ(value_of(SizeSystem::kUs, "28"), 60);
  EXPECT_EQ(value_of(SizeSystem::kEu, "38.0"), 38);
}

// Odd, fractional and out-of-range dress sizes are rejected with the valid grid.
TEST(ParseSize, RejectsOffGridDressSizes) {
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kEu, "39"), "eu size '39' is not an even number"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kEu, "38.5"), "'38.5' is not an even number"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kEu, "62"),
                        "eu size '62' is out of range; EU dress sizes are even numbers 28..60"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kEu, "26"), "is out of range"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kUk, "34"),
                        "uk size '34' is out of range; UK dress sizes are even numbers 0..32"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kUk, "11"), "uk size '11' is not an even number"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kUs, "30"),
                        "us size '30' is out of range; US dress sizes are 00 and even"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kUs, "7"), "us size '7' is not an even number"));
}

// A marker naming another region is a data error, not a silent conversion.
TEST(ParseSize, RejectsMismatchedRegionMarker) {
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kEu, "UK 10"),
                        "eu size 'UK 10' is marked UK but the size system is eu"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kUs, "eu38"), "is marked EU but the size system is us"));
  EXPECT_TRUE(
      IsInvalid(cabine::parse_size(SizeSystem::kShoeUk, "US 7"), "is marked US but the size system is shoe_uk"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kUk, "UK"), "uk size 'UK' has no number after its prefix"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kUk, "FR 38"), "'FR 38' is not a plain decimal number"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kNumeric, "EU 38"), "'EU 38' is not a plain decimal number"));
}

// Anything that is not a plain, non-negative decimal is rejected with the reason.
TEST(ParseSize, RejectsMalformedNumbers) {
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kEu, "-38"), "eu size '-38' is negative"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kNumeric, "-0.5"), "is negative"));
  for (const char* label : {"nan", "NaN", "inf", "-inf", "infinity", "1e3", "+38", "38.", ".5", "38 40", "3 8", "0x26",
                            "38.5.1", "38½½", "abc", "½"}) {
    EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kNumeric, label), "is not a plain decimal number")) << label;
  }
  EXPECT_TRUE(
      IsInvalid(cabine::parse_size(SizeSystem::kNumeric, "12.1234"), "'12.1234' has more than 3 decimal places"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kEu, "1234567"), "'1234567' has too many digits"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kEu, "99999999999999999999999"), "has too many digits"));
}

// Empty and blank labels are rejected for every system.
TEST(ParseSize, RejectsEmptyLabels) {
  for (SizeSystem system : kAllSystems) {
    const std::string expected = std::string(cabine::size_system_name(system)) + " size label is empty";
    EXPECT_TRUE(IsInvalid(cabine::parse_size(system, ""), expected));
    EXPECT_TRUE(IsInvalid(cabine::parse_size(system, " \t\r\n"), expected));
  }
}

// A SizeSystem value outside the enum is rejected, not read out of a table.
TEST(ParseSize, RejectsOutOfEnumSystem) {
  EXPECT_TRUE(IsInvalid(cabine::parse_size(kBadSystem, "38"), "size system value 99 is not a SizeSystem"));
  EXPECT_TRUE(IsInvalid(cabine::nearest_size_label(kBadSystem, SizeValue{38, 0, false}), "is not a SizeSystem"));
  EXPECT_TRUE(IsInvalid(cabine::convert_size("38", kBadSystem, SizeSystem::kEu), "is not a SizeSystem"));
  EXPECT_TRUE(IsInvalid(cabine::convert_size("38", SizeSystem::kEu, kBadSystem), "is not a SizeSystem"));
}

// Shoe sizes: half sizes, decimal comma and "½"; UK = EU - 33, US = EU - 31.
TEST(ParseSize, ShoeSizesOnEuScale) {
  EXPECT_EQ(value_of(SizeSystem::kShoeEu, "38"), 38);
  EXPECT_EQ(value_of(SizeSystem::kShoeEu, "38.5"), 38.5);
  EXPECT_EQ(value_of(SizeSystem::kShoeEu, "38,5"), 38.5);
  EXPECT_EQ(value_of(SizeSystem::kShoeEu, "EU 38.5"), 38.5);
  EXPECT_EQ(value_of(SizeSystem::kShoeUk, "5"), 38);
  EXPECT_EQ(value_of(SizeSystem::kShoeUk, "UK 5.5"), 38.5);
  EXPECT_EQ(value_of(SizeSystem::kShoeUk, "7\xC2\xBD"), 40.5);
  EXPECT_EQ(value_of(SizeSystem::kShoeUs, "7"), 38);
  EXPECT_EQ(value_of(SizeSystem::kShoeUs, "us 8.5"), 39.5);
  EXPECT_EQ(value_of(SizeSystem::kShoeEu, "30"), 30);
  EXPECT_EQ(value_of(SizeSystem::kShoeEu, "50"), 50);
}

// Shoe sizes must be whole or half sizes inside each system's range.
TEST(ParseSize, RejectsOffGridShoeSizes) {
  EXPECT_TRUE(
      IsInvalid(cabine::parse_size(SizeSystem::kShoeEu, "38.3"),
                "shoe_eu size '38.3' is not a whole or half size; EU shoe sizes are whole or half sizes 30..50"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kShoeEu, "40.667"), "is not a whole or half size"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kShoeEu, "51"), "shoe_eu size '51' is out of range"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kShoeEu, "29.5"), "is out of range"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kShoeUk, "0.5"),
                        "shoe_uk size '0.5' is out of range; UK women's shoe sizes are whole or half sizes 1..17"));
  EXPECT_TRUE(
      IsInvalid(cabine::parse_size(SizeSystem::kShoeUs, "19.5"), "shoe_us size '19.5' is out of range; US women's"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kShoeUs, "7.5\xC2\xBD"), "is not a plain decimal number"));
}

// Every waist_length spelling gives waist and length in inches.
TEST(ParseSize, WaistLengthSpellings) {
  for (const char* label :
       {"W30/L32", "30/32", "30x32", "30X32", "W30 L32", "w30l32", " W 30 / L 32 ", "30 32", "W30xL32"}) {
    const auto parsed = cabine::parse_size(SizeSystem::kWaistLength, label);
    ASSERT_TRUE(parsed.is_ok()) << label << ": " << parsed.status().to_string();
    EXPECT_EQ(parsed.value().value, 30) << label;
    EXPECT_TRUE(parsed.value().has_secondary) << label;
    EXPECT_EQ(parsed.value().secondary, 32) << label;
  }
  for (const char* label : {"W30", "30", "w 30"}) {
    const auto parsed = cabine::parse_size(SizeSystem::kWaistLength, label);
    ASSERT_TRUE(parsed.is_ok()) << label << ": " << parsed.status().to_string();
    EXPECT_EQ(parsed.value().value, 30);
    EXPECT_FALSE(parsed.value().has_secondary);
  }
  const auto half = cabine::parse_size(SizeSystem::kWaistLength, "W30.5/L33,5");
  ASSERT_TRUE(half.is_ok());
  EXPECT_EQ(half.value().value, 30.5);
  EXPECT_EQ(half.value().secondary, 33.5);
}

// Malformed and out-of-range waist_length labels name the part at fault.
TEST(ParseSize, RejectsBadWaistLength) {
  for (const char* label :
       {"L32", "W", "W/L32", "W30/", "W30/L", "30/32/34", "W30 L32 L34", "30-32", "W30/L32.1234", "waist 30"}) {
    EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kWaistLength, label),
                          "is not a waist_length label (expected e.g. W30/L32, 30/32, 30x32 or W30)"))
        << label;
  }
  EXPECT_TRUE(
      IsInvalid(cabine::parse_size(SizeSystem::kWaistLength, "W70/L32"),
                "waist_length size 'W70/L32' has waist 70, out of range; waists are whole or half inches 20..60"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kWaistLength, "W19"), "has waist 19, out of range"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kWaistLength, "W30/L50"),
                        "has length 50, out of range; lengths are whole or half inches 20..40"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kWaistLength, "W30/L19.5"), "has length 19.5, out of range"));
  EXPECT_TRUE(
      IsInvalid(cabine::parse_size(SizeSystem::kWaistLength, "W30.25"), "has waist 30.25, not a whole or half inch"));
  EXPECT_TRUE(
      IsInvalid(cabine::parse_size(SizeSystem::kWaistLength, "30/32.2"), "has length 32.2, not a whole or half inch"));
}

// Numeric sizes are the number itself, 0..500.
TEST(ParseSize, NumericIsItsOwnScale) {
  EXPECT_EQ(value_of(SizeSystem::kNumeric, "0"), 0);
  EXPECT_EQ(value_of(SizeSystem::kNumeric, "42"), 42);
  EXPECT_EQ(value_of(SizeSystem::kNumeric, "12.125"), 12.125);
  EXPECT_EQ(value_of(SizeSystem::kNumeric, "500"), 500);
  EXPECT_EQ(value_of(SizeSystem::kNumeric, "007"), 7);
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kNumeric, "500.5"),
                        "numeric size '500.5' is out of range; numeric sizes are 0..500"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kNumeric, "W30"), "is not a plain decimal number"));
}

// The dress conversion table in docs/size-systems.md, row by row.
TEST(ConvertSize, DressTable) {
  struct Row {
    const char* uk;
    const char* eu;
    const char* us;
    const char* letter;
  };
  const Row rows[] = {{"0", "28", "00", "XXS"},   {"2", "30", "00", "XXS"},  {"4", "32", "0", "XS"},
                      {"6", "34", "2", "XS"},     {"8", "36", "4", "S"},     {"10", "38", "6", "S"},
                      {"12", "40", "8", "M"},     {"14", "42", "10", "M"},   {"16", "44", "12", "L"},
                      {"18", "46", "14", "L"},    {"20", "48", "16", "XL"},  {"22", "50", "18", "XL"},
                      {"24", "52", "20", "XXL"},  {"26", "54", "22", "XXL"}, {"28", "56", "24", "XXXL"},
                      {"30", "58", "26", "XXXL"}, {"32", "60", "28", "XXXL"}};
  for (const Row& row : rows) {
    EXPECT_EQ(convert(row.uk, SizeSystem::kUk, SizeSystem::kEu), row.eu);
    EXPECT_EQ(convert(row.eu, SizeSystem::kEu, SizeSystem::kUk), row.uk);
    EXPECT_EQ(convert(row.eu, SizeSystem::kEu, SizeSystem::kUs), row.us);
    EXPECT_EQ(convert(row.uk, SizeSystem::kUk, SizeSystem::kLetter), row.letter);
    EXPECT_EQ(convert(row.eu, SizeSystem::kEu, SizeSystem::kLetter), row.letter);
  }
  EXPECT_EQ(convert("00", SizeSystem::kUs, SizeSystem::kUk), "2");
  EXPECT_EQ(convert("0", SizeSystem::kUs, SizeSystem::kEu), "32");
  EXPECT_EQ(convert("UK 10", SizeSystem::kUk, SizeSystem::kUs), "6");
}

// A letter converts to the numeric size at its midpoint, ties going to the larger size.
TEST(ConvertSize, LetterToNumericSizesUp) {
  EXPECT_EQ(convert("S", SizeSystem::kLetter, SizeSystem::kEu), "38");
  EXPECT_EQ(convert("S", SizeSystem::kLetter, SizeSystem::kUk), "10");
  EXPECT_EQ(convert("S", SizeSystem::kLetter, SizeSystem::kUs), "6");
  EXPECT_EQ(convert("XXS", SizeSystem::kLetter, SizeSystem::kEu), "30");
  EXPECT_EQ(convert("M", SizeSystem::kLetter, SizeSystem::kEu), "42");
  EXPECT_EQ(convert("XXXL", SizeSystem::kLetter, SizeSystem::kUs), "26");
  EXPECT_EQ(convert("3xl", SizeSystem::kLetter, SizeSystem::kLetter), "XXXL");
  EXPECT_EQ(convert(" 2xs ", SizeSystem::kLetter, SizeSystem::kLetter), "XXS");
}

// Shoe conversions use the documented women's offsets and clamp at the ends of each range.
TEST(ConvertSize, ShoeOffsets) {
  EXPECT_EQ(convert("5", SizeSystem::kShoeUk, SizeSystem::kShoeEu), "38");
  EXPECT_EQ(convert("5", SizeSystem::kShoeUk, SizeSystem::kShoeUs), "7");
  EXPECT_EQ(convert("38.5", SizeSystem::kShoeEu, SizeSystem::kShoeUk), "5.5");
  EXPECT_EQ(convert("38,5", SizeSystem::kShoeEu, SizeSystem::kShoeUs), "7.5");
  EXPECT_EQ(convert("7\xC2\xBD", SizeSystem::kShoeUs, SizeSystem::kShoeEu), "38.5");
  EXPECT_EQ(convert("30", SizeSystem::kShoeEu, SizeSystem::kShoeUk), "1");
  EXPECT_EQ(convert("30", SizeSystem::kShoeEu, SizeSystem::kShoeUs), "1");
  EXPECT_EQ(convert("50", SizeSystem::kShoeEu, SizeSystem::kShoeUk), "17");
  EXPECT_EQ(convert("19", SizeSystem::kShoeUs, SizeSystem::kShoeEu), "50");
}

// waist_length and numeric convert only to themselves, into canonical form.
TEST(ConvertSize, CanonicalWaistAndNumeric) {
  EXPECT_EQ(convert("30/32", SizeSystem::kWaistLength, SizeSystem::kWaistLength), "W30/L32");
  EXPECT_EQ(convert("w30 l32", SizeSystem::kWaistLength, SizeSystem::kWaistLength), "W30/L32");
  EXPECT_EQ(convert("30", SizeSystem::kWaistLength, SizeSystem::kWaistLength), "W30");
  EXPECT_EQ(convert("30.5x34", SizeSystem::kWaistLength, SizeSystem::kWaistLength), "W30.5/L34");
  EXPECT_EQ(convert("12.50", SizeSystem::kNumeric, SizeSystem::kNumeric), "12.5");
  EXPECT_EQ(convert("007", SizeSystem::kNumeric, SizeSystem::kNumeric), "7");
  EXPECT_EQ(convert("0.125", SizeSystem::kNumeric, SizeSystem::kNumeric), "0.125");
}

// Conversions between dimensions are refused, naming both systems and dimensions.
TEST(ConvertSize, RejectsCrossDimension) {
  EXPECT_TRUE(IsInvalid(cabine::convert_size("38", SizeSystem::kShoeEu, SizeSystem::kLetter),
                        "cannot convert '38' from shoe_eu (foot) to letter (body): the dimensions differ"));
  EXPECT_TRUE(IsInvalid(cabine::convert_size("38", SizeSystem::kNumeric, SizeSystem::kEu),
                        "from numeric (numeric) to eu (body)"));
  EXPECT_TRUE(IsInvalid(cabine::convert_size("38", SizeSystem::kEu, SizeSystem::kNumeric), "the dimensions differ"));
  EXPECT_TRUE(IsInvalid(cabine::convert_size("W30", SizeSystem::kWaistLength, SizeSystem::kUs),
                        "waist_length (waist) to us (body)"));
  EXPECT_TRUE(IsInvalid(cabine::convert_size("M", SizeSystem::kLetter, SizeSystem::kShoeUk), "the dimensions differ"));
}

// A bad label in the source system is reported as parse_size reports it.
TEST(ConvertSize, PropagatesParseErrors) {
  EXPECT_TRUE(
      IsInvalid(cabine::convert_size("39", SizeSystem::kEu, SizeSystem::kUk), "eu size '39' is not an even number"));
  EXPECT_TRUE(IsInvalid(cabine::convert_size("XXXXL", SizeSystem::kLetter, SizeSystem::kEu), "is not a letter size"));
  EXPECT_TRUE(
      IsInvalid(cabine::convert_size("", SizeSystem::kShoeUk, SizeSystem::kShoeEu), "shoe_uk size label is empty"));
}

// Every label on each grid converts to itself, and dress/shoe round trips through every sibling system.
TEST(ConvertSize, GridLabelsRoundTrip) {
  for (int uk = 0; uk <= 32; uk += 2) {
    const std::string label = std::to_string(uk);
    EXPECT_EQ(convert(label, SizeSystem::kUk, SizeSystem::kUk), label);
    EXPECT_EQ(convert(convert(label, SizeSystem::kUk, SizeSystem::kEu), SizeSystem::kEu, SizeSystem::kUk), label);
  }
  for (int us = 0; us <= 28; us += 2) {
    const std::string label = std::to_string(us);
    EXPECT_EQ(convert(convert(label, SizeSystem::kUs, SizeSystem::kUk), SizeSystem::kUk, SizeSystem::kUs), label);
  }
  for (int half = 60; half <= 100; ++half) {
    const std::string label = std::to_string(half / 2) + (half % 2 ? ".5" : "");
    EXPECT_EQ(convert(label, SizeSystem::kShoeEu, SizeSystem::kShoeEu), label);
    if (half >= 68) {  // EU 34+: inside the UK range
      EXPECT_EQ(
          convert(convert(label, SizeSystem::kShoeEu, SizeSystem::kShoeUk), SizeSystem::kShoeUk, SizeSystem::kShoeEu),
          label);
    }
    if (half >= 64) {  // EU 32+: inside the US range
      EXPECT_EQ(
          convert(convert(label, SizeSystem::kShoeEu, SizeSystem::kShoeUs), SizeSystem::kShoeUs, SizeSystem::kShoeEu),
          label);
    }
  }
}

// Nearest label: ties go to the larger size; letter ranges extend halfway to the next letter.
TEST(NearestSizeLabel, RoundsToGridAndLetterBands) {
  EXPECT_EQ(nearest(SizeSystem::kEu, 37), "38");
  EXPECT_EQ(nearest(SizeSystem::kEu, 36.9), "36");
  EXPECT_EQ(nearest(SizeSystem::kUk, 39.2), "12");
  EXPECT_EQ(nearest(SizeSystem::kUs, 28), "00");
  EXPECT_EQ(nearest(SizeSystem::kUs, 30.9), "00");
  EXPECT_EQ(nearest(SizeSystem::kUs, 31), "0");
  EXPECT_EQ(nearest(SizeSystem::kLetter, 28), "XXS");
  EXPECT_EQ(nearest(SizeSystem::kLetter, 30.99), "XXS");
  EXPECT_EQ(nearest(SizeSystem::kLetter, 31), "XS");
  EXPECT_EQ(nearest(SizeSystem::kLetter, 38.99), "S");
  EXPECT_EQ(nearest(SizeSystem::kLetter, 39), "M");
  EXPECT_EQ(nearest(SizeSystem::kLetter, 54.99), "XXL");
  EXPECT_EQ(nearest(SizeSystem::kLetter, 60), "XXXL");
  EXPECT_EQ(nearest(SizeSystem::kShoeEu, 38.25), "38.5");
  EXPECT_EQ(nearest(SizeSystem::kShoeEu, 38.24), "38");
  EXPECT_EQ(nearest(SizeSystem::kShoeUk, 38.7), "5.5");
  EXPECT_EQ(nearest(SizeSystem::kNumeric, 12.3456), "12.346");
  EXPECT_EQ(nearest(SizeSystem::kNumeric, 0), "0");
  EXPECT_EQ(nearest(SizeSystem::kWaistLength, 31.3), "W31.5");
  const auto with_length = cabine::nearest_size_label(SizeSystem::kWaistLength, SizeValue{30.1, 31.8, true});
  ASSERT_TRUE(with_length.is_ok());
  EXPECT_EQ(with_length.value(), "W30/L32");
  // Without has_secondary, the secondary value is ignored even when it is garbage.
  const auto no_length = cabine::nearest_size_label(SizeSystem::kWaistLength, SizeValue{30, std::nan(""), false});
  ASSERT_TRUE(no_length.is_ok());
  EXPECT_EQ(no_length.value(), "W30");
}

// Values that are not finite or lie outside the dimension's scale are rejected.
TEST(NearestSizeLabel, RejectsValuesOffTheScale) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(IsInvalid(cabine::nearest_size_label(SizeSystem::kEu, SizeValue{std::nan(""), 0, false}),
                        "value NaN is outside the body scale"));
  EXPECT_TRUE(
      IsInvalid(cabine::nearest_size_label(SizeSystem::kLetter, SizeValue{inf, 0, false}), "value inf is outside"));
  EXPECT_TRUE(
      IsInvalid(cabine::nearest_size_label(SizeSystem::kUs, SizeValue{-inf, 0, false}), "value -inf is outside"));
  EXPECT_TRUE(IsInvalid(cabine::nearest_size_label(SizeSystem::kUk, SizeValue{61, 0, false}),
                        "value 61 is outside the body scale (EU dress sizes 28..60) of size system uk"));
  EXPECT_TRUE(
      IsInvalid(cabine::nearest_size_label(SizeSystem::kEu, SizeValue{1e300, 0, false}), "value 1e9+ is outside"));
  EXPECT_TRUE(IsInvalid(cabine::nearest_size_label(SizeSystem::kShoeUs, SizeValue{29.5, 0, false}),
                        "value 29.5 is outside the foot scale (EU shoe sizes 30..50)"));
  EXPECT_TRUE(IsInvalid(cabine::nearest_size_label(SizeSystem::kNumeric, SizeValue{-0.5, 0, false}),
                        "value -0.5 is outside the numeric scale (0..500)"));
  EXPECT_TRUE(IsInvalid(cabine::nearest_size_label(SizeSystem::kWaistLength, SizeValue{61, 32, true}),
                        "value 61 is outside the waist scale"));
  EXPECT_TRUE(IsInvalid(cabine::nearest_size_label(SizeSystem::kWaistLength, SizeValue{30, std::nan(""), true}),
                        "length NaN is outside 20..40 inches"));
  EXPECT_TRUE(IsInvalid(cabine::nearest_size_label(SizeSystem::kWaistLength, SizeValue{30, 45, true}),
                        "length 45 is outside 20..40 inches"));
}

// Inference looks at syntax only: letters, W../L.. labels, and numeric for the rest.
TEST(InferSizeSystem, FromLabelSyntax) {
  for (const char* label : {"M", "xl", " XXS ", "3XL", "2xs", "XXXXL", "4XL"})
    EXPECT_EQ(cabine::infer_size_system(label), SizeSystem::kLetter) << label;
  for (const char* label : {"W30", "w30/l32", "30/32", "30x32", "W30 L32", "W70/L32"})
    EXPECT_EQ(cabine::infer_size_system(label), SizeSystem::kWaistLength) << label;
  for (const char* label : {"30", "38.5", "One Size", "", "L32", "3", "UK 10", "nan"})
    EXPECT_EQ(cabine::infer_size_system(label), SizeSystem::kNumeric) << label;
  // An inferred-but-invalid label still gets the precise error from parse_size.
  EXPECT_TRUE(IsInvalid(cabine::parse_size(cabine::infer_size_system("XXXXL"), "XXXXL"), "is not a letter size"));
  EXPECT_TRUE(
      IsInvalid(cabine::parse_size(cabine::infer_size_system("W70/L32"), "W70/L32"), "has waist 70, out of range"));
}

// Error messages quote labels safely: bounded length, control characters replaced, UTF-8 kept whole.
TEST(ErrorMessages, QuoteLabelsSafely) {
  const std::string long_label(1000, 'Q');
  const auto result = cabine::parse_size(SizeSystem::kNumeric, long_label);
  ASSERT_TRUE(IsInvalid(result, "'" + std::string(40, 'Q') + "...'"));
  EXPECT_LT(result.status().message().size(), 200u);
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kLetter, "M\x01L"), "size 'M?L' is not a letter size"));
  EXPECT_TRUE(IsInvalid(cabine::parse_size_system("a\x7F"), "'a?'"));
  // 39 ASCII bytes then a 2-byte character straddling the limit: cut before it, not inside it.
  const std::string straddling = std::string(39, 'a') + "\xC3\xA9" + "zzz";
  EXPECT_TRUE(IsInvalid(cabine::parse_size(SizeSystem::kNumeric, straddling), "'" + std::string(39, 'a') + "...'"));
}

}  // namespace
