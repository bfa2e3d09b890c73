// Bounds-checked little-endian byte reading and writing for the model format.
// Internal to the core: every read checks the remaining length first, so a
// reader over untrusted bytes can fail but never read out of range.
#pragma once

#include <concepts>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cabine/status.h"

namespace cabine::internal {

// One piece of an error message: text, one character, or an integer written in
// decimal (the same digits as std::to_string).
//
// Messages are built with cat({"section '", name, "': ", count, " bytes"})
// rather than chains of std::string operator+: every `+` inlines a temporary
// string and its destructor, which in the wasm build added kilobytes of code
// to the loader and to fit inference. One out-of-line cat() keeps each message
// down to a few stores.
class MessagePiece {
 public:
  MessagePiece(std::string_view s) noexcept : text_(s.data()), size_(s.size()) {}  // NOLINT: implicit by design
  MessagePiece(const char* s) noexcept : MessagePiece(std::string_view(s)) {}       // NOLINT
  MessagePiece(const std::string& s) noexcept : MessagePiece(std::string_view(s)) {}  // NOLINT
  MessagePiece(char c) noexcept : size_(1) { buffer_[0] = c; }                       // NOLINT
  template <std::integral T>
    requires(!std::is_same_v<T, char> && !std::is_same_v<T, bool>)
  MessagePiece(T v) noexcept {  // NOLINT
    if constexpr (std::is_signed_v<T>) {
      set_integer(v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v), v < 0);
    } else {
      set_integer(static_cast<std::uint64_t>(v), false);
    }
  }
  MessagePiece(const MessagePiece&) = delete;
  MessagePiece& operator=(const MessagePiece&) = delete;

  // Valid while the piece lives (an integer's digits are stored inside it).
  std::string_view view() const noexcept {
    return text_ != nullptr ? std::string_view(text_, size_) : std::string_view(buffer_ + start_, size_);
  }

 private:
  [[gnu::noinline]] void set_integer(std::uint64_t magnitude, bool negative) noexcept {
    std::size_t i = sizeof buffer_;
    do {
      buffer_[--i] = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    } while (magnitude != 0);
    if (negative) buffer_[--i] = '-';
    start_ = static_cast<std::uint8_t>(i);
    size_ = sizeof buffer_ - i;
  }

  const char* text_ = nullptr;
  std::size_t size_ = 0;
  std::uint8_t start_ = 0;
  char buffer_[21];
};

// The concatenation of `pieces`.
[[gnu::noinline]] inline std::string cat(std::initializer_list<MessagePiece> pieces) {
  std::size_t total = 0;
  for (const MessagePiece& p : pieces) total += p.view().size();
  std::string out;
  out.reserve(total);
  for (const MessagePiece& p : pieces) out.append(p.view());
  return out;
}

// A failed Status whose message is the concatenation of `pieces`.
[[gnu::noinline]] inline Status error_status(ErrorCode code, std::initializer_list<MessagePiece> pieces) {
  return Status(code, cat(pieces));
}

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
