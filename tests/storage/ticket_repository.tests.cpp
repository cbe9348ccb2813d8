#include "storage/ticket_repository.hpp"

#include "storage/board_repository.hpp"
#include "storage/retention_repository.hpp"
#include "storage/database.hpp"
#include "storage/user_repository.hpp"
#include "storage/write_queue.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <functional>
#include <catch2/catch.hpp>

#include <SQLiteCpp/Statement.h>

#include <atomic>
#include <set>
#include <future>

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {
// Monday 2026-10-05 08:00 Europe/Berlin (06:00 UTC).
constexpr time_ms monday_8am = 1'791'180'000'000;
constexpr time_ms minute = 60'000;
} // namespace

TEST_CASE("tickets and their history survive closing and reopening the database file", "[storage][tickets]") {
    storage_fixture f;
    std::string number;
    {
        auto db = open_writer_database(f.file);
        f.add_directory(db);
        ticket_event created;
        created.at = monday_8am;
        created.actor_id = 7;
        auto t = insert_ticket(db, f.make_ticket("100011", 7, 1), created, 2026, f.sla(), monday_8am);
        number = t.number;
        CHECK(number == "CD-2026-000001");
        ticket_event reply;
        reply.at = monday_8am + 30 * minute;
        reply.actor_id = 99;
        reply.by_staff = true;
        reply.kind = event_kind::public_reply;
        reply.body = "Bin unterwegs.";
        t = append_event(db, t, reply, f.sla(), monday_8am + 30 * minute);
        ticket_event note = reply;
        note.kind = event_kind::status_changed;
        note.to_status = status::waiting_on_third_party;
        t = append_event(db, t, note, f.sla(), monday_8am + 31 * minute);
        CHECK(t.state == status::waiting_on_third_party);
    }
    auto db = open_reader_database(f.file);
    auto t = find_ticket(db, number);
    REQUIRE(t);
    CHECK(t->state == status::waiting_on_third_party);
    CHECK(t->title == "WLAN ausgefallen");
    CHECK(t->assignee_id == 1);
    auto events = load_events(db, t->id);
    REQUIRE(events.size() == 3);
    CHECK(events[0].kind == event_kind::created);
    CHECK(events[0].to_priority == priority::high);
    CHECK(events[1].body == "Bin unterwegs.");
    CHECK(events[1].seq == 2);
    CHECK(events[2].to_status == status::waiting_on_third_party);
    // The stored projection: first response met after 30 business minutes.
    SQLite::Statement s(db, "SELECT fr_verdict, fr_used_ms, res_verdict FROM tickets WHERE id = ?");
    s.bind(1, t->id);
    REQUIRE(s.executeStep());
    CHECK(s.getColumn(0).getString() == "met");
    CHECK(s.getColumn(1).getInt64() == 30 * minute);
    CHECK(s.getColumn(2).getString() == "running");
}

TEST_CASE("ticket numbers count per year and never collide with imported ones", "[storage][tickets]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    ticket_event created;
    created.at = monday_8am;
    CHECK(insert_ticket(db, f.make_ticket("100011", 1, 1), created, 2026, f.sla(), monday_8am).number == "CD-2026-000001");
    CHECK(insert_ticket(db, f.make_ticket("100011", 1, 1), created, 2026, f.sla(), monday_8am).number == "CD-2026-000002");
    CHECK(insert_ticket(db, f.make_ticket("100011", 1, 1), created, 2027, f.sla(), monday_8am).number == "CD-2027-000001");
    auto imported = f.make_ticket("100011", 1, 1);
    imported.number = "CD-2026-000500";
    insert_ticket(db, imported, created, 2026, f.sla(), monday_8am);
    CHECK(insert_ticket(db, f.make_ticket("100011", 1, 1), created, 2026, f.sla(), monday_8am).number == "CD-2026-000501");
}

