// Issue 16, "Search and lists": search finds what a help-desk member types (ticket numbers, schools, requesters,
// replies and notes), never what the searcher may not see; counts are bounded; pages go both ways.
#include "storage/database.hpp"
#include "storage/directory_repository.hpp"
#include "storage/phone_intake_repository.hpp"
#include "storage/retention_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/write_queue.hpp"
#include "tests/storage/storage_fixture.hpp"

#include <catch2/catch.hpp>

#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <thread>

using namespace campusdesk;
using namespace campusdesk::testing;
using namespace campusdesk::testing::times;

namespace {

struct search_fixture : storage_fixture {
    SQLite::Database db;
    std::vector<ticket> tickets;  // CD-2026-000001 … in filing order

    search_fixture() : db(open_writer_database(file)) {
        add_directory(db);
        db.exec("UPDATE schools SET name = 'Goethe-Gymnasium' WHERE number = '100011'");
        // Teachers 101 (school 100011), 102 (100021), 103 (100011); a help-desk member 200.
        db.exec("INSERT INTO users (id, login, name, role, school_number, created_at) VALUES "
                "(101, 'lehrer-a', 'Anna Schäfer', 'teacher', '100011', 0), "
                "(102, 'lehrer-b', 'Bernd Krause', 'teacher', '100021', 0), "
                "(103, 'lehrer-c', 'Clara Vogel', 'teacher', '100011', 0), "
                "(200, 'desk', 'Dana Desk', 'dispatcher', NULL, 0)");
    }

    ticket add_ticket(std::string school, std::int64_t requester, std::int64_t assignee, std::string title, time_ms at) {
        tickets.push_back(file_ticket(db, std::move(school), requester, assignee, std::move(title), at));
        return tickets.back();
    }

    // On connection `on` (the writer's too).
    ticket file_ticket(SQLite::Database& on, std::string school, std::int64_t requester, std::int64_t assignee,
                       std::string title, time_ms at) const {
        auto t = make_ticket(std::move(school), requester, assignee);
        t.title = std::move(title);
        t.description = "";
        t.room = "";
        t.asset_tag = "";
        ticket_event created;
        created.at = at;
        created.actor_id = requester;
        return insert_ticket(on, t, created, 2026, sla(), at);
    }

    void add_event(const ticket& t, event_kind kind, std::string body, time_ms at) {
        ticket_event e;
        e.at = at;
        e.actor_id = kind == event_kind::public_reply && body.starts_with("Lehrkraft") ? t.requester_id : 1;
        e.by_staff = true;
        e.kind = kind;
        e.body = std::move(body);
        const auto current = find_ticket_by_id(db, t.id);
        append_event(db, *current, e, sla(), at);
    }

    std::vector<std::string> found(const viewer& v, std::string text, ticket_sort sort = ticket_sort::created) {
        ticket_query q;
        q.who = v;
        q.text = std::move(text);
        q.sort = sort;
        q.now = monday_8am + day;
        std::vector<std::string> numbers;
        for (const auto& item : list_tickets(db, q, sla()).tickets) numbers.push_back(item.t.number);
        return numbers;
    }
};

const viewer dispatcher{200, role::dispatcher, "", 0, {}};
const viewer manager1{0, role::campus_manager, "", 1, {}};
const viewer teacher_a{101, role::teacher, "100011", 0, {}};
const viewer teacher_c{103, role::teacher, "100011", 0, {}};

using numbers = std::vector<std::string>;

} // namespace

