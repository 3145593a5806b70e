// SPDX-License-Identifier: BSL-1.0
// The registry of pending acks the Socket.IO engines keep (socketio::client,
// socketio::server_connection): lookup by (owner, id) and the earliest deadline in O(log n) with
// up to max_pending_acks (65536 by default) entries, where a linear scan per answered ack made
// answering n acks O(n^2). With SIOCODEC_SIZE_FIRST it is that linear scan
// (ack_registry_linear): a device waits for a handful of acks, and the index, the heap and
// std::sort cost about a kilobyte of flash (docs/embedded.md).
#ifndef SIOCODEC_DETAIL_ACK_REGISTRY_HPP
#define SIOCODEC_DETAIL_ACK_REGISTRY_HPP

#include <siocodec/config.hpp>
#include <siocodec/detail/rvector.hpp>
#include <siocodec/memory.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>

SIOCODEC_BEGIN_NAMESPACE
namespace detail {

// One pending ack.
struct ack_entry {
  std::uint32_t owner;  // the namespace (its engine-local id)
  // The client's "its packet still waits in the send buffer": 1 + the position of the
  // packet's first message there (so that a timeout drops it without a scan), 0 otherwise.
  std::uint32_t flag;
  std::uint64_t id;
  std::uint64_t deadline;
  std::uint64_t seq;  // order of insertion
  std::uint32_t heap_pos;
};

// What both registries share: the entries (in insertion order in ack_registry_linear) and
// erase_if's scratch, which keeps their capacity so that removals never need memory.
class ack_registry_base {
 public:
  static constexpr std::uint64_t no_deadline = ~std::uint64_t{0};
  using entry = ack_entry;

  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }

  /// Calls f(entry&) on every entry (to change `flag`; nothing else may change).
  template <class F>
  void for_each(F&& f) noexcept(noexcept(f(std::declval<entry&>()))) {
    for (entry& e : items_) f(e);
  }

 protected:
  explicit ack_registry_base(memory_resource* mr) noexcept : items_(mr), scratch_(mr) {}

  rvector<entry> items_;
  rvector<entry> scratch_;
};

// Entries live densely in `items_` (removal moves the last one into the hole); `table_` is an
// open-addressing index (linear probing, backward-shift deletion: no tombstones, so lookups stay
// short whatever the churn) of item positions + 1; `heap_` is a binary min-heap of the positions
// of the entries with a deadline, ordered by (deadline, seq) so that equal deadlines expire in
// the order the acks were asked for. Every container keeps its capacity: once grown to the
// largest number of acks pending at once, asking and answering allocate nothing.
class ack_registry_indexed : public ack_registry_base {
 public:
  /// Storage from `mr` (null: the global operator new).
  explicit ack_registry_indexed(memory_resource* mr = nullptr) noexcept
      : ack_registry_base(mr), table_(mr), heap_(mr) {}

  /// Adds (owner, id), which must not be present (the engines allocate ids per owner).
  // False (nothing changed) when the memory resource has no room. Every container is grown
  // first, so that a failure leaves the registry as it was; erase_if's scratch keeps the
  // capacity of items_, so that removals never need memory.
  bool insert(std::uint32_t owner, std::uint64_t id, std::uint64_t deadline, std::uint32_t flag) {
    if ((items_.size() + 1) * 2 > table_.size() && !grow()) return false;
    if (!items_.try_grow(1) || !scratch_.try_reserve(items_.capacity()) ||
        (deadline != no_deadline && !heap_.try_grow(1)))
      return false;
    const auto pos = static_cast<std::uint32_t>(items_.size());
    (void)items_.try_push_back(entry{owner, flag, id, deadline, next_seq_++, npos});
    std::size_t i = home(owner, id);
    while (table_[i] != 0) i = (i + 1) & mask();
    table_[i] = pos + 1;
    if (deadline != no_deadline) {
      items_[pos].heap_pos = static_cast<std::uint32_t>(heap_.size());
      (void)heap_.try_push_back(pos);
      sift_up(heap_.size() - 1);
    }
    return true;
  }

  /// Removes (owner, id): true when it was there.
  bool erase(std::uint32_t owner, std::uint64_t id) noexcept {
    const std::size_t t = slot_of(owner, id);
    if (t == npos_slot) return false;
    remove_at(t);
    return true;
  }

