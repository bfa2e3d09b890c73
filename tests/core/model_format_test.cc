// The model loader and writer: the golden file, every failure class of the
// acceptance list, and robustness on damaged and random input.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "cabine/model_format.h"
#include "test_models.h"

namespace cabine {
namespace {

using testing::golden_v1_0;
using testing::reseal;
using testing::strings_section;
using testing::test_header;

ErrorCode load_code(const std::vector<std::uint8_t>& bytes) { return parse_model(bytes).code(); }

// The golden v1.0 file keeps loading, with exactly the contents it was written with.
TEST(GoldenModel, V1_0LoadsWithItsContents) {
  Result<Model> r = parse_model(golden_v1_0());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const Model& m = r.value();
  EXPECT_EQ(m.info.header.model_id, "golden-v1.0");
  EXPECT_EQ(m.info.format_major, 1);
  EXPECT_EQ(m.info.format_minor, 0);
  EXPECT_EQ(m.info.header.created_at_ms, 1767225600000u);
  EXPECT_EQ(m.info.header.exporter_version, "0.1.0");
  EXPECT_EQ(to_hex(m.info.header.data_fingerprint).size(), 64u);
  EXPECT_EQ(m.info.total_bytes, golden_v1_0().size());
  ASSERT_EQ(m.info.sections.size(), 2u);
  EXPECT_EQ(m.info.sections[0].name, "strings");
  EXPECT_TRUE(m.info.sections[0].required);
  EXPECT_EQ(m.info.sections[1].name, "metadata");
  EXPECT_FALSE(m.info.sections[1].required);
  ASSERT_EQ(m.metadata.size(), 2u);
  EXPECT_EQ(m.metadata[0], std::make_pair(std::string("description"), std::string("Golden model for format v1.0")));
  EXPECT_EQ(m.metadata[1], std::make_pair(std::string("note"), std::string("Grüße, ✓ UTF-8")));
}

// The writer still produces the golden bytes from the golden contents: v1.0 encoding is frozen.
TEST(GoldenModel, WriterReproducesV1_0Bytes) {
  const Model m = parse_model(golden_v1_0()).value();
  ModelContent content{m.info.header, m.metadata, {}, {}, {}, {}};
  Result<std::vector<std::uint8_t>> encoded = encode_model(content);
  ASSERT_TRUE(encoded.is_ok()) << encoded.status().to_string();
  EXPECT_EQ(encoded.value(), golden_v1_0());
}

TEST(ModelLoader, EmptyFile) { EXPECT_EQ(load_code({}), ErrorCode::kModelEmpty); }

// Every proper prefix of the golden file is reported as truncated, never as something else.
TEST(ModelLoader, EveryTruncatedPrefixIsTruncated) {
  const auto& golden = golden_v1_0();
  for (std::size_t len = 1; len < golden.size(); ++len) {
    std::vector<std::uint8_t> prefix(golden.begin(), golden.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_EQ(load_code(prefix), ErrorCode::kModelTruncated) << "prefix of " << len << " bytes";
  }
}

// Any single flipped byte or bit in the payload is caught by the checksum.
TEST(ModelLoader, EveryFlippedPayloadByteIsChecksumMismatch) {
  const auto& golden = golden_v1_0();
  for (std::size_t i = kPreambleBytes; i < golden.size(); ++i) {
    for (std::uint8_t mask : {std::uint8_t{0xFF}, std::uint8_t{0x01}, std::uint8_t{0x80}}) {
      auto damaged = golden;
      damaged[i] ^= mask;
      EXPECT_EQ(load_code(damaged), ErrorCode::kModelChecksumMismatch) << "byte " << i << " mask " << int(mask);
    }
  }
}

TEST(ModelLoader, WrongMagic) {
  for (std::size_t i = 0; i < 4; ++i) {
    auto damaged = golden_v1_0();
    damaged[i] ^= 0x20;
    EXPECT_EQ(load_code(damaged), ErrorCode::kModelBadMagic) << "byte " << i;
  }
  const std::string text = "{\"not\": \"a model\"}";
  EXPECT_EQ(load_code({text.begin(), text.end()}), ErrorCode::kModelBadMagic);
  EXPECT_EQ(load_code({0x00}), ErrorCode::kModelBadMagic);
}

TEST(ModelLoader, NewerOrUnknownMajorVersionIsUnsupported) {
  auto newer = golden_v1_0();
  newer[4] = 2;
  Result<Model> r = parse_model(newer);
  EXPECT_EQ(r.code(), ErrorCode::kModelUnsupportedVersion);
  EXPECT_NE(r.status().message().find("2.0"), std::string::npos) << r.status().message();
  auto zero = golden_v1_0();
  zero[4] = 0;
  EXPECT_EQ(load_code(zero), ErrorCode::kModelUnsupportedVersion);
  // Version is checked before length, so a short file from the future still says "newer".
  std::vector<std::uint8_t> short_future(newer.begin(), newer.begin() + 6);
  EXPECT_EQ(load_code(short_future), ErrorCode::kModelUnsupportedVersion);
}

// A newer minor version may add header fields and optional sections; this reader skips them.
TEST(ModelLoader, NewerMinorVersionLoadsAndSkipsAdditions) {
  const ModelHeader header = test_header();
  std::vector<RawSection> sections = {strings_section({"a"}), RawSection{900, false, {1, 2, 3}}};
  auto file = encode_container(header, sections, kFormatMajor, kFormatMinor + 1);
  // Append an unknown header field: bump the header length varint (first payload byte).
  file.insert(file.begin() + static_cast<std::ptrdiff_t>(kPreambleBytes + 1 + file[kPreambleBytes]), 0x42);
  file[kPreambleBytes] += 1;
  reseal(file);
  Result<Model> r = parse_model(file);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r.value().info.format_minor, kFormatMinor + 1);
  ASSERT_EQ(r.value().info.sections.size(), 2u);
  EXPECT_EQ(r.value().info.sections[1].name, "tag_900");
  EXPECT_FALSE(r.value().info.sections[1].known);
  EXPECT_EQ(r.value().info.sections[1].bytes, 3u);
}

TEST(ModelLoader, TrailingBytes) {
  for (std::size_t extra : {1u, 7u, 4096u}) {
    auto file = golden_v1_0();
    file.insert(file.end(), extra, 0);
    EXPECT_EQ(load_code(file), ErrorCode::kModelTrailingBytes) << extra;
  }
}

TEST(ModelLoader, MissingRequiredSection) {
  const RawSection metadata{static_cast<std::uint32_t>(SectionTag::kMetadata), false, {0}};
  const auto file = encode_container(test_header(), std::vector<RawSection>{metadata});
  Result<Model> r = parse_model(file);
  EXPECT_EQ(r.code(), ErrorCode::kModelMissingRequiredSection);
  EXPECT_NE(r.status().message().find("strings"), std::string::npos);
}

TEST(ModelLoader, UnknownRequiredSectionIsRefusedUnknownOptionalIsSkipped) {
  std::vector<RawSection> sections = {strings_section({}), RawSection{77, true, {9}}};
  EXPECT_EQ(load_code(encode_container(test_header(), sections)), ErrorCode::kModelUnknownRequiredSection);
  sections[1].required = false;
  EXPECT_EQ(load_code(encode_container(test_header(), sections)), ErrorCode::kOk);
}

TEST(ModelLoader, DuplicateSection) {
  std::vector<RawSection> sections = {strings_section({"a"}), strings_section({"b"})};
  EXPECT_EQ(load_code(encode_container(test_header(), sections)), ErrorCode::kModelDuplicateSection);
}

TEST(ModelLoader, MalformedSectionContents) {
  // A string that is not UTF-8.
  EXPECT_EQ(load_code(encode_container(test_header(), std::vector{strings_section({"\xC3\x28"})})),
            ErrorCode::kModelMalformedSection);
  // A string table whose count promises more than it holds.
  RawSection short_table = strings_section({"abc"});
  short_table.content[0] = 2;
  EXPECT_EQ(load_code(encode_container(test_header(), std::vector{short_table})), ErrorCode::kModelMalformedSection);
  // Metadata pointing past the string table.
  const RawSection bad_index{static_cast<std::uint32_t>(SectionTag::kMetadata), false, {1, 0, 5}};
  Result<Model> r = parse_model(encode_container(test_header(), std::vector{strings_section({"k"}), bad_index}));
  EXPECT_EQ(r.code(), ErrorCode::kModelMalformedSection);
  EXPECT_NE(r.status().message().find("metadata"), std::string::npos) << r.status().message();
  // Metadata with a duplicate key.
  const RawSection dup{static_cast<std::uint32_t>(SectionTag::kMetadata), false, {2, 0, 1, 0, 1}};
  EXPECT_EQ(load_code(encode_container(test_header(), std::vector{strings_section({"k", "v"}), dup})),
            ErrorCode::kModelMalformedSection);
  // Trailing bytes inside a known section of the current minor version.
  RawSection padded = strings_section({"a"});
  padded.content.push_back(0);
  EXPECT_EQ(load_code(encode_container(test_header(), std::vector{padded})), ErrorCode::kModelMalformedSection);
}

TEST(ModelLoader, MalformedHeader) {
  ModelHeader empty_id = test_header("");
  EXPECT_EQ(load_code(encode_container(empty_id, std::vector{strings_section({})})), ErrorCode::kModelMalformedHeader);
  ModelHeader control = test_header("bad\nid");
  EXPECT_EQ(load_code(encode_container(control, std::vector{strings_section({})})), ErrorCode::kModelMalformedHeader);
  // Unknown section flag bits.
  auto file = encode_container(test_header(), std::vector{strings_section({})});
  const std::size_t flags_at = file.size() - 3;  // tag, flags, length(=1), content(=1 byte count)
  ASSERT_EQ(file[flags_at], 1);
  file[flags_at] = 0x81;
  reseal(file);
  EXPECT_EQ(load_code(file), ErrorCode::kModelMalformedHeader);
  // Bytes after the last section.
  file = encode_container(test_header(), std::vector{strings_section({})});
  file.push_back(0);
  reseal(file);
  EXPECT_EQ(load_code(file), ErrorCode::kModelMalformedHeader);
}

TEST(ModelLoader, TooLarge) {
  std::vector<std::uint8_t> huge(kMaxModelBytes + 1, 0);
  std::copy(kModelMagic.begin(), kModelMagic.end(), huge.begin());
  EXPECT_EQ(load_code(huge), ErrorCode::kModelTooLarge);
}

// Random damage, with and without a repaired checksum, never crashes the loader
// and only ever yields OK or a model error code.
TEST(ModelLoader, SurvivesRandomDamage) {
  std::mt19937 rng(20261203);
  const auto& golden = golden_v1_0();
  std::set<ErrorCode> seen;
  for (int iter = 0; iter < 20000; ++iter) {
    auto file = golden;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = kPreambleBytes + rng() % (file.size() - kPreambleBytes);
      switch (rng() % 4) {
        case 0: file[at] = static_cast<std::uint8_t>(rng()); break;
        case 1: file.insert(file.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(rng())); break;
        case 2: if (file.size() > kPreambleBytes + 1) file.erase(file.begin() + static_cast<std::ptrdiff_t>(at)); break;
        case 3: file[at] = 0xFF; break;
      }
    }
    if (iter % 2 == 0) reseal(file);
    const ErrorCode code = load_code(file);
    seen.insert(code);
    EXPECT_TRUE(code == ErrorCode::kOk || (code >= ErrorCode::kModelEmpty && code <= ErrorCode::kModelTooLarge))
        << "iteration " << iter << " gave " << error_code_name(code);
  }
  // The resealed half must reach past the checksum into the structural checks.
  EXPECT_TRUE(seen.count(ErrorCode::kModelChecksumMismatch));
  EXPECT_TRUE(seen.count(ErrorCode::kModelMalformedHeader) || seen.count(ErrorCode::kModelMalformedSection));
}

TEST(ModelWriter, RejectsInvalidContentNamingTheField) {
  ModelContent content{test_header(""), {}, {}, {}, {}, {}};
  Result<std::vector<std::uint8_t>> r = encode_model(content);
  EXPECT_EQ(r.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("model_id"), std::string::npos);
  content.header = test_header(std::string(kMaxModelIdBytes + 1, 'x'));
  EXPECT_EQ(encode_model(content).code(), ErrorCode::kInvalidArgument);
  content.header = test_header();
  content.metadata = {{"k", "1"}, {"k", "2"}};
  r = encode_model(content);
  EXPECT_EQ(r.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'k'"), std::string::npos);
  content.metadata = {{"k", "\xFF"}};
  EXPECT_EQ(encode_model(content).code(), ErrorCode::kInvalidArgument);
}

// Strings shared by several entries are stored once.
TEST(ModelWriter, RoundTripsAndInternsStrings) {
  ModelContent content{test_header(), {{"a", "same"}, {"b", "same"}, {"c", ""}}, {}, {}, {}, {}};
  Result<std::vector<std::uint8_t>> encoded = encode_model(content);
  ASSERT_TRUE(encoded.is_ok());
  Result<Model> loaded = parse_model(encoded.value());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded.value().metadata, content.metadata);
  EXPECT_EQ(loaded.value().strings.size(), 5u);  // a, same, b, c, ""
  EXPECT_EQ(loaded.value().info.header.model_id, "test-model");
}

TEST(ErrorCodes, NamesAreStableAndDistinct) {
  std::set<std::string_view> names;
  for (int i = 0; i < kErrorCodeCount; ++i) {
    const std::string_view name = error_code_name(static_cast<ErrorCode>(i));
    EXPECT_NE(name, "UNKNOWN") << i;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(error_code_name(ErrorCode::kModelChecksumMismatch), "MODEL_CHECKSUM_MISMATCH");
  EXPECT_EQ(error_code_name(static_cast<ErrorCode>(kErrorCodeCount)), "UNKNOWN");
}

}  // namespace
}  // namespace cabine
