// libFuzzer: the HTTP side's paths with any user id: the user view of a served partition (a real
// store, so the key encoding is exercised), the redirect of another owner's (the Location it
// builds) and the program view.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "app/config.h"
#include "app/user_view.h"
#include "state/store.h"

namespace {

struct World {
  std::unique_ptr<engaged::Store> store;
  std::function<engaged::HttpAnswer(const std::string&)> served, moved, program;
  World() {
    const auto dir =
        std::filesystem::temp_directory_path() / ("engaged-http-fuzz-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    store = engaged::Store::open(dir.string(), {});
    engaged::Config config;
    auto routes = [](bool here) {
      return engaged::UserRoutes{
          *engaged::Partitioner::parse("murmur2_random"), 6, [here](int32_t) { return here; },
          [](int32_t) -> std::optional<std::string> { return std::string("10.0.0.2:9464"); }};
    };
    served = engaged::make_user_view(config, *store, routes(true));
    moved = engaged::make_user_view(config, *store, routes(false));
    program = engaged::make_program_view(*store, routes(true));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  const std::string id(reinterpret_cast<const char*>(data), size);
  for (const auto* view : {&world.served, &world.program}) {
    const engaged::HttpAnswer a = (*view)(id);
    if (a.status != 200 && a.status != 404) std::abort();
  }
  const engaged::HttpAnswer r = world.moved(id);
  // The Location is one header line: nothing from the id may break out of it.
  if (r.status != 307 || r.location.find_first_of("\r\n \"") != std::string::npos) std::abort();
  return 0;
}