  /// The earliest deadline, no_deadline when none.
  std::uint64_t next_deadline() const noexcept {
    return heap_.empty() ? no_deadline : items_[heap_[0]].deadline;
  }

  /// Removes the earliest entry whose deadline is at or before `now` into `out`: false when none.
  bool pop_expired(std::uint64_t now, entry& out) noexcept {
    if (heap_.empty() || items_[heap_[0]].deadline > now) return false;
    out = items_[heap_[0]];
    remove_at(slot_of(out.owner, out.id));
    return true;
  }

  /// Removes every entry `pred` selects and then calls `removed(entry)` for each, in the order
  /// they were inserted (the order the engines report them in).
  template <class Pred, class F>
  void erase_if(Pred&& pred, F&& removed) {
    scratch_.clear();
    for (const entry& e : items_)
      if (pred(e)) (void)scratch_.try_push_back(e);  // within the capacity insert() kept
    if (scratch_.empty()) return;
    std::sort(scratch_.begin(), scratch_.end(),
              [](const entry& a, const entry& b) { return a.seq < b.seq; });
    for (const entry& e : scratch_) (void)erase(e.owner, e.id);
    for (const entry& e : scratch_) removed(e);
  }

 private:
  static constexpr std::uint32_t npos = ~std::uint32_t{0};
  static constexpr std::size_t npos_slot = ~std::size_t{0};

  std::size_t mask() const noexcept { return table_.size() - 1; }
  std::size_t home(std::uint32_t owner, std::uint64_t id) const noexcept {
    std::uint64_t x = id * 0x9E3779B97F4A7C15ull ^ (std::uint64_t{owner} * 0xC2B2AE3D27D4EB4Full);
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 32;
    return static_cast<std::size_t>(x) & mask();
  }
  std::size_t slot_of(std::uint32_t owner, std::uint64_t id) const noexcept {
    if (table_.empty()) return npos_slot;
    for (std::size_t i = home(owner, id);; i = (i + 1) & mask()) {
      if (table_[i] == 0) return npos_slot;
      const entry& e = items_[table_[i] - 1];
      if (e.owner == owner && e.id == id) return i;
    }
  }
  bool grow() noexcept {
    const std::size_t cap = table_.empty() ? 16 : table_.size() * 2;
    rvector<std::uint32_t> fresh(table_.resource());
    if (!fresh.try_resize(cap)) return false;
    for (std::uint32_t& t : fresh) t = 0;
    table_ = std::move(fresh);
    for (std::size_t p = 0; p < items_.size(); ++p) {
      std::size_t i = home(items_[p].owner, items_[p].id);
      while (table_[i] != 0) i = (i + 1) & mask();
      table_[i] = static_cast<std::uint32_t>(p + 1);
    }
    return true;
  }
  // Removes the entry whose index slot is `t`.
  void remove_at(std::size_t t) noexcept {
    const std::uint32_t pos = table_[t] - 1;
    if (items_[pos].heap_pos != npos) heap_remove(items_[pos].heap_pos);
    // Backward-shift deletion: pull later members of the probe run into the hole when the hole
    // lies between their home and where they sit.
    std::size_t hole = t;
    table_[hole] = 0;
    for (std::size_t j = (hole + 1) & mask(); table_[j] != 0; j = (j + 1) & mask()) {
      const entry& e = items_[table_[j] - 1];
      const std::size_t k = home(e.owner, e.id);
      const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
      if (stays) continue;
      table_[hole] = table_[j];
      table_[j] = 0;
      hole = j;
    }
    const auto last = static_cast<std::uint32_t>(items_.size() - 1);
    if (pos != last) {
      items_[pos] = items_[last];
      table_[slot_of_pos(last)] = pos + 1;
      if (items_[pos].heap_pos != npos) heap_[items_[pos].heap_pos] = pos;
    }
    items_.pop_back();
  }
  std::size_t slot_of_pos(std::uint32_t pos) const noexcept {
    const entry& e = items_[pos];
    std::size_t i = home(e.owner, e.id);
    while (table_[i] != pos + 1) i = (i + 1) & mask();
    return i;
  }
  bool before(std::uint32_t a, std::uint32_t b) const noexcept {
    const entry& x = items_[a];
    const entry& y = items_[b];
    return x.deadline != y.deadline ? x.deadline < y.deadline : x.seq < y.seq;
  }
  void place(std::size_t h, std::uint32_t pos) noexcept {
    heap_[h] = pos;
    items_[pos].heap_pos = static_cast<std::uint32_t>(h);
  }
  void sift_up(std::size_t h) noexcept {
    const std::uint32_t pos = heap_[h];
    while (h != 0) {
      const std::size_t parent = (h - 1) / 2;
      if (!before(pos, heap_[parent])) break;
      place(h, heap_[parent]);
      h = parent;
    }
    place(h, pos);
  }
  void sift_down(std::size_t h) noexcept {
    const std::uint32_t pos = heap_[h];
    const std::size_t n = heap_.size();
    for (;;) {
      std::size_t c = 2 * h + 1;
      if (c >= n) break;
      if (c + 1 < n && before(heap_[c + 1], heap_[c])) ++c;
      if (!before(heap_[c], pos)) break;
      place(h, heap_[c]);
      h = c;
    }
    place(h, pos);
  }
  void heap_remove(std::size_t h) noexcept {
    items_[heap_[h]].heap_pos = npos;
    const std::uint32_t moved = heap_.back();
    heap_.pop_back();
    if (h == heap_.size()) return;
    place(h, moved);
    sift_up(h);
    sift_down(items_[moved].heap_pos);
  }

