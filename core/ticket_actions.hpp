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

// The reopen window (SLA.md §3): the requester may reopen their resolved ticket until `reopen_window_ms(days)`
// after its latest resolution, that instant included; afterwards it is closed by the system.
constexpr std::int64_t reopen_window_ms(int days) { return std::int64_t{days} * 24 * 3600 * 1000; }

// Everything the rules need to know about the moment and the ticket's past.
struct action_context {
    viewer who;
    const ticket& t;
    std::span<const ticket_event> history;
    time_ms now = 0;
    time_ms reopen_window_ms = campusdesk::reopen_window_ms(14);
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

// The last instant at which the requester may reopen: the latest `resolved` event plus the window; nothing
// without one (then no window limits the reopening).
std::optional<time_ms> reopen_deadline(std::span<const ticket_event> history, std::int64_t window_ms);
// Whether the window that ends at `deadline` is over at `now`.
constexpr bool reopen_window_over(time_ms deadline, time_ms now) { return now > deadline; }
// The latest resolution whose window is over at `now`: tickets resolved at or before it are closed by the system
// (close_expired_resolutions).
constexpr time_ms last_resolution_with_window_over(time_ms now, std::int64_t window_ms) { return now - window_ms - 1; }

// What a user may do to a ticket at `c.now`: each entry is true iff the plan_* function would accept the action
// with a valid text, and (assignment, escalation) a known target other than the current one. The pages show a
// form iff its action is allowed here, so they never offer what the plan refuses, nor hide what it accepts.
struct ticket_action_set {
    bool reply = false;               // plan_reply, public
    bool internal_note = false;       // plan_reply, internal
    std::vector<status> status_targets; // plan_status_change for each status, in all_statuses order
    bool reopen = false;              // the requester's resolved -> open (within the window)
    bool confirm = false;             // the requester's resolved -> closed
    bool withdraw = false;            // the requester's close of a ticket that is not resolved
    bool change_priority = false;     // plan_priority_change to some other priority
    bool assign = false;              // plan_assign to another known manager
    bool escalate = false;            // plan_escalate to a known partner

    bool allows_status(status s) const;
};
ticket_action_set allowed_actions(const action_context& c);

} // namespace campusdesk
