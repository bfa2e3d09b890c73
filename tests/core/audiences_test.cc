// Rule audiences in the core: spec validation, matching with reasons, and the
// audiences section of a model file.
#include "cabine/audiences.h"

#include <gtest/gtest.h>

#include "cabine/engine.h"
#include "cabine/model_format.h"
#include "test_models.h"
#include "test_support.h"

namespace cabine {
namespace {

constexpr const char* kSpec = R"({
  "profile": {"half_life_days": 10, "weights": {"view": 2}},
  "saved_groups": {"staff": ["u1"]},
  "audiences": [
    {"id": "buyers", "description": "Has bought", "jsonlogic": {"and": [{">": [{"var": "features.purchases"}, 0]}, {"==": [{"var": "country"}, "FR"]}]}},
    {"id": "fr_gold", "growthbook": {"country": "FR", "tier": "gold"}},
    {"id": "staff", "growthbook": {"id": {"$inGroup": "staff"}}},
    {"id": "recent", "jsonlogic": {"within_last_days": [{"var": "signed_up"}, 7]}}
  ]
})";

TEST(Audiences, CompilesTheSpecAndItsProfileSettings) {
  const Result<AudienceSet> set = AudienceSet::compile(kSpec);
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  EXPECT_EQ(set.value().size(), 4u);
  EXPECT_EQ(set.value().profile_config().half_life_days, 10);
  EXPECT_EQ(set.value().profile_config().weight_view, 2);
  EXPECT_EQ(set.value().profile_config().weight_purchase, 5);
  EXPECT_EQ(set.value().spec().find('\n'), std::string::npos) << "stored compact";
}

TEST(Audiences, MatchesWithReasonsNamingTheFailingCondition) {
  const AudienceSet set = AudienceSet::compile(kSpec).value();
  Profile profile;
  ASSERT_TRUE(profile.set_attributes(R"({"country":"FR","tier":"silver","id":"u1","signed_up":"2026-11-30"})").is_ok());
  const double now = 1764806400000;  // 2025-12-04
  Event e;
  e.type = EventType::kPurchase;
  e.time_ms = now - 1000;
  profile.track(e, set.profile_config());
  const std::vector<AudienceMatch> m = set.match(rule_data(profile, now, set.profile_config()), testing::rule_host(), now);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].id, "buyers");
  EXPECT_TRUE(m[0].matched);
  EXPECT_EQ(m[0].reason, "matched: Has bought (all 2 conditions hold)");
  EXPECT_FALSE(m[1].matched);
  EXPECT_EQ(m[1].reason, R"(not matched: condition /tier does not hold: {"tier":"gold"})");
  EXPECT_TRUE(m[2].matched) << m[2].reason;
  EXPECT_FALSE(m[3].matched) << "signed up in the future of 2025-12-04";
  const double later = 1764806400000 + 365.0 * 86400000 - 3 * 86400000.0;  // 2026-12-01
  EXPECT_TRUE(set.match(rule_data(profile, later, set.profile_config()), testing::rule_host(), later)[3].matched);
}

