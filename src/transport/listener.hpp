#pragma once

#include <memory>
#include <vector>

#include "transport/asio_event_loop.hpp"
#include "transport/net.hpp"
#include "transport/transport_context.hpp"

namespace message::transport {

/// Accepts TCP connections on one endpoint and deals them round-robin to the I/O loops.
/// open() either returns a listening object or throws std::system_error saying why (no
/// half-alive listener). Thread-safety: run()/stop() on the acceptor's loop.
class listener final : public std::enable_shared_from_this<listener> {
 public:
  static std::shared_ptr<listener> open(asio_event_loop& home, const tcp::endpoint& endpoint,
                                        std::vector<asio_event_loop*> loops, transport_context& ctx);
  /// Takes over `fd`, a socket that already listens (socket activation: systemd bound it).
  /// Throws std::system_error when it is no TCP socket.
  static std::shared_ptr<listener> adopt(asio_event_loop& home, int fd, std::vector<asio_event_loop*> loops,
                                         transport_context& ctx);
  listener(asio_event_loop& home, std::vector<asio_event_loop*> loops, transport_context& ctx);

  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void run();
  void stop();

 private:
  void do_accept();
  void on_accept(std::size_t loop_index, beast::error_code ec, tcp::socket socket);

  tcp::acceptor acceptor_;
  net::steady_timer retry_;
  std::vector<asio_event_loop*> loops_;
  transport_context& ctx_;
  std::size_t next_ = 0;
};

}  // namespace message::transport
