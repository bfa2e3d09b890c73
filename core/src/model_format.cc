// Loader and writer for model format v1 (docs/model-format.md).
//
// The loader runs in stages, each of which can only fail with its own code, so
// a caller (and a test) can tell a short file from a corrupt one from a file
// written by a newer exporter: size -> magic -> version -> declared length ->
// checksum -> header -> section table -> section contents.
#include <algorithm>
#include <string>
#include <utility>
#include <unordered_map>
#include <unordered_set>

#include "byte_io.h"
#include "cabine/hash.h"
#include "cabine/model_format.h"

namespace cabine {
namespace {

using internal::ByteReader;
using internal::ByteWriter;
using internal::cat;
using internal::error_status;
using internal::is_valid_utf8;

std::string hex32(std::uint32_t v) {
  const std::uint8_t be[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                              static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  return "0x" + to_hex(be);
}

[[gnu::noinline]] Status malformed_header(std::string_view what) {
  return error_status(ErrorCode::kModelMalformedHeader, {"model header: ", what});
}

[[gnu::noinline]] Status malformed_section(std::string_view section, std::string_view what) {
  return error_status(ErrorCode::kModelMalformedSection, {"section '", section, "': ", what});
}

// Sorts views in place: a heapsort, O(n log n) on any input and much smaller in the wasm than std::sort.
void sort_views(std::vector<std::string_view>& v) {
  const std::size_t n = v.size();
  auto sift_down = [&v](std::size_t root, std::size_t end) {
    for (std::size_t child; (child = 2 * root + 1) < end; root = child) {
      if (child + 1 < end && v[child] < v[child + 1]) ++child;
      if (!(v[root] < v[child])) return;
      std::swap(v[root], v[child]);
    }
  };
  for (std::size_t i = n / 2; i-- > 0;) sift_down(i, n);
  for (std::size_t end = n; end > 1; --end) {
    std::swap(v[0], v[end - 1]);
    sift_down(0, end - 1);
  }
}

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
}

// Checks on header fields shared by the reader and the writer.
Status check_header_fields(const ModelHeader& h) {
  if (h.model_id.empty() || h.model_id.size() > kMaxModelIdBytes)
    return error_status(ErrorCode::kInvalidArgument,
                        {"model_id must be 1..", kMaxModelIdBytes, " bytes, got ", h.model_id.size()});
  if (!is_valid_utf8(h.model_id) || has_control_chars(h.model_id))
    return Status(ErrorCode::kInvalidArgument, "model_id is not printable UTF-8");
  if (h.exporter_version.size() > kMaxExporterVersionBytes || !is_valid_utf8(h.exporter_version) ||
      has_control_chars(h.exporter_version))
    return error_status(ErrorCode::kInvalidArgument,
                        {"exporter_version must be printable UTF-8 of at most ", kMaxExporterVersionBytes, " bytes"});
  if (h.created_at_ms > kMaxCreatedAtMs)
    return error_status(ErrorCode::kInvalidArgument, {"created_at_ms ", h.created_at_ms, " exceeds 2^53-1"});
  return Status::ok();
}

Status read_header(ByteReader& payload, std::uint8_t minor, ModelHeader& header) {
  std::uint64_t header_len;
  if (!payload.varint_max(payload.remaining(), header_len))
    return malformed_header("header length is missing or exceeds the payload");
  std::span<const std::uint8_t> header_bytes;
  (void)payload.bytes(static_cast<std::size_t>(header_len), header_bytes);
  ByteReader r(header_bytes);
  if (!r.string(kMaxModelIdBytes, header.model_id)) return malformed_header("model_id is missing or too long");
  if (!r.varint_max(kMaxCreatedAtMs, header.created_at_ms))
    return malformed_header("created_at is missing or out of range");
  if (!r.string(kMaxExporterVersionBytes, header.exporter_version))
    return malformed_header("exporter_version is missing or too long");
  std::span<const std::uint8_t> fingerprint;
  if (!r.bytes(header.data_fingerprint.size(), fingerprint))
    return malformed_header("data fingerprint is missing");
  std::copy(fingerprint.begin(), fingerprint.end(), header.data_fingerprint.begin());
  // A newer minor version may append header fields; this reader skips them.
  if (!r.at_end() && minor <= kFormatMinor)
    return malformed_header(cat({r.remaining(), " unexpected bytes at the end of the header"}));
  Status fields = check_header_fields(header);
  if (!fields.is_ok()) return malformed_header(fields.message());
  return Status::ok();
}

struct SectionSpan {
  SectionInfo info;
  std::span<const std::uint8_t> content;
};

Status decode_strings(std::span<const std::uint8_t> content, std::uint8_t minor, Model& model) {
  ByteReader r(content);
  std::uint64_t count;
  // Every string takes at least one byte (its length), which bounds the count.
  if (!r.varint_max(r.remaining(), count)) return malformed_section("strings", "count exceeds the section size");
  model.strings.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(count, 4096)));  // grow with what is read
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string s;
    if (!r.string(kMaxStringBytes, s))
      return malformed_section("strings", cat({"string ", i, " is truncated or longer than ", kMaxStringBytes, " bytes"}));
    if (!is_valid_utf8(s)) return malformed_section("strings", cat({"string ", i, " is not valid UTF-8"}));
    model.strings.push_back(std::move(s));
  }
  if (!r.at_end() && minor <= kFormatMinor)
    return malformed_section("strings", cat({r.remaining(), " unexpected trailing bytes"}));
  return Status::ok();
}

