// The fit data contract (docs/data-contract.md): purchase logs, catalogues,
// outcomes and body measurements, parsed from CSV text with per-row errors.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cabine/csv.h"
#include "cabine/status.h"

namespace cabine {

// What happened to a purchase. kReturnedOther is a return that says nothing
// about fit: it is counted but is not a fit signal.
enum class FitOutcome : std::uint8_t { kTooSmall = 0, kKept = 1, kTooLarge = 2, kReturnedOther = 3 };

// "kept", "too_small", "too_large", "returned_other" (exactly these).
Result<FitOutcome> parse_outcome(std::string_view text);
std::string_view outcome_name(FitOutcome outcome);

// Body measurements from a purchase row or the questionnaire. Every field is
// optional. Ranges (validated by validate_body): height 100..230 cm, weight
// 25..250 kg, age 12..100 years, bust like "34d" (band 26..50 inches, cup
// aa, a..k, dd, ddd, dddd/e), body_type a free label (the model lists the
// ones it knows).
struct BodyMeasurements {
  std::optional<double> height_cm;
  std::optional<double> weight_kg;
  std::optional<double> age;
  std::string body_type;
  std::string bust;
};

// Checks ranges and finiteness; the message names the field and the value.
Status validate_body(const BodyMeasurements& body);

// Bust "34d" -> band 34 inches and cup index (aa=0, a=1, b=2, c=3, d=4, dd/e=5, ddd/f=6, g=7, h=8, i=9, j=10, k=11).
struct Bust {
  double band = 0;
  double cup = 0;
};
Result<Bust> parse_bust(std::string_view text);

// Splits a catalogue size list "XS|S|M" into its labels (each trimmed); an empty label is an error.
Result<std::vector<std::string>> parse_size_list(std::string_view list);

// Parses a plain decimal number ("12", "-3.5", "1e3" is refused); no locale.
std::optional<double> parse_decimal(std::string_view text);

// One row of the purchase log.
struct Purchase {
  std::string customer_id;
  std::string product_id;
  std::string brand;        // may be empty
  std::string category;     // may be empty
  std::string size_system;  // may be empty: inferred from the label
  std::string size;
  FitOutcome outcome = FitOutcome::kKept;
  std::string date;         // YYYY-MM-DD or empty
  BodyMeasurements body;
  std::size_t line = 0;     // line in the source file
};

// A product of the optional catalogue.
struct CatalogueEntry {
  std::string product_id;
  std::string brand;
  std::string category;
  std::string size_system;
  std::vector<std::string> sizes;  // ordered, smallest first
  std::size_t line = 0;
};

// A row that was skipped, and why.
struct RowIssue {
  std::size_t line = 0;
  std::string column;   // the column at fault, or "" for the whole row
  std::string message;
};

struct PurchaseLog {
  std::vector<Purchase> rows;
  std::vector<RowIssue> skipped;
  std::size_t returned_other = 0;  // rows kept in `rows` whose outcome is returned_other
  std::size_t total_rows = 0;      // data rows read, good and bad
};

struct Catalogue {
  std::vector<CatalogueEntry> entries;
  std::vector<RowIssue> skipped;
  std::size_t total_rows = 0;
};

// The purchase log columns. Required in the header: customer_id, product_id,
// size, outcome; the other contract columns may be absent or empty.
// Fails only when a required column is missing from the header.
Result<PurchaseLog> read_purchases(const CsvTable& table);
// Required columns: product_id, sizes.
Result<Catalogue> read_catalogue(const CsvTable& table);

}  // namespace cabine
