// SPDX-License-Identifier: BSL-1.0
// Build configuration: namespace macros, exception detection, the assertion hook, default limits.
#ifndef SIOCODEC_CONFIG_HPP
#define SIOCODEC_CONFIG_HPP

#include <siocodec/version.hpp>

// ---------------------------------------------------------------------------------------------
// Namespaces
//
// Everything lives in SIOCODEC_NAMESPACE::SIOCODEC_ABI_NAMESPACE, the second one inline. Libraries
// that vendor siocodec can end up linked into one program at two different versions; the ABI tag
// turns that ODR violation into two distinct sets of symbols. A vendor who wants its copy fully
// private defines SIOCODEC_NAMESPACE (for example `mylib_siocodec`) before the first include.
// ---------------------------------------------------------------------------------------------
#ifndef SIOCODEC_NAMESPACE
#define SIOCODEC_NAMESPACE siocodec
#endif
#ifndef SIOCODEC_ABI_NAMESPACE
#define SIOCODEC_ABI_NAMESPACE v0_1
#endif
#define SIOCODEC_BEGIN_NAMESPACE                                                                   \
  namespace SIOCODEC_NAMESPACE {                                                                   \
  inline namespace SIOCODEC_ABI_NAMESPACE {
#define SIOCODEC_END_NAMESPACE                                                                     \
  }                                                                                                \
  }

// ---------------------------------------------------------------------------------------------
// Exceptions. The library never throws; SIOCODEC_HAS_EXCEPTIONS says whether an exception from a
// caller's allocator can propagate (tests use it). Detected the way fmt, nlohmann/json and simdjson
// detect it.
// ---------------------------------------------------------------------------------------------
#ifndef SIOCODEC_HAS_EXCEPTIONS
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define SIOCODEC_HAS_EXCEPTIONS 1
#else
#define SIOCODEC_HAS_EXCEPTIONS 0
#endif
#endif