TEST_CASE("search finds ticket numbers, schools, requesters and the texts of replies", "[storage][search]") {
    search_fixture f;
    const auto beamer = f.add_ticket("100011", 101, 1, "Beamer zeigt kein Bild", monday_8am);       // 000001
    const auto drucker = f.add_ticket("100021", 102, 2, "Drucker druckt streifig", monday_8am + 1); // 000002
    f.add_ticket("100011", 103, 1, "WLAN im Altbau weg", monday_8am + 2);                           // 000003
    f.add_event(drucker, event_kind::public_reply, "Tonerkartusche ist bestellt", monday_8am + 10 * minute);
    f.add_event(beamer, event_kind::internal_note, "Lampe hat 4000 Stunden, Garantie prüfen", monday_8am + 11 * minute);

    const auto row = GENERATE(table<std::string, numbers>({
        {"CD-2026-000002", {"CD-2026-000002"}},   // the full number
        {"cd-2026-000002", {"CD-2026-000002"}},   // in any case
        {"000003", {"CD-2026-000003"}},           // the number's digits
        {"3", {"CD-2026-000003"}},                // the bare sequence
        {"Goethe", {"CD-2026-000003", "CD-2026-000001"}},  // the school's name, by a prefix of a word
        {"gymnasium", {"CD-2026-000003", "CD-2026-000001"}},
        {"100021", {"CD-2026-000002"}},           // the school's number
        {"Krause", {"CD-2026-000002"}},           // the requester
        {"schafer", {"CD-2026-000001"}},          // umlauts folded: Schäfer
        {"Toner", {"CD-2026-000002"}},            // a word of a reply, by its prefix
        {"Garantie", {"CD-2026-000001"}},         // an internal note, for staff
        {"Drucker Toner", {"CD-2026-000002"}},    // words from the title and a reply: every word somewhere
        {"Drucker Goethe", {}},                   // every word must match
        {"Bild", {"CD-2026-000001"}},
        {"NEAR(Bild)", {}},                       // never FTS syntax
        {"u101", {}},                             // the scope tokens are not searchable text
        {"s100011", {}},
    }));
    INFO(std::get<0>(row));
    CHECK(f.found(dispatcher, std::get<0>(row)) == std::get<1>(row));
}

TEST_CASE("a search never finds what the searcher may not see", "[storage][search]") {
    search_fixture f;
    const auto a = f.add_ticket("100011", 101, 1, "Beamer flackert", monday_8am);
    const auto c = f.add_ticket("100011", 103, 1, "Beamer brummt", monday_8am + 1);
    const auto b = f.add_ticket("100021", 102, 2, "Beamer aus", monday_8am + 2);
    f.add_event(a, event_kind::public_reply, "Rückfrage: welcher Raum genau?", monday_8am + 5 * minute);
    f.add_event(a, event_kind::internal_note, "Vermutlich Kabelbruch", monday_8am + 6 * minute);
    f.add_event(c, event_kind::internal_note, "Vermutlich Lüfter", monday_8am + 7 * minute);

    // A teacher finds their own tickets, with the replies they read, but no internal note, not even their own
    // ticket's, and nobody else's ticket (not a colleague's at the same school either).
    CHECK(f.found(teacher_a, "Beamer") == numbers{a.number});
    CHECK(f.found(teacher_a, "Rückfrage") == numbers{a.number});
    CHECK(f.found(teacher_a, "Kabelbruch").empty());
    CHECK(f.found(teacher_a, "Vermutlich").empty());
    CHECK(f.found(teacher_a, c.number).empty());
    CHECK(f.found(teacher_a, "Vogel").empty());  // the colleague's name
    CHECK(f.found(teacher_c, "Beamer") == numbers{c.number});
    // Where teachers see their school's tickets, the colleague's ticket is found, its note still not.
    {
        ticket_query q;
        q.who = teacher_a;
        q.teachers_see_school_tickets = true;
        q.text = "Beamer";
        q.now = monday_8am + day;
        CHECK(list_tickets(f.db, q, f.sla()).tickets.size() == 2);
        q.text = "Lüfter";
        CHECK(list_tickets(f.db, q, f.sla()).tickets.empty());
    }
    // Staff find notes; a campus manager only in the tickets of their schools.
    CHECK(f.found(dispatcher, "Vermutlich") == numbers{c.number, a.number});
    CHECK(f.found(manager1, "Vermutlich") == numbers{c.number, a.number});
    CHECK(f.found(manager1, "Beamer") == numbers{c.number, a.number});
    CHECK(f.found({0, role::campus_manager, "", 2, {}}, "Beamer") == numbers{b.number});
    // A ticket assigned to a manager at another manager's school is theirs to find (the index follows the assignee).
    ticket_event assigned;
    assigned.at = monday_8am + 8 * minute;
    assigned.actor_id = 200;
    assigned.by_staff = true;
    assigned.kind = event_kind::assigned;
    assigned.manager_id = 2;
    append_event(f.db, *find_ticket_by_id(f.db, a.id), assigned, f.sla(), monday_8am + 8 * minute);
    CHECK(f.found({0, role::campus_manager, "", 2, {}}, "Beamer") == numbers{b.number, a.number});
    CHECK(f.found({0, role::campus_manager, "", 2, {}}, "Kabelbruch") == numbers{a.number});  // its note's row too
    // The rows went and came back with the values they were indexed with: FTS5's own check agrees.
    f.db.exec("INSERT INTO ticket_search (ticket_search, rank) VALUES ('integrity-check', 1)");
}

