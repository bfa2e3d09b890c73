// Known-answer tests for the checksum and fingerprint primitives.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cabine/hash.h"

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

std::string sha256_hex(const std::string& s) {
  cabine::Sha256 h;
  h.update(bytes_of(s));
  return cabine::to_hex(h.finish());
}

// The standard CRC-32 check value and the empty input.
TEST(Crc32, MatchesZlibCheckValues) {
  EXPECT_EQ(cabine::crc32(bytes_of("123456789")), 0xCBF43926u);
  EXPECT_EQ(cabine::crc32({}), 0u);
  EXPECT_EQ(cabine::crc32(bytes_of("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
}

// FIPS 180-4 examples, including one that needs a second padding block.
TEST(Sha256, MatchesFipsVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

// Feeding the input in pieces gives the same digest as feeding it whole.
TEST(Sha256, IncrementalEqualsOneShot) {
  std::string text(1000, 'x');
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + i % 26);
  cabine::Sha256 pieces;
  const auto all = bytes_of(text);
  for (std::size_t i = 0; i < all.size(); i += 37) {
    const std::size_t n = std::min<std::size_t>(37, all.size() - i);
    pieces.update(std::span(all).subspan(i, n));
  }
  EXPECT_EQ(cabine::to_hex(pieces.finish()), sha256_hex(text));
}

}  // namespace