  rvector<std::uint32_t> table_;
  rvector<std::uint32_t> heap_;
  std::uint64_t next_seq_ = 0;
};

// The same registry as one array in insertion order, every operation a scan: O(n) per lookup,
// so answering n acks is O(n^2) (n is bounded by max_pending_acks; lower it on a device). The
// earliest deadline is the first minimum of the scan, so equal deadlines expire in insertion
// order, and erase_if reports in that order without sorting.
class ack_registry_linear : public ack_registry_base {
 public:
  explicit ack_registry_linear(memory_resource* mr = nullptr) noexcept : ack_registry_base(mr) {}

  // False (nothing changed) when the memory resource has no room; erase_if's scratch keeps the
  // capacity of items_, so that removals never need memory.
  bool insert(std::uint32_t owner, std::uint64_t id, std::uint64_t deadline, std::uint32_t flag) {
    if (!items_.try_grow(1) || !scratch_.try_reserve(items_.capacity())) return false;
    return items_.try_push_back(entry{owner, flag, id, deadline, 0, 0});
  }

  bool erase(std::uint32_t owner, std::uint64_t id) noexcept {
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].owner == owner && items_[i].id == id) {
        items_.erase_at(i);
        return true;
      }
    }
    return false;
  }

  std::uint64_t next_deadline() const noexcept {
    const std::size_t i = earliest();
    return i == items_.size() ? no_deadline : items_[i].deadline;
  }

  bool pop_expired(std::uint64_t now, entry& out) noexcept {
    const std::size_t i = earliest();
    if (i == items_.size() || items_[i].deadline > now) return false;
    out = items_[i];
    items_.erase_at(i);
    return true;
  }

  template <class Pred, class F>
  void erase_if(Pred&& pred, F&& removed) {
    scratch_.clear();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (pred(items_[i]))
        (void)scratch_.try_push_back(items_[i]);  // within the capacity insert() kept
      else
        items_[kept++] = items_[i];
    }
    (void)items_.try_resize(kept);  // smaller: cannot fail
    for (const entry& e : scratch_) removed(e);
  }

 private:
  // The first entry with the smallest deadline (no_deadline counts as none), or size().
  std::size_t earliest() const noexcept {
    std::size_t best = items_.size();
    std::uint64_t d = no_deadline;
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].deadline < d) {
        d = items_[i].deadline;
        best = i;
      }
    }
    return best;
  }
};

#if SIOCODEC_SIZE_FIRST
using ack_registry = ack_registry_linear;
#else
using ack_registry = ack_registry_indexed;
#endif

}  // namespace detail
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_DETAIL_ACK_REGISTRY_HPP
