// The time-driven notices (issue 17) on a real database file: SLA breaches, unseen tickets and digests are queued
// once per ticket, never for what was already past when mail was switched on, and not at all with mail off.
#include "test_server.hpp"

#include "core/business_calendar.hpp"
#include "core/local_time.hpp"
#include "server/app.hpp"
#include "server/config_loader.hpp"
#include "server/mail/notifier.hpp"
#include "storage/database.hpp"
#include "storage/directory_repository.hpp"
#include "storage/mail_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {

constexpr time_ms minute = 60'000;
constexpr time_ms day = 24 * 60 * minute;

struct fixture {
    temp_dir dir;
    app_config config = *load_config(write_config(dir.path, {{"mail", "enabled = true\ndigest_hour = 0"}})).config;
    business_calendar calendar{config.calendar};
    SQLite::Database db = open_writer_database(dir.path / "campusdesk.db");
    time_ms now = now_ms();
    std::int64_t teacher = 0, manager_user = 0, dispatcher = 0, manager_id = 0;

    fixture() {
        sync_directory(db, config, {config.sla, calendar}, now);
        manager_id = find_manager_by_login(db, "manager01")->id;
        teacher = insert_user(db, {0, "t", "Teacher", role::teacher, "141017", 0, "", false, {}}, now, "t@example.org");
        manager_user = insert_user(db, {0, "manager01", "Manager", role::campus_manager, "", manager_id, "", false, {}}, now);
        dispatcher = insert_user(db, {0, "d", "Desk", role::dispatcher, "", 0, "", false, {}}, now, "d@example.org");
    }

    // A network ticket at manager01's school filed `age` ago and never touched.
    std::int64_t file(time_ms age, priority prio = priority::critical) {
        ticket t;
        t.school_number = "141017";
        t.category = "network";
        t.prio = prio;
        t.title = "Kein Netz";
        t.requester_id = teacher;
        t.assignee_id = manager_id;
        ticket_event created;
        created.at = now - age;
        created.actor_id = teacher;
        const int year = local_date_of(created.at, calendar.zone()).year;
        return insert_ticket(db, t, created, year, {config.sla, calendar}, now - age).id;
    }

    std::size_t run(time_ms at) { return queue_time_notices(config.mail, calendar, db, at, 500); }

    // kind and recipient of every queued row about `ticket`, sorted
    std::vector<std::pair<std::string, std::int64_t>> queued_for(std::int64_t ticket) {
        SQLite::Statement s(db, "SELECT kind, recipient_id FROM mail_outbox WHERE ticket_id = ? ORDER BY kind, recipient_id");
        s.bind(1, ticket);
        std::vector<std::pair<std::string, std::int64_t>> rows;
        while (s.executeStep()) rows.emplace_back(s.getColumn(0).getString(), s.getColumn(1).getInt64());
        return rows;
    }
};

} // namespace

TEST_CASE("time-driven notices: once per ticket, none for old news, none with mail off", "[server][mail]") {
    fixture f;
    const auto old = f.file(30 * day);
    // The first run after mail is switched on only notes what is already past.
    CHECK(f.run(f.now) == 0);
    CHECK(f.queued_for(old).empty());

    // Breached and unseen after that first run: the manager hears of the breach, the help desk of both.
    const auto fresh = f.file(20 * day);
    CHECK(f.run(f.now + minute) == 3);
    using rows = std::vector<std::pair<std::string, std::int64_t>>;
    CHECK(f.queued_for(fresh) == rows{{"sla_breach", f.manager_user}, {"sla_breach", f.dispatcher}, {"unseen", f.dispatcher}});
    // Exactly once.
    CHECK(f.run(f.now + 2 * minute) == 0);
    CHECK(f.queued_for(fresh).size() == 3);
    CHECK(f.queued_for(old).empty());

    // A dispatcher who switched breaches off hears only of the unseen ticket.
    save_mail_settings(f.db, f.dispatcher, {"d@example.org", mail_bit(mail_kind::sla_breach), false, "de"});
    const auto third = f.file(20 * day);
    CHECK(f.run(f.now + 3 * minute) == 2);
    CHECK(f.queued_for(third) == rows{{"sla_breach", f.manager_user}, {"unseen", f.dispatcher}});

    // Two network tickets of one school within an hour: a possible outage, told to the help desk once, by the
    // first ticket (the tickets are new but not yet unseen; low priority: minutes old, never at risk, whatever
    // the time of day the test runs).
    const auto first = f.file(10 * minute, priority::low);
    f.file(5 * minute, priority::low);
    CHECK(f.run(f.now + 3 * minute + 1000) == 1);
    CHECK(f.queued_for(first) == rows{{"outage", f.dispatcher}});
    CHECK(f.run(f.now + 3 * minute + 2000) == 0);

    // Mail off: nothing.
    f.config.mail.enabled = false;
    const auto fourth = f.file(20 * day);
    CHECK(f.run(f.now + 4 * minute) == 0);
    CHECK(f.queued_for(fourth).empty());
    CHECK(f.queued_for(first).size() == 1);
}

TEST_CASE("a manager's digest: single mails are held and gathered once a day", "[server][mail]") {
    fixture f;
    CHECK(f.run(f.now) == 0);  // the first run (baseline) queues the day's digest of nothing
    auto settings = *load_mail_settings(f.db, f.manager_user);
    CHECK(settings.email == "a.kowalczyk@schulcampus.dortmund.example");  // from managers.csv
    settings.digest = true;
    save_mail_settings(f.db, f.manager_user, settings);
    const auto a = f.file(20 * day);
    const auto b = f.file(20 * day);
    // Held for the digest: the breach mails to the manager; the help desk's go at once.
    CHECK(f.run(f.now + minute) == 6);
    SQLite::Statement held(f.db, "SELECT count(*) FROM mail_outbox WHERE state = 'held' AND recipient_id = ?");
    held.bind(1, f.manager_user);
    REQUIRE(held.executeStep());
    CHECK(held.getColumn(0).getInt() == 2);
    // Today's digest was made at the first run; tomorrow's gathers the two.
    CHECK(f.run(f.now + day) == 1);
    const auto digest = f.db.execAndGet("SELECT id FROM mail_outbox WHERE kind = 'digest'").getInt64();
    const auto items = digest_items(f.db, digest);
    REQUIRE(items.size() == 2);
    CHECK(((items[0].ticket_id == a && items[1].ticket_id == b) || (items[0].ticket_id == b && items[1].ticket_id == a)));
    CHECK(f.run(f.now + day + minute) == 0);  // once a day
}
