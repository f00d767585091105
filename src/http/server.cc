#include "http/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>
#include <vector>

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/response.h"
#include "http/static_files.h"

namespace tianbao::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

Method to_method(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

StatusOr<tcp::endpoint> parse_listen(const std::string& listen) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgument("监听地址须为 主机:端口，如 127.0.0.1:8080", "listen");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  std::string port_text = listen.substr(colon + 1);
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(port_text, &used);
    if (used != port_text.size()) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) return InvalidArgument("监听端口须为 0–65535", "listen");
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgument(fmt::format("监听地址 {} 不是 IP 地址", host), "listen");
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

using BeastResponse = bhttp::response<bhttp::string_body>;

BeastResponse to_beast(Response&& r, unsigned version, bool keep_alive, bool head) {
  BeastResponse res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "tianbao");
  res.set(bhttp::field::content_type, r.content_type);
  res.set("X-Content-Type-Options", "nosniff");
  for (auto& [name, value] : r.headers) res.set(name, value);
  std::size_t length = r.body.size();
  if (!head) res.body() = std::move(r.body);
  res.content_length(length);
  res.keep_alive(keep_alive);
  return res;
}

// The client a trusted proxy names in X-Forwarded-For: the last entry (the
// one the proxy itself wrote); the proxy's own address if there is none.
std::string forwarded_client(std::string_view header, const std::string& proxy) {
  const auto comma = header.rfind(',');
  std::string_view last = comma == std::string_view::npos ? header : header.substr(comma + 1);
  while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
  while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
  if (last.empty() || last.size() > 64) return proxy;
  // An IPv6 address goes in brackets, as the peer's own address would, so
  // that no one reads its last group as a port.
  if (last.find(':') != std::string_view::npos && last.front() != '[') {
    return fmt::format("[{}]", last);
  }
  return std::string(last);
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Router& r)
      : options(std::move(o)), router(r), static_files(options.web_root), acceptor(ioc) {}

  Response dispatch(Request& request) {
    if (request.path == "/api" || request.path.starts_with("/api/")) {
      StatusOr<const Handler*> handler = router.find(request);
      if (!handler.ok()) return error_response(handler.status());
      try {
        StatusOr<Response> response = (**handler)(request);
        return response.ok() ? std::move(*response) : error_response(response.status());
      } catch (const std::exception& e) {
        // Handlers report failures as Status; an exception here is a bug.
        spdlog::error("handler for {} {} threw: {}", method_name(request.method), request.path,
                      e.what());
        return error_response(Internal("服务器内部错误，请联系管理员"));
      }
    }
    if (request.method != Method::kGet && request.method != Method::kHead) {
      return error_response(Status(StatusCode::kMethodNotAllowed, "此地址只支持 GET", "method",
                                   "method_not_allowed"));
    }
    return static_files.serve(request);
  }

  // Answers a request that cannot be read further, then closes the way
  // nginx does ("lingering close"): stop sending, and read and discard what
  // the client is still uploading for a moment, so that its TCP stack does
  // not receive a reset before it has read the answer.
  asio::awaitable<void> write_error_and_close(beast::tcp_stream& stream, const Status& status) {
    constexpr std::size_t kMaxDiscard = 64 * 1024 * 1024;
    constexpr auto kLinger = std::chrono::seconds(2);
    BeastResponse res = to_beast(error_response(status), 11, false, false);
    boost::system::error_code ec;
    co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::vector<char> sink(64 * 1024);
    std::size_t discarded = 0;
    stream.expires_after(kLinger);
    while (!ec && discarded < kMaxDiscard) {
      discarded += co_await stream.async_read_some(asio::buffer(sink),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    boost::system::error_code ec;
    std::string remote;
    bool from_proxy = false;
    {
      tcp::endpoint peer = socket.remote_endpoint(ec);
      remote = ec ? "?" : fmt::format("{}:{}", peer.address().to_string(), peer.port());
      from_proxy = !ec && std::find(options.trusted_proxies.begin(), options.trusted_proxies.end(),
                                    peer.address().to_string()) != options.trusted_proxies.end();
    }
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    while (!stopping) {
      stream.expires_after(options.idle_timeout);
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(options.body_limit);
      co_await bhttp::async_read(stream, buffer, parser,
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::body_limit) {
        co_await write_error_and_close(
            stream, Status(StatusCode::kPayloadTooLarge,
                           fmt::format("请求内容超过 {} MiB 上限", options.body_limit >> 20),
                           "body", "payload_too_large"));
        break;
      }
      if (ec == bhttp::error::header_limit) {
        co_await write_error_and_close(stream, Status(StatusCode::kPayloadTooLarge, "请求头过大",
                                                      "headers", "headers_too_large"));
        break;
      }
      if (ec) {
        // A malformed request gets a 400; a closed, reset or idle connection
        // just ends.
        bool malformed =
            ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
            ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
        if (malformed) {
          co_await write_error_and_close(
              stream, InvalidArgument("请求格式不正确", "request", "bad_request"));
        }
        break;
      }
      auto started = std::chrono::steady_clock::now();
      in_flight.fetch_add(1);
      bhttp::request<bhttp::string_body>& raw = parser.get();
      Request request;
      request.method = to_method(raw.method());
      request.remote = remote;
      for (const auto& field : raw) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.headers[name] = std::string(field.value());
      }
      if (from_proxy) request.remote = forwarded_client(request.header("x-forwarded-for"), remote);
      request.body = std::move(raw.body());
      std::string_view raw_target(raw.target().data(), raw.target().size());
      Status target = parse_target(raw_target, request);
      Response response = target.ok() ? dispatch(request) : error_response(target);
      bool keep_alive = raw.keep_alive() && !stopping;
      std::size_t bytes = response.body.size();
      unsigned status = response.status;
      BeastResponse res =
          to_beast(std::move(response), raw.version(), keep_alive, request.method == Method::kHead);
      co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      in_flight.fetch_sub(1);
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
      spdlog::info("{} {} {} {} {}B {:.1f}ms", remote, method_name(request.method), raw_target,
                   status, bytes, micros / 1000.0);
      if (ec || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> accept_loop() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(
          asio::make_strand(ioc), asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        // Out of descriptors or a reset before accept: back off briefly.
        spdlog::warn("accept failed: {}", ec.message());
        asio::steady_timer pause(ioc, std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      asio::any_io_executor executor = socket.get_executor();
      asio::co_spawn(executor, session(std::move(socket)), asio::detached);
    }
  }

  // Stops accepting, waits for requests in flight (bounded), then stops.
  asio::awaitable<void> drain() {
    boost::system::error_code ec;
    acceptor.close(ec);
    auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
    asio::steady_timer timer(ioc);
    while (in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    ioc.stop();
  }

  void begin_stop() {
    if (stopping.exchange(true)) return;
    asio::co_spawn(ioc, drain(), asio::detached);
  }

  ServerOptions options;
  const Router& router;
  StaticFiles static_files;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() = default;

Status Server::listen() {
  ASSIGN_OR_RETURN(tcp::endpoint endpoint, parse_listen(impl_->options.listen));
  boost::system::error_code ec;
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(StatusCode::kUnavailable,
                  fmt::format("无法监听 {}：{}", impl_->options.listen, ec.message()), "listen",
                  "listen_failed");
  }
  return Status::Ok();
}

std::string Server::url() const {
  boost::system::error_code ec;
  tcp::endpoint ep = impl_->acceptor.local_endpoint(ec);
  std::string host = ep.address().to_string();
  if (ep.address().is_v6()) host = "[" + host + "]";
  return fmt::format("http://{}:{}", host, ep.port());
}

void Server::run() {
  Impl& impl = *impl_;
  asio::signal_set signals(impl.ioc, SIGINT, SIGTERM);
  signals.async_wait([&impl](const boost::system::error_code& ec, int) {
    if (!ec) impl.begin_stop();
  });
  asio::co_spawn(impl.ioc, impl.accept_loop(), asio::detached);
  std::vector<std::thread> workers;
  for (int i = 1; i < impl.options.threads; ++i) workers.emplace_back([&impl] { impl.ioc.run(); });
  impl.ioc.run();
  for (std::thread& t : workers) t.join();
}

void Server::stop() {
  asio::post(impl_->ioc, [this] { impl_->begin_stop(); });
}

void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace tianbao::http
