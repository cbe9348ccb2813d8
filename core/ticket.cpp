#include "core/ticket.hpp"

#include <array>
#include <utility>

namespace campusdesk {
namespace {

template <class Enum, std::size_t N>
using name_table = std::array<std::pair<Enum, std::string_view>, N>;

constexpr name_table<status, 6> status_names{{
    {status::new_, "new"}, {status::open, "open"}, {status::waiting_on_requester, "waiting_on_requester"},
    {status::waiting_on_third_party, "waiting_on_third_party"}, {status::resolved, "resolved"},
    {status::closed, "closed"}}};
constexpr name_table<priority, 4> priority_names{{
    {priority::critical, "critical"}, {priority::high, "high"}, {priority::normal, "normal"},
    {priority::low, "low"}}};
constexpr name_table<event_kind, 10> event_kind_names{{
    {event_kind::created, "created"}, {event_kind::public_reply, "public_reply"},
    {event_kind::internal_note, "internal_note"}, {event_kind::status_changed, "status_changed"},
    {event_kind::priority_changed, "priority_changed"}, {event_kind::assigned, "assigned"},
    {event_kind::escalated, "escalated"}, {event_kind::resolved, "resolved"},
    {event_kind::reopened, "reopened"}, {event_kind::closed, "closed"}}};
constexpr name_table<role, 4> role_names{{
    {role::teacher, "teacher"}, {role::campus_manager, "campus_manager"}, {role::dispatcher, "dispatcher"},
    {role::admin, "admin"}}};

template <class Enum, std::size_t N>
std::string_view name_of(const name_table<Enum, N>& table, Enum value) {
    for (const auto& [v, name] : table)
        if (v == value) return name;
    return "?";
}

template <class Enum, std::size_t N>
std::optional<Enum> parse_in(const name_table<Enum, N>& table, std::string_view text) {
    for (const auto& [v, name] : table)
        if (name == text) return v;
    return std::nullopt;
}

} // namespace

std::string_view to_string(status s) { return name_of(status_names, s); }
std::string_view to_string(priority p) { return name_of(priority_names, p); }
std::string_view to_string(event_kind k) { return name_of(event_kind_names, k); }
std::string_view to_string(role r) { return name_of(role_names, r); }

std::optional<status> parse_status(std::string_view t) { return parse_in(status_names, t); }
std::optional<priority> parse_priority(std::string_view t) { return parse_in(priority_names, t); }
std::optional<event_kind> parse_event_kind(std::string_view t) { return parse_in(event_kind_names, t); }
std::optional<role> parse_role(std::string_view t) { return parse_in(role_names, t); }

bool is_staff(role r) { return r != role::teacher; }
bool is_help_desk(role r) { return r == role::dispatcher || r == role::admin; }

std::optional<status> status_set_by(const ticket_event& e) {
    switch (e.kind) {
    case event_kind::created: return status::new_;
    case event_kind::status_changed: return e.to_status;
    case event_kind::escalated: return status::waiting_on_third_party;
    case event_kind::resolved: return status::resolved;
    case event_kind::reopened: return status::open;
    case event_kind::closed: return status::closed;
    default: return std::nullopt;
    }
}

} // namespace campusdesk
