// Baseline for the create-ticket benchmark (issue 7): raw SQLiteCpp durable inserts of the rows one ticket
// creation writes (tickets row, full-text row, `created` event), with campusdesk's pragmas (WAL,
// synchronous=FULL) but none of its code: once one ticket per transaction, once in batches.
//
//   sqlite_insert_bench --db FILE [--seconds S] [--batch N]
//
// FILE must hold campusdesk's schema (the benchmark runs it on a copy of the 1,000,000-ticket database, so the
// indexes are as deep as the server's). Prints one line per mode: "<mode> <tickets/s> <transactions/s>".
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv) {
    std::string file;
    double seconds = 5;
    int batch = 64;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--db") file = argv[i + 1];
        else if (arg == "--seconds") seconds = std::atof(argv[i + 1]);
        else if (arg == "--batch") batch = std::max(1, std::atoi(argv[i + 1]));
        else file.clear(), i = argc;
    }
    if (file.empty()) {
        std::cerr << "usage: sqlite_insert_bench --db FILE [--seconds S] [--batch N]\n";
        return 2;
    }
    SQLite::Database db(file, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=FULL");
    db.setBusyTimeout(5000);
    std::int64_t requester = db.execAndGet("SELECT id FROM users WHERE role='teacher' ORDER BY id LIMIT 1").getInt64();
    std::int64_t serial = db.execAndGet("SELECT COALESCE(MAX(id), 0) FROM tickets").getInt64();
    SQLite::Statement ticket(db, "INSERT INTO tickets (number, school_number, category, priority, status, title, "
                                 "description, room, asset_tag, requester_id, assignee_id, partner, created_at, "
                                 "updated_at, is_open, fr_verdict, fr_used_ms, fr_due_at, res_verdict, res_used_ms, "
                                 "res_due_at, due_at) VALUES (?,?,?,?,'new',?,?,?,?,?,?,'',?,?,1,'running',0,?,'running',0,?,?)");
    // As campusdesk's insert_ticket (schema 20): the terms the search row is indexed with, and the ticket's one
    // search row, each a single-row insert (docs/lists.md "Search").
    SQLite::Statement terms(db, "INSERT INTO ticket_search_terms (ticket_id, school, requester, scope) VALUES (?,?,?,?)");
    SQLite::Statement fts(db, "INSERT INTO ticket_search (rowid, title, description, room, asset_tag, number, school, "
                              "requester, replies, notes, scope) VALUES (?,?,?,?,?,?,?,?,'','',?)");
    SQLite::Statement event(db, "INSERT INTO ticket_events (ticket_id, seq, at, actor_id, by_staff, kind, to_status, "
                                "to_priority, body, manager_id, partner) VALUES (?,1,?,?,0,'created',NULL,?,'',?,'')");
    const std::string school = db.execAndGet("SELECT school_number FROM users WHERE id=" + std::to_string(requester)).getString();
    const std::int64_t manager = db.execAndGet("SELECT manager_id FROM schools WHERE number='" + school + "'").getInt64();
    const std::string school_terms =
        school + " " + db.execAndGet("SELECT name FROM schools WHERE number='" + school + "'").getString();
    const std::string requester_terms =
        db.execAndGet("SELECT name FROM users WHERE id=" + std::to_string(requester)).getString() + " ";
    const std::string scope = fmt::format("u{} s{} a{}", requester, school, manager);

    auto insert_one = [&] {
        ++serial;
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
        ticket.reset();
        ticket.bind(1, fmt::format("CD-9999-{:06}", serial));
        ticket.bind(2, school);
        ticket.bind(3, "presentation");
        ticket.bind(4, "high");
        ticket.bind(5, "Beamer zeigt kein Bild");
        ticket.bind(6, "Der Beamer geht an, zeigt aber nur 'Kein Signal', egal welches Kabel.");
        ticket.bind(7, "B 1.12");
        ticket.bind(8, "DO-IP-004711");
        ticket.bind(9, requester);
        ticket.bind(10, manager);
        ticket.bind(11, static_cast<std::int64_t>(now));
        ticket.bind(12, static_cast<std::int64_t>(now));
        ticket.bind(13, static_cast<std::int64_t>(now + 3'600'000));
        ticket.bind(14, static_cast<std::int64_t>(now + 36'000'000));
        ticket.bind(15, static_cast<std::int64_t>(now + 3'600'000));
        ticket.exec();
        const auto id = db.getLastInsertRowid();
        event.reset();
        event.bind(1, id);
        event.bind(2, static_cast<std::int64_t>(now));
        event.bind(3, requester);
        event.bind(4, "high");
        event.bind(5, manager);
        event.exec();
        terms.reset();
        terms.bind(1, id);
        terms.bind(2, school_terms);
        terms.bind(3, requester_terms);
        terms.bind(4, scope);
        terms.exec();
        fts.reset();
        fts.bind(1, id << 20 | 1);
        fts.bind(2, "Beamer zeigt kein Bild");
        fts.bind(3, "Der Beamer geht an, zeigt aber nur 'Kein Signal', egal welches Kabel.");
        fts.bind(4, "B 1.12");
        fts.bind(5, "DO-IP-004711");
        fts.bind(6, fmt::format("CD-9999-{:06} {}", serial, serial));
        fts.bind(7, school_terms);
        fts.bind(8, requester_terms);
        fts.bind(9, scope);
        fts.exec();
    };

    for (const int per_tx : {1, batch}) {
        std::int64_t tickets = 0;
        std::int64_t transactions = 0;
        const auto start = std::chrono::steady_clock::now();
        while (seconds_since(start) < seconds) {
            db.exec("BEGIN IMMEDIATE");
            for (int i = 0; i < per_tx; ++i) insert_one();
            db.exec("COMMIT");
            tickets += per_tx;
            ++transactions;
        }
        const double elapsed = seconds_since(start);
        fmt::print("{} {:.0f} {:.0f}\n", per_tx == 1 ? "single" : fmt::format("batch{}", per_tx),
                   static_cast<double>(tickets) / elapsed, static_cast<double>(transactions) / elapsed);
    }
    return 0;
}
