// SPDX-License-Identifier: BSL-1.0
// The command line both example servers read: `--name value` pairs, the shared ones handled here.
#ifndef SIOCODEC_EXAMPLES_SERVER_CLI_HPP
#define SIOCODEC_EXAMPLES_SERVER_CLI_HPP

#include <siocodec/adapters/beast/server.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace demo {
// The examples' names are the adapter's, and theirs (CLI, printing) beside them.
using namespace ::siocodec::adapters::beast;

/// One `--name value` option; `n` is the value read as a decimal number when `numeric`.
struct cli_arg {
  std::string_view name;
  const char* value = nullptr;
  bool numeric = false;
  unsigned long long n = 0;
};

/// The options every example server takes.
struct server_cli {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool exit_with_stdin = false;
  engine_options eio;
};

/// Reads argv as `--name value` pairs into `o`; an option it does not know goes to
/// `extra(const cli_arg&)`, which returns false to refuse it. False for a name without a value
/// or a refused one, so that main() prints its usage.
template <class Extra>
bool parse_cli(int argc, char** argv, server_cli& o, Extra&& extra) {
  bool queue_bytes_given = false;
  for (int i = 1; i < argc; ++i) {
    cli_arg a;
    a.name = argv[i];
    if (i + 1 >= argc) return false;
    a.value = argv[++i];
    char* end = nullptr;
    a.n = std::strtoull(a.value, &end, 10);
    a.numeric = end != a.value && *end == '\0';
    // Timers are set from these in milliseconds as int: keep them in its range.
    const bool ms = a.numeric && a.n >= 1 && a.n <= 2147483647;
    if (a.name == "--host") {
      o.host = a.value;
    } else if (a.name == "--port" && a.numeric && a.n <= 65535) {
      o.port = static_cast<std::uint16_t>(a.n);
    } else if (a.name == "--ping-interval" && ms) {
      o.eio.ping_interval = static_cast<std::uint32_t>(a.n);
    } else if (a.name == "--ping-timeout" && ms) {
      o.eio.ping_timeout = static_cast<std::uint32_t>(a.n);
    } else if (a.name == "--max-payload" && a.numeric && a.n >= 1) {
      o.eio.max_payload = static_cast<std::size_t>(a.n);
    } else if (a.name == "--max-send-queue-bytes" && a.numeric && a.n >= 1) {
      o.eio.max_queued_bytes = static_cast<std::size_t>(a.n);
      queue_bytes_given = true;
    } else if (a.name == "--max-send-queue-packets" && a.numeric && a.n >= 1) {
      o.eio.max_queued_messages = static_cast<std::size_t>(a.n);
    } else if (a.name == "--exit-with-stdin" && a.numeric) {
      o.exit_with_stdin = a.n != 0;
    } else if (!extra(static_cast<const cli_arg&>(a))) {
      return false;
    }
  }
  // 16 messages of the largest size, as many for a server that takes larger ones.
  if (!queue_bytes_given) {
    o.eio.max_queued_bytes = o.eio.max_payload > SIZE_MAX / 16 ? SIZE_MAX : 16 * o.eio.max_payload;
  }
  return true;
}

}  // namespace demo

#endif  // SIOCODEC_EXAMPLES_SERVER_CLI_HPP
