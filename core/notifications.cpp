#include "core/notifications.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace campusdesk {
namespace {

constexpr std::array<std::pair<mail_kind, std::string_view>, 16> kind_names{{
    {mail_kind::question, "question"},
    {mail_kind::staff_reply, "staff_reply"},
    {mail_kind::resolved, "resolved"},
    {mail_kind::closed, "closed"},
    {mail_kind::new_ticket, "new_ticket"},
    {mail_kind::assigned, "assigned"},
    {mail_kind::requester_reply, "requester_reply"},
    {mail_kind::reopened, "reopened"},
    {mail_kind::sla_warning, "sla_warning"},
    {mail_kind::sla_breach, "sla_breach"},
    {mail_kind::unseen, "unseen"},
    {mail_kind::outage, "outage"},
    {mail_kind::digest, "digest"},
    {mail_kind::test, "test"},
    {mail_kind::unknown_sender, "unknown_sender"},
    {mail_kind::problem_resolved, "problem_resolved"},
}};

// Notices of one action, each (kind, recipient) once; a later event of the same kind and recipient tells the
// newer text.
void add(std::vector<notice>& out, notice n) {
    auto same = std::find_if(out.begin(), out.end(), [&](const notice& o) { return o.kind == n.kind && o.to == n.to; });
    if (same != out.end()) *same = n;
    else out.push_back(n);
}

// The manager who receives `manager_id`'s tickets now (the manager, or their substitute while away).
notice_target manager_now(std::int64_t manager_id, std::span<const absence> absences, time_ms now) {
    return {notice_target::kind::manager, route_new_ticket(manager_id, absences, now)};
}

} // namespace

std::string_view to_string(mail_kind k) {
    for (const auto& [kind, name] : kind_names)
        if (kind == k) return name;
    return "unknown";
}

std::optional<mail_kind> parse_mail_kind(std::string_view text) {
    for (const auto& [kind, name] : kind_names)
        if (name == text) return kind;
    return std::nullopt;
}

std::vector<mail_kind> mail_kinds_for(role r) {
    switch (r) {
    case role::teacher:
        return {mail_kind::question, mail_kind::staff_reply, mail_kind::resolved, mail_kind::closed,
                mail_kind::problem_resolved};
    case role::campus_manager:
        return {mail_kind::new_ticket, mail_kind::assigned, mail_kind::requester_reply, mail_kind::reopened,
                mail_kind::sla_warning, mail_kind::sla_breach};
    case role::dispatcher:
        return {mail_kind::sla_breach, mail_kind::outage, mail_kind::unseen};
    case role::admin:
        return {};
    }
    return {};
}

std::vector<notice> notices_for_events(const ticket& t, std::span<const ticket_event> events, const notice_actor& actor,
                                       std::span<const absence> absences, time_ms now) {
    std::vector<notice> out;
    const notice_target requester{notice_target::kind::user, t.requester_id};
    const auto to_requester = [&](mail_kind kind, const ticket_event& e) {
        if (t.requester_id != 0 && t.requester_id != actor.user_id) add(out, {kind, requester, e.seq});
    };
    const auto to_manager = [&](mail_kind kind, std::int64_t manager_id, const ticket_event& e) {
        if (manager_id == 0) return;
        const auto target = manager_now(manager_id, absences, now);
        if (target.id != 0 && target.id != actor.manager_id) add(out, {kind, target, e.seq});
    };
    std::int64_t reply_seq = 0;  // a public reply of staff in this action: the text of a question asked with it
    for (const auto& e : events) {
        switch (e.kind) {
        case event_kind::created:
            to_manager(mail_kind::new_ticket, t.assignee_id, e);
            break;
        case event_kind::public_reply:
            if (e.by_staff) {
                reply_seq = e.seq;
                to_requester(mail_kind::staff_reply, e);
            } else {
                to_manager(mail_kind::requester_reply, t.assignee_id, e);
            }
            break;
        case event_kind::status_changed:
            if (e.by_staff && e.to_status == status::waiting_on_requester) {
                ticket_event asked = e;
                if (reply_seq != 0) asked.seq = reply_seq;
                to_requester(mail_kind::question, asked);
            }
            break;
        case event_kind::resolved:
            to_requester(mail_kind::resolved, e);
            break;
        case event_kind::closed:
            to_requester(mail_kind::closed, e);
            break;
        case event_kind::reopened:
            to_manager(mail_kind::reopened, t.assignee_id, e);
            break;
        case event_kind::assigned:
            if (e.manager_id) to_manager(mail_kind::assigned, *e.manager_id, e);
            break;
        case event_kind::internal_note:
        case event_kind::priority_changed:
        case event_kind::escalated:
            break;
        }
    }
    // Asked in a reply: the question says it all, the reply is not told twice.
    if (std::any_of(out.begin(), out.end(), [](const notice& n) { return n.kind == mail_kind::question; }))
        std::erase_if(out, [](const notice& n) { return n.kind == mail_kind::staff_reply; });
    return out;
}

std::vector<notice> notices_for_time(mail_kind kind, const ticket& t, std::span<const absence> absences, time_ms now) {
    std::vector<notice> out;
    const auto to_manager = [&] {
        if (t.assignee_id == 0) return;
        const auto target = manager_now(t.assignee_id, absences, now);
        if (target.id != 0) out.push_back({kind, target, 0});
    };
    const notice_target help_desk{notice_target::kind::help_desk, 0};
    switch (kind) {
    case mail_kind::sla_warning:
        to_manager();
        break;
    case mail_kind::sla_breach:
        to_manager();
        out.push_back({kind, help_desk, 0});
        break;
    case mail_kind::unseen:
    case mail_kind::outage:
        out.push_back({kind, help_desk, 0});
        break;
    default:
        break;
    }
    return out;
}

std::vector<notice> notices_for_resolved_problem(std::int64_t problem_id, std::span<const std::int64_t> joined_users,
                                                 const notice_actor& actor) {
    std::vector<notice> out;
    for (const auto user : joined_users)
        if (user != actor.user_id) add(out, {mail_kind::problem_resolved, {notice_target::kind::user, user}, problem_id});
    return out;
}

} // namespace campusdesk
