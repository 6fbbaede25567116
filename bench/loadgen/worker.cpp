#include "worker.hpp"

#include "line_scan.hpp"
#include "ws_frame.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/post.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace loadgen {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

std::uint64_t now_ns() noexcept {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

/// One client. Owned by its worker; every handler it starts captures the
/// worker and the connection by reference, which is safe because the worker
/// destroys its connections only after its loop stopped for good.
struct connection {
  enum class state { idle, connecting, handshaking, open, closed };

  connection(net::io_context& ioc, std::size_t idx, std::size_t senders, std::size_t buffer)
      : socket(ioc), buf(buffer), index(idx), last_number(senders, 0) {
    // xorshift of the index: a different mask per client, no RNG needed
    std::uint32_t x = static_cast<std::uint32_t>(idx) * 2654435761u + 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    mask = x | 1u;
  }

  tcp::socket socket;       // until connected; then released into fd
  int fd = -1;              // the connected socket, read and written directly (worker::run_loop)
  bool registered = false;  // fd is in the worker's epoll set
  bool watching_writes = false;
  std::vector<char> buf;  // read buffer: an incomplete frame stays at its front
  std::size_t index;
  state st = state::idle;
  bool counted_open = false;
  std::uint32_t mask;
  std::size_t have = 0;   // bytes of buf kept from the last read
  std::size_t need = 0;   // size of the incomplete frame at the front, when known
  std::string fragments;  // payload of a fragmented message
  std::string out;        // bytes waiting for the socket to be writable
  bool have_seq = false;
  std::uint64_t last_seq = 0;
  std::vector<std::uint64_t> last_number;  // per sender
  std::uint64_t received = 0;
  // sender side
  bool is_sender = false;
  std::uint32_t sender_index = 0;
  std::uint64_t number = 0;
  std::uint64_t in_flight = 0;
};

worker::worker(options const& opt, run_plan const& plan, std::size_t index)
    : opt_(opt), plan_(plan), index_(index), ioc_(1), rate_timer_(ioc_), stop_timer_(ioc_) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::system_error(errno, std::system_category(), "epoll_create1");
  handshake_ = "GET " + opt_.path + " HTTP/1.1\r\nHost: " + opt_.host + ":" + std::to_string(opt_.port) +
               "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
               "User-Agent: message_loadgen\r\n\r\n";
}

worker::~worker() {
  if (thread_.joinable()) stop();
  ::close(epoll_fd_);
}

void worker::add_client(std::size_t client) {
  // Read buffers: large enough to take a server's batch in one read, small
  // enough for 50,000 idle clients (256 MiB over all, 4..256 KiB each).
  std::size_t const buffer = std::clamp<std::size_t>((std::size_t{256} << 20) / opt_.clients, 4096, 262144);
  conns_.push_back(std::make_unique<connection>(ioc_, client, opt_.senders, buffer));
  auto& c = *conns_.back();
  if (client < opt_.senders) {
    c.is_sender = true;
    c.sender_index = static_cast<std::uint32_t>(client);
    senders_.push_back(&c);
  }
}

void worker::start() {
  thread_ = std::thread([this] {
    auto guard = net::make_work_guard(ioc_);
    net::post(ioc_, [this] {
      for (std::size_t i = 0; i < opt_.connect_parallel && next_connect_ < conns_.size(); ++i) connect_next();
    });
    run_loop();
  });
}

void worker::run_loop() {
  // Asio's reactive reads cost two recv() per delivery: each new async_read_some first tries
  // the socket, which a reader that just emptied it finds empty. A client that receives
  // 1,000 fan-outs a second then spends a third of its time on those misses, and in S4 the
  // load generator, not the server, set the last recipient's latency. So a connected socket
  // leaves Asio: one level-triggered epoll holds them all, and a ready socket gets exactly
  // one recv() per wake. Asio keeps the rest (connects, timers, the main thread's posts) and
  // runs between waits; the wait is at most 1 ms, so a timer is at most that late (a rate
  // tick's messages carry their own send time, so latency is measured all the same).
  std::array<epoll_event, 256> events{};
  while (!ioc_.stopped()) {
    ioc_.poll();
    if (ioc_.stopped()) break;
    int const n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 1);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("message_loadgen: epoll_wait");
      ++stats_.errors;
      return;
    }
    for (int i = 0; i < n; ++i) {
      auto& c = *static_cast<connection*>(events[static_cast<std::size_t>(i)].data.ptr);
      std::uint32_t const what = events[static_cast<std::size_t>(i)].events;
      if ((what & EPOLLOUT) != 0 && c.watching_writes) on_writable(c);
      if ((what & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) read_once(c);
    }
  }
}

