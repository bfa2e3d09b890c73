// Scoring and loading of learned models. This file runs in the browser, so it
// stays small: no iostream, printf, regex, std::function or std::map.
#include "cabine/learned.h"

#include <algorithm>
#include <cmath>
#include "byte_io.h"


namespace cabine {

using internal::cat;  // messages: one out-of-line concatenation (byte_io.h)

namespace {

double sigmoid(double z) {
  // Two branches so that neither exp() overflows.
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

// A value read as a number for a numeric feature, or NaN when missing.
double numeric_value(const json::Value* v) {
  if (v == nullptr) return NAN;
  if (v->is_number()) return std::isfinite(v->as_number()) ? v->as_number() : NAN;
  if (v->is_bool()) return v->as_bool() ? 1.0 : 0.0;
  if (v->is_string()) {
    const double d = parse_plain_number(v->as_string());
    if (std::isfinite(d)) return d;
  }
  return NAN;
}

// Index of the level `v` matches, or -1.
long level_index(const std::vector<std::string>& levels, const json::Value* v) {
  if (v == nullptr) return -1;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const std::string& level = levels[i];
    if (v->is_string()) {
      if (level == v->as_string()) return static_cast<long>(i);
    } else if (v->is_number()) {
      if (parse_plain_number(level) == v->as_number()) return static_cast<long>(i);
    } else if (v->is_bool()) {
      if (level == (v->as_bool() ? "true" : "false")) return static_cast<long>(i);
    }
  }
  return -1;
}

std::size_t bucket_of(const std::vector<double>& edges, double x) {
  return static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin());
}

}  // namespace

double parse_plain_number(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::size_t i = 0, digits = 0;
  const auto run = [&] {
    std::size_t n = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) ++n;
    return n;
  };
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  digits += run();
  if (i < text.size() && text[i] == '.') {
    ++i;
    digits += run();
  }
  if (digits == 0) return NAN;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    if (run() == 0) return NAN;
  }
  if (i != text.size()) return NAN;
  // JavaScript's Number(): the same reader as JSON numbers, so a CSV cell and
  // the JSON number with the same text give the same double.
  return json::string_to_number(text);
}

std::size_t FeatureSpec::width() const noexcept {
  if (kind == FeatureKind::kCategorical) return levels.size();
  return transform == NumericTransform::kBucketize ? edges.size() + 1 : 1;
}

std::size_t encoded_width(const std::vector<FeatureSpec>& features) noexcept {
  std::size_t n = 0;
  for (const FeatureSpec& f : features) n += f.width();
  return n;
}

