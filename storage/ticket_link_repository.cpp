#include "storage/ticket_link_repository.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>

namespace campusdesk {

void insert_link(SQLite::Database& db, link_kind kind, std::int64_t from_id, std::int64_t to_id, time_ms at,
                 std::int64_t by) {
    if (kind == link_kind::related && from_id > to_id) std::swap(from_id, to_id);
    reused_statement s(db, "INSERT INTO ticket_links (from_id, to_id, kind, created_at, created_by) VALUES (?, ?, ?, ?, ?)");
    s->bind(1, from_id);
    s->bind(2, to_id);
    s->bind(3, std::string(to_string(kind)));
    s->bind(4, at);
    s->bind(5, by);
    s->exec();
}

bool linked(SQLite::Database& db, std::int64_t a, std::int64_t b) {
    reused_statement s(db, "SELECT 1 FROM ticket_links WHERE (from_id = ? AND to_id = ?) OR (from_id = ? AND to_id = ?)");
    s->bind(1, a);
    s->bind(2, b);
    s->bind(3, b);
    s->bind(4, a);
    return s->executeStep();
}

std::vector<std::string> merged_into_chain(SQLite::Database& db, std::int64_t ticket_id) {
    reused_statement s(db, "SELECT l.to_id, t.number FROM ticket_links l JOIN tickets t ON t.id = l.to_id "
                           "WHERE l.from_id = ? AND l.kind = 'merged'");
    std::vector<std::string> chain;
    std::vector<std::int64_t> seen{ticket_id};
    for (std::int64_t at = ticket_id; chain.size() < 20;) {
        s->reset();
        s->bind(1, at);
        if (!s->executeStep()) break;
        at = s->getColumn(0).getInt64();
        chain.push_back(s->getColumn(1).getString());
        // Merges never form a cycle (check_merge), but a bounded walk must not loop on a damaged table either.
        if (std::find(seen.begin(), seen.end(), at) != seen.end()) break;
        seen.push_back(at);
    }
    return chain;
}

std::vector<ticket_link> links_of(SQLite::Database& db, std::int64_t ticket_id) {
    reused_statement s(db,
                       "SELECT l.kind, 1, l.to_id, l.created_at, l.created_by FROM ticket_links l WHERE l.from_id = :id "
                       "UNION ALL SELECT l.kind, 0, l.from_id, l.created_at, l.created_by FROM ticket_links l "
                       "WHERE l.to_id = :id ORDER BY 4, 3");
    s->bind(":id", ticket_id);
    std::vector<ticket_link> links;
    while (s->executeStep()) {
        ticket_link l;
        l.kind = parse_link_kind(s->getColumn(0).getString()).value_or(link_kind::related);
        l.outgoing = l.kind == link_kind::merged && s->getColumn(1).getInt() == 1;
        l.other_id = s->getColumn(2).getInt64();
        l.at = s->getColumn(3).getInt64();
        l.by = s->getColumn(4).getInt64();
        links.push_back(std::move(l));
    }
    reused_statement t(db, "SELECT number, title, school_number, status, requester_id FROM tickets WHERE id = ?");
    for (auto& l : links) {
        t->reset();
        t->bind(1, l.other_id);
        if (!t->executeStep()) continue;
        l.other_number = t->getColumn(0).getString();
        l.other_title = t->getColumn(1).getString();
        l.other_school = t->getColumn(2).getString();
        l.other_state = parse_status(t->getColumn(3).getString()).value_or(status::open);
        l.other_requester_id = t->getColumn(4).getInt64();
    }
    return links;
}

} // namespace campusdesk
