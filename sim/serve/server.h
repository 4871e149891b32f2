// `ccsim serve`: the classroom page and its JSON API (serve/api.h) over
// HTTP/1.1 on Boost.Beast, one thread, one Asio io_context. The server keeps
// no per-user state: the page's address holds everything (docs/serve.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "serve/api.h"

namespace ccsim {

struct ServeOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;           // 0: any free port
  size_t connections_max = 1024;  // open at once; more are closed at once
  int idle_seconds = 30;          // a connection that sends nothing for this long is closed
  size_t header_bytes_max = 16384;
};

// The page the server and `ccsim run --format html` share (sim/serve/page.html).
std::string_view page_html();

// Serves until SIGINT or SIGTERM. Calls `listening` with the address bound
// ("http://127.0.0.1:8080/") once it accepts. Throws InputError when the
// address cannot be bound.
void serve(const Api& api, const ServeOptions& options,
           const std::function<void(const std::string&)>& listening);

}  // namespace ccsim
