// JavaScript coercions shared by the rule evaluators (jsonlogic.cc and
// growthbook.cc); defined in json.cc. Internal to the core.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "cabine/json.h"
#include "cabine/rule_host.h"

namespace cabine::json::js {

// String(n): integer digits below 2^53, else the host's String(number).
std::string number_string(double n, const RuleHost& host);

// Appends String(v) (`v + ""`). Inside an array join null is "" and nested
// arrays flatten with ","; `depth` is v's own depth (a top-level null is
// "null" only at depth 0), and arrays deeper than `max_depth` add nothing.
// Iterative, so deep arrays never recurse.
void append_string(std::string& out, const Value& v, const RuleHost& host, std::size_t depth = 0,
                   std::size_t max_depth = static_cast<std::size_t>(-1));
std::string to_string(const Value& v, const RuleHost& host, std::size_t max_depth = static_cast<std::size_t>(-1));

// ToNumber (after ToPrimitive); nullptr (undefined) is NaN.
double to_number(const Value* v, const RuleHost& host, std::size_t max_depth = static_cast<std::size_t>(-1));

// A canonical array index ("0", "17"; not "01", "-1" or 2^32 - 1 and above).
bool parse_index(std::string_view s, std::size_t& index);

}  // namespace cabine::json::js
