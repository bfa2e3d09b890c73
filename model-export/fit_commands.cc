// The fit commands of model-export: train, predict-fit and synth.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unordered_map>

#include "cabine/csv.h"
#include "cabine/fit_data.h"
#include "cabine/fit_model.h"
#include "cabine/fit_synth.h"
#include "cabine/fit_train.h"
#include "cabine/hash.h"
#include "cabine/model_format.h"
#include "cabine/version.h"
#include "cli.h"
#include "commands.h"

namespace cabine::cli {
namespace {

std::string text_of(const std::vector<std::uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

CsvTable read_csv(const std::string& path) {
  Result<CsvTable> table = parse_csv(text_of(read_file(path)));
  if (!table.is_ok()) throw CliError{path + ": " + table.status().message()};
  return std::move(table).value();
}

// "file:line: column 'name' (n): message"
std::string describe(const std::string& path, const CsvTable& table, const RowIssue& issue) {
  std::string where = path + ":" + std::to_string(issue.line) + ": ";
  if (!issue.column.empty()) {
    const int index = table.column(issue.column);
    where += "column '" + issue.column + "'" + (index >= 0 ? " (" + std::to_string(index + 1) + ")" : "") + ": ";
  }
  return where + issue.message;
}

// Prints the first 10 issues in full, each followed by what became of its row, then how many more.
void print_issues(const std::string& path, const CsvTable& table, const std::vector<RowIssue>& issues,
                  const char* consequence, const char* more) {
  for (std::size_t i = 0; i < issues.size() && i < 10; ++i)
    std::fprintf(stderr, "warning: %s (%s)\n", describe(path, table, issues[i]).c_str(), consequence);
  if (issues.size() > 10) std::fprintf(stderr, "warning: ... and %zu more %s\n", issues.size() - 10, more);
}

// Prints the skipped rows (the first 10 in full) and fails when too many are bad.
void report_skipped(const std::string& path, const CsvTable& table, const std::vector<RowIssue>& skipped,
                    std::size_t total, double max_bad_fraction) {
  print_issues(path, table, skipped, "row skipped", "bad rows");
  if (!skipped.empty())
    std::fprintf(stderr, "%s: %zu of %zu rows skipped\n", path.c_str(), skipped.size(), total);
  const double fraction = total == 0 ? 0.0 : static_cast<double>(skipped.size()) / static_cast<double>(total);
  if (fraction > max_bad_fraction) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%.1f%% of the rows are bad (limit %.1f%%, set with --max-bad-fraction)",
                  100 * fraction, 100 * max_bad_fraction);
    throw CliError{path + ": " + buf};
  }
}

std::string fmt3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

// The query/history body columns of a CSV row.
BodyMeasurements body_of(const CsvTable& table, const CsvRow& row, std::string& error) {
  BodyMeasurements body;
  auto get = [&](const char* name) {
    const int i = table.column(name);
    return i < 0 || static_cast<std::size_t>(i) >= row.fields.size() ? std::string() : row.fields[static_cast<std::size_t>(i)];
  };
  for (auto [name, target] : {std::pair{"height_cm", &body.height_cm}, {"weight_kg", &body.weight_kg}, {"age", &body.age}}) {
    const std::string text = get(name);
    if (text.empty()) continue;
    const auto v = parse_decimal(text);
    if (!v) {
      error = std::string(name) + " '" + text + "' is not a number";
      return body;
    }
    *target = *v;
  }
  body.body_type = get("body_type");
  for (char& c : body.body_type)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  body.bust = get("bust");
  return body;
}

}  // namespace