void worker::watch(connection& c, bool writes) {
  epoll_event ev{};
  ev.events = EPOLLIN | (writes ? EPOLLOUT : 0u);
  ev.data.ptr = &c;
  int const op = c.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  c.registered = true;
  c.watching_writes = writes;
  if (::epoll_ctl(epoll_fd_, op, c.fd, &ev) != 0) fail(c, "epoll_ctl failed", true);
}

void worker::read_once(connection& c) {
  if (c.st == connection::state::closed) return;  // closed earlier in this batch
  if (c.need > c.buf.size())
    c.buf.resize(c.need + 4096);
  else if (c.have == c.buf.size())
    c.buf.resize(c.buf.size() * 2);
  ssize_t const n = ::recv(c.fd, c.buf.data() + c.have, c.buf.size() - c.have, MSG_DONTWAIT);
  if (n > 0) return on_read(c, {}, static_cast<std::size_t>(n));
  if (n == 0) return on_read(c, net::error::eof, 0);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;  // reported again if still ready
  on_read(c, error_code(errno, boost::system::system_category()), 0);
}

void worker::stop() {
  net::post(ioc_, [this] {
    for (auto& c : conns_) {
      error_code ignored;
      c->socket.close(ignored);
      if (c->fd >= 0) ::close(c->fd);
      c->fd = -1;
    }
    ioc_.stop();
  });
  thread_.join();
}

void worker::connect_next() {
  if (next_connect_ >= conns_.size()) return;
  auto& c = *conns_[next_connect_++];
  ++connecting_;
  error_code ec;
  auto const address = net::ip::make_address(opt_.host, ec);
  if (ec) {
    fail(c, "bad --host (an IP address is needed)", true);
    return;
  }
  tcp::endpoint const server(address, opt_.port2 != 0 && c.index % 2 == 1 ? opt_.port2 : opt_.port);
  c.socket.open(server.protocol(), ec);
  if (!ec) {
    c.socket.set_option(tcp::no_delay(true), ec);
    if (address.is_v4() && address.to_v4().to_bytes()[0] == 127 && opt_.bind_range > 1) {
      // Bind the source address but let connect() pick the port, so each
      // source address has its own ~28k ephemeral ports.
      int one = 1;
      ::setsockopt(c.socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      auto const host_byte = static_cast<unsigned>(1 + c.index % opt_.bind_range);
      c.socket.bind(tcp::endpoint(net::ip::address_v4((127u << 24) | host_byte), 0), ec);
    }
  }
  if (ec) {
    fail(c, "socket setup failed", true);
    return;
  }
  c.st = connection::state::connecting;
  c.socket.async_connect(server, [this, &c](error_code e) { on_connected(c, e); });
}

void worker::on_connected(connection& c, error_code ec) {
  if (ec) {
    fail(c, "connect failed", true);
    return;
  }
  c.socket.non_blocking(true, ec);
  if (!ec) c.fd = c.socket.release(ec);  // from now on run_loop's (non-blocking stays set)
  if (ec) {
    fail(c, "socket setup failed", true);
    return;
  }
  c.st = connection::state::handshaking;
  watch(c, false);
  if (c.st == connection::state::closed) return;
  if (opt_.react_every > 0 && c.is_sender) {
    // One identity per sender (a change needs one): its token is the sender's index, padded to
    // the 22 base64url characters of a token whose last one carries no stray bits.
    std::string token = std::to_string(c.sender_index);
    token.insert(0, 21 - token.size(), 'L');
    token += 'A';
    std::string request = handshake_;
    request.insert(request.size() - 2, "Sec-WebSocket-Protocol: message.v1, id." + token + "\r\n");
    write(c, request);
    return;
  }
  write(c, handshake_);
}

void worker::mark_open(connection& c) {
  if (c.counted_open) return;
  c.counted_open = true;
  c.st = connection::state::open;
  --connecting_;
  opened.fetch_add(1, std::memory_order_relaxed);
  connect_next();
}

void worker::fail(connection& c, char const* why, bool is_error) {
  if (c.st == connection::state::closed) return;
  bool const was_open = c.counted_open;
  bool const was_connecting = !was_open && c.st != connection::state::idle;
  bool const first_idle = !was_open && c.st == connection::state::idle;
  c.st = connection::state::closed;
  error_code ignored;
  c.socket.close(ignored);
  if (c.fd >= 0) ::close(c.fd);  // which also takes it out of the epoll set
  c.fd = -1;
  if (was_open) {
    ++stats_.dropped;
    if (stats_.dropped <= 3) std::fprintf(stderr, "message_loadgen: client %zu closed: %s\n", c.index, why);
  } else {
    ++stats_.connect_failures;
    if (stats_.connect_failures <= 3)
      std::fprintf(stderr, "message_loadgen: client %zu could not open: %s\n", c.index, why);
    failed.fetch_add(1, std::memory_order_relaxed);
    if (was_connecting || first_idle) {
      --connecting_;
      net::post(ioc_, [this] { connect_next(); });  // posted: no recursion when every attempt fails at once
    }
  }
  if (is_error) ++stats_.errors;
}

void worker::on_read(connection& c, error_code ec, std::size_t n) {
  if (c.st == connection::state::closed) return;
  if (ec) {
    fail(c, ec == net::error::eof ? "server closed the connection" : "read failed", false);
    return;
  }
  std::uint64_t const now = now_ns();
  std::size_t const size = c.have + n;
  std::size_t consumed = 0;
  c.need = 0;
  if (c.st == connection::state::handshaking && !handle_handshake(c, consumed, size)) return;
  if (c.st != connection::state::handshaking)
    consumed += handle_frames(c, c.buf.data() + consumed, size - consumed, now);
  if (c.st == connection::state::closed) return;
  c.have = size - consumed;
  if (c.have > 0 && consumed > 0) std::memmove(c.buf.data(), c.buf.data() + consumed, c.have);
}

bool worker::handle_handshake(connection& c, std::size_t& consumed, std::size_t size) {
  std::string_view const in(c.buf.data(), size);
  std::size_t const end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (size > 16384) {
      fail(c, "upgrade response too long", true);
      return false;
    }
    return true;  // wait for more
  }
  if (in.substr(0, 12) != "HTTP/1.1 101") {
    std::size_t const eol = in.find("\r\n");
    std::string status(in.substr(0, eol));
    std::fprintf(stderr, "message_loadgen: upgrade refused: %s\n", status.c_str());
    fail(c, "upgrade refused", true);
    return false;
  }
  consumed = end + 4;
  c.st = connection::state::open;
  if (opt_.proto == proto_kind::plain) mark_open(c);  // no welcome frame in the original's protocol
  return true;
}

