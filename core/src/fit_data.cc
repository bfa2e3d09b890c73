#include "cabine/fit_data.h"

#include <cmath>
#include <string>
#include <unordered_map>

#include "byte_io.h"
#include "cabine/size_system.h"

namespace cabine {
namespace {

using internal::cat;
using internal::error_status;

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Up to 3 decimals without printf (which would add ~7 KB to the wasm).
std::string fmt(double v) {
  if (!std::isfinite(v)) return v != v ? "NaN" : (v < 0 ? "-Infinity" : "Infinity");
  if (std::fabs(v) >= 1e15) return v < 0 ? "-1e15+" : "1e15+";
  const long long milli = std::llround(std::fabs(v) * 1000);
  // ".5", ".25", ".125": the thousandths without trailing zeros.
  char fraction[4] = {'.', 0, 0, 0};
  std::size_t length = 0;
  for (int frac = static_cast<int>(milli % 1000), scale = 100; frac != 0; frac %= scale, scale /= 10)
    fraction[++length] = static_cast<char>('0' + frac / scale);
  return cat({v < 0 && milli != 0 ? "-" : "", milli / 1000, std::string_view(fraction, length ? length + 1 : 0)});
}

struct Range {
  const char* name;
  double lo, hi;
  const char* unit;
};

Status check_range(const std::optional<double>& v, const Range& r) {
  if (!v) return Status::ok();
  if (!std::isfinite(*v)) return error_status(ErrorCode::kInvalidArgument, {r.name, " must be a finite number"});
  if (*v < r.lo || *v > r.hi)
    return error_status(ErrorCode::kInvalidArgument,
                        {r.name, " ", fmt(*v), " is outside ", fmt(r.lo), "..", fmt(r.hi), " ", r.unit});
  return Status::ok();
}

}  // namespace

Result<FitOutcome> parse_outcome(std::string_view text) {
  const std::string t = trim(text);
  if (t == "kept") return FitOutcome::kKept;
  if (t == "too_small") return FitOutcome::kTooSmall;
  if (t == "too_large") return FitOutcome::kTooLarge;
  if (t == "returned_other") return FitOutcome::kReturnedOther;
  return error_status(ErrorCode::kInvalidArgument,
                      {"outcome '", t, "' is not one of kept, too_small, too_large, returned_other"});
}

std::string_view outcome_name(FitOutcome outcome) {
  switch (outcome) {
    case FitOutcome::kTooSmall: return "too_small";
    case FitOutcome::kKept: return "kept";
    case FitOutcome::kTooLarge: return "too_large";
    case FitOutcome::kReturnedOther: return "returned_other";
  }
  return "unknown";
}

std::optional<double> parse_decimal(std::string_view text) {
  const std::string t = trim(text);
  if (t.empty() || t.size() > 32) return std::nullopt;
  std::size_t i = 0;
  bool negative = false;
  if (t[i] == '-' || t[i] == '+') negative = t[i++] == '-';
  double value = 0, scale = 1;
  bool digits = false, dot = false;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c >= '0' && c <= '9') {
      digits = true;
      if (dot) {
        scale /= 10;
        value += (c - '0') * scale;
      } else {
        value = value * 10 + (c - '0');
      }
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  return negative ? -value : value;
}

Result<Bust> parse_bust(std::string_view text) {
  const std::string t = lower(trim(text));
  std::size_t i = 0;
  while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.')) ++i;
  const auto band = parse_decimal(std::string_view(t).substr(0, i));
  if (!band) return error_status(ErrorCode::kInvalidArgument, {"bust '", t, "' must look like 34d (band inches, then cup)"});
  if (*band < 26 || *band > 50)
    return error_status(ErrorCode::kInvalidArgument, {"bust band ", fmt(*band), " is outside 26..50 inches"});
  std::string cup = trim(std::string_view(t).substr(i));
  static constexpr struct { const char* name; int index; } kCups[] = {
      {"aa", 0}, {"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"dd", 5}, {"e", 5}, {"ddd", 6}, {"f", 6},
      {"dddd", 7}, {"g", 7}, {"h", 8}, {"i", 9}, {"j", 10}, {"k", 11}, {"d+", 5}, {"ddd/e", 6}};
  if (cup.empty()) return Bust{*band, 3};  // cup unknown: a middle cup
  for (const auto& c : kCups)
    if (cup == c.name) return Bust{*band, static_cast<double>(c.index)};
  return error_status(ErrorCode::kInvalidArgument, {"bust cup '", cup, "' is not a cup size (aa, a..k, dd, ddd)"});
}

Status validate_body(const BodyMeasurements& body) {
  CABINE_RETURN_IF_ERROR(check_range(body.height_cm, {"height_cm", 100, 230, "cm"}));
  CABINE_RETURN_IF_ERROR(check_range(body.weight_kg, {"weight_kg", 25, 250, "kg"}));
  CABINE_RETURN_IF_ERROR(check_range(body.age, {"age", 12, 100, "years"}));
  if (!body.bust.empty()) {
    Result<Bust> bust = parse_bust(body.bust);
    if (!bust.is_ok()) return bust.status();
  }
  if (body.body_type.size() > 64) return Status(ErrorCode::kInvalidArgument, "body_type is longer than 64 characters");
  return Status::ok();
}

Result<PurchaseLog> read_purchases(const CsvTable& table) {
  for (const char* required : {"customer_id", "product_id", "size", "outcome"}) {
    if (table.column(required) < 0)
      return Status(ErrorCode::kInvalidArgument, std::string("line 1: the header has no '") + required +
                                                     "' column (required: customer_id, product_id, size, outcome)");
  }
  struct Col {
    const char* name;
    int index;
  };
  auto col = [&](const char* name) { return Col{name, table.column(name)}; };
  const Col customer = col("customer_id"), product = col("product_id"), brand = col("brand"),
            category = col("category"), system = col("size_system"), size = col("size"), outcome = col("outcome"),
            date = col("date"), height = col("height_cm"), weight = col("weight_kg"), age = col("age"),
            body_type = col("body_type"), bust = col("bust");

  PurchaseLog log;
  for (const CsvRow& row : table.rows) {
    ++log.total_rows;
    if (row.fields.size() != table.header.size()) {
      log.skipped.push_back({row.line, "", "expected " + std::to_string(table.header.size()) + " fields, found " +
                                               std::to_string(row.fields.size())});
      continue;
    }
    auto get = [&](const Col& c) { return c.index < 0 ? std::string() : trim(row.fields[static_cast<std::size_t>(c.index)]); };
    Purchase p;
    p.line = row.line;
    p.customer_id = get(customer);
    p.product_id = get(product);
    p.brand = get(brand);
    p.category = get(category);
    p.size_system = lower(get(system));
    p.size = get(size);
    p.date = get(date);
    auto fail = [&](const Col& c, std::string message) { log.skipped.push_back({row.line, c.name, std::move(message)}); };
    if (p.customer_id.empty()) { fail(customer, "customer_id is empty"); continue; }
    if (p.product_id.empty()) { fail(product, "product_id is empty"); continue; }
    if (p.size.empty()) { fail(size, "size is empty"); continue; }
    if (get(outcome).empty()) { fail(outcome, "outcome is empty (one of kept, too_small, too_large, returned_other)"); continue; }
    Result<FitOutcome> o = parse_outcome(get(outcome));
    if (!o.is_ok()) { fail(outcome, o.status().message()); continue; }
    p.outcome = o.value();
    // The size must make sense in its system (or the inferred one).
    Result<SizeSystem> sys = system_or_inferred(p.size_system, p.size);
    if (!sys.is_ok()) { fail(system, sys.status().message()); continue; }
    Result<SizeValue> v = parse_size(sys.value(), p.size);
    if (!v.is_ok()) { fail(size, v.status().message()); continue; }
    if (!p.date.empty()) {
      const std::string& d = p.date;
      const bool shape = d.size() == 10 && d[4] == '-' && d[7] == '-';
      if (!shape) { fail(date, "date '" + d + "' is not YYYY-MM-DD"); continue; }
    }
    bool bad_number = false;
    for (auto [c, target] : {std::pair{height, &p.body.height_cm}, {weight, &p.body.weight_kg}, {age, &p.body.age}}) {
      const std::string text = get(c);
      if (text.empty()) continue;
      const auto value = parse_decimal(text);
      if (!value) {
        fail(c, std::string(c.name) + " '" + text + "' is not a number");
        bad_number = true;
        break;
      }
      *target = *value;
    }
    if (bad_number) continue;
    p.body.body_type = lower(get(body_type));
    p.body.bust = get(bust);
    Status body_ok = validate_body(p.body);
    if (!body_ok.is_ok()) {
      const std::string& m = body_ok.message();
      const Col& at = m.rfind("height", 0) == 0 ? height : m.rfind("weight", 0) == 0 ? weight
                    : m.rfind("age", 0) == 0    ? age    : m.rfind("bust", 0) == 0   ? bust : body_type;
      fail(at, m);
      continue;
    }
    if (p.outcome == FitOutcome::kReturnedOther) ++log.returned_other;
    log.rows.push_back(std::move(p));
  }
  return log;
}

Result<std::vector<std::string>> parse_size_list(std::string_view list) {
  std::vector<std::string> labels;
  for (std::size_t start = 0;;) {
    const std::size_t bar = list.find('|', start);
    std::string label = trim(list.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (label.empty())
      return error_status(ErrorCode::kInvalidArgument, {"sizes '", list, "' has an empty label (labels are joined by |)"});
    labels.push_back(std::move(label));
    if (bar == std::string_view::npos) return labels;
    start = bar + 1;
  }
}

Result<Catalogue> read_catalogue(const CsvTable& table) {
  for (const char* required : {"product_id", "sizes"}) {
    if (table.column(required) < 0)
      return Status(ErrorCode::kInvalidArgument,
                    std::string("line 1: the catalogue header has no '") + required + "' column (required: product_id, sizes)");
  }
  const int product = table.column("product_id"), brand = table.column("brand"), category = table.column("category"),
            system = table.column("size_system"), sizes = table.column("sizes");
  Catalogue cat;
  std::unordered_map<std::string, std::size_t> first_line;  // product id -> its first line
  for (const CsvRow& row : table.rows) {
    ++cat.total_rows;
    if (row.fields.size() != table.header.size()) {
      cat.skipped.push_back({row.line, "", "expected " + std::to_string(table.header.size()) + " fields, found " +
                                               std::to_string(row.fields.size())});
      continue;
    }
    auto get = [&](int i) { return i < 0 ? std::string() : trim(row.fields[static_cast<std::size_t>(i)]); };
    CatalogueEntry e;
    e.line = row.line;
    e.product_id = get(product);
    e.brand = get(brand);
    e.category = get(category);
    e.size_system = lower(get(system));
    if (e.product_id.empty()) {
      cat.skipped.push_back({row.line, "product_id", "product_id is empty"});
      continue;
    }
    if (const auto first = first_line.find(e.product_id); first != first_line.end()) {
      cat.skipped.push_back({row.line, "product_id",
                             "product_id '" + e.product_id + "' is listed again (first on line " + std::to_string(first->second) + ")"});
      continue;
    }
    std::string error;
    if (Result<std::vector<std::string>> labels = parse_size_list(get(sizes)); labels.is_ok())
      e.sizes = std::move(labels).value();
    else
      error = labels.status().message();
    if (error.empty()) {
      Result<SizeSystem> sys = system_or_inferred(e.size_system, e.sizes.front());
      if (!sys.is_ok()) {
        cat.skipped.push_back({row.line, "size_system", sys.status().message()});
        continue;
      }
      for (const std::string& label : e.sizes) {
        Result<SizeValue> v = parse_size(sys.value(), label);
        if (!v.is_ok()) {
          error = v.status().message();
          break;
        }
      }
    }
    if (!error.empty()) {
      cat.skipped.push_back({row.line, "sizes", error});
      continue;
    }
    first_line.emplace(e.product_id, row.line);
    cat.entries.push_back(std::move(e));
  }
  return cat;
}

}  // namespace cabine
