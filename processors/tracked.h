// Ordered containers that remember which keys were written since their changes were last taken:
// the program stage's state is stored and changelogged per changed key
// (processors/program/program_store.cc), never rewritten whole. Reads through a const container
// mark nothing; every way to change an entry marks its key (a mutable find() marks the key it
// finds, even if the caller only reads). A key that was absent at the last take and is absent again
// is no change: an entry that comes and goes between two checkpoints is never stored, nor deleted
// from the store or changelog.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <utility>

namespace engaged {

// The marked keys whose presence or value may differ from the last take, each with whether it
// was present then (a key present now but not then is a new one); clears the marks.
template <typename K, typename Container>
std::map<K, bool> take(std::map<K, bool>& marked, const Container& now) {
  for (auto it = marked.begin(); it != marked.end();)
    it = it->second || now.count(it->first) ? std::next(it) : marked.erase(it);
  return std::exchange(marked, {});
}

template <typename K, typename V>
class TrackedMap {
 public:
  using Map = std::map<K, V>;
  using iterator = typename Map::iterator;
  using const_iterator = typename Map::const_iterator;

  const_iterator begin() const { return map_.begin(); }
  const_iterator end() const { return map_.end(); }
  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }
  const_iterator find(const K& k) const { return map_.find(k); }
  size_t count(const K& k) const { return map_.count(k); }
  const V& at(const K& k) const { return map_.at(k); }

  V& operator[](const K& k) {
    auto [it, inserted] = map_.try_emplace(k);
    mark(k, !inserted);
    return it->second;
  }
  iterator find(const K& k) {
    auto it = map_.find(k);
    if (it != map_.end()) mark(k, true);
    return it;
  }
  template <typename... A>
  std::pair<iterator, bool> emplace(const K& k, A&&... args) {
    auto r = map_.try_emplace(k, std::forward<A>(args)...);
    mark(k, !r.second);
    return r;
  }
  size_t erase(const K& k) {
    auto it = map_.find(k);
    mark(k, it != map_.end());
    if (it == map_.end()) return 0;
    map_.erase(it);
    return 1;
  }
  iterator erase(const_iterator it) {
    mark(it->first, true);
    return map_.erase(it);
  }
  typename Map::node_type extract(const_iterator it) {
    mark(it->first, true);
    return map_.extract(it);
  }
  // Calls f(key, value&) on every entry; f returns whether it changed the value (then the key is
  // marked) and sets `erase` to drop the entry.
  template <typename F>
  void update_all(F&& f) {
    for (auto it = map_.begin(); it != map_.end();) {
      bool erase = false;
      if (f(it->first, it->second, erase)) mark(it->first, true);
      if (erase) {
        mark(it->first, true);
        it = map_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Keys written since the last call (present now, or erased since and present then), in order,
  // each with whether it was present at the last call.
  std::map<K, bool> take_changed() { return take(changed_, map_); }
  // Loading: entries go in unmarked.
  Map& unmarked() { return map_; }
  bool operator==(const TrackedMap& o) const { return map_ == o.map_; }

 private:
  // The first mark of a key since the last take records whether the key was there then.
  void mark(const K& k, bool present) { changed_.try_emplace(k, present); }

  Map map_;
  std::map<K, bool> changed_;  // key -> present at the last take
};

template <typename K>
class TrackedSet {
 public:
  using Set = std::set<K>;
  using const_iterator = typename Set::const_iterator;

  const_iterator begin() const { return set_.begin(); }
  const_iterator end() const { return set_.end(); }
  size_t size() const { return set_.size(); }
  bool empty() const { return set_.empty(); }
  size_t count(const K& k) const { return set_.count(k); }

  void insert(K k) {
    auto [it, inserted] = set_.insert(std::move(k));
    changed_.try_emplace(*it, !inserted);
  }
  const_iterator erase(const_iterator it) {
    changed_.try_emplace(*it, true);
    return set_.erase(it);
  }

  std::map<K, bool> take_changed() { return take(changed_, set_); }
  Set& unmarked() { return set_; }
  bool operator==(const TrackedSet& o) const { return set_ == o.set_; }

 private:
  Set set_;
  std::map<K, bool> changed_;  // key -> present at the last take
};

}  // namespace engaged
