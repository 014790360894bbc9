// The one place an event is decoded and checked against contract v1.
#include "ingest/event_decoder.h"

#include <cmath>
#include <cstring>

#include "domain/timestamp.h"

namespace engaged {
namespace od = simdjson::ondemand;
namespace {

constexpr size_t kMaxIdLength = 128;
constexpr size_t kMaxListItemBytes = 32;
constexpr int64_t kMaxMentorCapacity = 100;

// Presence bits for the required-field checks.
enum Field : uint32_t {
  kEventId = 1u << 0,
  kUserId = 1u << 1,
  kType = 1u << 2,
  kTs = 1u << 3,
  kSessionId = 1u << 4,
  kName = 1u << 5,
  kAmount = 1u << 6,
  kCurrency = 1u << 7,
  kScore = 1u << 8,
  kTicketId = 1u << 9,
  kReferredUserId = 1u << 10,
  kPeerUserId = 1u << 11,
  kNudgeId = 1u << 12,
  kReferrerUserId = 1u << 13,
};

bool is_structural_error(simdjson::error_code e) {
  return e != simdjson::SUCCESS && e != simdjson::INCORRECT_TYPE && e != simdjson::NUMBER_ERROR &&
         e != simdjson::NUMBER_OUT_OF_RANGE && e != simdjson::NO_SUCH_FIELD;
}

Rejection malformed(std::string_view what) {
  return {RejectReason::kMalformedJson, what};
}

// Walks a value fully so that malformed content inside values we do not use is still caught.
simdjson::error_code consume(od::value v, int depth = 0) {
  if (depth > 64) return simdjson::DEPTH_ERROR;
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  switch (t) {
    case od::json_type::object: {
      od::object o;
      if (auto e = v.get_object().get(o)) return e;
      for (auto f : o) {
        od::field field;
        if (auto e = std::move(f).get(field)) return e;
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        if (auto e = consume(field.value(), depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      if (auto e = v.get_array().get(a)) return e;
      for (auto el : a) {
        od::value item;
        if (auto e = el.get(item)) return e;
        if (auto e = consume(item, depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string:
      return v.get_string().error();
    case od::json_type::number:
      return v.get_double().error();
    case od::json_type::boolean:
      return v.get_bool().error();
    case od::json_type::null:
      return v.is_null().error();
  }
  return simdjson::SUCCESS;
}

// Reads a string field with the contract's length bounds into `out`.
std::optional<Rejection> read_id(od::value v, std::string_view field, std::string_view& out) {
  auto r = v.get_string();
  if (r.error()) {
    return is_structural_error(r.error()) ? malformed(field)
                                          : Rejection{RejectReason::kBadType, field};
  }
  out = r.value_unsafe();
  if (out.empty() || out.size() > kMaxIdLength) return Rejection{RejectReason::kBadValue, field};
  return std::nullopt;
}

// Reads a number field (double or int64_t) into `out`: another type is a bad type, a number
// `valid` refuses a bad value.
template <typename T, typename Valid>
std::optional<Rejection> read_number(od::value v, std::string_view field, Valid&& valid, T& out) {
  T x{};
  simdjson::error_code e;
  if constexpr (std::is_same_v<T, double>)
    e = v.get_double().get(x);
  else
    e = v.get_int64().get(x);
  if (is_structural_error(e)) return malformed(field);
  if (e) return Rejection{RejectReason::kBadType, field};
  if (!valid(x)) return Rejection{RejectReason::kBadValue, field};
  out = x;
  return std::nullopt;
}

std::optional<Rejection> read_timestamp(od::value v, int64_t& out) {
  od::json_type t;
  if (v.type().get(t)) return malformed("ts");
  if (t == od::json_type::string) {
    std::string_view s;
    if (v.get_string().get(s)) return malformed("ts");
    auto ms = parse_rfc3339_ms(s);
    if (!ms) return Rejection{RejectReason::kBadTimestamp, "ts is not RFC 3339 with an offset"};
    out = *ms;
    return std::nullopt;
  }
  if (t == od::json_type::number) {
    int64_t ms;
    auto e = v.get_int64().get(ms);
    if (is_structural_error(e)) return malformed("ts");
    if (e || ms < kMinEventMs || ms > kMaxEventMs)
      return Rejection{RejectReason::kBadTimestamp, "ts epoch ms out of range or not an integer"};
    out = ms;
    return std::nullopt;
  }
  if (consume(v)) return malformed("ts");
  return Rejection{RejectReason::kBadTimestamp, "ts must be a string or an integer"};
}

// props.languages / props.topics: an array of at most kMaxListProps strings of 1..32 bytes.
std::optional<Rejection> read_list(od::value v, std::string_view field, PropList& out) {
  od::json_type t;
  if (v.type().get(t)) return malformed(field);
  if (t != od::json_type::array) {
    if (consume(v)) return malformed(field);
    return Rejection{RejectReason::kBadType, field};
  }
  od::array a;
  if (v.get_array().get(a)) return malformed(field);
  out.size = 0;
  for (auto el : a) {
    od::value item;
    if (el.get(item)) return malformed(field);
    auto s = item.get_string();
    if (s.error()) {
      if (is_structural_error(s.error()) || consume(item)) return malformed(field);
      return Rejection{RejectReason::kBadType, field};
    }
    std::string_view text = s.value_unsafe();
    if (text.empty() || text.size() > kMaxListItemBytes || out.size == kMaxListProps)
      return Rejection{RejectReason::kBadValue, field};
    out.items[out.size++] = text;
  }
  return std::nullopt;
}

// The fields that hold an id (a non-empty string of bounded length).
struct IdField {
  std::string_view key;
  Field bit;
  std::string_view Event::*member;
};
constexpr IdField kEventIdField{"event_id", kEventId, &Event::event_id},
    kUserIdField{"user_id", kUserId, &Event::user_id},
    kSessionIdField{"session_id", kSessionId, &Event::session_id},
    kNameField{"name", kName, &Event::name},
    kTicketIdField{"ticket_id", kTicketId, &Event::ticket_id},
    kReferredField{"referred_user_id", kReferredUserId, &Event::referred_user_id},
    kReferrerField{"referrer_user_id", kReferrerUserId, &Event::referrer_user_id},
    kPeerField{"peer_user_id", kPeerUserId, &Event::peer_user_id},
    kNudgeIdField{"nudge_id", kNudgeId, &Event::nudge_id};

// A top-level key of contract v1: found by its length, then compared with names of that length
// at a size the compiler knows (string_view's == called memcmp 3.8 times an event).
enum class TopKey : uint8_t { kType, kTs, kId, kAmount, kCurrency, kScore, kProps, kUnknown };
struct KeyMatch {
  TopKey key = TopKey::kUnknown;
  const IdField* id = nullptr;  // kId: which
};
template <size_t N>
bool same(const char* key, const char (&name)[N]) {  // the key has N - 1 bytes
  return std::memcmp(key, name, N - 1) == 0;
}
KeyMatch match_key(std::string_view key) {
  const char* k = key.data();
  switch (key.size()) {
    case 2:
      if (same(k, "ts")) return {TopKey::kTs};
      break;
    case 4:
      if (same(k, "type")) return {TopKey::kType};
      if (same(k, "name")) return {TopKey::kId, &kNameField};
      break;
    case 5:
      if (same(k, "score")) return {TopKey::kScore};
      if (same(k, "props")) return {TopKey::kProps};
      break;
    case 6:
      if (same(k, "amount")) return {TopKey::kAmount};
      break;
    case 7:
      if (same(k, "user_id")) return {TopKey::kId, &kUserIdField};
      break;
    case 8:
      if (same(k, "event_id")) return {TopKey::kId, &kEventIdField};
      if (same(k, "currency")) return {TopKey::kCurrency};
      if (same(k, "nudge_id")) return {TopKey::kId, &kNudgeIdField};
      break;
    case 9:
      if (same(k, "ticket_id")) return {TopKey::kId, &kTicketIdField};
      break;
    case 10:
      if (same(k, "session_id")) return {TopKey::kId, &kSessionIdField};
      break;
    case 12:
      if (same(k, "peer_user_id")) return {TopKey::kId, &kPeerField};
      break;
    case 16:
      if (same(k, "referred_user_id")) return {TopKey::kId, &kReferredField};
      if (same(k, "referrer_user_id")) return {TopKey::kId, &kReferrerField};
      break;
  }
  return {};
}

}  // namespace

EventDecoder::EventDecoder(size_t max_bytes)
    : max_bytes_(max_bytes), scratch_(new char[max_bytes + simdjson::SIMDJSON_PADDING]) {}

std::optional<Rejection> EventDecoder::decode(std::string_view msg, Event& out, bool padded) {
  if (msg.size() > max_bytes_) return Rejection{RejectReason::kTooLarge, "message over size limit"};
  const char* data = msg.data();
  size_t capacity = msg.size() + simdjson::SIMDJSON_PADDING;
  if (!padded) {
    std::memcpy(scratch_.get(), msg.data(), msg.size());
    std::memset(scratch_.get() + msg.size(), 0, simdjson::SIMDJSON_PADDING);
    data = scratch_.get();
  }
  od::document doc;
  if (parser_.iterate(data, msg.size(), capacity).get(doc)) return malformed("not JSON");
  out = Event{};
  auto rejection = decode_document(doc, out);
  if (rejection) return rejection;
  // Anything after the closing brace is trailing garbage.
  if (!doc.current_location().error()) return malformed("trailing content after the object");
  return std::nullopt;
}

std::optional<Rejection> EventDecoder::decode_document(od::document& doc, Event& ev) {
  od::json_type root_type;
  if (doc.type().get(root_type)) return malformed("not JSON");
  if (root_type != od::json_type::object) {
    // Still require the whole text to be valid JSON before calling it a non-object.
    od::value root;
    if (doc.get_value().get(root)) {
      // Scalars at the root cannot be taken as a value; check them directly.
      std::string_view tok;
      if (doc.raw_json_token().get(tok)) return malformed("not JSON");
      bool valid = false;
      if (root_type == od::json_type::string) valid = !doc.get_string().error();
      if (root_type == od::json_type::number) valid = !doc.get_double().error();
      if (root_type == od::json_type::boolean) valid = !doc.get_bool().error();
      if (root_type == od::json_type::null) valid = !doc.is_null().error();
      if (!valid) return malformed("not JSON");
    } else if (consume(root)) {
      return malformed("not JSON");
    }
    return Rejection{RejectReason::kNotAnObject, "top-level value is not an object"};
  }
  od::object obj;
  if (doc.get_object().get(obj)) return malformed("not JSON");

  uint32_t seen = 0;
  std::string_view type_name;
  for (auto f : obj) {
    od::field field;
    if (std::move(f).get(field)) return malformed("broken object");
    std::string_view key;
    if (field.unescaped_key().get(key)) return malformed("broken key");
    od::value v = field.value();
    std::optional<Rejection> r;
    const KeyMatch match = match_key(key);
    if (match.key == TopKey::kType) {
      seen |= kType;
      auto s = v.get_string();
      if (s.error()) {
        r = is_structural_error(s.error()) ? malformed("type")
                                           : Rejection{RejectReason::kBadType, "type"};
      } else {
        type_name = s.value_unsafe();
        auto t = parse_event_type(type_name);
        if (!t)
          r = Rejection{RejectReason::kUnknownType, "type"};
        else
          ev.type = *t;
      }
    } else if (match.key == TopKey::kTs) {
      seen |= kTs;
      r = read_timestamp(v, ev.ts_ms);
    } else if (const IdField* id = match.id) {
      seen |= id->bit;
      r = read_id(v, id->key, ev.*id->member);
    } else if (match.key == TopKey::kAmount) {
      seen |= kAmount;
      double a;
      r = read_number(
          v, "amount", [](double x) { return x >= 0 && std::isfinite(x); }, a);
      if (!r) ev.amount = a;
    } else if (match.key == TopKey::kCurrency) {
      seen |= kCurrency;
      r = read_id(v, "currency", ev.currency);
      if (!r &&
          (ev.currency.size() != 3 || !std::isupper(static_cast<unsigned char>(ev.currency[0])) ||
           !std::isupper(static_cast<unsigned char>(ev.currency[1])) ||
           !std::isupper(static_cast<unsigned char>(ev.currency[2]))))
        r = Rejection{RejectReason::kBadValue, "currency"};
    } else if (match.key == TopKey::kScore) {
      seen |= kScore;
      int64_t s;
      r = read_number(
          v, "score", [](int64_t x) { return x >= 0 && x <= 10; }, s);
      if (!r) ev.score = static_cast<int8_t>(s);
    } else if (match.key == TopKey::kProps) {
      r = decode_props(v, ev.props);
    } else {
      detail_.assign(key);
      if (consume(v)) return malformed("broken value");
      return Rejection{RejectReason::kUnknownField, detail_};
    }
    if (r) return r;
  }

  constexpr std::pair<Field, std::string_view> kRequired[] = {
      {kEventId, "event_id"}, {kUserId, "user_id"}, {kType, "type"}, {kTs, "ts"}};
  for (auto [bit, name] : kRequired)
    if (!(seen & bit)) return Rejection{RejectReason::kMissingField, name};

  auto need = [&](Field bit, std::string_view name) -> std::optional<Rejection> {
    if (!(seen & bit)) return Rejection{RejectReason::kMissingField, name};
    return std::nullopt;
  };
  switch (ev.type) {
    case EventType::kSessionStart:
    case EventType::kSessionEnd:
      return need(kSessionId, "session_id");
    case EventType::kAction:
      return need(kName, "name");
    case EventType::kPurchase:
      if (auto r = need(kAmount, "amount")) return r;
      return need(kCurrency, "currency");
    case EventType::kFeedback:
      return need(kScore, "score");
    case EventType::kSupportTicket:
    case EventType::kSupportReply:
      return need(kTicketId, "ticket_id");
    case EventType::kReferral:
      return need(kReferredUserId, "referred_user_id");
    case EventType::kMentorMessage:
    case EventType::kMentorReport:
    case EventType::kUserBlocked:
      return need(kPeerUserId, "peer_user_id");
    case EventType::kMentorRating:
      if (auto r = need(kPeerUserId, "peer_user_id")) return r;
      return need(kScore, "score");
    case EventType::kNudgeOpened:
      return need(kNudgeId, "nudge_id");
    default:
      return std::nullopt;
  }
}

std::optional<Rejection> EventDecoder::decode_props(od::value v, EventProps& props) {
  od::json_type t;
  if (v.type().get(t)) return malformed("props");
  if (t != od::json_type::object) {
    if (consume(v)) return malformed("props");
    return Rejection{RejectReason::kBadType, "props"};
  }
  od::object obj;
  if (v.get_object().get(obj)) return malformed("props");
  for (auto f : obj) {
    od::field field;
    if (std::move(f).get(field)) return malformed("props");
    std::string_view key;
    if (field.unescaped_key().get(key)) return malformed("props");
    if (key == "languages" || key == "topics") {
      PropList& list = key == "languages" ? props.languages : props.topics;
      const std::string_view name = key == "languages" ? "props.languages" : "props.topics";
      if (auto r = read_list(field.value(), name, list)) return r;
      continue;
    }
    if (key == "capacity") {
      int64_t c;
      const auto in_range = [](int64_t x) { return x >= 0 && x <= kMaxMentorCapacity; };
      if (auto r = read_number(field.value(), "props.capacity", in_range, c)) return r;
      props.capacity = static_cast<int32_t>(c);
      continue;
    }
    std::string_view* slot = nullptr;
    if (key == "platform")
      slot = &props.platform;
    else if (key == "locale")
      slot = &props.locale;
    else if (key == "tz")
      slot = &props.tz;
    else if (key == "country")
      slot = &props.country;
    else if (key == "app_version")
      slot = &props.app_version;
    if (!slot) {
      if (consume(field.value())) return malformed("props");
      continue;
    }
    auto s = field.value().get_string();
    if (s.error()) {
      if (is_structural_error(s.error())) return malformed("props");
      return Rejection{RejectReason::kBadType, "props"};
    }
    *slot = s.value_unsafe();
  }
  return std::nullopt;
}

}  // namespace engaged
