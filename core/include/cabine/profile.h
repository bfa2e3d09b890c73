// The on-device profile: what the visitor declared and what the visitor did.
//
// A Profile holds
//   - declared attributes: any JSON object the page sets (country, loyalty tier,
//     age band, style preferences...);
//   - behavioural state, updated by events (session_start, view, search,
//     add_to_cart, purchase, return).
// Derived features (recency, frequency, monetary value, decayed category and
// brand affinities, sessions and depth, days since the last visit and purchase,
// return rate, channel and device) are computed from that state by
// `derive_features`, at a time the caller gives (the core has no clock).
//
// Training and serving share this code: model-export's `features` command
// replays an event log through `Profile::track` per customer and calls
// `derive_features`, which is exactly what the browser does one event at a
// time. The state holds only integers and strings, and the decay uses
// `decay_factor` (basic IEEE arithmetic only), so both paths agree exactly,
// natively and in wasm.
//
// The profile serialises to compact, versioned JSON (docs/profile.md) for the
// page to keep in localStorage; `save` then `load` gives the same bytes back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cabine/json.h"
#include "cabine/status.h"

namespace cabine {

enum class EventType : std::uint8_t { kSessionStart, kView, kSearch, kAddToCart, kPurchase, kReturn };
inline constexpr int kEventTypeCount = 6;

// "session_start", "view", "search", "add_to_cart", "purchase", "return".
std::string_view event_type_name(EventType type) noexcept;

struct Event {
  EventType type = EventType::kView;
  double time_ms = 0;        // Unix time in milliseconds
  std::string product_id;    // view, add_to_cart, purchase, return
  std::string category;
  std::string brand;
  double price = -1;         // >= 0 when known (the shop's currency, 2 decimals kept); -1 when absent
  std::string channel;       // e.g. "web", "app"; empty when not given
  std::string device;        // e.g. "mobile", "desktop"; empty when not given
};

// Limits (documented in docs/profile.md).
inline constexpr std::size_t kMaxProfileBytes = 256 * 1024;     // saved profile text
inline constexpr std::size_t kMaxAttributesBytes = 64 * 1024;   // declared attributes as JSON
inline constexpr std::size_t kMaxEventFieldBytes = 200;         // each string field of an event
inline constexpr std::size_t kMaxAffinityKeys = 50;             // categories and brands kept each
inline constexpr double kMaxPrice = 1e9;
inline constexpr double kMaxTimeMs = 8.64e15;                   // the largest JS Date
inline constexpr int kProfileVersion = 1;
inline constexpr std::size_t kMaxRendersPerContent = 32;
inline constexpr std::size_t kMaxRenderedContents = 100;

// The render times of one content, oldest first (frequency caps).
struct Renders {
  std::string content;
  std::vector<std::int64_t> times_ms;
  friend bool operator==(const Renders&, const Renders&) = default;
};

// Reads an event object: {"type", "time" (ms), "productId", "category",
// "brand", "price", "channel", "device"}. Unknown keys are an error, so a typo
// does not silently drop data. Errors are kInvalidEvent naming the field.
Result<Event> event_from_json(const json::Value& value);

// How events move affinities; stored in the model's audiences section.
struct ProfileConfig {
  double half_life_days = 30;  // affinity halves every this many days
  // Affinity weight per event type (session_start and search carry no product).
  double weight_view = 1, weight_add_to_cart = 3, weight_purchase = 5, weight_return = -5;
};

// An affinity: a decayed score for one category or brand. The score is kept in
// millionths so that the state (and the saved JSON) holds integers only.
struct Affinity {
  std::string name;
  std::int64_t micro = 0;       // score × 1e6 at `updated_ms`
  std::int64_t updated_ms = 0;
  friend bool operator==(const Affinity&, const Affinity&) = default;
};

class Profile {
 public:
  // Applies one event. Events are applied in the order given; an event dated
  // before the latest one does not move time backwards (its decay is taken as
  // zero), so the state never depends on anything but the sequence.
  void track(const Event& event, const ProfileConfig& config);

  // Replaces the declared attributes with a JSON object given as text, at most
  // kMaxAttributesBytes. The key "features" is reserved (rules read the derived
  // features there). Errors: kInvalidJson, kLimitExceeded or kInvalidArgument,
  // naming the problem; the attributes are unchanged then.
  Status set_attributes(std::string_view json_text);
  const json::Value& attributes() const noexcept { return attributes_; }

  // Forgets everything: attributes and behaviour.
  void forget() { *this = Profile(); }

  // Compact versioned JSON; load(save()) == *this and save(load(text)) == text.
  std::string save() const;
  // Errors: kInvalidProfile naming what is wrong (including an unknown version
  // and a text over kMaxProfileBytes). The caller keeps a fresh profile then.
  static Result<Profile> load(std::string_view text);

  // Counters and times, read by derive_features and tests.
  std::int64_t count(EventType type) const noexcept { return counts_[static_cast<int>(type)]; }
  std::int64_t events() const noexcept { return total_events_; }

  // Frequency caps (decisions.h): renders of `content` in the `days` before now_ms.
  int renders_within(std::string_view content, double days, double now_ms) const;
  // Records that `content` was rendered at time_ms. The profile keeps the latest
  // kMaxRendersPerContent times per content for kMaxRenderedContents contents
  // (the one rendered least recently is dropped first).
  void record_render(std::string_view content, double time_ms);

  // The features at `now_ms` as a JSON object (names in docs/profile.md).
  json::Value derive_features(double now_ms, const ProfileConfig& config) const;

  friend bool operator==(const Profile&, const Profile&) = default;

 private:
  friend class ProfileReader;
  json::Value attributes_ = json::Value::object();
  std::int64_t counts_[kEventTypeCount] = {};
  std::int64_t total_events_ = 0;
  std::int64_t explicit_sessions_ = 0; // session_start events (sessions also start after 30 idle minutes)
  std::int64_t purchase_cents_ = 0;    // value of purchases
  std::int64_t return_cents_ = 0;      // value of returns
  std::int64_t first_ms_ = -1;         // first event
  std::int64_t last_ms_ = -1;          // latest event (the profile's clock)
  std::int64_t last_visit_ms_ = -1;    // latest session_start (or first event of a session)
  std::int64_t last_purchase_ms_ = -1;
  std::int64_t session_depth_ = 0;     // events in the current session
  std::string channel_, device_;
  std::vector<Affinity> categories_, brands_;
  std::vector<Renders> renders_;
};

// 2^(-elapsed / half_life) for elapsed, half_life > 0, computed with + - * /
// and exact scaling only, so native and wasm builds give the same bits.
double decay_factor(double elapsed, double half_life) noexcept;

}  // namespace cabine
