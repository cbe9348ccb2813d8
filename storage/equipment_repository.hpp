// The counts behind the city's view of the schools' equipment (issue 18, core/equipment.hpp): devices per school,
// kind, purchase year and warranty, tickets per school and category. Each one grouped statement over existing
// indexes (no per-school or per-row queries), read-only.
#pragma once

#include "core/equipment.hpp"
#include "core/ticket_rules.hpp"

#include <SQLiteCpp/Database.h>

#include <string>
#include <utility>
#include <vector>

namespace campusdesk {

// The devices in service (not retired) of `school_number` (empty: of every school), grouped by school, kind,
// purchase year and whether the warranty ended before `today`. One school: a range of devices_by_school.
std::vector<device_count> load_device_counts(SQLite::Database& db, const std::string& school_number,
                                             local_date today);

struct school_ticket_count {
    std::string school_number;
    std::string category;  // empty when counted over all categories
    std::int64_t tickets = 0;
};
// Tickets created since `from` per school of the schools table (one statement, a range of the covering index
// tickets_by_school per school; schools without tickets with 0), or per school and category when `per_category`
// (through tickets_by_created and the table: the category is in no index; only pairs with tickets).
std::vector<school_ticket_count> load_school_ticket_counts(SQLite::Database& db, time_ms from, bool per_category);

// The number of devices in service per school with any, by number (a scan of the covering index devices_by_school).
std::vector<std::pair<std::string, std::int64_t>> load_devices_per_school(SQLite::Database& db);

// Tickets about a device created in [from, to), per kind of the device (a range of ticket_devices_by_created, each
// row's device by its primary key).
std::vector<std::pair<device_kind, std::int64_t>> load_device_ticket_counts(SQLite::Database& db, time_ms from,
                                                                            time_ms to);

} // namespace campusdesk
