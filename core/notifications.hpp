// Who learns of what by mail (issue 17): the kinds of notification, which roles may receive each, and the pure rule
// "who is notified of these events". Storage resolves the recipients to accounts and their addresses and settings;
// nothing here knows about mail transport.
#pragma once

#include "core/routing.hpp"
#include "core/ticket.hpp"
#include "core/ticket_rules.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace campusdesk {

enum class mail_kind {
    // to the teacher who filed the ticket
    question,         // staff asked something and wait for the answer (waiting_on_requester)
    staff_reply,      // a public reply of staff
    resolved,         // with the links to confirm or reopen
    closed,
    // to the campus manager of the ticket (the one covering while they are absent)
    new_ticket,
    assigned,         // a ticket was given to them
    requester_reply,  // the teacher answered
    reopened,
    sla_warning,      // 75 % of a deadline used
    sla_breach,       // also to the help desk
    // to the help desk (dispatchers)
    unseen,           // nobody has looked at a new ticket for [mail] unseen_minutes
    outage,           // several network tickets of one school within an hour (core/dispatch_rules)
    // to one manager a day instead of their single mails, if they chose so
    digest,
    // `campusdesk mail test`: to an address, not a person
    test,
    // [mail.imap] unknown_senders = "answer": the one polite answer a day to an address that belongs to nobody
    unknown_sender,
    // to a teacher who pressed "Ich bin auch betroffen": the known problem is resolved (issue 24). Its outbox row
    // names the problem by event_seq (ticket_id 0): such a teacher has no ticket of it.
    problem_resolved,
    // New kinds go at the end: a user's switched-off kinds are stored as bits of these positions (mail_bit).
};

inline constexpr mail_kind all_mail_kinds[] = {
    mail_kind::question,  mail_kind::staff_reply,     mail_kind::resolved, mail_kind::closed,
    mail_kind::new_ticket, mail_kind::assigned,       mail_kind::requester_reply, mail_kind::reopened,
    mail_kind::sla_warning, mail_kind::sla_breach,    mail_kind::unseen,   mail_kind::outage,
    mail_kind::digest,     mail_kind::test,          mail_kind::unknown_sender, mail_kind::problem_resolved};

std::string_view to_string(mail_kind k);
std::optional<mail_kind> parse_mail_kind(std::string_view text);

// The kinds a person of this role may switch on or off on their account page, in the page's order (digest and
// test are not among them: the digest is a manner of delivery, the test is for an address).
std::vector<mail_kind> mail_kinds_for(role r);
// One bit per kind in a user's `mail_off` (the kinds they switched off; 0: every kind of their role is on).
constexpr std::int64_t mail_bit(mail_kind k) { return std::int64_t{1} << static_cast<int>(k); }

// Who receives a notice: an account, the account of a campus manager (managers row), or every dispatcher.
struct notice_target {
    enum class kind { user, manager, help_desk } who = kind::user;
    std::int64_t id = 0;  // users.id or managers.id; 0 for the help desk
    bool operator==(const notice_target&) const = default;
};

struct notice {
    mail_kind kind = mail_kind::new_ticket;
    notice_target to;
    std::int64_t event_seq = 0;  // the event the mail tells of (its text); 0: about the ticket as it stands
    bool operator==(const notice&) const = default;
};

// The acting account of an action: its user id and, for a campus manager, their managers row (nobody is told by
// mail of what they did themselves).
struct notice_actor {
    std::int64_t user_id = 0;  // 0: the system (auto-close, directory moves)
    std::int64_t manager_id = 0;
};

// The notices of the events one action appended to `t` (t as it stands after them, events with their seq). A
// manager's notice goes to whoever receives the manager's new tickets now (routing with absences: the substitute
// while the manager is away). A question replaces the reply it was asked in; each (kind, recipient) once.
std::vector<notice> notices_for_events(const ticket& t, std::span<const ticket_event> events, const notice_actor& actor,
                                       std::span<const absence> absences, time_ms now);

// The notices of a resolved known problem: to each teacher who joined it without a ticket of their own (those
// whose ticket is attached hear of its resolution as of any ticket's), except the one who resolved it.
std::vector<notice> notices_for_resolved_problem(std::int64_t problem_id, std::span<const std::int64_t> joined_users,
                                                 const notice_actor& actor);

// The notices of a time-driven kind (sla_warning, sla_breach, unseen, outage) about `t`.
std::vector<notice> notices_for_time(mail_kind kind, const ticket& t, std::span<const absence> absences, time_ms now);

} // namespace campusdesk
