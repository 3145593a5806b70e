// SPDX-License-Identifier: BSL-1.0
// One Socket.IO packet encoded once, for many connections (broadcast): its Engine.IO messages
// in storage of its own. Part of server.hpp's API (recovery.hpp stores these too).
#ifndef SIOCODEC_SOCKETIO_ENCODED_PACKET_HPP
#define SIOCODEC_SOCKETIO_ENCODED_PACKET_HPP

#include <siocodec/bytes.hpp>
#include <siocodec/config.hpp>
#include <siocodec/engineio/packet.hpp>
#include <siocodec/error.hpp>
#include <siocodec/result.hpp>
#include <siocodec/socketio/codec.hpp>
#include <siocodec/socketio/packet.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

SIOCODEC_BEGIN_NAMESPACE
namespace socketio {

/// A packet encoded once for many connections (broadcast): the Engine.IO messages of one
/// Socket.IO packet (default parser: the text message then one binary message per attachment;
/// msgpack: one message), copied into storage of its own, so that it outlives the builder and
/// its values. server_connection::send_encoded() queues the same messages on any number of
/// connections of the same parser and protocol version. Copyable; a copy owns its bytes.
class encoded_packet {
 public:
  /// Forward range of the messages, in send order (engineio::packet_view by value, pointing into
  /// the packet's storage: valid while the packet lives and is not assigned again).
  class message_range {
   public:
    class iterator {
     public:
      iterator(const encoded_packet* p, std::size_t i) noexcept : p_(p), i_(i) {}
      engineio::packet_view operator*() const noexcept { return p_->message(i_); }
      iterator& operator++() noexcept {
        ++i_;
        return *this;
      }
      bool operator==(const iterator& o) const noexcept { return i_ == o.i_; }
      bool operator!=(const iterator& o) const noexcept { return i_ != o.i_; }

     private:
      const encoded_packet* p_;
      std::size_t i_;
    };
    explicit message_range(const encoded_packet* p) noexcept : p_(p) {}
    iterator begin() const noexcept { return {p_, 0}; }
    iterator end() const noexcept { return {p_, p_->size()}; }
    std::size_t size() const noexcept { return p_->size(); }

   private:
    const encoded_packet* p_;
  };

  encoded_packet() = default;

  /// Encodes `packet` (any builder codec::encode takes) with codec `c`'s parser and options.
  /// Errors: the encoder's (basic_codec::encode()).
  template <class Builder, class Codec>
  static result<encoded_packet> encode(const Builder& packet, const Codec& c) {
    encoded_packet p;
    const errc e = p.assign(packet, c);
    if (e != errc::none) return {e, 0};
    return p;
  }

  /// encode() into this packet, reusing its storage (no allocation once it is large enough).
  /// On error the packet is empty. Errors: the encoder's.
  template <class Builder, class Codec>
  errc assign(const Builder& packet, const Codec& c) {
    clear();
    parser_ = c.kind();
    version_ = c.version();
    const result<std::size_t> r =
        c.encode(packet, data_, atts_, [this](const engineio::packet_view& m) {
          // The text message lies in data_; attachments are views of the caller's bytes,
          // copied once encode() has returned (data_ must not move while it runs).
          const std::less<const char*> before;
          const char* b = data_.data();
          const char* p = m.data.data();
          const bool inside = m.data.empty() || (!before(p, b) && !before(b + data_.size(), p));
          msgs_.push_back({m.type, m.kind, inside ? static_cast<std::size_t>(p - b) : 0,
                           m.data.size(), inside || m.data.empty() ? nullptr : p});
        });
    if (!r) {
      clear();
      return r.error();
    }
    for (msg& m : msgs_) {
      if (m.external == nullptr) {
        if (m.len == 0) m.off = 0;
        continue;
      }
      m.off = data_.size();
      data_.append(m.external, m.len);
      m.external = nullptr;
    }
    atts_.clear();
    return errc::none;
  }

  /// Number of Engine.IO messages (0 for an empty packet).
  std::size_t size() const noexcept { return msgs_.size(); }
  bool empty() const noexcept { return msgs_.empty(); }
  /// Message `i` (precondition: i < size()).
  engineio::packet_view message(std::size_t i) const noexcept {
    const msg& m = msgs_[i];
    return {m.type, m.kind, std::string_view(data_).substr(m.off, m.len)};
  }
  message_range messages() const noexcept { return message_range(this); }
  /// Bytes of all messages.
  std::size_t bytes() const noexcept { return data_.size(); }
  /// The parser and protocol it was encoded for: send_encoded() refuses other connections.
  parser_kind parser() const noexcept { return parser_; }
  protocol_version version() const noexcept { return version_; }
  /// Empties the packet; its storage is kept.
  void clear() noexcept {
    msgs_.clear();
    data_.clear();
    atts_.clear();
  }

 private:
  struct msg {
    engineio::packet_type type;
    engineio::data_kind kind;
    std::size_t off, len;
    const char* external;  // during assign() only
  };
  std::vector<msg> msgs_;
  std::string data_;
  std::vector<byte_view> atts_;
  parser_kind parser_ = parser_kind::json;
  protocol_version version_ = protocol_version::v5;
};

}  // namespace socketio
SIOCODEC_END_NAMESPACE

#endif  // SIOCODEC_SOCKETIO_ENCODED_PACKET_HPP
