// The replay's reader routes every line as one worker would: the key (scanned, decoded when only
// decoding finds it, the text before the tab with --keyed, none for a line without one), its
// partition, its offset within that partition in file order, and each worker gets exactly the
// lines of its own partitions.
#include "app/replay_lines.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace engaged {
namespace {

namespace fs = std::filesystem;

struct Routed {
  std::string line, key;
  int32_t partition;
  int64_t offset;
  bool oversized;
};

// Every worker's lines, in the order each received them.
std::vector<std::vector<Routed>> route(const std::string& text, bool keyed, int workers,
                                       int partitions) {
  const fs::path file = fs::temp_directory_path() / ("engaged-lines-" + std::to_string(getpid()));
  std::ofstream(file, std::ios::binary) << text;
  const Partitioner partitioner = *Partitioner::parse("consistent_random");
  ReplayLines lines(file.string(), keyed, partitions, partitioner, 65536, workers);
  std::vector<std::vector<Routed>> out(static_cast<size_t>(workers));
  for (int w = 0; w < workers; ++w) {
    ReplayLines::Batch batch;
    while (lines.next(w, batch))
      for (size_t i = 0; i < batch.size(); ++i) {
        const RoutedLine& l = batch[i];
        out[static_cast<size_t>(w)].push_back(
            {std::string(l.line), std::string(l.key), l.partition, l.offset, l.oversized});
      }
  }
  fs::remove(file);
  return out;
}

std::string event(std::string_view id_json, int n) {
  return R"({"event_id":"e)" + std::to_string(n) + R"(","user_id":)" + std::string(id_json) +
         R"(,"type":"action","name":"open","ts":"2026-06-01T10:00:00Z"})";
}

TEST(ReplayLines, RoutesEveryLineAsOneWorkerWould) {
  std::string text;
  std::vector<std::string> keys;  // the key each line must get, in file order
  for (int n = 0; n < 40; ++n) {
    text += event("\"user-" + std::to_string(n % 7) + "\"", n) + "\n";
    keys.push_back("user-" + std::to_string(n % 7));
  }
  text += event(R"("b\u006fb")", 40) + "\r\n\n";  // only decoding finds "bob"; an empty line
  keys.push_back("bob");
  text += R"({"user_id": "carol", "type": "nope"})"
          "\n";  // rejected, its id scanned
  keys.push_back("carol");
  text += "not json at all\n";  // no key
  keys.push_back("");
  const Partitioner partitioner = *Partitioner::parse("consistent_random");
  for (int workers : {1, 2, 3}) {
    const auto routed = route(text, false, workers, 6);
    std::map<int32_t, int64_t> next_offset;
    std::vector<Routed> all;
    for (int w = 0; w < workers; ++w)
      for (const Routed& r : routed[static_cast<size_t>(w)]) {
        EXPECT_EQ(r.partition % workers, w) << r.line;
        all.push_back(r);
      }
    ASSERT_EQ(all.size(), keys.size()) << workers << " workers";
    // Back in file order (by partition, then offset, as the expected keys are in file order).
    std::map<std::pair<int32_t, int64_t>, const Routed*> by_position;
    for (const Routed& r : all) by_position[{r.partition, r.offset}] = &r;
    EXPECT_EQ(by_position.size(), all.size()) << "an offset given twice";
    for (size_t i = 0; i < keys.size(); ++i) {
      const int32_t p = partitioner.partition(keys[i], 6);
      const auto it = by_position.find({p, next_offset[p]++});
      ASSERT_NE(it, by_position.end()) << "line " << i << ": key " << keys[i];
      EXPECT_EQ(it->second->key, keys[i]);
      EXPECT_FALSE(it->second->oversized);
    }
  }
}

TEST(ReplayLines, AKeyedLineIsRoutedByTheTextBeforeItsTab) {
  const auto routed = route("k1\t{\"a\":1}\nk2\t{\"a\":2}\nk1\t{\"a\":3}\n", true, 1, 4);
  ASSERT_EQ(routed[0].size(), 3u);
  EXPECT_EQ(routed[0][2].key, "k1");
  EXPECT_EQ(routed[0][2].line, "{\"a\":3}");
  EXPECT_EQ(routed[0][0].partition, routed[0][2].partition);
  // The second or third line of k1's partition, as k2 shares it or not.
  EXPECT_EQ(routed[0][2].offset, routed[0][1].partition == routed[0][0].partition ? 2 : 1);
}

}  // namespace
}  // namespace engaged
