#include "redis/async_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

#include <fmt/format.h>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace message::redis {

namespace {
/// A connect that takes longer counts as failed (hiredis 0.14 async has no connect timeout).
constexpr auto connect_timeout = std::chrono::milliseconds(2000);
/// Reconnect back-off: from the first value, doubling, up to the last.
constexpr auto first_backoff = std::chrono::milliseconds(100);
constexpr auto max_backoff = std::chrono::milliseconds(5000);
}  // namespace

/// The Asio adapter: hiredis asks for read/write readiness through the ev hooks; each becomes
/// an async_wait on the socket, and readiness calls redisAsyncHandleRead/Write. It lives while
/// a wait is pending or hiredis holds it (until cleanup), so a context freed from inside a
/// handler never leaves a dangling pointer behind.
class async_connection::watcher : public std::enable_shared_from_this<watcher> {
 public:
  watcher(net::io_context& io, redisAsyncContext* ac) : socket_(io, ac->c.fd), ac_(ac) {}

  static void attach(net::io_context& io, redisAsyncContext* ac) {
    auto w = std::make_shared<watcher>(io, ac);
    w->self_ = w;
    ac->ev.data = w.get();
    ac->ev.addRead = [](void* p) { static_cast<watcher*>(p)->want(true, true); };
    ac->ev.delRead = [](void* p) { static_cast<watcher*>(p)->want(true, false); };
    ac->ev.addWrite = [](void* p) { static_cast<watcher*>(p)->want(false, true); };
    ac->ev.delWrite = [](void* p) { static_cast<watcher*>(p)->want(false, false); };
    ac->ev.cleanup = [](void* p) { static_cast<watcher*>(p)->cleanup(); };
  }

 private:
  void want(bool read, bool on) {
    (read ? want_read_ : want_write_) = on;
    if (on) arm(read);
  }

  void arm(bool read) {
    bool& busy = read ? reading_ : writing_;
    if (busy || !ac_) return;
    busy = true;
    socket_.async_wait(
        read ? net::posix::stream_descriptor::wait_read : net::posix::stream_descriptor::wait_write,
        [self = shared_from_this(), read](const boost::system::error_code& ec) {
          (read ? self->reading_ : self->writing_) = false;
          if (ec || !self->ac_) return;
          if (read ? self->want_read_ : self->want_write_) {
            // May free the context: cleanup() then clears ac_.
            if (read) {
              redisAsyncHandleRead(self->ac_);
            } else {
              redisAsyncHandleWrite(self->ac_);
            }
          }
          if (self->ac_ && (read ? self->want_read_ : self->want_write_)) self->arm(read);
        });
  }

  void cleanup() {
    ac_ = nullptr;
    want_read_ = want_write_ = false;
    // hiredis closes the socket itself: give it back without closing; pending waits end
    // with operation_aborted.
    if (socket_.is_open()) socket_.release();
    auto keep = std::move(self_);  // Freed when the last pending wait is done.
  }

  net::posix::stream_descriptor socket_;
  redisAsyncContext* ac_;
  bool want_read_ = false;
  bool want_write_ = false;
  bool reading_ = false;
  bool writing_ = false;
  std::shared_ptr<watcher> self_;
};

async_connection::async_connection(net::io_context& io, redis_endpoint where, callbacks cbs)
    : io_(io), where_(std::move(where)), cbs_(std::move(cbs)), timer_(io) {}

async_connection::~async_connection() { close(); }

void async_connection::start() {
  if (state_ == state::idle) do_connect();
}

void async_connection::close() {
  if (state_ == state::closed) return;
  state_ = state::closed;
  timer_.cancel();
  if (ac_) {
    redisAsyncContext* ac = ac_;
    ac_ = nullptr;
    redisAsyncFree(ac);  // Pending handlers get nullptr; on_disconnect sees state closed.
  }
}

void async_connection::do_connect() {
  state_ = state::connecting;
  refusal_.clear();
  redisAsyncContext* ac = redisAsyncConnect(where_.host.c_str(), where_.port);
  if (!ac) {
    failed("out of memory");
    return;
  }
  if (ac->err) {
    const std::string why = ac->errstr;
    redisAsyncFree(ac);
    failed(why);
    return;
  }
  ac->data = this;
  ac_ = ac;
  watcher::attach(io_, ac);
  redisAsyncSetDisconnectCallback(ac, &on_disconnect);
  redisAsyncSetConnectCallback(ac, &on_connect);  // Arms the first write wait: attach first.
  timer_.expires_after(connect_timeout);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || state_ != state::connecting || !ac_) return;
    redisAsyncContext* stuck = ac_;
    ac_ = nullptr;
    stuck->data = nullptr;
    redisAsyncFree(stuck);
    failed(fmt::format("{}: connect timed out", where_.describe()));
  });
}

