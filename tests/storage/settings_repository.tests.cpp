#include "storage/database.hpp"
#include "storage/settings_repository.hpp"
#include "storage_fixture.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;

TEST_CASE("a secret is made once and read back the same, also after reopening the file", "[storage][settings]") {
    testing::storage_fixture f;
    std::string first;
    {
        auto db = open_writer_database(f.file);
        first = load_or_create_secret(db, "mail_reply", 32);
        CHECK(first.size() == 32);
        CHECK(load_or_create_secret(db, "mail_reply", 32) == first);
        CHECK(load_or_create_secret(db, "other", 32) != first);
    }
    auto db = open_writer_database(f.file);
    CHECK(load_or_create_secret(db, "mail_reply", 32) == first);
    // A stored secret of another length is damage, not a reason to make a new one silently.
    CHECK_THROWS(load_or_create_secret(db, "mail_reply", 16));
}
