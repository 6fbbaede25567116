// `message send`: each line of stdin (or TEXT, or all of stdin with --whole) as a message,
// each with an id, paced to the server's announced rate, every one waited for until acked.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <set>

#include "client/common_options.hpp"
#include "client/outbox.hpp"
#include "client/resume_file.hpp"
#include "client/subcommands.hpp"
#include "client_transport/reconnecting_session.hpp"
#include "client_transport/stdin_lines.hpp"
#include "protocol/client_codec.hpp"
#include "protocol/validate.hpp"

namespace message::client {

namespace {

struct send_options {
  common_options common;
  std::string name;
  std::vector<std::string> text;
  bool whole = false;
  std::string resume_from;
};

/// One run of `send`: owns the loop, the session (its connection remade after a drop), the
/// outbox and the input. Everything runs on one thread.
class send_run {
 public:
  send_run(send_options o, connection_settings settings)
      : o_(std::move(o)),
        client_limits_(settings.limits),
        outbox_(settings.limits),
        pace_timer_(ioc_),
        // A server never reached is an answer for the script at once (exit 3); one that
        // dropped mid-send may be restarting, and the ids make the resend safe.
        session_(ioc_, std::move(settings), reconnect_policy{true, false, client_limits_.send_give_up},
                 reconnecting_session::handlers{[this](protocol::server_event& e) { on_event(e); },
                                                [this] { on_down(); },
                                                {},
                                                [this](const connection_end& e) { on_end(e); }}),
        progress_(::isatty(2) == 1) {}

  int run() {
    if (!o_.resume_from.empty()) {
      try {
        resume_.emplace(o_.resume_from);
      } catch (const std::exception& e) {
        complain(e.what());
        return exit_usage;
      }
      run_id_ = resume_->run_id();
    } else {
      run_id_ = new_run_id();
    }
    const bool from_stdin = o_.text.empty() || (o_.text.size() == 1 && o_.text[0] == "-");
    if (from_stdin) {
      input_ = std::make_unique<stdin_lines>(
          ioc_, 0,
          stdin_lines::handlers{[this](std::string line) { on_input(std::move(line)); },
                                [this] { on_eof(); }});
      input_->read_more();
    } else {
      std::string all;
      for (const auto& t : o_.text) all += (all.empty() ? "" : " ") + t;
      on_input(std::move(all));
      input_done_ = true;
    }
    session_.start(o_.common.room, {});
    ioc_.run();
    clear_progress();
    if (code_ == exit_ok && refused_ > 0) code_ = exit_refused;
    if (code_ == exit_ok && resume_) resume_->finish();
    return code_;
  }

 private:
  // --- input ------------------------------------------------------------------------

  void on_input(std::string line) {
    ++lines_;
    if (o_.whole) {
      whole_ += (lines_ > 1 ? "\n" : "") + line;
      return;
    }
    add(lines_, std::move(line));
  }

  void on_eof() {
    if (o_.whole && lines_ > 0) add(1, std::move(whole_));
    input_done_ = true;
    pump();
  }

  /// A line of input on its way: empty ones are skipped (the server refuses them), the ones
  /// a resumed run already delivered are not sent again, the rest wait for the limits.
  void add(std::uint64_t number, std::string text) {
    ++total_;
    if (text.empty() || (resume_ && number <= resume_->acked())) {
      mark_done(number);
      return;
    }
    held_.push_back(outbox::item{line_id(run_id_, number, text), std::move(text), o_.name, number, {}});
    if (limits_) release_held();
  }

  /// Checks the held lines against the server's limits and gives the good ones to the outbox.
  void release_held() {
    for (auto& m : held_) {
      if (!protocol::is_valid_utf8(m.text)) {
        refuse(m.number, "it is not valid UTF-8 text");
        continue;
      }
      if (protocol::count_code_points(m.text) > limits_->max_message_chars) {
        refuse(m.number, "it is longer than the server's limit of " +
                             std::to_string(limits_->max_message_chars) + " characters");
        continue;
      }
      outbox_.push(std::move(m));
    }
    held_.clear();
  }

  void refuse(std::uint64_t number, const std::string& why) {
    ++refused_;
    clear_progress();
    complain(o_.whole ? "the message was refused: " + why
                      : "line " + std::to_string(number) + " was refused: " + why);
  }

  // --- connection -----------------------------------------------------------------------