void async_connection::on_connect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<async_connection*>(ac->data);
  if (!self || self->state_ != state::connecting) return;
  if (status != REDIS_OK) {
    const std::string why = fmt::format("{}: {}", self->where_.describe(), ac->errstr);
    self->ac_ = nullptr;  // hiredis frees it when this returns.
    self->failed(why);
    return;
  }
  self->timer_.cancel();
  redisEnableKeepAlive(const_cast<redisContext*>(&ac->c));
  self->handshake();
}

void async_connection::on_disconnect(const redisAsyncContext* ac, int /*status*/) {
  auto* self = static_cast<async_connection*>(ac->data);
  if (!self) return;
  self->ac_ = nullptr;  // hiredis frees it when this returns.
  if (self->state_ == state::closed) return;
  std::string why = !self->refusal_.empty() ? self->refusal_
                    : ac->errstr[0]         ? fmt::format("{}: {}", self->where_.describe(), ac->errstr)
                                            : fmt::format("{}: connection closed", self->where_.describe());
  self->failed(why);
}

void async_connection::handshake() {
  state_ = state::handshaking;
  std::vector<std::vector<std::string>> steps;
  if (!where_.password.empty()) steps.push_back({"AUTH", where_.password});
  if (where_.db != 0) steps.push_back({"SELECT", std::to_string(where_.db)});
  steps.push_back({"PING"});  // A Redis still loading its AOF answers LOADING: not ready yet.
  auto remaining = std::make_shared<std::size_t>(steps.size());
  for (const auto& step : steps) {
    send(step, [this, remaining, name = step[0]](const redisReply* r) {
      if (!r || state_ != state::handshaking) return;
      if (r->type == REDIS_REPLY_ERROR) {
        if (refusal_.empty() && ac_) {
          refusal_ = fmt::format("{} refused {}: {}", where_.describe(), name, std::string(r->str, r->len));
          redisAsyncDisconnect(ac_);
        }
        return;
      }
      if (--*remaining == 0) {
        state_ = state::ready;
        backoff_ = std::chrono::milliseconds(0);
        if (cbs_.on_ready) cbs_.on_ready();
      }
    });
  }
}

void async_connection::failed(const std::string& why) {
  if (state_ == state::closed) return;
  state_ = state::idle;
  if (cbs_.on_lost) cbs_.on_lost(why);
  backoff_ = std::clamp(backoff_ * 2, std::chrono::milliseconds(first_backoff),
                        std::chrono::milliseconds(max_backoff));
  timer_.expires_after(backoff_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && state_ == state::idle) do_connect();
  });
}

void async_connection::command(const std::vector<std::string>& argv, reply_handler done) {
  if (state_ != state::ready) {
    if (done) done(nullptr);
    return;
  }
  send(argv, std::move(done));
}

void async_connection::send(const std::vector<std::string>& argv, reply_handler done) {
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* handler = new reply_handler(std::move(done));
  if (!ac_ || redisAsyncCommandArgv(ac_, &on_reply, handler, static_cast<int>(args.size()), args.data(),
                                    lens.data()) != REDIS_OK) {
    std::unique_ptr<reply_handler> owned(handler);
    if (*owned) (*owned)(nullptr);
  }
}

void async_connection::subscribe(const std::string& channel) {
  if (state_ != state::ready || !ac_) return;
  const char* args[] = {"SUBSCRIBE", channel.data()};
  const std::size_t lens[] = {9, channel.size()};
  redisAsyncCommandArgv(ac_, &on_push_reply, nullptr, 2, args, lens);
}

void async_connection::on_reply(redisAsyncContext*, void* reply, void* privdata) {
  std::unique_ptr<reply_handler> done(static_cast<reply_handler*>(privdata));
  if (*done) (*done)(static_cast<const redisReply*>(reply));
}

void async_connection::on_push_reply(redisAsyncContext* ac, void* reply, void*) {
  auto* self = static_cast<async_connection*>(ac->data);
  if (!self || !reply || self->state_ == state::closed || !self->cbs_.on_push) return;
  self->cbs_.on_push(*static_cast<const redisReply*>(reply));
}

}  // namespace message::redis