// ---------------------------------------------------------------------------------------------
// Assertion hook. Fires only on API misuse by the caller (for example result::value() on an
// error), never on anything read from the wire: hostile input always gets an error code.
// Define SIOCODEC_ASSERT(cond) before including to route it elsewhere (a fuzzer traps with
// __builtin_trap, a game engine logs). The default prints the condition and calls std::abort.
// ---------------------------------------------------------------------------------------------
#ifndef SIOCODEC_ASSERT
#include <cstdio>
#include <cstdlib>
SIOCODEC_BEGIN_NAMESPACE
namespace detail {
[[noreturn]] inline void assertion_failed(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "%s:%d: siocodec assertion failed: %s\n", file, line, expr);
  std::abort();
}
}  // namespace detail
SIOCODEC_END_NAMESPACE
#define SIOCODEC_ASSERT(cond)                                                                      \
  ((cond) ? static_cast<void>(0)                                                                   \
          : ::SIOCODEC_NAMESPACE::detail::assertion_failed(#cond, __FILE__, __LINE__))
#endif

// ---------------------------------------------------------------------------------------------
// Size first. Define SIOCODEC_SIZE_FIRST to 1 before the first include to trade speed for flash
// where a table or a fast path costs kilobytes: microcontrollers (docs/embedded.md). The output
// and every error are the same as without it (the unit suite runs with it in CI, configuration
// portable); only speed changes. What it replaces: std::from_chars(double) and
// std::to_chars(double), with their fast_float and Ryu tables (14 KB and 120 KB on Cortex-M4),
// by exact big-integer conversions (detail/decimal.hpp), which also replace pow; the JSON
// writer's 8 KB three-digit table and its fast paths for short decimals (by the two-digit loop
// and the general path); the base64 decoder's 4.75 KB of tables (by the same entries computed
// per character); forced inlining and unrolling (SIOCODEC_ALWAYS_INLINE is plain inline,
// SIOCODEC_UNROLL_16 nothing: -Os decides).
// ---------------------------------------------------------------------------------------------
#ifndef SIOCODEC_SIZE_FIRST
#define SIOCODEC_SIZE_FIRST 0
#endif

// ---------------------------------------------------------------------------------------------
// Parsers. A program that talks to servers of one parser only defines SIOCODEC_PARSERS to 1
// (the default parser only) or 2 (the msgpack parser only) before the first include: the
// run-time parser choice of socketio::codec, socketio::client and socketio::server_connection,
// and the parser test of any_value / any_packet, then fold to that parser, so the other one's
// decoder and encoder are not linked (15.9 KB of flash in the Cortex-M4 client,
// docs/embedded.md). 3 (the default): both, chosen at run time. Asking a codec for a parser that
// is compiled out is API misuse (SIOCODEC_ASSERT); with 1, an any_value or any_packet made from
// a msgpack value by hand reads as absent. Like SIOCODEC_SIZE_FIRST, every translation
// unit of a program must see the same value. docs/design.md says why a macro and not a template
// parameter of the engines.
// ---------------------------------------------------------------------------------------------
#ifndef SIOCODEC_PARSERS
#define SIOCODEC_PARSERS 3
#endif
#if SIOCODEC_PARSERS != 1 && SIOCODEC_PARSERS != 2 && SIOCODEC_PARSERS != 3
#error "SIOCODEC_PARSERS: 1 (default parser), 2 (msgpack parser) or 3 (both)"
#endif

// ---------------------------------------------------------------------------------------------
// Engine.IO client transports. A device that only ever speaks WebSocket defines
// SIOCODEC_ENGINEIO_TRANSPORTS to 1 before the first include (2: HTTP long-polling only; 3, the
// default: both, chosen at run time by client_options::initial and upgraded as the reference
// does). With 1, engineio::client's transport tests fold to WebSocket, so the polling send queue,
// its payload encoder and its URL building are not linked (docs/embedded.md); with 2 there is no
// upgrade. client_options::initial then defaults to the one transport, and open() refuses one
// that is compiled out with invalid_argument. What the engine keeps behaves as with 3 (the
// embedded client program and the engine's WebSocket unit tests run with 1). Every translation
// unit of a program must see the same value. The server engine is not affected.
// ---------------------------------------------------------------------------------------------
#ifndef SIOCODEC_ENGINEIO_TRANSPORTS
#define SIOCODEC_ENGINEIO_TRANSPORTS 3
#endif
#if SIOCODEC_ENGINEIO_TRANSPORTS != 1 && SIOCODEC_ENGINEIO_TRANSPORTS != 2 &&                      \
    SIOCODEC_ENGINEIO_TRANSPORTS != 3
#error "SIOCODEC_ENGINEIO_TRANSPORTS: 1 (websocket), 2 (polling) or 3 (both)"
#endif

// ---------------------------------------------------------------------------------------------
// Legacy protocols in the client engines. A client that only talks to socket.io 3 and later
// servers defines SIOCODEC_ENGINEIO_V3 to 0 before the first include: engineio::client and
// socketio::client then speak Engine.IO v4 / Socket.IO v5 only, their version tests fold and the
// Engine.IO v3 heartbeat, framing and base64 text mode and the Socket.IO v4 (socket.io 2.x)
// handling are not linked (docs/embedded.md). open() refuses a v3 client_options with
// invalid_argument. 1 (the default): both revisions, chosen at run time. The codec and the
// server engines are not affected. Every translation unit of a program must see the same value.
// ---------------------------------------------------------------------------------------------
#ifndef SIOCODEC_ENGINEIO_V3
#define SIOCODEC_ENGINEIO_V3 1
#endif
#if SIOCODEC_ENGINEIO_V3 != 0 && SIOCODEC_ENGINEIO_V3 != 1
#error "SIOCODEC_ENGINEIO_V3: 1 (Engine.IO v3 and v4, the default) or 0 (v4 only)"
#endif

// ---------------------------------------------------------------------------------------------
// Binary attachments of the default parser. A program whose packets carry no binary values
// (a sensor that sends readings as JSON) defines SIOCODEC_BINARY_ATTACHMENTS to 0 before the
// first include: the stateful Socket.IO decoder (basic_decoder, so socketio::codec, the client
// and server engines) then works as if decode_options::max_attachments and
// encode_options::max_attachments were 0 whatever they say: a BINARY_EVENT / BINARY_ACK header
// is refused with too_many_attachments (at its count, as decode() refuses a count over the
// limit), a binary or base64 message with unexpected_binary_frame (nothing waits for an
// attachment), a builder holding a binary value with too_many_attachments; any_value reads a
// placeholder as the object it is. Attachment reassembly, base64 attachments and the client's
// attachment list are not linked (docs/embedded.md). The msgpack parser, whose binary values
// are inline, is not affected; nor are the stateless decode() and encode() functions. 1 (the
// default): attachments as the protocol has them. Every translation unit of a program must see
// the same value.
// ---------------------------------------------------------------------------------------------
#ifndef SIOCODEC_BINARY_ATTACHMENTS
#define SIOCODEC_BINARY_ATTACHMENTS 1
#endif
#if SIOCODEC_BINARY_ATTACHMENTS != 0 && SIOCODEC_BINARY_ATTACHMENTS != 1
#error "SIOCODEC_BINARY_ATTACHMENTS: 1 (binary attachments, the default) or 0 (none)"
#endif

// ---------------------------------------------------------------------------------------------
// The engines' heap. A program that always gives the client engines its own memory
// (engineio::client_options::memory, a buffer_resource over a static array) defines
// SIOCODEC_ENGINE_HEAP to 0 before the first include: the engines' containers and the sessions
// socketio::client keeps after a restart then have no global operator new branch, so neither
// operator new nor what its failure calls (abort, and newlib's signal code: 0.4 KB of flash on
// Cortex-M4) is linked, and a client whose options give no memory is refused:
// engineio::client::open() and socketio::client::open() return invalid_argument. 1 (the
// default): no memory given means the global heap. Every translation unit of a program must see
// the same value.
// ---------------------------------------------------------------------------------------------
#ifndef SIOCODEC_ENGINE_HEAP
#define SIOCODEC_ENGINE_HEAP 1
#endif
#if SIOCODEC_ENGINE_HEAP != 0 && SIOCODEC_ENGINE_HEAP != 1
#error "SIOCODEC_ENGINE_HEAP: 1 (the heap when no memory is given, the default) or 0 (never)"
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SIOCODEC_LIKELY(x) __builtin_expect(!!(x), 1)
#define SIOCODEC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#if SIOCODEC_SIZE_FIRST
#define SIOCODEC_ALWAYS_INLINE inline
#else
#define SIOCODEC_ALWAYS_INLINE inline __attribute__((always_inline))
#endif
// Keeps a slow path out of its callers' code, so that the inlined fast path stays small.
#define SIOCODEC_NOINLINE __attribute__((noinline))
#else
#define SIOCODEC_LIKELY(x) (x)
#define SIOCODEC_UNLIKELY(x) (x)
#define SIOCODEC_ALWAYS_INLINE inline
#define SIOCODEC_NOINLINE
#endif

// Unrolls the next loop, whose trip count is a constant of 16, where -O2 would not: for loops
// whose exits must stay separate, predicted branches (json::detail::validate_member_string).
#if SIOCODEC_SIZE_FIRST
#define SIOCODEC_UNROLL_16
#elif defined(__clang__)
#define SIOCODEC_UNROLL_16 _Pragma("unroll 16")
#elif defined(__GNUC__)
#define SIOCODEC_UNROLL_16 _Pragma("GCC unroll 16")
#else
#define SIOCODEC_UNROLL_16
#endif

// ---------------------------------------------------------------------------------------------
// SIMD. The base64 codec and the JSON scanners have SSSE3/SSE2, AVX2, AVX-512 and NEON kernels,
// compiled with per-function target attributes (no -m flag needed) and chosen at run time from
// what the CPU supports (base64::set_kernel and json::set_kernel force one). Define
// SIOCODEC_NO_SIMD before the first include to build only the portable code (detail/cpu.hpp).
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Default limits. Each is the default of a field of an options struct and can be changed per
// call at run time; the macros only move the defaults (a build with tiny limits is one of our
// tests). Each default matches the reference implementation or is safer.
// ---------------------------------------------------------------------------------------------

/// Largest Engine.IO polling body, WebSocket message or WebTransport packet accepted, in bytes.
/// The reference server's maxHttpBufferSize, 1e6 since engine.io 4.0 (CVE-2020-36048).
#ifndef SIOCODEC_DEFAULT_MAX_PAYLOAD
#define SIOCODEC_DEFAULT_MAX_PAYLOAD 1000000
#endif

/// Most packets accepted in one polling body. The reference has no count limit: a body within the
/// default max payload cannot hold more than 500,001 packets, so this default never rejects what
/// the reference accepts. A low cap broke bursts for python-socketio users; lower it only to
/// bound the work one body can cause.
#ifndef SIOCODEC_DEFAULT_MAX_PAYLOAD_PACKETS
#define SIOCODEC_DEFAULT_MAX_PAYLOAD_PACKETS 1000000
#endif

/// Most messages an Engine.IO engine holds for a peer that has not taken them yet (queued for
/// the next polling response or POST, or for a WebSocket being upgraded to). The reference has no
/// such limit; without one a peer that never reads grows the process without bound. Over it, the
/// session closes with close_reason::queue_full.
#ifndef SIOCODEC_DEFAULT_ENGINE_MAX_QUEUED_MESSAGES
#define SIOCODEC_DEFAULT_ENGINE_MAX_QUEUED_MESSAGES 100000
#endif

/// Most bytes of those messages: 16 default-sized payloads (16 x 1e6), written as one literal so
/// that initializing a size_t from it is no widened multiplication (clang-tidy
/// bugprone-implicit-widening-of-multiplication-result).
#ifndef SIOCODEC_DEFAULT_ENGINE_MAX_QUEUED_BYTES
#define SIOCODEC_DEFAULT_ENGINE_MAX_QUEUED_BYTES 16000000u
#endif

/// Most binary attachments one Socket.IO packet may announce; socket.io-parser's maxAttachments.
#ifndef SIOCODEC_DEFAULT_MAX_ATTACHMENTS
#define SIOCODEC_DEFAULT_MAX_ATTACHMENTS 10
#endif

/// Bits of stack (a multiple of 64) with which strict Socket.IO decoding checks that every
/// attachment is referenced, in one pass and without allocating. Up to this many attachments the
/// check is exact; above it (max_attachments raised that far), a placeholder numbered more than
/// this far ahead of the lowest unreferenced attachment is refused (invalid_placeholder), which
/// the encoders, numbering in the order they write, never send. docs/memory.md.
#ifndef SIOCODEC_PLACEHOLDER_WINDOW
#define SIOCODEC_PLACEHOLDER_WINDOW 1024
#endif

/// Storage a stateful decoder keeps between packets, in bytes: after a packet is delivered (or,
/// for the Socket.IO decoder in copy mode, when the next frame arrives), a buffer with more
/// capacity than this is released, so an idle connection that once received a large packet holds
/// at most this much. The reference keeps nothing between packets; 64 KiB lets ordinary traffic
/// reuse one buffer without an allocation per packet.
#ifndef SIOCODEC_DEFAULT_MAX_RETAINED_BYTES
#define SIOCODEC_DEFAULT_MAX_RETAINED_BYTES 65536
#endif

/// Stack buffer, in bytes, into which socketio::encode_to / encode / encode_frames_to write a
/// packet built from values in one pass; the text is copied to the caller's buffer (or container)
/// only once it is complete, so that a failed call writes nothing. A longer text is measured by
/// that pass and written by a second one (about twice the work). 2 KiB holds every workload but the
/// 1 MiB one.
#ifndef SIOCODEC_ONE_PASS_BUFFER
#define SIOCODEC_ONE_PASS_BUFFER 2048
#endif

/// Deepest JSON nesting accepted (arrays and objects). The reference is bounded only by V8's
/// stack; 128 is far above any real payload and keeps every walk cheap.
#ifndef SIOCODEC_DEFAULT_MAX_JSON_DEPTH
#define SIOCODEC_DEFAULT_MAX_JSON_DEPTH 128
#endif

/// Deepest msgpack nesting accepted (arrays and maps), the same as for JSON unless moved:
/// notepack.io recurses with no limit but V8's stack, as JSON.parse does.
#ifndef SIOCODEC_DEFAULT_MAX_MSGPACK_DEPTH
#define SIOCODEC_DEFAULT_MAX_MSGPACK_DEPTH SIOCODEC_DEFAULT_MAX_JSON_DEPTH
#endif

/// Longest Socket.IO namespace accepted, in bytes. The reference has no limit of its own (the
/// packet size bounds it); a namespace is a short path, so 64 KiB rejects nothing real.
#ifndef SIOCODEC_DEFAULT_MAX_NAMESPACE
#define SIOCODEC_DEFAULT_MAX_NAMESPACE 65536
#endif

/// Most packets a Socket.IO client engine buffers for namespaces that are not connected yet
/// (socket.io-client's sendBuffer, which has no limit). Without one, an application that emits
/// while the server is unreachable grows the process for as long as the outage lasts. Over it,
/// emit() returns errc::queue_full.
#ifndef SIOCODEC_DEFAULT_SIO_MAX_BUFFERED_PACKETS
#define SIOCODEC_DEFAULT_SIO_MAX_BUFFERED_PACKETS 10000
#endif

/// Most bytes of those buffered packets (encoded): 16 default-sized payloads, as the Engine.IO
/// engines' queue limit.
#ifndef SIOCODEC_DEFAULT_SIO_MAX_BUFFERED_BYTES
#define SIOCODEC_DEFAULT_SIO_MAX_BUFFERED_BYTES 16000000u
#endif

/// Most acks a Socket.IO engine waits for at once, per client or connection. The reference's
/// `acks` map has no limit; a peer that never answers would grow it forever (and ack ids are
/// what the peer echoes, so a bounded registry also bounds what a hostile peer can make us
/// look up). Over it, emit() with want_ack returns errc::queue_full.
#ifndef SIOCODEC_DEFAULT_SIO_MAX_PENDING_ACKS
#define SIOCODEC_DEFAULT_SIO_MAX_PENDING_ACKS 65536
#endif

/// Most namespaces one Socket.IO client or connection holds. The reference has no limit; each
/// namespace carries state (buffer, acks, recovery pid/offset), so a peer that asks for many
/// would grow it without bound. Over it, join() (client) returns errc::queue_full.
#ifndef SIOCODEC_DEFAULT_SIO_MAX_NAMESPACES
#define SIOCODEC_DEFAULT_SIO_MAX_NAMESPACES 256
#endif

/// Most packets a Socket.IO recovery_store keeps for disconnected sessions (socket.io-adapter's
/// SessionAwareAdapter keeps every packet of maxDisconnectionDuration, with no count limit: a
/// busy namespace grows it without bound for two minutes). Over it, the oldest packet goes (a
/// session whose offset it was can no longer be recovered: the reference's "offset too old").
#ifndef SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_PACKETS
#define SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_PACKETS 10000
#endif

/// Most bytes of those packets (encoded, with their offsets and room names): 16 default-sized
/// payloads, as the engines' queue limits.
#ifndef SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_BYTES
#define SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_BYTES 16000000u
#endif

/// Most disconnected sessions a recovery_store remembers (the reference: every one of the last
/// maxDisconnectionDuration). A mass disconnect of more sockets than this keeps the most recent
/// ones; each session costs its pid, sid and room names.
#ifndef SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_SESSIONS
#define SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_SESSIONS 10000
#endif

/// Most rooms recorded per session (persist(), room_filter, server_connection::set_rooms). The
/// reference has none; room names are copied, so the count bounds what one session can hold.
#ifndef SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_ROOMS
#define SIOCODEC_DEFAULT_SIO_RECOVERY_MAX_ROOMS 64
#endif

/// Bytes the Beast client adapter's WebSocket may hold written but not yet sent
/// (adapters/beast/client.hpp, client_options::max_send_queue_bytes), as the Engine.IO engines'
/// queue limit: a server that stops reading fills it, and the connection is then dropped with
/// "send queue full" instead of growing the process.
#ifndef SIOCODEC_DEFAULT_BEAST_MAX_SEND_QUEUE_BYTES
#define SIOCODEC_DEFAULT_BEAST_MAX_SEND_QUEUE_BYTES 16000000u
#endif

/// The Redis key prefix of @socket.io/redis-adapter and @socket.io/redis-emitter (their `key`
/// option): channels are `<key>#<nsp>#`, `<key>-request#<nsp>#`, `<key>-response#<nsp>#`.
#ifndef SIOCODEC_DEFAULT_REDIS_KEY
#define SIOCODEC_DEFAULT_REDIS_KEY "socket.io"
#endif

/// Most room names in the `rooms` or `except` list of one Redis adapter message that
/// socketio::redis decoders accept. The reference has no limit but the message size; a
/// receiving node tests each local socket against these lists, so the count bounds that work.
#ifndef SIOCODEC_DEFAULT_REDIS_MAX_ROOMS
#define SIOCODEC_DEFAULT_REDIS_MAX_ROOMS 4096
#endif

/// Room names one socketio::redis::emitter can target (to/in) and exclude (except), each: the
/// names are views kept inline in the emitter (no allocation), as @socket.io/redis-emitter
/// keeps them in two Sets.
#ifndef SIOCODEC_REDIS_EMITTER_MAX_ROOMS
#define SIOCODEC_REDIS_EMITTER_MAX_ROOMS 32
#endif

/// requestsTimeout of @socket.io/redis-adapter (milliseconds): how long a socketio::redis::node
/// waits for the other nodes' answers to its fetchSockets() / allRooms() / serverSideEmit()
/// (node_options::requests_timeout).
#ifndef SIOCODEC_DEFAULT_REDIS_REQUESTS_TIMEOUT
#define SIOCODEC_DEFAULT_REDIS_REQUESTS_TIMEOUT 5000u
#endif

/// Bytes a socketio::redis::node's publish and event queues hold together
/// (node_options::max_queued_bytes), as the Engine.IO engines' queue bound; the reference's
/// Redis client buffers without a bound.
#ifndef SIOCODEC_DEFAULT_REDIS_NODE_MAX_QUEUED_BYTES
#define SIOCODEC_DEFAULT_REDIS_NODE_MAX_QUEUED_BYTES 16000000u
#endif

/// Bytes of answers one request of a socketio::redis::node gathers (the JSON of a
/// fetchSockets() / allRooms() / serverSideEmit() result; node_options::max_result_bytes). The
/// reference has no bound but the process's memory.
#ifndef SIOCODEC_DEFAULT_REDIS_NODE_MAX_RESULT_BYTES
#define SIOCODEC_DEFAULT_REDIS_NODE_MAX_RESULT_BYTES 16000000u
#endif

/// Requests one socketio::redis::node has in flight at once (its request_tracker's fixed
/// capacity); one more is refused with queue_full.
#ifndef SIOCODEC_REDIS_NODE_MAX_REQUESTS
#define SIOCODEC_REDIS_NODE_MAX_REQUESTS 64
#endif

#endif  // SIOCODEC_CONFIG_HPP