// Reads a string-table index and resolves it.
bool read_string_ref(ByteReader& r, const Model& model, const std::string*& out) {
  std::uint64_t index;
  if (!r.varint(index) || index >= model.strings.size()) return false;
  out = &model.strings[static_cast<std::size_t>(index)];
  return true;
}

Status decode_metadata(std::span<const std::uint8_t> content, std::uint8_t minor, Model& model) {
  ByteReader r(content);
  std::uint64_t count;
  if (!r.varint_max(r.remaining() / 2, count)) return malformed_section("metadata", "count exceeds the section size");
  std::vector<std::string_view> keys;
  keys.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string* key;
    const std::string* value;
    if (!read_string_ref(r, model, key) || !read_string_ref(r, model, value))
      return malformed_section("metadata", cat({"entry ", i, " has a missing or out-of-range string index"}));
    if (key->empty() || key->size() > kMaxMetadataKeyBytes)
      return malformed_section("metadata", cat({"entry ", i, " has an empty or over-long key"}));
    keys.push_back(*key);
    model.metadata.emplace_back(*key, *value);
  }
  // Sorting rather than a hash set keeps the wasm small and stays O(n log n) on hostile input.
  sort_views(keys);
  for (std::size_t i = 1; i < keys.size(); ++i)
    if (keys[i - 1] == keys[i]) return malformed_section("metadata", cat({"duplicate key '", keys[i], "'"}));
  if (!r.at_end() && minor <= kFormatMinor)
    return malformed_section("metadata", cat({r.remaining(), " unexpected trailing bytes"}));
  return Status::ok();
}

bool is_known_tag(std::uint32_t tag) {
  return tag == static_cast<std::uint32_t>(SectionTag::kStrings) ||
         tag == static_cast<std::uint32_t>(SectionTag::kMetadata) || tag == static_cast<std::uint32_t>(SectionTag::kFit) ||
         tag == static_cast<std::uint32_t>(SectionTag::kAudiences) || tag == static_cast<std::uint32_t>(SectionTag::kLearned) ||
         tag == static_cast<std::uint32_t>(SectionTag::kDecisions);
}

}  // namespace

std::string section_name(std::uint32_t tag) {
  switch (static_cast<SectionTag>(tag)) {
    case SectionTag::kStrings: return "strings";
    case SectionTag::kMetadata: return "metadata";
    case SectionTag::kFit: return "fit";
    case SectionTag::kAudiences: return "audiences";
    case SectionTag::kLearned: return "learned";
    case SectionTag::kDecisions: return "decisions";
  }
  return cat({"tag_", tag});
}

