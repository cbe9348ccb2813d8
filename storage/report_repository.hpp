// The reads of the monthly SLA report (SLA.md §4): the tickets created in a period with their histories, and the
// campus managers their events name. Read-only.
#pragma once

#include "core/sla_report.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace campusdesk {

// The tickets created in [from, to) (created_at), oldest first, each with its school's name and its history
// (without reply and note bodies, which figures never show); of one school if `school_number` is not empty.
std::vector<report_ticket> load_report_tickets(SQLite::Database& db, time_ms from, time_ms to,
                                               const std::string& school_number = {});

// How many tickets were created in [from, to): the check of the closed months' totals cache.
std::int64_t count_tickets_created(SQLite::Database& db, time_ms from, time_ms to);

// The campus managers the report names: those in the directory (with or without tickets), and former ones whose
// names the events of `tickets` carry.
std::vector<report_manager> load_report_managers(SQLite::Database& db, std::span<const report_ticket> tickets);

} // namespace campusdesk
