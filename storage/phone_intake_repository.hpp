// Tickets the help desk took on the phone (issue 16): who took the call, and the caller's name and number when the
// caller has no account (the ticket's requester is then the help-desk member who filed it).
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>

namespace campusdesk {

struct phone_intake {
    std::int64_t ticket_id = 0;
    std::int64_t taken_by = 0;
    std::string caller_name;   // empty: the caller is the ticket's requester (a teacher with an account)
    std::string caller_phone;
};

void insert_phone_intake(SQLite::Database& db, const phone_intake& intake);
std::optional<phone_intake> find_phone_intake(SQLite::Database& db, std::int64_t ticket_id);

} // namespace campusdesk
