#include "transport/listener.hpp"

#include <spdlog/spdlog.h>

#include <system_error>

#include "transport/http_session.hpp"

namespace message::transport {

listener::listener(asio_event_loop& home, std::vector<asio_event_loop*> loops, transport_context& ctx)
    : acceptor_(home.context()), retry_(home.context()), loops_(std::move(loops)), ctx_(ctx) {}

std::shared_ptr<listener> listener::open(asio_event_loop& home, const tcp::endpoint& endpoint,
                                         std::vector<asio_event_loop*> loops, transport_context& ctx) {
  auto self = std::make_shared<listener>(home, std::move(loops), ctx);
  auto& a = self->acceptor_;
  beast::error_code ec;
  auto check = [&](const char* what) {
    if (ec) {
      throw std::system_error(ec, fmt::format("cannot {} {}:{}", what, endpoint.address().to_string(), endpoint.port()));
    }
  };
  a.open(endpoint.protocol(), ec);
  check("open a socket for");
  a.set_option(net::socket_base::reuse_address(true), ec);
  check("set SO_REUSEADDR on");
  a.bind(endpoint, ec);
  check("listen on");
  a.listen(net::socket_base::max_listen_connections, ec);
  check("listen on");
  return self;
}

void listener::run() { do_accept(); }

void listener::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
}

void listener::do_accept() {
  const std::size_t index = next_++ % loops_.size();
  acceptor_.async_accept(loops_[index]->context(),
                         beast::bind_front_handler(&listener::on_accept, shared_from_this(), index));
}

void listener::on_accept(std::size_t loop_index, beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Typically EMFILE: log, then pause instead of spinning on the same error.
    spdlog::warn("accept failed: {}; retrying in 100 ms", ec.message());
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (!e) self->do_accept();
    });
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);  // Chat lines are small: send them now.
  std::make_shared<http_session>(std::move(socket), ctx_, loop_index)->run();
  do_accept();
}

}  // namespace message::transport
