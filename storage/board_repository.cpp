#include "storage/board_repository.hpp"

#include "storage/sla_filters.hpp"
#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

namespace campusdesk {
namespace {

// Binds the parameters of `filters`, in the order their SQL appears in the query.
void bind_filters(SQLite::Statement& s, std::initializer_list<const sla_filter*> filters, const sla_filter_instants& at) {
    int index = 1;
    for (const auto* f : filters) f->bind_each(at, [&](time_ms value) { s.bind(index++, value); });
}

} // namespace

// Both read only the partial index of open tickets (schema 4), never the table; named, because without
// statistics SQLite would rather walk a full index in GROUP BY order and visit the table for all tickets.
// "At risk" and "breached" are the filters of the queue (storage/sla_filters.hpp), so the counts agree with it.
const std::string manager_loads_query =
    "SELECT t.assignee_id, count(*), sum(" + at_risk_filter().sql + "), sum(" + breached_filter().sql +
    "), min(t.created_at), sum(t.status = 'new') FROM tickets t INDEXED BY tickets_open_by_due_key "
    "WHERE t.is_open = 1 GROUP BY t.assignee_id";
const std::string school_loads_query =
    "SELECT t.school_number, count(*), sum(t.category = 'network'), sum(" + breached_filter().sql +
    "), max(t.created_at) FROM tickets t INDEXED BY tickets_open_by_due_key WHERE t.is_open = 1 "
    "GROUP BY t.school_number";

std::vector<manager_load> load_manager_loads(SQLite::Database& db, const business_calendar& calendar, time_ms now) {
    SQLite::Statement s(db, manager_loads_query);
    bind_filters(s, {&at_risk_filter(), &breached_filter()}, sla_filter_instants_at(calendar, now));
    std::vector<manager_load> loads;
    while (s.executeStep())
        loads.push_back({s.getColumn(0).getInt64(), s.getColumn(1).getInt(), s.getColumn(2).getInt(),
                         s.getColumn(3).getInt(), s.getColumn(4).getInt64(), s.getColumn(5).getInt()});
    return loads;
}

std::vector<school_load> load_school_loads(SQLite::Database& db, const business_calendar& calendar, time_ms now) {
    SQLite::Statement s(db, school_loads_query);
    bind_filters(s, {&breached_filter()}, sla_filter_instants_at(calendar, now));
    std::vector<school_load> loads;
    while (s.executeStep())
        loads.push_back({s.getColumn(0).getString(), s.getColumn(1).getInt(), s.getColumn(2).getInt(),
                         s.getColumn(3).getInt(), s.getColumn(4).getInt64()});
    return loads;
}

std::string open_by_school_query(std::size_t schools) {
    std::string marks;
    for (std::size_t i = 0; i < schools; ++i) marks += i ? ",?" : "?";
    return fmt::format("SELECT school_number, count(*) FROM tickets INDEXED BY tickets_open_by_school "
                       "WHERE is_open = 1{} GROUP BY school_number",
                       schools ? " AND school_number IN (" + marks + ")" : "");
}

std::map<std::string, int> count_open_by_school(SQLite::Database& db, const std::vector<std::string>& schools) {
    reused_statement s(db, open_by_school_query(schools.size()));
    for (std::size_t i = 0; i < schools.size(); ++i) s->bind(static_cast<int>(i) + 1, schools[i]);
    std::map<std::string, int> counts;
    while (s->executeStep()) counts[s->getColumn(0).getString()] = s->getColumn(1).getInt();
    return counts;
}

std::vector<open_ticket_brief> load_open_since(SQLite::Database& db, time_ms since) {
    SQLite::Statement s(db, "SELECT t.number, t.school_number, t.category, t.created_at FROM tickets t "
                            "WHERE t.created_at >= ? AND t.is_open = 1");
    s.bind(1, since);
    std::vector<open_ticket_brief> result;
    while (s.executeStep())
        result.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
                          s.getColumn(3).getInt64()});
    return result;
}

std::vector<absence_record> load_current_absences(SQLite::Database& db, time_ms now) {
    SQLite::Statement s(db, "SELECT id, manager_id, starts_at, ends_at, substitute_id FROM absences "
                            "WHERE ends_at > ? ORDER BY starts_at");
    s.bind(1, now);
    std::vector<absence_record> result;
    while (s.executeStep())
        result.push_back({s.getColumn(0).getInt64(),
                          {s.getColumn(1).getInt64(), s.getColumn(2).getInt64(), s.getColumn(3).getInt64(),
                           s.getColumn(4).getInt64()}});
    return result;
}

std::int64_t set_absence(SQLite::Database& db, const absence& a, time_ms now) {
    end_absence(db, a.manager_id, std::max(now, a.from));
    SQLite::Statement s(db, "INSERT INTO absences (manager_id, starts_at, ends_at, substitute_id) VALUES (?,?,?,?)");
    s.bind(1, a.manager_id);
    s.bind(2, a.from);
    s.bind(3, a.to);
    s.bind(4, a.substitute_id);
    s.exec();
    return db.getLastInsertRowid();
}

bool end_absence(SQLite::Database& db, std::int64_t manager_id, time_ms now) {
    // Past absences stay as they were (the audit trail of who covered whom); a running one ends now.
    SQLite::Statement planned(db, "DELETE FROM absences WHERE manager_id = ? AND starts_at >= ?");
    planned.bind(1, manager_id);
    planned.bind(2, now);
    const int dropped = planned.exec();
    SQLite::Statement running(db, "UPDATE absences SET ends_at = ? WHERE manager_id = ? AND starts_at < ? AND ends_at > ?");
    running.bind(1, now);
    running.bind(2, manager_id);
    running.bind(3, now);
    running.bind(4, now);
    return running.exec() + dropped > 0;
}

} // namespace campusdesk