TEST_CASE("the search index follows phone callers, renamed schools, anonymisation and erasure", "[storage][search]") {
    search_fixture f;
    const auto phoned = f.add_ticket("100021", 200, 2, "Monitor schwarz", monday_8am);
    insert_phone_intake(f.db, {phoned.id, 200, "Herr Ömer Yilmaz", "0231 1234"});
    CHECK(f.found(dispatcher, "Yilmaz") == numbers{phoned.number});
    CHECK(f.found(dispatcher, "omer") == numbers{phoned.number});

    const auto a = f.add_ticket("100011", 101, 1, "Tafel defekt", monday_8am + 1);
    f.add_event(a, event_kind::public_reply, "Lehrkraft: Tafel in Raum 12 piept", monday_8am + 5 * minute);
    CHECK(f.found(dispatcher, "piept") == numbers{a.number});
    CHECK(f.found(dispatcher, "Anna") == numbers{a.number});

    // Erasing the teacher takes her name and her words out of the index.
    REQUIRE(erase_person(f.db, "lehrer-a", monday_8am + day));
    CHECK(f.found(dispatcher, "piept").empty());
    CHECK(f.found(dispatcher, "Anna").empty());
    CHECK(f.found(dispatcher, "Tafel").empty());  // her ticket is anonymised

    // Anonymising a closed ticket takes its texts out too.
    anonymise_tickets(f.db, {phoned.id}, monday_8am + day);
    CHECK(f.found(dispatcher, "Yilmaz").empty());
    CHECK(f.found(dispatcher, "Monitor").empty());

    SQLite::Statement check(f.db, "INSERT INTO ticket_search (ticket_search, rank) VALUES ('integrity-check', 1)");
    check.exec();
}

