#include "server/mail/reply_token.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

using namespace campusdesk;

namespace {
reply_token_key key_of(unsigned char fill) {
    reply_token_key key{};
    key.fill(fill);
    return key;
}
} // namespace

TEST_CASE("a reply token names its ticket and person, and nothing else verifies", "[mail]") {
    const auto key = key_of(7);
    const reply_target target{123, 45};
    const auto token = make_reply_token(key, target);
    CHECK(token.starts_with("t123.u45."));
    CHECK(verify_reply_token(key, token) == target);

    // Mail systems may change the case of a local part.
    std::string upper = token;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    CHECK(verify_reply_token(key, upper) == target);

    CHECK_FALSE(verify_reply_token(key_of(8), token));                         // another installation's key
    CHECK_FALSE(verify_reply_token(key, "t124.u45." + token.substr(9)));         // another ticket
    CHECK_FALSE(verify_reply_token(key, "t123.u46." + token.substr(9)));         // another person
    std::string flipped = token;
    flipped.back() = flipped.back() == '0' ? '1' : '0';
    CHECK_FALSE(verify_reply_token(key, flipped));                             // altered MAC
    for (const char* bad : {"", "t", "t123", "t123.u45", "t123.u45.", "x123.u45.00", "t0.u45.00", "t-1.u45.00",
                            "t123.45.00", "t0123.u45.00", "t123.u45.zz"})
        CHECK_FALSE(verify_reply_token(key, bad));
}

TEST_CASE("reply addresses are made from the pattern and the token found in them again", "[mail]") {
    const auto key = key_of(1);
    const std::string pattern = "helpdesk+{token}@schulen.example.de";
    const auto address = reply_address_for(pattern, key, {9, 2});
    CHECK(address == "helpdesk+" + make_reply_token(key, {9, 2}) + "@schulen.example.de");
    const auto token = reply_token_in_address(pattern, address);
    REQUIRE(token);
    CHECK(verify_reply_token(key, *token) == reply_target{9, 2});
    CHECK(reply_token_in_address(pattern, "HELPDESK+T9.U2.ABC@Schulen.Example.DE") == "t9.u2.abc");
    CHECK_FALSE(reply_token_in_address(pattern, "helpdesk@schulen.example.de"));
    CHECK_FALSE(reply_token_in_address(pattern, "other+t9@schulen.example.de"));
    CHECK(reply_token_in_address("{token}@antwort.example.de", "t9.u2.abc@antwort.example.de") == "t9.u2.abc");
}
