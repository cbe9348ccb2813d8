// Maintenance work in a person's data (issue 18, docs/datenschutz.md): the export lists the plans they created and
// the tasks they did and postponed; erasure and the retention period leave the work and its words, not the name.
#include "storage/maintenance_repository.hpp"
#include "storage/retention_repository.hpp"
#include "storage/user_repository.hpp"

#include "storage/database.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;
using namespace campusdesk::testing;
using namespace campusdesk::testing::times;

namespace {

struct maintenance_scene {
    storage_fixture f;
    SQLite::Database db = open_writer_database(f.file);
    std::int64_t dispatcher = 0, manager = 0, other = 0, task = 0, second_task = 0;

    maintenance_scene() {
        f.add_directory(db);
        dispatcher = insert_user(db, {0, "dispatch1", "Ines Marx", role::dispatcher, "", 0, "", false, {}}, monday_8am);
        manager = insert_user(db, {0, "manager01", "Manager 1", role::campus_manager, "", 1, "", false, {}}, monday_8am);
        other = insert_user(db, {0, "manager02", "Manager 2", role::campus_manager, "", 2, "", false, {}}, monday_8am);
        maintenance_plan p;
        p.title = "Netzwerkschrank Sichtprüfung";
        p.description = "Lüftung, USV";
        p.school_number = "100011";
        p.weeks = 4;
        p.start = {2026, 10, 5};
        p.created_by = dispatcher;
        p.created_at = monday_8am;
        const auto plan = insert_maintenance_plan(db, p);
        const std::vector<task_seed> seeds{{plan, "100011", {0, {2026, 10, 5}, {2026, 10, 30}}, 1},
                                           {plan, "100011", {1, {2026, 10, 31}, {2026, 11, 27}}, 1}};
        add_maintenance_tasks(db, seeds, monday_8am);
        const auto tasks = list_maintenance_tasks(db, {});
        REQUIRE(tasks.size() == 2);
        task = tasks[0].id;
        second_task = tasks[1].id;
        REQUIRE(postpone_maintenance_task(db, task, manager, monday_8am + day, {2026, 11, 3}, "Raum für Prüfungen belegt"));
        REQUIRE(complete_maintenance_task(db, task, manager, monday_8am + 20 * day, {2026, 10, 25}, "Lüfter gereinigt"));
        REQUIRE(postpone_maintenance_task(db, second_task, other, monday_8am + 30 * day, {2026, 12, 4}, "Krank"));
    }
};

} // namespace

TEST_CASE("a person's data holds the maintenance work they did", "[storage][privacy][maintenance]") {
    maintenance_scene s;
    const auto manager = load_personal_data(s.db, "manager01");
    REQUIRE(manager);
    REQUIRE(manager->maintenance.size() == 2);
    CHECK(manager->maintenance[0].action == "task_postponed");
    CHECK(manager->maintenance[0].text == "Raum für Prüfungen belegt");
    CHECK(manager->maintenance[0].dates == "2026-10-30 → 2026-11-03");
    CHECK(manager->maintenance[0].plan_title == "Netzwerkschrank Sichtprüfung");
    CHECK(manager->maintenance[0].school_number == "100011");
    CHECK(manager->maintenance[1].action == "task_done");
    CHECK(manager->maintenance[1].text == "Lüfter gereinigt");
    const auto dispatcher = load_personal_data(s.db, "dispatch1");
    REQUIRE(dispatcher);
    REQUIRE(dispatcher->maintenance.size() == 1);
    CHECK(dispatcher->maintenance[0].action == "plan_created");
    CHECK(dispatcher->maintenance[0].text == "Lüftung, USV");
}

TEST_CASE("erasure moves the maintenance work to the anonymous account, keeping its words", "[storage][privacy][maintenance]") {
    maintenance_scene s;
    REQUIRE(erase_person(s.db, "manager01", monday_8am + 40 * day));
    REQUIRE(erase_person(s.db, "dispatch1", monday_8am + 40 * day));
    const auto anonymous = anonymous_user_id(s.db, monday_8am);
    CHECK(find_maintenance_task(s.db, s.task)->done_by == anonymous);
    CHECK(find_maintenance_task(s.db, s.task)->note == "Lüfter gereinigt");
    const auto moved = postponements_of(s.db, s.task);
    REQUIRE(moved.size() == 1);
    CHECK(moved[0].by_user == anonymous);
    CHECK(moved[0].reason == "Raum für Prüfungen belegt");
    CHECK(postponements_of(s.db, s.second_task)[0].by_user == s.other);  // someone else's stays theirs
    CHECK(s.db.execAndGet("SELECT created_by FROM maintenance_plans").getInt64() == anonymous);
}

TEST_CASE("after the retention period maintenance work no longer names who did it", "[storage][privacy][maintenance]") {
    maintenance_scene s;
    CHECK(anonymise_maintenance_before(s.db, monday_8am, monday_8am) == 0);  // nothing that old
    CHECK_FALSE(find_user_by_login(s.db, "(anonymisiert)"));                  // and no account made for nothing
    // Before day 25: the first postponement (day 1) and the task done (day 20), not the later postponement.
    CHECK(anonymise_maintenance_before(s.db, monday_8am + 25 * day, monday_8am + 1100 * day) == 2);
    const auto anonymous = anonymous_user_id(s.db, monday_8am);
    CHECK(find_maintenance_task(s.db, s.task)->done_by == anonymous);
    CHECK(postponements_of(s.db, s.task)[0].by_user == anonymous);
    CHECK(postponements_of(s.db, s.task)[0].reason == "Raum für Prüfungen belegt");
    CHECK(postponements_of(s.db, s.second_task)[0].by_user == s.other);
    CHECK(anonymise_maintenance_before(s.db, monday_8am + 25 * day, monday_8am + 1100 * day) == 0);  // once
}
