#include "core/ticket_actions.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace campusdesk {
namespace {

ticket_event make_event(const action_context& c, event_kind kind, std::string body = {}) {
    ticket_event e;
    e.at = c.now;
    e.actor_id = c.who.user_id;
    e.by_staff = is_staff(c.who.who);
    e.kind = kind;
    e.body = std::move(body);
    return e;
}

std::optional<action_error> check_text(const action_context& c, const std::string& text, const char* field,
                                       bool required, const char* what) {
    if (!is_valid_utf8(text)) return action_error{refusal::invalid, "invalid_encoding", "Ungültige Zeichen.", field};
    if (has_control_characters(text, text_lines::multi))
        return action_error{refusal::invalid, "control_characters", "Steuerzeichen sind nicht erlaubt.", field};
    if (required && is_blank(text))
        return action_error{refusal::invalid, "required", fmt::format("Bitte {} angeben.", what), field};
    if (utf8_length(text) > c.max_text)
        return action_error{refusal::invalid, "too_long",
                            fmt::format("Der Text ist zu lang (höchstens {} Zeichen).", c.max_text), field};
    return std::nullopt;
}

action_error staff_only() {
    return {refusal::forbidden, "forbidden", "Das dürfen nur Mitarbeitende des IT-Supports.", ""};
}

action_error closed_ticket() {
    return {refusal::conflict, "ticket_closed", "Das Ticket ist geschlossen.", ""};
}

bool is_requester(const action_context& c) { return c.who.user_id == c.t.requester_id; }

} // namespace

std::optional<time_ms> last_resolved_at(std::span<const ticket_event> history) {
    std::optional<time_ms> at;
    for (const auto& e : history)
        if (e.kind == event_kind::resolved && (!at || e.at >= *at)) at = e.at;
    return at;
}

std::optional<time_ms> reopen_deadline(std::span<const ticket_event> history, std::int64_t window_ms) {
    const auto resolved_at = last_resolved_at(history);
    if (!resolved_at) return std::nullopt;
    return *resolved_at + window_ms;
}

action_outcome plan_reply(const action_context& c, const std::string& body, bool internal) {
    if (auto e = check_text(c, body, "body", true, "einen Text")) return *e;
    if (c.t.state == status::closed) return closed_ticket();
    const bool staff = is_staff(c.who.who);
    if (internal && !staff) return staff_only();
    if (!staff && !is_requester(c))
        return action_error{refusal::forbidden, "forbidden", "Nur die meldende Person kann antworten.", ""};
    planned_events events{make_event(c, internal ? event_kind::internal_note : event_kind::public_reply, body)};
    if (!staff && c.t.state == status::waiting_on_requester) {
        ticket_event back = make_event(c, event_kind::status_changed);
        back.actor_id = 0;  // the system moves it back (SLA.md §3)
        back.by_staff = false;
        back.to_status = status::open;
        events.push_back(back);
    }
    return events;
}

action_outcome plan_status_change(const action_context& c, status to, const std::string& note) {
    if (auto e = check_text(c, note, "note", to == status::resolved && is_staff(c.who.who), "eine Lösungsnotiz"))
        return *e;
    const status from = c.t.state;
    if (!transition_allowed(from, to))
        return action_error{refusal::conflict, "transition_not_allowed",
                            fmt::format("Vom Status „{}“ ist „{}“ nicht möglich.", to_string(from), to_string(to)),
                            "status"};
    if (!is_staff(c.who.who)) {
        if (!is_requester(c)) return staff_only();
        const bool reopen = from == status::resolved && to == status::open;
        const bool confirm = from == status::resolved && to == status::closed;
        const bool withdraw = from != status::resolved && to == status::closed;
        if (!reopen && !confirm && !withdraw) return staff_only();
        if (reopen) {
            const auto deadline = reopen_deadline(c.history, c.reopen_window_ms);
            if (deadline && reopen_window_over(*deadline, c.now))
                return action_error{refusal::conflict, "reopen_window_over",
                                    "Die Frist zum Wiedereröffnen ist abgelaufen. Bitte eine neue Störung melden.",
                                    "status"};
        }
    }
    event_kind kind = event_kind::status_changed;
    if (to == status::resolved) kind = event_kind::resolved;
    else if (to == status::closed) kind = event_kind::closed;
    else if (from == status::resolved && to == status::open) kind = event_kind::reopened;
    ticket_event e = make_event(c, kind, note);
    if (kind == event_kind::status_changed) e.to_status = to;
    return planned_events{e};
}

