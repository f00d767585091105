// Server: the HTTP/1.1 front of tianbao on Boost.Beast with C++20 coroutines.
//
// One coroutine per connection (not a thread), so thousands of idle
// keep-alive connections cost memory only. Requests run through the Router;
// /api paths that match nothing get a JSON 404, other paths go to the static
// web app. Every request is written to the access log. SIGTERM or SIGINT
// stops accepting, lets requests in flight finish (up to a grace period),
// then returns from run().
//
//   Server server(options, router);
//   RETURN_IF_ERROR(server.listen());
//   fmt::print("{}\n", server.url());
//   server.run();
//
// Thread-safety: construct, listen and run from one thread; run() drives
// `threads` worker threads internally.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "http/router.h"
#include "model/status.h"

namespace tianbao::http {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  std::filesystem::path web_root;         // built web app; may be absent
  std::size_t body_limit = 8 * 1024 * 1024;
  std::size_t header_limit = 16 * 1024;
  std::chrono::seconds idle_timeout{120};
  std::chrono::seconds shutdown_grace{10};
  int threads = 2;
  // Addresses of reverse proxies (nginx) whose X-Forwarded-For is believed:
  // a request from one of them is attributed to the client address the proxy
  // names (its last entry); from anyone else the header is ignored, so a
  // client cannot pick the address that the audit log and rate limits see.
  std::vector<std::string> trusted_proxies;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; fails if the address is bad or taken.
  Status listen();
  // "http://127.0.0.1:8080" with the real port; valid after listen().
  std::string url() const;
  // Serves until SIGTERM/SIGINT or stop(); then drains and returns.
  void run();
  // Asks run() to stop as on SIGTERM; safe from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Raises the open-file limit to the hard limit so that many connections fit.
void raise_open_file_limit();

}  // namespace tianbao::http
