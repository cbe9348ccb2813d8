// The school directory flows one way, from the config's CSV files into the tables (sync_directory), on real
// database files: removed schools and managers become former ones, moved schools take their open tickets along.
#include "storage/directory_repository.hpp"

#include "core/app_config.hpp"
#include "storage/board_repository.hpp"
#include "storage/database.hpp"
#include "storage/report_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <catch2/catch.hpp>

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <tuple>

using namespace campusdesk;
using namespace campusdesk::testing;
using namespace campusdesk::testing::times;

namespace {

// Managers manager01..03, each with schools 1000<m>1 and 1000<m>2, as the CSV files would give them.
app_config directory_config() {
    app_config c;
    for (int m = 1; m <= 3; ++m) {
        c.managers.push_back({fmt::format("manager0{}", m), fmt::format("Manager {}", m), "", ""});
        for (int s = 1; s <= 2; ++s)
            c.schools.push_back({fmt::format("1000{}{}", m, s), fmt::format("Schule {}{}", m, s), "Grundschule",
                                 "Eving", "Weg 1", fmt::format("manager0{}", m)});
    }
    return c;
}

school* school_in(app_config& c, const std::string& number) {
    auto it = std::find_if(c.schools.begin(), c.schools.end(), [&](const school& s) { return s.number == number; });
    REQUIRE(it != c.schools.end());
    return &*it;
}

void remove_school(app_config& c, const std::string& number) {
    std::erase_if(c.schools, [&](const school& s) { return s.number == number; });
}

std::int64_t manager_id(SQLite::Database& db, const std::string& login) {
    const auto m = find_manager_by_login(db, login);
    REQUIRE(m);
    return m->id;
}

ticket act(SQLite::Database& db, const storage_fixture& f, const ticket& t, event_kind kind, time_ms at,
           std::optional<std::int64_t> manager = std::nullopt) {
    ticket_event e;
    e.at = at;
    e.actor_id = 1;
    e.by_staff = true;
    e.kind = kind;
    e.manager_id = manager;
    e.body = "erledigt";
    return append_event(db, t, e, f.sla(), at);
}

// The first sync, from `config`; the managers' ids.
std::tuple<std::int64_t, std::int64_t, std::int64_t> first_sync(SQLite::Database& db, const storage_fixture& f, const app_config& config) {
    sync_directory(db, config, f.sla(), monday_8am);
    return {manager_id(db, "manager01"), manager_id(db, "manager02"), manager_id(db, "manager03")};
}

std::vector<std::string> audit_of(SQLite::Database& db, const std::string& subject) {
    SQLite::Statement s(db, "SELECT action || ' ' || actor_id FROM audit_log WHERE subject = ? ORDER BY id");
    s.bind(1, subject);
    std::vector<std::string> rows;
    while (s.executeStep()) rows.push_back(s.getColumn(0).getString());
    return rows;
}

const school_record* school_row(const std::vector<school_record>& schools, const std::string& number) {
    for (const auto& s : schools)
        if (s.number == number) return &s;
    return nullptr;
}

} // namespace

TEST_CASE("the first sync writes the directory; an unchanged one changes nothing", "[storage][directory]") {
    storage_fixture f;
    auto config = directory_config();
    {
        auto db = open_writer_database(f.file);
        const auto first = sync_directory(db, config, f.sla(), monday_8am);
        CHECK(first.managers_added.size() == 3);
        CHECK(first.schools_added.size() == 6);
        CHECK(first.tickets_reassigned.empty());
    }
    auto db = open_writer_database(f.file);
    CHECK(sync_directory(db, config, f.sla(), monday_8am + day).empty());
    const auto managers = load_managers(db);
    REQUIRE(managers.size() == 3);
    CHECK(managers[1].login == "manager02");
    CHECK(managers[1].schools == std::vector<std::string>{"100021", "100022"});
    CHECK(managers[1].active);
    // Changed details of a school are written over.
    school_in(config, "100021")->name = "Schule 21 (neu)";
    const auto renamed = sync_directory(db, config, f.sla(), monday_8am + day);
    CHECK(renamed.empty());
    CHECK(find_school_record(db, "100021")->name == "Schule 21 (neu)");
}