TEST_CASE("lists show only what the viewer may see, paged without gaps or repeats", "[storage][tickets]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    // 30 tickets: school 1000m1 of manager m, teachers 100+m.
    for (int i = 0; i < 30; ++i) {
        const int m = i % 3 + 1;
        ticket_event created;
        created.at = monday_8am + i * minute;
        created.actor_id = 100 + m;
        insert_ticket(db, f.make_ticket(fmt::format("1000{}1", m), 100 + m, m), created, 2026, f.sla(),
                      monday_8am + 40 * minute);
    }
    ticket_query q;
    q.now = monday_8am + 40 * minute;
    SECTION("teacher") {
        q.who = {101, role::teacher, "100011", 0, {}};
        auto page = list_tickets(db, q, f.sla());
        CHECK(page.tickets.size() == 10);
        for (const auto& item : page.tickets) CHECK(item.t.requester_id == 101);
    }
    SECTION("manager, with the SLA figures of each ticket") {
        q.who = {0, role::campus_manager, "", 2, {}};
        auto page = list_tickets(db, q, f.sla());
        CHECK(page.tickets.size() == 10);
        for (const auto& item : page.tickets) {
            CHECK(item.t.school_number == "100021");
            CHECK(item.sla.first_response.used_ms == q.now - item.t.created_at);
        }
    }
    SECTION("dispatcher pages through all 30, newest first") {
        q.who = {0, role::dispatcher, "", 0, {}};
        q.limit = 7;
        std::vector<std::string> seen;
        for (;;) {
            auto page = list_tickets(db, q, f.sla());
            for (const auto& item : page.tickets) seen.push_back(item.t.number);
            if (page.next_cursor.empty()) break;
            q.cursor = page.next_cursor;
        }
        REQUIRE(seen.size() == 30);
        CHECK(seen.front() == "CD-2026-000030");
        CHECK(seen.back() == "CD-2026-000001");
        std::set<std::string> unique(seen.begin(), seen.end());
        CHECK(unique.size() == 30);
    }
    SECTION("sort by due time") {
        q.who = {0, role::dispatcher, "", 0, {}};
        q.sort = ticket_sort::due;
        auto page = list_tickets(db, q, f.sla());
        REQUIRE(page.tickets.size() == 30);
        CHECK(page.tickets.front().t.number == "CD-2026-000001");  // filed first, due first
    }
    SECTION("free text finds words in title, room and asset tag, with umlauts folded") {
        q.who = {0, role::dispatcher, "", 0, {}};
        q.text = "ausgef";
        CHECK(list_tickets(db, q, f.sla()).tickets.size() == 30);
        q.text = "DO-AP-0815";
        CHECK(list_tickets(db, q, f.sla()).tickets.size() == 30);
        q.text = "Drucker";
        CHECK(list_tickets(db, q, f.sla()).tickets.empty());
        q.text = "\"unbalanced";
        CHECK(list_tickets(db, q, f.sla()).tickets.empty());
    }
    SECTION("a malformed cursor is an error, not a crash") {
        q.who = {0, role::dispatcher, "", 0, {}};
        q.cursor = "x:y";
        CHECK_THROWS_AS(list_tickets(db, q, f.sla()), cursor_error);
    }
}

// docs/lists.md: a walk reads at most walk_budget rows a page. Following next_cursor must still give every match,
// in order, exactly once, for every sort and budget, as an unbounded reading does.
TEST_CASE("bounded walks answer partial pages whose cursors still reach every match in order", "[storage][tickets]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    // 60 tickets over three managers' schools; every fifth critical; closed ones among them.
    for (int i = 0; i < 60; ++i) {
        const int m = i % 3 + 1;
        ticket_event created;
        created.at = monday_8am + i * minute;
        created.actor_id = 100 + m;
        auto t = f.make_ticket(fmt::format("1000{}1", m), 100 + m, m);
        t.prio = i % 5 == 0 ? priority::critical : priority::normal;
        insert_ticket(db, t, created, 2026, f.sla(), monday_8am + 70 * minute);
    }
    auto collect = [&](ticket_query q, int& pages) {
        std::vector<std::string> seen;
        pages = 0;
        for (;;) {
            auto page = list_tickets(db, q, f.sla());
            ++pages;
            REQUIRE(static_cast<int>(page.tickets.size()) <= q.limit);
            for (const auto& item : page.tickets) seen.push_back(item.t.number);
            if (page.next_cursor.empty()) break;
            REQUIRE(pages < 200);
            q.cursor = page.next_cursor;
        }
        return seen;
    };
    ticket_query q;
    q.now = monday_8am + 70 * minute;
    q.limit = 4;
    for (const auto& v : {viewer{0, role::dispatcher, "", 0, {}}, viewer{0, role::campus_manager, "", 2, {}}})
        for (auto sort : {ticket_sort::due, ticket_sort::created, ticket_sort::updated})
            for (bool school_filter : {false, true}) {
                q.who = v;
                q.sort = sort;
                q.prio = priority::critical;
                q.school = school_filter ? "100021" : "";
                q.walk_budget = 1'000'000;
                int pages = 0;
                const auto all = collect(q, pages);
                INFO("role " << static_cast<int>(v.who) << " sort " << static_cast<int>(sort) << " school "
                             << school_filter);
                CHECK(all.size() == (school_filter || v.who == role::campus_manager ? 4u : 12u));
                for (int budget : {1, 3, 7, 20}) {
                    q.walk_budget = budget;
                    int bounded_pages = 0;
                    CHECK(collect(q, bounded_pages) == all);
                    // The budget did cut pages short (one school by due time or last change is read whole instead).
                    if (budget == 3 && !(school_filter && sort != ticket_sort::created)) CHECK(bounded_pages > pages);
                }
            }
    SECTION("a text search considers the newest text_candidates matches") {
        q = {};
        q.now = monday_8am + 70 * minute;
        q.who = {0, role::dispatcher, "", 0, {}};
        q.text = "ausgef";
        q.text_candidates = 10;
        int pages = 0;
        const auto seen = collect(q, pages);
        REQUIRE(seen.size() == 10);
        CHECK(seen.front() == "CD-2026-000060");
        CHECK(seen.back() == "CD-2026-000051");
    }
}

