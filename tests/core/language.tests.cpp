#include "core/language.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string_view>

using namespace campusdesk;

TEST_CASE("Accept-Language picks German or English by q-value, else nothing", "[core][language]") {
    struct row {
        std::string_view header;
        std::optional<language> expected;
    };
    const auto de = language::de, en = language::en;
    const row rows[] = {
        {"", std::nullopt},
        {"en", en},
        {"de", de},
        {"en-GB", en},
        {"EN-us", en},
        {"de-AT,de;q=0.9", de},
        {"en-US,en;q=0.9,de;q=0.8", en},
        {"de;q=0.8, en;q=0.9", en},
        {"de;q=0.8,en;q=0.8", de},          // equal q: the first named
        {"en;q=0.8,de;q=0.8", en},
        {"fr-FR,fr;q=0.9", std::nullopt},   // none of ours
        {"fr,en;q=0.1", en},
        {"en;q=0", std::nullopt},           // excluded
        {"en;q=0, de;q=0.1", de},
        {"*", de},                          // anything: our default
        {"en;q=0,*", de},
        {"de;q=0, *;q=0.5", en},            // "*" stands for what is not named
        {"fr,*;q=0.1,en;q=0.05", de},
        {"en;q=1.5", std::nullopt},         // an impossible q: the range is skipped
        {"en;q=abc,de;q=0.2", de},
        {"en;q=0.1234", std::nullopt},      // more than three decimals
        {"en;q=1.000", en},
        {"en; Q=0.7 , de ; q=0.6", en},
        {"english", std::nullopt},          // a range of more than eight letters
        {"e1", std::nullopt},
        {"  , ,en", en},
        {"de-CH-1996;q=0.4,en-x-private;q=0.3", de},
        {"en;level=1;q=0.9,de;q=0.8", en},  // other parameters are ignored
    };
    for (const auto& r : rows) {
        INFO(r.header);
        CHECK(negotiate_language(r.header) == r.expected);
    }
}

TEST_CASE("the user's setting wins over the browser; German is the default", "[core][language]") {
    CHECK(choose_language(std::nullopt, "") == language::de);
    CHECK(choose_language(std::nullopt, "en-GB") == language::en);
    CHECK(choose_language(language::de, "en-GB") == language::de);
    CHECK(choose_language(language::en, "de") == language::en);
    CHECK(choose_language(std::nullopt, "fr") == language::de);
}

TEST_CASE("language codes", "[core][language]") {
    CHECK(to_string(language::de) == "de");
    CHECK(to_string(language::en) == "en");
    CHECK(parse_language("en") == language::en);
    CHECK(parse_language("de") == language::de);
    CHECK_FALSE(parse_language("EN"));
    CHECK_FALSE(parse_language(""));
    CHECK_FALSE(parse_language("en-GB"));
}
