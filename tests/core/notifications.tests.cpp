#include "core/notifications.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;

namespace {

constexpr std::int64_t teacher = 10;      // users.id of the requester
constexpr std::int64_t manager_user = 20; // users.id of manager 2
constexpr std::int64_t manager = 2;       // managers.id assigned
constexpr std::int64_t substitute = 3;    // managers.id covering manager 2 while away
constexpr time_ms now = 1'800'000'000'000;

ticket a_ticket() {
    ticket t;
    t.id = 7;
    t.number = "CD-2026-000007";
    t.requester_id = teacher;
    t.assignee_id = manager;
    return t;
}

ticket_event event(event_kind kind, std::int64_t seq, std::int64_t actor, bool by_staff) {
    ticket_event e;
    e.kind = kind;
    e.seq = seq;
    e.actor_id = actor;
    e.by_staff = by_staff;
    return e;
}

ticket_event status_to(status s, std::int64_t seq, std::int64_t actor) {
    auto e = event(event_kind::status_changed, seq, actor, true);
    e.to_status = s;
    return e;
}

notice to_user(mail_kind k, std::int64_t user, std::int64_t seq) { return {k, {notice_target::kind::user, user}, seq}; }
notice to_manager(mail_kind k, std::int64_t m, std::int64_t seq) {
    return {k, {notice_target::kind::manager, m}, seq};
}

} // namespace

TEST_CASE("who is told of what: one action's events and its notices", "[core][notifications]") {
    const notice_actor by_teacher{teacher, 0};
    const notice_actor by_manager{manager_user, manager};
    const notice_actor by_dispatcher{30, 0};
    const notice_actor by_system{0, 0};
    auto assigned_to = [](std::int64_t m, std::int64_t seq) {
        auto e = event(event_kind::assigned, seq, 30, true);
        e.manager_id = m;
        return e;
    };
    struct row {
        const char* what;
        std::vector<ticket_event> events;
        notice_actor actor;
        std::vector<notice> expected;
    };
    const std::vector<row> table{
        {"a teacher files: the manager hears of the new ticket", {event(event_kind::created, 1, teacher, false)},
         by_teacher, {to_manager(mail_kind::new_ticket, manager, 1)}},
        {"the manager files for a school of theirs: nobody is told of their own ticket",
         {event(event_kind::created, 1, manager_user, true)}, by_manager, {}},
        {"staff replies: the teacher hears of the reply", {event(event_kind::public_reply, 4, manager_user, true)},
         by_manager, {to_user(mail_kind::staff_reply, teacher, 4)}},
        {"staff asks in a reply and waits: one question with the reply's text, not also the reply",
         {event(event_kind::public_reply, 4, manager_user, true), status_to(status::waiting_on_requester, 5, manager_user)},
         by_manager, {to_user(mail_kind::question, teacher, 4)}},
        {"staff waits on the requester without a reply: the question points at the status change",
         {status_to(status::waiting_on_requester, 5, manager_user)}, by_manager,
         {to_user(mail_kind::question, teacher, 5)}},
        {"waiting on a third party is no question to the teacher", {status_to(status::waiting_on_third_party, 5, manager_user)},
         by_manager, {}},
        {"the teacher answers: the manager hears it", {event(event_kind::public_reply, 6, teacher, false)}, by_teacher,
         {to_manager(mail_kind::requester_reply, manager, 6)}},
        {"an internal note tells nobody", {event(event_kind::internal_note, 6, manager_user, true)}, by_manager, {}},
        {"a priority change or an escalation tells nobody",
         {event(event_kind::priority_changed, 6, 30, true), event(event_kind::escalated, 7, 30, true)}, by_dispatcher, {}},
        {"resolved: the teacher (with the confirm and reopen links)", {event(event_kind::resolved, 8, manager_user, true)},
         by_manager, {to_user(mail_kind::resolved, teacher, 8)}},
        {"closed by the system: the teacher", {event(event_kind::closed, 9, 0, false)}, by_system,
         {to_user(mail_kind::closed, teacher, 9)}},
        {"the teacher confirms (closes) it: nobody, they did it themselves", {event(event_kind::closed, 9, teacher, false)},
         by_teacher, {}},
        {"the teacher reopens: the manager", {event(event_kind::reopened, 9, teacher, false)}, by_teacher,
         {to_manager(mail_kind::reopened, manager, 9)}},
        {"the help desk assigns to another manager: that manager", {assigned_to(substitute, 3)}, by_dispatcher,
         {to_manager(mail_kind::assigned, substitute, 3)}},
        {"a manager takes a ticket themselves: nobody", {assigned_to(manager, 3)}, by_manager, {}},
        {"two replies in one action: told once, with the later text",
         {event(event_kind::public_reply, 4, manager_user, true), event(event_kind::public_reply, 5, manager_user, true)},
         by_manager, {to_user(mail_kind::staff_reply, teacher, 5)}},
    };
    for (const auto& r : table) {
        INFO(r.what);
        CHECK(notices_for_events(a_ticket(), r.events, r.actor, {}, now) == r.expected);
    }
}

