// A WebSocket connection's state (transport/session_state.hpp): its life and its input only move
// forward, and each transition says whether it happened, so a close or an end runs once.
#include "transport/session_state.hpp"

#include <gtest/gtest.h>

namespace message::transport {
namespace {

TEST(SessionState, AConnectionClosesOnceThenSendsItsCloseThenFinishes) {
  session_state s;
  EXPECT_FALSE(s.closing());
  EXPECT_TRUE(s.begin_closing());
  EXPECT_FALSE(s.begin_closing()) << "a second close changes nothing";
  EXPECT_TRUE(s.closing());
  EXPECT_FALSE(s.close_sent());
  s.close_written();
  EXPECT_TRUE(s.close_sent());
  EXPECT_FALSE(s.finished());
  EXPECT_TRUE(s.finish());
  EXPECT_FALSE(s.finish()) << "finished once";
  EXPECT_TRUE(s.finished());
  EXPECT_TRUE(s.closing()) << "a finished connection takes no more lines";
}

TEST(SessionState, AnErrorFinishesAnOpenConnectionAtOnce) {
  session_state s;
  EXPECT_TRUE(s.finish());
  EXPECT_TRUE(s.closing());
  EXPECT_FALSE(s.begin_closing()) << "no close after the end";
}

TEST(SessionState, InputStopsBeingDecodedAfterAFailureOrThePeersClose) {
  session_state failed;
  EXPECT_TRUE(failed.decoding());
  failed.input_failed();
  EXPECT_FALSE(failed.decoding());
  EXPECT_FALSE(failed.peer_closed());

  session_state closed;
  closed.close_received();
  EXPECT_FALSE(closed.decoding());
  EXPECT_TRUE(closed.peer_closed());
  closed.input_failed();
  EXPECT_TRUE(closed.peer_closed()) << "input never moves back";
}

}  // namespace
}  // namespace message::transport
