// Checksums and fingerprints used by the model format.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace cabine {

// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320, init and xor-out
// 0xFFFFFFFF): the same value as zlib's crc32(). `crc32("123456789")` is 0xCBF43926.
std::uint32_t crc32(std::span<const std::uint8_t> data) noexcept;

// Incremental SHA-256 (FIPS 180-4). Used for the training-data fingerprint.
class Sha256 {
 public:
  Sha256();
  void update(std::span<const std::uint8_t> data) noexcept;
  // Finishes and returns the 32-byte digest; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> finish() noexcept;

 private:
  void compress(const std::uint8_t* block) noexcept;
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// Lower-case hexadecimal of `bytes`.
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace cabine
