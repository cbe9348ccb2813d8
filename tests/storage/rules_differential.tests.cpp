// Differential tests: where storage filters in SQL by a rule of core, the rows the SQL selects must be exactly the
// tickets for which core's function says yes. Random tickets are written through the real repository code (the
// writer's insert_ticket / append_event with events planned by core's plan_* functions) into a SQLite file, then
// queried at several instants; core answers from each ticket's events.
//  - SLA state (storage/sla_filters.hpp vs core state_of): the list query's breached / at-risk filters, with and
//    without the queue's open-only filter, and the board's counts per manager and per school.
//  - Visibility (prepare_list_query's WHERE vs core can_see): teachers, campus managers (covering or not),
//    dispatchers, admins and staff who filed for other managers' schools.
#include "core/local_time.hpp"
#include "core/ticket_actions.hpp"
#include "storage/board_repository.hpp"
#include "storage/database.hpp"
#include "storage/ticket_repository.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {

constexpr time_ms minute = 60'000;
constexpr time_ms hour = 60 * minute;
constexpr time_ms day = 24 * hour;
// Friday 2026-10-23 15:00 Europe/Berlin (13:00 UTC): every event lies before, every query instant after it.
constexpr time_ms friday_3pm = 1'792'760'400'000;

// The fixture's directory: managers 1..3, each with schools 1000<m>1 and 1000<m>2. Users: teachers 100..111,
// campus managers 200 + m, the help desk 300.
const std::vector<std::string> schools{"100011", "100012", "100021", "100022", "100031", "100032"};
std::int64_t manager_of(const std::string& school) { return school[4] - '0'; }
std::int64_t teacher_school_index(std::int64_t teacher) { return (teacher - 100) % 6; }

struct random_tickets {
    std::mt19937_64 rng;
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
    time_ms pick_ms(time_ms n) { return std::uniform_int_distribution<time_ms>(0, n - 1)(rng); }

    // Files `count` tickets between 12 days and an hour before friday_3pm (nights and weekends included) and acts
    // on each a few times, as people would through the pages: every action is planned by core and written by the
    // repository at its own instant, as the writer does.
    void write(SQLite::Database& db, const storage_fixture& f, int count) {
        SQLite::Transaction tx(db);
        for (int i = 0; i < count; ++i) {
            const std::string school = schools[static_cast<std::size_t>(pick(6))];
            const std::int64_t manager = manager_of(school);
            std::int64_t requester = 100 + 6 * pick(2) + static_cast<std::int64_t>(
                std::find(schools.begin(), schools.end(), school) - schools.begin());
            if (pick(6) == 0) requester = 200 + 1 + pick(3); // a campus manager files (for any school)
            if (pick(12) == 0) requester = 300;              // the help desk files on the phone
            ticket t = f.make_ticket(school, requester, pick(8) == 0 ? 1 + pick(3) : manager);
            t.prio = all_priorities[pick(4)];
            time_ms at = friday_3pm - hour - pick_ms(11 * day);
            ticket_event created;
            created.at = at;
            created.actor_id = requester;
            created.by_staff = requester >= 200;
            t = insert_ticket(db, t, created, 2026, f.sla(), at);
            const int actions = pick(7);
            for (int k = 0; k < actions; ++k) {
                at += pick(3) == 0 ? pick_ms(10 * minute) : pick_ms(2 * day);
                if (at >= friday_3pm) break;
                const auto history = load_events(db, t.id);
                const viewer staff{200 + t.assignee_id, role::campus_manager, "", t.assignee_id, {}};
                const viewer desk{300, role::dispatcher, "", 0, {}};
                const viewer filer{requester, requester >= 300 ? role::dispatcher
                                              : requester >= 200 ? role::campus_manager : role::teacher,
                                   requester < 200 ? schools[static_cast<std::size_t>(teacher_school_index(requester))]
                                                   : std::string(),
                                   requester >= 200 && requester < 300 ? requester - 200 : 0, {}};
                const auto context = [&](const viewer& v) { return action_context{v, t, history, at}; };
                action_outcome planned = planned_events{};
                switch (pick(10)) {
                case 0:
                case 1: planned = plan_reply(context(staff), "Bin dran.", false); break;
                case 2: planned = plan_reply(context(filer), "Geht immer noch nicht.", false); break;
                case 3: planned = plan_reply(context(staff), "intern", true); break;
                case 4:
                case 5: planned = plan_status_change(context(staff), all_statuses[pick(6)], "erledigt"); break;
                case 6: planned = plan_priority_change(context(staff), all_priorities[pick(4)], "Grund"); break;
                case 7: planned = plan_escalate(context(staff), "carrier", true, ""); break;
                case 8: planned = plan_status_change(context(filer), pick(2) ? status::open : status::closed, ""); break;
                default: planned = plan_assign(context(desk), 1 + pick(3), true, ""); break;
                }
                if (const auto* events = std::get_if<planned_events>(&planned))
                    for (const auto& e : *events) t = append_event(db, t, e, f.sla(), at);
            }
        }
        tx.commit();
    }
};

