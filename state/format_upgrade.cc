#include "state/format_upgrade.h"

#include <fmt/format.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "state/changelog_record.h"
#include "state/manifest.h"
#include "state/store.h"

namespace engaged {

namespace {
constexpr char kFirstVersion = 1;
}  // namespace

std::string_view upgrade_value(Family f, std::string_view v, std::string& buf) {
  switch (family_info(f).format3) {
    case Format3::kUnchanged:
      return v;
    case Format3::kMembersVersioned:
      if (!v.empty()) return v;
      break;
    case Format3::kVersionPrepended:
      break;
  }
  buf.assign(1, kFirstVersion);
  buf.append(v);
  return buf;
}

std::string upgrade_ops(std::string_view ops) {
  std::string out, buf;
  changelog::OpReader reader(ops);
  changelog::Op op;
  while (reader.next(op)) {
    if (!op.value)
      changelog::append_delete(out, op.family, op.key);
    else if (op.created)
      changelog::append_insert(out, op.family, op.key, upgrade_value(op.family, *op.value, buf));
    else
      changelog::append_put(out, op.family, op.key, upgrade_value(op.family, *op.value, buf));
  }
  if (!reader.ok()) throw std::runtime_error("malformed changelog redo record");
  return out;
}

void upgrade_state(Store& store, const std::string& manifest) {
  rocksdb::WriteBatch batch;
  std::string buf;
  size_t changed = 0;
  for (const FamilyInfo& f : kFamilies) {
    if (f.format3 == Format3::kUnchanged) continue;
    store.scan(f.id, "", [&](std::string_view k, std::string_view v) {
      const std::string_view upgraded = upgrade_value(f.id, v, buf);
      if (upgraded.data() == v.data()) return;
      batch.Put(store.cf(f.id), rocksdb::Slice(k.data(), k.size()),
                rocksdb::Slice(upgraded.data(), upgraded.size()));
      ++changed;
    });
  }
  store.put_manifest_text(manifest, batch);
  spdlog::info("state upgraded to format {}: {} records rewritten with their version", kStateFormat,
               changed);
}

std::unique_ptr<Store> open_state_for_reading(const std::string& dir) {
  auto store = Store::open(dir, {.read_only = true});
  const auto manifest = read_manifest(*store);
  if (!manifest || manifest->format >= kStateFormat) return store;
  store.reset();
  try {
    store = Store::open(dir, {.read_only = false});
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format(
        "state {} has format {} and must be upgraded to format {} before it can be read, but it "
        "cannot be opened for writing ({}): stop the process that holds it, or let this "
        "binary's `run` open it",
        dir, manifest->format, kStateFormat, e.what()));
  }
  check_manifest(*store, dir, nullptr);
  store.reset();
  return Store::open(dir, {.read_only = true});
}

}  // namespace engaged
