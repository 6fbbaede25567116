#include "common/file_ref.hpp"

#include <boost/json.hpp>

namespace message::core {

namespace json = boost::json;

std::string file_ref_text(const file_ref& f) {
  json::object o;
  o["sha256"] = f.sha256;
  o["name"] = f.name;
  o["size"] = f.size;
  o["type"] = f.type;
  if (f.width != 0 || f.height != 0) {
    o["width"] = f.width;
    o["height"] = f.height;
  }
  if (f.thumb) o["thumb"] = true;
  if (f.gone) o["gone"] = true;
  return json::serialize(o);
}

std::optional<file_ref> parse_file_ref(std::string_view text) {
  boost::system::error_code ec;
  const auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  file_ref f;
  const auto text_of = [&](const char* key, std::string& out) {
    const auto* field = o.if_contains(key);
    if (field == nullptr || !field->is_string()) return false;
    out.assign(field->get_string().begin(), field->get_string().end());
    return true;
  };
  const auto count_of = [&](const char* key) -> std::optional<std::uint64_t> {
    const auto* field = o.if_contains(key);
    if (field == nullptr) return std::uint64_t{0};
    if (field->is_uint64()) return field->get_uint64();
    if (field->is_int64() && field->get_int64() >= 0) return static_cast<std::uint64_t>(field->get_int64());
    if (field->is_double() && field->get_double() >= 0)
      return static_cast<std::uint64_t>(field->get_double());
    return std::nullopt;
  };
  if (!text_of("sha256", f.sha256) || !text_of("name", f.name) || !text_of("type", f.type))
    return std::nullopt;
  const auto size = count_of("size");
  const auto width = count_of("width");
  const auto height = count_of("height");
  if (!size || !width || !height || *width > UINT32_MAX || *height > UINT32_MAX) return std::nullopt;
  f.size = *size;
  f.width = static_cast<std::uint32_t>(*width);
  f.height = static_cast<std::uint32_t>(*height);
  if (const auto* t = o.if_contains("thumb"); t != nullptr && t->is_bool()) f.thumb = t->get_bool();
  if (const auto* g = o.if_contains("gone"); g != nullptr && g->is_bool()) f.gone = g->get_bool();
  return f;
}

}  // namespace message::core
