// The one HTTP listener of an engaged process: GET /metrics (Prometheus text format), GET
// /v1/users/{id} (the user's state, risk, mentor and last nudges as JSON), GET
// /v1/program/users/{id} (the program stage's part of that, asked by the user's owner of the
// program's), and the probes: GET /healthz (the process serves) and GET /readyz (run's checks,
// 200 or 503 with the failing ones), which never need the token. Requests are served on the
// server's own threads; handlers read committed state. Hostile clients cannot starve a scrape: a
// pool of kHttpThreads, short read and keep-alive timeouts, a deep accept backlog; the user
// endpoints can require a bearer token.
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

// What a handler answers: JSON with a status; a redirect names its location.
struct HttpAnswer {
  int status = 200;
  std::string body;
  std::string location{};  // 307: where the answer is
  int retry_after_s = 0;   // 503: when to ask again
};

struct HttpAccess {
  std::string token;               // non-empty: /v1/* require "Authorization: Bearer <token>"
  bool token_for_metrics = false;  // ... and /metrics too
};

struct Config;
// The access rule the settings describe (reads metrics.token_file); throws if it cannot be read.
HttpAccess http_access(const Config& config);

// Serving threads: enough that idle keep-alive and slow clients leave some for a scrape.
constexpr int kHttpThreads = 32;

class HttpServer {
 public:
  using UserLookup = std::function<HttpAnswer(const std::string& user_id)>;

  // Binds `listen` ("host:port", port 0 = any) at once; throws if it cannot.
  HttpServer(const std::string& listen, std::shared_ptr<prometheus::Registry> registry,
             HttpAccess access = {});
  ~HttpServer();

  int port() const { return port_; }
  // The handlers of /v1/users/{id} and /v1/program/users/{id}.
  void set_user_lookup(UserLookup users, UserLookup program);
  // The handler of /readyz (without one: 503, nothing to be ready for).
  void set_readiness(std::function<HttpAnswer()> readiness);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  HttpAccess access_;
  std::unique_ptr<httplib::Server> server_;
  // Replaced whole, read by the serving threads.
  std::shared_ptr<UserLookup> users_, program_;
  std::shared_ptr<std::function<HttpAnswer()>> readiness_;
  int port_ = 0;
  std::thread thread_;
};

// The server `metrics.listen` asks for, serving `registry` (nullptr when it is empty).
std::unique_ptr<HttpServer> serve_http(const Config& config,
                                       std::shared_ptr<prometheus::Registry> registry);

}  // namespace engaged