TEST_CASE("a school removed from schools.csv becomes a former school; its tickets keep it",
          "[storage][directory]") {
    storage_fixture f;
    auto config = directory_config();
    std::string open_number;
    {
        auto db = open_writer_database(f.file);
        sync_directory(db, config, f.sla(), monday_8am);
        const auto m1 = manager_id(db, "manager01");
        open_number = f.file_ticket(db, "100012", m1, monday_8am).number;
        remove_school(config, "100012");
        const auto changes = sync_directory(db, config, f.sla(), monday_8am + day);
        CHECK(changes.schools_removed == std::vector<std::string>{"100012"});
        CHECK(changes.tickets_reassigned.empty());
        CHECK(sync_directory(db, config, f.sla(), monday_8am + day).empty());
    }
    auto db = open_reader_database(f.file);
    const auto schools = load_schools(db);
    CHECK(schools.size() == 6);  // the row stays
    const auto* former = school_row(schools, "100012");
    REQUIRE(former);
    CHECK_FALSE(former->active);
    CHECK(former->name == "Schule 12");
    CHECK(former->manager_id == manager_id(db, "manager01"));  // the manager it had last
    CHECK(school_row(schools, "100011")->active);
    // No longer among its manager's schools; its open ticket stays as it was.
    CHECK(find_manager_by_login(db, "manager01")->schools == std::vector<std::string>{"100011"});
    const auto t = find_ticket(db, open_number);
    REQUIRE(t);
    CHECK(t->school_number == "100012");
    CHECK(t->assignee_id == former->manager_id);
    CHECK(load_events(db, t->id).size() == 1);
    // Reports still name it.
    const auto report = load_report_tickets(db, monday_8am, monday_8am + day);
    REQUIRE(report.size() == 1);
    CHECK(report[0].school_name == "Schule 12");
}

TEST_CASE("a school back in schools.csv is offered again", "[storage][directory]") {
    storage_fixture f;
    auto config = directory_config();
    auto db = open_writer_database(f.file);
    sync_directory(db, config, f.sla(), monday_8am);
    auto without = config;
    remove_school(without, "100012");
    sync_directory(db, without, f.sla(), monday_8am);
    const auto back = sync_directory(db, config, f.sla(), monday_8am + day);
    CHECK(back.schools_returned == std::vector<std::string>{"100012"});
    CHECK(find_school_record(db, "100012")->active);
}

TEST_CASE("a school moving to another campus manager takes its open tickets along, an event each",
          "[storage][directory]") {
    storage_fixture f;
    auto config = directory_config();
    std::vector<std::string> open;
    std::string closed_number, resolved_number, elsewhere_number, other_school_number;
    std::int64_t m1 = 0, m2 = 0, m3 = 0;
    const time_ms moved_at = monday_8am + 2 * day;
    {
        auto db = open_writer_database(f.file);
        std::tie(m1, m2, m3) = first_sync(db, f, config);
        open.push_back(f.file_ticket(db, "100011", m1, monday_8am).number);
        auto waiting = f.file_ticket(db, "100011", m1, monday_8am + minute);
        ticket_event e;
        e.at = monday_8am + 2 * minute;
        e.actor_id = 1;
        e.by_staff = true;
        e.kind = event_kind::status_changed;
        e.to_status = status::waiting_on_requester;
        append_event(db, waiting, e, f.sla(), e.at);
        open.push_back(waiting.number);
        closed_number = act(db, f, f.file_ticket(db, "100011", m1, monday_8am), event_kind::closed,
                            monday_8am + 10 * minute).number;
        resolved_number = act(db, f, f.file_ticket(db, "100011", m1, monday_8am), event_kind::resolved,
                              monday_8am + 10 * minute).number;
        // The help desk gave this one to manager03: it stays with them.
        elsewhere_number = act(db, f, f.file_ticket(db, "100011", m1, monday_8am), event_kind::assigned,
                               monday_8am + 10 * minute, m3).number;
        other_school_number = f.file_ticket(db, "100012", m1, monday_8am).number;

        school_in(config, "100011")->manager_login = "manager02";
        const auto changes = sync_directory(db, config, f.sla(), moved_at);
        CHECK(changes.schools_moved == std::vector<std::string>{"100011"});
        CHECK(changes.tickets_reassigned == open);
        CHECK(sync_directory(db, config, f.sla(), moved_at + day).empty());
    }
    auto db = open_reader_database(f.file);
    CHECK(find_school_record(db, "100011")->manager_id == m2);
    CHECK(find_manager_by_login(db, "manager02")->schools == std::vector<std::string>{"100011", "100021", "100022"});
    for (const auto& number : open) {
        INFO(number);
        const auto t = find_ticket(db, number);
        REQUIRE(t);
        CHECK(t->assignee_id == m2);
        const auto events = load_events(db, t->id);
        const auto& e = events.back();
        CHECK(e.kind == event_kind::assigned);
        CHECK(e.actor_id == 0);  // the system
        CHECK(e.at == moved_at);
        CHECK(e.manager_id == m2);
        CHECK(e.body == "Die Schule Schule 11 wird jetzt von Manager 2 betreut.");
        CHECK(audit_of(db, number) == std::vector<std::string>{"assigned 0"});
    }
    CHECK(find_ticket(db, open[1])->state == status::waiting_on_requester);  // only the assignee changes
    for (const auto& number : {closed_number, resolved_number}) {
        const auto t = find_ticket(db, number);
        CHECK(t->assignee_id == m1);
        CHECK(load_events(db, t->id).size() == 2);
    }
    CHECK(find_ticket(db, elsewhere_number)->assignee_id == m3);
    CHECK(find_ticket(db, other_school_number)->assignee_id == m1);
    // The queue query sees it: manager02's open tickets now include the moved ones.
    const auto loads = load_open_loads(db, f.calendar, moved_at, 0).managers;
    const auto m2_load = std::find_if(loads.begin(), loads.end(), [&](const manager_load& l) { return l.manager_id == m2; });
    REQUIRE(m2_load != loads.end());
    CHECK(m2_load->open == 2);
}

