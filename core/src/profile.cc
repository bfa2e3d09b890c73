#include "cabine/profile.h"

#include <algorithm>
#include <cmath>

#include "cabine/rule_host.h"
#include "byte_io.h"
#include "lexeme_host.h"

namespace cabine {

using internal::cat;  // messages: one out-of-line concatenation (byte_io.h)

namespace {

constexpr double kDayMs = 86400000.0;
constexpr std::int64_t kSessionGapMs = 30 * 60 * 1000;  // 30 minutes without events ends a session
constexpr double kMaxSafeInteger = 9007199254740991.0;

constexpr const char* kEventNames[kEventTypeCount] = {"session_start", "view", "search", "add_to_cart", "purchase", "return"};

// Attribute numbers always keep their lexeme (they are parsed from text).
using internal::LexemeOnlyHost;

std::string int_text(std::int64_t v) { return json::integer_to_string(static_cast<double>(v)); }

json::Value decayed_scores(const std::vector<Affinity>& items, double now_ms, double half_life_ms, std::string* top) {
  json::Value out = json::Value::object();
  double best = 0;
  for (const Affinity& a : items) {
    const double elapsed = std::max(0.0, now_ms - static_cast<double>(a.updated_ms));
    const double score = static_cast<double>(a.micro) / 1e6 * decay_factor(elapsed, half_life_ms);
    out.set(a.name, json::Value::number(score));
    if (score > best) {
      best = score;
      *top = a.name;
    }
  }
  return out;
}

void bump(std::vector<Affinity>& items, const std::string& name, double weight, std::int64_t t, double half_life_ms) {
  if (name.empty() || weight == 0) return;
  const auto decayed = [&](const Affinity& a) {
    const double elapsed = static_cast<double>(std::max<std::int64_t>(0, t - a.updated_ms));
    return std::llround(static_cast<double>(a.micro) * decay_factor(elapsed, half_life_ms));
  };
  auto it = std::find_if(items.begin(), items.end(), [&](const Affinity& a) { return a.name == name; });
  if (it == items.end()) {
    if (items.size() >= kMaxAffinityKeys) {
      // Make room by dropping the weakest (ties: the last name).
      auto weakest = items.begin();
      for (auto i = items.begin(); i != items.end(); ++i) {
        const auto a = decayed(*i), b = decayed(*weakest);
        if (a < b || (a == b && i->name > weakest->name)) weakest = i;
      }
      items.erase(weakest);
    }
    items.push_back({name, 0, t});
    it = items.end() - 1;
  }
  it->micro = decayed(*it) + std::llround(weight * 1e6);
  it->updated_ms = std::max(it->updated_ms, t);
}

double weight_for(EventType type, const ProfileConfig& c) {
  switch (type) {
    case EventType::kView: return c.weight_view;
    case EventType::kAddToCart: return c.weight_add_to_cart;
    case EventType::kPurchase: return c.weight_purchase;
    case EventType::kReturn: return c.weight_return;
    default: return 0;
  }
}

Status event_error(const std::string& message) { return Status(ErrorCode::kInvalidEvent, cat({"event: ", message})); }

}  // namespace

std::string_view event_type_name(EventType type) noexcept {
  const int i = static_cast<int>(type);
  return i >= 0 && i < kEventTypeCount ? kEventNames[i] : "unknown";
}

double decay_factor(double elapsed, double half_life) noexcept {
  if (!(elapsed > 0) || !(half_life > 0)) return 1.0;
  const double x = elapsed / half_life;
  if (!(x < 1100)) return 0.0;
  const double whole = std::floor(x);
  // 2^-f = e^(-f ln 2) for f in [0, 1): a Taylor series to 20 terms, in a fixed order.
  const double y = -(x - whole) * 0.6931471805599453;
  double sum = 1.0, term = 1.0;
  for (int k = 1; k <= 20; ++k) {
    term = term * y / k;
    sum += term;
  }
  return std::ldexp(sum, -static_cast<int>(whole));
}

Result<Event> event_from_json(const json::Value& value) {
  if (!value.is_object()) return event_error(cat({"must be an object, not ", json::type_name(value.type())}));
  Event e;
  bool has_type = false, has_time = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string& key = value.keys()[i];
    const json::Value& v = value.items()[i];
    std::string* text = key == "productId" ? &e.product_id
                        : key == "category" ? &e.category
                        : key == "brand"    ? &e.brand
                        : key == "channel"  ? &e.channel
                        : key == "device"   ? &e.device
                                            : nullptr;
    if (key == "type") {
      int found = -1;
      for (int k = 0; k < kEventTypeCount; ++k)
        if (v.as_string() == kEventNames[k]) found = k;
      if (!v.is_string() || found < 0)
        return event_error("type must be one of session_start, view, search, add_to_cart, purchase, return");
      e.type = static_cast<EventType>(found);
      has_type = true;
    } else if (key == "time") {
      if (!v.is_number() || !std::isfinite(v.as_number()) || v.as_number() < 0 || v.as_number() > kMaxTimeMs)
        return event_error("time must be milliseconds since 1970 (a number from 0 to 8.64e15)");
      e.time_ms = std::round(v.as_number());
      has_time = true;
    } else if (key == "price") {
      if (!v.is_number() || !std::isfinite(v.as_number()) || v.as_number() < 0 || v.as_number() > kMaxPrice)
        return event_error("price must be a number from 0 to 1e9");
      e.price = v.as_number();
    } else if (text != nullptr) {
      if (!v.is_string()) return event_error(cat({key, " must be a string"}));
      if (v.as_string().size() > kMaxEventFieldBytes) return event_error(cat({key, " is longer than 200 bytes"}));
      *text = v.as_string();
    } else {
      return event_error(cat({"unknown field \"", key, "\" (expected type, time, productId, category, brand, price, channel, device)"}));
    }
  }
  if (!has_type) return event_error("type is missing");
  if (!has_time) return event_error("time is missing");
  return e;
}

