// What people may do to a ticket: each action is checked against the rules and turned into the events that
// record it (SLA.md §3 transitions, requester rights, staff-only actions). Pure: no storage, no clock.
#pragma once

#include "core/ticket_rules.hpp"

#include <span>
#include <variant>
#include <vector>

namespace campusdesk {

enum class refusal { forbidden, conflict, invalid };

struct action_error {
    refusal kind = refusal::invalid;
    std::string code;
    std::string message;  // German
    std::string field;
};

using planned_events = std::vector<ticket_event>;
using action_outcome = std::variant<planned_events, action_error>;

// Everything the rules need to know about the moment and the ticket's past.
struct action_context {
    viewer who;
    const ticket& t;
    std::span<const ticket_event> history;
    time_ms now = 0;
    time_ms reopen_window_ms = 14LL * 24 * 3600 * 1000;
    std::size_t max_text = 10000;
};

// A public reply or (staff only) an internal note. A requester's reply to a ticket waiting on them moves it
// back to open, recorded as a status_changed by the system.
action_outcome plan_reply(const action_context& c, const std::string& body, bool internal);

// A status change. Staff: every allowed transition (resolving needs a resolution note). The requester: reopen
// their resolved ticket within the reopen window, confirm a resolution (close), or withdraw (close) while it is
// not resolved. Resolved/closed/reopened are recorded with their own event kinds.
action_outcome plan_status_change(const action_context& c, status to, const std::string& note);

// Staff only, with a reason.
action_outcome plan_priority_change(const action_context& c, priority to, const std::string& note);

// Dispatchers and admins only; `manager_known` says whether the target manager exists.
action_outcome plan_assign(const action_context& c, std::int64_t manager_id, bool manager_known,
                           const std::string& note);

// Campus managers, dispatchers and admins; the ticket then waits on the partner.
action_outcome plan_escalate(const action_context& c, const std::string& partner_id, bool partner_known,
                             const std::string& note);

// The instant of the latest `resolved` event, if any.
std::optional<time_ms> last_resolved_at(std::span<const ticket_event> history);

} // namespace campusdesk
