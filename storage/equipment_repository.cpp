#include "storage/equipment_repository.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

namespace campusdesk {

std::vector<device_count> load_device_counts(SQLite::Database& db, const std::string& school_number,
                                             local_date today) {
    // Dates are 'YYYY-MM-DD' texts: the year is their first four characters, and they compare as text.
    // Two texts rather than "(? = '' OR school_number = ?)", which would keep SQLite from the index for one school.
    static constexpr const char* columns = "SELECT school_number, kind, CAST(substr(purchase_date, 1, 4) AS INTEGER), "
                                           "warranty_end <> '' AND warranty_end < ?1, count(*) FROM devices ";
    static const std::string one = std::string(columns) +
                                   "WHERE school_number = ?2 AND status <> 'retired' GROUP BY school_number, kind, 3, 4";
    static const std::string all =
        std::string(columns) + "WHERE status <> 'retired' GROUP BY school_number, kind, 3, 4";
    reused_statement s(db, school_number.empty() ? all : one);
    s->bind(1, format_iso_date(today));
    if (!school_number.empty()) s->bind(2, school_number);
    std::vector<device_count> counts;
    while (s->executeStep()) {
        device_count c;
        c.school_number = s->getColumn(0).getString();
        c.kind = parse_device_kind(s->getColumn(1).getString()).value_or(device_kind::other);
        c.purchase_year = s->getColumn(2).getInt();
        c.out_of_warranty = s->getColumn(3).getInt() != 0;
        c.devices = s->getColumn(4).getInt64();
        counts.push_back(std::move(c));
    }
    return counts;
}

std::vector<school_ticket_count> load_school_ticket_counts(SQLite::Database& db, time_ms from, bool per_category) {
    reused_statement s(db, per_category
                               ? "SELECT school_number, category, count(*) FROM tickets INDEXED BY tickets_by_created "
                                 "WHERE created_at >= ? GROUP BY school_number, category"
                               // A range of tickets_by_school per school (the window's entries only), not a scan
                               // of the whole index: schools keep their rows when they leave the directory.
                               : "SELECT s.number, '', (SELECT count(*) FROM tickets t WHERE t.school_number = s.number "
                                 "AND t.created_at >= ?1) FROM schools s");
    s->bind(1, from);
    std::vector<school_ticket_count> counts;
    while (s->executeStep())
        counts.push_back({s->getColumn(0).getString(), s->getColumn(1).getString(), s->getColumn(2).getInt64()});
    return counts;
}

std::vector<std::pair<std::string, std::int64_t>> load_devices_per_school(SQLite::Database& db) {
    reused_statement s(db, "SELECT school_number, count(*) FROM devices WHERE status <> 'retired' "
                           "GROUP BY school_number");
    std::vector<std::pair<std::string, std::int64_t>> list;
    while (s->executeStep()) list.emplace_back(s->getColumn(0).getString(), s->getColumn(1).getInt64());
    return list;
}

std::vector<std::pair<device_kind, std::int64_t>> load_device_ticket_counts(SQLite::Database& db, time_ms from,
                                                                            time_ms to) {
    reused_statement s(db, "SELECT d.kind, count(*) FROM ticket_devices td INDEXED BY ticket_devices_by_created "
                           "JOIN devices d ON d.id = td.device_id WHERE td.created_at >= ? AND td.created_at < ? "
                           "GROUP BY d.kind");
    s->bind(1, from);
    s->bind(2, to);
    std::vector<std::pair<device_kind, std::int64_t>> list;
    while (s->executeStep())
        list.emplace_back(parse_device_kind(s->getColumn(0).getString()).value_or(device_kind::other),
                          s->getColumn(1).getInt64());
    return list;
}

} // namespace campusdesk