void Profile::track(const Event& event, const ProfileConfig& config) {
  const auto t = static_cast<std::int64_t>(event.time_ms);
  const bool new_session = event.type == EventType::kSessionStart || last_ms_ < 0 || t - last_ms_ > kSessionGapMs;
  if (new_session) {
    ++counts_[static_cast<int>(EventType::kSessionStart)];
    session_depth_ = 0;
    last_visit_ms_ = std::max(last_visit_ms_, t);
  }
  if (event.type == EventType::kSessionStart) {
    ++explicit_sessions_;
  } else {
    ++counts_[static_cast<int>(event.type)];
    ++session_depth_;
  }
  ++total_events_;
  if (first_ms_ < 0 || t < first_ms_) first_ms_ = t;
  last_ms_ = std::max(last_ms_, t);
  const std::int64_t cents = event.price >= 0 ? std::llround(event.price * 100) : 0;
  if (event.type == EventType::kPurchase) {
    purchase_cents_ += cents;
    last_purchase_ms_ = std::max(last_purchase_ms_, t);
  } else if (event.type == EventType::kReturn) {
    return_cents_ += cents;
  }
  if (!event.channel.empty()) channel_ = event.channel;
  if (!event.device.empty()) device_ = event.device;
  const double weight = weight_for(event.type, config);
  const double half_life_ms = config.half_life_days * kDayMs;
  bump(categories_, event.category, weight, t, half_life_ms);
  bump(brands_, event.brand, weight, t, half_life_ms);
}

Status Profile::set_attributes(std::string_view json_text) {
  Result<json::Value> parsed = json::parse(json_text, {.max_bytes = kMaxAttributesBytes, .max_depth = 16, .max_elements = 1000}, "attributes");
  if (!parsed.is_ok()) return parsed.status();
  if (!parsed.value().is_object())
    return Status(ErrorCode::kInvalidArgument, cat({"attributes must be a JSON object, not ", json::type_name(parsed.value().type())}));
  if (parsed.value().find("features") != nullptr)
    return Status(ErrorCode::kInvalidArgument, "attributes: the key \"features\" is reserved for the derived features");
  attributes_ = std::move(parsed).value();
  return Status::ok();
}

