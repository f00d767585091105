// Webhook: delivers notices (催报, 退回) as JSON to one outside HTTP endpoint,
// such as an SMS or 粤政易 gateway, configured per deployment
// (`tianbao serve --webhook http://host:port/path`).
//
// Deliveries run on their own thread from a bounded queue, so a slow or
// dead gateway never delays a request; failures are logged and dropped
// (the notices themselves are stored and shown in tianbao regardless).
//
// Body: {"notices":[{"orgUnit","task","kind","message","at"}]}.
//
// Thread-safety: post() may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "model/status.h"

namespace tianbao::http {

class Webhook {
 public:
  static constexpr std::size_t kMaxQueued = 1000;

  // Only http:// URLs on any host; InvalidArgument otherwise.
  static StatusOr<std::unique_ptr<Webhook>> create(const std::string& url);
  ~Webhook();

  // Queues a JSON body for delivery.
  void post(std::string body);

 private:
  Webhook(std::string host, std::string port, std::string target);
  void run();
  bool deliver(const std::string& body);

  std::string host_, port_, target_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;          // GUARDED_BY(mu_)
  std::thread worker_;
};

}  // namespace tianbao::http