TEST(Audiences, BadSpecsNameTheAudienceAndThePath) {
  const struct {
    const char* spec;
    ErrorCode code;
    const char* message;
  } cases[] = {
      {R"({"audiences":[{"id":"a","jsonlogic":{"and":[true,{"nope":[]}]}}]})", ErrorCode::kInvalidRule,
       R"(audiences: audience "a": unknown operator "nope" at /and/1 (rule at /audiences/0/jsonlogic))"},
      {R"({"audiences":[{"id":"a","growthbook":{"x":{"$bad":1}}}]})", ErrorCode::kInvalidRule,
       R"(audiences: audience "a": unknown operator "$bad" at /x (rule at /audiences/0/growthbook))"},
      {R"({"audiences":[{"id":"bad id","jsonlogic":true}]})", ErrorCode::kInvalidRule,
       "audiences: entry /audiences/0 needs an \"id\" of 1 to 64 letters, digits, '_', '-' or '.'"},
      {R"({"audiences":[{"id":"a","jsonlogic":true,"note":1}]})", ErrorCode::kInvalidRule,
       R"(audiences: audience "a": unknown key "note" (expected id, description, jsonlogic or growthbook))"},
      {R"({"audiences":{}})", ErrorCode::kInvalidRule, R"(audiences: "audiences" must be an array)"},
      {R"({"audience":[]})", ErrorCode::kInvalidRule, R"(audiences: unknown key "audience" (expected profile, saved_groups, audiences))"},
      {R"({"profile":{"weights":{"click":1}},"audiences":[]})", ErrorCode::kInvalidRule,
       "audiences: profile.weights.click is not an event with a weight (view, add_to_cart, purchase, return)"},
      {"{", ErrorCode::kInvalidJson, "audiences is not valid JSON: line 1, column 2: expected a member name in quotes"},
  };
  for (const auto& c : cases) {
    const Result<AudienceSet> r = AudienceSet::compile(c.spec);
    EXPECT_EQ(r.code(), c.code) << c.spec;
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(Audiences, TheModelSectionRoundTripsAndABadOneKeepsTheOldModel) {
  ModelContent content{testing::test_header("rules"), {}, {}, std::string(kSpec), {}, {}};
  const Result<std::vector<std::uint8_t>> file = encode_model(content);
  ASSERT_TRUE(file.is_ok()) << file.status().to_string();
  Engine engine;
  ASSERT_TRUE(engine.load_model(file.value()).is_ok());
  ASSERT_TRUE(engine.model()->audiences.has_value());
  EXPECT_EQ(engine.model()->audiences->size(), 4u);
  EXPECT_EQ(engine.profile_config().half_life_days, 10);
  ASSERT_TRUE(engine.match_audiences(0, testing::rule_host()).is_ok());
  EXPECT_EQ(engine.match_audiences(0, testing::rule_host()).value().size(), 4u);

  // A section that no longer compiles (written around the encoder's check) is refused.
  std::vector<RawSection> sections = {{1, true, {0}}, {32, false, {}}};
  const std::string bad = R"({"audiences":[{"id":"x","jsonlogic":{"nope":1}}]})";
  sections[1].content.assign(bad.begin(), bad.end());
  const std::vector<std::uint8_t> bad_file = encode_container(testing::test_header("bad"), sections);
  const Status s = engine.load_model(bad_file);
  EXPECT_EQ(s.code(), ErrorCode::kModelMalformedSection);
  EXPECT_NE(s.message().find(R"(audience "x": unknown operator "nope")"), std::string::npos) << s.message();
  EXPECT_EQ(engine.model()->info.header.model_id, "rules");

  content.audiences = R"({"audiences":[{"id":"x","growthbook":[]}]})";
  EXPECT_EQ(encode_model(content).code(), ErrorCode::kInvalidArgument);
}

TEST(Audiences, EngineWithoutAModelRefusesAndWithoutSectionGivesNone) {
  Engine engine;
  EXPECT_EQ(engine.match_audiences(0, testing::rule_host()).code(), ErrorCode::kNoModel);
  ASSERT_TRUE(engine.load_model(testing::golden_v1_0()).is_ok());
  EXPECT_TRUE(engine.match_audiences(0, testing::rule_host()).value().empty());
  EXPECT_EQ(engine.profile_config().half_life_days, 30);
  EXPECT_EQ(engine.track(R"({"type":"view","time":5,"category":"dress"})").code(), ErrorCode::kOk);
  EXPECT_EQ(engine.track(R"({"type":"view"})").code(), ErrorCode::kInvalidEvent);
  EXPECT_EQ(engine.track("{").code(), ErrorCode::kInvalidJson);
  EXPECT_EQ(engine.load_profile("junk").code(), ErrorCode::kInvalidProfile);
  EXPECT_EQ(engine.profile().events(), 0) << "a failed load leaves a fresh profile";
}

}  // namespace
}  // namespace cabine