namespace {

// parse_model's stages. Returning a Status rather than a Result<Model> from each
// of the many checks keeps every failure path short in the wasm.
Status parse_into(std::span<const std::uint8_t> bytes, Model& model) {
  const std::size_t n = bytes.size();
  if (n == 0) return Status(ErrorCode::kModelEmpty, "the model file is empty (0 bytes)");
  if (n > kMaxModelBytes)
    return error_status(ErrorCode::kModelTooLarge, {"the model file has ", n, " bytes; the limit is ", kMaxModelBytes});

  // Magic: a short file that agrees with the magic so far is truncated, not foreign.
  const std::size_t magic_seen = std::min(n, kModelMagic.size());
  if (!std::equal(bytes.begin(), bytes.begin() + magic_seen, kModelMagic.begin()))
    return Status(ErrorCode::kModelBadMagic, "not a Cabine model: the file does not start with \"CABN\"");
  if (n < 6) return error_status(ErrorCode::kModelTruncated, {"truncated: ", n, " bytes end inside the preamble"});

  const std::uint8_t major = bytes[4];
  const std::uint8_t minor = bytes[5];
  if (major != kFormatMajor)
    return error_status(ErrorCode::kModelUnsupportedVersion,
                        {"format version ", major, ".", minor, " is not supported; this reader reads ", kFormatMajor,
                         ".x", major > kFormatMajor ? " (update cabine to load it)" : ""});
  if (n < kPreambleBytes)
    return error_status(ErrorCode::kModelTruncated, {"truncated: ", n, " bytes end inside the 14-byte preamble"});

  ByteReader preamble(bytes.subspan(6, 8));
  std::uint32_t payload_len = 0, stored_crc = 0;
  (void)preamble.u32le(payload_len);
  (void)preamble.u32le(stored_crc);
  const std::size_t available = n - kPreambleBytes;
  if (payload_len > available)
    return error_status(ErrorCode::kModelTruncated, {"truncated: the preamble declares a ", payload_len,
                                                     "-byte payload but only ", available, " bytes follow"});
  if (payload_len < available)
    return error_status(ErrorCode::kModelTrailingBytes,
                        {available - payload_len, " trailing bytes after the declared ", payload_len, "-byte payload"});

  const auto payload_bytes = bytes.subspan(kPreambleBytes);
  const std::uint32_t actual_crc = crc32(payload_bytes);
  if (actual_crc != stored_crc)
    return error_status(ErrorCode::kModelChecksumMismatch, {"payload checksum mismatch (stored ", hex32(stored_crc),
                                                            ", computed ", hex32(actual_crc), "): the file is corrupt"});

  model.info.format_major = major;
  model.info.format_minor = minor;
  model.info.total_bytes = static_cast<std::uint32_t>(n);

  ByteReader payload(payload_bytes);
  CABINE_RETURN_IF_ERROR(read_header(payload, minor, model.info.header));

  // Section table: tag, flags, length, content. Validate the framing of all
  // sections before decoding any of them.
  std::uint64_t section_count;
  if (!payload.varint_max(kMaxSections, section_count))
    return malformed_header(cat({"section count is missing or above ", kMaxSections}));
  std::vector<SectionSpan> sections;
  for (std::uint64_t i = 0; i < section_count; ++i) {
    std::uint64_t tag, length;
    std::uint8_t flags;
    if (!payload.varint_max(UINT32_MAX, tag) || tag == 0 || !payload.u8(flags))
      return malformed_header(cat({"section ", i, ": bad tag or flags"}));
    const std::string name = section_name(static_cast<std::uint32_t>(tag));
    if ((flags & ~1u) != 0) return malformed_header(cat({"section '", name, "': unknown flag bits ", flags}));
    if (!payload.varint_max(payload.remaining(), length))
      return malformed_header(cat({"section '", name, "': length exceeds the payload"}));
    SectionSpan s;
    s.info.tag = static_cast<std::uint32_t>(tag);
    s.info.name = name;
    s.info.required = (flags & 1u) != 0;
    s.info.known = is_known_tag(s.info.tag);
    s.info.bytes = static_cast<std::uint32_t>(length);
    (void)payload.bytes(static_cast<std::size_t>(length), s.content);
    for (const SectionSpan& earlier : sections) {
      if (earlier.info.tag == s.info.tag)
        return error_status(ErrorCode::kModelDuplicateSection, {"section '", name, "' appears more than once"});
    }
    if (!s.info.known && s.info.required)
      return error_status(ErrorCode::kModelUnknownRequiredSection,
                          {"section '", name, "' is marked required but this reader does not know it; update cabine"});
    sections.push_back(std::move(s));
  }
  if (!payload.at_end())
    return malformed_header(cat({payload.remaining(), " unexpected bytes after the last section"}));

  auto find = [&](SectionTag tag) -> const SectionSpan* {
    for (const SectionSpan& s : sections)
      if (s.info.tag == static_cast<std::uint32_t>(tag)) return &s;
    return nullptr;
  };
  const SectionSpan* strings = find(SectionTag::kStrings);
  if (strings == nullptr)
    return Status(ErrorCode::kModelMissingRequiredSection, "the required section 'strings' is missing");
  CABINE_RETURN_IF_ERROR(decode_strings(strings->content, minor, model));
  if (const SectionSpan* metadata = find(SectionTag::kMetadata))
    CABINE_RETURN_IF_ERROR(decode_metadata(metadata->content, minor, model));
  if (const SectionSpan* fit = find(SectionTag::kFit)) {
    Result<FitModel> decoded = decode_fit_section(fit->content, model.strings, minor);
    if (!decoded.is_ok()) return decoded.status();
    model.fit = std::move(decoded).value();
  }
  if (const SectionSpan* audiences = find(SectionTag::kAudiences)) {
    const std::string_view text(reinterpret_cast<const char*>(audiences->content.data()), audiences->content.size());
    Result<AudienceSet> compiled = AudienceSet::compile(text);
    if (!compiled.is_ok()) return malformed_section("audiences", compiled.status().message());
    model.audiences = std::move(compiled).value();
  }
  if (const SectionSpan* learned = find(SectionTag::kLearned)) {
    const std::string_view text(reinterpret_cast<const char*>(learned->content.data()), learned->content.size());
    Result<LearnedModels> parsed = LearnedModels::from_json(text);
    if (!parsed.is_ok()) return malformed_section("learned", parsed.status().message());
    model.learned = std::move(parsed).value();
  }
  if (const SectionSpan* decisions = find(SectionTag::kDecisions)) {
    const std::string_view text(reinterpret_cast<const char*>(decisions->content.data()), decisions->content.size());
    Result<DecisionSet> compiled = DecisionSet::compile(text);
    if (!compiled.is_ok()) return malformed_section("decisions", compiled.status().message());
    model.decisions = std::move(compiled).value();
  }

  for (SectionSpan& s : sections) model.info.sections.push_back(std::move(s.info));
  return Status::ok();
}

}  // namespace