json::Value Profile::derive_features(double now_ms, const ProfileConfig& config) const {
  using json::Value;
  constexpr double kNull = -1;  // marks "unknown" among the day counts, which are never negative
  const auto days_since = [&](std::int64_t t) { return t < 0 ? kNull : std::max(0.0, now_ms - static_cast<double>(t)) / kDayMs; };
  const auto count = [&](EventType type) { return static_cast<double>(counts_[static_cast<int>(type)]); };
  const double purchases = count(EventType::kPurchase), sessions = count(EventType::kSessionStart);
  const double money = static_cast<double>(purchase_cents_) / 100;
  // Names and values in the documented order (docs/profile.md); kNull becomes null.
  static constexpr const char* kNames[] = {
      "recency_days", "frequency", "monetary", "average_order_value", "returned_value", "return_rate", "views",
      "searches", "add_to_carts", "purchases", "returns", "events", "sessions", "session_depth",
      "average_session_depth", "days_since_first_visit", "days_since_last_visit", "days_since_last_purchase"};
  const double values[] = {
      days_since(last_purchase_ms_),
      purchases,
      money,
      purchases > 0 ? money / purchases : 0,
      static_cast<double>(return_cents_) / 100,
      purchases > 0 ? std::min(1.0, count(EventType::kReturn) / purchases) : 0,
      count(EventType::kView),
      count(EventType::kSearch),
      count(EventType::kAddToCart),
      purchases,
      count(EventType::kReturn),
      static_cast<double>(total_events_),
      sessions,
      static_cast<double>(session_depth_),
      sessions > 0 ? static_cast<double>(total_events_ - explicit_sessions_) / sessions : 0,
      days_since(first_ms_),
      days_since(last_visit_ms_),
      days_since(last_purchase_ms_)};
  static_assert(std::size(kNames) == std::size(values));
  Value f = Value::object();
  for (std::size_t i = 0; i < std::size(kNames); ++i) f.set(kNames[i], values[i] == kNull ? Value() : Value::number(values[i]));
  const auto text = [](const std::string& s) { return s.empty() ? Value() : Value::string(s); };
  f.set("channel", text(channel_));
  f.set("device", text(device_));
  const double half_life_ms = config.half_life_days * kDayMs;
  std::string top_category, top_brand;
  f.set("category_affinity", decayed_scores(categories_, now_ms, half_life_ms, &top_category));
  f.set("brand_affinity", decayed_scores(brands_, now_ms, half_life_ms, &top_brand));
  f.set("top_category", text(top_category));
  f.set("top_brand", text(top_brand));
  return f;
}

int Profile::renders_within(std::string_view content, double days, double now_ms) const {
  for (const Renders& r : renders_) {
    if (r.content != content) continue;
    int n = 0;
    for (const std::int64_t t : r.times_ms)
      if (static_cast<double>(t) > now_ms - days * kDayMs && static_cast<double>(t) <= now_ms) ++n;
    return n;
  }
  return 0;
}

void Profile::record_render(std::string_view content, double time_ms) {
  const auto t = static_cast<std::int64_t>(std::round(time_ms));
  auto it = std::find_if(renders_.begin(), renders_.end(), [&](const Renders& r) { return r.content == content; });
  if (it == renders_.end()) {
    if (renders_.size() >= kMaxRenderedContents) {
      auto stalest = std::min_element(renders_.begin(), renders_.end(),
                                      [](const Renders& a, const Renders& b) { return a.times_ms.back() < b.times_ms.back(); });
      renders_.erase(stalest);
    }
    renders_.push_back({std::string(content), {}});
    it = renders_.end() - 1;
  }
  it->times_ms.push_back(t);
  std::sort(it->times_ms.begin(), it->times_ms.end());
  if (it->times_ms.size() > kMaxRendersPerContent) it->times_ms.erase(it->times_ms.begin());
}

