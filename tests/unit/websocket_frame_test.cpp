// The WebSocket frame layer on its own: what a browser's frames decode to, and what every
// broken frame closes with (RFC 6455). The integration tests drive the same code through the
// real server; these reach the corners a browser never sends.
#include "transport/websocket_frame.hpp"

#include <gtest/gtest.h>

#include "transport/websocket_handshake.hpp"

namespace message::transport::ws {
namespace {

using kind = read_result::kind;

/// A client frame as a browser sends it: masked with `key`.
std::string client_frame(std::uint8_t first_byte, std::string_view payload, bool masked = true,
                         std::uint32_t key = 0x37fa213d) {
  std::string f;
  f.push_back(static_cast<char>(first_byte));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(mask_bit | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    f.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>(std::uint64_t(payload.size()) >> (8 * i)));
  }
  const std::uint8_t k[4] = {std::uint8_t(key >> 24), std::uint8_t(key >> 16), std::uint8_t(key >> 8),
                             std::uint8_t(key)};
  if (masked) f.append(reinterpret_cast<const char*>(k), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f.push_back(masked ? static_cast<char>(payload[i] ^ k[i % 4]) : payload[i]);
  return f;
}

constexpr std::uint8_t fin = 0x80;
constexpr std::uint8_t text = 1, binary = 2, close = 8, ping = 9;

read_result read_all(frame_reader& reader, std::string& bytes) {
  return reader.read(bytes.data(), bytes.size());
}

TEST(WebSocketFrame, AMaskedTextFrameIsUnmaskedInPlace) {
  frame_reader reader(1024);
  auto bytes = client_frame(fin | text, R"({"type":"ping"})");
  const auto r = read_all(reader, bytes);
  ASSERT_EQ(r.what, kind::message);
  EXPECT_EQ(r.op, opcode::text);
  EXPECT_EQ(r.payload, R"({"type":"ping"})");
  EXPECT_EQ(r.consumed, bytes.size());
}

TEST(WebSocketFrame, AFrameCutAnywhereIsIncompleteUntilItIsWhole) {
  const std::string payload(300, 'a');  // A 16-bit length.
  const auto whole = client_frame(fin | text, payload);
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    frame_reader reader(1024);
    std::string part = whole.substr(0, cut);
    const auto r = read_all(reader, part);
    EXPECT_EQ(r.what, kind::incomplete) << "cut at " << cut;
    EXPECT_EQ(r.consumed, 0u);
  }
  frame_reader reader(1024);
  std::string bytes = whole + client_frame(fin | text, "next");
  const auto r = read_all(reader, bytes);
  ASSERT_EQ(r.what, kind::message);
  EXPECT_EQ(r.payload, payload);
  EXPECT_EQ(r.consumed, whole.size()) << "only the first frame is taken";
}

TEST(WebSocketFrame, FragmentsWithAPingBetweenMakeOneMessage) {
  frame_reader reader(1024);
  // "한국어" split inside a code point: UTF-8 is judged across fragments, not per fragment.
  const std::string word = "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4";
  std::string bytes = client_frame(text, word.substr(0, 4)) + client_frame(fin | ping, "hi") +
                      client_frame(fin, word.substr(4));
  auto r = read_all(reader, bytes);
  ASSERT_EQ(r.what, kind::fragment);
  std::size_t at = r.consumed;
  r = reader.read(bytes.data() + at, bytes.size() - at);
  ASSERT_EQ(r.what, kind::control);
  EXPECT_EQ(r.op, opcode::ping);
  EXPECT_EQ(r.payload, "hi");
  at += r.consumed;
  r = reader.read(bytes.data() + at, bytes.size() - at);
  ASSERT_EQ(r.what, kind::message);
  EXPECT_EQ(r.payload, word);
  EXPECT_EQ(at + r.consumed, bytes.size());
}

struct broken_case {
  const char* what;
  std::string bytes;
  std::uint16_t code;
};

TEST(WebSocketFrame, EveryBrokenFrameFailsWithItsCloseCode) {
  const std::string big_header = [] {
    // A frame declaring 2^40 bytes: refused from its header, nothing more needed.
    std::string f = {char(fin | text), char(0x80 | 127), 0, 0, 0, 1, 0, 0, 0, 0};
    return f;
  }();
  const std::vector<broken_case> cases = {
      {"unmasked", client_frame(fin | text, "x", false), close_codes::protocol_error},
      {"reserved bit", client_frame(fin | 0x40 | text, "x"), close_codes::protocol_error},
      {"unknown opcode 3", client_frame(fin | 3, "x"), close_codes::protocol_error},
      {"unknown opcode 11", client_frame(fin | 11, "x"), close_codes::protocol_error},
      {"orphan continuation", client_frame(fin, "x"), close_codes::protocol_error},
      {"fragmented ping", client_frame(ping, "x"), close_codes::protocol_error},
      {"long ping", client_frame(fin | ping, std::string(126, 'p')), close_codes::protocol_error},
      {"16-bit length under 126", std::string{char(fin | text), char(0x80 | 126), 0, 5, 1, 2, 3, 4},
       close_codes::protocol_error},
      {"too big for the bound", client_frame(fin | text, std::string(1025, 'x')), close_codes::too_big},
      {"too big, only the header", big_header, close_codes::too_big},
      {"not UTF-8", client_frame(fin | text, "\xc3\x28"), close_codes::bad_payload},
      {"UTF-8 cut short at the end", client_frame(fin | text, "\xe2\x82"), close_codes::bad_payload},
      {"close with one byte", client_frame(fin | close, "\x03"), close_codes::protocol_error},
      {"close code 1005", client_frame(fin | close, "\x03\xed"), close_codes::protocol_error},
      {"close code 999", client_frame(fin | close, "\x03\xe7"), close_codes::protocol_error},
      {"close reason not UTF-8", client_frame(fin | close, "\x03\xe8\xff"), close_codes::bad_payload},
  };
  for (auto c : cases) {
    frame_reader reader(1024);
    const auto r = read_all(reader, c.bytes);
    EXPECT_EQ(r.what, kind::failure) << c.what;
    EXPECT_EQ(r.code, c.code) << c.what;
    EXPECT_FALSE(r.reason.empty()) << c.what;
  }
}

TEST(WebSocketFrame, WhatBreaksAFragmentedMessageFails) {
  struct after_fragment {
    const char* what;
    std::size_t bound;
    std::string first, second;
    std::uint16_t code;
  };
  const std::vector<after_fragment> cases = {
      {"a new message inside a fragmented one", 1024, client_frame(text, "part"),
       client_frame(fin | text, "new"), close_codes::protocol_error},
      {"fragments together past the bound", 10, client_frame(text, "123456"), client_frame(fin, "789012"),
       close_codes::too_big},
  };
  for (const auto& c : cases) {
    frame_reader reader(c.bound);
    std::string bytes = c.first + c.second;
    auto r = read_all(reader, bytes);
    ASSERT_EQ(r.what, kind::fragment) << c.what;
    r = reader.read(bytes.data() + r.consumed, bytes.size() - r.consumed);
    EXPECT_EQ(r.what, kind::failure) << c.what;
    EXPECT_EQ(r.code, c.code) << c.what;
  }
}

TEST(WebSocketFrame, CloseFramesCarryTheirCode) {
  frame_reader reader(1024);
  auto bytes = client_frame(fin | close, std::string("\x03\xe9", 2) + "bye");
  auto r = read_all(reader, bytes);
  ASSERT_EQ(r.what, kind::control);
  EXPECT_EQ(r.op, opcode::close);
  EXPECT_EQ(r.code, 1001);
  auto bare = client_frame(fin | close, "");
  r = read_all(reader, bare);
  ASSERT_EQ(r.what, kind::control);
  EXPECT_EQ(r.code, 0) << "a close without a code";
}

TEST(WebSocketFrame, BinaryMessagesAreReportedAsBinary) {
  frame_reader reader(1024);
  auto bytes = client_frame(fin | binary, std::string("\xff\x00\x01", 3));
  const auto r = read_all(reader, bytes);
  ASSERT_EQ(r.what, kind::message);
  EXPECT_EQ(r.op, opcode::binary) << "binary is not checked as UTF-8; the session refuses it with 1003";
}

TEST(WebSocketFrame, ServerHeadersUseTheShortestLength) {
  std::uint8_t h[max_server_header];
  EXPECT_EQ(write_frame_header(h, opcode::text, 125), 2u);
  EXPECT_EQ(h[0], 0x81);
  EXPECT_EQ(h[1], 125);
  EXPECT_EQ(write_frame_header(h, opcode::text, 126), 4u);
  EXPECT_EQ(h[1], 126);
  EXPECT_EQ((h[2] << 8) | h[3], 126);
  EXPECT_EQ(write_frame_header(h, opcode::close, 70000), 10u);
  EXPECT_EQ(h[0], 0x88);
  EXPECT_EQ(h[1], 127);
  EXPECT_EQ((h[7] << 16) | (h[8] << 8) | h[9], 70000);
  EXPECT_EQ(close_payload(1009, "too big"), std::string("\x03\xf1too big", 9));
}

TEST(WebSocketHandshake, TheAcceptKeyIsTheOneOfRfc6455) {
  // RFC 6455 section 1.3's example.
  EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, AWrongVersionGets426AndABadKey400) {
  request req{http::verb::get, "/ws", 11};
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  EXPECT_FALSE(refuse_upgrade(req));
  const auto answer = switching_protocols(req, true);
  EXPECT_EQ(answer.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(answer.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
  EXPECT_NE(answer.find("Sec-WebSocket-Protocol: message.v1\r\n"), std::string::npos);
  EXPECT_EQ(answer.substr(answer.size() - 4), "\r\n\r\n");

  req.set(http::field::sec_websocket_version, "8");
  auto refused = refuse_upgrade(req);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result(), http::status::upgrade_required);
  EXPECT_EQ((*refused)[http::field::sec_websocket_version], "13");

  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "short");
  refused = refuse_upgrade(req);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result(), http::status::bad_request);
}

}  // namespace
}  // namespace message::transport::ws
