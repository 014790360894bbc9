// The containers behind the program stage's per-key storage: take_changed() must name every key
// whose stored record differs from the last take (or the store goes stale), say whether it was
// there at the last take (a new key is stored as an insert), and name no key that came and went
// in between (or every checkpoint writes deletes of keys that were never stored).
#include "processors/tracked.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace engaged {
namespace {

using Taken = std::map<std::string, bool>;  // key -> present at the last take

TEST(TrackedMap, NamesWhatDiffersFromTheLastTakeAndNothingThatCameAndWent) {
  TrackedMap<std::string, int> m;
  m.unmarked()["loaded"] = 1;
  m["a"] = 1;
  m.emplace("b", 2);
  m.erase(std::string("b"));  // came and went
  EXPECT_EQ(m.take_changed(), (Taken{{"a", false}}));

  m.erase(std::string("loaded"));  // stored before: its delete must be written
  m["c"] = 3;
  m.erase(std::string("c"));
  m["c"] = 4;  // came, went, came back: new
  m.find("a")->second = 5;
  EXPECT_EQ(m.take_changed(), (Taken{{"a", true}, {"c", false}, {"loaded", true}}));

  m.erase(m.find("c"));
  m["c"] = 6;  // present at the last take and now: its value is written again
  bool first = true;
  m.update_all([&](const std::string&, int&, bool& erase) {
    erase = std::exchange(first, false);  // erases "a"
    return false;
  });
  EXPECT_EQ(m.take_changed(), (Taken{{"a", true}, {"c", true}}));
  EXPECT_EQ(m.take_changed(), Taken{});
}

TEST(TrackedSet, NamesWhatDiffersFromTheLastTakeAndNothingThatCameAndWent) {
  TrackedSet<std::string> s;
  s.unmarked().insert("loaded");
  s.insert("a");
  s.insert("b");
  s.erase(s.unmarked().find("b"));
  EXPECT_EQ(s.take_changed(), (Taken{{"a", false}}));
  s.erase(s.unmarked().find("loaded"));
  s.erase(s.unmarked().find("a"));
  s.insert("a");
  EXPECT_EQ(s.take_changed(), (Taken{{"a", true}, {"loaded", true}}));
}

}  // namespace
}  // namespace engaged
