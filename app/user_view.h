// GET /v1/users/{id}: one user as the committed state knows them — activity, churn risk with its
// reasons (as of their partition's stream time), program entry, mentor or mentees, and the
// newest nudge decisions — as JSON. Reads only the store, so it is safe beside the pipeline.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "app/config.h"

namespace engaged {

class Store;

std::function<std::optional<std::string>(const std::string&)> make_user_view(const Config& config,
                                                                             Store& store);

}  // namespace engaged
