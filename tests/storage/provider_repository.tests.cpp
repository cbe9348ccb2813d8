// The provider's own database (issue 21, docs/tenants.md): admins, their sessions and the audit of exports.
#include "storage/provider_repository.hpp"
#include "storage_fixture.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;

TEST_CASE("provider admins are unique by login, whatever its case", "[storage][tenants]") {
    testing::storage_fixture f;
    const auto file = provider_database_file(f.dir);
    {
        auto db = open_provider_database(file);
        CHECK(add_provider_admin(db, "kisa-admin", "hash-1", 1000));
        CHECK_FALSE(add_provider_admin(db, "KISA-Admin", "hash-2", 2000));
        CHECK(add_provider_admin(db, "zweite", "hash-3", 3000));
    }
    // Reopened (and migrated again, which does nothing), the admins are there as they were added.
    auto db = open_provider_database(file);
    CHECK(db.execAndGet("PRAGMA user_version").getInt() == 1);
    const auto found = find_provider_admin(db, "Kisa-Admin");
    REQUIRE(found);
    CHECK(found->login == "kisa-admin");
    CHECK(found->password_hash == "hash-1");
    CHECK_FALSE(find_provider_admin(db, "niemand"));
}

TEST_CASE("a provider session is found until it expires and gone once deleted", "[storage][tenants]") {
    testing::storage_fixture f;
    auto db = open_provider_database(provider_database_file(f.dir));
    REQUIRE(add_provider_admin(db, "kisa-admin", "hash", 0));
    const auto admin = find_provider_admin(db, "kisa-admin");
    insert_provider_session(db, "digest-a", admin->id, "csrf-a", 1000, 5000);
    insert_provider_session(db, "digest-b", admin->id, "csrf-b", 1000, 2000);

    struct at {
        const char* digest;
        time_ms now;
        bool found;
    };
    for (const auto& c : {at{"digest-a", 1000, true}, at{"digest-a", 4999, true}, at{"digest-a", 5000, false},
                          at{"digest-b", 1999, true}, at{"digest-b", 2000, false}, at{"digest-c", 1000, false}}) {
        INFO(c.digest << " at " << c.now);
        CHECK(find_provider_session(db, c.digest, c.now).has_value() == c.found);
    }
    const auto s = find_provider_session(db, "digest-a", 1500);
    REQUIRE(s);
    CHECK(s->login == "kisa-admin");
    CHECK(s->csrf_token == "csrf-a");
    CHECK(s->last_seen_at == 1000);
    touch_provider_session(db, "digest-a", 1700);
    CHECK(find_provider_session(db, "digest-a", 1800)->last_seen_at == 1700);

    delete_expired_provider_sessions(db, 3000);  // b expired at 2000
    CHECK(db.execAndGet("SELECT COUNT(*) FROM provider_sessions").getInt() == 1);
    delete_provider_session(db, "digest-a");
    CHECK_FALSE(find_provider_session(db, "digest-a", 1800));

    append_provider_audit(db, 4000, "kisa-admin", "export", "pirna");
    append_provider_audit(db, 4001, "kisa-admin", "export", "pirna");
    CHECK(db.execAndGet("SELECT COUNT(*) FROM provider_audit WHERE action = 'export' AND tenant = 'pirna' "
                        "AND login = 'kisa-admin'")
              .getInt() == 2);
}
