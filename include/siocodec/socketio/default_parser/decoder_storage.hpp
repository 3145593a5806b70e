// SPDX-License-Identifier: BSL-1.0
// The storage rules of basic_decoder: bounded growth, release, and the copy-mode header whose
// views are kept as offsets while the buffer may still move.
#ifndef SIOCODEC_SOCKETIO_DEFAULT_PARSER_DECODER_STORAGE_HPP
#define SIOCODEC_SOCKETIO_DEFAULT_PARSER_DECODER_STORAGE_HPP

#include <siocodec/config.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <functional>
#include <string_view>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {
namespace detail {

// Frees v's block. Not shrink_to_fit: libstdc++ makes it a no-op under -fno-exceptions. The
// swap partner has an equal allocator (a copy), so the swap is well-defined and cannot throw.
template <class V>
void release_storage(V& v) noexcept {
  V empty(v.get_allocator());
  empty.swap(v);
}

// Grows `v` so that `extra` more elements fit: at least doubling, at most `limit` elements
// (which the caller guarantees is >= size() + extra, and which comes from a limit or from
// elements that arrived, never from an unchecked wire number). True when it had to grow.
// Always inlined: as a plain inline template g++ kept it out of line in copy mode, +2% on w9.
template <class V>
SIOCODEC_ALWAYS_INLINE bool grow_bounded(V& v, std::size_t extra, std::size_t limit,
                                         std::size_t minimum) {
  const std::size_t need = v.size() + extra;
  if (need <= v.capacity()) return false;
  std::size_t want = v.capacity() > limit / 2 ? limit : v.capacity() * 2;
  if (want < minimum) want = minimum;
  if (want < need) want = need;
  if (want > limit) want = limit;
  if (want > v.max_size()) want = need;
  v.reserve(want);
  return true;
}

// Copy mode: where the header's nsp, data and event name sit in the decoder's buffer (the
// header text is copied to its start), as offsets, since the buffer moves while it grows.
struct header_refs {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  struct ref {
    std::size_t offset = npos;  // npos: not in the header (the "/" literal, an absent data)
    std::size_t size = 0;
  };
  ref nsp, data, event;

  // Records where pkt's views lie in `text` and empties those; the views that are not in it
  // (the "/" literal, an absent data or name) stay as they are.
  void take(packet_view& pkt, std::string_view text) noexcept {
    nsp = locate(pkt.nsp, text);
    data = locate(pkt.data, text);
    event = locate(pkt.event_raw, text);
    if (nsp.offset != npos) pkt.nsp = std::string_view();
    if (data.offset != npos) pkt.data = std::string_view();
    if (event.offset != npos) pkt.event_raw = std::string_view();
  }

  // Points the recorded views of `pkt` into the buffer at `base`.
  void apply(packet_view& pkt, const unsigned char* base) const noexcept {
    pkt.nsp = rebase(pkt.nsp, nsp, base);
    pkt.data = rebase(pkt.data, data, base);
    pkt.event_raw = rebase(pkt.event_raw, event, base);
  }

 private:
  static ref locate(std::string_view part, std::string_view whole) noexcept {
    if (part.data() == nullptr) return {};
    const std::less<const char*> before;
    const char* const b = whole.data();
    const char* const e = b + whole.size();
    if (before(part.data(), b) || before(e, part.data())) return {};
    return {static_cast<std::size_t>(part.data() - b), part.size()};
  }
  static std::string_view rebase(std::string_view kept, ref r, const unsigned char* base) noexcept {
    if (r.offset == npos) return kept;
    return {reinterpret_cast<const char*>(base) + r.offset, r.size};
  }
};

}  // namespace detail
}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_DEFAULT_PARSER_DECODER_STORAGE_HPP