int run_train(const std::vector<std::string>& argv) {
  Args args(argv, {"purchases", "catalogue", "out", "id", "holdout", "seed", "iterations", "max-bad-fraction", "audiences"},
            {"no-refit"});
  const std::string purchases_path = args.require("purchases");
  const std::string out_path = args.require("out");
  // Audiences are checked before the long training run, so a bad rule fails fast.
  std::optional<std::string> audiences;
  if (const auto spec_path = args.get("audiences")) audiences = read_audiences_spec(*spec_path);
  const double max_bad = parse_fraction(args.get("max-bad-fraction"), 0.05, "max-bad-fraction");
  FitTrainOptions options;
  options.holdout_fraction = parse_fraction(args.get("holdout"), 0.1, "holdout");
  options.seed = parse_count(args.get("seed"), 1, "seed", 1ull << 53);
  options.iterations = static_cast<int>(parse_count(args.get("iterations"), 400, "iterations", 100000));
  options.refit_on_all = !args.flag("no-refit");
  options.progress = [](std::string_view line) { std::printf("%.*s\n", static_cast<int>(line.size()), line.data()); std::fflush(stdout); };
  const auto started = std::chrono::steady_clock::now();

  std::printf("reading %s\n", purchases_path.c_str());
  const CsvTable purchase_table = read_csv(purchases_path);
  Result<PurchaseLog> log = read_purchases(purchase_table);
  if (!log.is_ok()) throw CliError{purchases_path + ": " + log.status().message()};
  report_skipped(purchases_path, purchase_table, log.value().skipped, log.value().total_rows, max_bad);
  std::printf("%s: %zu rows, %zu usable, %zu returned for other reasons\n", purchases_path.c_str(), log.value().total_rows,
              log.value().rows.size(), log.value().returned_other);

  std::vector<std::string> inputs = {purchases_path};
  Catalogue catalogue;
  if (auto path = args.get("catalogue")) {
    const CsvTable table = read_csv(*path);
    Result<Catalogue> cat = read_catalogue(table);
    if (!cat.is_ok()) throw CliError{*path + ": " + cat.status().message()};
    report_skipped(*path, table, cat.value().skipped, cat.value().total_rows, max_bad);
    catalogue = std::move(cat).value();
    inputs.push_back(*path);
    std::printf("%s: %zu products\n", path->c_str(), catalogue.entries.size());
  }

  FitTrainReport report;
  Result<FitModel> model = train_fit(log.value().rows, catalogue.entries, options, &report);
  if (!model.is_ok()) throw CliError{purchases_path + ": " + model.status().message()};
  for (const std::string& w : report.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  if (report.skipped_rows > 0)
    std::fprintf(stderr, "warning: %zu rows skipped because their size is not valid for their product's size system\n",
                 report.skipped_rows);

  ModelContent content;
  content.header.model_id = args.get("id").value_or("fit-model");
  content.header.created_at_ms = creation_time_ms();
  content.header.exporter_version = std::string(kVersion);
  if (const auto spec_path = args.get("audiences")) inputs.push_back(*spec_path);
  content.header.data_fingerprint = fingerprint_files(inputs);
  content.metadata = {{"trained_on", std::filesystem::path(purchases_path).filename().string()},
                      {"fit_rows", std::to_string(report.fit_rows)},
                      {"products", std::to_string(report.products)}};
  if (report.has_holdout) content.metadata.emplace_back("holdout_mean_auc", fmt3(report.holdout.auc_mean));
  content.fit = std::move(model).value();
  content.audiences = audiences;
  Result<std::vector<std::uint8_t>> encoded = encode_model(content);
  if (!encoded.is_ok()) throw CliError{"cannot encode the model: " + encoded.status().to_string(), 3};
  Result<Model> check = parse_model(encoded.value());
  if (!check.is_ok()) throw CliError{"internal error: the written model does not load: " + check.status().to_string(), 3};
  write_file_atomically(out_path, encoded.value());

  std::printf("trained on %zu fit rows (%zu customers, %zu products, %zu brands, %zu categories) in %.2f s, peak memory %ld MB\n",
              report.fit_rows, report.customers, report.products, report.brands, report.categories, seconds_since(started),
              peak_rss_mb());
  if (report.has_holdout) {
    const FitMetrics& h = report.holdout;
    std::printf("held-out (%zu rows): AUC small %s, fit %s, large %s, mean %s; log loss %s\n", h.rows,
                fmt3(h.auc_small).c_str(), fmt3(h.auc_fit).c_str(), fmt3(h.auc_large).c_str(), fmt3(h.auc_mean).c_str(),
                fmt3(h.log_loss).c_str());
  }
  std::printf("wrote %s: model '%s', %zu bytes\n", out_path.c_str(), content.header.model_id.c_str(), encoded.value().size());
  return 0;
}

int run_predict_fit(const std::vector<std::string>& argv) {
  Args args(argv, {"model", "history", "queries", "out", "max-bad-fraction"}, {});
  const std::string model_path = args.require("model"), history_path = args.require("history"),
                    queries_path = args.require("queries"), out_path = args.require("out");
  const double max_bad = parse_fraction(args.get("max-bad-fraction"), 0.05, "max-bad-fraction");
  Result<Model> model = parse_model(read_file(model_path));
  if (!model.is_ok()) throw CliError{model_path + ": " + model.status().to_string(), 1};
  if (!model.value().fit) throw CliError{model_path + ": the model has no fit section", 1};
  const FitModel& fit = *model.value().fit;

  const CsvTable history_table = read_csv(history_path);
  Result<PurchaseLog> history = read_purchases(history_table);
  if (!history.is_ok()) throw CliError{history_path + ": " + history.status().message()};
  report_skipped(history_path, history_table, history.value().skipped, history.value().total_rows, max_bad);
  // Each customer's own rows, exactly what the browser would hold on the device.
  std::unordered_map<std::string, std::vector<HistoryItem>> by_customer;
  for (const Purchase& p : history.value().rows) by_customer[p.customer_id].push_back(history_item_from(p));

  const CsvTable queries = read_csv(queries_path);
  for (const char* required : {"customer_id", "product_id", "size"})
    if (queries.column(required) < 0) throw CliError{queries_path + ":1: the header has no '" + std::string(required) + "' column"};
  std::string out = "customer_id,product_id,size,p_small,p_fit,p_large,recommended_size,error\n";
  const std::vector<HistoryItem> none;
  std::vector<RowIssue> failed;
  std::size_t done = 0;
  const auto started = std::chrono::steady_clock::now();
  for (const CsvRow& row : queries.rows) {
    auto field = [&](const char* name) {
      const int i = queries.column(name);
      return i < 0 || static_cast<std::size_t>(i) >= row.fields.size() ? std::string() : row.fields[static_cast<std::size_t>(i)];
    };
    const std::string customer = field("customer_id"), product = field("product_id"), size = field("size");
    std::string line = csv_escape(customer) + "," + csv_escape(product) + "," + csv_escape(size) + ",";
    RowIssue issue{row.line, "", ""};
    auto fail = [&](const std::string& column, const std::string& message) {
      if (!issue.message.empty()) return;
      issue.column = column;
      issue.message = message;
    };
    if (row.fields.size() != queries.header.size())
      fail("", "expected " + std::to_string(queries.header.size()) + " fields, found " + std::to_string(row.fields.size()));
    if (product.empty()) fail("product_id", "product_id is empty");
    if (size.empty()) fail("size", "size is empty");
    std::string body_error;
    const BodyMeasurements body = body_of(queries, row, body_error);
    if (!body_error.empty()) fail(body_error.substr(0, body_error.find(' ')), body_error);
    if (Status valid = validate_body(body); !valid.is_ok()) {
      const std::string& m = valid.message();
      const std::string column = m.rfind("bust", 0) == 0 ? "bust" : m.substr(0, m.find(' '));
      fail(queries.column(column) >= 0 ? column : "", m);
    }
    // A product the model does not know needs its sizes (and brand, category), as in the browser.
    ProductRef ref;
    ref.product_id = product;
    const bool known = fit.find_product(product) >= 0;
    if (!known && issue.message.empty()) {
      ref.brand = field("brand");
      ref.category = field("category");
      ref.size_system = field("size_system");
      const std::string list = field("sizes");
      if (list.empty())
        fail("product_id", "product '" + product +
                               "' is not in the model; give its sizes (and brand, category, size_system) in the query's "
                               "'sizes', 'brand', 'category' and 'size_system' columns");
      else if (Result<std::vector<std::string>> labels = parse_size_list(list); labels.is_ok())
        ref.sizes = std::move(labels).value();
      else
        fail("sizes", labels.status().message());
    }
    if (issue.message.empty()) {
      auto it = by_customer.find(customer);
      const std::vector<HistoryItem>& items = it == by_customer.end() ? none : it->second;
      Result<SizeProbabilities> p = predict_fit(fit, ref, size, items, body);
      if (p.is_ok()) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%.9f,%.9f,%.9f,", p.value().p_small, p.value().p_fit, p.value().p_large);
        line += buf;
        FitRequest request;
        request.product = ref;
        request.history = items;
        request.questionnaire = body;
        Result<FitRecommendation> rec = recommend_size(fit, request);
        if (rec.is_ok() && rec.value().size) line += csv_escape(*rec.value().size);
        line += ",";
      } else {
        const std::string m = p.status().message();
        fail(m.find("size") != std::string::npos && m.find("'" + size + "'") != std::string::npos ? "size" : "", m);
      }
    }
    if (!issue.message.empty()) {
      line += ",,,,";
      failed.push_back(issue);
    }
    out += line + csv_escape(issue.message) + "\n";
    if (++done % 20000 == 0) std::printf("predict-fit: %zu/%zu queries\n", done, queries.rows.size());
  }
  // Every query has its line in the output (failed ones with their error), so nothing is lost even
  // when too many failed.
  write_file_atomically(out_path, std::vector<std::uint8_t>(out.begin(), out.end()));
  std::printf("wrote %s: %zu predictions (%zu with an error) in %.2f s\n", out_path.c_str(), queries.rows.size(), failed.size(),
              seconds_since(started));
  print_issues(queries_path, queries, failed, "no prediction", "queries with an error");
  const double fraction = queries.rows.empty() ? 0.0 : static_cast<double>(failed.size()) / static_cast<double>(queries.rows.size());
  if (fraction > max_bad) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%zu of %zu queries (%.1f%%) have an error (limit %.1f%%, set with --max-bad-fraction); %s has them all, each with its error",
                  failed.size(), queries.rows.size(), 100 * fraction, 100 * max_bad, out_path.c_str());
    throw CliError{queries_path + ": " + buf};
  }
  return 0;
}

