// Test support for storage: a database file in a fresh temporary directory, with the schema and a small directory.
#pragma once

#include "core/business_calendar.hpp"
#include "core/sla_policy.hpp"
#include "storage/ticket_repository.hpp"

#include <SQLiteCpp/Database.h>

#include <filesystem>

namespace campusdesk::testing {

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
};

} // namespace campusdesk::testing
