// GET /v1/users/{id}: one user as the committed state knows them — activity, churn risk with its
// reasons (as of their partition's stream time), program entry, mentor or mentees, and the
// newest nudge decisions — as JSON, on any instance. The user's partition (by the producers'
// partitioner) answers if this instance owns it; otherwise the request is redirected to the
// owner. The mentor program's part comes from the instance that owns the program stage (this
// one, or asked over HTTP: GET /v1/program/users/{id}).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "app/config.h"
#include "app/http_server.h"
#include "state/kafka/partitioner.h"

namespace engaged {

class Store;

// Where partitions are served; both callbacks are called from HTTP threads.
struct UserRoutes {
  Partitioner partitioner;
  int partitions = 0;  // of the input topic
  // This instance serves the partition (codec::kProgramPartition: the program stage) now.
  std::function<bool(int32_t)> serves;
  // host:port of the instance that owns a partition, if another one does.
  std::function<std::optional<std::string>(int32_t)> owner_address;
};

// The handlers of /v1/users/{id} and of /v1/program/users/{id}.
std::function<HttpAnswer(const std::string&)> make_user_view(const Config& config, Store& store,
                                                             UserRoutes routes);
std::function<HttpAnswer(const std::string&)> make_program_view(Store& store, UserRoutes routes);

}  // namespace engaged