TEST_CASE("the writer indexes a batch's rows at its end, a failing command's not at all", "[storage][search][writer]") {
    search_fixture f;
    const auto file_ticket = [&](SQLite::Database& db, std::string title, time_ms at) {
        return f.file_ticket(db, "100011", 101, 1, std::move(title), at);
    };
    const auto add = [&](SQLite::Database& db, std::int64_t id, event_kind kind, std::string body,
                         std::int64_t manager, time_ms at) {
        ticket_event e;
        e.at = at;
        e.actor_id = 200;
        e.by_staff = true;
        e.kind = kind;
        e.body = std::move(body);
        e.manager_id = manager;
        append_event(db, *find_ticket_by_id(db, id), e, f.sla(), at);
    };
    ticket beamer, monitor;
    std::vector<std::function<void(SQLite::Database&)>> commands{
        [&](SQLite::Database& db) { beamer = file_ticket(db, "Beamer flackert", monday_8am); },
        [&](SQLite::Database& db) {  // its row was kept, and goes with it
            file_ticket(db, "Drucker streifig", monday_8am + 1);
            throw std::runtime_error("refused");
        },
        [&](SQLite::Database& db) {  // the reassignment's removal wrote the kept rows: they are rolled back too
            file_ticket(db, "Tafel piept", monday_8am + 2);
            add(db, beamer.id, event_kind::assigned, "", 2, monday_8am + 3);
            throw std::runtime_error("refused");
        },
        [&](SQLite::Database& db) {
            monitor = file_ticket(db, "Monitor schwarz", monday_8am + 4);
            add(db, monitor.id, event_kind::public_reply, "Kabel getauscht", 0, monday_8am + 5);
        },
        [&](SQLite::Database& db) { add(db, monitor.id, event_kind::assigned, "", 2, monday_8am + 6); },
    };
    std::vector<bool> refused(commands.size());
    {
        write_queue writer(f.file, 100);
        // Holds the writer until every command waits, so that they make one batch.
        std::promise<void> release;
        auto gate = release.get_future().share();
        writer.submit({[gate](SQLite::Database&) { gate.wait(); }, [](std::exception_ptr) {}});
        while (writer.waiting() != 0) std::this_thread::yield();
        for (std::size_t i = 0; i < commands.size(); ++i)
            writer.submit({commands[i], [&refused, i](std::exception_ptr e) { refused[i] = e != nullptr; }});
        release.set_value();
        writer.stop();
        CHECK(writer.batches_committed() == 2);
    }
    CHECK(refused == std::vector<bool>{false, true, true, false, false});
    CHECK(f.found(dispatcher, "Beamer") == numbers{beamer.number});
    CHECK(f.found(dispatcher, "Drucker").empty());
    CHECK(f.found(dispatcher, "Tafel").empty());
    CHECK(f.found(dispatcher, "Monitor") == numbers{monitor.number});
    CHECK(f.found(dispatcher, "Kabel") == numbers{monitor.number});
    const viewer manager2{0, role::campus_manager, "", 2, {}};
    CHECK(f.found(manager2, "Beamer").empty());  // its reassignment was rolled back
    CHECK(f.found(manager2, "Kabel") == numbers{monitor.number});
    CHECK(f.found(manager1, "Beamer") == numbers{beamer.number});
    f.db.exec("INSERT INTO ticket_search (ticket_search, rank) VALUES ('integrity-check', 1)");
}

TEST_CASE("relevance puts the ticket with the very number first", "[storage][search]") {
    search_fixture f;
    for (int i = 1; i <= 31; ++i) f.add_ticket("100021", 102, 2, fmt::format("Störung {}", i), monday_8am + i);
    // "3" is a short word, matched whole: CD-2026-000003 alone, not 30 and 31.
    CHECK(f.found(dispatcher, "3", ticket_sort::relevance) == numbers{"CD-2026-000003"});
    // A longer number also finds those it begins; relevance puts the very number first, whatever the filing order.
    const auto longer = f.add_ticket("100021", 102, 2, "Raum 12345 dunkel", monday_8am + 40);
    const auto exact = f.add_ticket("100021", 102, 2, "Raum 1234 dunkel", monday_8am + 41);
    const auto after = f.add_ticket("100021", 102, 2, "Raum 12346 dunkel", monday_8am + 42);
    CHECK(f.found(dispatcher, "1234", ticket_sort::relevance).front() == exact.number);
    CHECK(f.found(dispatcher, "1234", ticket_sort::created) == numbers{after.number, exact.number, longer.number});
    // The prefix of a long word finds the words it begins; a short word is matched whole.
    CHECK(f.found(dispatcher, "Stör").size() == 31);
    CHECK(f.found(dispatcher, "St").empty());
    // Without a text, relevance is due order.
    ticket_query q;
    q.who = dispatcher;
    q.sort = ticket_sort::relevance;
    q.now = monday_8am + day;
    q.limit = 3;
    const auto page = list_tickets(f.db, q, f.sla());
    REQUIRE(page.tickets.size() == 3);
    CHECK(page.tickets.front().t.number == "CD-2026-000001");
}

