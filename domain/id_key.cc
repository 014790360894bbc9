// XXH3-128 of user id, a zero byte and the id.
#include "domain/id_key.h"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack: no allocation per event
#include <xxhash.h>

namespace engaged {

IdKey id_key(std::string_view user_id, std::string_view id) {
  XXH3_state_t state;
  XXH3_128bits_reset(&state);
  XXH3_128bits_update(&state, user_id.data(), user_id.size());
  const char sep = 0;
  XXH3_128bits_update(&state, &sep, 1);
  XXH3_128bits_update(&state, id.data(), id.size());
  XXH128_hash_t h = XXH3_128bits_digest(&state);
  return {h.high64, h.low64 == 0 && h.high64 == 0 ? 1 : h.low64};
}

}  // namespace engaged