std::size_t worker::handle_frames(connection& c, char* data, std::size_t size, std::uint64_t now) {
  std::size_t pos = 0;
  while (pos < size) {
    ws::frame_header h;
    auto const r = ws::decode_header(std::string_view(data + pos, size - pos), h);
    if (r == ws::decode_result::need_more) break;
    if (r == ws::decode_result::bad_frame || h.masked || h.payload_size > (std::uint64_t{1} << 30)) {
      fail(c, "bad frame from the server", true);
      return size;
    }
    std::size_t const total = h.header_size + static_cast<std::size_t>(h.payload_size);
    if (size - pos < total) {
      c.need = total;  // the next read needs room for the whole frame
      break;
    }
    std::string_view const payload(data + pos + h.header_size, static_cast<std::size_t>(h.payload_size));
    switch (h.op) {
      case ws::opcode::text:
      case ws::opcode::continuation:
        if (h.op == ws::opcode::text && h.fin && c.fragments.empty()) {
          handle_payload(c, payload, now);
        } else {
          c.fragments.append(payload);
          if (h.fin) {
            std::string whole;
            whole.swap(c.fragments);
            handle_payload(c, whole, now);
          }
        }
        break;
      case ws::opcode::ping:
        send_frame(c, static_cast<int>(ws::opcode::pong), payload);
        break;
      case ws::opcode::pong:
        break;
      case ws::opcode::close: {
        if (payload.size() >= 2) {
          unsigned const code = (static_cast<unsigned>(static_cast<unsigned char>(payload[0])) << 8) |
                                static_cast<unsigned char>(payload[1]);
          ++stats_.error_codes["close_" + std::to_string(code)];
        }
        send_frame(c, static_cast<int>(ws::opcode::close), payload.substr(0, 2));
        fail(c, "close frame from the server", false);
        return size;
      }
      default:
        ++stats_.errors;
        ++stats_.error_codes["binary_frame"];
        break;
    }
    if (c.st == connection::state::closed) return size;
    pos += total;
  }
  return pos;
}

