// `message tail`: a room's recent messages, and with -f the live ones, resumed with `since`
// across dropped connections so that nothing is missed or printed twice.
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <deque>
#include <optional>

#include "client/common_options.hpp"
#include "client/event_lines.hpp"
#include "client/message_format.hpp"
#include "client/subcommands.hpp"
#include "client_transport/private_descriptor.hpp"
#include "client_transport/reconnecting_session.hpp"
#include "protocol/client_codec.hpp"

namespace message::client {

namespace {

struct tail_options {
  common_options common;
  bool follow = false;
  std::size_t count = 10;
  std::optional<std::uint64_t> since;
  bool json = false;
};

/// One run of `tail`. Prints message seqs strictly rising: the session's position is the last
/// printed (or, before any, where the room stood), and every (re)connection resumes after it.
/// One thread.
class tail_run {
 public:
  tail_run(tail_options o, connection_settings settings)
      : o_(std::move(o)),
        session_(ioc_, std::move(settings), reconnect_policy{o_.follow, true, std::nullopt},
                 reconnecting_session::handlers{[this](protocol::server_event& e) { on_event(e); },
                                                {},
                                                [this](const connection_end& e) { on_retrying(e); },
                                                [this](const connection_end& e) { on_end(e); }}),
        colour_(!o_.json && ::isatty(1) == 1),
        events_(colour_) {}

  int run() {
    watch_stdout();
    if (o_.since) session_.set_position(*o_.since);
    session_.start(o_.common.room, {});
    ioc_.run();
    return code_;
  }

 private:
  void on_event(protocol::server_event& event) {
    if (auto* w = std::get_if<protocol::welcome_event>(&event)) {
      history_limit_ = std::max<std::size_t>(1, w->limits.history_limit);
      if (!session_.position()) {
        // The live stream of this connection starts right after w->seq (docs/protocol.md):
        // the last -n before it come from history.
        session_.set_position(w->seq);
        history_before_ = w->seq + 1;
        if (o_.count > 0 && w->seq > 0) {
          request_history();
        } else {
          replay_done();
        }
      } else if (history_before_ && collecting_) {
        request_history();  // A reconnect in the middle of reading history: ask again.
      }
    } else if (auto* h = std::get_if<protocol::history_event>(&event)) {
      on_history(*h);
    } else if (auto* m = std::get_if<protocol::message_event>(&event)) {
      if (collecting_) {
        live_.push_back(std::move(*m));
      } else {
        print(*m);
      }
    } else if (auto* g = std::get_if<protocol::gap_event>(&event)) {
      print_gap(*g);
    } else if (auto* r = std::get_if<protocol::reset_event>(&event)) {
      on_reset(*r);
    } else if (std::holds_alternative<protocol::subscribed_event>(event)) {
      replay_done();
    } else if (auto* e = std::get_if<protocol::error_event>(&event)) {
      complain("the server says: " + e->message + " (" + e->code + ")");
    } else if (event_lines::printed(event) && o_.follow && !finished_) {
      // join, leave, rename, an invitation: one line each when following (they have no seq
      // and no history: without -f they would be whatever happened in the moment of reading).
      auto line =
          o_.json ? std::optional<std::string>(wire_of(event)) : events_.line(event, std::time(nullptr));
      // While the recent messages are still being read, the event waits to print after them.
      if (line && collecting_) {
        held_events_.push_back(std::move(*line));
      } else if (line) {
        write_line(std::move(*line));
      }
    }
    events_.saw(event);
  }

  static std::string wire_of(const protocol::server_event& e) {
    return std::visit(
        [](const auto& v) -> std::string {
          if constexpr (requires { v.wire; })
            return v.wire;
          else
            return {};
        },
        e);
  }

  /// The room's history was replaced (a restored backup, a Redis that lost its data): the seqs
  /// printed so far name other messages there. Said once, then the new history's live ones.
  void on_reset(const protocol::reset_event& r) {
    if (r.room != o_.common.room) return;  // The session took the new epoch and position.
    gap_said_ = 0;
    if (!finished_) write_line(o_.json ? r.wire : format_reset(r.seq));
  }

  void request_history() {
    collecting_ = true;
    const auto want = o_.count - older_.size();
    protocol::history_command h;
    h.before = older_.empty() ? *history_before_ : older_.front().message.seq;
    h.limit = std::min(want, history_limit_);
    session_.send(protocol::encode_history_request(h));
  }

