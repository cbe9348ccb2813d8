#include "tests/storage/storage_fixture.hpp"

#include <fmt/format.h>

#include <random>

namespace campusdesk::testing {

storage_fixture::storage_fixture() : calendar(business_calendar_config::defaults()) {
    std::random_device rd;
    dir = std::filesystem::temp_directory_path() / fmt::format("campusdesk-storage-{:x}", rd());
    std::filesystem::create_directories(dir);
    file = dir / "campusdesk.db";
}

storage_fixture::~storage_fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

void storage_fixture::add_directory(SQLite::Database& db) const {
    for (int m = 1; m <= 3; ++m) {
        db.exec(fmt::format("INSERT INTO managers (id, login, name) VALUES ({0}, 'manager0{0}', 'Manager {0}')", m));
        for (int s = 1; s <= 2; ++s)
            db.exec(fmt::format("INSERT INTO schools (number, name, kind, district, address, manager_id) VALUES "
                                "('1000{0}{1}', 'Schule {0}{1}', 'Grundschule', 'Eving', 'Weg 1', {0})", m, s));
    }
}

ticket storage_fixture::make_ticket(std::string school, std::int64_t requester, std::int64_t assignee) const {
    ticket t;
    t.school_number = std::move(school);
    t.category = "network";
    t.prio = priority::high;
    t.title = "WLAN ausgefallen";
    t.description = "Kein Netz im Altbau";
    t.room = "B 1.12";
    t.asset_tag = "DO-AP-0815";
    t.requester_id = requester;
    t.assignee_id = assignee;
    return t;
}

ticket storage_fixture::file_ticket(SQLite::Database& db, std::string school, std::int64_t assignee,
                                    time_ms at) const {
    ticket_event created;
    created.at = at;
    created.actor_id = 7;
    return insert_ticket(db, make_ticket(std::move(school), 7, assignee), created, 2026, sla(), at);
}

} // namespace campusdesk::testing
