// The byte-level building blocks of every stored and internal record: fixed-width integers,
// zigzag varints, length-prefixed strings and a bounds-checked reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace engaged::codec {

inline void put_be32(std::string& s, uint32_t v) {
  char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  s.append(b, 4);
}
inline uint32_t get_be32(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}
// Days are signed; flipping the sign bit keeps big-endian byte order equal to numeric order.
inline uint32_t biased(int32_t day) {
  return static_cast<uint32_t>(day) ^ 0x80000000u;
}
inline int32_t unbiased(uint32_t v) {
  return static_cast<int32_t>(v ^ 0x80000000u);
}
inline void put_be64(std::string& s, uint64_t v) {
  put_be32(s, static_cast<uint32_t>(v >> 32));
  put_be32(s, static_cast<uint32_t>(v));
}
inline uint64_t get_be64(const char* p) {
  return (uint64_t{get_be32(p)} << 32) | get_be32(p + 4);
}
inline void put_le64(std::string& s, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = char(v >> (8 * i));
  s.append(b, 8);
}
inline uint64_t get_le64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
// Zigzag varints for the variable-length records.
inline void put_varint(std::string& out, int64_t x) {
  uint64_t z = (static_cast<uint64_t>(x) << 1) ^ static_cast<uint64_t>(x >> 63);
  char b[10];  // one append: a push_back per byte checks the capacity at each
  size_t n = 0;
  while (z >= 0x80) {
    b[n++] = static_cast<char>(z | 0x80);
    z >>= 7;
  }
  b[n++] = static_cast<char>(z);
  out.append(b, n);
}

// Reads fields in order from a record; ok() turns false on any overrun or malformed varint.
class Reader {
 public:
  explicit Reader(std::string_view v) : v_(v) {}
  int64_t varint() {
    uint64_t z = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= v_.size()) return fail();
      auto b = static_cast<uint8_t>(v_[pos_++]);
      z |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    }
    return fail();
  }
  uint64_t le64() {
    if (v_.size() - pos_ < 8) return static_cast<uint64_t>(fail());
    uint64_t x = get_le64(v_.data() + pos_);
    pos_ += 8;
    return x;
  }
  std::string_view bytes(size_t n) {
    if (v_.size() - pos_ < n) {
      fail();
      return {};
    }
    pos_ += n;
    return v_.substr(pos_ - n, n);
  }
  std::string string(size_t max) {
    const size_t n = count(max);
    return std::string(bytes(n));
  }
  size_t count(size_t max) {  // a length prefix, bounded against corruption
    int64_t n = varint();
    if (n < 0 || static_cast<size_t>(n) > max) return static_cast<size_t>(fail());
    return static_cast<size_t>(n);
  }
  bool ok() const { return ok_; }
  size_t position() const { return pos_; }
  bool done() const { return ok_ && pos_ == v_.size(); }

 private:
  int64_t fail() {
    ok_ = false;
    pos_ = v_.size();
    return 0;
  }
  std::string_view v_;
  size_t pos_ = 0;
  bool ok_ = true;
};

inline void put_string(std::string& out, std::string_view s) {
  put_varint(out, static_cast<int64_t>(s.size()));
  out.append(s);
}

}  // namespace engaged::codec