// Every ticket of the file with its history, read once (nothing is written while the tests query).
struct stored_ticket {
    ticket t;
    std::vector<ticket_event> events;
};

std::vector<stored_ticket> read_all(SQLite::Database& db) {
    std::vector<stored_ticket> all;
    SQLite::Statement s(db, "SELECT number FROM tickets ORDER BY id");
    while (s.executeStep()) {
        auto t = find_ticket(db, s.getColumn(0).getString());
        all.push_back({*t, load_events(db, t->id)});
    }
    return all;
}

std::set<std::int64_t> ids_of(const ticket_page& page) {
    std::set<std::int64_t> ids;
    for (const auto& item : page.tickets) ids.insert(item.t.id);
    return ids;
}

} // namespace

TEST_CASE("the breached and at-risk filters and the board's counts select what core's state_of says",
          "[storage][sla][differential]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    random_tickets gen{std::mt19937_64(20261023)};
    gen.write(db, f, 400);
    const auto all = read_all(db);
    REQUIRE(all.size() == 400);

    // Instants after the last write: the working afternoon and its last millisecond, the evening and the weekend
    // (clocks due at 16:30 have used exactly their target then, and are not yet breached), Monday's first
    // milliseconds, later weeks; and the due and warning times of stored clocks, to the millisecond.
    const auto local = [](const char* t) { return *parse_iso8601(t); };
    std::vector<time_ms> instants{friday_3pm, friday_3pm + 1, local("2026-10-23T16:29:59.999+02:00"),
                                  local("2026-10-23T16:30:00+02:00"), local("2026-10-23T16:30:00.001+02:00"),
                                  local("2026-10-23T20:00:00+02:00"), local("2026-10-24T12:00:00+02:00"),
                                  local("2026-10-26T07:30:00+01:00"), local("2026-10-26T07:30:00.001+01:00"),
                                  local("2026-10-26T09:00:00+01:00"), local("2026-10-28T12:00:00+01:00"),
                                  friday_3pm + 21 * day};
    for (std::size_t i = 0; i < all.size(); i += 37) {
        const auto r = evaluate_sla(all[i].events, f.policy, f.calendar, friday_3pm);
        for (const auto* c : {&r.first_response, &r.resolution})
            for (const auto& t : {c->due_at, c->at_risk_at})
                if (t && *t > friday_3pm)
                    for (time_ms d : {time_ms{-1}, time_ms{0}, time_ms{1}}) instants.push_back(*t + d);
    }

    // The board's memo, asked at every instant in the list's order (forwards, and back for the risk times), must
    // answer what a new pass does; and in time order it must have reused passes between changes of state.
    open_loads_memo memo, forwards;
    const auto memo_answers_as_a_pass = [&](open_loads_memo& m, time_ms now) {
        const auto pass = load_open_loads(db, f.calendar, now, 50);
        const auto reused = m.get(db, f.calendar, now, 50);
        CHECK(reused->managers == pass.managers);
        CHECK(reused->schools == pass.schools);
        CHECK(reused->fresh == pass.fresh);
        CHECK(reused->breached == pass.breached);
        CHECK(reused->at_risk == pass.at_risk);
    };
    auto sorted = instants;
    std::sort(sorted.begin(), sorted.end());
    for (const time_ms now : sorted) {
        CAPTURE(now);
        memo_answers_as_a_pass(forwards, now);
    }
    CHECK(forwards.passes() < sorted.size());
    CHECK(forwards.passes() > 2);

    std::map<std::string, int> seen;
    for (const time_ms now : instants) {
        CAPTURE(now);
        memo_answers_as_a_pass(memo, now);
        // Core's answer, from each ticket's events.
        std::set<std::int64_t> breached, at_risk, open_breached;
        std::map<std::int64_t, manager_load> managers;
        std::map<std::string, school_load> by_school;
        for (const auto& [t, events] : all) {
            const auto r = evaluate_sla(events, f.policy, f.calendar, now);
            const sla_state state = state_of(r, now);
            ++seen[std::string(to_string(state))];
            const auto due = earliest_due(r);
            if (state != sla_state::breached && due && *due < now) ++seen["due passed, used = target"];
            if (state == sla_state::breached) breached.insert(t.id);
            if (state == sla_state::at_risk) at_risk.insert(t.id);
            if (!is_open_status(t.state)) continue;
            if (state == sla_state::breached) open_breached.insert(t.id);
            auto& m = managers[t.assignee_id];
            m.manager_id = t.assignee_id;
            ++m.open;
            m.at_risk += state == sla_state::at_risk;
            m.breached += state == sla_state::breached;
            auto& s = by_school[t.school_number];
            ++s.open;
            s.breached += state == sla_state::breached;
        }

        // The list query: the API's and the queue's filters, in each sort order.
        ticket_query q;
        q.who = {300, role::dispatcher, "", 0, {}};
        q.limit = 100'000;
        q.now = now;
        q.sort = std::array{ticket_sort::due, ticket_sort::created, ticket_sort::updated}[seen.size() % 3];
        q.breached = true;
        const auto breached_page = list_tickets(db, q, f.sla());
        CHECK(ids_of(breached_page) == breached);
        for (const auto& item : breached_page.tickets) CHECK(state_of(item.sla, now) == sla_state::breached);
        q.open_only = true;
        const auto queue_breached = ids_of(list_tickets(db, q, f.sla()));
        CHECK(queue_breached == open_breached);
        q.open_only = false;
        q.breached = false;
        q.at_risk = true;
        const auto at_risk_page = list_tickets(db, q, f.sla());
        CHECK(ids_of(at_risk_page) == at_risk);
        for (const auto& item : at_risk_page.tickets) {
            CHECK(item.sla.at_risk);
            CHECK_FALSE(item.sla.breached()); // never both badges
        }
        q.breached = true;
        CHECK(list_tickets(db, q, f.sla()).tickets.empty()); // one state per ticket

        // The board: per manager and per school, and its overdue total is the queue's breached filter.
        int board_breached = 0;
        const auto loads = load_open_loads(db, f.calendar, now, 0).managers;
        CHECK(loads.size() == managers.size());
        for (const auto& load : loads) {
            CAPTURE(load.manager_id);
            const auto& want = managers[load.manager_id];
            CHECK(load.open == want.open);
            CHECK(load.at_risk == want.at_risk);
            CHECK(load.breached == want.breached);
            board_breached += load.breached;
            q = {};
            q.who = {300, role::dispatcher, "", 0, {}};
            q.limit = 100'000;
            q.now = now;
            q.open_only = true;
            q.breached = true;
            q.assignee = load.manager_id;
            CHECK(static_cast<int>(list_tickets(db, q, f.sla()).tickets.size()) == load.breached);
        }
        CHECK(board_breached == static_cast<int>(queue_breached.size()));
        const auto school_loads = load_open_loads(db, f.calendar, now, 0).schools;
        CHECK(school_loads.size() == by_school.size());
        for (const auto& load : school_loads) {
            CAPTURE(load.school_number);
            CHECK(load.open == by_school[load.school_number].open);
            CHECK(load.breached == by_school[load.school_number].breached);
        }
    }
    // The random tickets reached every state, and the evening tie of used and target.
    for (const char* outcome : {"ok", "at_risk", "breached", "due passed, used = target"}) {
        CAPTURE(outcome);
        CHECK(seen[outcome] >= 20);
    }
}

