// The JSON formatter escapes the message with the one JSON string escaper (sinks/json_text.h):
// a message quoting user input stays one valid JSON line.
#include "app/log_format.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

#include "sinks/json_text.h"

namespace engaged {
namespace {

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch());
    // UTC whatever the machine's zone (fmt 9 formats a time_point in local time).
    const std::tm utc = fmt::gmtime(std::chrono::system_clock::to_time_t(msg.time));
    line_.clear();
    line_ += fmt::format("{{\"time\":\"{:%Y-%m-%dT%H:%M:%S}.{:06}Z\",\"level\":", utc,
                         us.count() % 1000000);
    const auto level = spdlog::level::to_string_view(msg.level);
    append_json_string(line_, std::string_view(level.data(), level.size()));
    line_ += ",\"logger\":";
    append_json_string(line_, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    line_ += fmt::format(",\"thread\":{},\"message\":", msg.thread_id);
    append_json_string(line_, std::string_view(msg.payload.data(), msg.payload.size()));
    line_ += "}\n";
    dest.append(line_.data(), line_.data() + line_.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }

 private:
  std::string line_;
};

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_logger_mt("engaged");
  if (format == "json") logger->set_formatter(std::make_unique<JsonFormatter>());
  spdlog::set_default_logger(std::move(logger));
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace engaged
