// Training, metrics and the JSON writer of the learned models. Native only in
// practice (the browser scores and loads, it never trains); still core code:
// no I/O, no exceptions, progress through the caller's callback.
#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>

#include "cabine/learned.h"
#include "synth_rng.h"

namespace cabine {

namespace {

using Random = internal::Rng;

std::string format(const char* fmt, double a, double b = 0, double c = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b, c);
  return buf;
}

void report(const ProgressCallback& progress, const std::string& line) {
  if (progress) progress(line);
}

// ------------------------------------------------------------ JSON writer

bool reads_back(std::string_view text, double v) {
  const double back = json::string_to_number(text);
  return std::memcmp(&back, &v, sizeof v) == 0;
}

// The shortest of %.15g / %.16g / %.17g that the core's JSON reader (which
// rounds correctly, as strtod does) gives back bit for bit; %.17g always does.
// snprintf rather than std::to_chars: Emscripten's libc++ has no
// floating-point to_chars.
void append_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[64];
  for (const int precision : {15, 16, 17}) {
    const int n = std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    const std::string_view text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    if (precision == 17 || reads_back(text, v)) {
      out += text;
      return;
    }
  }
}

void append_key(std::string& out, std::string_view key) {
  json::append_quoted(out, key);
  out += ':';
}

void append_numbers(std::string& out, const std::vector<double>& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    append_number(out, values[i]);
  }
  out += ']';
}

void append_feature(std::string& out, const FeatureSpec& f) {
  out += '{';
  append_key(out, "name");
  json::append_quoted(out, f.name);
  out += ',';
  append_key(out, "kind");
  if (f.kind == FeatureKind::kCategorical) {
    out += "\"categorical\",";
    append_key(out, "levels");
    out += '[';
    for (std::size_t i = 0; i < f.levels.size(); ++i) {
      if (i > 0) out += ',';
      json::append_quoted(out, f.levels[i]);
    }
    out += "]}";
    return;
  }
  out += "\"numeric\",";
  append_key(out, "transform");
  out += f.transform == NumericTransform::kStandardize ? "\"standardize\"," : "\"bucketize\",";
  append_key(out, "mean");
  append_number(out, f.mean);
  out += ',';
  if (f.transform == NumericTransform::kStandardize) {
    append_key(out, "sd");
    append_number(out, f.sd);
  } else {
    append_key(out, "edges");
    append_numbers(out, f.edges);
  }
  out += '}';
}

void append_logistic(std::string& out, const LogisticModel& m) {
  out += '{';
  append_key(out, "features");
  out += '[';
  for (std::size_t i = 0; i < m.features.size(); ++i) {
    if (i > 0) out += ',';
    append_feature(out, m.features[i]);
  }
  out += "],";
  append_key(out, "intercept");
  append_number(out, m.intercept);
  out += ',';
  append_key(out, "weights");
  append_numbers(out, m.weights);
  out += '}';
}

}  // namespace

std::string LearnedModels::to_json() const {
  std::string out = "{\"version\":1";
  if (!propensity.empty()) {
    out += ",\"propensity\":[";
    for (std::size_t i = 0; i < propensity.size(); ++i) {
      if (i > 0) out += ',';
      out += '{';
      append_key(out, "name");
      json::append_quoted(out, propensity[i].name);
      out += ",\"model\":";
      append_logistic(out, propensity[i].model);
      out += '}';
    }
    out += ']';
  }
  if (!uplift.empty()) {
    out += ",\"uplift\":[";
    for (std::size_t i = 0; i < uplift.size(); ++i) {
      const UpliftModel& m = uplift[i];
      if (i > 0) out += ',';
      out += '{';
      append_key(out, "name");
      json::append_quoted(out, m.name);
      out += ',';
      append_key(out, "method");
      json::append_quoted(out, uplift_method_name(m.method));
      out += ',';
      if (m.method == UpliftMethod::kTwoModel) {
        append_key(out, "treated");
        append_logistic(out, m.treated);
      } else {
        append_key(out, "transformed");
        append_logistic(out, m.transformed);
      }
      out += ',';
      append_key(out, "control");
      append_logistic(out, m.control);
      out += ",\"thresholds\":{\"persuadable_min\":";
      append_number(out, m.thresholds.persuadable_min);
      out += ",\"sleeping_dog_min\":";
      append_number(out, m.thresholds.sleeping_dog_min);
      out += ",\"sure_thing_min\":";
      append_number(out, m.thresholds.sure_thing_min);
      out += "}}";
    }
    out += ']';
  }
  if (segments) {
    const SegmentModel& s = *segments;
    out += ",\"segments\":{\"features\":[";
    for (std::size_t i = 0; i < s.features.size(); ++i) {
      if (i > 0) out += ',';
      append_feature(out, s.features[i]);
    }
    out += "],\"centroids\":[";
    for (std::size_t i = 0; i < s.centroids.size(); ++i) {
      if (i > 0) out += ',';
      append_numbers(out, s.centroids[i]);
    }
    out += "],\"names\":[";
    for (std::size_t i = 0; i < s.names.size(); ++i) {
      if (i > 0) out += ',';
      json::append_quoted(out, s.names[i]);
    }
    out += "],\"descriptions\":[";
    for (std::size_t i = 0; i < s.descriptions.size(); ++i) {
      if (i > 0) out += ',';
      json::append_quoted(out, s.descriptions[i]);
    }
    out += "]}";
  }
  out += '}';
  return out;
}

// ------------------------------------------------------------ data

json::Value cell_to_value(std::string_view cell) {
  if (cell.empty()) return json::Value();
  const double d = parse_plain_number(cell);
  if (std::isfinite(d)) return json::Value::number(d);
  return json::Value::string(std::string(cell));
}

