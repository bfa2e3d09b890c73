// The trainer's path to the profile features: an event log replayed through
// the same Profile::track the browser calls, one customer at a time.
#pragma once

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "cabine/fit_data.h"  // RowIssue
#include "cabine/profile.h"

namespace cabine {

struct CustomerProfile {
  std::string customer_id;
  Profile profile;
  bool label = false;  // ReplayOptions::label_type seen in the label window
  bool has_features = false;  // at least one event at or before the cutoff
};

// A replay for training: features from the events up to `cutoff_ms` only, and
// a label saying whether the customer had an event of `label_type` in
// (cutoff_ms, cutoff_ms + label_window_ms]. Events after the cutoff are never
// tracked, so the features are what the browser held at that moment.
struct ReplayOptions {
  double cutoff_ms = INFINITY;
  bool labels = false;
  EventType label_type = EventType::kPurchase;
  double label_window_ms = 0;
};

struct EventLogReplay {
  std::vector<CustomerProfile> customers;  // in order of first appearance
  std::vector<RowIssue> skipped;           // lines that are not valid events (column = the field at fault)
  std::size_t events = 0;                  // valid events read (tracked, or past the cutoff)
  double latest_ms = -1;                   // latest event time, -1 for none
};

// Reads JSON Lines: one event object per line, as the JS API's track() takes
// it, plus "customerId" (a non-empty string). Blank lines are skipped. Each
// customer's events are applied in file order. A bad line is reported with its
// line number and skipped; the replay itself does not fail.
// Events after options.cutoff_ms only count towards labels; `customers` still
// lists everyone seen (has_features tells who had events before the cutoff).
EventLogReplay replay_event_log(std::string_view jsonl, const ProfileConfig& config, const ReplayOptions& options = {});

}  // namespace cabine
