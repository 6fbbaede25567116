// `message chat`: messages above, a prompt below; /join, /who, /me, /quit. What is typed goes
// through the outbox, so it is kept across a dropped connection and shown as pending until
// the server acknowledges it.
#include <algorithm>
#include <csignal>
#include <ctime>
#include <map>
#include <optional>

#include "client/common_options.hpp"
#include "client/event_lines.hpp"
#include "client/message_format.hpp"
#include "client/outbox.hpp"
#include "client/resume_file.hpp"
#include "client/subcommands.hpp"
#include "client_transport/chat_screen.hpp"
#include "client_transport/reconnecting_session.hpp"
#include "protocol/client_codec.hpp"
#include "protocol/validate.hpp"

namespace message::client {

namespace {

/// Messages shown when entering a room.
constexpr std::size_t recent_on_join = 20;

struct chat_options {
  common_options common;
  std::string name;
};

/// One `chat` session: the screen, the session (its connection remade after a drop or a
/// /join) and the outbox. One thread.
class chat_run {
 public:
  chat_run(chat_options o, connection_settings settings)
      : o_(std::move(o)),
        room_(o_.common.room),
        outbox_(settings.limits),
        screen_(ioc_, chat_screen::handlers{[this](std::string line) { on_typed(std::move(line)); },
                                            [this] { end_of_input(); }}),
        pace_timer_(ioc_),
        signals_(ioc_, SIGINT, SIGTERM),
        session_(ioc_, std::move(settings), reconnect_policy{},
                 reconnecting_session::handlers{[this](protocol::server_event& e) { on_event(e); },
                                                [this] { on_down(); },
                                                [this](const connection_end& e) { on_retrying(e); },
                                                [this](const connection_end& e) { on_end(e); }}),
        events_(screen_.interactive()),
        run_id_(new_run_id()) {}

  int run() {
    // Ctrl-C or a kill ends the session like /quit: libedit must give the terminal back as it
    // found it (raw mode left behind would break the shell).
    signals_.async_wait([this](boost::system::error_code ec, int) {
      if (!ec) quit();
    });
    screen_.start(prompt());
    session_.start(room_, o_.name);
    ioc_.run();
    screen_.stop();
    if (!outbox_.empty())
      complain(std::to_string(outbox_.waiting()) +
               " message(s) were not acknowledged and may not have been sent");
    return code_;
  }

 private:
  std::string prompt() const {
    std::string p;
    if (const auto n = outbox_.waiting(); n > 0) p += "(" + std::to_string(n) + " pending) ";
    if (!session_.online()) p += "(offline) ";
    return p + room_ + "> ";
  }
  void refresh_prompt() { screen_.set_prompt(prompt()); }
  void say(const std::string& text) { screen_.print(text); }

  // --- typing -----------------------------------------------------------------------------

  void on_typed(std::string line) {
    if (line.empty()) return;
    if (line.starts_with('/')) return command(line);
    post(std::move(line));
  }

  void command(const std::string& line) {
    const auto space = line.find(' ');
    const auto verb = line.substr(0, space);
    const auto arg = space == std::string::npos ? std::string() : line.substr(space + 1);
    if (verb == "/quit" || verb == "/q") return quit();
    if (verb == "/who") {
      std::string names;
      for (const auto& u : users_)
        names += (names.empty() ? "" : ", ") + coloured_name(u.username, screen_.interactive());
      return say("-- in " + room_ + ": " + (names.empty() ? "nobody with a name" : names));
    }
    if (verb == "/me") {
      if (arg.empty()) return say("-- /me ACTION: says what you do (\"/me waves\")");
      return post("* " + o_.name + " " + arg);
    }
    if (verb == "/join") {
      if (!is_room_name(arg)) return say("-- /join ROOM: a room is 1 to 40 letters, digits, '-' or '_'");
      if (arg == room_) return;
      room_ = arg;
      users_.clear();
      say("-- joining " + room_);
      session_.switch_room(room_);
      refresh_prompt();
      return;
    }
    say("-- commands: /join ROOM, /who, /me ACTION, /quit (a line starting with // sends it with one /)");
    if (line.rfind("//", 0) == 0) post(line.substr(1));
  }

  void post(std::string text) {
    if (!protocol::is_valid_utf8(text)) return say("-- not sent: it is not valid UTF-8 text");
    if (limits_ && protocol::count_code_points(text) > limits_->max_message_chars)
      return say("-- not sent: longer than " + std::to_string(limits_->max_message_chars) + " characters");
    ++typed_;
    outbox_.push(outbox::item{line_id(run_id_, typed_, text), std::move(text), o_.name, typed_, room_});
    pump();
  }

  /// Ctrl-D at the prompt quits; the end of piped input (`... | message chat`) first waits for
  /// what it sent to be acknowledged, as `send` does, so that no line is lost to the exit.
  void end_of_input() {
    if (screen_.interactive() || outbox_.empty()) return quit();
    draining_ = true;
  }

  void quit() {
    quitting_ = true;
    signals_.cancel();
    pace_timer_.cancel();
    screen_.stop();
    session_.close();
  }

  // --- connection ---------------------------------------------------------------------------