json::Value row_to_data(const CsvTable& table, const CsvRow& row) {
  json::Value out = json::Value::object();
  for (std::size_t i = 0; i < table.header.size(); ++i)
    out.set(table.header[i], i < row.fields.size() ? cell_to_value(row.fields[i]) : json::Value());
  return out;
}

namespace {

std::string_view cell(const CsvRow& row, int column) {
  return column >= 0 && static_cast<std::size_t>(column) < row.fields.size() ? std::string_view(row.fields[column])
                                                                              : std::string_view();
}

bool listed(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

Status invalid(std::string message) { return Status(ErrorCode::kInvalidArgument, std::move(message)); }

}  // namespace

Result<std::vector<FeatureSpec>> fit_features(const CsvTable& table, const std::vector<std::string>& columns,
                                              const std::vector<std::size_t>& rows, const FeatureOptions& options) {
  std::vector<FeatureSpec> out;
  for (const std::string& name : columns) {
    const int column = table.column(name);
    if (column < 0) return invalid("feature column '" + name + "' is not in the data");
    if (name.empty() || name.size() > 256) return invalid("feature column names must be 1 to 256 bytes long");
    for (const FeatureSpec& f : out)
      if (f.name == name) return invalid("feature column '" + name + "' is listed twice");
    if (listed(options.categorical, name) && listed(options.numeric, name))
      return invalid("feature column '" + name + "' is forced both categorical and numeric");
    FeatureSpec f;
    f.name = name;
    bool numeric = !listed(options.categorical, name);
    if (numeric && !listed(options.numeric, name))
      for (std::size_t r : rows) {
        const std::string_view c = cell(table.rows[r], column);
        if (!c.empty() && !std::isfinite(parse_plain_number(c))) {
          numeric = false;
          break;
        }
      }
    if (numeric) {
      std::vector<double> values;
      values.reserve(rows.size());
      for (std::size_t r : rows) {
        const double d = parse_plain_number(cell(table.rows[r], column));
        if (std::isfinite(d)) values.push_back(d);
      }
      double sum = 0, squares = 0;
      for (double d : values) sum += d;
      f.mean = values.empty() ? 0.0 : sum / static_cast<double>(values.size());
      for (double d : values) squares += (d - f.mean) * (d - f.mean);
      f.sd = values.empty() ? 1.0 : std::sqrt(squares / static_cast<double>(values.size()));
      if (!(f.sd > 1e-12) || !std::isfinite(f.sd)) f.sd = 1.0;  // a constant column encodes as 0
      if (listed(options.bucketize, name)) {
        f.transform = NumericTransform::kBucketize;
        std::sort(values.begin(), values.end());
        for (int q = 1; q < 10 && !values.empty(); ++q) {
          const double edge = values[values.size() * static_cast<std::size_t>(q) / 10];
          if (f.edges.empty() || edge > f.edges.back()) f.edges.push_back(edge);
        }
        if (f.edges.empty()) f.edges.push_back(f.mean);
      }
    } else {
      f.kind = FeatureKind::kCategorical;
      // Levels by frequency (then text), at most max_levels; numeric-looking
      // cells keep their text, which matches the number when scoring.
      std::vector<std::string> cells;
      cells.reserve(rows.size());
      for (std::size_t r : rows)
        if (const std::string_view c = cell(table.rows[r], column); !c.empty()) cells.emplace_back(c);
      std::sort(cells.begin(), cells.end());
      std::vector<std::pair<std::size_t, std::string>> counts;
      for (std::size_t i = 0; i < cells.size();) {
        std::size_t j = i;
        while (j < cells.size() && cells[j] == cells[i]) ++j;
        counts.emplace_back(j - i, cells[i]);
        i = j;
      }
      std::stable_sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      const std::size_t keep = std::min({counts.size(), options.max_levels, kMaxFeatureLevels});
      for (std::size_t i = 0; i < keep; ++i) {
        if (counts[i].second.size() > 4096) continue;
        f.levels.push_back(counts[i].second);
      }
      if (f.levels.empty()) return invalid("feature column '" + name + "' has no values in the training rows");
    }
    out.push_back(std::move(f));
  }
  if (encoded_width(out) > kMaxEncodedWidth)
    return invalid("the features encode to " + std::to_string(encoded_width(out)) + " columns; the limit is " +
                   std::to_string(kMaxEncodedWidth) + " (lower --max-levels)");
  return out;
}

Matrix encode_rows(const CsvTable& table, const std::vector<std::size_t>& rows, const std::vector<FeatureSpec>& features) {
  Matrix m;
  m.rows = rows.size();
  m.cols = encoded_width(features);
  m.values.resize(m.rows * m.cols);
  // Only the feature columns go into each row's object: the same lookups as
  // scoring, for a fraction of the cost of the whole row.
  std::vector<int> columns;
  for (const FeatureSpec& f : features) columns.push_back(table.column(f.name));
  std::vector<double> x;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    json::Value data = json::Value::object();
    for (std::size_t k = 0; k < features.size(); ++k)
      data.set(features[k].name, cell_to_value(cell(table.rows[rows[i]], columns[k])));
    encode_into(features, data, x);
    std::copy(x.begin(), x.end(), m.row(i));
  }
  return m;
}

std::optional<bool> parse_binary_outcome(std::string_view c) {
  std::string t;
  for (char ch : c)
    if (ch != ' ' && ch != '\t') t += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  if (t == "1" || t == "true" || t == "yes") return true;
  if (t == "0" || t == "false" || t == "no") return false;
  return std::nullopt;
}

// ------------------------------------------------------------ logistic regression

namespace {

double log1p_exp(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

// In-place Cholesky of the symmetric positive definite n×n matrix `a` (lower
// triangle used), then solves a·x = b into b. False when not positive definite.
bool cholesky_solve(std::vector<double>& a, std::vector<double>& b, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0) || !std::isfinite(d)) return false;
    const double l = std::sqrt(d);
    a[j * n + j] = l;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  return true;
}

}  // namespace

