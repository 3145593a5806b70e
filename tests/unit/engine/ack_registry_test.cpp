// SPDX-License-Identifier: BSL-1.0
// detail::ack_registry (the pending acks of the Socket.IO engines) against a plain model: random
// inserts, erases (present and absent), expiries and erase_if, with every answer compared. Both
// implementations, whatever the build's SIOCODEC_SIZE_FIRST: the indexed one (the default) and
// the linear one (size first).
#include <siocodec/detail/ack_registry.hpp>

#include "support/catch.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

using siocodec::detail::ack_entry;
using siocodec::detail::ack_registry_indexed;
using siocodec::detail::ack_registry_linear;

namespace {

struct model_entry {
  std::uint64_t deadline;
  std::uint64_t seq;
  bool flag;
};

template <class ack_registry>
void random_operations() {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 gen(seed);
    const auto rnd = [&](std::uint64_t n) { return gen() % n; };
    ack_registry r;
    std::map<std::pair<std::uint32_t, std::uint64_t>, model_entry> m;
    std::uint64_t next_id[4] = {};
    std::uint64_t seq = 0, now = 0;
    for (int step = 0; step < 3000; ++step) {
      const auto op = rnd(10);
      const auto owner = static_cast<std::uint32_t>(rnd(4));
      if (op < 4) {
        const std::uint64_t d = rnd(3) == 0 ? ack_registry::no_deadline : now + rnd(100);
        const bool flag = rnd(2) == 0;
        r.insert(owner, next_id[owner], d, flag);
        m[{owner, next_id[owner]}] = {d, seq++, flag};
        ++next_id[owner];
      } else if (op < 7) {
        const std::uint64_t id = rnd(next_id[owner] + 2);
        CHECK(r.erase(owner, id) == (m.erase({owner, id}) == 1));
      } else if (op < 9) {
        now += rnd(30);
        ack_entry e;
        std::uint64_t last_d = 0, last_seq = 0;
        bool first = true;
        while (r.pop_expired(now, e)) {
          const auto it = m.find({e.owner, e.id});
          REQUIRE(it != m.end());
          CHECK(it->second.deadline == e.deadline);
          CHECK(e.deadline <= now);
          // Earliest first, equal deadlines in insertion order.
          if (!first)
            CHECK(std::make_tuple(last_d, last_seq) < std::make_tuple(e.deadline, it->second.seq));
          first = false;
          last_d = e.deadline;
          last_seq = it->second.seq;
          m.erase(it);
        }
        for (const auto& [k, v] : m) CHECK(v.deadline > now);
      } else {
        const bool only_unflagged = rnd(2) == 0;
        std::vector<std::uint64_t> want, got;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> order;
        for (const auto& [k, v] : m)
          if (k.first == owner && (!only_unflagged || !v.flag)) order.push_back({v.seq, k.second});
        std::sort(order.begin(), order.end());
        for (const auto& o : order) want.push_back(o.second);
        r.erase_if(
            [&](const ack_entry& e) { return e.owner == owner && (!only_unflagged || !e.flag); },
            [&](const ack_entry& e) { got.push_back(e.id); });
        CHECK(got == want);
        for (const std::uint64_t id : want) m.erase({owner, id});
      }
      REQUIRE(r.size() == m.size());
      std::uint64_t nd = ack_registry::no_deadline;
      for (const auto& [k, v] : m) nd = v.deadline < nd ? v.deadline : nd;
      REQUIRE(r.next_deadline() == nd);
    }
  }
}

// n entries (a power of two), every other one erased, the rest expired in deadline order.
template <class ack_registry>
void fill_and_drain(std::uint64_t n) {
  ack_registry r;
  for (std::uint64_t i = 0; i < n; ++i) r.insert(1, i, 1000 + (i * 7919) % n, false);
  CHECK(r.size() == n);
  CHECK(r.next_deadline() == 1000);
  for (std::uint64_t i = 0; i < n; i += 2) CHECK(r.erase(1, i));
  CHECK_FALSE(r.erase(1, 0));
  CHECK_FALSE(r.erase(2, 1));
  ack_entry e;
  std::uint64_t last = 0, count = 0;
  while (r.pop_expired(ack_registry::no_deadline - 1, e)) {
    CHECK(e.deadline >= last);
    CHECK(e.id % 2 == 1);
    last = e.deadline;
    ++count;
  }
  CHECK(count == n / 2);
  CHECK(r.empty());
  CHECK(r.next_deadline() == ack_registry::no_deadline);
}

}  // namespace

TEST_CASE("ack_registry: random operations agree with a model") {
  random_operations<ack_registry_indexed>();
}

TEST_CASE("ack_registry (size first: linear): random operations agree with a model") {
  random_operations<ack_registry_linear>();
}

TEST_CASE("ack_registry: 65,536 entries, then none; capacity is kept") {
  fill_and_drain<ack_registry_indexed>(65536);
}

// Every operation is a scan: 4096 entries keep the test quick.
TEST_CASE("ack_registry (size first: linear): 4,096 entries, then none") {
  fill_and_drain<ack_registry_linear>(4096);
}
