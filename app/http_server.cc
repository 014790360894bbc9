// cpp-httplib (Debian libcpp-httplib-dev) and prometheus-cpp's text serializer.
#include "app/http_server.h"

#include <httplib.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <stdexcept>

namespace engaged {

HttpServer::HttpServer(const std::string& listen, std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)), server_(std::make_unique<httplib::Server>()) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("metrics.listen must be host:port");
  const std::string host = listen.substr(0, colon);
  const int port = std::stoi(listen.substr(colon + 1));
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    prometheus::TextSerializer serializer;
    res.set_content(serializer.Serialize(registry_->Collect()),
                    "text/plain; version=0.0.4; charset=utf-8");
  });
  auto serve = [](const std::shared_ptr<UserLookup>& lookup, const std::string& id,
                  httplib::Response& res) {
    HttpAnswer a{404, "{\"error\":\"unknown user\"}", {}, 0};
    if (lookup && *lookup) a = (*lookup)(id);
    res.status = a.status;
    if (!a.location.empty()) res.set_header("Location", a.location);
    if (a.retry_after_s > 0) res.set_header("Retry-After", std::to_string(a.retry_after_s));
    res.set_content(a.body, "application/json");
  };
  server_->Get(R"(/v1/users/(.+))",
               [this, serve](const httplib::Request& req, httplib::Response& res) {
                 serve(std::atomic_load(&users_), req.matches[1], res);
               });
  server_->Get(R"(/v1/program/users/(.+))",
               [this, serve](const httplib::Request& req, httplib::Response& res) {
                 serve(std::atomic_load(&program_), req.matches[1], res);
               });
  port_ =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ < 0) throw std::runtime_error("cannot listen on " + listen);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

HttpServer::~HttpServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void HttpServer::set_user_lookup(UserLookup users, UserLookup program) {
  std::atomic_store(&users_, std::make_shared<UserLookup>(std::move(users)));
  std::atomic_store(&program_, std::make_shared<UserLookup>(std::move(program)));
}

}  // namespace engaged