Result<LogisticFit> fit_logistic(const Matrix& x, std::span<const double> labels, std::span<const double> sample_weights,
                                 const LogisticOptions& options, const ProgressCallback& progress) {
  const std::size_t n = x.rows, d = x.cols, p = d + 1;
  if (labels.size() != n) return invalid("fit_logistic: " + std::to_string(labels.size()) + " labels for " + std::to_string(n) + " rows");
  if (!sample_weights.empty() && sample_weights.size() != n) return invalid("fit_logistic: sample weights do not match the rows");
  if (n == 0) return invalid("fit_logistic: no rows");
  if (!(options.l2 >= 0) || !std::isfinite(options.l2)) return invalid("the L2 penalty must be a finite number >= 0");
  const auto weight = [&](std::size_t i) { return sample_weights.empty() ? 1.0 : sample_weights[i]; };
  double total_weight = 0, positive = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total_weight += weight(i);
    positive += weight(i) * labels[i];
  }

  // beta[0] is the intercept, started at the log-odds of the base rate.
  std::vector<double> beta(p, 0.0);
  const double rate = std::clamp(positive / total_weight, 1e-6, 1 - 1e-6);
  beta[0] = std::log(rate / (1 - rate));
  const auto loss_at = [&](const std::vector<double>& b) {
    double loss = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double* xi = x.row(i);
      double z = b[0];
      for (std::size_t j = 0; j < d; ++j) z += b[j + 1] * xi[j];
      loss += weight(i) * (log1p_exp(z) - labels[i] * z);
    }
    for (std::size_t j = 1; j < p; ++j) loss += 0.5 * options.l2 * b[j] * b[j];
    return loss;
  };

  LogisticFit fit;
  double loss = loss_at(beta);
  std::vector<double> gradient(p), hessian(p * p), xi1(p);
  for (fit.iterations = 0; fit.iterations <= options.max_iterations; ++fit.iterations) {
    std::fill(gradient.begin(), gradient.end(), 0.0);
    std::fill(hessian.begin(), hessian.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double* xi = x.row(i);
      xi1[0] = 1.0;
      std::copy(xi, xi + d, xi1.begin() + 1);
      double z = 0;
      for (std::size_t j = 0; j < p; ++j) z += beta[j] * xi1[j];
      const double mu = sigmoid(z), w = weight(i);
      const double r = w * (mu - labels[i]), h = w * mu * (1 - mu);
      for (std::size_t j = 0; j < p; ++j) {
        if (xi1[j] == 0.0) continue;  // one-hot columns are mostly zero
        gradient[j] += r * xi1[j];
        const double hj = h * xi1[j];
        for (std::size_t k = 0; k <= j; ++k) hessian[j * p + k] += hj * xi1[k];
      }
    }
    for (std::size_t j = 1; j < p; ++j) {
      gradient[j] += options.l2 * beta[j];
      hessian[j * p + j] += options.l2;
    }
    double norm = 0;
    for (double g : gradient) norm = std::max(norm, std::fabs(g));
    fit.gradient_norm = norm / total_weight;
    report(progress, format("  iteration %.0f: loss %.6f, max |gradient| %.3g", fit.iterations, loss / total_weight, fit.gradient_norm));
    if (fit.gradient_norm < options.tolerance) {
      fit.converged = true;
      break;
    }
    if (fit.iterations == options.max_iterations) break;
    std::vector<double> step = gradient;
    std::vector<double> factor = hessian;
    if (!cholesky_solve(factor, step, p)) {
      // Separable data without a penalty: a tiny ridge keeps Newton going.
      factor = hessian;
      for (std::size_t j = 0; j < p; ++j) factor[j * p + j] += 1e-8 * total_weight + 1e-12;
      step = gradient;
      if (!cholesky_solve(factor, step, p)) return Status(ErrorCode::kInvalidArgument, "logistic regression: the Hessian is singular");
    }
    // Halve the Newton step until the penalised loss falls.
    double scale = 1.0;
    std::vector<double> trial(p);
    double trial_loss = loss;
    for (int halving = 0; halving < 40; ++halving, scale *= 0.5) {
      for (std::size_t j = 0; j < p; ++j) trial[j] = beta[j] - scale * step[j];
      trial_loss = loss_at(trial);
      if (trial_loss <= loss) break;
    }
    if (!(trial_loss <= loss)) break;  // no progress possible in double precision
    const bool stalled = loss - trial_loss <= 1e-15 * std::max(1.0, std::fabs(loss));
    beta = trial;
    loss = trial_loss;
    if (stalled) {
      fit.converged = fit.gradient_norm < std::sqrt(options.tolerance);
      break;
    }
  }
  fit.intercept = beta[0];
  fit.weights.assign(beta.begin() + 1, beta.end());
  return fit;
}

// ------------------------------------------------------------ metrics

double auc(std::span<const double> scores, std::span<const double> labels) {
  const std::size_t n = scores.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  // Mann-Whitney U with mid-ranks for ties.
  double rank_sum = 0, positives = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k)
      if (labels[order[k]] > 0.5) {
        rank_sum += mid_rank;
        positives += 1;
      }
    i = j;
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0 || negatives == 0) return NAN;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

