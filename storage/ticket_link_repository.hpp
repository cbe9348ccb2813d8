// Links between tickets (issue 24): a duplicate merged into its main ticket, and related tickets.
#pragma once

#include "core/known_problems.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

// Records a link. A merge is stored from the duplicate to the main ticket; a related link once per pair.
void insert_link(SQLite::Database& db, link_kind kind, std::int64_t from_id, std::int64_t to_id, time_ms at,
                 std::int64_t by);
// Whether the two tickets are linked in either direction, of any kind.
bool linked(SQLite::Database& db, std::int64_t a, std::int64_t b);

// The tickets `ticket_id` is merged into, nearest first (a merged main ticket leads on; at most 20 steps).
std::vector<std::string> merged_into_chain(SQLite::Database& db, std::int64_t ticket_id);

// A link as one ticket's page shows it.
struct ticket_link {
    link_kind kind = link_kind::related;
    bool outgoing = false;        // merged: this ticket is the duplicate; related: always false
    std::int64_t other_id = 0;
    std::string other_number;
    std::string other_title;
    std::string other_school;
    status other_state = status::new_;
    std::int64_t other_requester_id = 0;
    time_ms at = 0;
    std::int64_t by = 0;
};
std::vector<ticket_link> links_of(SQLite::Database& db, std::int64_t ticket_id);

} // namespace campusdesk