Result<Model> parse_model(std::span<const std::uint8_t> bytes) {
  Model model;
  Status status = parse_into(bytes, model);
  if (!status.is_ok()) return status;
  return model;
}

std::vector<std::uint8_t> encode_container(const ModelHeader& header, std::span<const RawSection> sections,
                                           std::uint8_t major, std::uint8_t minor) {
  ByteWriter head;
  head.string(header.model_id);
  head.varint(header.created_at_ms);
  head.string(header.exporter_version);
  head.bytes(header.data_fingerprint);

  ByteWriter payload;
  payload.varint(head.data().size());
  payload.bytes(head.data());
  payload.varint(sections.size());
  for (const RawSection& s : sections) {
    payload.varint(s.tag);
    payload.u8(s.required ? 1 : 0);
    payload.varint(s.content.size());
    payload.bytes(s.content);
  }

  ByteWriter file;
  file.bytes(kModelMagic);
  file.u8(major);
  file.u8(minor);
  file.u32le(static_cast<std::uint32_t>(payload.data().size()));
  file.u32le(crc32(payload.data()));
  file.bytes(payload.data());
  return file.take();
}

Result<std::vector<std::uint8_t>> encode_model(const ModelContent& content) {
  CABINE_RETURN_IF_ERROR(check_header_fields(content.header));

  // String table: every string is stored once; sections refer to it by index.
  std::vector<std::string> strings;
  std::unordered_map<std::string, std::uint32_t> index;
  auto intern = [&](const std::string& s) -> std::uint32_t {
    auto [it, added] = index.emplace(s, static_cast<std::uint32_t>(strings.size()));
    if (added) strings.push_back(s);
    return it->second;
  };

  std::vector<RawSection> sections;
  if (!content.metadata.empty()) {
    std::unordered_set<std::string> keys;
    ByteWriter meta;
    meta.varint(content.metadata.size());
    for (const auto& [key, value] : content.metadata) {
      if (key.empty() || key.size() > kMaxMetadataKeyBytes)
        return error_status(ErrorCode::kInvalidArgument, {"metadata key '", key, "' must be 1..", kMaxMetadataKeyBytes, " bytes"});
      if (!keys.insert(key).second) return error_status(ErrorCode::kInvalidArgument, {"metadata key '", key, "' appears twice"});
      if (value.size() > kMaxStringBytes || !is_valid_utf8(value) || !is_valid_utf8(key))
        return error_status(ErrorCode::kInvalidArgument, {"metadata '", key, "': value is not UTF-8 of at most ", kMaxStringBytes, " bytes"});
      meta.varint(intern(key));
      meta.varint(intern(value));
    }
    sections.push_back({static_cast<std::uint32_t>(SectionTag::kMetadata), false, meta.take()});
  }

  if (content.fit) {
    Status valid = validate_fit_model(*content.fit);
    if (!valid.is_ok()) return error_status(ErrorCode::kInvalidArgument, {"fit model: ", valid.message()});
    sections.push_back({static_cast<std::uint32_t>(SectionTag::kFit), true, encode_fit_section(*content.fit, intern)});
  }

  if (content.audiences) {
    Result<AudienceSet> compiled = AudienceSet::compile(*content.audiences);
    if (!compiled.is_ok()) return Status(ErrorCode::kInvalidArgument, compiled.status().message());
    const std::string& spec = compiled.value().spec();
    sections.push_back({static_cast<std::uint32_t>(SectionTag::kAudiences), false, std::vector<std::uint8_t>(spec.begin(), spec.end())});
  }
  if (content.learned) {
    sections.push_back({static_cast<std::uint32_t>(SectionTag::kLearned), false,
                        std::vector<std::uint8_t>(content.learned->begin(), content.learned->end())});
  }
  if (content.decisions) {
    Result<DecisionSet> compiled = DecisionSet::compile(*content.decisions);
    if (!compiled.is_ok()) return Status(ErrorCode::kInvalidArgument, compiled.status().message());
    const std::string& spec = compiled.value().spec();
    sections.push_back({static_cast<std::uint32_t>(SectionTag::kDecisions), false, std::vector<std::uint8_t>(spec.begin(), spec.end())});
  }

  ByteWriter table;
  table.varint(strings.size());
  for (const std::string& s : strings) table.string(s);
  sections.insert(sections.begin(), RawSection{static_cast<std::uint32_t>(SectionTag::kStrings), true, table.take()});

  std::vector<std::uint8_t> file = encode_container(content.header, sections);
  if (file.size() > kMaxModelBytes)
    return error_status(ErrorCode::kInvalidArgument, {"the model would have ", file.size(), " bytes; the limit is ", kMaxModelBytes});
  return file;
}

}  // namespace cabine
