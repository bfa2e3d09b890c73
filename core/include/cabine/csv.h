// A small RFC 4180 CSV reader over text in memory (the CLI does the file I/O).
// Quoted fields may hold commas, doubled quotes and line breaks; CRLF and LF
// line ends are accepted; a UTF-8 byte-order mark at the start is skipped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "cabine/status.h"

namespace cabine {

struct CsvRow {
  std::size_t line = 0;  // 1-based line number where the row starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;  // blank lines are skipped

  // Index of `name` in the header, or -1.
  int column(std::string_view name) const;
};

// Parses `text`; the first row is the header. Fails (INVALID_ARGUMENT, with
// the line) only on a structural error the rest of the file cannot recover
// from: an unterminated quoted field, or an empty or duplicated header name.
// Rows with the wrong number of fields are kept as they are; the caller
// reports them per row.
Result<CsvTable> parse_csv(std::string_view text);

// Quotes a field for output when it needs it (comma, quote, CR or LF).
std::string csv_escape(std::string_view field);

}  // namespace cabine
