// Bounds-checked little-endian byte reading and writing for the model format.
// Internal to the core: every read checks the remaining length first, so a
// reader over untrusted bytes can fail but never read out of range.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cabine::internal {

class ByteWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u32le(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void f32le(float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u32le(bits);
  }
  // Unsigned LEB128.
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  // Zig-zag signed LEB128.
  void svarint(std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  // Length-prefixed (varint) byte string.
  void string(std::string_view s) {
    varint(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }

  const std::vector<std::uint8_t>& data() const { return out_; }
  std::vector<std::uint8_t> take() { return std::move(out_); }

 private:
  std::vector<std::uint8_t> out_;
};

// Reads from a span; every accessor returns false (and leaves the output
// untouched) when the bytes run out or a value is out of its valid range.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  bool u8(std::uint8_t& v) {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool u32le(std::uint32_t& v) {
    if (remaining() < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(data_[pos_ + i]) << (8 * i);
    pos_ += 4;
    return true;
  }
  bool f32le(float& v) {
    std::uint32_t bits;
    if (!u32le(bits)) return false;
    std::memcpy(&v, &bits, sizeof v);
    return true;
  }
  // Unsigned LEB128 of at most 10 bytes that fits in 64 bits.
  bool varint(std::uint64_t& v) {
    std::uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t byte;
      if (!u8(byte)) return false;
      const std::uint64_t low = byte & 0x7F;
      if (shift == 63 && low > 1) return false;  // would overflow 64 bits
      result |= low << shift;
      if ((byte & 0x80) == 0) {
        v = result;
        return true;
      }
    }
    return false;
  }
  // A varint that must not exceed `max`.
  bool varint_max(std::uint64_t max, std::uint64_t& v) {
    std::uint64_t tmp;
    if (!varint(tmp) || tmp > max) return false;
    v = tmp;
    return true;
  }
  bool svarint(std::int64_t& v) {
    std::uint64_t u;
    if (!varint(u)) return false;
    v = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool bytes(std::size_t n, std::span<const std::uint8_t>& out) {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  // Length-prefixed byte string of at most `max_len` bytes.
  bool string(std::size_t max_len, std::string& out) {
    std::uint64_t len;
    if (!varint_max(max_len, len) || remaining() < len) return false;
    out.assign(reinterpret_cast<const char*>(data_.data() + pos_), static_cast<std::size_t>(len));
    pos_ += static_cast<std::size_t>(len);
    return true;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace cabine::internal