action_outcome plan_priority_change(const action_context& c, priority to, const std::string& note) {
    if (!is_staff(c.who.who)) return staff_only();
    if (auto e = check_text(c, note, "note", true, "einen Grund")) return *e;
    if (c.t.state == status::closed) return closed_ticket();
    if (c.t.prio == to)
        return action_error{refusal::conflict, "unchanged", "Das Ticket hat diese Priorität bereits.", "priority"};
    ticket_event e = make_event(c, event_kind::priority_changed, note);
    e.to_priority = to;
    return planned_events{e};
}

action_outcome plan_assign(const action_context& c, std::int64_t manager_id, bool manager_known,
                           const std::string& note) {
    if (c.who.who != role::dispatcher && c.who.who != role::admin)
        return action_error{refusal::forbidden, "forbidden", "Nur der Help-Desk kann Tickets zuweisen.", ""};
    if (auto e = check_text(c, note, "note", false, "")) return *e;
    if (!manager_known)
        return action_error{refusal::invalid, "unknown_manager", "Diesen Campus-Manager gibt es nicht.", "manager_id"};
    if (c.t.state == status::closed) return closed_ticket();
    if (c.t.assignee_id == manager_id)
        return action_error{refusal::conflict, "unchanged", "Das Ticket ist bereits so zugewiesen.", "manager_id"};
    ticket_event e = make_event(c, event_kind::assigned, note);
    e.manager_id = manager_id;
    return planned_events{e};
}

action_outcome plan_escalate(const action_context& c, const std::string& partner_id, bool partner_known,
                             const std::string& note) {
    // API.md: campus managers and the help desk escalate; the administrator's account runs the installation.
    if (c.who.who != role::campus_manager && c.who.who != role::dispatcher)
        return action_error{refusal::forbidden, "forbidden",
                            "Nur Campus-Manager und der Help-Desk können an Partner eskalieren.", ""};
    if (auto e = check_text(c, note, "note", false, "")) return *e;
    if (!partner_known)
        return action_error{refusal::invalid, "unknown_partner", "Diesen Partner gibt es nicht.", "partner"};
    if (!transition_allowed(c.t.state, status::waiting_on_third_party) && c.t.state != status::waiting_on_third_party)
        return action_error{refusal::conflict, "transition_not_allowed",
                            "Ein gelöstes oder geschlossenes Ticket kann nicht eskaliert werden.", ""};
    ticket_event e = make_event(c, event_kind::escalated, note);
    e.partner = partner_id;
    return planned_events{e};
}

bool ticket_action_set::allows_status(status s) const {
    return std::find(status_targets.begin(), status_targets.end(), s) != status_targets.end();
}

ticket_action_set allowed_actions(const action_context& c) {
    // Asks the plans themselves, with inputs that pass every check of the input (a text, a known target other
    // than the current one), so what remains is who the user is and where the ticket stands.
    const std::string text = "x";
    const auto accepted = [](const action_outcome& o) { return std::holds_alternative<planned_events>(o); };
    ticket_action_set a;
    a.reply = accepted(plan_reply(c, text, false));
    a.internal_note = accepted(plan_reply(c, text, true));
    for (const status s : all_statuses)
        if (accepted(plan_status_change(c, s, text))) a.status_targets.push_back(s);
    if (!is_staff(c.who.who)) {
        a.reopen = c.t.state == status::resolved && a.allows_status(status::open);
        a.confirm = c.t.state == status::resolved && a.allows_status(status::closed);
        a.withdraw = c.t.state != status::resolved && a.allows_status(status::closed);
    }
    for (const priority p : all_priorities)
        if (p != c.t.prio && accepted(plan_priority_change(c, p, text))) a.change_priority = true;
    a.assign = accepted(plan_assign(c, c.t.assignee_id + 1, true, text));
    a.escalate = accepted(plan_escalate(c, text, true, text));
    return a;
}

} // namespace campusdesk
