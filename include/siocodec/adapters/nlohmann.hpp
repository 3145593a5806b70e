// SPDX-License-Identifier: BSL-1.0
// Optional adapter: Socket.IO payloads to nlohmann/json values and back, binaries as binary_t.
#ifndef SIOCODEC_ADAPTERS_NLOHMANN_HPP
#define SIOCODEC_ADAPTERS_NLOHMANN_HPP

// The adapter in three parts: recognising J (nlohmann/basic_json.hpp), decoding to J
// (nlohmann/to_json.hpp), J as builder arguments (nlohmann/from_json.hpp).
#include <siocodec/adapters/nlohmann/basic_json.hpp>
#include <siocodec/adapters/nlohmann/from_json.hpp>
#include <siocodec/adapters/nlohmann/to_json.hpp>

// What the adapter does, in both directions, for any nlohmann::basic_json instantiation J
// (nlohmann::json, whose objects iterate in sorted key order, nlohmann::ordered_json, which keeps
// insertion order, or your own):
//
//   decoding (to_json, event_name_of, arguments_of)      encoding (arg_traits<J>, spread)
//   ------------------------------------------------     ------------------------------------
//   null, true, false          -> null, boolean          null, boolean   -> null, true, false
//   integer text in [0, 2^64)  -> number_unsigned        number_unsigned -> all its digits
//   integer text in [-2^63, 0) -> number_integer         number_integer  -> all its digits
//   `-0`, other numbers        -> number_float           number_float    -> JSON.stringify's text
//   string (unescaped, UTF-8)  -> string                 string          -> escaped string
//   array, object              -> array, object          array, object   -> array, object
//   placeholder {"_placeholder":true,"num":N}            binary_t        -> placeholder N, and
//                              -> binary_t (a copy of                       the bytes as
//                                 attachment N)                             attachment N
//
//   namespace sj = siocodec::adapters::nlohmann_json;
//   // decoding: a packet the decoder delivered, attachments in place
//   nlohmann::json args = sj::arguments_of(packet);        // [arg0, arg1, ...]
//   nlohmann::json name = sj::event_name_of(packet);       // "chat message"
//   // encoding: nlohmann values are arguments like any other
//   sio::encode(sio::event("chat", j1, j2), text, attachments);
//   sio::encode(sio::event("chat", sj::spread(args)), text, attachments);  // emit(name, ...args)
//
// The msgpack parser (socketio/msgpack_parser/) is served by the same calls: to_json(),
// event_name_of() and arguments_of() of a msgpack::value or a msgpack_packet_view (binaries are
// inline: bin -> binary_t), and the same arg_traits<J> and spread() for msgpack_parser::encode()
// (binary_t -> bin). A socketio::any_packet (socketio/any.hpp) converts whichever parser
// decoded it.
//
// Builds with -fno-exceptions -fno-rtti: nlohmann then aborts where it would throw, and the
// adapter only uses members that cannot throw for the types it checked (allocation failure
// aside). Conversions allocate (the J values, and a heap stack instead of recursion); encoding
// a J uses a heap stack too, even into encode_to().

#endif  // SIOCODEC_ADAPTERS_NLOHMANN_HPP
