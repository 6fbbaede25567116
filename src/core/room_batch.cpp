#include "core/room_batch.hpp"

namespace message::core {

std::vector<shared_batch> join_consecutive(std::vector<shared_batch> batches) {
  std::vector<shared_batch> out;
  for (std::size_t i = 0; i < batches.size();) {
    std::size_t j = i + 1;
    while (j < batches.size() && batches[j]->room == batches[i]->room &&
           batches[j]->first_seq == batches[j - 1]->last_seq + 1)
      ++j;
    if (j == i + 1) {
      out.push_back(std::move(batches[i]));
    } else {
      auto joined = std::make_shared<room_batch>();
      joined->room = batches[i]->room;
      joined->first_seq = batches[i]->first_seq;
      joined->last_seq = batches[j - 1]->last_seq;
      std::size_t bytes = 0;
      for (std::size_t k = i; k < j; ++k) bytes += batches[k]->joined->size() + 1;
      std::string text;
      text.reserve(bytes);
      for (std::size_t k = i; k < j; ++k) {
        const auto& b = *batches[k];
        if (!text.empty()) text.push_back('\n');
        text.append(*b.joined);
        joined->lines.insert(joined->lines.end(), b.lines.begin(), b.lines.end());
        joined->ids.insert(joined->ids.end(), b.ids.begin(), b.ids.end());
      }
      joined->joined = std::make_shared<const std::string>(std::move(text));
      out.push_back(std::move(joined));
    }
    i = j;
  }
  return out;
}

}  // namespace message::core