int run_synth(const std::vector<std::string>& argv) {
  Args args(argv, {"customers", "products", "out", "seed"}, {});
  SynthOptions options;
  options.customers = parse_count(args.get("customers"), 2000, "customers", 10'000'000);
  options.products = parse_count(args.get("products"), 200, "products", 1'000'000);
  options.seed = parse_count(args.get("seed"), 42, "seed", 1ull << 53);
  const std::string dir = args.require("out");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw CliError{"cannot create directory '" + dir + "': " + ec.message()};
  const SynthData data = synthesize_fit_data(options);
  auto opt = [](const std::optional<double>& v) { return v ? std::to_string(static_cast<long long>(std::llround(*v))) : std::string(); };
  std::string purchases = "customer_id,product_id,brand,category,size_system,size,outcome,date,height_cm,weight_kg,age,body_type,bust\n";
  for (const Purchase& p : data.purchases)
    purchases += p.customer_id + "," + p.product_id + "," + p.brand + "," + p.category + "," + p.size_system + "," + p.size + "," +
                 std::string(outcome_name(p.outcome)) + "," + p.date + "," + opt(p.body.height_cm) + "," + opt(p.body.weight_kg) +
                 "," + opt(p.body.age) + "," + p.body.body_type + ",\n";
  std::string catalogue = "product_id,brand,category,size_system,sizes\n";
  for (const CatalogueEntry& e : data.catalogue) {
    std::string sizes;
    for (const std::string& s : e.sizes) sizes += (sizes.empty() ? "" : "|") + s;
    catalogue += e.product_id + "," + e.brand + "," + e.category + "," + e.size_system + "," + sizes + "\n";
  }
  std::string truth_products = "product_id,brand,category,size_system,true_offset\n";
  for (const SynthProductTruth& t : data.products) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", t.offset);
    truth_products += t.product_id + "," + t.brand + "," + t.category + "," + t.size_system + "," + buf + "\n";
  }
  std::string truth_customers = "customer_id,true_size\n";
  for (const SynthCustomerTruth& t : data.customers) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", t.size);
    truth_customers += t.customer_id + "," + buf + "\n";
  }
  auto write = [&](const char* name, const std::string& text) {
    write_file_atomically(dir + "/" + name, std::vector<std::uint8_t>(text.begin(), text.end()));
  };
  write("purchases.csv", purchases);
  write("catalogue.csv", catalogue);
  write("truth_products.csv", truth_products);
  write("truth_customers.csv", truth_customers);
  std::printf("wrote %s/: purchases.csv (%zu rows), catalogue.csv (%zu products), truth_products.csv, truth_customers.csv\n",
              dir.c_str(), data.purchases.size(), data.catalogue.size());
  return 0;
}

}  // namespace cabine::cli
