#include "http/webhook.h"

#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tianbao::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

StatusOr<std::unique_ptr<Webhook>> Webhook::create(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return InvalidArgument("webhook 地址须以 http:// 开头（HTTPS 请经本机 nginx 转发）", "webhook");
  }
  std::string rest = url.substr(kScheme.size());
  std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  std::size_t colon = authority.rfind(':');
  std::string host = colon == std::string::npos ? authority : authority.substr(0, colon);
  std::string port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (host.empty() || port.empty()) return InvalidArgument("webhook 地址不正确", "webhook");
  return std::unique_ptr<Webhook>(new Webhook(host, port, target));
}

Webhook::Webhook(std::string host, std::string port, std::string target)
    : host_(std::move(host)), port_(std::move(port)), target_(std::move(target)) {
  worker_ = std::thread([this] { run(); });
}

Webhook::~Webhook() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void Webhook::post(std::string body) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      spdlog::warn("webhook queue full; dropping a delivery");
      return;
    }
    queue_.push_back(std::move(body));
  }
  cv_.notify_one();
}

void Webhook::run() {
  while (true) {
    std::string body;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      body = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!deliver(body)) spdlog::warn("webhook delivery to {}:{}{} failed", host_, port_, target_);
  }
}

bool Webhook::deliver(const std::string& body) {
  constexpr auto kTimeout = std::chrono::seconds(10);
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(host_, port_, ec);
  if (ec) return false;
  stream.expires_after(kTimeout);
  stream.connect(endpoints, ec);
  if (ec) return false;
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, target_, 11};
  req.set(bhttp::field::host, host_);
  req.set(bhttp::field::content_type, "application/json; charset=utf-8");
  req.set(bhttp::field::user_agent, "tianbao");
  req.body() = body;
  req.prepare_payload();
  bhttp::write(stream, req, ec);
  if (ec) return false;
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res, ec);
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return res.result_int() >= 200 && res.result_int() < 300;
}

}  // namespace tianbao::http
