#include "core/reply_quote.hpp"

#include "common/identity.hpp"

namespace message::core {

reply_quote quote_of(const chat_message& target, std::size_t max_chars) {
  reply_quote q;
  q.seq = target.seq;
  q.username = target.username;
  if (is_identity_id(target.device)) q.identity = target.device;
  q.deleted = target.deleted;
  if (q.deleted) return q;
  std::size_t chars = 0;
  std::size_t end = 0;
  for (; end < target.text.size(); ++end) {
    // A byte that is not a continuation byte (10xxxxxx) starts the next code point.
    if ((static_cast<unsigned char>(target.text[end]) & 0xC0U) != 0x80U && chars++ == max_chars) break;
  }
  q.text = target.text.substr(0, end);
  return q;
}

}  // namespace message::core
