// The pure parts of who is who: tokens, public ids, name folding, the upgrade's `id.` entry and
// the suggestions for a taken name.
#include <gtest/gtest.h>

#include "common/identity.hpp"
#include "core/identity_names.hpp"
#include "store/memory_identity_directory.hpp"
#include "transport/identity_token.hpp"

namespace message {
namespace {

TEST(IdentityToken, AWellFormedTokenGivesAStablePublicIdThatIsNotTheToken) {
  const std::string token = "0123456789abcdefABCDEA";
  auto id = core::identity_of_token(token);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->size(), core::identity_id_chars);
  EXPECT_TRUE(core::is_identity_id(*id));
  EXPECT_EQ(core::identity_of_token(token), id) << "stable";
  EXPECT_NE(core::identity_of_token("0123456789abcdefABCDEQ"), id) << "another token, another id";
  EXPECT_EQ(id->find("0123456789"), std::string::npos);
}

TEST(IdentityToken, MalformedTokensAreRefused) {
  EXPECT_FALSE(core::identity_of_token(""));
  EXPECT_FALSE(core::identity_of_token("0123456789abcdefABCDE")) << "21 characters";
  EXPECT_FALSE(core::identity_of_token("0123456789abcdefABCDEAA")) << "23 characters";
  EXPECT_FALSE(core::identity_of_token("0123456789abcdefABCD+A")) << "base64, not base64url";
  EXPECT_FALSE(core::identity_of_token("0123456789abcdefABCDEB")) << "stray bits in the last character";
  EXPECT_FALSE(core::identity_of_token("0123456789abcdefAB==")) << "padding";
}

TEST(IdentityToken, IdsAreToldApartFromOldDeviceTags) {
  EXPECT_FALSE(core::is_identity_id("dev123"));
  EXPECT_FALSE(core::is_identity_id(""));
  EXPECT_FALSE(core::is_identity_id("0123456789abcde!"));
  EXPECT_TRUE(core::is_identity_id("0123456789abcd-_"));
}

TEST(IdentityToken, NamesAreOwnedIgnoringAsciiCaseOnly) {
  EXPECT_EQ(core::fold_name("Kim"), "kim");
  EXPECT_EQ(core::fold_name("KIM-2"), "kim-2");
  EXPECT_EQ(core::fold_name("Élodie"), "Élodie") << "only ASCII is folded";
}

TEST(IdentityToken, TheUpgradeCarriesItAsASubprotocolEntry) {
  using kind = transport::presented_identity::kind;
  const std::string t = "0123456789abcdefABCDEA";
  EXPECT_EQ(transport::identity_from_protocols("").state, kind::none);
  EXPECT_EQ(transport::identity_from_protocols("message.v1, key.abc").state, kind::none);
  auto ok = transport::identity_from_protocols("message.v1, id." + t + ", key.abc");
  EXPECT_EQ(ok.state, kind::valid);
  EXPECT_EQ(ok.id, *core::identity_of_token(t));
  EXPECT_EQ(transport::identity_from_protocols("id." + t + ",id." + t).state, kind::valid) << "repeated";
  EXPECT_EQ(transport::identity_from_protocols("id." + t + ", id.0123456789abcdefABCDEQ").state,
            kind::malformed)
      << "two identities at once";
  EXPECT_EQ(transport::identity_from_protocols("message.v1, id.").state, kind::malformed);
  EXPECT_EQ(transport::identity_from_protocols("message.v1, id.nope").state, kind::malformed);
}

TEST(IdentityToken, ADirectConversationIsOneRoomForTheTwoWhoeverAsks) {
  const auto room = core::direct_room("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb");
  EXPECT_EQ(room, core::direct_room("bbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaa"));
  EXPECT_NE(room, core::direct_room("aaaaaaaaaaaaaaaa", "cccccccccccccccc"));
  EXPECT_EQ(room.size(), 19u);
  EXPECT_EQ(room.substr(0, 3), "dm-");
  const auto secret = core::new_room_secret();
  EXPECT_EQ(secret.size(), core::token_chars);
  EXPECT_NE(secret, core::new_room_secret());
}

TEST(NameSuggestion, TheFirstFreeVariantWithinTheLimit) {
  store::memory_identity_directory d;
  ASSERT_TRUE(d.claim_name("a", "kim").granted);
  ASSERT_TRUE(d.claim_name("b", "kim-2").granted);
  EXPECT_EQ(core::suggest_name(d, "kim", 32), "kim-3");
  // A name at the limit is shortened by whole code points, never a byte of one.
  EXPECT_EQ(core::suggest_name(d, "abcdé", 6), "abcd-2");
  EXPECT_EQ(core::suggest_name(d, "ééééé", 6), "éééé-2");
}

}  // namespace
}  // namespace message