void worker::handle_payload(connection& c, std::string_view payload, std::uint64_t now) {
  ++stats_.frames;
  std::uint64_t const before = c.received;
  while (!payload.empty()) {
    std::size_t const nl = payload.find('\n');
    std::string_view const line = payload.substr(0, nl);
    if (!line.empty()) handle_line(c, line, now);
    if (nl == std::string_view::npos) break;
    payload.remove_prefix(nl + 1);
  }
  if (c.received != before) received.fetch_add(c.received - before, std::memory_order_relaxed);
}

void worker::handle_line(connection& c, std::string_view line, std::uint64_t now) {
  line_fields const f = scan_line(line);
  if (!f.type.empty() && f.type != "message") {
    // A change event is a row of the room like a message (S2R): one more delivery to count.
    if (f.type == "react" || f.type == "edit" || f.type == "delete") {
      if (now >= plan_.measure_start_ns && now < plan_.measure_end_ns) ++stats_.changes_measured;
    } else if (f.type == "welcome") {
      c.have_seq = f.has_seq;
      c.last_seq = f.seq;
      mark_open(c);
    } else if (f.type == "error") {
      ++stats_.errors;
      ++stats_.error_codes[std::string(f.code.empty() ? "error" : f.code)];
      if (line.find(plan_.run_id) != std::string_view::npos) {
        ++stats_.rejected;
        rejected.fetch_add(1, std::memory_order_relaxed);
        if (c.is_sender && c.in_flight > 0) --c.in_flight;
      }
      if (stats_.errors <= 3)
        std::fprintf(stderr, "message_loadgen: error frame: %.*s\n", static_cast<int>(line.size()),
                     line.data());
    }
    return;  // ack, presence, join, leave, typing, ...: not counted
  }
  if (!f.has_stamp) {
    ++stats_.foreign;
    return;
  }
  ++c.received;
  ++stats_.received;
  if (f.has_seq) {
    if (c.have_seq) {
      if (f.seq <= c.last_seq)
        ++stats_.order_violations;
      else
        stats_.seq_gaps += f.seq - c.last_seq - 1;
    }
    if (!c.have_seq || f.seq > c.last_seq) c.last_seq = f.seq;
    c.have_seq = true;
  }
  if (f.sender < c.last_number.size()) {
    std::uint64_t& last = c.last_number[f.sender];
    if (f.number <= last)
      ++stats_.order_violations;
    else {
      stats_.sender_gaps += f.number - last - 1;
      last = f.number;
    }
  }
  if (now >= plan_.measure_start_ns && now < plan_.measure_end_ns) {
    ++stats_.measured;
    stats_.latency.record(now > f.sent_ns ? now - f.sent_ns : 0);
  }
  if (c.is_sender && f.sender == c.sender_index) {
    if (c.in_flight > 0) --c.in_flight;
    if (opt_.react_every > 0 && f.has_seq && f.number % opt_.react_every == 0 && sending_ &&
        now < plan_.measure_end_ns)
      send_reaction(c, f.seq);
    if (sending_ && opt_.rate <= 0 && now < plan_.measure_end_ns) send_message(c, now);
  }
}

void worker::send_message(connection& c, std::uint64_t now) {
  if (c.st != connection::state::open) return;
  ++c.number;
  char stamp[64];
  std::size_t const stamp_len = write_stamp(stamp, now, c.sender_index, c.number);
  std::size_t const pad = opt_.size > stamp_len ? opt_.size - stamp_len : 0;
  scratch_.clear();
  if (opt_.proto == proto_kind::message) {
    scratch_ += R"({"type":"send","id":")";
    scratch_ += plan_.run_id;
    scratch_ += '-';
    scratch_ += std::to_string(c.sender_index);
    scratch_ += '-';
    scratch_ += std::to_string(c.number);
    scratch_ += R"(","username":"u)";
  } else {
    scratch_ += R"({"username":"u)";
  }
  scratch_ += std::to_string(c.sender_index);
  scratch_ += R"(","message":")";
  scratch_.append(stamp, stamp_len);
  scratch_.append(pad, 'x');
  scratch_ += "\"}";
  send_frame(c, static_cast<int>(ws::opcode::text), scratch_);
  ++c.in_flight;
  sent.fetch_add(1, std::memory_order_relaxed);
}

