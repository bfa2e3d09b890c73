// Versions: the package (and exporter) version, and the model format version.
// They are independent: a package release may keep writing the same format.
#pragma once

#include <string_view>

#include "cabine/model_format.h"

namespace cabine {

// The cabine package version (package.json), e.g. "0.1.0". Written into every
// model's header as the exporter version.
inline constexpr std::string_view kVersion = CABINE_VERSION_STRING;

}  // namespace cabine
