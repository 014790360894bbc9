// `engaged probe`: asks a running instance's /readyz (or /healthz) and exits 0 on 200, 1
// otherwise, printing the answer. It is the container's HEALTHCHECK: the runtime image has no
// curl, and the address follows metrics.listen (ENGAGED_METRICS_LISTEN) like the server does.
#include <httplib.h>

#include <iostream>
#include <stdexcept>

#include "app/commands.h"
#include "app/config.h"

namespace engaged {

int probe(const Config& config, const std::string& path) {
  if (config.metrics_listen.empty())
    throw std::invalid_argument("probe: metrics.listen is empty: the instance serves no HTTP");
  auto [host, port] = parse_host_port(config.metrics_listen);
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  httplib::Client client(host, port);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  const auto res = client.Get(path);
  if (!res) {
    std::cout << "probe: no answer from " << host << ":" << port << path << " ("
              << httplib::to_string(res.error()) << ")\n";
    return 1;
  }
  std::cout << res->body << "\n";
  return res->status == 200 ? 0 : 1;
}

}  // namespace engaged
