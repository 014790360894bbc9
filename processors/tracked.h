// Ordered containers that remember which keys were written since their changes were last taken:
// the program stage's state is stored and changelogged per changed key (state/program_store.cc),
// never rewritten whole. Reads through a const container mark nothing; every way to change an
// entry marks its key (a mutable find() marks the key it finds, even if the caller only reads).
#pragma once

#include <map>
#include <set>
#include <utility>

namespace engaged {

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
    changed_.insert(k);
    return map_[k];
  }
  iterator find(const K& k) {
    auto it = map_.find(k);
    if (it != map_.end()) changed_.insert(k);
    return it;
  }
  template <typename... A>
  std::pair<iterator, bool> emplace(const K& k, A&&... args) {
    changed_.insert(k);
    return map_.try_emplace(k, std::forward<A>(args)...);
  }
  size_t erase(const K& k) {
    changed_.insert(k);
    return map_.erase(k);
  }
  iterator erase(const_iterator it) {
    changed_.insert(it->first);
    return map_.erase(it);
  }
  typename Map::node_type extract(const_iterator it) {
    changed_.insert(it->first);
    return map_.extract(it);
  }
  // Calls f(key, value&) on every entry; f returns whether it changed the value (then the key is
  // marked) and sets `erase` to drop the entry.
  template <typename F>
  void update_all(F&& f) {
    for (auto it = map_.begin(); it != map_.end();) {
      bool erase = false;
      if (f(it->first, it->second, erase)) changed_.insert(it->first);
      if (erase) {
        changed_.insert(it->first);
        it = map_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Keys written since the last call (present or erased since), in order.
  std::set<K> take_changed() { return std::exchange(changed_, {}); }
  // Loading: entries go in unmarked.
  Map& unmarked() { return map_; }
  bool operator==(const TrackedMap& o) const { return map_ == o.map_; }

 private:
  Map map_;
  std::set<K> changed_;
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
    changed_.insert(k);
    set_.insert(std::move(k));
  }
  const_iterator erase(const_iterator it) {
    changed_.insert(*it);
    return set_.erase(it);
  }

  std::set<K> take_changed() { return std::exchange(changed_, {}); }
  Set& unmarked() { return set_; }
  bool operator==(const TrackedSet& o) const { return set_ == o.set_; }

 private:
  Set set_;
  std::set<K> changed_;
};

}  // namespace engaged
