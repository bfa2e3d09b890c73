// The engine's model slot: atomic swap, and the old model staying in service.
#include <gtest/gtest.h>

#include "cabine/engine.h"
#include "test_models.h"

namespace cabine {
namespace {

using testing::golden_v1_0;

TEST(Engine, NoModelBeforeFirstLoad) {
  Engine engine;
  EXPECT_FALSE(engine.has_model());
  EXPECT_EQ(engine.model_info().code(), ErrorCode::kNoModel);
}

// Each bad file of the acceptance list fails with its own code and leaves the golden model in service.
TEST(Engine, FailedLoadKeepsPreviousModel) {
  Engine engine;
  ASSERT_TRUE(engine.load_model(golden_v1_0()).is_ok());
  const auto& golden = golden_v1_0();

  auto flipped = golden;
  flipped[flipped.size() / 2] ^= 0x10;
  auto magic = golden;
  magic[0] = 'X';
  auto newer = golden;
  newer[4] = kFormatMajor + 1;
  auto trailing = golden;
  trailing.push_back(0);
  const std::vector<std::uint8_t> truncated(golden.begin(), golden.end() - 1);

  const std::vector<std::pair<std::vector<std::uint8_t>, ErrorCode>> cases = {
      {truncated, ErrorCode::kModelTruncated},   {flipped, ErrorCode::kModelChecksumMismatch},
      {magic, ErrorCode::kModelBadMagic},        {newer, ErrorCode::kModelUnsupportedVersion},
      {trailing, ErrorCode::kModelTrailingBytes}, {{}, ErrorCode::kModelEmpty},
  };
  for (const auto& [bytes, code] : cases) {
    const Status s = engine.load_model(bytes);
    EXPECT_EQ(s.code(), code) << s.to_string();
    EXPECT_FALSE(s.message().empty());
    Result<ModelInfo> info = engine.model_info();
    ASSERT_TRUE(info.is_ok());
    EXPECT_EQ(info.value().header.model_id, "golden-v1.0");
  }
}

TEST(Engine, SuccessfulLoadReplacesModel) {
  Engine engine;
  ASSERT_TRUE(engine.load_model(golden_v1_0()).is_ok());
  ModelContent content{testing::test_header("second"), {{"k", "v"}}, {}, {}, {}, {}};
  const auto second = encode_model(content);
  ASSERT_TRUE(second.is_ok());
  ASSERT_TRUE(engine.load_model(second.value()).is_ok());
  EXPECT_EQ(engine.model_info().value().header.model_id, "second");
  EXPECT_EQ(engine.model()->metadata.size(), 1u);
}

}  // namespace
}  // namespace cabine
