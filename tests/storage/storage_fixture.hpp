// Test support for storage: a database file in a fresh temporary directory, with the schema and a small directory.
#pragma once

#include "core/business_calendar.hpp"
#include "core/sla_policy.hpp"
#include "storage/ticket_repository.hpp"

#include <SQLiteCpp/Database.h>

#include <filesystem>

namespace campusdesk::testing {

// Instants for tests (business hours in Europe/Berlin).
namespace times {
inline constexpr time_ms monday_8am = 1'791'180'000'000;  // 2026-10-05 08:00 Europe/Berlin (06:00 UTC)
inline constexpr time_ms minute = 60'000;
inline constexpr time_ms day = 24 * 60 * minute;
} // namespace times

struct storage_fixture {
    storage_fixture();
    ~storage_fixture();

    std::filesystem::path dir;
    std::filesystem::path file;
    sla_policy policy;
    business_calendar calendar;
    sla_context sla() const { return {policy, calendar}; }

    // Managers 1..3 with two schools each ("1000<n>1", "1000<n>2").
    void add_directory(SQLite::Database& db) const;
    ticket make_ticket(std::string school, std::int64_t requester, std::int64_t assignee) const;
    // Inserts make_ticket(school, 7, assignee), filed by user 7 at `at`.
    ticket file_ticket(SQLite::Database& db, std::string school, std::int64_t assignee, time_ms at) const;
};

} // namespace campusdesk::testing
