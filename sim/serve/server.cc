#include "serve/server.h"

#include <csignal>
#include <memory>

#include "core/error.h"
#include "pg/asio.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ccsim {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

struct Shared {
  const Api& api;
  const ServeOptions& options;
  size_t open = 0;
};

http::response<http::string_body> answer(const Shared& sh,
                                         const http::request<http::string_body>& req) {
  http::response<http::string_body> res;
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  res.set(http::field::server, "ccsim");
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::cache_control, "no-store");
  auto text = [&](http::status status, const std::string& content_type, std::string body) {
    res.result(status);
    res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
  };
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    res.set(http::field::allow, "GET, HEAD");
    text(http::status::method_not_allowed, "application/json",
         "{\"error\": \"only GET and HEAD are served\"}\n");
  } else {
    std::string target(req.target());
    std::string path = target.substr(0, target.find('?'));
    if (path == "/" || path == "/index.html") {
      text(http::status::ok, "text/html; charset=utf-8", std::string(page_html()));
    } else {
      ApiResponse a = sh.api.get(target);
      text(static_cast<http::status>(a.status), a.content_type + "; charset=utf-8",
           std::move(a.body));
    }
  }
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();
  return res;
}

asio::awaitable<void> session(tcp::socket socket, std::shared_ptr<Shared> sh) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    stream.expires_after(std::chrono::seconds(sh->options.idle_seconds));
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(sh->options.header_bytes_max));
    parser.body_limit(0);  // GET and HEAD carry no body
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == http::error::header_limit || ec == http::error::body_limit ||
          ec.category() == http::make_error_code(http::error::bad_target).category()) {
        // Malformed or too large: say so once, then close.
        http::response<http::string_body> res{http::status::bad_request, 11};
        res.set(http::field::content_type, "application/json; charset=utf-8");
        res.body() = "{\"error\": \"bad request: " + ec.message() + "\"}\n";
        res.keep_alive(false);
        res.prepare_payload();
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      }
      break;
    }
    http::response<http::string_body> res = answer(*sh, parser.get());
    bool keep = res.keep_alive();
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  --sh->open;
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, std::shared_ptr<Shared> sh) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // a client that gave up before we accepted it
    if (sh->open >= sh->options.connections_max) {
      socket.close(ec);
      continue;
    }
    ++sh->open;
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), sh), asio::detached);
  }
}

}  // namespace

void serve(const Api& api, const ServeOptions& options,
           const std::function<void(const std::string&)>& listening) {
  asio::io_context io(1);
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(options.bind, ec);
  if (ec)
    throw InputError(SourcePos{"--bind", 0, 0}, "not an IP address: " + options.bind +
                                                    " (for example 127.0.0.1, 0.0.0.0 or ::1)");
  tcp::endpoint endpoint(address, options.port);
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw InputError(SourcePos{"--port", 0, 0}, "cannot listen on " + options.bind + " port " +
                                                    std::to_string(options.port) + ": " +
                                                    ec.message());
  auto sh = std::make_shared<Shared>(Shared{api, options, 0});
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const beast::error_code&, int) {
    acceptor.close();
    io.stop();
  });
  asio::co_spawn(io, listen(acceptor, sh), asio::detached);
  tcp::endpoint bound = acceptor.local_endpoint();
  std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                             : bound.address().to_string();
  listening("http://" + host + ":" + std::to_string(bound.port()) + "/");
  io.run();
}

}  // namespace ccsim