TEST_CASE("counts say how many match, bounded where the plan is", "[storage][search][lists]") {
    search_fixture f;
    for (int i = 0; i < 12; ++i) f.add_ticket(i % 2 ? "100011" : "100021", i % 2 ? 101 : 102, i % 2 ? 1 : 2,
                                        i % 3 ? "Beamer kaputt" : "Drucker kaputt", monday_8am + i * minute);
    ticket_query q;
    q.who = dispatcher;
    q.now = monday_8am + day;
    struct expected {
        std::int64_t count;
        bool more;
    };
    const auto check_count = [&](const ticket_query& query, expected e) {
        const auto c = count_tickets(f.db, query, f.calendar);
        CHECK(c.count == e.count);
        CHECK(c.more == e.more);
    };
    check_count(q, {12, false});
    q.text = "Beamer";
    check_count(q, {8, false});
    q.school = "100011";
    check_count(q, {4, false});
    q.text.clear();
    check_count(q, {6, false});
    q.school.clear();
    q.open_only = true;
    check_count(q, {12, false});
    // A set is counted up to one past the walk budget: beyond it, "more" (and the count is the budget).
    q.walk_budget = 12;
    check_count(q, {12, false});
    q.walk_budget = 11;
    check_count(q, {11, true});
    q.open_only = false;
    // A walk or a text search counts over its bounded set: beyond it, "more".
    q.walk_budget = 5;
    check_count(q, {5, true});
    q.text = "kaputt";
    q.text_candidates = 10;
    check_count(q, {10, true});
    q.statuses = {status::closed};
    check_count(q, {0, true});
    // A teacher counts their own.
    ticket_query mine;
    mine.who = teacher_a;
    mine.now = q.now;
    check_count(mine, {6, false});
    mine.text = "Drucker";
    check_count(mine, {2, false});
}

TEST_CASE("pages go back as they came, for every plan and sort", "[storage][lists]") {
    search_fixture f;
    for (int i = 0; i < 23; ++i)
        f.add_ticket(i % 2 ? "100011" : "100021", i % 2 ? 101 : 102, i % 2 ? 1 : 2, "Beamer kaputt", monday_8am + i * minute);
    const auto shape = GENERATE(0, 1, 2, 3, 4, 5);
    const auto sort = GENERATE(ticket_sort::due, ticket_sort::created, ticket_sort::updated, ticket_sort::relevance);
    ticket_query q;
    q.now = monday_8am + day;
    q.limit = 4;
    q.sort = sort;
    q.who = dispatcher;
    if (shape == 1) q.text = "Beamer";
    if (shape == 2) q.open_only = true;
    if (shape == 3) q.who = teacher_a;
    if (shape == 4) q.school = "100011";
    if (shape == 5) q.walk_budget = 3;  // walks with partial pages
    INFO("shape " << shape << ", sort " << static_cast<int>(sort));
    // Forward to the end, remembering each page.
    std::vector<std::vector<std::int64_t>> pages;
    std::vector<std::string> firsts;
    for (int guard = 0; guard < 100; ++guard) {
        const auto page = list_tickets(f.db, q, f.sla());
        std::vector<std::int64_t> ids;
        for (const auto& item : page.tickets) ids.push_back(item.t.id);
        pages.push_back(ids);
        firsts.push_back(page.first_position);
        if (page.next_cursor.empty()) break;
        q.cursor = page.next_cursor;
    }
    std::vector<std::int64_t> forward;
    for (const auto& p : pages) forward.insert(forward.end(), p.begin(), p.end());
    CHECK(forward.size() == (shape == 3 || shape == 4 ? 11u : 23u));
    // Backward from the last page with rows, from its first row, following the backward cursors (a walk's partial
    // page goes on from where it stopped): the same rows in the same order.
    while (!pages.empty() && pages.back().empty()) {
        pages.pop_back();
        firsts.pop_back();
    }
    REQUIRE(!pages.empty());
    std::vector<std::int64_t> backward(pages.back());
    q.backward = true;
    q.cursor = firsts.back();
    for (int guard = 0; guard < 100 && !q.cursor.empty(); ++guard) {
        const auto page = list_tickets(f.db, q, f.sla());
        std::vector<std::int64_t> ids;
        for (const auto& item : page.tickets) ids.push_back(item.t.id);
        backward.insert(backward.begin(), ids.begin(), ids.end());
        if (!ids.empty() && !page.next_cursor.empty() && shape != 5) CHECK(page.next_cursor == page.first_position);
        q.cursor = page.next_cursor;
    }
    CHECK(backward == forward);
}

