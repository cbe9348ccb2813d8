#include "storage/problem_repository.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>

namespace campusdesk {
namespace {

constexpr const char* problem_columns =
    "p.id, p.title, p.description, p.all_schools, p.priority, p.started_at, p.declared_at, p.declared_by, "
    "p.expected_at, p.resolved_at, p.resolved_by, p.resolution";

known_problem read_problem(SQLite::Statement& s) {
    known_problem p;
    p.id = s.getColumn(0).getInt64();
    p.title = s.getColumn(1).getString();
    p.description = s.getColumn(2).getString();
    p.all_schools = s.getColumn(3).getInt() != 0;
    p.prio = parse_priority(s.getColumn(4).getString()).value_or(priority::critical);
    p.started_at = s.getColumn(5).getInt64();
    p.declared_at = s.getColumn(6).getInt64();
    p.declared_by = s.getColumn(7).getInt64();
    if (!s.getColumn(8).isNull()) p.expected_at = s.getColumn(8).getInt64();
    if (!s.getColumn(9).isNull()) p.resolved_at = s.getColumn(9).getInt64();
    p.resolved_by = s.getColumn(10).getInt64();
    p.resolution = s.getColumn(11).getString();
    return p;
}

void load_schools(SQLite::Database& db, known_problem& p) {
    reused_statement s(db, "SELECT school_number FROM problem_schools WHERE problem_id = ? ORDER BY school_number");
    s->bind(1, p.id);
    while (s->executeStep()) p.schools.push_back(s->getColumn(0).getString());
}

std::vector<known_problem> read_problems(SQLite::Database& db, reused_statement& s) {
    std::vector<known_problem> list;
    while (s->executeStep()) list.push_back(read_problem(*s));
    for (auto& p : list)
        if (!p.all_schools) load_schools(db, p);
    return list;
}

void bind_optional(SQLite::Statement& s, int index, std::optional<time_ms> value) {
    if (value) s.bind(index, *value);
    else s.bind(index);
}

} // namespace

std::int64_t insert_problem(SQLite::Database& db, const known_problem& p) {
    reused_statement s(db,
                       "INSERT INTO problems (title, description, all_schools, priority, started_at, declared_at, "
                       "declared_by, expected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    s->bind(1, p.title);
    s->bind(2, p.description);
    s->bind(3, p.all_schools ? 1 : 0);
    s->bind(4, std::string(to_string(p.prio)));
    s->bind(5, p.started_at);
    s->bind(6, p.declared_at);
    s->bind(7, p.declared_by);
    bind_optional(*s, 8, p.expected_at);
    s->exec();
    const auto id = db.getLastInsertRowid();
    reused_statement school(db, "INSERT OR IGNORE INTO problem_schools (problem_id, school_number) VALUES (?, ?)");
    for (const auto& number : p.schools) {
        school->reset();
        school->bind(1, id);
        school->bind(2, number);
        school->exec();
    }
    return id;
}

std::optional<known_problem> find_problem(SQLite::Database& db, std::int64_t id) {
    reused_statement s(db, std::string("SELECT ") + problem_columns + " FROM problems p WHERE p.id = ?");
    s->bind(1, id);
    auto list = read_problems(db, s);
    if (list.empty()) return std::nullopt;
    return list.front();
}

std::vector<known_problem> list_problems(SQLite::Database& db, int resolved_limit) {
    reused_statement open(db, std::string("SELECT ") + problem_columns +
                                  " FROM problems p WHERE p.resolved_at IS NULL ORDER BY p.declared_at DESC");
    auto list = read_problems(db, open);
    reused_statement resolved(db, std::string("SELECT ") + problem_columns +
                                      " FROM problems p WHERE p.resolved_at IS NOT NULL ORDER BY p.id DESC LIMIT ?");
    resolved->bind(1, resolved_limit);
    for (auto& p : read_problems(db, resolved)) list.push_back(std::move(p));
    return list;
}

void update_problem_parts(SQLite::Database& db, std::int64_t id, priority prio, time_ms started_at) {
    reused_statement s(db, "UPDATE problems SET priority = ?, started_at = ? WHERE id = ?");
    s->bind(1, std::string(to_string(prio)));
    s->bind(2, started_at);
    s->bind(3, id);
    s->exec();
}

void resolve_problem(SQLite::Database& db, std::int64_t id, time_ms at, std::int64_t by, const std::string& resolution) {
    reused_statement s(db, "UPDATE problems SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ? "
                           "AND resolved_at IS NULL");
    s->bind(1, at);
    s->bind(2, by);
    s->bind(3, resolution);
    s->bind(4, id);
    s->exec();
}

bool attach_ticket(SQLite::Database& db, std::int64_t problem_id, const ticket& t, time_ms at, std::int64_t by) {
    reused_statement s(db, "INSERT OR IGNORE INTO problem_tickets (problem_id, ticket_id, attached_at, attached_by) "
                           "VALUES (?, ?, ?, ?)");
    s->bind(1, problem_id);
    s->bind(2, t.id);
    s->bind(3, at);
    s->bind(4, by);
    if (s->exec() == 0) return false;
    reused_statement a(db, "INSERT OR IGNORE INTO problem_affected (problem_id, user_id, school_number, at, room, "
                           "ticket_id) VALUES (?, ?, ?, ?, ?, ?)");
    a->bind(1, problem_id);
    a->bind(2, t.requester_id);
    a->bind(3, t.school_number);
    a->bind(4, t.created_at);
    a->bind(5, t.room);
    a->bind(6, t.id);
    a->exec();
    return true;
}

std::optional<std::int64_t> problem_of_ticket(SQLite::Database& db, std::int64_t ticket_id) {
    reused_statement s(db, "SELECT problem_id FROM problem_tickets WHERE ticket_id = ?");
    s->bind(1, ticket_id);
    if (!s->executeStep()) return std::nullopt;
    return s->getColumn(0).getInt64();
}

std::vector<attached_ticket> problem_tickets(SQLite::Database& db, std::int64_t problem_id) {
    reused_statement s(db, "SELECT t.id, t.number, t.requester_id, t.priority, t.created_at, t.title, t.status "
                           "FROM problem_tickets pt JOIN tickets t ON t.id = pt.ticket_id "
                           "WHERE pt.problem_id = ? ORDER BY t.created_at, t.id");
    s->bind(1, problem_id);
    std::vector<attached_ticket> list;
    while (s->executeStep()) {
        attached_ticket a;
        a.id = s->getColumn(0).getInt64();
        a.part.ticket = s->getColumn(1).getString();
        a.part.requester_id = s->getColumn(2).getInt64();
        a.part.prio = parse_priority(s->getColumn(3).getString()).value_or(priority::normal);
        a.part.created_at = s->getColumn(4).getInt64();
        a.title = s->getColumn(5).getString();
        a.state = parse_status(s->getColumn(6).getString()).value_or(status::open);
        list.push_back(std::move(a));
    }
    return list;
}

bool add_affected(SQLite::Database& db, std::int64_t problem_id, const affected_person& a) {
    reused_statement s(db, "INSERT OR IGNORE INTO problem_affected (problem_id, user_id, school_number, at, room, note) "
                           "VALUES (?, ?, ?, ?, ?, ?)");
    s->bind(1, problem_id);
    s->bind(2, a.user_id);
    s->bind(3, a.school_number);
    s->bind(4, a.at);
    s->bind(5, a.room);
    s->bind(6, a.note);
    return s->exec() > 0;
}

std::vector<affected_person> affected_people(SQLite::Database& db, std::int64_t problem_id) {
    reused_statement s(db, "SELECT a.user_id, COALESCE(u.name, ''), a.school_number, a.at, a.room, a.note, "
                           "COALESCE(t.number, '') FROM problem_affected a LEFT JOIN users u ON u.id = a.user_id "
                           "LEFT JOIN tickets t ON t.id = a.ticket_id WHERE a.problem_id = ? ORDER BY a.at, a.user_id");
    s->bind(1, problem_id);
    std::vector<affected_person> list;
    while (s->executeStep()) {
        affected_person a;
        a.user_id = s->getColumn(0).getInt64();
        a.name = s->getColumn(1).getString();
        a.school_number = s->getColumn(2).getString();
        a.at = s->getColumn(3).getInt64();
        a.room = s->getColumn(4).getString();
        a.note = s->getColumn(5).getString();
        a.ticket = s->getColumn(6).getString();
        list.push_back(std::move(a));
    }
    return list;
}

std::vector<problem_notice> problems_for_teacher(SQLite::Database& db, std::int64_t user_id,
                                                 const std::string& school_number, time_ms resolved_since) {
    // The schools come in the same statement (a few primary-key lookups per listed problem), so the banner costs
    // one statement whatever it shows.
    const std::string schools =
        ", (SELECT group_concat(s.school_number) FROM problem_schools s WHERE s.problem_id = p.id) ";
    reused_statement s(
        db, std::string("SELECT ") + problem_columns +
                ", EXISTS (SELECT 1 FROM problem_affected a WHERE a.problem_id = p.id AND a.user_id = :user), 0" +
                schools +
                "FROM problems p WHERE p.resolved_at IS NULL AND (p.all_schools = 1 OR EXISTS (SELECT 1 FROM "
                "problem_schools s WHERE s.problem_id = p.id AND s.school_number = :school)) "
                "UNION ALL SELECT " + problem_columns + ", 1, 1" + schools +
                "FROM problem_affected a JOIN problems p ON p.id = a.problem_id "
                "WHERE a.user_id = :user AND p.resolved_at >= :since "
                "ORDER BY 14, 7 DESC LIMIT 20");  // open ones first, each part by its latest declaration
    s->bind(":user", user_id);
    s->bind(":school", school_number);
    s->bind(":since", resolved_since);
    std::vector<problem_notice> list;
    while (s->executeStep()) {
        problem_notice n{read_problem(*s), s->getColumn(12).getInt() != 0};
        std::string numbers = s->getColumn(14).isNull() ? std::string() : s->getColumn(14).getString();
        for (std::size_t at = 0; !numbers.empty() && at != std::string::npos;) {
            const auto comma = numbers.find(',', at);
            n.problem.schools.push_back(numbers.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
            at = comma == std::string::npos ? comma : comma + 1;
        }
        std::sort(n.problem.schools.begin(), n.problem.schools.end());
        list.push_back(std::move(n));
    }
    return list;
}

std::set<std::string, std::less<>> open_problem_ticket_numbers(SQLite::Database& db) {
    reused_statement s(db, "SELECT t.number FROM problems p JOIN problem_tickets pt ON pt.problem_id = p.id "
                           "JOIN tickets t ON t.id = pt.ticket_id WHERE p.resolved_at IS NULL");
    std::set<std::string, std::less<>> numbers;
    while (s->executeStep()) numbers.insert(s->getColumn(0).getString());
    return numbers;
}

std::vector<report_problem> problems_started_between(SQLite::Database& db, time_ms from, time_ms to) {
    reused_statement s(db, std::string("SELECT ") + problem_columns +
                               ", (SELECT COUNT(*) FROM problem_affected a WHERE a.problem_id = p.id) "
                               "FROM problems p WHERE p.started_at >= ? AND p.started_at < ? ORDER BY p.started_at, p.id");
    s->bind(1, from);
    s->bind(2, to);
    std::vector<report_problem> list;
    while (s->executeStep()) {
        report_problem r;
        r.problem = read_problem(*s);
        r.teachers_affected = s->getColumn(12).getInt64();
        list.push_back(std::move(r));
    }
    for (auto& r : list) {
        if (!r.problem.all_schools) load_schools(db, r.problem);
        for (const auto& t : problem_tickets(db, r.problem.id)) r.tickets.push_back(t.part.ticket);
    }
    return list;
}

} // namespace campusdesk
