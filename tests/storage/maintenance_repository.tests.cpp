#include "storage/maintenance_repository.hpp"

#include "storage/database.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <catch2/catch.hpp>

#include <SQLiteCpp/Statement.h>

using namespace campusdesk;
using namespace campusdesk::testing;
using namespace campusdesk::testing::times;

namespace {

maintenance_plan tafel_plan() {
    maintenance_plan p;
    p.title = "Digitale Tafeln prüfen";
    p.description = "Kalibrieren, Stifte, Firmware";
    p.kind = device_kind::digital_board;
    p.rule = maintenance_rule::every_school_weeks;
    p.weeks = 12;
    p.start = {2026, 11, 30};
    p.created_by = 1;
    p.created_at = monday_8am;
    return p;
}

std::int64_t count(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getInt64(); }

} // namespace

TEST_CASE("a plan is stored, listed and ended once", "[storage][maintenance]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    const auto id = insert_maintenance_plan(db, tafel_plan());
    auto sommer = tafel_plan();
    sommer.title = "iPad-Updates vor den Sommerferien";
    sommer.kind = device_kind::ipad;
    sommer.rule = maintenance_rule::before_holidays;
    sommer.holiday_name = "Sommerferien";
    sommer.weeks = 4;
    const auto id2 = insert_maintenance_plan(db, sommer);
    const auto found = find_maintenance_plan(db, id);
    REQUIRE(found);
    CHECK(found->title == "Digitale Tafeln prüfen");
    CHECK(found->kind == device_kind::digital_board);
    CHECK(found->start == local_date{2026, 11, 30});
    CHECK(found->holiday_name.empty());
    CHECK(find_maintenance_plan(db, id2)->holiday_name == "Sommerferien");
    CHECK(list_maintenance_plans(db, false).size() == 2);
    CHECK(end_maintenance_plan(db, id, 1, monday_8am + day));
    CHECK_FALSE(end_maintenance_plan(db, id, 1, monday_8am + day));
    CHECK_FALSE(end_maintenance_plan(db, 999, 1, monday_8am));
    const auto active = list_maintenance_plans(db, true);
    REQUIRE(active.size() == 1);
    CHECK(active[0].id == id2);
    CHECK(count(db, "SELECT count(*) FROM audit_log WHERE action LIKE 'maintenance_plan_%'") == 3);
}

TEST_CASE("tasks are added once per plan, school and period, also from another connection", "[storage][maintenance]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    const auto plan = insert_maintenance_plan(db, tafel_plan());
    const std::vector<task_seed> seeds{{plan, "100011", {0, {2026, 11, 30}, {2027, 3, 5}}, 1},
                                       {plan, "100012", {0, {2026, 11, 30}, {2027, 3, 5}}, 1}};
    CHECK(add_maintenance_tasks(db, seeds, monday_8am) == 2);
    CHECK(add_maintenance_tasks(db, seeds, monday_8am + day) == 0);
    {
        auto again = open_writer_database(f.file);  // the daily job after a restart
        CHECK(add_maintenance_tasks(again, seeds, monday_8am + 2 * day) == 0);
        CHECK(add_maintenance_tasks(again, {{plan, "100011", {1, {2027, 3, 6}, {2027, 6, 11}}, 1}}, monday_8am) == 1);
    }
    CHECK(count(db, "SELECT count(*) FROM maintenance_tasks") == 3);
    const auto all = list_maintenance_tasks(db, {});
    REQUIRE(all.size() == 3);
    CHECK(all[0].plan_title == "Digitale Tafeln prüfen");
    CHECK(all[0].kind == device_kind::digital_board);
    CHECK(all[0].due == local_date{2027, 3, 5});
    CHECK(all[0].planned_due == local_date{2027, 3, 5});
    CHECK(all[2].period == 1);
    task_query only;
    only.schools = {"100012"};
    CHECK(list_maintenance_tasks(db, only).size() == 1);
    only.schools = {};
    only.due_by = local_date{2027, 3, 5};
    CHECK(list_maintenance_tasks(db, only).size() == 2);
    only.due_by.reset();
    only.due_from = local_date{2027, 3, 6};
    CHECK(list_maintenance_tasks(db, only).size() == 1);
}

