// Where the time of one event goes: decoding (simdjson On-Demand), the activity processor alone,
// and a whole pipeline step (decode + user cache + processor + counters, no I/O until the
// checkpoint). Input: a loadgen population, so sizes and field mixes are realistic.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include "app/pipeline.h"
#include "app/population.h"
#include "ingest/event_decoder.h"
#include "state/store.h"

namespace engaged {
namespace {

const std::vector<std::string>& messages() {
  static const std::vector<std::string> msgs = [] {
    std::vector<std::string> out;
    PopulationOptions o;
    o.users = 3000;
    o.days = 30;
    o.end_day = 20600;
    generate_population(o, [&](std::string_view, std::string_view v) { out.emplace_back(v); });
    return out;
  }();
  return msgs;
}

void BM_Decode(benchmark::State& state) {
  const auto& msgs = messages();
  EventDecoder decoder;
  Event ev;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& m = msgs[i++ % msgs.size()];
    benchmark::DoNotOptimize(decoder.decode(m, ev));
    bytes += m.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Decode);

void BM_Process(benchmark::State& state) {
  // Decoded up front: only the processor and the user-state lookup are measured.
  const auto& msgs = messages();
  struct Item {
    int64_t ts;
    EventType type;
    size_t user;
  };
  std::vector<Item> items;
  std::unordered_map<std::string, size_t> ids;
  EventDecoder decoder;
  Event ev;
  for (const auto& m : msgs)
    if (!decoder.decode(m, ev))
      items.push_back(
          {ev.ts_ms, ev.type, ids.emplace(std::string(ev.user_id), ids.size()).first->second});
  std::vector<UserActivity> users(ids.size());
  std::vector<std::vector<SeenEvent>> seen(ids.size());
  // The items keep no event ids: without the dedupe window, or every event would be a retry.
  ActivityProcessor processor{ActivityConfig{.dedupe_window_ms = 0}};
  PartitionAggregates part;
  size_t i = 0;
  for (auto _ : state) {
    if (i == items.size()) {  // start the story again on fresh state, outside the timing
      state.PauseTiming();
      part = PartitionAggregates{};
      std::fill(users.begin(), users.end(), UserActivity{});
      i = 0;
      state.ResumeTiming();
    }
    const Item& it = items[i++];
    Event e;
    e.ts_ms = it.ts;
    e.type = it.type;
    benchmark::DoNotOptimize(processor.process(part, users[it.user], seen[it.user], e));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Process);

void BM_PipelineStep(benchmark::State& state) {
  const auto& msgs = messages();
  auto dir = std::filesystem::temp_directory_path() / "engaged-hot-path-bench";
  std::filesystem::remove_all(dir);
  Config config;
  config.metrics_listen.clear();
  config.state_dir = dir.string();
  auto store = Store::open(config.state_dir, {});
  FileDeadLetterSink dlq("");
  Pipeline pipeline(config, *store, dlq, nullptr, make_wall_clock(config));
  pipeline.open_partition(0);
  int64_t offset = 0;
  pipeline.begin_batch();
  for (auto _ : state) {
    const std::string& m = msgs[static_cast<size_t>(offset) % msgs.size()];
    pipeline.handle(0, offset++, {}, m, 0);
  }
  pipeline.end_batch();
  state.SetItemsProcessed(state.iterations());
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_PipelineStep);

}  // namespace
}  // namespace engaged

BENCHMARK_MAIN();
