// The one loopback HTTP listener of an engaged process: GET /metrics (Prometheus text format)
// and GET /v1/users/{id} (the user's state, risk, mentor and last nudges as JSON). Requests are
// served on the server's own threads; handlers read only committed state.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace prometheus {
class Registry;
}
namespace httplib {
class Server;
}

namespace engaged {

class HttpServer {
 public:
  using UserLookup = std::function<std::optional<std::string>(const std::string& user_id)>;

  // Binds `listen` ("host:port", port 0 = any) at once; throws if it cannot.
  HttpServer(const std::string& listen, std::shared_ptr<prometheus::Registry> registry);
  ~HttpServer();

  int port() const { return port_; }
  void set_user_lookup(UserLookup lookup);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<httplib::Server> server_;
  std::shared_ptr<UserLookup> lookup_;  // replaced whole, read by the serving threads
  int port_ = 0;
  std::thread thread_;
};

}  // namespace engaged