namespace {

// sklift's qini_curve: rows by descending score, one point per distinct score
// (n, Y_t - Y_c·N_t/N_c), starting at (0, 0); returns its trapezoid area and
// the last point.
double qini_area(std::span<const double> y, std::span<const double> score, std::span<const double> t, double& last_x,
                 double& last_y) {
  const std::size_t n = y.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  double nt = 0, yt = 0, yc = 0, area = 0, px = 0, py = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t r = order[i];
    if (t[r] > 0.5) {
      nt += 1;
      yt += y[r];
    } else {
      yc += y[r];
    }
    if (i + 1 < n && score[order[i + 1]] == score[r]) continue;
    const double all = static_cast<double>(i + 1), nc = all - nt;
    const double value = yt - (nc != 0 ? yc * nt / nc : 0.0);
    area += (all - px) * (value + py) / 2;
    px = all;
    py = value;
  }
  last_x = px;
  last_y = py;
  return area;
}

}  // namespace

double qini_auc_score(std::span<const double> labels, std::span<const double> uplift, std::span<const double> treatment) {
  const std::size_t n = labels.size();
  if (n == 0 || uplift.size() != n || treatment.size() != n) return NAN;
  std::vector<double> perfect(n);
  for (std::size_t i = 0; i < n; ++i) perfect[i] = labels[i] * treatment[i] - labels[i] * (1 - treatment[i]);
  double ax = 0, ay = 0, px = 0, py = 0;
  const double actual = qini_area(labels, uplift, treatment, ax, ay);
  const double best = qini_area(labels, perfect, treatment, px, py);
  const double baseline = px * py / 2;
  return (actual - baseline) / (best - baseline);
}

double uplift_at_k(std::span<const double> labels, std::span<const double> uplift, std::span<const double> treatment,
                   double k) {
  const std::size_t n = labels.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // numpy's argsort(kind="mergesort")[::-1]: descending, later rows first among ties.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return uplift[a] < uplift[b]; });
  std::reverse(order.begin(), order.end());
  const std::size_t top = static_cast<std::size_t>(static_cast<double>(n) * k);
  double nt = 0, yt = 0, nc = 0, yc = 0;
  for (std::size_t i = 0; i < top && i < n; ++i) {
    const std::size_t r = order[i];
    if (treatment[r] > 0.5) nt += 1, yt += labels[r];
    else nc += 1, yc += labels[r];
  }
  if (nt == 0 || nc == 0) return NAN;
  return yt / nt - yc / nc;
}

namespace {

// The rows sorted by prediction (stable), cut into `bins` equal-count bins
// (fewer when there are fewer rows): each bin's row indices.
std::vector<std::vector<std::size_t>> bins_by_prediction(std::span<const double> predicted, int bins) {
  const std::size_t n = predicted.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return predicted[a] < predicted[b]; });
  const std::size_t b = std::min<std::size_t>(static_cast<std::size_t>(std::max(bins, 1)), n);
  std::vector<std::vector<std::size_t>> out(b);
  for (std::size_t k = 0; k < b; ++k) out[k].assign(order.begin() + static_cast<std::ptrdiff_t>(n * k / b), order.begin() + static_cast<std::ptrdiff_t>(n * (k + 1) / b));
  return out;
}

}  // namespace

std::vector<CalibrationBin> calibration(std::span<const double> predicted, std::span<const double> labels, int bins) {
  std::vector<CalibrationBin> out;
  for (const std::vector<std::size_t>& rows : bins_by_prediction(predicted, bins)) {
    CalibrationBin bin;
    for (const std::size_t r : rows) bin.mean_predicted += predicted[r], bin.observed_rate += labels[r];
    bin.count = rows.size();
    if (bin.count > 0) {
      bin.mean_predicted /= static_cast<double>(bin.count);
      bin.observed_rate /= static_cast<double>(bin.count);
    }
    out.push_back(bin);
  }
  return out;
}

std::vector<UpliftCalibrationBin> uplift_calibration(std::span<const double> predicted, std::span<const double> labels,
                                                     std::span<const double> treatment, int bins) {
  std::vector<UpliftCalibrationBin> out;
  for (const std::vector<std::size_t>& rows : bins_by_prediction(predicted, bins)) {
    UpliftCalibrationBin bin;
    double yt = 0, yc = 0;
    for (const std::size_t r : rows) {
      bin.mean_predicted += predicted[r];
      if (treatment[r] > 0.5) ++bin.treated, yt += labels[r];
      else ++bin.control, yc += labels[r];
    }
    bin.count = rows.size();
    if (bin.count > 0) bin.mean_predicted /= static_cast<double>(bin.count);
    bin.observed_uplift = bin.treated && bin.control ? yt / static_cast<double>(bin.treated) - yc / static_cast<double>(bin.control) : NAN;
    out.push_back(bin);
  }
  return out;
}