void worker::send_reaction(connection& c, std::uint64_t seq) {
  if (c.st != connection::state::open) return;
  // The id leaves out the run id: a refused reaction is an error, never a rejected message.
  static constexpr std::string_view emoji[] = {"👍", "❤️", "😂", "🎉"};
  scratch_.clear();
  scratch_ += R"({"type":"react","id":"react-)";
  scratch_ += std::to_string(c.sender_index);
  scratch_ += '-';
  scratch_ += std::to_string(seq);
  scratch_ += R"(","target":)";
  scratch_ += std::to_string(seq);
  scratch_ += R"(,"emoji":")";
  scratch_ += emoji[seq % std::size(emoji)];
  scratch_ += "\"}";
  send_frame(c, static_cast<int>(ws::opcode::text), scratch_);
}

void worker::send_frame(connection& c, int op, std::string_view payload) {
  frame_.clear();
  ws::append_masked_frame(frame_, static_cast<ws::opcode>(op), payload, c.mask);
  write(c, frame_);
}

void worker::write(connection& c, std::string_view bytes) {
  if (!c.out.empty()) {
    c.out.append(bytes);  // a wait for writability is pending
    return;
  }
  std::size_t n = 0;
  if (!send_some(c, bytes, n)) return;
  if (n < bytes.size()) {
    c.out.assign(bytes.substr(n));
    watch(c, true);
  }
}

bool worker::send_some(connection& c, std::string_view bytes, std::size_t& sent_bytes) {
  ssize_t const n = ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n >= 0) {
    sent_bytes = static_cast<std::size_t>(n);
    return true;
  }
  sent_bytes = 0;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
  fail(c, "write failed", false);
  return false;
}

void worker::on_writable(connection& c) {
  if (c.st == connection::state::closed) return;
  std::size_t n = 0;
  if (!send_some(c, c.out, n)) return;
  c.out.erase(0, n);
  if (c.out.empty()) watch(c, false);
}

void worker::begin_sending() {
  net::post(ioc_, [this] {
    auto const delay = [](std::uint64_t at) {
      std::uint64_t const now = now_ns();
      return std::chrono::nanoseconds(at > now ? at - now : 0);
    };
    stop_timer_.expires_after(delay(plan_.measure_end_ns));
    stop_timer_.async_wait([this](error_code ec) {
      if (!ec) stop_sending();
    });
    if (senders_.empty() || opt_.idle) {
      return;
    }
    sending_ = true;
    if (opt_.rate > 0) {
      rate_share_ = opt_.rate * static_cast<double>(senders_.size()) / static_cast<double>(opt_.senders);
      rate_timer_.expires_after(delay(plan_.start_ns));
      rate_timer_.async_wait([this](error_code ec) {
        if (!ec) on_rate_tick();
      });
      return;
    }
    std::uint64_t const now = now_ns();
    for (auto* c : senders_)
      for (std::size_t i = 0; i < opt_.window; ++i) send_message(*c, now);
  });
}

void worker::on_rate_tick() {
  if (!sending_) return;
  std::uint64_t const now = now_ns();
  double const elapsed = static_cast<double>(now - plan_.start_ns) * 1e-9;
  auto const due = static_cast<std::uint64_t>(elapsed * rate_share_) + 1;
  std::size_t attempts = 0;
  while (rate_sent_ < due && attempts < senders_.size() * 1000) {
    auto& c = *senders_[rate_next_++ % senders_.size()];
    ++attempts;
    if (c.st != connection::state::open) continue;
    send_message(c, now);
    ++rate_sent_;
  }
  // Tick often enough for the rate: at most 1 ms, at least 20 µs apart.
  double const gap = std::clamp(1.0 / rate_share_, 20e-6, 1e-3);
  rate_timer_.expires_after(std::chrono::nanoseconds(static_cast<std::int64_t>(gap * 1e9)));
  rate_timer_.async_wait([this](error_code ec) {
    if (!ec) on_rate_tick();
  });
}

void worker::stop_sending() {
  sending_ = false;
  rate_timer_.cancel();
  sending_done.store(true, std::memory_order_release);
}

void worker::count_loss(std::uint64_t expected, std::uint64_t& lost, std::uint64_t& extra) const {
  for (auto const& c : conns_) {
    if (!c->counted_open) continue;
    if (c->received < expected)
      lost += expected - c->received;
    else
      extra += c->received - expected;
  }
}

}  // namespace loadgen
