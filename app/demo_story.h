// The part of `engaged demo` that tells what the product does with the figures: users at risk
// and why, the mentor program's decisions (read back from the nudges topic) and the holdout
// comparison, then where to look next.
#pragma once

#include <string>

#include "app/demo_reactor.h"

namespace engaged {

struct Config;

// After the demo's run: `config` is the run's (its Kafka holds the nudges topic), the state in
// config.state_dir; `partitions` of the nudges topic; what the simulated users answered.
void print_program_story(const Config& config, int partitions, const ReactorCounts& simulated);

}  // namespace engaged
