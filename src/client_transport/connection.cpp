#include "client_transport/connection.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <deque>
#include <optional>

#include "protocol/client_codec.hpp"

namespace message::client {

namespace {

/// The subprotocol of docs/protocol.md: the server names it back when offered.
constexpr std::string_view subprotocol = "message.v1";

template <bool Tls>
using ws_stream = std::conditional_t<Tls, websocket::stream<beast::ssl_stream<beast::tcp_stream>>,
                                     websocket::stream<beast::tcp_stream>>;

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

/// One connection's steps: resolve, connect, (TLS handshake and trust), upgrade, then a read
/// loop with one write at a time. Lives through shared_from_this in every pending handler.
template <bool Tls>
class ws_connection final : public connection, public std::enable_shared_from_this<ws_connection<Tls>> {
 public:
  ws_connection(net::io_context& ioc, connection_settings settings, std::string target, handlers h)
      : settings_(std::move(settings)),
        target_(std::move(target)),
        handlers_(std::move(h)),
        resolver_(ioc),
        tls_(ssl::context::tls_client),
        ws_(make_stream(ioc)) {}

  void start() {
    resolver_.async_resolve(
        settings_.url.host, std::to_string(settings_.url.port),
        [self = this->shared_from_this()](boost::system::error_code ec, tcp::resolver::results_type r) {
          self->on_resolve(ec, std::move(r));
        });
  }

  void send(std::string frame) override {
    if (state_ != state::open) return;
    queue_.push_back(std::move(frame));
    if (queue_.size() == 1) do_write();
  }

  void close() override {
    switch (state_) {
      case state::connecting:
        state_ = state::closing;
        resolver_.cancel();
        beast::get_lowest_layer(ws_).cancel();
        break;
      case state::open:
        state_ = state::closing;
        ws_.async_close(websocket::close_code::normal,
                        [self = this->shared_from_this()](boost::system::error_code) {
                          // The pending read ends with the close: it reports the end.
                        });
        break;
      case state::closing:
      case state::ended:
        break;
    }
  }

 private:
  enum class state { connecting, open, closing, ended };

  ws_stream<Tls> make_stream(net::io_context& ioc) {
    if constexpr (Tls) {
      // Trust is the pinned or first-seen key's fingerprint (server_trust), not a CA: LAN
      // servers use self-signed certificates. The chain is checked after the handshake.
      tls_.set_verify_mode(ssl::verify_none);
      return ws_stream<Tls>(ioc, tls_);
    } else {
      return ws_stream<Tls>(ioc);
    }
  }

  void end(end_kind kind, std::string detail) {
    if (state_ == state::ended) return;
    if (state_ == state::closing && kind != end_kind::untrusted) kind = end_kind::closed_by_us;
    state_ = state::ended;
    if (handlers_.on_end) handlers_.on_end(connection_end{kind, std::move(detail)});
    handlers_ = {};
  }

  std::string where() const { return settings_.url.authority(); }

  void on_resolve(boost::system::error_code ec, tcp::resolver::results_type results) {
    if (ec) return end(end_kind::unreachable, "cannot resolve " + settings_.url.host + ": " + ec.message());
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    tcp_layer.expires_after(settings_.limits.connect_timeout);
    tcp_layer.async_connect(
        results, [self = this->shared_from_this()](boost::system::error_code e, const tcp::endpoint&) {
          self->on_connect(e);
        });
  }

  void on_connect(boost::system::error_code ec) {
    if (ec) return end(end_kind::unreachable, "cannot connect to " + where() + ": " + ec.message());
    if constexpr (Tls) {
      auto& tls_stream = ws_.next_layer();
      if (!is_ip_literal(settings_.url.host))
        // SSL_set_tlsext_host_name, without the macro's C-style cast.
        SSL_ctrl(tls_stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(settings_.url.host.c_str()));
      tls_stream.async_handshake(
          ssl::stream_base::client,
          [self = this->shared_from_this()](boost::system::error_code e) { self->on_tls(e); });
    } else {
      do_upgrade();
    }
  }

  void on_tls(boost::system::error_code ec) {
    if constexpr (Tls) {
      if (ec) return end(end_kind::unreachable, "TLS with " + where() + " failed: " + ec.message());
      X509* cert = SSL_get1_peer_certificate(ws_.next_layer().native_handle());
      const auto fingerprint = spki_fingerprint(cert);
      X509_free(cert);
      if (!settings_.trust) return end(end_kind::untrusted, "no way to trust a TLS server");
      if (auto refusal = settings_.trust->check(where(), fingerprint)) {
        beast::get_lowest_layer(ws_).close();
        state_ = state::connecting;  // So that end() reports untrusted, not closed_by_us.
        return end(end_kind::untrusted, *refusal);
      }
    }
    do_upgrade();
  }

