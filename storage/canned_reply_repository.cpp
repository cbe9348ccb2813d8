#include "storage/canned_reply_repository.hpp"

#include <SQLiteCpp/Statement.h>

namespace campusdesk {
namespace {

constexpr const char* columns = "SELECT id, COALESCE(owner_id, 0), category, title, body, updated_by, updated_at "
                                "FROM canned_replies ";

canned_reply read_reply(SQLite::Statement& s) {
    return {s.getColumn(0).getInt64(),  s.getColumn(1).getInt64(), s.getColumn(2).getString(),
            s.getColumn(3).getString(), s.getColumn(4).getString(), s.getColumn(5).getInt64(),
            s.getColumn(6).getInt64()};
}

} // namespace

std::vector<canned_reply> list_canned_replies(SQLite::Database& db, std::int64_t user_id,
                                              std::optional<std::string> category) {
    SQLite::Statement s(db, std::string(columns) +
                                "WHERE (owner_id IS NULL OR owner_id = ?1) AND (?2 IS NULL OR category = '' OR category = ?2) "
                                "ORDER BY owner_id IS NOT NULL, title COLLATE NOCASE, id");
    s.bind(1, user_id);
    if (category) s.bind(2, *category);
    else s.bind(2);
    std::vector<canned_reply> replies;
    while (s.executeStep()) replies.push_back(read_reply(s));
    return replies;
}

std::optional<canned_reply> find_canned_reply(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement s(db, std::string(columns) + "WHERE id = ?");
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    return read_reply(s);
}

std::int64_t save_canned_reply(SQLite::Database& db, const canned_reply& r) {
    SQLite::Statement s(db, r.id == 0 ? "INSERT INTO canned_replies (owner_id, category, title, body, updated_by, "
                                        "updated_at) VALUES (?1,?2,?3,?4,?5,?6)"
                                      : "UPDATE canned_replies SET owner_id = ?1, category = ?2, title = ?3, body = ?4, "
                                        "updated_by = ?5, updated_at = ?6 WHERE id = ?7");
    if (r.owner_id == 0) s.bind(1);
    else s.bind(1, r.owner_id);
    s.bind(2, r.category);
    s.bind(3, r.title);
    s.bind(4, r.body);
    s.bind(5, r.updated_by);
    s.bind(6, r.updated_at);
    if (r.id != 0) s.bind(7, r.id);
    s.exec();
    return r.id == 0 ? db.getLastInsertRowid() : r.id;
}

bool delete_canned_reply(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement s(db, "DELETE FROM canned_replies WHERE id = ?");
    s.bind(1, id);
    return s.exec() > 0;
}

} // namespace campusdesk