TEST_CASE("the search index's migration indexes every ticket of a schema-19 database, and can run again",
          "[storage][search][schema]") {
    const auto row = GENERATE(table<std::string, numbers>({
        {"Beamer", {"CD-2026-000001"}},
        {"Kabel", {"CD-2026-000001"}},        // a reply
        {"Garantiefall", {"CD-2026-000001"}}, // an internal note
        {"Goethe", {"CD-2026-000001"}},       // the school's name
        {"Anna", {"CD-2026-000001"}},         // the requester
        {"CD-2026-000001", {"CD-2026-000001"}},
        {"Beamer Kabel", {"CD-2026-000001"}}, // words of two rows of the ticket
        {"Yilmaz", {"CD-2026-000002"}},       // a phone caller
        {"Drucker Kabel", {}},
    }));
    storage_fixture f;
    {
        search_fixture older;
        older.db.exec("PRAGMA foreign_keys = OFF");
        const auto t = older.add_ticket("100011", 101, 1, "Beamer flackert", monday_8am);
        older.add_event(t, event_kind::public_reply, "Kabel getauscht", monday_8am + minute);
        older.add_event(t, event_kind::internal_note, "Garantiefall", monday_8am + 2 * minute);
        const auto other = older.add_ticket("100021", 102, 2, "Drucker streift", monday_8am + 3 * minute);
        insert_phone_intake(older.db, {other.id, 200, "Herr Ömer Yilmaz", "0231 1234"});
        // Back to schema 19: the search index as it was before (the teacher's fields only), none of schema 20's tables.
        older.db.exec("DROP TABLE ticket_search; DROP VIEW ticket_search_source; DROP TABLE ticket_search_terms; "
                      "CREATE VIRTUAL TABLE tickets_fts USING fts5(title, description, room, asset_tag, "
                      "content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 2'); "
                      "INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild'); PRAGMA user_version = 19");
        older.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        std::filesystem::copy_file(older.file, f.file);
    }
    const auto finds = [&, row](SQLite::Database& db) {
        CHECK(db.execAndGet("PRAGMA user_version").getInt() == schema_version);
        CHECK(db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'tickets_fts'").getInt() == 0);
        db.exec("INSERT INTO ticket_search (ticket_search, rank) VALUES ('integrity-check', 1)");
        INFO(std::get<0>(row));
        ticket_query q;
        q.who = dispatcher;
        q.text = std::get<0>(row);
        q.now = monday_8am + day;
        numbers found;
        for (const auto& item : list_tickets(db, q, f.sla()).tickets) found.push_back(item.t.number);
        CHECK(found == std::get<1>(row));
    };
    {
        auto db = open_writer_database(f.file);
        finds(db);
        // The migration starts from what is there: run again over its own result (a rerun after a crash or a
        // restored copy), it gives the same index.
        db.exec("PRAGMA user_version = 19");
    }
    auto db = open_writer_database(f.file);
    finds(db);
}
