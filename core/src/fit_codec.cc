// The fit section of the model file (docs/model-format.md, tag 16): encoding
// with quantised per-product parameters, and a validating decoder.
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "byte_io.h"
#include "cabine/fit_model.h"
#include "cabine/model_format.h"

namespace cabine {
namespace {

using internal::ByteReader;
using internal::ByteWriter;
using internal::cat;

// Quantisation steps: offsets and bands to 1/32, logits and log-counts to 1/16.
// At these steps the held-out AUC does not move in the 4th decimal (docs/benchmarks.md).
constexpr double kOffsetScale = 32, kLogitScale = 16;

std::int64_t quantise(double v, double scale) { return static_cast<std::int64_t>(std::llround(v * scale)); }

void write_group(ByteWriter& w, const FitGroupParams& g) {
  w.svarint(quantise(g.offset, kOffsetScale));
  w.svarint(quantise(g.band, kOffsetScale));
  w.svarint(quantise(g.small_logit, kLogitScale));
  w.svarint(quantise(g.large_logit, kLogitScale));
  w.varint(static_cast<std::uint64_t>(std::max<std::int64_t>(0, quantise(g.log_count, kLogitScale))));
  w.svarint(quantise(g.residual, kOffsetScale));
}

[[gnu::noinline]] Status bad(std::string_view what) {
  return internal::error_status(ErrorCode::kModelMalformedSection, {"section 'fit': ", what});
}

bool read_group(ByteReader& r, FitGroupParams& g) {
  std::int64_t offset, band, small, large, residual;
  std::uint64_t count;
  // Bounds keep every decoded value small and finite.
  constexpr std::int64_t kLimit = 1 << 20;
  if (!r.svarint(offset) || !r.svarint(band) || !r.svarint(small) || !r.svarint(large) || !r.varint_max(kLimit, count) ||
      !r.svarint(residual))
    return false;
  for (std::int64_t v : {offset, band, small, large, residual})
    if (v < -kLimit || v > kLimit) return false;
  g.residual = static_cast<float>(static_cast<double>(residual) / kOffsetScale);
  g.offset = static_cast<float>(static_cast<double>(offset) / kOffsetScale);
  g.band = static_cast<float>(static_cast<double>(band) / kOffsetScale);
  g.small_logit = static_cast<float>(static_cast<double>(small) / kLogitScale);
  g.large_logit = static_cast<float>(static_cast<double>(large) / kLogitScale);
  g.log_count = static_cast<float>(static_cast<double>(count) / kLogitScale);
  return true;
}

bool read_finite(ByteReader& r, float& v) { return r.f32le(v) && std::isfinite(v); }

bool read_string_ref(ByteReader& r, const std::vector<std::string>& strings, std::string& out) {
  std::uint64_t index;
  if (!r.varint(index) || index >= strings.size()) return false;
  out = strings[static_cast<std::size_t>(index)];
  return true;
}

// Minimum encoded sizes bound every declared count, so a hostile count cannot
// make the decoder allocate more than a small multiple of the file's size.
constexpr std::size_t kMinGroupBytes = 7, kMinProductBytes = 11, kMinSizeListBytes = 2, kMaxBodyTypes = 64;

bool read_groups(ByteReader& r, const std::vector<std::string>& strings, std::vector<FitGroupParams>& out) {
  std::uint64_t n;
  if (!r.varint_max(r.remaining() / kMinGroupBytes, n)) return false;
  out.resize(static_cast<std::size_t>(n));
  for (FitGroupParams& g : out)
    if (!read_string_ref(r, strings, g.name) || !read_group(r, g)) return false;
  return true;
}

}  // namespace

std::vector<std::uint8_t> encode_fit_section(const FitModel& m,
                                             const std::function<std::uint32_t(const std::string&)>& intern) {
  ByteWriter w;
  w.f32le(m.slope);
  w.f32le(m.band_center);
  w.f32le(m.band_log_half);
  for (float v : m.body_mean) w.f32le(v);
  for (float v : m.body_sd) w.f32le(v);
  w.varint(m.body_types.size());
  for (const std::string& t : m.body_types) w.varint(intern(t));
  w.varint(m.dimensions.size());
  for (const FitDimension& d : m.dimensions) {
    w.u8(static_cast<std::uint8_t>(d.dimension));
    for (float v : {d.grid_lo, d.grid_hi, d.step, d.population_mean, d.population_sd}) w.f32le(v);
    w.u8(d.has_questionnaire ? 1 : 0);
    if (d.has_questionnaire) {
      w.f32le(d.questionnaire_intercept);
      w.f32le(d.questionnaire_sd);
      w.varint(d.questionnaire_weights.size());
      for (float v : d.questionnaire_weights) w.f32le(v);
    }
  }
  write_group(w, m.global);
  for (const std::vector<FitGroupParams>* groups : {&m.categories, &m.brands}) {
    w.varint(groups->size());
    for (const FitGroupParams& g : *groups) {
      w.varint(intern(g.name));
      write_group(w, g);
    }
  }
  w.varint(m.size_lists.size());
  for (const auto& list : m.size_lists) {
    w.varint(list.size());
    for (const std::string& label : list) w.varint(intern(label));
  }
  w.varint(m.products.size());
  // Decimal ids (no sign, no leading zero, < 2^53) in numeric order are stored as deltas; others as strings.
  const bool numeric_ids = std::all_of(m.products.begin(), m.products.end(), [](const FitProduct& p) {
    const std::string& id = p.params.name;
    return !id.empty() && id.size() <= 15 && (id == "0" || id[0] != '0') &&
           std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
  });
  w.u8(numeric_ids ? 1 : 0);
  std::uint64_t previous = 0;
  for (const FitProduct& p : m.products) {
    if (numeric_ids) {
      std::uint64_t id = 0;
      for (char c : p.params.name) id = id * 10 + static_cast<std::uint64_t>(c - '0');
      w.varint(id - previous);
      previous = id;
    } else {
      w.varint(intern(p.params.name));
    }
    w.varint(static_cast<std::uint64_t>(p.brand + 1));
    w.varint(static_cast<std::uint64_t>(p.category + 1));
    w.u8(static_cast<std::uint8_t>(p.size_system));
    w.varint(p.size_list);
    write_group(w, p.params);
  }
  w.varint(m.size_stats.size());
  for (const FitSizeStat& st : m.size_stats) {
    w.u8(static_cast<std::uint8_t>(st.dimension));
    w.varint(static_cast<std::uint64_t>(st.category + 1));
    w.f32le(st.value);
    w.svarint(quantise(st.small_logit, kLogitScale));
    w.svarint(quantise(st.large_logit, kLogitScale));
  }
  w.varint(m.head_small.size());
  for (const std::vector<float>* head : {&m.head_small, &m.head_large})
    for (float v : *head) w.f32le(v);
  return w.take();
}

namespace {

std::string_view check_fit_model(const FitModel& m, std::string& detail);

// Decodes into `m`. Returns an empty view on success, else what is wrong: a
// literal, or text kept in `detail`. Plain text rather than a Result<FitModel>
// per failure keeps each of the many checks to a few instructions in the wasm.
std::string_view decode_fit(ByteReader& r, const std::vector<std::string>& strings, std::uint8_t minor, FitModel& m,
                            std::string& detail) {
  if (!read_finite(r, m.slope) || !read_finite(r, m.band_center) || !read_finite(r, m.band_log_half))
    return "global parameters are missing or not finite";
  for (float& v : m.body_mean)
    if (!read_finite(r, v)) return "body feature means are missing or not finite";
  for (float& v : m.body_sd)
    if (!read_finite(r, v)) return "body feature scales are missing or not finite";
  std::uint64_t n;
  if (!r.varint_max(std::min<std::size_t>(kMaxBodyTypes, r.remaining()), n)) return "body type count exceeds the section";
  m.body_types.resize(static_cast<std::size_t>(n));
  for (std::string& t : m.body_types)
    if (!read_string_ref(r, strings, t)) return "a body type has a bad string index";
  if (!r.varint_max(kSizeDimensionCount, n)) return "more dimensions than there are size dimensions";
  m.dimensions.resize(static_cast<std::size_t>(n));
  for (FitDimension& d : m.dimensions) {
    std::uint8_t dim, has_q;
    if (!r.u8(dim) || dim >= kSizeDimensionCount) return "unknown size dimension";
    d.dimension = static_cast<SizeDimension>(dim);
    for (float* v : {&d.grid_lo, &d.grid_hi, &d.step, &d.population_mean, &d.population_sd})
      if (!read_finite(r, *v)) return "dimension parameters are missing or not finite";
    if (!r.u8(has_q) || has_q > 1) return "bad questionnaire flag";
    d.has_questionnaire = has_q == 1;
    if (d.has_questionnaire) {
      if (!read_finite(r, d.questionnaire_intercept) || !read_finite(r, d.questionnaire_sd) ||
          !r.varint_max(r.remaining() / 4, n))
        return "questionnaire parameters are missing";
      d.questionnaire_weights.resize(static_cast<std::size_t>(n));
      for (float& v : d.questionnaire_weights)
        if (!read_finite(r, v)) return "questionnaire weights are missing or not finite";
    }
  }
  if (!read_group(r, m.global)) return "global statistics are missing";
  if (!read_groups(r, strings, m.categories)) return "categories are truncated or have a bad string index";
  if (!read_groups(r, strings, m.brands)) return "brands are truncated or have a bad string index";
  if (!r.varint_max(r.remaining() / kMinSizeListBytes, n)) return "size list count exceeds the section";
  m.size_lists.resize(static_cast<std::size_t>(n));
  for (auto& list : m.size_lists) {
    if (!r.varint_max(r.remaining(), n)) return "a size list is truncated";
    list.resize(static_cast<std::size_t>(n));
    for (std::string& label : list)
      if (!read_string_ref(r, strings, label)) return "a size label has a bad string index";
  }
  if (!r.varint_max(r.remaining() / kMinProductBytes, n)) return "product count exceeds the section";
  m.products.resize(static_cast<std::size_t>(n));
  std::uint8_t numeric_ids;
  if (!r.u8(numeric_ids) || numeric_ids > 1) return "bad product id mode";
  std::uint64_t previous = 0;
  for (FitProduct& p : m.products) {
    std::uint64_t brand, category, list;
    std::uint8_t system;
    bool id_ok;
    if (numeric_ids) {
      std::uint64_t delta;
      id_ok = r.varint_max((std::uint64_t{1} << 53) - previous, delta) && (delta > 0 || &p == m.products.data());
      previous += delta;
      if (id_ok) p.params.name = cat({previous});
    } else {
      id_ok = read_string_ref(r, strings, p.params.name);
    }
    if (!id_ok || !r.varint_max(m.brands.size(), brand) ||
        !r.varint_max(m.categories.size(), category) || !r.u8(system) || system >= kSizeSystemCount ||
        !r.varint_max(UINT32_MAX, list) || !read_group(r, p.params))
      return detail = cat({"product ", &p - m.products.data(), " is truncated or has an index out of range"});
    p.brand = static_cast<std::int32_t>(brand) - 1;
    p.category = static_cast<std::int32_t>(category) - 1;
    p.size_system = static_cast<SizeSystem>(system);
    p.size_list = static_cast<std::uint32_t>(list);
  }
  if (!r.varint_max(r.remaining() / 7, n)) return "size statistics count exceeds the section";
  m.size_stats.resize(static_cast<std::size_t>(n));
  for (FitSizeStat& st : m.size_stats) {
    std::uint8_t dim;
    std::uint64_t category;
    std::int64_t small, large;
    if (!r.u8(dim) || dim >= kSizeDimensionCount || !r.varint_max(m.categories.size(), category) ||
        !read_finite(r, st.value) || !r.svarint(small) || !r.svarint(large) || small < -(1 << 20) || small > (1 << 20) ||
        large < -(1 << 20) || large > (1 << 20))
      return "size statistics are truncated or out of range";
    st.dimension = static_cast<SizeDimension>(dim);
    st.category = static_cast<std::int32_t>(category) - 1;
    st.small_logit = static_cast<float>(static_cast<double>(small) / kLogitScale);
    st.large_logit = static_cast<float>(static_cast<double>(large) / kLogitScale);
  }
  if (!r.varint_max(r.remaining() / 8, n)) return "the calibration head is truncated";
  if (n != 0 && n != static_cast<std::uint64_t>(m.head_feature_count()))
    return detail = cat({"the calibration head has ", n, " features; this reader computes ", m.head_feature_count()});
  for (std::vector<float>* head : {&m.head_small, &m.head_large}) {
    head->resize(static_cast<std::size_t>(n));
    for (float& v : *head)
      if (!read_finite(r, v)) return "calibration weights are missing or not finite";
  }
  if (!r.at_end() && minor <= kFormatMinor) return detail = cat({r.remaining(), " unexpected trailing bytes"});
  return {};
}

}  // namespace

Result<FitModel> decode_fit_section(std::span<const std::uint8_t> content, const std::vector<std::string>& strings,
                                    std::uint8_t minor) {
  ByteReader r(content);
  FitModel m;
  std::string detail;
  std::string_view error = decode_fit(r, strings, minor, m, detail);
  if (error.empty()) error = check_fit_model(m, detail);
  if (!error.empty()) return bad(error);
  return m;
}

namespace {

// validate_fit_model's checks: an empty view when valid, else what is wrong (a
// literal, or text kept in `detail`).
std::string_view check_fit_model(const FitModel& m, std::string& detail) {
  if (!(m.slope > 0) || !(m.slope < 1e3)) return "slope must be in (0, 1000)";
  if (!(std::fabs(m.band_log_half) < 10) || !(std::fabs(m.band_center) < 100)) return "band parameters out of range";
  for (float sd : m.body_sd)
    if (!(sd > 0)) return "body feature scales must be positive";
  for (std::size_t i = 0; i < m.dimensions.size(); ++i) {
    const FitDimension& d = m.dimensions[i];
    for (std::size_t k = 0; k < i; ++k)
      if (m.dimensions[k].dimension == d.dimension) return "a size dimension appears twice";
    if (!(d.grid_lo < d.grid_hi) || !(d.step > 0) || !(d.population_sd > 0) ||
        (d.has_questionnaire && !(d.questionnaire_sd > 0)))
      return detail = cat({"dimension '", size_dimension_name(d.dimension), "' has an empty grid or a non-positive scale"});
    if (d.has_questionnaire && d.questionnaire_weights.size() != static_cast<std::size_t>(m.body_feature_count()))
      return "questionnaire weights do not match the body features";
  }
  auto names_sorted = [](const std::vector<FitGroupParams>& items) {
    for (std::size_t i = 1; i < items.size(); ++i)
      if (!(items[i - 1].name < items[i].name)) return false;
    return true;
  };
  if (!names_sorted(m.categories)) return "categories are not sorted and unique";
  if (!names_sorted(m.brands)) return "brands are not sorted and unique";
  for (std::size_t i = 1; i < m.products.size(); ++i)
    if (!product_id_less(m.products[i - 1].params.name, m.products[i].params.name))
      return "products are not sorted and unique";
  for (const auto& list : m.size_lists)
    if (list.empty()) return "an empty size list";
  for (std::size_t i = 1; i < m.size_stats.size(); ++i) {
    const FitSizeStat &a = m.size_stats[i - 1], &b = m.size_stats[i];
    if (std::make_tuple(a.dimension, a.category, a.value) >= std::make_tuple(b.dimension, b.category, b.value))
      return "size statistics are not sorted and unique";
  }
  if (m.has_head() && (m.head_small.size() != static_cast<std::size_t>(m.head_feature_count()) ||
                       m.head_large.size() != m.head_small.size()))
    return "the calibration head does not match the features";
  for (const FitProduct& p : m.products) {
    if (p.size_list >= m.size_lists.size())
      return detail = cat({"product '", p.params.name, "' has a size list out of range"});
    if (m.find_dimension(size_dimension(p.size_system)) == nullptr)
      return detail = cat({"product '", p.params.name, "' uses a size dimension the model has no scale for"});
    for (const std::string& label : m.size_lists[p.size_list]) {
      Result<SizeValue> v = parse_size(p.size_system, label);
      if (!v.is_ok()) return detail = cat({"product '", p.params.name, "': ", v.status().message()});
    }
  }
  return {};
}

}  // namespace

Status validate_fit_model(const FitModel& m) {
  std::string detail;
  const std::string_view error = check_fit_model(m, detail);
  if (error.empty()) return Status::ok();
  return Status(ErrorCode::kInvalidArgument, std::string(error));
}

}  // namespace cabine
