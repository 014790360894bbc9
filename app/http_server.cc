// cpp-httplib (Debian libcpp-httplib-dev) and prometheus-cpp's text serializer.
#include "app/http_server.h"

#include <httplib.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "app/config.h"
#include "app/process_metrics.h"

namespace engaged {
namespace {

// Compares without stopping at the first difference (no timing hint about the token).
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

}  // namespace

HttpAccess http_access(const Config& config) {
  HttpAccess access{config.http_token, config.http_token_for_metrics};
  if (!config.http_token_file.empty()) {
    std::ifstream in(config.http_token_file);
    if (!in) throw std::runtime_error("metrics.token_file: cannot read " + config.http_token_file);
    std::stringstream text;
    text << in.rdbuf();
    access.token = text.str();
    access.token.erase(0, access.token.find_first_not_of(" \t\r\n"));
    access.token.erase(access.token.find_last_not_of(" \t\r\n") + 1);
    if (access.token.empty())
      throw std::runtime_error("metrics.token_file: " + config.http_token_file + " is empty");
  }
  return access;
}

std::unique_ptr<HttpServer> serve_http(const Config& config,
                                       std::shared_ptr<prometheus::Registry> registry) {
  const std::string& listen = config.metrics_listen;
  if (listen.empty()) return nullptr;
  auto server = std::make_unique<HttpServer>(listen, std::move(registry), http_access(config));
  spdlog::info("serving http://{}:{}/metrics and /v1/users/{{id}}",
               listen.substr(0, listen.rfind(':')), server->port());
  return server;
}

HttpServer::HttpServer(const std::string& listen, std::shared_ptr<prometheus::Registry> registry,
                       HttpAccess access)
    : registry_(std::move(registry)),
      access_(std::move(access)),
      server_(std::make_unique<httplib::Server>()) {
  const auto [host, port] = parse_host_port(listen);
  server_->new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  server_->set_read_timeout(2, 0);
  server_->set_write_timeout(5, 0);
  server_->set_keep_alive_timeout(2);
  server_->set_payload_max_length(64 * 1024);
  // Requests without the token get 401 before any handler runs.
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const bool probe = req.path == "/healthz" || req.path == "/readyz";
    const bool guarded =
        !access_.token.empty() && !probe && (req.path != "/metrics" || access_.token_for_metrics);
    if (!guarded || same_secret(req.get_header_value("Authorization"), "Bearer " + access_.token))
      return httplib::Server::HandlerResponse::Unhandled;
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content("{\"error\":\"missing or wrong bearer token\"}", "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    prometheus::TextSerializer serializer;
    std::vector<prometheus::MetricFamily> families = registry_->Collect();
    for (auto& f : process_metric_families()) families.push_back(std::move(f));
    res.set_content(serializer.Serialize(families), "text/plain; version=0.0.4; charset=utf-8");
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
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"alive\"}", "application/json");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    const auto readiness = std::atomic_load(&readiness_);
    const HttpAnswer a = readiness && *readiness
                             ? (*readiness)()
                             : HttpAnswer{503, "{\"ready\":false,\"failing\":[\"not a run\"]}"};
    res.status = a.status;
    res.set_content(a.body, "application/json");
  });
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

void HttpServer::set_readiness(std::function<HttpAnswer()> readiness) {
  std::atomic_store(&readiness_,
                    std::make_shared<std::function<HttpAnswer()>>(std::move(readiness)));
}

}  // namespace engaged