  void on_event(protocol::server_event& event) {
    const auto now = outbox::clock::now();
    if (auto* w = std::get_if<protocol::welcome_event>(&event)) {
      limits_ = w->limits;
      outbox_.connected(w->limits, now);
      release_held();
      pump();
    } else if (auto* a = std::get_if<protocol::ack_event>(&event)) {
      if (auto o = outbox_.on_ack(*a)) {
        mark_done(o->message.number);
        ++acked_;
      }
      pump();
    } else if (auto* e = std::get_if<protocol::error_event>(&event)) {
      if (auto o = outbox_.on_error(*e, now)) {
        refuse(o->message.number, e->message + " (" + e->code + ")");
      } else if (e->id.empty()) {
        clear_progress();
        complain("the server says: " + e->message + " (" + e->code + ")");
      }
      pump();
    }
  }

  void on_down() {
    pace_timer_.cancel();
    outbox_.disconnected();
  }

  void on_end(const connection_end& e) {
    finished_ = true;
    if (e.kind == end_kind::closed_by_us) return;
    clear_progress();
    complain(e.detail);
    code_ = exit_for(e.kind);
    input_.reset();  // Stop reading: nothing more can be sent.
  }

  // --- sending --------------------------------------------------------------------------

  void pump() {
    if (input_ && !input_done_ && !input_->reading() &&
        outbox_.waiting() + held_.size() < 4 * client_limits_.send_window)
      input_->read_more();
    if (session_.online() && limits_) {
      std::optional<outbox::clock::time_point> next;
      for (auto& m : outbox_.take_ready(outbox::clock::now(), next))
        session_.send(protocol::encode_send({m.id, m.username, m.text, std::nullopt, 0, std::nullopt}));
      if (next) {
        pace_timer_.expires_at(*next);
        pace_timer_.async_wait([this](boost::system::error_code ec) {
          if (!ec) pump();
        });
      }
    }
    show_progress();
    if (input_done_ && outbox_.empty() && held_.empty() && !finished_) {
      session_.close();
      input_.reset();
    }
  }

  /// Records line `number` as finished and, with --resume-from, how far every line is.
  void mark_done(std::uint64_t number) {
    done_.insert(number);
    auto contiguous = resume_ ? resume_->acked() : 0;
    while (done_.contains(contiguous + 1)) done_.erase(++contiguous);
    if (resume_) {
      try {
        resume_->set_acked(contiguous);
      } catch (const std::exception& e) {
        complain(e.what());
      }
    }
  }

  // --- progress on a terminal -----------------------------------------------------------

  void show_progress() {
    if (!progress_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - shown_at_ < std::chrono::milliseconds(100) && !(input_done_ && outbox_.empty())) return;
    shown_at_ = now;
    std::string text = "\rmessage: " + std::to_string(acked_) + " sent";
    if (input_done_) text += " of " + std::to_string(acked_ + outbox_.waiting() + held_.size());
    text += ", " + std::to_string(outbox_.waiting()) + " waiting\033[K";
    std::fputs(text.c_str(), stderr);
    shown_ = true;
  }

  void clear_progress() {
    if (!shown_) return;
    std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

  send_options o_;
  client_limits client_limits_;
  net::io_context ioc_;
  outbox outbox_;
  net::steady_timer pace_timer_;
  reconnecting_session session_;
  std::unique_ptr<stdin_lines> input_;
  std::optional<resume_file> resume_;
  std::optional<protocol::server_limits> limits_;
  std::vector<outbox::item> held_;
  std::set<std::uint64_t> done_;
  std::string run_id_;
  std::string whole_;
  std::uint64_t lines_ = 0;
  std::uint64_t total_ = 0;
  std::uint64_t acked_ = 0;
  std::uint64_t refused_ = 0;
  bool input_done_ = false;
  bool finished_ = false;  // The session ended.
  bool progress_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point shown_at_{};
  int code_ = exit_ok;
};

}  // namespace

int run_send(int argc, char** argv) {
  CLI::App app{"Send TEXT, or each line of stdin, as messages; exit 0 once every one is acknowledged",
               "message send"};
  send_options o;
  add_common_options(app, o.common);
  app.add_option("--name", o.name, "Name shown with the messages (default $MESSAGE_NAME or $USER)");
  app.add_flag("--whole", o.whole, "Send all of stdin as one message");
  app.add_option("--resume-from", o.resume_from,
                 "Progress file: sending the same input again with it never duplicates a message");
  app.add_option("text", o.text, "The message (- or nothing: read stdin)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  if (o.name.empty()) o.name = default_name();
  if (!o.text.empty() && o.whole) {
    complain("--whole reads stdin: give no TEXT with it");
    return exit_usage;
  }
  auto settings = resolve_settings(o.common);
  if (!settings) return exit_usage;
  return send_run(std::move(o), std::move(*settings)).run();
}

}  // namespace message::client
