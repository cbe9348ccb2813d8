// Storage-internal: the one reader of `ticket_events` rows, shared by the repositories that load histories
// (tickets, reports). Not for server/: it knows the table's columns.
#pragma once

#include "core/ticket.hpp"

namespace campusdesk::event_rows {

// The columns read_event expects, in its order, from `first` on.
inline constexpr const char* columns =
    "seq, at, actor_id, by_staff, kind, to_status, to_priority, body, manager_id, partner";
// The same for figures, which never show bodies (replies, notes): those are left unread.
inline constexpr const char* columns_without_body =
    "seq, at, actor_id, by_staff, kind, to_status, to_priority, '', manager_id, partner";
// columns_without_body for a query that joins ticket_events as `e` with tables of the same column names.
inline constexpr const char* joined_columns_without_body =
    "e.seq, e.at, e.actor_id, e.by_staff, e.kind, e.to_status, e.to_priority, '', e.manager_id, e.partner";

// Statement: SQLite::Statement or raw_statement.
template <class Statement>
ticket_event read_event(Statement& s, int first) {
    ticket_event e;
    e.seq = s.getColumn(first + 0).getInt64();
    e.at = s.getColumn(first + 1).getInt64();
    e.actor_id = s.getColumn(first + 2).getInt64();
    e.by_staff = s.getColumn(first + 3).getInt() != 0;
    e.kind = parse_event_kind(s.getColumn(first + 4).getString()).value_or(event_kind::internal_note);
    if (!s.getColumn(first + 5).isNull()) e.to_status = parse_status(s.getColumn(first + 5).getString());
    if (!s.getColumn(first + 6).isNull()) e.to_priority = parse_priority(s.getColumn(first + 6).getString());
    e.body = s.getColumn(first + 7).getString();
    if (!s.getColumn(first + 8).isNull()) e.manager_id = s.getColumn(first + 8).getInt64();
    e.partner = s.getColumn(first + 9).getString();
    return e;
}

} // namespace campusdesk::event_rows
