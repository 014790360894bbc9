// Announcements are JSON, readable with kcat:
//   {"instance":"...","address":"host:port","partitions":[0,3],"restoring":[5]}
// where -1 stands for the program stage.
#include "app/members.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "sinks/json_text.h"
#include "state/codec.h"

namespace engaged {
namespace {

constexpr int32_t kProgramId = -1;  // the program stage in announcements

int32_t to_wire(int32_t p) {
  return p == codec::kProgramPartition ? kProgramId : p;
}
int32_t from_wire(int64_t p) {
  return p == kProgramId ? codec::kProgramPartition : static_cast<int32_t>(p);
}

std::string id_list(const std::set<int32_t>& ids) {
  std::string out = "[";
  for (int32_t p : ids) out += fmt::format("{}{}", out.size() > 1 ? "," : "", to_wire(p));
  return out + "]";
}

}  // namespace

Members::Members(const KafkaProperties& properties, std::string topic, std::string instance,
                 std::string address)
    : topic_(std::move(topic)),
      instance_(std::move(instance)),
      address_(std::move(address)),
      producer_(make_producer(properties)),
      reader_(properties, "members") {
  reader_.start(topic_, 0, RD_KAFKA_OFFSET_BEGINNING);
}

Members::~Members() {
  rd_kafka_flush(producer_.get(), 2000);
}

void Members::announce(const std::set<int32_t>& owned, const std::set<int32_t>& restoring) {
  std::string value = "{\"instance\":";
  append_json_string(value, instance_);
  value += ",\"address\":";
  append_json_string(value, address_);
  value += fmt::format(",\"partitions\":{},\"restoring\":{}}}", id_list(owned), id_list(restoring));
  const rd_kafka_resp_err_t err =
      rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_PARTITION(0),
                        RD_KAFKA_V_KEY(instance_.data(), instance_.size()),
                        RD_KAFKA_V_VALUE(value.data(), value.size()),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  if (err) spdlog::warn("members topic {}: {}", topic_, rd_kafka_err2str(err));
  rd_kafka_poll(producer_.get(), 0);
}

void Members::leave() {
  rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_PARTITION(0),
                    RD_KAFKA_V_KEY(instance_.data(), instance_.size()),
                    RD_KAFKA_V_VALUE(nullptr, 0), RD_KAFKA_V_END);
  rd_kafka_flush(producer_.get(), 5000);
}

void Members::poll() {
  std::vector<rd_kafka_message_t*> msgs;
  reader_.poll(msgs, 1000, 0);
  if (msgs.empty()) return;
  simdjson::dom::parser parser;
  for (rd_kafka_message_t* m : msgs) {
    if (!m->err && m->key) {
      const std::string id(static_cast<const char*>(m->key), m->key_len);
      if (!m->payload) {
        by_instance_.erase(id);
      } else {
        Announcement a;
        a.offset = m->offset;
        simdjson::dom::element doc;
        std::string_view address;
        simdjson::dom::array owned, restoring;
        if (!parser.parse(static_cast<const char*>(m->payload), m->len).get(doc) &&
            !doc["address"].get(address) && !doc["partitions"].get(owned) &&
            !doc["restoring"].get(restoring)) {
          a.address = address;
          for (int64_t p : owned) a.owned.insert(from_wire(p));
          for (int64_t p : restoring) a.restoring.insert(from_wire(p));
          by_instance_[id] = std::move(a);
        } else {
          spdlog::warn("members topic offset {}: not an announcement, skipped", m->offset);
        }
      }
    }
    rd_kafka_message_destroy(m);
  }
  rebuild();
}

void Members::rebuild() {
  std::unordered_map<int32_t, std::pair<int64_t, Owner>> newest;
  for (const auto& [id, a] : by_instance_)
    for (const auto* set : {&a.owned, &a.restoring})
      for (int32_t p : *set) {
        auto& slot = newest[p];
        if (slot.second.instance.empty() || a.offset > slot.first)
          slot = {a.offset, Owner{id, a.address, set == &a.restoring}};
      }
  std::unordered_map<int32_t, Owner> owners;
  for (auto& [p, v] : newest) owners.emplace(p, std::move(v.second));
  std::vector<std::string> instances;
  for (const auto& [id, a] : by_instance_) instances.push_back(id);
  std::sort(instances.begin(), instances.end());
  std::lock_guard lock(mu_);
  owners_ = std::move(owners);
  instances_ = std::move(instances);
}

std::vector<std::string> Members::instances() const {
  std::lock_guard lock(mu_);
  return instances_;
}

std::optional<Members::Owner> Members::owner(int32_t partition) const {
  std::lock_guard lock(mu_);
  auto it = owners_.find(partition);
  if (it == owners_.end()) return std::nullopt;
  return it->second;
}

}  // namespace engaged
