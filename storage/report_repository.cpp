#include "storage/report_repository.hpp"

#include "storage/directory_repository.hpp"
#include "storage/event_rows.hpp"
#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

#include <map>
#include <set>

namespace campusdesk {

// Two range scans over tickets_by_created, both in its order (created_at, id), so the events need no sort.
std::vector<report_ticket> load_report_tickets(SQLite::Database& db, time_ms from, time_ms to,
                                               const std::string& school_number) {
    std::vector<report_ticket> tickets;
    std::map<std::int64_t, std::size_t> index_of;
    // Schools keep their rows when they leave the directory, so old tickets keep their school's name.
    // One school: the same shape over tickets_by_school (school_number, created_at), whose order within a school
    // is (created_at, id) as well.
    const std::string school_filter = school_number.empty() ? "" : " AND t.school_number = ?3";
    SQLite::Statement t(db, "SELECT t.id, t.number, t.school_number, t.category, COALESCE(s.name, '') "
                            "FROM tickets t LEFT JOIN schools s ON s.number = t.school_number "
                            "WHERE t.created_at >= ?1 AND t.created_at < ?2" + school_filter +
                            " ORDER BY t.created_at, t.id");
    t.bind(1, from);
    t.bind(2, to);
    if (!school_number.empty()) t.bind(3, school_number);
    while (t.executeStep()) {
        report_ticket r;
        r.number = t.getColumn(1).getString();
        r.school_number = t.getColumn(2).getString();
        r.category = t.getColumn(3).getString();
        r.school_name = t.getColumn(4).getString();
        index_of[t.getColumn(0).getInt64()] = tickets.size();
        tickets.push_back(std::move(r));
    }
    if (tickets.empty()) return tickets;
    SQLite::Statement e(db, fmt::format("SELECT e.ticket_id, {} FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
                                        "WHERE t.created_at >= ?1 AND t.created_at < ?2{} "
                                        "ORDER BY t.created_at, t.id, e.seq",
                                        event_rows::joined_columns_without_body, school_filter));
    e.bind(1, from);
    e.bind(2, to);
    if (!school_number.empty()) e.bind(3, school_number);
    while (e.executeStep()) {
        auto it = index_of.find(e.getColumn(0).getInt64());
        if (it != index_of.end()) tickets[it->second].events.push_back(event_rows::read_event(e, 1));
    }
    return tickets;
}

std::int64_t count_tickets_created(SQLite::Database& db, time_ms from, time_ms to) {
    reused_statement count(db, "SELECT count(*) FROM tickets WHERE created_at >= ? AND created_at < ?");
    count->bind(1, from);
    count->bind(2, to);
    count->executeStep();
    return count->getColumn(0).getInt64();
}

std::vector<report_manager> load_report_managers(SQLite::Database& db, std::span<const report_ticket> tickets) {
    std::set<std::int64_t> named;
    for (const auto& t : tickets)
        for (const auto& e : t.events)
            if (e.manager_id) named.insert(*e.manager_id);
    std::vector<report_manager> managers;
    for (auto& m : load_managers(db))
        if (m.active || named.contains(m.id)) managers.push_back({m.id, std::move(m.login), std::move(m.name)});
    return managers;
}

} // namespace campusdesk