namespace {

double squared_distance(const double* a, const double* b, std::size_t d) {
  double s = 0;
  for (std::size_t j = 0; j < d; ++j) s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

std::vector<std::size_t> sample_rows(std::size_t n, std::size_t sample, std::uint64_t seed) {
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  if (sample >= n) return rows;
  Random random(seed);
  for (std::size_t i = 0; i < sample; ++i) std::swap(rows[i], rows[i + random.below(n - i)]);
  rows.resize(sample);
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace

double silhouette(const Matrix& x, std::span<const std::size_t> labels, std::size_t k, std::size_t sample, std::uint64_t seed) {
  const std::vector<std::size_t> rows = sample_rows(x.rows, sample, seed);
  std::vector<double> counts(k, 0.0);
  for (std::size_t r : rows) counts[labels[r]] += 1;
  double total = 0;
  std::vector<double> sums(k);
  for (std::size_t r : rows) {
    std::fill(sums.begin(), sums.end(), 0.0);
    for (std::size_t q : rows) sums[labels[q]] += std::sqrt(squared_distance(x.row(r), x.row(q), x.cols));
    const std::size_t own = labels[r];
    if (counts[own] <= 1) continue;  // a singleton scores 0, as in sklearn
    const double a = sums[own] / (counts[own] - 1);
    double b = INFINITY;
    for (std::size_t c = 0; c < k; ++c)
      if (c != own && counts[c] > 0) b = std::min(b, sums[c] / counts[c]);
    if (std::isfinite(b) && std::max(a, b) > 0) total += (b - a) / std::max(a, b);
  }
  return rows.empty() ? NAN : total / static_cast<double>(rows.size());
}

// ------------------------------------------------------------ k-means

Matrix kmeans(const Matrix& x, std::size_t k, int restarts, int max_iterations, std::uint64_t seed,
              std::vector<std::size_t>& labels, double* inertia) {
  const std::size_t n = x.rows, d = x.cols;
  Matrix best;
  double best_inertia = INFINITY;
  std::vector<std::size_t> assign(n);
  std::vector<double> nearest(n);
  for (int restart = 0; restart < std::max(restarts, 1); ++restart) {
    Random random(seed * 1000003u + static_cast<std::uint64_t>(restart));
    Matrix c;
    c.rows = k;
    c.cols = d;
    c.values.assign(k * d, 0.0);
    // k-means++: each next centre drawn with probability ∝ squared distance.
    std::size_t first = random.below(n);
    std::copy(x.row(first), x.row(first) + d, c.row(0));
    for (std::size_t i = 0; i < n; ++i) nearest[i] = squared_distance(x.row(i), c.row(0), d);
    for (std::size_t m = 1; m < k; ++m) {
      double sum = 0;
      for (double v : nearest) sum += v;
      std::size_t pick = random.below(n);
      if (sum > 0) {
        double target = random.uniform() * sum;
        for (pick = 0; pick + 1 < n && target >= nearest[pick]; ++pick) target -= nearest[pick];
      }
      std::copy(x.row(pick), x.row(pick) + d, c.row(m));
      for (std::size_t i = 0; i < n; ++i) nearest[i] = std::min(nearest[i], squared_distance(x.row(i), c.row(m), d));
    }
    // Lloyd iterations until no row changes cluster.
    double total = 0;
    std::fill(assign.begin(), assign.end(), k);
    for (int iteration = 0; iteration < max_iterations; ++iteration) {
      bool changed = false;
      total = 0;
      for (std::size_t i = 0; i < n; ++i) {
        std::size_t arg = 0;
        double dist = INFINITY;
        for (std::size_t m = 0; m < k; ++m) {
          const double dm = squared_distance(x.row(i), c.row(m), d);
          if (dm < dist) dist = dm, arg = m;
        }
        changed |= assign[i] != arg;
        assign[i] = arg;
        nearest[i] = dist;
        total += dist;
      }
      if (!changed) break;
      std::vector<double> counts(k, 0.0);
      std::fill(c.values.begin(), c.values.end(), 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        counts[assign[i]] += 1;
        for (std::size_t j = 0; j < d; ++j) c.row(assign[i])[j] += x.row(i)[j];
      }
      for (std::size_t m = 0; m < k; ++m) {
        if (counts[m] == 0) {
          // An empty cluster takes the row farthest from its centre.
          const std::size_t far = static_cast<std::size_t>(std::max_element(nearest.begin(), nearest.end()) - nearest.begin());
          std::copy(x.row(far), x.row(far) + d, c.row(m));
          nearest[far] = 0;
          continue;
        }
        for (std::size_t j = 0; j < d; ++j) c.row(m)[j] /= counts[m];
      }
    }
    if (total < best_inertia) {
      best_inertia = total;
      best = c;
      labels = assign;
    }
  }
  if (inertia) *inertia = best_inertia;
  return best;
}

// ------------------------------------------------------------ pipelines

namespace {

void split_rows(const std::vector<std::size_t>& rows, const SplitOptions& split, std::vector<std::size_t>& train,
                std::vector<std::size_t>& holdout) {
  std::vector<std::size_t> shuffled = rows;
  Random random(split.seed);
  for (std::size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[random.below(i)]);
  const std::size_t held = static_cast<std::size_t>(std::llround(static_cast<double>(rows.size()) * std::clamp(split.holdout, 0.0, 0.9)));
  holdout.assign(shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(held));
  train.assign(shuffled.begin() + static_cast<std::ptrdiff_t>(held), shuffled.end());
  std::sort(holdout.begin(), holdout.end());
  std::sort(train.begin(), train.end());
}

Status outcome_of(const CsvTable& table, const CsvRow& row, int column, const std::string& name, std::optional<bool>& out) {
  const std::string_view c = cell(row, column);
  out.reset();
  if (c.empty()) return Status();
  out = parse_binary_outcome(c);
  if (!out)
    return invalid("line " + std::to_string(row.line) + ": outcome column '" + name + "' has '" + std::string(c) +
                   "'; use 1/0, true/false or yes/no");
  (void)table;
  return Status();
}

std::vector<double> predict_rows(const LogisticModel& m, const Matrix& x) {
  std::vector<double> out(x.rows);
  for (std::size_t i = 0; i < x.rows; ++i) out[i] = m.predict_encoded(std::span<const double>(x.row(i), x.cols));
  return out;
}

Matrix select_rows(const Matrix& x, const std::vector<std::size_t>& which) {
  Matrix m;
  m.rows = which.size();
  m.cols = x.cols;
  m.values.resize(m.rows * m.cols);
  for (std::size_t i = 0; i < which.size(); ++i) std::copy(x.row(which[i]), x.row(which[i]) + x.cols, m.row(i));
  return m;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(at);
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (at - static_cast<double>(lo));
}

Status check_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return invalid("model names must be 1 to 64 characters long");
  for (const char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
      return invalid("model name '" + name + "' must use only letters, digits, _ - .");
  return Status();
}

LogisticModel make_logistic(const std::vector<FeatureSpec>& features, const LogisticFit& fit) {
  LogisticModel m;
  m.features = features;
  m.intercept = fit.intercept;
  m.weights = fit.weights;
  return m;
}

}  // namespace

Result<PropensityReport> train_propensity(const CsvTable& table, std::string name, const std::string& outcome,
                                          const std::vector<std::string>& features, const FeatureOptions& feature_options,
                                          const LogisticOptions& logistic, const SplitOptions& split,
                                          const ProgressCallback& progress) {
  CABINE_RETURN_IF_ERROR(check_name(name));
  const int y_column = table.column(outcome);
  if (y_column < 0) return invalid("outcome column '" + outcome + "' is not in the data");
  if (listed(features, outcome)) return invalid("the outcome column '" + outcome + "' cannot be a feature");
  PropensityReport out;
  std::vector<std::size_t> usable;
  std::vector<double> y_all(table.rows.size(), 0.0);
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    std::optional<bool> y;
    CABINE_RETURN_IF_ERROR(outcome_of(table, table.rows[r], y_column, outcome, y));
    if (!y) {
      ++out.skipped_rows;
      continue;
    }
    y_all[r] = *y ? 1.0 : 0.0;
    usable.push_back(r);
  }
  std::vector<std::size_t> train, holdout;
  split_rows(usable, split, train, holdout);
  out.train_rows = train.size();
  out.holdout_rows = holdout.size();
  std::vector<double> y_train, y_holdout;
  for (std::size_t r : train) y_train.push_back(y_all[r]);
  for (std::size_t r : holdout) y_holdout.push_back(y_all[r]);
  const double positives = std::accumulate(y_train.begin(), y_train.end(), 0.0);
  if (positives < 2 || static_cast<double>(train.size()) - positives < 2)
    return invalid("outcome column '" + outcome + "' needs at least 2 training rows of each outcome (has " +
                   std::to_string(static_cast<std::size_t>(positives)) + " positive of " + std::to_string(train.size()) + ")");
  out.base_rate = positives / static_cast<double>(train.size());

  Result<std::vector<FeatureSpec>> specs = fit_features(table, features, train, feature_options);
  if (!specs.is_ok()) return specs.status();
  report(progress, "encoding " + std::to_string(train.size()) + " training rows into " +
                       std::to_string(encoded_width(specs.value())) + " columns");
  const Matrix x_train = encode_rows(table, train, specs.value());
  report(progress, "fitting the logistic regression (Newton / IRLS)");
  Result<LogisticFit> fit = fit_logistic(x_train, y_train, {}, logistic, progress);
  if (!fit.is_ok()) return fit.status();
  out.fit = fit.value();
  out.model.name = std::move(name);
  out.model.model = make_logistic(specs.value(), out.fit);
  out.train_auc = auc(predict_rows(out.model.model, x_train), y_train);
  const std::vector<double> p_holdout = predict_rows(out.model.model, encode_rows(table, holdout, specs.value()));
  out.holdout_auc = holdout.empty() ? NAN : auc(p_holdout, y_holdout);
  out.holdout_calibration = calibration(p_holdout, y_holdout, 10);
  return out;
}

Result<UpliftReport> train_uplift(const CsvTable& table, std::string name, const UpliftTrainOptions& options,
                                  const std::vector<std::string>& features, const FeatureOptions& feature_options,
                                  const LogisticOptions& logistic, const SplitOptions& split,
                                  const ProgressCallback& progress) {
  CABINE_RETURN_IF_ERROR(check_name(name));
  const int y_column = table.column(options.outcome);
  const int t_column = table.column(options.treatment_column);
  if (y_column < 0) return invalid("outcome column '" + options.outcome + "' is not in the data");
  if (t_column < 0) return invalid("treatment column '" + options.treatment_column + "' is not in the data");
  if (options.treatment_value == options.control_value) return invalid("the treatment and control values must differ");
  if (listed(features, options.outcome) || listed(features, options.treatment_column))
    return invalid("the outcome and treatment columns cannot be features");
  UpliftReport out;
  std::vector<std::size_t> usable;
  std::vector<double> y_all(table.rows.size(), 0.0), t_all(table.rows.size(), 0.0);
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::string_view t = cell(table.rows[r], t_column);
    if (t != options.treatment_value && t != options.control_value) {
      ++out.skipped_rows;
      continue;
    }
    std::optional<bool> y;
    CABINE_RETURN_IF_ERROR(outcome_of(table, table.rows[r], y_column, options.outcome, y));
    if (!y) {
      ++out.skipped_rows;
      continue;
    }
    y_all[r] = *y ? 1.0 : 0.0;
    t_all[r] = t == options.treatment_value ? 1.0 : 0.0;
    usable.push_back(r);
  }
  std::vector<std::size_t> train, holdout;
  split_rows(usable, split, train, holdout);
  out.train_rows = train.size();
  out.holdout_rows = holdout.size();

  // Training rows by group, as positions in the training matrix.
  std::vector<std::size_t> treated, control;
  std::vector<double> y_treated, y_control, y_train, t_train;
  double yt = 0, yc = 0;
  for (std::size_t i = 0; i < train.size(); ++i) {
    const double y = y_all[train[i]], t = t_all[train[i]];
    y_train.push_back(y);
    t_train.push_back(t);
    if (t > 0.5) treated.push_back(i), y_treated.push_back(y), yt += y;
    else control.push_back(i), y_control.push_back(y), yc += y;
  }
  if (treated.size() < 2 || control.size() < 2)
    return invalid("uplift needs at least 2 training rows in each group (treatment '" + options.treatment_value + "': " +
                   std::to_string(treated.size()) + ", control '" + options.control_value + "': " + std::to_string(control.size()) + ")");
  out.treated_share = static_cast<double>(treated.size()) / static_cast<double>(train.size());
  out.train_uplift = yt / static_cast<double>(treated.size()) - yc / static_cast<double>(control.size());

  Result<std::vector<FeatureSpec>> specs = fit_features(table, features, train, feature_options);
  if (!specs.is_ok()) return specs.status();
  report(progress, "encoding " + std::to_string(train.size()) + " training rows into " +
                       std::to_string(encoded_width(specs.value())) + " columns");
  const Matrix x_train = encode_rows(table, train, specs.value());

  UpliftModel& m = out.model;
  m.name = std::move(name);
  m.method = options.method;
  report(progress, "fitting the control head on " + std::to_string(control.size()) + " rows");
  Result<LogisticFit> control_fit = fit_logistic(select_rows(x_train, control), y_control, {}, logistic, progress);
  if (!control_fit.is_ok()) return control_fit.status();
  m.control = make_logistic(specs.value(), control_fit.value());
  if (m.method == UpliftMethod::kTwoModel) {
    report(progress, "fitting the treated head on " + std::to_string(treated.size()) + " rows");
    Result<LogisticFit> treated_fit = fit_logistic(select_rows(x_train, treated), y_treated, {}, logistic, progress);
    if (!treated_fit.is_ok()) return treated_fit.status();
    m.treated = make_logistic(specs.value(), treated_fit.value());
  } else {
    // z = 1 for treated responders and control non-responders; the weights
    // make the groups count as 50/50 so that 2·P(z=1) - 1 is the uplift.
    std::vector<double> z(train.size()), w(train.size());
    for (std::size_t i = 0; i < train.size(); ++i) {
      z[i] = t_train[i] > 0.5 ? y_train[i] : 1 - y_train[i];
      w[i] = t_train[i] > 0.5 ? 0.5 / out.treated_share : 0.5 / (1 - out.treated_share);
    }
    report(progress, "fitting the class-transformation model on " + std::to_string(train.size()) + " rows");
    Result<LogisticFit> z_fit = fit_logistic(x_train, z, w, logistic, progress);
    if (!z_fit.is_ok()) return z_fit.status();
    m.transformed = make_logistic(specs.value(), z_fit.value());
  }

  const auto scores = [&](const Matrix& x) {
    const LogisticModel& second = m.method == UpliftMethod::kTwoModel ? m.treated : m.transformed;
    const std::vector<double> pc = predict_rows(m.control, x), ps = predict_rows(second, x);
    std::vector<UpliftScore> s(x.rows);
    for (std::size_t i = 0; i < x.rows; ++i) s[i] = combine_uplift(m, pc[i], ps[i]);
    return s;
  };
  {
    const std::vector<UpliftScore> s = scores(x_train);
    std::vector<double> u, pc;
    for (const UpliftScore& v : s) u.push_back(v.uplift), pc.push_back(v.p_control);
    m.thresholds.persuadable_min = options.persuadable_min.value_or(std::clamp(quantile(u, 0.7), 0.01, 1.0));
    m.thresholds.sleeping_dog_min = options.sleeping_dog_min.value_or(std::clamp(-quantile(u, 0.1), 0.01, 1.0));
    m.thresholds.sure_thing_min = options.sure_thing_min.value_or(std::clamp(quantile(pc, 0.75), 0.0, 1.0));
  }

  if (!holdout.empty()) {
    const std::vector<UpliftScore> s = scores(encode_rows(table, holdout, specs.value()));
    std::vector<double> y, t, u, pt_t, y_t, pc_c, y_c;
    double nt = 0, nyt = 0, nc = 0, nyc = 0;
    for (std::size_t i = 0; i < holdout.size(); ++i) {
      const double yi = y_all[holdout[i]], ti = t_all[holdout[i]];
      y.push_back(yi);
      t.push_back(ti);
      u.push_back(s[i].uplift);
      ++out.quadrant_counts[static_cast<int>(s[i].quadrant)];
      if (ti > 0.5) pt_t.push_back(s[i].p_treated), y_t.push_back(yi), nt += 1, nyt += yi;
      else pc_c.push_back(s[i].p_control), y_c.push_back(yi), nc += 1, nyc += yi;
    }
    out.holdout_qini = qini_auc_score(y, u, t);
    out.holdout_uplift_at_30 = uplift_at_k(y, u, t, 0.3);
    out.holdout_calibration = uplift_calibration(u, y, t, 5);
    out.holdout_auc_treated = auc(pt_t, y_t);
    out.holdout_auc_control = auc(pc_c, y_c);
    out.holdout_ate = nt > 0 && nc > 0 ? nyt / nt - nyc / nc : NAN;
  } else {
    out.holdout_qini = out.holdout_uplift_at_30 = out.holdout_auc_treated = out.holdout_auc_control = out.holdout_ate = NAN;
  }
  return out;
}

namespace {

struct Trait {
  double score = 0;  // how distinctive, in standard deviations
  std::string label;  // for the name: "high history", "womens=1", "channel=Web"
  std::string detail;  // for the description
};

// Names and describes each centroid by its most distinctive columns.
void describe_segments(SegmentModel& model, const Matrix& x, const std::vector<std::size_t>& labels,
                       const std::vector<bool>& binary) {
  const std::size_t k = model.centroids.size(), d = x.cols;
  std::vector<double> overall(d, 0.0);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < d; ++j) overall[j] += x.row(i)[j];
  for (double& v : overall) v /= static_cast<double>(std::max<std::size_t>(x.rows, 1));
  std::vector<std::size_t> sizes(k, 0);
  for (std::size_t l : labels) ++sizes[l];
  model.names.clear();
  model.descriptions.clear();
  for (std::size_t c = 0; c < k; ++c) {
    const std::vector<double>& centre = model.centroids[c];
    std::vector<Trait> traits;
    std::size_t at = 0;
    for (std::size_t f = 0; f < model.features.size(); ++f) {
      const FeatureSpec& spec = model.features[f];
      if (spec.kind == FeatureKind::kNumeric && spec.transform == NumericTransform::kStandardize) {
        const double z = centre[at] - overall[at];
        Trait t;
        t.score = std::fabs(z);
        if (binary[f]) {
          const double share = std::clamp(spec.mean + centre[at] * spec.sd, 0.0, 1.0) + 0.0;
          t.label = spec.name + (z > 0 ? "=1" : "=0");
          t.detail = spec.name + "=1 " + format("%.0f%% (all: %.0f%%)", 100 * share, 100 * spec.mean);
        } else {
          t.label = (z > 0 ? "high " : "low ") + spec.name;
          t.detail = spec.name + " " + format("%+.2f sd (mean %.4g)", z, spec.mean + centre[at] * spec.sd);
        }
        traits.push_back(std::move(t));
      } else {
        // One-hot columns: the share of the segment in each level or bucket.
        for (std::size_t j = 0; j < spec.width(); ++j) {
          const double share = centre[at + j], base = overall[at + j];
          if (share <= base || base <= 0 || base >= 1) continue;
          Trait t;
          t.score = (share - base) / std::sqrt(base * (1 - base));
          const std::string level = spec.kind == FeatureKind::kCategorical
                                        ? spec.levels[j]
                                        : "bucket " + std::to_string(j + 1) + "/" + std::to_string(spec.width());
          t.label = spec.name + "=" + level;
          t.detail = t.label + " " + format("%.0f%% (all: %.0f%%)", 100 * share, 100 * base);
          traits.push_back(std::move(t));
        }
      }
      at += spec.width();
    }
    std::stable_sort(traits.begin(), traits.end(), [](const Trait& a, const Trait& b) { return a.score > b.score; });
    std::string name;
    for (std::size_t i = 0; i < traits.size() && i < 2; ++i) {
      if (traits[i].score < 0.25 && i > 0) break;
      name += (name.empty() ? "" : ", ") + traits[i].label;
    }
    if (name.empty() || (traits.empty() || traits[0].score < 0.25)) name = "typical";
    if (name.size() > 240) name.resize(240);
    const std::string unique = name;
    for (int n = 2; std::find(model.names.begin(), model.names.end(), name) != model.names.end(); ++n)
      name = unique + " #" + std::to_string(n);
    std::string description = format("%.1f%% of the training rows", 100.0 * static_cast<double>(sizes[c]) /
                                                                        static_cast<double>(std::max<std::size_t>(x.rows, 1)));
    for (std::size_t i = 0; i < traits.size() && i < 4; ++i) description += (i == 0 ? "; " : ", ") + traits[i].detail;
    if (description.size() > 4096) description.resize(4096);
    model.names.push_back(name);
    model.descriptions.push_back(description);
  }
}

}  // namespace

