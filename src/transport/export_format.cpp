#include "transport/export_format.hpp"

#include "transport/html_escape.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <ctime>

#include "common/identity.hpp"

namespace message::transport {

namespace json = boost::json;

namespace {

std::string export_utc(std::int64_t ms) {
  const auto t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

std::optional<export_format> parse_export_format(std::string_view name) {
  if (name == "json") return export_format::json;
  if (name == "txt") return export_format::txt;
  if (name == "html") return export_format::html;
  return std::nullopt;
}

std::string_view export_content_type(export_format f) {
  switch (f) {
    case export_format::json:
      return "application/json";
    case export_format::txt:
      return "text/plain; charset=utf-8";
    case export_format::html:
      return "text/html; charset=utf-8";
  }
  return "application/octet-stream";
}

std::string export_head(export_format f, std::string_view room, std::int64_t now_ms) {
  switch (f) {
    case export_format::json:
      return "{\"room\":" + json::serialize(json::value(room)) +
             ",\"exported_at\":" + std::to_string(now_ms) + ",\"messages\":[";
    case export_format::txt:
      return fmt::format("# {} exported {}\n", room, export_utc(now_ms));
    case export_format::html:
      // Self-contained: inline style, no script, nothing fetched from anywhere.
      return fmt::format(
          "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
          "'unsafe-inline'\">"
          "<title>{0}</title><style>body{{font:15px/1.4 system-ui,sans-serif;max-width:48rem;margin:2rem "
          "auto;padding:0 1rem}}li{{list-style:none;margin:.4rem 0}}time{{color:#777;font-size:.8em}}"
          "p{{margin:.1rem "
          "0;white-space:pre-wrap;overflow-wrap:anywhere}}.gone{{color:#999;font-style:italic}}"
          "</style></head><body><h1>{0}</h1><p>exported {1}</p><ol>\n",
          html_escape(room), export_utc(now_ms));
  }
  return {};
}

std::string export_item(export_format f, const core::chat_message& m, bool first) {
  switch (f) {
    case export_format::json: {
      json::object o;
      o["seq"] = m.seq;
      o["id"] = m.id;
      o["username"] = m.username;
      if (core::is_identity_id(m.device)) o["identity"] = m.device;
      o["ts"] = m.ts;
      o["message"] = m.text;
      if (m.edited) o["edited"] = m.edited;
      if (m.deleted) o["deleted"] = true;
      if (m.reply_to) o["reply_to"] = m.reply_to;
      return (first ? "\n" : ",\n") + json::serialize(o);
    }
    case export_format::txt: {
      std::string text;
      if (m.deleted) {
        text = "(deleted)";
      } else {
        for (char c : m.text) {
          text.push_back(c);
          if (c == '\n') text += "  ";  // Later lines of a message, indented under it.
        }
        if (m.edited) text += " (edited)";
      }
      return fmt::format("[{}] {}: {}\n", export_utc(m.ts), m.username, text);
    }
    case export_format::html:
      return fmt::format("<li id=\"m{}\"><time>{}</time> <b>{}</b>{}<p{}>{}</p></li>\n", m.seq,
                         export_utc(m.ts), html_escape(m.username),
                         m.edited && !m.deleted ? " <i>(edited)</i>" : "", m.deleted ? " class=\"gone\"" : "",
                         m.deleted ? "deleted" : html_escape(m.text));
  }
  return {};
}

std::string export_tail(export_format f) {
  switch (f) {
    case export_format::json:
      return "\n]}\n";
    case export_format::txt:
      return {};
    case export_format::html:
      return "</ol></body></html>\n";
  }
  return {};
}

}  // namespace message::transport