  void on_history(const protocol::history_event& h) {
    if (!collecting_) return;
    older_.insert(older_.begin(), h.messages.begin(), h.messages.end());
    if (h.more && older_.size() < o_.count && !h.messages.empty()) return request_history();
    collecting_ = false;
    while (older_.size() > o_.count) older_.pop_front();
    const auto before = *history_before_;
    session_.set_position(0);
    for (const auto& m : older_) print(m);
    session_.set_position(std::max(*session_.position(), before - 1));
    older_.clear();
    for (const auto& m : live_) print(m);
    live_.clear();
    for (auto& line : held_events_)
      if (!finished_) write_line(std::move(line));
    held_events_.clear();
    replay_done();
  }

  /// What was asked for before the live ones is printed: without -f, that is the end.
  void replay_done() {
    if (collecting_ || o_.follow || finished_) return;
    finish();
  }

  void finish() {
    finished_ = true;
    session_.close();
  }

  void print(const protocol::message_event& e) {
    const auto& m = e.message;
    if (finished_ || !session_.advance(m.seq)) return;
    write_line(o_.json ? e.wire : format_message(m, colour_));
  }

  /// A hole the server cannot fill (retention, a salvaged journal, a `since` past its history):
  /// said in its place, once; a reconnect's replay does not repeat it, as the messages after it
  /// are skipped by seq.
  void print_gap(const protocol::gap_event& g) {
    if (finished_ || g.to <= gap_said_) return;
    gap_said_ = g.to;
    write_line(o_.json ? g.wire : format_gap(g.from, g.to));
  }

  void write_line(std::string out) {
    out += '\n';
    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
      // The reader went away (`| head -1`): that ends us, quietly.
      finish();
    }
  }

  /// `tail -f | head -1`: head is gone after one line, and -f may print nothing for hours.
  /// A pipe whose reader closed reports an error to poll at once, so the reader's exit ends
  /// us then, quietly, not at the next message.
  void watch_stdout() {
    struct stat st {};
    if (::fstat(1, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return;
    const int dup = private_descriptor(1, true);
    if (dup < 0) return;
    stdout_watch_ = std::make_unique<net::posix::stream_descriptor>(ioc_, dup);
    wait_stdout_error();
  }

  void wait_stdout_error() {
    stdout_watch_->async_wait(net::posix::stream_descriptor::wait_error,
                              [this](boost::system::error_code ec) {
                                if (ec) return;
                                // The reactor may wake the wait for other events: only an error on the pipe
                                // counts.
                                pollfd p{stdout_watch_->native_handle(), POLLOUT, 0};
                                if (::poll(&p, 1, 0) != 1 || !(p.revents & POLLERR))
                                  return wait_stdout_error();
                                finish();
                              });
  }

  void on_retrying(const connection_end& e) { complain(e.detail + "; reconnecting"); }

  void on_end(const connection_end& e) {
    if (stdout_watch_) stdout_watch_->cancel();
    if (e.kind == end_kind::closed_by_us || finished_) return;
    complain(e.detail);
    code_ = exit_for(e.kind);
  }

  tail_options o_;
  net::io_context ioc_;
  reconnecting_session session_;
  std::unique_ptr<net::posix::stream_descriptor> stdout_watch_;
  std::uint64_t gap_said_ = 0;  // The end of the last gap printed.
  std::optional<std::uint64_t> history_before_;
  std::deque<protocol::message_event> older_;
  std::vector<protocol::message_event> live_;
  std::vector<std::string> held_events_;  // Event lines that came while collecting_.
  std::size_t history_limit_ = 200;
  bool collecting_ = false;
  bool finished_ = false;
  bool colour_;
  event_lines events_;
  int code_ = exit_ok;
};

}  // namespace

int run_tail(int argc, char** argv) {
  CLI::App app{"Print a room's recent messages; with -f, follow it live", "message tail"};
  tail_options o;
  add_common_options(app, o.common);
  app.add_flag("-f,--follow", o.follow, "Keep printing new messages (reconnects and resumes by itself)");
  app.add_option("-n,--lines", o.count, "How many recent messages to print first (default 10)");
  app.add_option("--since", o.since, "Print every message after this seq instead of the last -n");
  app.add_flag("--json", o.json, "One wire object (docs/protocol.md) per line");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  auto settings = resolve_settings(o.common);
  if (!settings) return exit_usage;
  return tail_run(std::move(o), std::move(*settings)).run();
}

}  // namespace message::client
