// Ticket workflow rules: the ticket record, allowed status transitions, visibility and input validation.
#pragma once

#include "core/ticket.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

struct app_config;

// The current state of a ticket (the projection of its events).
struct ticket {
    std::int64_t id = 0;
    std::string number;            // CD-2026-000123
    std::string school_number;
    std::string category;
    priority prio = priority::normal;
    status state = status::new_;
    std::string title;
    std::string description;
    std::string room;
    std::string asset_tag;
    std::int64_t requester_id = 0;
    std::int64_t assignee_id = 0;  // campus manager id
    std::string partner;           // second-level partner while escalated
    time_ms created_at = 0;
    time_ms updated_at = 0;
};

std::string format_ticket_number(int year, std::int64_t sequence);
bool is_valid_ticket_number(std::string_view number);

// SLA.md §3: staff may make every allowed transition.
bool transition_allowed(status from, status to);

// Who is looking: the logged-in user as the rules need them.
struct viewer {
    std::int64_t user_id = 0;
    role who = role::teacher;
    std::string school_number;      // teacher
    std::int64_t manager_id = 0;    // campus manager
    std::vector<std::int64_t> covering;  // managers this campus manager stands in for right now

    // A campus manager's own work or that of a colleague they stand in for: what `manager` looks after is theirs.
    bool looks_after(std::int64_t manager) const {
        return who == role::campus_manager && manager_id != 0 &&
               (manager == manager_id || std::find(covering.begin(), covering.end(), manager) != covering.end());
    }
};

// Least-privilege visibility: a teacher sees what they filed (or their school's tickets when the config allows
// it), a campus manager the tickets of their schools and those assigned to them (and, while covering an absent
// colleague, the colleague's), dispatchers and admins all.
bool can_see(const viewer& v, const ticket& t, std::int64_t school_manager_id, bool teachers_see_school_tickets);

// A field-level rule violation, reported as 422 with the field name.
struct field_error {
    std::string field;
    std::string code;
    std::string message;  // German, shown next to the field
};

// What a person submits to file a ticket, before validation.
struct ticket_draft {
    std::string school_number;
    std::string category;
    std::string priority;
    std::string title;
    std::string description;
    std::string room;
    std::string asset_tag;
};

// Checks a draft against the config (known school and category, lengths, required fields) and the filer's role.
std::vector<field_error> validate_draft(const ticket_draft& d, const viewer& filer, const app_config& config);

// Counts Unicode code points, since limits are about characters a person typed, not bytes.
std::size_t utf8_length(std::string_view text);
bool is_valid_utf8(std::string_view text);

} // namespace campusdesk

namespace campusdesk {

// Applies one event to the projection: status, priority, assignee, partner and updated_at.
void apply_event(ticket& t, const ticket_event& e);

inline bool is_open_status(status s) { return s != status::resolved && s != status::closed; }

} // namespace campusdesk