  void do_upgrade() {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t;
    t.handshake_timeout = settings_.limits.handshake_timeout;
    t.idle_timeout = settings_.limits.idle_timeout;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(settings_.limits.max_server_frame_bytes);
    std::string protocols(subprotocol);
    if (!settings_.identity.empty()) protocols += ", id." + settings_.identity;
    ws_.set_option(
        websocket::stream_base::decorator([protocols, key = settings_.key](websocket::request_type& req) {
          req.set(http::field::user_agent, "message-terminal/" MESSAGE_VERSION);
          req.set(http::field::sec_websocket_protocol, protocols);
          if (!key.empty()) req.set(http::field::authorization, "Bearer " + key);
        }));
    ws_.async_handshake(
        response_, where(), target_,
        [self = this->shared_from_this()](boost::system::error_code ec) { self->on_upgrade(ec); });
  }

  void on_upgrade(boost::system::error_code ec) {
    if (ec == websocket::error::upgrade_declined) {
      const auto status = response_.result_int();
      const std::string retry(response_[http::field::retry_after]);
      if (status == 401)
        return end(end_kind::key_refused,
                   "the server refused the key (401): give the right one with --key-file or MESSAGE_KEY");
      if (status == 429 || status == 503)
        return end(end_kind::busy, "the server is refusing connections for now (" + std::to_string(status) +
                                       (retry.empty() ? ")" : ", retry after " + retry + " s)"));
      return end(end_kind::not_message_server, where() + " answered " + std::to_string(status) + " to " +
                                                   target_.substr(0, target_.find('?')) +
                                                   ": it is not a message server");
    }
    if (ec) {
      if (state_ == state::closing) return end(end_kind::closed_by_us, {});
      return end(end_kind::not_message_server,
                 "the WebSocket upgrade with " + where() + " failed: " + ec.message());
    }
    if (state_ == state::closing) {
      state_ = state::open;
      close();
    } else {
      state_ = state::open;
      if (handlers_.on_open) handlers_.on_open();
    }
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(boost::system::error_code ec) {
    if (ec) {
      if (ec == websocket::error::closed) {
        const auto& reason = ws_.reason();
        if (reason.code == websocket::close_code::policy_error)
          return end(end_kind::policy, "the server closed the connection (1008): " +
                                           std::string(reason.reason.data(), reason.reason.size()));
        return end(end_kind::lost, "the server closed the connection (" + std::to_string(reason.code) + ")");
      }
      return end(end_kind::lost, "the connection to " + where() + " was lost: " + ec.message());
    }
    const auto data = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    protocol::for_each_line(data, [&](std::string_view line) {
      if (state_ == state::open && handlers_.on_line) handlers_.on_line(line);
    });
    if (state_ != state::ended) do_read();
  }

  void do_write() {
    ws_.text(true);
    ws_.async_write(
        net::buffer(queue_.front()),
        [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(boost::system::error_code ec) {
    if (ec) return;  // The pending read reports the end.
    queue_.pop_front();
    if (!queue_.empty() && state_ == state::open) do_write();
  }

  connection_settings settings_;
  std::string target_;
  handlers handlers_;
  tcp::resolver resolver_;
  ssl::context tls_;
  ws_stream<Tls> ws_;
  beast::flat_buffer buffer_;
  websocket::response_type response_;
  std::deque<std::string> queue_;
  state state_ = state::connecting;
};

}  // namespace

std::shared_ptr<connection> connection::open(net::io_context& ioc, const connection_settings& settings,
                                             std::string target, handlers h) {
  if (settings.url.tls) {
    auto c = std::make_shared<ws_connection<true>>(ioc, settings, std::move(target), std::move(h));
    c->start();
    return c;
  }
  auto c = std::make_shared<ws_connection<false>>(ioc, settings, std::move(target), std::move(h));
  c->start();
  return c;
}

std::string ws_target(const server_url& url, const std::string& room, const std::string& name,
                      std::optional<std::uint64_t> since, const std::string& epoch) {
  std::string out = url.base_path + "/ws?room=" + boost::urls::encode(room, boost::urls::unreserved_chars);
  if (!name.empty()) out += "&name=" + boost::urls::encode(name, boost::urls::unreserved_chars);
  if (since) out += "&since=" + std::to_string(*since);
  if (since && !epoch.empty()) out += "&epoch=" + boost::urls::encode(epoch, boost::urls::unreserved_chars);
  return out;
}

bool worth_retrying(end_kind kind) {
  return kind == end_kind::lost || kind == end_kind::unreachable || kind == end_kind::busy;
}

}  // namespace message::client
