// Ticket domain vocabulary: statuses, priorities, event kinds, roles and the event record itself.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace campusdesk {

// UTC instant in milliseconds since the Unix epoch; the only time type stored or passed around.
using time_ms = std::int64_t;

enum class status { new_, open, waiting_on_requester, waiting_on_third_party, resolved, closed };
enum class priority { critical, high, normal, low };
enum class event_kind {
    created, public_reply, internal_note, status_changed, priority_changed,
    assigned, escalated, resolved, reopened, closed
};
enum class role { teacher, campus_manager, dispatcher, admin };

std::string_view to_string(status s);
std::string_view to_string(priority p);
std::string_view to_string(event_kind k);
std::string_view to_string(role r);

std::optional<status> parse_status(std::string_view text);
std::optional<priority> parse_priority(std::string_view text);
std::optional<event_kind> parse_event_kind(std::string_view text);
std::optional<role> parse_role(std::string_view text);


inline constexpr status all_statuses[] = {status::new_, status::open, status::waiting_on_requester,
                                          status::waiting_on_third_party, status::resolved, status::closed};
inline constexpr priority all_priorities[] = {priority::critical, priority::high, priority::normal, priority::low};

bool is_staff(role r);
// The central help desk: dispatchers and administrators (the board, absences, reports, assignment).
bool is_help_desk(role r);

// One entry of a ticket's append-only history. Kind-specific fields are set only for their kind.
struct ticket_event {
    std::int64_t seq = 0;
    time_ms at = 0;
    std::int64_t actor_id = 0;        // 0: the system itself
    bool by_staff = false;            // actor is campus manager, dispatcher, admin (or the system)
    event_kind kind = event_kind::created;
    std::optional<status> to_status;       // status_changed
    std::optional<priority> to_priority;   // created, priority_changed
    std::string body;                      // replies, notes, reasons
    std::optional<std::int64_t> manager_id; // assigned
    std::string partner;                   // escalated: partner id
};

// The status an event sets, if it is a status-setting event (SLA.md §3).
std::optional<status> status_set_by(const ticket_event& e);

} // namespace campusdesk

// fmt 9 (Debian 12) uses format_as only for integral results, so the enums get formatters of their own.
template <class Enum>
    requires(std::is_same_v<Enum, campusdesk::status> || std::is_same_v<Enum, campusdesk::priority> ||
             std::is_same_v<Enum, campusdesk::event_kind> || std::is_same_v<Enum, campusdesk::role>)
struct fmt::formatter<Enum> : fmt::formatter<std::string_view> {
    auto format(Enum value, fmt::format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(campusdesk::to_string(value), ctx);
    }
};