TEST_CASE("lists carry the stored SLA evaluation forward to the figures the events give", "[storage][tickets][sla]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    const auto create = [&](int i) {
        ticket_event created;
        created.at = monday_8am + i * minute;
        created.actor_id = 101;
        return insert_ticket(db, f.make_ticket("100011", 101, 1), created, 2026, f.sla(), created.at);
    };
    // Appends an event at `at`, stored as the writer stores it (evaluated at `stored_at`, default: at the event).
    const auto act = [&](const ticket& t, time_ms at, event_kind kind, bool staff = true,
                         std::optional<time_ms> stored_at = std::nullopt) {
        ticket_event e;
        e.at = at;
        e.kind = kind;
        e.by_staff = staff;
        e.actor_id = staff ? 1 : 101;
        if (kind == event_kind::status_changed) e.to_status = status::waiting_on_requester;
        if (kind == event_kind::priority_changed) e.to_priority = priority::critical;
        return append_event(db, t, e, f.sla(), stored_at.value_or(at));
    };
    const time_ms h = 60 * minute;
    create(0);                                                             // both clocks running
    act(act(create(1), monday_8am + 30 * minute, event_kind::public_reply), monday_8am + h,
        event_kind::status_changed);                                       // answered, then paused
    act(create(2), monday_8am + 2 * h, event_kind::resolved);              // met
    act(act(create(3), monday_8am + h, event_kind::resolved), monday_8am + 3 * h, event_kind::reopened, false);
    act(create(4), monday_8am + 10 * minute, event_kind::priority_changed); // shorter targets: breached soon
    act(create(5), monday_8am + 20 * minute, event_kind::closed, false);   // withdrawn by the requester
    const auto future = create(6);                                         // an event after its evaluation
    act(future, monday_8am + 2 * 24 * h, event_kind::public_reply, true, monday_8am + 6 * minute);

    ticket_query q;
    q.who = {0, role::dispatcher, "", 0, {}};
    const auto matches_events = [&](time_ms now) {
        q.now = now;
        const auto page = list_tickets(db, q, f.sla());
        REQUIRE(page.tickets.size() == 7);
        for (const auto& item : page.tickets) {
            CAPTURE(item.t.number, now);
            CHECK(item.sla == evaluate_sla(load_events(db, item.t.id), f.policy, f.calendar, now));
        }
        return page;
    };
    // Through the first day, over night and the weekend, to a week later (the future event lands in between).
    std::set<std::string> verdicts;
    for (const time_ms later : {4 * h, 9 * h, 24 * h, 5 * 24 * h + 30 * minute, 7 * 24 * h, 7 * 24 * h + 5 * h})
        for (const auto& item : matches_events(monday_8am + later).tickets)
            verdicts.insert(fmt::format("{} {}", item.sla.first_response.verdict, item.sla.resolution.verdict));
    CHECK(verdicts.size() >= 4);

    SECTION("the stored figures are what the list shows, unless they cannot be carried forward") {
        db.exec("UPDATE tickets SET fr_used_ms = fr_used_ms + 60000 WHERE number = 'CD-2026-000001'");
        q.now = monday_8am + 4 * h;
        const auto from_events = evaluate_sla(load_events(db, 1), f.policy, f.calendar, q.now);
        CHECK(list_tickets(db, q, f.sla()).tickets.back().sla.first_response.used_ms ==
              from_events.first_response.used_ms + 60000);
        db.exec("UPDATE tickets SET sla_at = NULL WHERE number = 'CD-2026-000001'");  // as after migration 5
        CHECK(list_tickets(db, q, f.sla()).tickets.back().sla == from_events);
    }
}

