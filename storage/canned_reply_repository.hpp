// Canned replies ("Textbausteine", issue 16): shared ones that the help desk keeps for everyone on staff, and each
// staff member's own; either for one category or for all.
#pragma once

#include "core/ticket.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

struct canned_reply {
    std::int64_t id = 0;
    std::int64_t owner_id = 0;  // 0: shared
    std::string category;       // empty: every category
    std::string title;
    std::string body;
    std::int64_t updated_by = 0;
    time_ms updated_at = 0;
    bool shared() const { return owner_id == 0; }
};

// The shared replies and `user_id`'s own, shared first, each by title. With `category` set, only those for that
// category or for all.
std::vector<canned_reply> list_canned_replies(SQLite::Database& db, std::int64_t user_id,
                                              std::optional<std::string> category = std::nullopt);
std::optional<canned_reply> find_canned_reply(SQLite::Database& db, std::int64_t id);
// Inserts (id 0) or updates the reply; returns its id.
std::int64_t save_canned_reply(SQLite::Database& db, const canned_reply& reply);
bool delete_canned_reply(SQLite::Database& db, std::int64_t id);

} // namespace campusdesk
