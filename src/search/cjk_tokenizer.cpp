#include "search/cjk_tokenizer.hpp"

#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "search/query_terms.hpp"

namespace message::search {

namespace {

using token_fn = int (*)(void*, int, const char*, int, int, int);

/// One tokenizer instance: unicode61's, wrapped.
struct cjk_tokenizer {
  fts5_tokenizer inner_api{};
  Fts5Tokenizer* inner = nullptr;
};

/// What one xTokenize call passes to the wrapped tokenizer's callback.
struct tokenize_call {
  void* ctx;
  token_fn emit;
  const char* text;
  int flags;
};

/// One character of a token: where it is in the folded token and in the original text.
struct char_at {
  int token_from, token_to;  // In the folded token.
  int text_from, text_to;    // In the original text.
  bool cjk;
};

fts5_api* fts5_of(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) return nullptr;
  sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return api;
}

int on_token(void* p, int tflags, const char* token, int size, int from, int to) {
  auto& call = *static_cast<tokenize_call*>(p);
  const std::string_view folded(token, static_cast<std::size_t>(size));
  bool any_cjk = false;
  for (const char c : folded)  // Every CJK character is 3-4 bytes, led by 0xE1 or above.
    any_cjk = any_cjk || static_cast<unsigned char>(c) >= 0xE1;
  if (any_cjk) {
    std::size_t i = 0;
    any_cjk = false;
    while (i < folded.size() && !any_cjk) any_cjk = is_cjk(next_code_point(folded, i));
  }
  if (!any_cjk) return call.emit(call.ctx, tflags, token, size, from, to);

  // unicode61 folds one character into one character, so the token's characters and the
  // original text's line up; if they ever do not, every piece gets the whole token's offsets.
  const std::string_view original(call.text + from, static_cast<std::size_t>(to - from));
  std::vector<char_at> chars;
  std::size_t t = 0, o = 0;
  bool aligned = true;
  while (t < folded.size()) {
    const std::size_t t0 = t, o0 = o;
    const char32_t c = next_code_point(folded, t);
    if (o < original.size())
      next_code_point(original, o);
    else
      aligned = false;
    chars.push_back({static_cast<int>(t0), static_cast<int>(t), from + static_cast<int>(o0),
                     from + static_cast<int>(o), is_cjk(c)});
  }
  if (!aligned || o != original.size())
    for (auto& c : chars) c.text_from = from, c.text_to = to;

  const bool query = (call.flags & FTS5_TOKENIZE_QUERY) != 0;
  int rc = SQLITE_OK;
  for (std::size_t k = 0; k < chars.size() && rc == SQLITE_OK;) {
    std::size_t end = k;
    while (end < chars.size() && chars[end].cjk == chars[k].cjk) ++end;
    if (!chars[k].cjk) {
      rc = call.emit(call.ctx, 0, token + chars[k].token_from, chars[end - 1].token_to - chars[k].token_from,
                     chars[k].text_from, chars[end - 1].text_to);
    } else if (end - k == 1) {
      const auto& c = chars[k];
      rc = call.emit(call.ctx, 0, token + c.token_from, c.token_to - c.token_from, c.text_from, c.text_to);
    } else {
      for (std::size_t j = k; j + 1 < end && rc == SQLITE_OK; ++j)
        rc = call.emit(call.ctx, 0, token + chars[j].token_from, chars[j + 1].token_to - chars[j].token_from,
                       chars[j].text_from, chars[j].text_to);
      if (!query && rc == SQLITE_OK) {
        const auto& c = chars[end - 1];
        rc = call.emit(call.ctx, 0, token + c.token_from, c.token_to - c.token_from, c.text_from, c.text_to);
      }
    }
    k = end;
  }
  return rc;
}

int create(void* api_context, const char** args, int count, Fts5Tokenizer** out) {
  auto* api = static_cast<fts5_api*>(api_context);
  auto* tok = new (std::nothrow) cjk_tokenizer;
  if (!tok) return SQLITE_NOMEM;
  void* unicode61 = nullptr;
  int rc = api->xFindTokenizer(api, "unicode61", &unicode61, &tok->inner_api);
  if (rc == SQLITE_OK) rc = tok->inner_api.xCreate(unicode61, args, count, &tok->inner);
  if (rc != SQLITE_OK) {
    delete tok;
    return rc;
  }
  *out = reinterpret_cast<Fts5Tokenizer*>(tok);
  return SQLITE_OK;
}

void destroy(Fts5Tokenizer* p) {
  auto* tok = reinterpret_cast<cjk_tokenizer*>(p);
  if (tok->inner) tok->inner_api.xDelete(tok->inner);
  delete tok;
}

int tokenize(Fts5Tokenizer* p, void* ctx, int flags, const char* text, int size, token_fn emit) {
  auto* tok = reinterpret_cast<cjk_tokenizer*>(p);
  tokenize_call call{ctx, emit, text, flags};
  return tok->inner_api.xTokenize(tok->inner, &call, flags, text, size, on_token);
}

}  // namespace

void register_cjk_tokenizer(sqlite3* db) {
  fts5_api* api = fts5_of(db);
  if (!api || api->iVersion < 2) throw std::runtime_error("search index: SQLite has no FTS5");
  fts5_tokenizer methods{create, destroy, tokenize};
  if (api->xCreateTokenizer(api, cjk_tokenizer_name, api, &methods, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("search index: cannot register the tokenizer: ") +
                             sqlite3_errmsg(db));
}

}  // namespace message::search