TEST_CASE("stored SLA figures are recomputed when the policy or calendar they follow changes", "[storage][sla]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    ticket_event created;
    created.at = monday_8am;
    const auto t = insert_ticket(db, f.make_ticket("100011", 101, 1), created, 2026, f.sla(), monday_8am);
    const auto stored_target = [&] {
        return db.execAndGet(fmt::format("SELECT fr_target_minutes FROM tickets WHERE id = {}", t.id)).getInt();
    };
    const time_ms later = monday_8am + 60 * minute;
    // A database that never noted its settings (an older campusdesk) is recomputed once.
    CHECK(recompute_sla_if_settings_changed(db, f.sla(), later) == std::optional<std::size_t>(1));
    CHECK_FALSE(recompute_sla_if_settings_changed(db, f.sla(), later));
    CHECK(stored_target() == f.policy.for_priority(priority::high).first_response_minutes);

    f.policy.targets[static_cast<int>(priority::high)].first_response_minutes = 30;
    CHECK(recompute_sla_if_settings_changed(db, f.sla(), later) == std::optional<std::size_t>(1));
    CHECK(stored_target() == 30);
    CHECK_FALSE(recompute_sla_if_settings_changed(db, f.sla(), later));
    // The recomputed figures are exact at `later` and carry forward from there.
    ticket_query q;
    q.who = {0, role::dispatcher, "", 0, {}};
    q.now = later + 5 * minute;
    CHECK(list_tickets(db, q, f.sla()).tickets.at(0).sla ==
          evaluate_sla(load_events(db, t.id), f.policy, f.calendar, q.now));
}

