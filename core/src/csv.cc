#include "cabine/csv.h"

namespace cabine {

int CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

Result<CsvTable> parse_csv(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  CsvTable table;
  std::vector<std::string> fields;
  std::string field;
  std::size_t line = 1, row_line = 1, i = 0;
  bool field_start = true;   // nothing of the current field read yet
  bool row_started = false;  // the current row has at least one character
  auto end_row = [&] {
    fields.push_back(std::move(field));
    field.clear();
    if (row_started) {
      if (table.header.empty() && table.rows.empty()) {
        table.header = std::move(fields);
      } else {
        table.rows.push_back({row_line, std::move(fields)});
      }
    }
    fields.clear();
    field_start = true;
    row_started = false;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && field_start) {
      // Quoted field: runs to the next lone quote; "" is a literal quote.
      const std::size_t quote_line = line;
      ++i;
      for (;;) {
        if (i >= text.size())
          return Status(ErrorCode::kInvalidArgument, "line " + std::to_string(quote_line) + ": unterminated quoted field");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field.push_back(text[i++]);
      }
      field_start = false;
      row_started = true;
      continue;
    }
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      field_start = true;
      row_started = true;
      ++i;
    } else if (c == '\n' || c == '\r') {
      end_row();
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      ++line;
      row_line = line;
    } else {
      field.push_back(c);
      field_start = false;
      row_started = true;
      ++i;
    }
  }
  if (row_started) end_row();

  if (table.header.empty()) return Status(ErrorCode::kInvalidArgument, "line 1: the file is empty; a header row is required");
  for (std::size_t k = 0; k < table.header.size(); ++k) {
    std::string& name = table.header[k];
    // Tolerate spaces around header names.
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (name.empty())
      return Status(ErrorCode::kInvalidArgument, "line 1, column " + std::to_string(k + 1) + ": empty header name");
    for (std::size_t j = 0; j < k; ++j)
      if (table.header[j] == name)
        return Status(ErrorCode::kInvalidArgument, "line 1: column '" + name + "' appears twice in the header");
  }
  return table;
}

std::string csv_escape(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace cabine