std::string Profile::save() const {
  std::string out = cat({"{\"v\":", int_text(kProfileVersion), ",\"attributes\":", json::write(attributes_, LexemeOnlyHost())});
  out += ",\"counts\":[";
  for (int i = 0; i < kEventTypeCount; ++i) out += (i ? "," : "") + int_text(counts_[i]);
  out += cat({"],\"starts\":", int_text(explicit_sessions_), ",\"events\":", int_text(total_events_)});
  out += cat({",\"cents\":[", int_text(purchase_cents_), ",", int_text(return_cents_), "]"});
  out += cat({",\"times\":[", int_text(first_ms_), ",", int_text(last_ms_), ",", int_text(last_visit_ms_), ",", int_text(last_purchase_ms_), "]"});
  out += cat({",\"depth\":", int_text(session_depth_), ",\"channel\":"});
  json::append_quoted(out, channel_);
  out += ",\"device\":";
  json::append_quoted(out, device_);
  for (const auto* list : {&categories_, &brands_}) {
    out += list == &categories_ ? ",\"categories\":[" : "],\"brands\":[";
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Affinity& a = (*list)[i];
      out += i ? ",[" : "[";
      json::append_quoted(out, a.name);
      out += cat({",", int_text(a.micro), ",", int_text(a.updated_ms), "]"});
    }
  }
  out += "],\"renders\":[";
  for (std::size_t i = 0; i < renders_.size(); ++i) {
    out += i ? ",[" : "[";
    json::append_quoted(out, renders_[i].content);
    out += ",[";
    for (std::size_t k = 0; k < renders_[i].times_ms.size(); ++k) out += (k ? "," : "") + int_text(renders_[i].times_ms[k]);
    out += "]]";
  }
  out += "]}";
  return out;
}

// Reads a saved profile, checking every field; the first problem ends the read.
class ProfileReader {
 public:
  static Result<Profile> read(std::string_view text) {
    if (text.size() > kMaxProfileBytes)
      return bad(cat({"it is ", int_text(static_cast<std::int64_t>(text.size())), " bytes; the limit is ", int_text(static_cast<std::int64_t>(kMaxProfileBytes))}));
    Result<json::Value> parsed = json::parse(text, {.max_bytes = kMaxProfileBytes, .max_depth = 18, .max_elements = 2000}, "profile");
    if (!parsed.is_ok()) return bad(parsed.status().message());
    const json::Value& root = parsed.value();
    if (!root.is_object()) return bad("it must be a JSON object");
    const json::Value* version = root.find("v");
    if (version == nullptr || !version->is_number()) return bad("\"v\" (the format version) is missing");
    if (version->as_number() != kProfileVersion)
      return bad(cat({"version ", (version->lexeme().empty() ? std::string("?") : version->lexeme()), " is not ", int_text(kProfileVersion), ", the version this reader knows"}));
    static constexpr const char* kKeys[] = {"v", "attributes", "counts", "starts", "events", "cents", "times", "depth", "channel", "device", "categories", "brands", "renders"};
    for (const std::string& key : root.keys())
      if (std::none_of(std::begin(kKeys), std::end(kKeys), [&](const char* k) { return key == k; }))
        return bad(cat({"unknown field \"", key, "\""}));
    Profile p;
    const json::Value* attributes = root.find("attributes");
    if (attributes == nullptr || !attributes->is_object() || attributes->find("features") != nullptr)
      return bad("\"attributes\" must be an object without the reserved key \"features\"");
    p.attributes_ = *attributes;
    std::int64_t times[4], cents[2];
    Status s = integers(root, "counts", p.counts_, kEventTypeCount, 0);
    if (s.is_ok()) s = integers(root, "starts", &p.explicit_sessions_, 0, 0);
    if (s.is_ok()) s = integers(root, "events", &p.total_events_, 0, 0);
    if (s.is_ok()) s = integers(root, "cents", cents, 2, 0);
    if (s.is_ok()) s = integers(root, "times", times, 4, -1);
    if (s.is_ok()) s = integers(root, "depth", &p.session_depth_, 0, 0);
    if (s.is_ok()) s = text_field(root, "channel", p.channel_);
    if (s.is_ok()) s = text_field(root, "device", p.device_);
    if (s.is_ok()) s = affinities(root, "categories", p.categories_);
    if (s.is_ok()) s = affinities(root, "brands", p.brands_);
    if (s.is_ok()) s = renders(root, p.renders_);
    if (!s.is_ok()) return s;
    p.purchase_cents_ = cents[0];
    p.return_cents_ = cents[1];
    p.first_ms_ = times[0];
    p.last_ms_ = times[1];
    p.last_visit_ms_ = times[2];
    p.last_purchase_ms_ = times[3];
    return p;
  }

