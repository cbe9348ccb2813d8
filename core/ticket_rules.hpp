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

// Ticket numbers (docs/api-validation.md): `CD-YYYY-` and the year's sequence number, zero-padded to six digits
// and wider only as far as the number needs, so every ticket has exactly one spelling: `CD-2025-000001` is
// ticket 1 of 2025 and `CD-2025-0000001` is no ticket number at all (it could otherwise name a second ticket 1).
// Years run from 2000 to 9999, sequences from 1 to max_ticket_sequence (ten digits): far above any year's real
// count, and a bound that generation and import both keep, so the counter can never outgrow the format.
constexpr int min_ticket_year = 2000;
constexpr int max_ticket_year = 9999;
constexpr std::int64_t max_ticket_sequence = 9'999'999'999;

struct ticket_number_parts {
    int year = 0;
    std::int64_t sequence = 0;
};

// Throws std::out_of_range for a year or sequence outside the ranges above (a broken invariant of the caller).
std::string format_ticket_number(int year, std::int64_t sequence);
// The year and sequence of a canonical ticket number; nothing for anything else.
std::optional<ticket_number_parts> parse_ticket_number(std::string_view number);
bool is_valid_ticket_number(std::string_view number);

// Why `number` is not a ticket number, in English for the import report ("the sequence 0 is out of range …").
std::string ticket_number_problem(std::string_view number);

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
// it), a campus manager the tickets of their schools, those assigned to them (and, while covering an absent
// colleague, the colleague's) and those they filed themselves (staff may file for any school), dispatchers and
// admins all. Whoever filed a ticket can always see it (API.md).
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
    // The device the ticket is about (issue 18), when the filer chose one; otherwise a typed asset tag that is a
    // device's inventory or serial number at the school links the ticket to it.
    std::optional<std::int64_t> device_id;
};

// Checks a draft against the config (known school and category, lengths, required fields) and the filer's role.
std::vector<field_error> validate_draft(const ticket_draft& d, const viewer& filer, const app_config& config);

// The caller of a ticket the help desk takes on the phone (issue 16). For a teacher with an account
// (`has_account`) the number is optional; for a caller without one, name and number are needed, since the campus
// manager calls back. A name: one line, at most caller_name_max characters. A number: 3 to caller_phone_max
// characters of digits, spaces and + - / ( ), at least 3 of them digits.
inline constexpr std::size_t caller_name_max = 100;
inline constexpr std::size_t caller_phone_max = 30;
std::vector<field_error> validate_caller(bool has_account, const std::string& name, const std::string& phone);

// A canned reply ("Textbaustein"): a title (one line, at most canned_title_max) and a text (at most the reply limit).
inline constexpr std::size_t canned_title_max = 80;
std::vector<field_error> validate_canned_reply(const std::string& title, const std::string& body, std::size_t body_max);

// Counts Unicode code points, since limits are about characters a person typed, not bytes.
std::size_t utf8_length(std::string_view text);
// The first `max_characters` code points of valid UTF-8 (a character is never cut in two).
std::string utf8_prefix(std::string_view text, std::size_t max_characters);
bool is_valid_utf8(std::string_view text);

// Texts people type hold no control characters (docs/api-validation.md): none of C0 (U+0000–U+001F), DEL or C1
// (U+0080–U+009F), except that multi-line texts (descriptions, replies, notes) may hold line breaks and tabs
// (\n, \r, \t). A NUL or an escape sequence in a title is never intended and only breaks what reads it later
// (FTS5, terminals, CSV consumers). Expects valid UTF-8.
enum class text_lines { single, multi };
bool has_control_characters(std::string_view text, text_lines lines);

// The free-text search `q` of lists: valid UTF-8, no control characters, at most max_search_characters.
constexpr std::size_t max_search_characters = 200;
std::optional<field_error> check_search_text(std::string_view text);

} // namespace campusdesk

namespace campusdesk {

// Applies one event to the projection: status, priority, assignee, partner and updated_at.
void apply_event(ticket& t, const ticket_event& e);

inline bool is_open_status(status s) { return s != status::resolved && s != status::closed; }

} // namespace campusdesk