const json::Value* lookup_path(const json::Value& data, std::string_view path) noexcept {
  if (!data.is_object()) return nullptr;
  const json::Value* node = &data;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    const std::string_view key = path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    node = node->is_object() ? node->find(key) : nullptr;
    if (node == nullptr || dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // A flat object (a CSV row) may hold the whole dotted path as one key.
  return node != nullptr ? node : data.find(path);
}

void encode_into(const std::vector<FeatureSpec>& features, const json::Value& data, std::vector<double>& out) {
  out.assign(encoded_width(features), 0.0);
  std::size_t at = 0;
  for (const FeatureSpec& f : features) {
    const json::Value* v = lookup_path(data, f.name);
    if (f.kind == FeatureKind::kCategorical) {
      const long i = level_index(f.levels, v);
      if (i >= 0) out[at + static_cast<std::size_t>(i)] = 1.0;
    } else {
      double x = numeric_value(v);
      if (std::isnan(x)) x = f.mean;
      if (f.transform == NumericTransform::kStandardize) out[at] = (x - f.mean) / f.sd;
      else out[at + bucket_of(f.edges, x)] = 1.0;
    }
    at += f.width();
  }
}

Result<std::vector<double>> encode(const std::vector<FeatureSpec>& features, const json::Value& data) {
  if (!data.is_object())
    return Status(ErrorCode::kInvalidArgument, cat({"learned models read an object, not a ", json::type_name(data.type())}));
  std::vector<double> out;
  encode_into(features, data, out);
  return out;
}

double LogisticModel::predict_encoded(std::span<const double> x) const noexcept {
  double z = intercept;
  const std::size_t n = std::min(x.size(), weights.size());
  for (std::size_t i = 0; i < n; ++i) z += weights[i] * x[i];
  return sigmoid(z);
}

double LogisticModel::predict(const json::Value& data) const {
  std::vector<double> x;
  encode_into(features, data, x);
  return predict_encoded(x);
}

std::string_view uplift_method_name(UpliftMethod method) noexcept {
  return method == UpliftMethod::kTwoModel ? "two_model" : "class_transformation";
}

std::string_view quadrant_name(Quadrant quadrant) noexcept {
  switch (quadrant) {
    case Quadrant::kPersuadable: return "persuadable";
    case Quadrant::kSureThing: return "sure_thing";
    case Quadrant::kLostCause: return "lost_cause";
    case Quadrant::kSleepingDog: return "sleeping_dog";
  }
  return "lost_cause";
}

UpliftScore combine_uplift(const UpliftModel& model, double p_control, double second_head) {
  UpliftScore s;
  s.name = model.name;
  s.p_control = p_control;
  if (model.method == UpliftMethod::kTwoModel) s.p_treated = second_head;
  else s.p_treated = std::clamp(p_control + (2.0 * second_head - 1.0), 0.0, 1.0);
  s.uplift = s.p_treated - s.p_control;
  const UpliftThresholds& t = model.thresholds;
  if (s.uplift >= t.persuadable_min) s.quadrant = Quadrant::kPersuadable;
  else if (s.uplift <= -t.sleeping_dog_min) s.quadrant = Quadrant::kSleepingDog;
  else if (s.p_control >= t.sure_thing_min) s.quadrant = Quadrant::kSureThing;
  else s.quadrant = Quadrant::kLostCause;
  return s;
}

UpliftScore score_uplift(const UpliftModel& model, const json::Value& data) {
  const LogisticModel& second = model.method == UpliftMethod::kTwoModel ? model.treated : model.transformed;
  return combine_uplift(model, model.control.predict(data), second.predict(data));
}

SegmentAssignment assign_segment(const SegmentModel& model, const json::Value& data) {
  std::vector<double> x;
  encode_into(model.features, data, x);
  double d1 = INFINITY, d2 = INFINITY;
  std::size_t best = 0;
  for (std::size_t c = 0; c < model.centroids.size(); ++c) {
    double d = 0;
    const std::vector<double>& centroid = model.centroids[c];
    for (std::size_t j = 0; j < x.size() && j < centroid.size(); ++j) d += (x[j] - centroid[j]) * (x[j] - centroid[j]);
    if (d < d1) {
      d2 = d1;
      d1 = d;
      best = c;
    } else if (d < d2) {
      d2 = d;
    }
  }
  SegmentAssignment a;
  a.index = best;
  if (best < model.names.size()) a.name = model.names[best];
  const double r1 = std::sqrt(d1), r2 = std::sqrt(d2);
  a.confidence = !std::isfinite(r2) || r2 <= 0 ? 1.0 : 1.0 - r1 / r2;
  return a;
}

LearnedScores LearnedModels::score(const json::Value& data) const {
  LearnedScores out;
  out.propensity.reserve(propensity.size());
  for (const PropensityModel& m : propensity) out.propensity.push_back({m.name, m.model.predict(data)});
  out.uplift.reserve(uplift.size());
  for (const UpliftModel& m : uplift) out.uplift.push_back(score_uplift(m, data));
  if (segments) out.segment = assign_segment(*segments, data);
  return out;
}

void merge_learned(LearnedModels& base, LearnedModels update) {
  for (PropensityModel& m : update.propensity) {
    auto it = std::find_if(base.propensity.begin(), base.propensity.end(), [&](const PropensityModel& b) { return b.name == m.name; });
    if (it != base.propensity.end()) *it = std::move(m);
    else base.propensity.push_back(std::move(m));
  }
  for (UpliftModel& m : update.uplift) {
    auto it = std::find_if(base.uplift.begin(), base.uplift.end(), [&](const UpliftModel& b) { return b.name == m.name; });
    if (it != base.uplift.end()) *it = std::move(m);
    else base.uplift.push_back(std::move(m));
  }
  if (update.segments) base.segments = std::move(update.segments);
}

// ------------------------------------------------------------------ from_json

namespace {

// Reads one JSON document into the structs, recording the first error with the
// path of the offending field ("uplift \"womens\": control.weights[3]").
class Reader {
 public:
  Status status;

  bool fail(const std::string& where, const std::string& what) {
    if (status.is_ok()) status = Status(ErrorCode::kInvalidArgument, cat({"learned models: ", where, ": ", what}));
    return false;
  }

  const json::Value* member(const json::Value& obj, std::string_view key, const std::string& where, json::Type type,
                            bool required = true) {
    const json::Value* v = obj.find(key);
    if (v == nullptr) {
      if (required) fail(where, cat({"missing \"", key, "\""}));
      return nullptr;
    }
    if (v->type() != type) {
      fail(join(where, key), cat({"must be ", json::type_name(type), ", not ", json::type_name(v->type())}));
      return nullptr;
    }
    return v;
  }

  static std::string join(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : cat({where, ".", key});
  }

  bool number(const json::Value& obj, std::string_view key, const std::string& where, double& out, double lo, double hi) {
    const json::Value* v = member(obj, key, where, json::Type::kNumber);
    if (v == nullptr) return false;
    out = v->as_number();
    if (!std::isfinite(out) || out < lo || out > hi)
      return fail(join(where, key), cat({"must be a finite number in [", num(lo), ", ", num(hi), "]"}));
    return true;
  }

  static std::string num(double v) {
    if (v >= 1e300) return "inf";
    if (v <= -1e300) return "-inf";
    const std::string s = json::integer_to_string(v);
    return s.empty() ? "a fraction" : s;
  }

  bool string(const json::Value& obj, std::string_view key, const std::string& where, std::string& out, std::size_t max_bytes) {
    const json::Value* v = member(obj, key, where, json::Type::kString);
    if (v == nullptr) return false;
    out = v->as_string();
    if (out.empty() || out.size() > max_bytes)
      return fail(join(where, key), cat({"must be 1 to ", max_bytes, " bytes long"}));
    return true;
  }

  bool numbers(const json::Value& arr, const std::string& where, std::vector<double>& out) {
    out.clear();
    out.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const json::Value& v = arr.items()[i];
      if (!v.is_number() || !std::isfinite(v.as_number()))
        return fail(cat({where, "[", i, "]"}), "must be a finite number");
      out.push_back(v.as_number());
    }
    return true;
  }

  bool name(const json::Value& obj, const std::string& where, std::string& out) {
    if (!string(obj, "name", where, out, 64)) return false;
    for (const char c : out) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
      if (!ok) return fail(join(where, "name"), cat({"\"", out, "\" must use only letters, digits, _ - ."}));
    }
    return true;
  }

  bool feature(const json::Value& v, const std::string& where, FeatureSpec& f) {
    if (!v.is_object()) return fail(where, "must be an object");
    if (!string(v, "name", where, f.name, 256)) return false;
    std::string kind;
    if (!string(v, "kind", where, kind, 32)) return false;
    if (kind == "categorical") {
      f.kind = FeatureKind::kCategorical;
      const json::Value* levels = member(v, "levels", where, json::Type::kArray);
      if (levels == nullptr) return false;
      if (levels->size() == 0 || levels->size() > kMaxFeatureLevels)
        return fail(join(where, "levels"), cat({"must have 1 to ", kMaxFeatureLevels, " entries"}));
      for (std::size_t i = 0; i < levels->size(); ++i) {
        const json::Value& l = levels->items()[i];
        if (!l.is_string() || l.as_string().empty() || l.as_string().size() > 4096)
          return fail(cat({join(where, "levels"), "[", i, "]"}), "must be a string of 1 to 4096 bytes");
        if (std::find(f.levels.begin(), f.levels.end(), l.as_string()) != f.levels.end())
          return fail(cat({join(where, "levels"), "[", i, "]"}), cat({"\"", l.as_string(), "\" appears twice"}));
        f.levels.push_back(l.as_string());
      }
      return true;
    }
    if (kind != "numeric") return fail(join(where, "kind"), cat({"must be \"numeric\" or \"categorical\", not \"", kind, "\""}));
    f.kind = FeatureKind::kNumeric;
    std::string transform;
    if (!string(v, "transform", where, transform, 32)) return false;
    if (!number(v, "mean", where, f.mean, -1e300, 1e300)) return false;
    if (transform == "standardize") {
      f.transform = NumericTransform::kStandardize;
      if (!number(v, "sd", where, f.sd, 0, 1e300)) return false;
      if (!(f.sd > 0)) return fail(join(where, "sd"), "must be positive");
      return true;
    }
    if (transform != "bucketize")
      return fail(join(where, "transform"), cat({"must be \"standardize\" or \"bucketize\", not \"", transform, "\""}));
    f.transform = NumericTransform::kBucketize;
    const json::Value* edges = member(v, "edges", where, json::Type::kArray);
    if (edges == nullptr) return false;
    if (edges->size() == 0 || edges->size() > kMaxFeatureLevels)
      return fail(join(where, "edges"), cat({"must have 1 to ", kMaxFeatureLevels, " entries"}));
    if (!numbers(*edges, join(where, "edges"), f.edges)) return false;
    for (std::size_t i = 1; i < f.edges.size(); ++i)
      if (!(f.edges[i] > f.edges[i - 1])) return fail(join(where, "edges"), "must be strictly ascending");
    return true;
  }

  bool features(const json::Value& obj, const std::string& where, std::vector<FeatureSpec>& out) {
    const json::Value* arr = member(obj, "features", where, json::Type::kArray);
    if (arr == nullptr) return false;
    if (arr->size() == 0 || arr->size() > kMaxLearnedFeatures)
      return fail(join(where, "features"), cat({"must have 1 to ", kMaxLearnedFeatures, " entries"}));
    out.resize(arr->size());
    for (std::size_t i = 0; i < arr->size(); ++i)
      if (!feature(arr->items()[i], cat({join(where, "features"), "[", i, "]"}), out[i])) return false;
    if (encoded_width(out) > kMaxEncodedWidth)
      return fail(join(where, "features"), cat({"encode to ", encoded_width(out), " columns; the limit is ", kMaxEncodedWidth}));
    return true;
  }

  bool logistic(const json::Value& obj, std::string_view key, const std::string& where, LogisticModel& m) {
    const json::Value* v = member(obj, key, where, json::Type::kObject);
    if (v == nullptr) return false;
    const std::string here = join(where, key);
    if (!features(*v, here, m.features)) return false;
    if (!number(*v, "intercept", here, m.intercept, -1e300, 1e300)) return false;
    const json::Value* w = member(*v, "weights", here, json::Type::kArray);
    if (w == nullptr || !numbers(*w, join(here, "weights"), m.weights)) return false;
    const std::size_t width = encoded_width(m.features);
    if (m.weights.size() != width)
      return fail(join(here, "weights"), cat({"has ", m.weights.size(), " entries; its features encode to ", width, " columns"}));
    return true;
  }

  bool propensity(const json::Value& v, const std::string& where, PropensityModel& m) {
    if (!v.is_object()) return fail(where, "must be an object");
    if (!name(v, where, m.name)) return false;
    return logistic(v, "model", cat({"propensity \"", m.name, "\""}), m.model);
  }

  bool uplift(const json::Value& v, const std::string& where, UpliftModel& m) {
    if (!v.is_object()) return fail(where, "must be an object");
    if (!name(v, where, m.name)) return false;
    const std::string here = cat({"uplift \"", m.name, "\""});
    std::string method;
    if (!string(v, "method", here, method, 32)) return false;
    if (method == "two_model") {
      m.method = UpliftMethod::kTwoModel;
      if (!logistic(v, "treated", here, m.treated)) return false;
    } else if (method == "class_transformation") {
      m.method = UpliftMethod::kClassTransformation;
      if (!logistic(v, "transformed", here, m.transformed)) return false;
    } else {
      return fail(cat({here, ".method"}), cat({"must be \"two_model\" or \"class_transformation\", not \"", method, "\""}));
    }
    if (!logistic(v, "control", here, m.control)) return false;
    const json::Value* t = member(v, "thresholds", here, json::Type::kObject);
    if (t == nullptr) return false;
    const std::string th = cat({here, ".thresholds"});
    return number(*t, "persuadable_min", th, m.thresholds.persuadable_min, -1, 1) &&
           number(*t, "sleeping_dog_min", th, m.thresholds.sleeping_dog_min, -1, 1) &&
           number(*t, "sure_thing_min", th, m.thresholds.sure_thing_min, 0, 1);
  }

  bool segments(const json::Value& v, SegmentModel& m) {
    const std::string here = "segments";
    if (!features(v, here, m.features)) return false;
    const std::size_t width = encoded_width(m.features);
    const json::Value* centroids = member(v, "centroids", here, json::Type::kArray);
    const json::Value* names = centroids ? member(v, "names", here, json::Type::kArray) : nullptr;
    const json::Value* descriptions = names ? member(v, "descriptions", here, json::Type::kArray) : nullptr;
    if (descriptions == nullptr) return false;
    const std::size_t k = centroids->size();
    if (k == 0 || k > kMaxSegments) return fail(cat({here, ".centroids"}), cat({"must have 1 to ", kMaxSegments, " entries"}));
    if (names->size() != k || descriptions->size() != k)
      return fail(here, cat({"centroids, names and descriptions must have the same length (", k, ", ", names->size(), ", ", descriptions->size(), ")"}));
    m.centroids.resize(k);
    for (std::size_t c = 0; c < k; ++c) {
      const std::string at = cat({here, ".centroids[", c, "]"});
      const json::Value& row = centroids->items()[c];
      if (!row.is_array()) return fail(at, "must be an array");
      if (!numbers(row, at, m.centroids[c])) return false;
      if (m.centroids[c].size() != width)
        return fail(at, cat({"has ", m.centroids[c].size(), " entries; the features encode to ", width, " columns"}));
      const json::Value& n = names->items()[c];
      if (!n.is_string() || n.as_string().empty() || n.as_string().size() > 256)
        return fail(cat({here, ".names[", c, "]"}), "must be a string of 1 to 256 bytes");
      if (std::find(m.names.begin(), m.names.end(), n.as_string()) != m.names.end())
        return fail(cat({here, ".names[", c, "]"}), cat({"\"", n.as_string(), "\" appears twice"}));
      m.names.push_back(n.as_string());
      const json::Value& d = descriptions->items()[c];
      if (!d.is_string() || d.as_string().size() > 4096)
        return fail(cat({here, ".descriptions[", c, "]"}), "must be a string of at most 4096 bytes");
      m.descriptions.push_back(d.as_string());
    }
    return true;
  }
};

}  // namespace