TEST_CASE("the list query's visibility selects what core's can_see says", "[storage][visibility][differential]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    random_tickets gen{std::mt19937_64(20261024)};
    gen.write(db, f, 300);
    const auto all = read_all(db);
    REQUIRE(all.size() == 300);

    std::vector<std::pair<std::string, viewer>> viewers;
    for (std::int64_t teacher = 100; teacher < 112; ++teacher)
        viewers.push_back({fmt::format("teacher {}", teacher),
                           {teacher, role::teacher, schools[static_cast<std::size_t>(teacher_school_index(teacher))], 0, {}}});
    viewers.push_back({"teacher who moved school", {101, role::teacher, "100032", 0, {}}});
    viewers.push_back({"teacher without a school", {102, role::teacher, "", 0, {}}});
    viewers.push_back({"teacher who filed nothing", {150, role::teacher, "100011", 0, {}}});
    for (std::int64_t m = 1; m <= 3; ++m) {
        viewers.push_back({fmt::format("campus manager {}", m), {200 + m, role::campus_manager, "", m, {}}});
        viewers.push_back({fmt::format("campus manager {} covering the next", m),
                           {200 + m, role::campus_manager, "", m, {m % 3 + 1}}});
        viewers.push_back({fmt::format("campus manager {} covering both others", m),
                           {200 + m, role::campus_manager, "", m, {m % 3 + 1, (m + 1) % 3 + 1}}});
    }
    viewers.push_back({"campus manager account without a manager record", {250, role::campus_manager, "", 0, {}}});
    viewers.push_back({"dispatcher", {300, role::dispatcher, "", 0, {}}});
    viewers.push_back({"admin", {301, role::admin, "", 0, {}}});

    int visible_somewhere = 0, hidden_somewhere = 0;
    for (const auto& [name, v] : viewers)
        for (const bool school_tickets : {false, true})
            for (const auto sort : {ticket_sort::due, ticket_sort::created, ticket_sort::updated})
                for (const bool open_only : {false, true}) {
                    CAPTURE(name, school_tickets, static_cast<int>(sort), open_only);
                    std::set<std::int64_t> want;
                    for (const auto& [t, events] : all)
                        if (can_see(v, t, manager_of(t.school_number), school_tickets) &&
                            (!open_only || is_open_status(t.state)))
                            want.insert(t.id);
                    ticket_query q;
                    q.who = v;
                    q.teachers_see_school_tickets = school_tickets;
                    q.sort = sort;
                    q.open_only = open_only;
                    q.limit = 100'000;
                    q.now = friday_3pm;
                    CHECK(ids_of(list_tickets(db, q, f.sla())) == want);
                    if (!want.empty() && want.size() < all.size()) ++visible_somewhere;
                    if (want.empty()) ++hidden_somewhere;
                }
    CHECK(visible_somewhere > 100);
    CHECK(hidden_somewhere > 0);
}

