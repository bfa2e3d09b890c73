// The trainer's path to the profile features: an event log replayed through
// the same Profile::track the browser calls, one customer at a time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cabine/fit_data.h"  // RowIssue
#include "cabine/profile.h"

namespace cabine {

struct CustomerProfile {
  std::string customer_id;
  Profile profile;
};

struct EventLogReplay {
  std::vector<CustomerProfile> customers;  // in order of first appearance
  std::vector<RowIssue> skipped;           // lines that are not valid events (column = the field at fault)
  std::size_t events = 0;                  // events applied
  double latest_ms = -1;                   // latest event time, -1 for none
};

// Reads JSON Lines: one event object per line, as the JS API's track() takes
// it, plus "customerId" (a non-empty string). Blank lines are skipped. Each
// customer's events are applied in file order. A bad line is reported with its
// line number and skipped; the replay itself does not fail.
EventLogReplay replay_event_log(std::string_view jsonl, const ProfileConfig& config);

}  // namespace cabine