Result<LearnedModels> LearnedModels::from_json(std::string_view text) {
  Result<json::Value> parsed = json::parse(text, json::ParseLimits{kMaxLearnedJsonBytes, 16, 100000}, "learned models");
  if (!parsed.is_ok()) return parsed.status();
  const json::Value& root = parsed.value();
  Reader r;
  if (!root.is_object()) return Status(ErrorCode::kInvalidArgument, "learned models: the document must be an object");
  double version = 0;
  if (!r.number(root, "version", "", version, 1, 1000)) return r.status;
  if (version != kLearnedFormatVersion)
    return Status(ErrorCode::kInvalidArgument, cat({"learned models: version ", json::integer_to_string(version), " is not supported; this reader knows version 1"}));
  LearnedModels out;
  if (const json::Value* list = r.member(root, "propensity", "", json::Type::kArray, false)) {
    if (list->size() > kMaxLearnedModels) r.fail("propensity", cat({"more than ", kMaxLearnedModels, " models"}));
    out.propensity.resize(list->size());
    for (std::size_t i = 0; r.status.is_ok() && i < list->size(); ++i) {
      r.propensity(list->items()[i], cat({"propensity[", i, "]"}), out.propensity[i]);
      for (std::size_t j = 0; r.status.is_ok() && j < i; ++j)
        if (out.propensity[j].name == out.propensity[i].name) r.fail(cat({"propensity[", i, "]"}), cat({"name \"", out.propensity[i].name, "\" appears twice"}));
    }
  }
  if (const json::Value* list = r.status.is_ok() ? r.member(root, "uplift", "", json::Type::kArray, false) : nullptr) {
    if (list->size() > kMaxLearnedModels) r.fail("uplift", cat({"more than ", kMaxLearnedModels, " models"}));
    out.uplift.resize(list->size());
    for (std::size_t i = 0; r.status.is_ok() && i < list->size(); ++i) {
      r.uplift(list->items()[i], cat({"uplift[", i, "]"}), out.uplift[i]);
      for (std::size_t j = 0; r.status.is_ok() && j < i; ++j)
        if (out.uplift[j].name == out.uplift[i].name) r.fail(cat({"uplift[", i, "]"}), cat({"name \"", out.uplift[i].name, "\" appears twice"}));
    }
  }
  if (const json::Value* seg = r.status.is_ok() ? r.member(root, "segments", "", json::Type::kObject, false) : nullptr) {
    out.segments.emplace();
    r.segments(*seg, *out.segments);
  }
  if (!r.status.is_ok()) return r.status;
  return out;
}

}  // namespace cabine