// Issue 23: every filter and sort shape of the API, the queue and the board, for every kind of viewer. A list
// reads one index in its sort order; it may sort only a set that is bounded by construction: the rows of a
// bounded walk (list_walk_budget), the text candidates (list_text_candidates), the open tickets, or one teacher's
// own. It never scans the tickets table or the events.
TEST_CASE("list queries of every shape read an index in their sort order and sort only bounded sets",
          "[storage][performance]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    const std::vector<std::pair<std::string, viewer>> viewers{
        {"dispatcher", {1, role::dispatcher, "", 0, {}}},
        {"manager", {7, role::campus_manager, "", 3, {}}},
        {"covering manager", {7, role::campus_manager, "", 3, {4}}},
        {"teacher", {9, role::teacher, "123456", 0, {}}},
    };
    using change = std::function<void(ticket_query&)>;
    const std::vector<std::pair<std::string, change>> filters{
        {"no filter", [](ticket_query&) {}},
        {"status=new", [](ticket_query& q) { q.statuses = {status::new_}; }},
        {"status=open", [](ticket_query& q) { q.statuses = {status::open}; }},
        {"status=resolved", [](ticket_query& q) { q.statuses = {status::resolved}; }},
        {"status=closed", [](ticket_query& q) { q.statuses = {status::closed}; }},
        {"status=new&status=open", [](ticket_query& q) { q.statuses = {status::new_, status::open}; }},
        {"status=resolved&status=closed", [](ticket_query& q) { q.statuses = {status::resolved, status::closed}; }},
        {"status=new&status=closed", [](ticket_query& q) { q.statuses = {status::new_, status::closed}; }},
        {"queue (open)", [](ticket_query& q) { q.open_only = true; }},
        {"school", [](ticket_query& q) { q.school = "123456"; }},
        {"school&status=closed", [](ticket_query& q) { q.school = "123456"; q.statuses = {status::closed}; }},
        {"school&open", [](ticket_query& q) { q.school = "123456"; q.open_only = true; }},
        {"assignee", [](ticket_query& q) { q.assignee = 3; }},
        {"assignee&status=closed", [](ticket_query& q) { q.assignee = 3; q.statuses = {status::closed}; }},
        {"assignee&open", [](ticket_query& q) { q.assignee = 3; q.open_only = true; }},
        {"priority", [](ticket_query& q) { q.prio = priority::critical; }},
        {"priority&status=closed", [](ticket_query& q) { q.prio = priority::high; q.statuses = {status::closed}; }},
        {"category", [](ticket_query& q) { q.category = "network"; }},
        {"category&priority", [](ticket_query& q) { q.category = "network"; q.prio = priority::low; }},
        {"q", [](ticket_query& q) { q.text = "Drucker"; }},
        {"q&status=closed", [](ticket_query& q) { q.text = "Drucker"; q.statuses = {status::closed}; }},
        {"q&school", [](ticket_query& q) { q.text = "Beamer"; q.school = "123456"; }},
        {"breached", [](ticket_query& q) { q.breached = true; }},
        {"breached&open", [](ticket_query& q) { q.breached = true; q.open_only = true; }},
        {"breached&status=closed", [](ticket_query& q) { q.breached = true; q.statuses = {status::closed}; }},
        {"at_risk", [](ticket_query& q) { q.at_risk = true; }},
        {"at_risk&school", [](ticket_query& q) { q.at_risk = true; q.school = "123456"; }},
        {"second page", [](ticket_query& q) { q.cursor = "1700000000000:17"; }},
        {"second page of status=closed", [](ticket_query& q) { q.statuses = {status::closed}; q.cursor = "0:17"; }},
        // Issue 16: paging back, searching numbers, and the pages' searches with filters.
        {"previous page", [](ticket_query& q) { q.cursor = "1700000000000:17"; q.backward = true; }},
        {"previous page of status=closed",
         [](ticket_query& q) { q.statuses = {status::closed}; q.cursor = "0:17"; q.backward = true; }},
        {"previous page of the queue", [](ticket_query& q) { q.open_only = true; q.cursor = "0:17"; q.backward = true; }},
        {"previous page of q", [](ticket_query& q) { q.text = "Beamer"; q.cursor = "0:17"; q.backward = true; }},
        {"q=number", [](ticket_query& q) { q.text = "CD-2026-000302"; }},
        {"q=302", [](ticket_query& q) { q.text = "302"; }},
        {"q&open", [](ticket_query& q) { q.text = "Beamer"; q.open_only = true; }},
    };
    int checked = 0;
    for (const auto& [who, v] : viewers)
        for (auto sort : {ticket_sort::due, ticket_sort::created, ticket_sort::updated, ticket_sort::relevance})
            for (const auto& [name, apply] : filters) {
                ticket_query q;
                q.who = v;
                q.sort = sort;
                q.now = 1'700'000'000'000;
                apply(q);
                auto s = prepare_list_query(db, q, f.calendar);
                SQLite::Statement plan(db, "EXPLAIN QUERY PLAN " + s->getQuery());
                for (int i = 1; i <= s->getBindParameterCount(); ++i) plan.bind(i);  // values do not change the plan
                std::string details;
                while (plan.executeStep()) details += plan.getColumn(3).getString() + "\n";
                INFO(who << ", " << name << ", sort " << static_cast<int>(sort) << ":\n" << details);
                CHECK(details.find("SCAN t\n") == std::string::npos);
                CHECK(details.find("ticket_events") == std::string::npos);
                const bool bounded_set = details.find("ticket_search") != std::string::npos ||
                                         details.find("tickets_open_by_due_key") != std::string::npos ||
                                         details.find("tickets_by_due_key (<expr><") != std::string::npos ||
                                         details.find("tickets_by_requester") != std::string::npos ||
                                         details.find("tickets_by_school (school_number=?)") != std::string::npos;
                if (!bounded_set) CHECK(details.find("TEMP B-TREE FOR ORDER BY") == std::string::npos);
                // The queue (open tickets by due time, the busiest page) never reads a table row it does not list:
                // the open tickets' index carries every column its filters and a manager's visibility test.
                // SQLite defers the table seek until a column outside the index is needed, so rows are tested in
                // the index alone when the same query selecting only ids is answered by the covering index.
                if (v.who != role::teacher && q.open_only && q.text.empty()) {
                    const std::string sql = s->getQuery();
                    const auto from = sql.find(" FROM tickets t ");
                    const std::string join = "LEFT JOIN users u ON u.id = t.requester_id ";
                    std::string ids_only = "SELECT t.id" + sql.substr(from);
                    ids_only.erase(ids_only.find(join), join.size());
                    SQLite::Statement probe(db, "EXPLAIN QUERY PLAN " + ids_only);
                    for (int i = 1; i <= probe.getBindParameterCount(); ++i) probe.bind(i);
                    std::string probe_plan;
                    while (probe.executeStep()) probe_plan += probe.getColumn(3).getString() + "\n";
                    INFO("ids only:\n" << probe_plan);
                    CHECK(probe_plan.find("COVERING INDEX tickets_open_by_due_key") != std::string::npos);
                }
                // A bounded walk streams: its rows come out of a co-routine in index order and nothing sorts them,
                // so a full page stops the walk early.
                if (details.find(" w\n") != std::string::npos || details.find("SCAN w") != std::string::npos) {
                    CHECK(details.find("CO-ROUTINE w") != std::string::npos);
                    CHECK(details.find("MATERIALIZE w") == std::string::npos);
                    CHECK(details.find("TEMP B-TREE") == std::string::npos);
                    // A campus manager's walk over all tickets answers their visibility from its index (schema
                    // 21): the walk reads no table row, and the page reads only the rows it may show.
                    if (v.who == role::campus_manager &&
                        (details.find("tickets_by_due_key") != std::string::npos ||
                         details.find("tickets_by_created") != std::string::npos ||
                         details.find("tickets_by_updated") != std::string::npos)) {
                        CHECK(details.find("SCAN t USING COVERING INDEX") != std::string::npos);
                        CHECK(s->getQuery().find("AND w.v") != std::string::npos);
                    }
                }
                // The count of the same shape (the pages' "123 Treffer") reads the same bounded set, unsorted.
                std::int64_t bound = 0;
                auto count = prepare_count_query(db, q, f.calendar, bound);
                SQLite::Statement count_plan(db, "EXPLAIN QUERY PLAN " + count->getQuery());
                for (int i = 1; i <= count->getBindParameterCount(); ++i) count_plan.bind(i);
                std::string count_details;
                while (count_plan.executeStep()) count_details += count_plan.getColumn(3).getString() + "\n";
                INFO("count:\n" << count_details);
                CHECK(count_details.find("SCAN t\n") == std::string::npos);
                CHECK(count_details.find("ticket_events") == std::string::npos);
                // Only a text search's candidates (list_text_candidates index rows at most) are grouped by ticket.
                auto ungrouped = count_details;
                if (!q.text.empty())
                    if (const auto at = ungrouped.find("USE TEMP B-TREE FOR GROUP BY"); at != std::string::npos)
                        ungrouped.erase(at, std::string("USE TEMP B-TREE FOR GROUP BY").size());
                CHECK(ungrouped.find("TEMP B-TREE") == std::string::npos);
                const bool count_bounded = bound <= std::max(list_walk_budget, list_text_candidates) ||
                                           count_details.find("tickets_open_by_due_key") != std::string::npos ||
                                           count_details.find("tickets_by_due_key (<expr><") != std::string::npos ||
                                           count_details.find("tickets_by_requester") != std::string::npos ||
                                           count_details.find("tickets_by_school (school_number=?)") != std::string::npos;
                CHECK(count_bounded);
                ++checked;
            }
    CHECK(checked == 4 * 4 * static_cast<int>(filters.size()));
}

