// The on-device profile: events, derived features, save/load and the trainer's replay.
#include "cabine/profile.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "cabine/event_log.h"
#include "test_support.h"

namespace cabine {
namespace {

constexpr double kDay = 86400000.0;
constexpr double kT0 = 1767225600000.0;  // 2026-01-01T00:00:00Z

Event make(EventType type, double t, std::string category = "", std::string brand = "", double price = -1) {
  Event e;
  e.type = type;
  e.time_ms = t;
  e.category = std::move(category);
  e.brand = std::move(brand);
  e.price = price;
  return e;
}

double feature(const json::Value& f, std::string_view name) {
  const json::Value* v = f.find(name);
  EXPECT_NE(v, nullptr) << name;
  return v != nullptr ? v->as_number() : NAN;
}

TEST(Profile, DecayFactorHalvesPerHalfLife) {
  EXPECT_EQ(decay_factor(0, 30), 1.0);
  EXPECT_EQ(decay_factor(30, 30), 0.5);
  EXPECT_EQ(decay_factor(90, 30), 0.125);
  EXPECT_NEAR(decay_factor(15, 30), std::sqrt(0.5), 1e-15);
  EXPECT_NEAR(decay_factor(7.3, 30), std::exp2(-7.3 / 30), 1e-15);
  EXPECT_EQ(decay_factor(1e9, 1), 0.0);
  EXPECT_EQ(decay_factor(-5, 30), 1.0);
}

TEST(Profile, DerivesRecencyFrequencyMonetaryAndRates) {
  Profile p;
  const ProfileConfig config;
  p.track(make(EventType::kSessionStart, kT0), config);
  p.track(make(EventType::kView, kT0 + 1000, "dresses", "Acme"), config);
  p.track(make(EventType::kAddToCart, kT0 + 2000, "dresses", "Acme", 49.99), config);
  p.track(make(EventType::kPurchase, kT0 + 3000, "dresses", "Acme", 49.99), config);
  p.track(make(EventType::kPurchase, kT0 + 10 * kDay, "jeans", "Bolt", 80), config);  // a new session (gap > 30 min)
  p.track(make(EventType::kReturn, kT0 + 12 * kDay, "jeans", "Bolt", 80), config);
  const json::Value f = p.derive_features(kT0 + 20 * kDay, config);
  EXPECT_EQ(feature(f, "frequency"), 2);
  EXPECT_EQ(feature(f, "monetary"), 129.99);
  EXPECT_EQ(feature(f, "average_order_value"), 64.995);
  EXPECT_EQ(feature(f, "returned_value"), 80);
  EXPECT_EQ(feature(f, "return_rate"), 0.5);
  EXPECT_EQ(feature(f, "recency_days"), 10);
  EXPECT_EQ(feature(f, "days_since_last_purchase"), 10);
  EXPECT_EQ(feature(f, "days_since_last_visit"), 8);  // the return started the third session
  EXPECT_EQ(feature(f, "days_since_first_visit"), 20);
  EXPECT_EQ(feature(f, "sessions"), 3);
  EXPECT_EQ(feature(f, "session_depth"), 1);
  EXPECT_EQ(feature(f, "views"), 1);
  EXPECT_EQ(feature(f, "add_to_carts"), 1);
  EXPECT_EQ(feature(f, "purchases"), 2);
  EXPECT_EQ(feature(f, "returns"), 1);
  EXPECT_EQ(feature(f, "events"), 6);
  EXPECT_EQ(feature(f, "average_session_depth"), 5.0 / 3);
  // Affinities: dresses got 1 + 3 + 5 at day 0, then decay 20 days with a 30-day half-life.
  const json::Value* categories = f.find("category_affinity");
  ASSERT_NE(categories, nullptr);
  EXPECT_NEAR(feature(*categories, "dresses"), 9 * std::exp2(-(20 * kDay - 3000) / (30 * kDay)), 2e-6);  // scores kept to 1e-6
  // jeans: +5 at day 10, -5 at day 12 (the purchase decayed 2 days first).
  EXPECT_NEAR(feature(*categories, "jeans"), 5 * (std::exp2(-2.0 / 30) - 1) * std::exp2(-8.0 / 30), 1e-6);
  EXPECT_EQ(f.find("top_category")->as_string(), "dresses");
  EXPECT_EQ(f.find("top_brand")->as_string(), "Acme");
  EXPECT_TRUE(f.find("channel")->is_null());
}

TEST(Profile, NewVisitorHasNullRecencyAndZeroRates) {
  const json::Value f = Profile().derive_features(kT0, ProfileConfig());
  EXPECT_TRUE(f.find("recency_days")->is_null());
  EXPECT_TRUE(f.find("days_since_last_visit")->is_null());
  EXPECT_EQ(feature(f, "return_rate"), 0);
  EXPECT_EQ(feature(f, "frequency"), 0);
  EXPECT_TRUE(f.find("top_category")->is_null());
}

TEST(Profile, KeepsTheFiftyStrongestCategories) {
  Profile p;
  for (int i = 0; i < 60; ++i) p.track(make(EventType::kView, kT0 + i * 1000.0, "c" + std::to_string(i)), ProfileConfig());
  const json::Value f = p.derive_features(kT0 + 60000, ProfileConfig());
  EXPECT_EQ(f.find("category_affinity")->size(), kMaxAffinityKeys);
  EXPECT_NE(f.find("category_affinity")->find("c59"), nullptr);
}

TEST(Profile, SaveLoadRoundTripsByteForByte) {
  Profile p;
  ASSERT_TRUE(p.set_attributes(R"({"country":"FR","tier":"gold","score":0.10,"styles":["boho","minimal"],"nested":{"a":null}})").is_ok());
  Event e = make(EventType::kPurchase, kT0, "dresses", "Ac\"me", 19.95);
  e.channel = "app";
  e.device = "mobile";
  p.track(e, ProfileConfig());
  p.track(make(EventType::kView, kT0 + 5 * kDay, "tops", "Bolt"), ProfileConfig());
  const std::string saved = p.save();
  Result<Profile> loaded = Profile::load(saved);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_TRUE(loaded.value() == p);
  EXPECT_EQ(loaded.value().save(), saved);
  EXPECT_NE(saved.find("\"score\":0.10"), std::string::npos) << saved;
  // An empty profile too.
  EXPECT_EQ(Profile::load(Profile().save()).value().save(), Profile().save());
}

TEST(Profile, CorruptOldAndOversizedProfilesAreRefusedClearly) {
  Profile p;
  p.track(make(EventType::kView, kT0, "tops"), ProfileConfig());
  const std::string saved = p.save();
  const std::string prefix = "the saved profile cannot be loaded, so a fresh profile replaces it: ";
  const struct {
    std::string text;
    std::string why;
  } cases[] = {
      {saved.substr(0, saved.size() / 2), "profile is not valid JSON: line 1, column " + std::to_string(saved.size() / 2 + 1) + ": "},
      {"[]", "it must be a JSON object"},
      {"{\"v\":0}", "version 0 is not 1, the version this reader knows"},
      {"{\"v\":2,\"future\":true}", "version 2 is not 1, the version this reader knows"},
      {"{}", "\"v\" (the format version) is missing"},
      {std::string(saved).replace(saved.find("\"counts\":["), 10, "\"counts\":[-"), "\"counts\" must be an array of 6 integers >= 0"},
      {std::string(saved).replace(saved.find("\"events\""), 8, "\"evnts\""), "unknown field \"evnts\""},
      {std::string(kMaxProfileBytes + 1, ' '), "it is 262145 bytes; the limit is 262144"},
  };
  for (const auto& c : cases) {
    const Result<Profile> r = Profile::load(c.text);
    ASSERT_FALSE(r.is_ok()) << c.text.substr(0, 80);
    EXPECT_EQ(r.code(), ErrorCode::kInvalidProfile);
    EXPECT_EQ(r.status().message().rfind(prefix + c.why, 0), 0u) << r.status().message();
  }
  // Every truncation of a real profile is refused, none crashes.
  for (std::size_t n = 0; n < saved.size(); ++n) EXPECT_FALSE(Profile::load(saved.substr(0, n)).is_ok()) << n;
}

TEST(Profile, AttributesMustBeAnObjectWithoutFeatures) {
  Profile p;
  EXPECT_EQ(p.set_attributes("[1]").message(), "attributes must be a JSON object, not array");
  EXPECT_EQ(p.set_attributes(R"({"features":1})").message(), "attributes: the key \"features\" is reserved for the derived features");
  EXPECT_EQ(p.set_attributes("{").code(), ErrorCode::kInvalidJson);
  EXPECT_TRUE(p.attributes().size() == 0);
  ASSERT_TRUE(p.set_attributes(R"({"a":1})").is_ok());
  p.forget();
  EXPECT_TRUE(p == Profile());
}

TEST(Profile, EventsAreValidatedFieldByField) {
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {R"({"time":1})", "event: type is missing"},
      {R"({"type":"view"})", "event: time is missing"},
      {R"({"type":"buy","time":1})", "event: type must be one of session_start, view, search, add_to_cart, purchase, return"},
      {R"({"type":"view","time":-1})", "event: time must be milliseconds since 1970 (a number from 0 to 8.64e15)"},
      {R"({"type":"purchase","time":1,"price":-3})", "event: price must be a number from 0 to 1e9"},
      {R"({"type":"view","time":1,"category":7})", "event: category must be a string"},
      {R"({"type":"view","time":1,"catgory":"x"})",
       "event: unknown field \"catgory\" (expected type, time, productId, category, brand, price, channel, device)"},
  };
  for (const auto& c : cases) {
    const Result<Event> r = event_from_json(json::parse(c.text).value());
    EXPECT_EQ(r.code(), ErrorCode::kInvalidEvent) << c.text;
    EXPECT_EQ(r.status().message(), c.message);
  }
  const Result<Event> ok = event_from_json(json::parse(R"({"type":"add_to_cart","time":5.4,"productId":"P1","price":12.5,"device":"mobile"})").value());
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(ok.value().type, EventType::kAddToCart);
  EXPECT_EQ(ok.value().time_ms, 5);
  EXPECT_EQ(ok.value().price, 12.5);
}

TEST(Profile, ReplayOfAnEventLogEqualsTrackingOneByOne) {
  std::string log;
  Profile a, b;
  const ProfileConfig config;
  for (int i = 0; i < 200; ++i) {
    const char* types[] = {"view", "add_to_cart", "purchase", "return", "session_start", "search"};
    const std::string type = types[i % 6];
    const std::string line = "{\"type\":\"" + type + "\",\"time\":" + std::to_string(static_cast<long long>(kT0) + i * 3600000LL) +
                             ",\"category\":\"c" + std::to_string(i % 7) + "\",\"price\":" + std::to_string(i % 13) + ".25";
    log += "{\"customerId\":\"" + std::string(i % 2 ? "a" : "b") + "\"," + line.substr(1) + "}\n";
    (i % 2 ? a : b).track(event_from_json(json::parse(line + "}").value()).value(), config);
  }
  log += "not json\n{\"type\":\"view\",\"time\":1}\n\n";
  const EventLogReplay replay = replay_event_log(log, config);
  ASSERT_EQ(replay.customers.size(), 2u);
  EXPECT_EQ(replay.customers[0].customer_id, "b");
  EXPECT_TRUE(replay.customers[0].profile == b);
  EXPECT_TRUE(replay.customers[1].profile == a);
  EXPECT_EQ(replay.events, 200u);
  ASSERT_EQ(replay.skipped.size(), 2u);
  EXPECT_EQ(replay.skipped[0].line, 201u);
  EXPECT_EQ(replay.skipped[1].column, "customerId");
}

}  // namespace
}  // namespace cabine
