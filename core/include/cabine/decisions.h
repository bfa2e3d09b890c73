// Slot decisions: which content a page slot shows this visitor, and why.
//
// The model's decisions spec (docs/decisions.md) lists slots; each slot lists
// candidate contents with an eligibility rule (JsonLogic or GrowthBook), a
// priority, and optionally an incentive (its cost, the lifetime value it is
// expected to bring, and the uplift model that predicts its effect).
//
// Policy, per slot:
//   1. Holdout: a share of visitors set in the spec gets the control, by
//      GrowthBook-compatible hashing (FNV-1a, hash version 2) of the visitor id,
//      so the model team keeps getting randomised data to retrain uplift.
//   2. A candidate is eligible when its rule holds and its frequency cap (per
//      content, per N days, counted from the exposures in the profile) is not
//      reached.
//   3. An incentive is eligible only for a persuadable (its uplift model's
//      quadrant) and only where uplift × value − cost > 0. Sure things, lost
//      causes and sleeping dogs get the best non-incentive content instead.
//   4. The eligible candidate with the highest priority wins (ties: spec order).
// A decision carries an exposure record; the page sends it to its analytics
// only once the slot has rendered (markRendered), which also counts it against
// the content's frequency cap.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cabine/audiences.h"
#include "cabine/json.h"
#include "cabine/status.h"

namespace cabine {

// What the learned models said about the visitor (learned.h fills it).
struct UpliftEstimate {
  std::string name;
  double p_treated = 0, p_control = 0, uplift = 0;
  std::string quadrant;  // persuadable, sure_thing, lost_cause, sleeping_dog
};
struct ModelScores {
  std::vector<std::pair<std::string, double>> propensity;  // name -> P(event)
  std::vector<UpliftEstimate> uplift;
  std::string segment;                                      // empty without a segment model
  double segment_confidence = 0;
};

struct Candidate {
  std::string id;
  double priority = 0;
  bool has_rule = false;
  std::string rule_text;       // for reasons
  // Incentive content: shown only to persuadables, where uplift × value − cost > 0.
  bool incentive = false;
  std::string uplift_model;    // the uplift model that predicts its effect
  double cost = 0, value = 0;
  // Frequency cap: at most cap_max renders per cap_days (0 = no cap).
  int cap_max = 0;
  double cap_days = 0;
};

struct Decision {
  std::string slot;
  std::string content;          // empty when nothing is eligible
  bool holdout = false;         // true: the visitor is in the holdout and gets the control
  std::string reason;           // the audiences, propensities and uplift that drove it
  std::vector<std::string> audiences;  // matched audience ids
  ModelScores scores;
  double expected_gain = 0;     // uplift × value − cost of the chosen incentive (0 otherwise)
  std::string exposure;         // the exposure record, compact JSON, to emit once rendered
};

class DecisionSet {
 public:
  DecisionSet();
  DecisionSet(DecisionSet&&) noexcept;
  DecisionSet& operator=(DecisionSet&&) noexcept;
  ~DecisionSet();

  // Validates and compiles a decisions spec. Errors (kInvalidRule, kInvalidJson,
  // kLimitExceeded) name the slot, the content and the path.
  static Result<DecisionSet> compile(std::string_view spec_text);
  const std::string& spec() const noexcept { return spec_; }
  double holdout_share() const noexcept { return holdout_share_; }
  std::vector<std::string> slot_ids() const;

  // Whether `visitor_id` is in the holdout: hash(seed, id, version 2) < share.
  bool in_holdout(std::string_view visitor_id) const;

  // Decides one slot. `data` is rule_data (attributes + features); exposures
  // come from the profile; audiences are the model's matched audience ids.
  // kInvalidArgument for an unknown slot.
  struct Context {
    const json::Value* data = nullptr;
    const json::Value* saved_groups = nullptr;  // GrowthBook $inGroup lists (the audiences section's); null: none
    const ModelScores* scores = nullptr;
    const std::vector<std::string>* audiences = nullptr;
    const class Profile* profile = nullptr;
    std::string_view visitor_id;
    std::string_view model_id;
    double now_ms = 0;
  };
  Result<Decision> decide(std::string_view slot_id, const Context& context, const RuleHost& host) const;
  // Each slot's id and its candidates' ids, in spec order (for QA tools).
  std::vector<std::pair<std::string, std::vector<std::string>>> slot_contents() const;

 private:
  struct Slot;
  std::string spec_;
  double holdout_share_ = 0;
  std::string holdout_seed_;
  std::vector<Slot> slots_;
};

}  // namespace cabine