namespace {

// SQLite's plan for `sql` (its parameters unbound: NULL does not change a plan), one step per line.
std::string query_plan(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement plan(db, "EXPLAIN QUERY PLAN " + sql);
    std::string details;
    while (plan.executeStep()) details += plan.getColumn(3).getString() + "\n";
    return details;
}

} // namespace

TEST_CASE("retention's next batch reads only closed tickets not yet anonymised", "[storage][performance]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    const auto details = query_plan(db, tickets_to_anonymise_query);
    INFO(details);
    CHECK(details.find("INDEX tickets_closed_to_anonymise (updated_at<?)") != std::string::npos);
    CHECK(details.find("TEMP B-TREE") == std::string::npos);
}

TEST_CASE("board and queue load figures read only the small index of open tickets", "[storage][performance]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    {
        const auto details = query_plan(db, open_loads_query);
        INFO("loads per manager and school:\n" << details);
        CHECK(details.find("USING COVERING INDEX tickets_open_by_due_key") != std::string::npos);
        CHECK(details.find("TEMP B-TREE") == std::string::npos);
    }
    for (std::size_t schools : {0, 1, 17}) {
        const auto details = query_plan(db, open_by_school_query(schools));
        INFO(schools << " schools:\n" << details);
        CHECK(details.find("COVERING INDEX tickets_open_by_school") != std::string::npos);
        CHECK(details.find("TEMP B-TREE") == std::string::npos);
    }
}

TEST_CASE("the queue counts the open tickets of the given schools", "[storage][board]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    ticket_event created;
    created.at = monday_8am;
    for (const char* school : {"100011", "100011", "100012", "100021"})
        insert_ticket(db, f.make_ticket(school, 101, 1), created, 2026, f.sla(), monday_8am);
    auto closed = insert_ticket(db, f.make_ticket("100012", 101, 1), created, 2026, f.sla(), monday_8am);
    ticket_event close;
    close.at = monday_8am + minute;
    close.kind = event_kind::closed;
    append_event(db, closed, close, f.sla(), close.at);
    CHECK(count_open_by_school(db, {"100011", "100012", "100031"}) ==
          std::map<std::string, int>{{"100011", 2}, {"100012", 1}});
    CHECK(count_open_by_school(db, {}) == std::map<std::string, int>{{"100011", 2}, {"100012", 1}, {"100021", 1}});
    // The same from the board's pass.
    const auto open = load_open_loads(db, f.calendar, monday_8am + 2 * minute, 0);
    for (const std::vector<std::string>& schools : {std::vector<std::string>{"100011", "100012", "100031"},
                                                    std::vector<std::string>{}})
        CHECK(count_open_by_school(open, schools) == count_open_by_school(db, schools));
}