 private:
  static Status bad(const std::string& why) {
    return Status(ErrorCode::kInvalidProfile, cat({"the saved profile cannot be loaded, so a fresh profile replaces it: ", why}));
  }
  static bool is_integer(const json::Value& v, std::int64_t min) {
    return v.is_number() && v.as_number() == std::trunc(v.as_number()) && v.as_number() >= static_cast<double>(min) &&
           v.as_number() <= kMaxSafeInteger;
  }
  // `n` == 0 reads one integer; otherwise an array of exactly n.
  static Status integers(const json::Value& root, const char* key, std::int64_t* out, int n, std::int64_t min) {
    const json::Value* v = root.find(key);
    const std::string what = cat({"\"", key, "\" must be ", (n == 0 ? std::string("an integer") : "an array of " + int_text(n) + " integers"), (min == 0 ? " >= 0" : " >= -1")});
    if (v == nullptr) return bad(what);
    if (n == 0) {
      if (!is_integer(*v, min)) return bad(what);
      *out = static_cast<std::int64_t>(v->as_number());
      return Status::ok();
    }
    if (!v->is_array() || v->size() != static_cast<std::size_t>(n)) return bad(what);
    for (int i = 0; i < n; ++i) {
      if (!is_integer(v->items()[static_cast<std::size_t>(i)], min)) return bad(what);
      out[i] = static_cast<std::int64_t>(v->items()[static_cast<std::size_t>(i)].as_number());
    }
    return Status::ok();
  }
  static Status text_field(const json::Value& root, const char* key, std::string& out) {
    const json::Value* v = root.find(key);
    if (v == nullptr || !v->is_string() || v->as_string().size() > kMaxEventFieldBytes)
      return bad(cat({"\"", key, "\" must be a string of at most 200 bytes"}));
    out = v->as_string();
    return Status::ok();
  }
  // "renders": [[content, [times ascending...]], ...]; optional (older saves have none).
  static Status renders(const json::Value& root, std::vector<Renders>& out) {
    const json::Value* v = root.find("renders");
    if (v == nullptr) return Status::ok();
    const std::string what = "\"renders\" must be an array of at most 100 [content, [times]] entries of at most 32 ascending times";
    if (!v->is_array() || v->size() > kMaxRenderedContents) return bad(what);
    for (const json::Value& e : v->items()) {
      if (!e.is_array() || e.size() != 2 || !e.items()[0].is_string() || e.items()[0].as_string().empty() ||
          e.items()[0].as_string().size() > kMaxEventFieldBytes || !e.items()[1].is_array() || e.items()[1].size() == 0 ||
          e.items()[1].size() > kMaxRendersPerContent)
        return bad(what);
      Renders r{e.items()[0].as_string(), {}};
      for (const json::Value& t : e.items()[1].items()) {
        if (!is_integer(t, 0) || (!r.times_ms.empty() && t.as_number() < static_cast<double>(r.times_ms.back()))) return bad(what);
        r.times_ms.push_back(static_cast<std::int64_t>(t.as_number()));
      }
      for (const Renders& seen : out)
        if (seen.content == r.content) return bad(cat({"\"renders\" names \"", r.content, "\" twice"}));
      out.push_back(std::move(r));
    }
    return Status::ok();
  }
  static Status affinities(const json::Value& root, const char* key, std::vector<Affinity>& out) {
    const json::Value* v = root.find(key);
    const std::string what = cat({"\"", key, "\" must be an array of at most 50 [name, score, time] entries"});
    if (v == nullptr || !v->is_array() || v->size() > kMaxAffinityKeys) return bad(what);
    for (const json::Value& e : v->items()) {
      if (!e.is_array() || e.size() != 3 || !e.items()[0].is_string() || e.items()[0].as_string().empty() ||
          e.items()[0].as_string().size() > kMaxEventFieldBytes || !e.items()[1].is_number() ||
          std::fabs(e.items()[1].as_number()) > kMaxSafeInteger || e.items()[1].as_number() != std::trunc(e.items()[1].as_number()) ||
          !is_integer(e.items()[2], 0))
        return bad(what);
      for (const Affinity& seen : out)
        if (seen.name == e.items()[0].as_string()) return bad(cat({"\"", key, "\" names \"", seen.name, "\" twice"}));
      out.push_back({e.items()[0].as_string(), static_cast<std::int64_t>(e.items()[1].as_number()),
                     static_cast<std::int64_t>(e.items()[2].as_number())});
    }
    return Status::ok();
  }
};

Result<Profile> Profile::load(std::string_view text) { return ProfileReader::read(text); }

}  // namespace cabine