TEST_CASE("a manager's notices reach their substitute while they are away", "[core][notifications]") {
    const std::vector<absence> away{{manager, now - 1000, now + 1000, substitute}};
    const std::vector<ticket_event> created{event(event_kind::created, 1, teacher, false)};
    CHECK(notices_for_events(a_ticket(), created, {teacher, 0}, away, now) ==
          std::vector<notice>{to_manager(mail_kind::new_ticket, substitute, 1)});
    // After the absence: the manager again.
    CHECK(notices_for_events(a_ticket(), created, {teacher, 0}, away, now + 2000) ==
          std::vector<notice>{to_manager(mail_kind::new_ticket, manager, 1)});
    // The substitute acting is not told of what they did.
    const std::vector<ticket_event> reply{event(event_kind::public_reply, 2, teacher, false)};
    CHECK(notices_for_events(a_ticket(), reply, {99, substitute}, away, now).empty());
    // An unassigned ticket has no manager to tell.
    auto t = a_ticket();
    t.assignee_id = 0;
    CHECK(notices_for_events(t, created, {teacher, 0}, away, now).empty());
}

TEST_CASE("time-driven notices: warnings to the manager, breaches also to the help desk", "[core][notifications]") {
    const notice_target help_desk{notice_target::kind::help_desk, 0};
    CHECK(notices_for_time(mail_kind::sla_warning, a_ticket(), {}, now) ==
          std::vector<notice>{to_manager(mail_kind::sla_warning, manager, 0)});
    CHECK(notices_for_time(mail_kind::sla_breach, a_ticket(), {}, now) ==
          std::vector<notice>{to_manager(mail_kind::sla_breach, manager, 0), {mail_kind::sla_breach, help_desk, 0}});
    CHECK(notices_for_time(mail_kind::unseen, a_ticket(), {}, now) ==
          std::vector<notice>{{mail_kind::unseen, help_desk, 0}});
    CHECK(notices_for_time(mail_kind::outage, a_ticket(), {}, now) ==
          std::vector<notice>{{mail_kind::outage, help_desk, 0}});
    const std::vector<absence> away{{manager, now - 1000, now + 1000, substitute}};
    CHECK(notices_for_time(mail_kind::sla_warning, a_ticket(), away, now) ==
          std::vector<notice>{to_manager(mail_kind::sla_warning, substitute, 0)});
}

TEST_CASE("each role switches its own kinds; names and bits are distinct", "[core][notifications]") {
    CHECK(mail_kinds_for(role::teacher).size() == 5);  // with problem_resolved (issue 24)
    CHECK(mail_kinds_for(role::campus_manager).size() == 6);
    CHECK(mail_kinds_for(role::dispatcher) ==
          std::vector<mail_kind>{mail_kind::sla_breach, mail_kind::outage, mail_kind::unseen});
    std::int64_t bits = 0;
    for (const auto k : all_mail_kinds) {
        CHECK(parse_mail_kind(to_string(k)) == k);
        CHECK((bits & mail_bit(k)) == 0);
        bits |= mail_bit(k);
    }
    CHECK_FALSE(parse_mail_kind("spam"));
    // Stored settings are bits of these positions: a new kind may only be added at the end.
    CHECK(mail_bit(mail_kind::question) == 1);
    CHECK(mail_bit(mail_kind::outage) == std::int64_t{1} << 11);
    CHECK(mail_bit(mail_kind::test) == std::int64_t{1} << 13);
}

TEST_CASE("a resolved known problem is told to those who joined it, not to who resolved it", "[core][notifications]") {
    const std::vector<std::int64_t> joined{11, 12, 13};
    const auto notices = notices_for_resolved_problem(5, joined, {12, 3});
    REQUIRE(notices.size() == 2);
    CHECK(notices[0] == notice{mail_kind::problem_resolved, {notice_target::kind::user, 11}, 5});
    CHECK(notices[1].to.id == 13);
    CHECK(notices_for_resolved_problem(5, {}, {}).empty());
    // The new kind keeps the bits of the kinds before it where users' settings stored them.
    CHECK(mail_bit(mail_kind::test) == std::int64_t{1} << 13);
}