TEST_CASE("every committed change to an open ticket counts, from any connection, and the board's memo sees it",
          "[storage][board]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    // Another connection to the same file, as another process (an import, a restore) would have.
    SQLite::Database other(f.file.string(), SQLite::OPEN_READWRITE);
    SQLite::Database reader(f.file.string(), SQLite::OPEN_READONLY);
    open_loads_memo memo;
    ticket_event created;
    created.at = monday_8am;
    auto version = open_tickets_version(reader);
    const auto counted = [&] {
        const auto now = open_tickets_version(reader);
        const bool moved = now > version;
        version = now;
        return moved;
    };
    const auto open_of_manager_1 = [&] {
        const auto loads = memo.get(reader, f.calendar, monday_8am + 2 * minute, 50);
        return loads->managers.empty() ? 0 : loads->managers.front().open;
    };
    auto first = insert_ticket(db, f.make_ticket("100011", 101, 1), created, 2026, f.sla(), monday_8am);
    CHECK(counted());
    CHECK(open_of_manager_1() == 1);
    CHECK(memo.passes() == 1);
    CHECK(open_of_manager_1() == 1);
    CHECK(memo.passes() == 1);  // nothing changed: reused

    insert_ticket(other, f.make_ticket("100011", 101, 1), created, 2026, f.sla(), monday_8am);
    CHECK(counted());
    CHECK(open_of_manager_1() == 2);  // never the kept answer after another connection's change

    ticket_event close;
    close.at = monday_8am + minute;
    close.kind = event_kind::closed;
    first = append_event(db, first, close, f.sla(), close.at);
    CHECK(counted());
    CHECK(open_of_manager_1() == 1);
    // A closed ticket's changes do not count; deleting an open one does.
    other.exec(fmt::format("UPDATE tickets SET title = 'alt' WHERE id = {}", first.id));
    CHECK_FALSE(counted());
    other.exec("DELETE FROM ticket_events WHERE ticket_id IN (SELECT id FROM tickets WHERE is_open = 1)");
    other.exec("DELETE FROM tickets WHERE is_open = 1");
    CHECK(counted());
    CHECK(open_of_manager_1() == 0);
    CHECK(memo.passes() == 4);
}

TEST_CASE("the writer commits commands in groups and a failing command rolls back only itself", "[storage][writer]") {
    storage_fixture f;
    {
        write_queue writer(f.file, 1000);
        writer.run([&](SQLite::Database& db) { f.add_directory(db); });
        std::vector<std::future<void>> results;
        std::vector<std::promise<void>> promises(200);
        for (int i = 0; i < 200; ++i) {
            results.push_back(promises[i].get_future());
            writer.submit({[i](SQLite::Database& db) {
                               db.exec(fmt::format("INSERT INTO audit_log (at, actor_id, action, subject) "
                                                   "VALUES ({}, 0, 'test', 'x')", i));
                               if (i % 10 == 0) throw std::runtime_error("refused");
                           },
                           [&promises, i](std::exception_ptr e) {
                               if (e) promises[i].set_exception(e);
                               else promises[i].set_value();
                           }});
        }
        int failed = 0;
        for (auto& r : results) {
            try {
                r.get();
            } catch (const std::runtime_error&) {
                ++failed;
            }
        }
        CHECK(failed == 20);
        CHECK(writer.batches_committed() < 200);  // grouped, not one transaction each
    }
    SQLite::Database db(f.file.string(), SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("SELECT count(*) FROM audit_log").getInt() == 180);
    CHECK(db.execAndGet("SELECT count(*) FROM audit_log WHERE at % 10 = 0").getInt() == 0);
    CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
}

TEST_CASE("a full write queue refuses instead of growing", "[storage][writer]") {
    storage_fixture f;
    write_queue writer(f.file, 2);
    std::promise<void> release;
    auto gate = release.get_future().share();
    std::atomic<int> done{0};
    auto blocker = [gate](SQLite::Database&) { gate.wait(); };
    writer.submit({blocker, [&](std::exception_ptr) { ++done; }});
    // Wait until the writer has taken the blocker, then fill the queue.
    while (writer.waiting() != 0) std::this_thread::yield();
    writer.submit({[](SQLite::Database&) {}, [&](std::exception_ptr) { ++done; }});
    writer.submit({[](SQLite::Database&) {}, [&](std::exception_ptr) { ++done; }});
    CHECK_THROWS_AS(writer.submit({[](SQLite::Database&) {}, [](std::exception_ptr) {}}), write_queue_full);
    release.set_value();
    writer.stop();
    CHECK(done == 3);
}