  void on_event(protocol::server_event& event) {
    const auto now = outbox::clock::now();
    if (auto* w = std::get_if<protocol::welcome_event>(&event)) {
      limits_ = w->limits;
      outbox_.connected(w->limits, now);
      if (!session_.position()) {
        session_.set_position(w->seq);
        if (w->seq > 0) {
          protocol::history_command h;
          h.before = w->seq + 1;
          h.limit = std::min(recent_on_join, w->limits.history_limit);
          session_.send(protocol::encode_history_request(h));
        }
      }
      pump();
    } else if (auto* h = std::get_if<protocol::history_event>(&event)) {
      for (const auto& m : h->messages)
        if (m.message.room == room_) say(format_message(m.message, screen_.interactive()));
    } else if (auto* m = std::get_if<protocol::message_event>(&event)) {
      if (m->message.room == room_ && session_.advance(m->message.seq))
        say(format_message(m->message, screen_.interactive()));
    } else if (auto* a = std::get_if<protocol::ack_event>(&event)) {
      outbox_.on_ack(*a);
      pump();
    } else if (auto* e = std::get_if<protocol::error_event>(&event)) {
      if (auto o = outbox_.on_error(*e, now)) {
        say("-- not sent: \"" + printable(excerpt(o->message.text, session_.settings().limits.quoted_chars)) +
            "\": " + e->message);
      } else if (e->id.empty()) {
        say("-- the server says: " + e->message);
      }
      pump();
    } else if (auto* p = std::get_if<protocol::presence_event>(&event)) {
      if (p->room == room_) users_ = p->users;
    } else if (auto* j = std::get_if<protocol::person_event>(&event)) {
      on_person(*j);
    } else if (auto* r = std::get_if<protocol::rename_event>(&event)) {
      if (r->room == room_) on_rename(*r);
    } else if (auto* g = std::get_if<protocol::gap_event>(&event)) {
      if (g->room == room_) say(format_gap(g->from, g->to));
    } else if (auto* c = std::get_if<protocol::change_event>(&event)) {
      // An edit, delete or reaction holds its seq in the room's stream, like a message.
      if (c->change.room == room_ && session_.advance(c->change.seq)) {
        if (auto line = events_.line(event, std::time(nullptr))) say(*line);
      }
    } else if (event_lines::printed(event)) {
      // `name` (this connection's own) and `room` (an invitation): not tied to the room shown.
      if (auto line = events_.line(event, std::time(nullptr))) say(*line);
    }
    events_.saw(event);
    refresh_prompt();
  }

  void on_rename(const protocol::rename_event& r) {
    if (auto line = events_.line(r, std::time(nullptr))) say(*line);
    // The presence list shows the new name too (its entries carry the 6-character tag).
    for (auto& u : users_)
      if (!u.device.empty() && r.identity.starts_with(u.device)) u.username = r.username;
  }

  void on_person(const protocol::person_event& p) {
    if (p.room != room_ || p.kind == "typing") return;
    const auto same = [&](const protocol::presence_entry& u) {
      return u.username == p.username && u.device == p.device;
    };
    if (p.kind == "join") {
      if (std::none_of(users_.begin(), users_.end(), same)) users_.push_back({p.username, p.device});
    } else if (p.kind == "leave") {
      users_.erase(std::remove_if(users_.begin(), users_.end(), same), users_.end());
    }
    if (auto line = events_.line(p, std::time(nullptr))) say(*line);
  }

  void on_down() {
    pace_timer_.cancel();
    outbox_.disconnected();
    refresh_prompt();
  }

  void on_retrying(const connection_end& e) {
    say("-- " + e.detail + "; reconnecting (what you type is kept)");
  }

  void on_end(const connection_end& e) {
    if (quitting_) return;
    screen_.stop();
    signals_.cancel();
    complain(e.detail);
    code_ = exit_for(e.kind);
  }

  void pump() {
    if (session_.online()) {
      std::optional<outbox::clock::time_point> next;
      for (auto& m : outbox_.take_ready(outbox::clock::now(), next))
        session_.send(protocol::encode_send({m.id, m.username, m.text, m.room, 0, std::nullopt}));
      if (next) {
        pace_timer_.expires_at(*next);
        pace_timer_.async_wait([this](boost::system::error_code ec) {
          if (!ec) pump();
        });
      }
    }
    refresh_prompt();
    if (draining_ && outbox_.empty() && !quitting_) quit();
  }

  chat_options o_;
  net::io_context ioc_;
  std::string room_;
  outbox outbox_;
  chat_screen screen_;
  net::steady_timer pace_timer_;
  net::signal_set signals_;
  reconnecting_session session_;
  event_lines events_;
  std::string run_id_;
  std::optional<protocol::server_limits> limits_;
  std::vector<protocol::presence_entry> users_;
  std::uint64_t typed_ = 0;
  bool quitting_ = false;
  bool draining_ = false;  // Piped input ended: quit once the outbox is empty.
  int code_ = exit_ok;
};

}  // namespace

int run_chat(int argc, char** argv) {
  CLI::App app{"Chat in a room from the terminal (/join ROOM, /who, /me ACTION, /quit)", "message chat"};
  chat_options o;
  add_common_options(app, o.common);
  app.add_option("--name", o.name, "Your name (default $MESSAGE_NAME or $USER)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  if (o.name.empty()) o.name = default_name();
  auto settings = resolve_settings(o.common);
  if (!settings) return exit_usage;
  return chat_run(std::move(o), std::move(*settings)).run();
}

}  // namespace message::client
