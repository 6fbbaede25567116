#pragma once

#include <string>
#include <string_view>

namespace message::transport {

/// `text` with the five characters that matter in HTML text and attributes (& < > " ') escaped:
/// the page's title (--name) and the HTML export. Pure; safe from any thread.
std::string html_escape(std::string_view text);

}  // namespace message::transport