TEST_CASE("a manager removed from managers.csv becomes a former manager; their open tickets and absences are "
          "handed over", "[storage][directory]") {
    storage_fixture f;
    auto config = directory_config();
    std::string own_open, own_closed, lent_open, orphan_open;
    std::int64_t m1 = 0, m2 = 0, m3 = 0;
    const time_ms left_at = monday_8am + 3 * day;
    {
        auto db = open_writer_database(f.file);
        std::tie(m1, m2, m3) = first_sync(db, f, config);
        own_open = f.file_ticket(db, "100031", m3, monday_8am).number;
        own_closed = act(db, f, f.file_ticket(db, "100031", m3, monday_8am), event_kind::closed,
                         monday_8am + minute).number;
        // A ticket of manager01's school that the help desk gave to manager03.
        lent_open = act(db, f, f.file_ticket(db, "100011", m1, monday_8am), event_kind::assigned,
                        monday_8am + minute, m3).number;
        // manager03's school 100032 leaves the directory with them: its ticket waits for the help desk.
        orphan_open = f.file_ticket(db, "100032", m3, monday_8am).number;
        // manager02 is away with manager03 as substitute; manager03 has planned an absence too.
        set_absence(db, {m2, monday_8am, monday_8am + 10 * day, m3}, monday_8am);
        set_absence(db, {m3, monday_8am + 5 * day, monday_8am + 6 * day, m1}, monday_8am);

        std::erase_if(config.managers, [](const manager_entry& m) { return m.login == "manager03"; });
        school_in(config, "100031")->manager_login = "manager01";
        remove_school(config, "100032");
        const auto changes = sync_directory(db, config, f.sla(), left_at);
        CHECK(changes.managers_removed == std::vector<std::string>{"manager03"});
        CHECK(changes.schools_moved == std::vector<std::string>{"100031"});
        CHECK(changes.schools_removed == std::vector<std::string>{"100032"});
        CHECK(changes.tickets_reassigned == std::vector<std::string>{own_open, lent_open});
        CHECK(changes.tickets_left_with_former_manager == std::vector<std::string>{orphan_open});
        CHECK(changes.absences_ended == std::vector<std::string>{"manager02", "manager03"});
        const auto again = sync_directory(db, config, f.sla(), left_at + day);
        CHECK(again.tickets_reassigned.empty());
        CHECK(again.absences_ended.empty());
        CHECK(again.tickets_left_with_former_manager == std::vector<std::string>{orphan_open});
    }
    auto db = open_reader_database(f.file);
    // The row and the name stay, for old tickets and reports.
    const auto former = find_manager(db, m3);
    REQUIRE(former);
    CHECK_FALSE(former->active);
    CHECK(former->name == "Manager 3");
    CHECK(former->schools.empty());
    CHECK(find_ticket(db, own_open)->assignee_id == m1);  // with the school, to its new manager
    CHECK(find_ticket(db, own_closed)->assignee_id == m3);
    const auto lent = find_ticket(db, lent_open);
    CHECK(lent->assignee_id == m1);  // back to the school's manager
    const auto lent_events = load_events(db, lent->id);
    CHECK(lent_events.back().actor_id == 0);
    CHECK(lent_events.back().body == "Manager 3 betreut die Schule nicht mehr; das Ticket geht an Manager 1.");
    CHECK(find_ticket(db, orphan_open)->assignee_id == m3);
    // No absence names manager03 from now on; the past part of manager02's stays as a record.
    for (const auto& a : load_absences(db)) {
        CHECK(a.to <= left_at);
        CHECK(a.from < left_at);
    }
    CHECK(load_current_absences(db, left_at).empty());
    CHECK(audit_of(db, "manager02") == std::vector<std::string>{"absence_end 0"});
    // Reports list the managers in the directory, and former ones where the month's tickets name them.
    auto names_former = [](const std::vector<report_manager>& managers) {
        return std::any_of(managers.begin(), managers.end(), [](const report_manager& m) { return m.login == "manager03"; });
    };
    CHECK(load_report_managers(db, {}).size() == 2);
    CHECK_FALSE(names_former(load_report_managers(db, {})));
    const auto tickets = load_report_tickets(db, monday_8am, left_at + day);
    REQUIRE(tickets.size() == 4);
    CHECK(names_former(load_report_managers(db, tickets)));
}