TEST_CASE("done and postponed tasks keep their history; a done task cannot change", "[storage][maintenance]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    const auto plan = insert_maintenance_plan(db, tafel_plan());
    add_maintenance_tasks(db, {{plan, "100011", {0, {2026, 11, 30}, {2026, 12, 4}}, 1},
                               {plan, "100012", {0, {2026, 11, 30}, {2026, 12, 4}}, 1}},
                          monday_8am);
    const auto tasks = list_maintenance_tasks(db, {});
    const auto a = tasks[0].id, b = tasks[1].id;
    CHECK(postpone_maintenance_task(db, a, 5, monday_8am, {2026, 12, 11}, "Raum für Prüfungen belegt"));
    CHECK(postpone_maintenance_task(db, a, 5, monday_8am + day, {2026, 12, 18}, "Ersatzteil fehlt"));
    const auto moved = find_maintenance_task(db, a);
    CHECK(moved->due == local_date{2026, 12, 18});
    CHECK(moved->planned_due == local_date{2026, 12, 4});
    CHECK(moved->postponements == 2);
    CHECK(moved->postpone_reason == "Ersatzteil fehlt");
    const auto history = postponements_of(db, a);
    REQUIRE(history.size() == 2);
    CHECK(history[0].from == local_date{2026, 12, 4});
    CHECK(history[1].from == local_date{2026, 12, 11});
    CHECK(history[1].to == local_date{2026, 12, 18});
    CHECK(complete_maintenance_task(db, b, 5, monday_8am, {2026, 12, 3}, "Alles in Ordnung"));
    CHECK_FALSE(complete_maintenance_task(db, b, 5, monday_8am, {2026, 12, 3}, "zweimal"));
    CHECK_FALSE(postpone_maintenance_task(db, b, 5, monday_8am, {2026, 12, 11}, "zu spät"));
    const auto done = find_maintenance_task(db, b);
    CHECK(done->state == task_status::done);
    CHECK(done->done_on == local_date{2026, 12, 3});
    CHECK(done->note == "Alles in Ordnung");
    CHECK(done->done_by == 5);
    task_query open;
    open.state = task_status::open;
    CHECK(list_maintenance_tasks(db, open).size() == 1);
    CHECK(due_task_counts(db, {"100011", "100012"}, {2026, 12, 18}) == std::map<std::string, int>{{"100011", 1}});
    CHECK(due_task_counts(db, {"100011"}, {2026, 12, 17}).empty());
    CHECK_FALSE(find_maintenance_task(db, 999));
}

TEST_CASE("open tasks follow their school to its new campus manager", "[storage][maintenance]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    const auto plan = insert_maintenance_plan(db, tafel_plan());
    add_maintenance_tasks(db, {{plan, "100011", {0, {2026, 11, 30}, {2026, 12, 4}}, 1},
                               {plan, "100011", {1, {2026, 12, 5}, {2027, 3, 5}}, 1},
                               {plan, "100021", {0, {2026, 11, 30}, {2026, 12, 4}}, 2}},
                          monday_8am);
    const auto first = list_maintenance_tasks(db, {})[0].id;
    complete_maintenance_task(db, first, 5, monday_8am, {2026, 12, 4}, "");
    CHECK(reassign_open_tasks(db, {{"100011", 3}, {"100021", 2}}) == 1);
    CHECK(reassign_open_tasks(db, {{"100011", 3}, {"100021", 2}}) == 0);
    CHECK(find_maintenance_task(db, first)->assignee_id == 1);  // done work stays with who had it
    CHECK(count(db, "SELECT count(*) FROM maintenance_tasks WHERE assignee_id = 3") == 1);
}

TEST_CASE("schools with a device kind in service", "[storage][maintenance]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    db.exec("INSERT INTO devices (school_number, kind, serial, owner_group, status, imported_at, updated_at) VALUES "
            "('100011', 'digital_board', 'A', 'teachers', 'in_use', 0, 0),"
            "('100011', 'digital_board', 'B', 'teachers', 'in_repair', 0, 0),"
            "('100012', 'digital_board', 'C', 'teachers', 'retired', 0, 0),"
            "('100021', 'ipad', 'D', 'pupils', 'in_use', 0, 0)");
    CHECK(schools_with_device_kind(db, device_kind::digital_board) == std::vector<std::string>{"100011"});
    CHECK(schools_with_device_kind(db, device_kind::ipad) == std::vector<std::string>{"100021"});
    CHECK(schools_with_device_kind(db, device_kind::printer).empty());
}
