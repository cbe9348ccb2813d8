// What the search index costs the hot paths, in CPU instructions counted by valgrind's callgrind (deterministic,
// unlike wall-clock runs on a shared machine): N creates (one transaction each, as the writer's smallest batch),
// N replies to recent tickets, or N queue pages of a campus manager without a search text, through the real
// storage code on a copy of the benchmark database. Only the measured loop is counted (callgrind's client
// requests); warm-up before it is not. docs/lists.md ("Search") has the figures and the commands.
//
//   valgrind --tool=callgrind --instr-atstart=no search_cost_bench --config FILE --db FILE --phase P [--n N] [--batch B]
//
// P: open (only opens the database: migrations, timed without valgrind), create (N transactions of B creates),
// reply, queue.
#include "core/business_calendar.hpp"
#include "server/config_loader.hpp"
#include "storage/database.hpp"
#include "storage/statement_cache.hpp"
#include "storage/ticket_repository.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <valgrind/callgrind.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

using namespace campusdesk;

namespace {

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "search_cost_bench: " << why
              << "\nusage: search_cost_bench --config FILE --db FILE --phase open|create|reply|queue [--n N]\n";
    std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
    std::string config_file, db_file, phase;
    int n = 200;
    int batch = 1;  // creates per transaction (the writer groups the requests waiting for it, a savepoint each)
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i], value = argv[i + 1];
        if (arg == "--config") config_file = value;
        else if (arg == "--db") db_file = value;
        else if (arg == "--phase") phase = value;
        else if (arg == "--n") n = std::stoi(value);
        else if (arg == "--batch") batch = std::stoi(value);
        else usage("unknown option " + arg);
    }
    if (config_file.empty() || db_file.empty() || phase.empty()) usage("--config, --db and --phase are needed");
    auto loaded = load_config(config_file);
    if (!loaded.errors.empty()) usage(fmt::format("{}: {} config error(s)", config_file, loaded.errors.size()));
    const app_config& config = *loaded.config;
    const business_calendar calendar(config.calendar);
    const sla_context sla{config.sla, calendar};

    const auto opening = std::chrono::steady_clock::now();
    auto db = open_writer_database(db_file);
    const statement_reuse reuse(db);  // as the server's writer and readers keep their prepared statements
    const auto opened = std::chrono::duration<double>(std::chrono::steady_clock::now() - opening).count();
    if (phase == "open") {
        std::cout << fmt::format("opened (schema {}) in {:.1f} s\n", schema_version, opened);
        return 0;
    }

    SQLite::Statement who(db, "SELECT id, manager_id, school_number FROM users WHERE login = 'manager01'");
    if (!who.executeStep()) usage("no manager01 in the database");
    const auto manager_user = who.getColumn(0).getInt64(), manager = who.getColumn(1).getInt64();
    SQLite::Statement teacher(db, "SELECT u.id, u.school_number FROM users u JOIN schools s ON s.number = u.school_number "
                                  "WHERE u.role = 'teacher' AND s.manager_id = ? LIMIT 1");
    teacher.bind(1, manager);
    if (!teacher.executeStep()) usage("no teacher of manager01's schools");
    const auto requester = teacher.getColumn(0).getInt64();
    const auto school = teacher.getColumn(1).getString();
    const time_ms now = db.execAndGet("SELECT max(created_at) FROM tickets").getInt64() + 60'000;

    std::vector<std::int64_t> recent;  // open tickets of the manager to reply to
    {
        SQLite::Statement s(db, "SELECT id FROM tickets WHERE assignee_id = ? AND is_open = 1 ORDER BY id DESC LIMIT ?");
        s.bind(1, manager);
        s.bind(2, 2 * n);
        while (s.executeStep()) recent.push_back(s.getColumn(0).getInt64());
    }

    int created = 0;
    const auto create = [&] {
        ticket t;
        t.school_number = school;
        t.category = "presentation";
        t.prio = priority::high;
        t.title = "Beamer zeigt kein Bild";
        t.description = "Der Beamer geht an, zeigt aber nur 'Kein Signal', egal welches Kabel.";
        t.room = "B 1.12";
        t.asset_tag = fmt::format("DO-IP-{:06}", ++created);
        t.requester_id = requester;
        t.assignee_id = manager;
        ticket_event e;
        e.at = now + created;
        e.actor_id = requester;
        insert_ticket(db, t, e, 2026, sla, now + created);
    };
    std::size_t replied = 0;
    const auto reply = [&] {
        const auto t = find_ticket_by_id(db, recent[replied++ % recent.size()]);
        ticket_event e;
        e.at = now + static_cast<time_ms>(replied);
        e.actor_id = manager_user;
        e.by_staff = true;
        e.kind = event_kind::public_reply;
        e.body = "Ich komme morgen in der zweiten Stunde vorbei und bringe ein neues HDMI-Kabel mit.";
        SQLite::Transaction tx(db);
        append_event(db, *t, e, sla, e.at);
        tx.commit();
    };
    // As the queue page: the manager's open tickets, due first, 50 a page, no search text.
    ticket_query queue_query;
    queue_query.who = viewer{manager_user, role::campus_manager, "", manager, {}};
    queue_query.open_only = true;
    queue_query.sort = ticket_sort::due;
    queue_query.limit = 50;
    queue_query.now = now;
    std::size_t rows = 0;
    const auto queue = [&] { rows += list_tickets(db, queue_query, sla).tickets.size(); };

    std::function<void()> step;
    if (phase == "create")
        step = [&] {
            // As storage/write_queue.cpp commits a batch: one transaction, a savepoint per command, the search
            // rows inserted after the last.
            db.exec("BEGIN IMMEDIATE");
            search_index_batch search(db);
            for (int i = 0; i < batch; ++i) {
                db.exec("SAVEPOINT command");
                create();
                db.exec("RELEASE command");
            }
            search.write();
            db.exec("COMMIT");
        };
    else if (phase == "reply") step = reply;
    else if (phase == "queue") step = queue;
    else usage("unknown phase " + phase);
    if (phase == "reply" && recent.empty()) usage("no open tickets of manager01");
    for (int i = 0; i < 20; ++i) step();  // warm: caches, prepared statements
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < n; ++i) step();
    CALLGRIND_STOP_INSTRUMENTATION;
    std::cout << fmt::format("{} x {} done ({} rows listed)\n", n, phase, rows);
    if (phase == "queue") {
        // The SQL the queue ran, to compare builds: without a search text it must not have changed.
        std::cout << prepare_list_query(db, queue_query, calendar)->getQuery() << "\n";
    }
    return 0;
}