TEST_CASE("a campus manager's account has the address of managers.csv, also after it changes", "[storage][directory]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    auto config = directory_config();
    config.managers[0].email = "alt@schulen.example";
    sync_directory(db, config, f.sla(), monday_8am);
    const auto id = insert_user(db, {0, "manager01", "M", role::campus_manager, "", manager_id(db, "manager01"), "", false, {}},
                                monday_8am, "ignored@example.org");
    const auto teacher = insert_user(db, {0, "t", "T", role::teacher, "100011", 0, "", false, {}}, monday_8am, "t@example.org");
    auto email_of = [&](std::int64_t user) {
        SQLite::Statement s(db, "SELECT email FROM users WHERE id = ?");
        s.bind(1, user);
        REQUIRE(s.executeStep());
        return s.getColumn(0).getString();
    };
    CHECK(email_of(id) == "alt@schulen.example");
    CHECK(email_of(teacher) == "t@example.org");
    config.managers[0].email = "neu@schulen.example";
    sync_directory(db, config, f.sla(), monday_8am);
    CHECK(email_of(id) == "neu@schulen.example");
    CHECK(email_of(teacher) == "t@example.org");  // only managers follow the directory
}

TEST_CASE("a school moved on the admin page: its tickets follow, the sync keeps the move until the file changes",
          "[storage][directory]") {
    storage_fixture f;
    auto config = directory_config();
    auto db = open_writer_database(f.file);
    const auto [m1, m2, m3] = first_sync(db, f, config);
    const auto open = f.file_ticket(db, "100011", m1, monday_8am).number;
    const auto elsewhere = act(db, f, f.file_ticket(db, "100011", m1, monday_8am), event_kind::assigned,
                               monday_8am + minute, m3).number;
    const std::int64_t admin = 42;
    const time_ms moved_at = monday_8am + day;

    CHECK(move_school(db, "100011", m2, admin, f.sla(), moved_at) == std::vector<std::string>{open});
    CHECK(move_school(db, "100011", m2, admin, f.sla(), moved_at).empty());  // already there: nothing happens
    CHECK(find_school_record(db, "100011")->manager_id == m2);
    const auto t = find_ticket(db, open);
    CHECK(t->assignee_id == m2);
    const auto events = load_events(db, t->id);
    CHECK(events.back().kind == event_kind::assigned);
    CHECK(events.back().actor_id == admin);
    CHECK(events.back().by_staff);
    CHECK(audit_of(db, open) == std::vector<std::string>{"assigned 42"});
    CHECK(audit_of(db, "100011") == std::vector<std::string>{"school_move 42"});
    CHECK(find_ticket(db, elsewhere)->assignee_id == m3);

    // The file still names manager01: the sync keeps the admin's move, and changes nothing.
    CHECK(sync_directory(db, config, f.sla(), moved_at + day).empty());
    CHECK(find_school_record(db, "100011")->manager_id == m2);
    // Moved on again: the file's manager is still the one remembered.
    CHECK(move_school(db, "100011", m3, admin, f.sla(), moved_at + day).size() == 1);
    CHECK(sync_directory(db, config, f.sla(), moved_at + 2 * day).empty());
    CHECK(find_school_record(db, "100011")->manager_id == m3);
    // The file is changed for that school: the file wins, the move is forgotten, the tickets follow the file.
    school_in(config, "100011")->manager_login = "manager02";
    const auto changes = sync_directory(db, config, f.sla(), moved_at + 3 * day);
    CHECK(changes.schools_moved == std::vector<std::string>{"100011"});
    CHECK(find_school_record(db, "100011")->manager_id == m2);
    CHECK(find_ticket(db, open)->assignee_id == m2);
    CHECK(db.execAndGet("SELECT count(*) FROM school_moves").getInt() == 0);
    // A move after the file changed is kept while the file says what it says now.
    move_school(db, "100011", m1, admin, f.sla(), moved_at + 4 * day);
    CHECK(sync_directory(db, config, f.sla(), moved_at + 5 * day).empty());
    CHECK(find_school_record(db, "100011")->manager_id == m1);
}