Result<SegmentReport> train_segments(const CsvTable& table, const std::vector<std::string>& features,
                                     const FeatureOptions& feature_options, const SegmentOptions& options,
                                     const ProgressCallback& progress) {
  if (options.k_min < 1 || options.k_max < options.k_min || options.k_max > kMaxSegments)
    return invalid("k must be between 1 and " + std::to_string(kMaxSegments) + " (and the range ascending)");
  if (options.k_min < 2 && options.k_max > options.k_min) return invalid("a k range must start at 2 or more");
  std::vector<std::size_t> rows(table.rows.size());
  std::iota(rows.begin(), rows.end(), 0);
  if (rows.size() < options.k_max) return invalid("k-means needs at least k rows");
  Result<std::vector<FeatureSpec>> specs = fit_features(table, features, rows, feature_options);
  if (!specs.is_ok()) return specs.status();
  SegmentReport out;
  out.rows = rows.size();
  report(progress, "encoding " + std::to_string(rows.size()) + " rows into " + std::to_string(encoded_width(specs.value())) + " columns");
  const Matrix x = encode_rows(table, rows, specs.value());
  std::vector<bool> binary;
  for (const FeatureSpec& f : specs.value()) {
    bool is_binary = f.kind == FeatureKind::kNumeric;
    const int column = table.column(f.name);
    for (std::size_t r = 0; is_binary && r < rows.size(); ++r) {
      const std::string_view c = cell(table.rows[r], column);
      const double v = parse_plain_number(c);
      is_binary = c.empty() || v == 0 || v == 1;
    }
    binary.push_back(is_binary);
  }

  Matrix best;
  std::vector<std::size_t> best_labels;
  double best_silhouette = -INFINITY;
  for (std::size_t k = options.k_min; k <= options.k_max; ++k) {
    std::vector<std::size_t> labels;
    double inertia = 0;
    Matrix centres = kmeans(x, k, options.restarts, options.max_iterations, options.seed + k, labels, &inertia);
    const double s = k >= 2 ? silhouette(x, labels, k, options.silhouette_sample, options.seed) : 0.0;
    out.silhouette_by_k.emplace_back(k, s);
    report(progress, format("  k = %.0f: silhouette %.4f, inertia %.6g", static_cast<double>(k), s, inertia));
    if (s > best_silhouette) {
      best_silhouette = s;
      best = std::move(centres);
      best_labels = std::move(labels);
      out.inertia = inertia;
    }
  }
  out.silhouette = best_silhouette;
  SegmentModel& m = out.model;
  m.features = specs.value();
  for (std::size_t c = 0; c < best.rows; ++c) m.centroids.emplace_back(best.row(c), best.row(c) + best.cols);
  out.sizes.assign(best.rows, 0);
  for (std::size_t l : best_labels) ++out.sizes[l];
  describe_segments(m, x, best_labels, binary);
  return out;
}

}  // namespace cabine
