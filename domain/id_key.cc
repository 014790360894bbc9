// XXH3-128 of user id, a zero byte and the id.
#include "domain/id_key.h"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack: no allocation per event
#include <xxhash.h>

#include <cstring>

namespace engaged {

IdKey id_key(std::string_view user_id, std::string_view id) {
  XXH128_hash_t h;
  // Ids of up to a few hundred bytes (all of them, in practice) are hashed in one call from a
  // copy on the stack: the streaming API costs four times as much for such short inputs, and
  // both give the same hash of the same bytes.
  char buffer[256];
  if (user_id.size() + 1 + id.size() <= sizeof buffer) {
    // (memcpy from an empty view's null data is undefined, even for 0 bytes)
    if (!user_id.empty()) std::memcpy(buffer, user_id.data(), user_id.size());
    buffer[user_id.size()] = 0;
    if (!id.empty()) std::memcpy(buffer + user_id.size() + 1, id.data(), id.size());
    h = XXH3_128bits(buffer, user_id.size() + 1 + id.size());
  } else {
    XXH3_state_t state;
    XXH3_128bits_reset(&state);
    XXH3_128bits_update(&state, user_id.data(), user_id.size());
    const char sep = 0;
    XXH3_128bits_update(&state, &sep, 1);
    XXH3_128bits_update(&state, id.data(), id.size());
    h = XXH3_128bits_digest(&state);
  }
  return {h.high64, h.low64 == 0 && h.high64 == 0 ? 1 : h.low64};
}

}  // namespace engaged
