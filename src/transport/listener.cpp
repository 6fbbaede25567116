#include "transport/listener.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <optional>
#include <system_error>

#include "transport/http_session.hpp"
#include "transport/tls_front.hpp"

namespace message::transport {

namespace {

/// Refusals lingering at once (draining before a graceful close); past this a refused socket
/// is closed right after its 503. A burst must not cost more descriptors than it frees.
std::atomic<int> refusals_in_flight{0};
constexpr int max_refusals_in_flight = 256;

std::string refusal_text(std::string_view why) {
  return fmt::format(
      "HTTP/1.1 503 Service Unavailable\r\nServer: message\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Retry-After: 5\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}\n",
      why.size() + 1, why);
}

/// Lingers on a refused connection: drains what the client sent (for up to a second) so the
/// close does not reset the connection before the client has read the 503.
class refusal final : public std::enable_shared_from_this<refusal> {
 public:
  explicit refusal(tcp::socket&& socket) : stream_(std::move(socket)) { ++refusals_in_flight; }
  ~refusal() { --refusals_in_flight; }
  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->stream_.expires_after(std::chrono::seconds(1));
      self->drain();
    });
  }

 private:
  void drain() {
    stream_.async_read_some(net::buffer(sink_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) self->drain();
                            });
  }
  beast::tcp_stream stream_;
  std::array<char, 512> sink_{};
};

/// Answers a connection over the limits with 503 and closes it, instead of accepting it and
/// letting it hang. The answer is one small write into an empty socket buffer: it is made
/// at once, without a session.
void refuse(tcp::socket socket, std::string_view why) {
  beast::error_code ec;
  const std::string text = refusal_text(why);
  socket.non_blocking(true, ec);
  if (!ec) socket.write_some(net::buffer(text), ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  if (refusals_in_flight.load() >= max_refusals_in_flight) {
    socket.close(ec);
    return;
  }
  std::make_shared<refusal>(std::move(socket))->run();
}

}  // namespace

listener::listener(asio_event_loop& home, std::vector<asio_event_loop*> loops, transport_context& ctx)
    : acceptor_(home.context()), retry_(home.context()), loops_(std::move(loops)), ctx_(ctx) {}

std::shared_ptr<listener> listener::open(asio_event_loop& home, const tcp::endpoint& endpoint,
                                         std::vector<asio_event_loop*> loops, transport_context& ctx) {
  auto self = std::make_shared<listener>(home, std::move(loops), ctx);
  auto& a = self->acceptor_;
  beast::error_code ec;
  auto check = [&](const char* what) {
    if (ec) {
      throw std::system_error(
          ec, fmt::format("cannot {} {}:{}", what, endpoint.address().to_string(), endpoint.port()));
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

std::shared_ptr<listener> listener::adopt(asio_event_loop& home, int fd, std::vector<asio_event_loop*> loops,
                                          transport_context& ctx) {
  auto self = std::make_shared<listener>(home, std::move(loops), ctx);
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::system_error(errno, std::system_category(), "cannot read the inherited socket's address");
  if (address.ss_family != AF_INET && address.ss_family != AF_INET6)
    throw std::system_error(std::make_error_code(std::errc::address_family_not_supported),
                            "the inherited socket is no TCP/IP socket");
  beast::error_code ec;
  self->acceptor_.assign(address.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
  if (ec) throw std::system_error(ec, "cannot take over the inherited socket");
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
  const auto peer = socket.remote_endpoint(ec);
  if (ec) {  // Gone already.
    do_accept();
    return;
  }
  std::optional<connection_slot> slot;
  switch (ctx_.addresses.admit(peer.address(), slot)) {
    case address_table::refusal::none:
      if (ctx_.tls) {
        serve_tls(std::move(socket), ctx_, loop_index, std::move(*slot));
      } else {
        std::make_shared<http_session>(std::move(socket), ctx_, loop_index, std::move(*slot))->run();
      }
      break;
    case address_table::refusal::address_full:
      refuse(std::move(socket), "too many connections from this address");
      break;
    case address_table::refusal::server_full:
      refuse(std::move(socket), "the server has too many connections");
      break;
  }
  do_accept();
}

}  // namespace message::transport