TEST_CASE("lists of the open tickets from the board's pass equal the list query in every order, page by page",
          "[storage][lists][differential]") {
    storage_fixture f;
    auto db = open_writer_database(f.file);
    f.add_directory(db);
    random_tickets gen{std::mt19937_64(20261025)};
    gen.write(db, f, 400);
    const auto open = load_open_loads(db, f.calendar, friday_3pm, 50);
    REQUIRE(open.tickets.size() > 100);

    std::vector<viewer> viewers;
    for (std::int64_t m = 1; m <= 3; ++m) {
        viewers.push_back({200 + m, role::campus_manager, "", m, {}});
        viewers.push_back({200 + m, role::campus_manager, "", m, {m % 3 + 1}});
    }
    viewers.push_back({250, role::campus_manager, "", 0, {}});
    viewers.push_back({300, role::dispatcher, "", 0, {}});
    viewers.push_back({301, role::admin, "", 0, {}});
    std::vector<std::function<void(ticket_query&)>> filters{
        [](ticket_query&) {},
        [](ticket_query& q) { q.statuses = {status::new_}; q.open_only = false; },
        [](ticket_query& q) { q.statuses = {status::open, status::waiting_on_requester}; q.open_only = false; },
        [](ticket_query& q) { q.statuses = {status::closed}; },
        [](ticket_query& q) { q.school = "100011"; },
        [](ticket_query& q) { q.assignee = 2; },
        [](ticket_query& q) { q.prio = priority::high; },
        [](ticket_query& q) { q.category = "network"; },
        [](ticket_query& q) { q.breached = true; },
        [](ticket_query& q) { q.at_risk = true; },
        [](ticket_query& q) { q.school = "100022"; q.at_risk = true; },
    };
    int compared = 0, paged = 0;
    for (const time_ms now : {friday_3pm, friday_3pm + 3 * day})
        for (const auto& v : viewers)
            for (std::size_t i = 0; i < filters.size(); ++i)
                for (const int limit : {7, 1000})
                    for (const auto sort : {ticket_sort::due, ticket_sort::created, ticket_sort::updated}) {
                        CAPTURE(now, v.user_id, v.covering.size(), i, limit, static_cast<int>(sort));
                        ticket_query q;
                        q.who = v;
                        q.open_only = true;
                        q.sort = sort;
                        q.limit = limit;
                        q.now = now;
                        filters[i](q);
                        REQUIRE(listable_from_open_loads(q));
                        // Forward through every page, then back from the last page's position.
                        for (int pages = 0; pages < 100; ++pages) {
                            const auto want = list_tickets(db, q, f.sla());
                            const auto got = list_from_open_loads(db, open, q, f.sla());
                            REQUIRE(got);
                            std::vector<std::int64_t> want_ids, got_ids;
                            for (const auto& item : want.tickets) want_ids.push_back(item.t.id);
                            for (const auto& item : got->tickets) got_ids.push_back(item.t.id);
                            CHECK(got_ids == want_ids);
                            CHECK(got->next_cursor == want.next_cursor);
                            CHECK(got->first_position == want.first_position);
                            CHECK(got->last_position == want.last_position);
                            for (std::size_t k = 0; k < want.tickets.size() && k < got->tickets.size(); ++k)
                                CHECK(got->tickets[k].sla.breached() == want.tickets[k].sla.breached());
                            ++compared;
                            if (q.backward || want.next_cursor.empty()) {
                                if (q.backward || want.first_position.empty() || pages == 0) break;
                                q.cursor = want.first_position;  // the page before the last one, read backwards
                                q.backward = true;
                                ++paged;
                                continue;
                            }
                            q.cursor = want.next_cursor;
                        }
                    }
    CHECK(compared > 1200);
    CHECK(paged > 30);
    // Not for teachers, closed tickets or text: those read their indexes.
    ticket_query q;
    q.who = {101, role::teacher, "100011", 0, {}};
    q.open_only = true;
    q.sort = ticket_sort::due;
    CHECK_FALSE(listable_from_open_loads(q));
    q.who = {300, role::dispatcher, "", 0, {}};
    CHECK(listable_from_open_loads(q));
    q.sort = ticket_sort::updated;
    CHECK(listable_from_open_loads(q));
    q.open_only = false;
    CHECK_FALSE(listable_from_open_loads(q));
    q.open_only = true;
    q.text = "Drucker";
    CHECK_FALSE(listable_from_open_loads(q));
}