TEST_CASE("users and sessions survive a restart; disabled users lose their sessions", "[storage][users]") {
    storage_fixture f;
    const time_ms now = monday_8am;
    {
        auto db = open_writer_database(f.file);
        user u{0, "teacher-100011", "Anna Schulte", role::teacher, "100011", 0, "$argon2id$fake", false, {}};
        auto id = insert_user(db, u, now);
        insert_session(db, "digest-1", id, "csrf-1", now, now + 1000, "Safari iPad");
        insert_api_token(db, "token-1", id, now, now + 5000, "script");
    }
    auto db = open_writer_database(f.file);
    auto s = find_session(db, "digest-1", now + 10);
    REQUIRE(s);
    CHECK(s->who.login == "teacher-100011");
    CHECK(s->who.school_number == "100011");
    CHECK(s->csrf_token == "csrf-1");
    CHECK(s->created_at == now);
    CHECK(s->last_seen_at == now);
    CHECK_FALSE(find_session(db, "digest-1", now + 1000));  // expired
    CHECK(find_api_token(db, "token-1", now + 10));
    CHECK_FALSE(find_api_token(db, "token-1", now + 5000));  // expired
    CHECK(disable_user(db, "teacher-100011"));
    CHECK_FALSE(find_session(db, "digest-1", now + 10));
    CHECK_FALSE(find_api_token(db, "token-1", now + 10));
    CHECK_FALSE(disable_user(db, "nobody"));
}

TEST_CASE("a password change ends every session and token; one can be revoked alone", "[storage][users]") {
    storage_fixture f;
    const time_ms now = monday_8am;
    auto db = open_writer_database(f.file);
    user u{0, "manager01", "Jana Krüger", role::dispatcher, "", 0, "$argon2id$old", false, {}};
    const auto id = insert_user(db, u, now);
    const auto other = insert_user(db, {0, "dispatch2", "Ole Brandt", role::dispatcher, "", 0, "$argon2id$x", false, {}}, now);
    insert_session(db, "aaaaaaaaaaaa-session-1", id, "c1", now, now + 100000, "Firefox");
    insert_session(db, "bbbbbbbbbbbb-session-2", id, "c2", now + 5, now + 100000, "Safari");
    insert_api_token(db, "cccccccccccc-token", id, now, now + 100000, "Monatsexport");
    insert_session(db, "dddddddddddd-other", other, "c3", now, now + 100000, "Edge");

    SECTION("listing names each by a short id, sessions before tokens") {
        touch_session(db, "aaaaaaaaaaaa-session-1", now + 50);
        auto list = list_credentials(db, id, now + 60);
        REQUIRE(list.size() == 3);
        CHECK(list[0].id == "aaaaaaaaaaaa");  // used last
        CHECK(list[0].last_used_at == now + 50);
        CHECK(list[1].id == "bbbbbbbbbbbb");
        CHECK(list[2].api_token);
        CHECK(list[2].label == "Monatsexport");
        CHECK(list[2].last_used_at == 0);
    }
    SECTION("revoking one leaves the others") {
        CHECK(revoke_credential(db, id, "bbbbbbbbbbbb"));
        CHECK_FALSE(revoke_credential(db, id, "bbbbbbbbbbbb"));
        CHECK_FALSE(revoke_credential(db, id, "dddddddddddd"));  // another user's
        CHECK_FALSE(revoke_credential(db, id, "bbb"));           // too short to name one
        CHECK(find_session(db, "aaaaaaaaaaaa-session-1", now + 10));
        CHECK_FALSE(find_session(db, "bbbbbbbbbbbb-session-2", now + 10));
        CHECK(find_api_token(db, "cccccccccccc-token", now + 10));
    }
    SECTION("revoking all but the current session") {
        CHECK(revoke_credentials(db, id, "aaaaaaaaaaaa-session-1") == 2);
        CHECK(find_session(db, "aaaaaaaaaaaa-session-1", now + 10));
        CHECK_FALSE(find_api_token(db, "cccccccccccc-token", now + 10));
    }
    SECTION("a new password ends them all, and nobody else's") {
        auto ended = set_password_hash(db, "manager01", "$argon2id$new");
        REQUIRE(ended);
        CHECK(*ended == 3);
        CHECK(list_credentials(db, id, now + 10).empty());
        CHECK(find_session(db, "dddddddddddd-other", now + 10));
        CHECK(find_user_by_login(db, "manager01")->password_hash == "$argon2id$new");
        CHECK_FALSE(set_password_hash(db, "nobody", "$argon2id$x"));
    }
    SECTION("known devices are per browser and login") {
        remember_device(db, "device-1", id, now);
        remember_device(db, "device-1", id, now + 10);  // again: no error
        CHECK(is_known_device(db, "device-1", id));
        CHECK_FALSE(is_known_device(db, "device-1", other));
        CHECK_FALSE(is_known_device(db, "device-2", id));
    }
}

TEST_CASE("migrations refuse a database from a newer campusdesk", "[storage][schema]") {
    storage_fixture f;
    {
        auto db = open_writer_database(f.file);
        CHECK(db.execAndGet("PRAGMA user_version").getInt() == schema_version);
        db.exec("PRAGMA user_version = 999");
    }
    CHECK_THROWS(open_writer_database(f.file));
}
