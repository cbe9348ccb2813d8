#include "core/password_policy.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace campusdesk;

namespace {
std::string repeat(std::string_view piece, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += piece;
    return out;
}
} // namespace

// Issue 14, finding 10: the length counts characters (ASVS 6.2.1, 6.2.9), with one maximum for every path.
TEST_CASE("password length counts characters, from 8 to 128", "[core][password]") {
    struct row {
        const char* name;
        std::string password;
        std::optional<password_problem> problem;
    };
    auto r = GENERATE_COPY(values<row>({
        {"eight ASCII characters", "abcdefgh", std::nullopt},
        {"seven ASCII characters", "abcdefg", password_problem::too_short},
        {"seven umlauts are 14 bytes but 7 characters", repeat("ä", 7), password_problem::too_short},
        {"four emoji are 16 bytes but 4 characters", repeat("\xF0\x9F\x94\x91", 4), password_problem::too_short},
        {"eight umlauts", repeat("ä", 8), std::nullopt},
        {"128 characters", repeat("x", 128), std::nullopt},
        {"128 euro signs (384 bytes)", repeat("€", 128), std::nullopt},
        {"129 characters", repeat("x", 129), password_problem::too_long},
        {"a long passphrase with spaces", "der Beamer in Raum B 1.12 flackert seit Montag", std::nullopt},
        {"invalid UTF-8", "abcdefgh\xff", password_problem::invalid_encoding},
        {"a NUL", std::string("abcd\0efgh", 9), password_problem::control_characters},
        {"a tab", "abcd\tefgh", password_problem::control_characters},
        {"a line break", "abcdefgh\n", password_problem::control_characters},
        {"empty", "", password_problem::too_short},
    }));
    INFO(r.name);
    const auto rejected = check_password_length(r.password);
    REQUIRE(rejected.has_value() == r.problem.has_value());
    if (rejected) {
        CHECK(rejected->problem == *r.problem);
        CHECK_FALSE(rejected->message.empty());
    }
}

TEST_CASE("a login accepts exactly the passwords that can be set, and nothing longer", "[core][password]") {
    CHECK(password_fits_login("demo"));              // the demo accounts' password (API.md) still logs in
    CHECK(password_fits_login(repeat("x", 128)));
    CHECK(password_fits_login(repeat("\xF0\x9F\x94\x91", 128)));  // 512 bytes, the most any set password takes
    CHECK_FALSE(password_fits_login(""));
    CHECK_FALSE(password_fits_login(repeat("x", 129)));
    CHECK_FALSE(password_fits_login(repeat("x", 1025)));
    CHECK_FALSE(password_fits_login(repeat("ä", 129)));
    // Continuation bytes count as no character: the byte bound refuses them.
    CHECK_FALSE(password_fits_login(std::string(513, '\x80')));
    // Property: whatever check_password_length accepts, a login accepts.
    for (std::size_t n = password_min_characters; n <= password_max_characters; ++n)
        for (const char* piece : {"a", "ß", "€", "\xF0\x9F\x94\x91"}) {
            const auto pw = repeat(piece, n);
            REQUIRE_FALSE(check_password_length(pw).has_value());
            REQUIRE(password_fits_login(pw));
        }
}
