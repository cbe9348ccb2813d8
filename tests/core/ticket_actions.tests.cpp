#include "core/ticket_actions.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace campusdesk;

// Issue 14, finding 9: replies and notes are multi-line texts: line breaks and tabs, but no other control character.
TEST_CASE("replies and notes refuse control characters other than line breaks and tabs", "[core][actions][text]") {
    ticket t;
    t.number = "CD-2026-000001";
    t.requester_id = 7;
    t.state = status::open;
    const action_context staff{{1, role::dispatcher, "", 0, {}}, t, {}, 1'000'000};
    const action_context requester{{7, role::teacher, "100001", 0, {}}, t, {}, 1'000'000};

    CHECK(std::holds_alternative<planned_events>(plan_reply(requester, "Danke,\r\n\tgeht wieder.", false)));
    CHECK(std::holds_alternative<planned_events>(plan_reply(staff, "intern:\nToner bestellt", true)));

    auto bad = GENERATE(std::string("a\0b", 3), std::string("\x1b[2J"), std::string("x\x7f"), std::string("\x08"));
    auto refused = [](const action_outcome& o) {
        REQUIRE(std::holds_alternative<action_error>(o));
        return std::get<action_error>(o);
    };
    const auto reply = refused(plan_reply(requester, bad, false));
    CHECK(reply.code == "control_characters");
    CHECK(reply.field == "body");
    const auto note = refused(plan_priority_change(staff, priority::high, "Grund" + bad));
    CHECK(note.code == "control_characters");
    CHECK(note.field == "note");
    CHECK(refused(plan_status_change(staff, status::resolved, "erledigt" + bad)).field == "note");
    CHECK(refused(plan_assign(staff, 2, true, bad)).field == "note");
}

namespace {

constexpr time_ms day = 24LL * 3600 * 1000;

bool accepted(const action_outcome& o) { return std::holds_alternative<planned_events>(o); }

} // namespace

TEST_CASE("the reopen window ends 14 days after the latest resolution, that instant included", "[core][actions]") {
    CHECK(reopen_window_ms(14) == 14 * day);
    ticket_event created, resolved, reopened, again;
    created.at = 1'000;
    resolved.kind = event_kind::resolved;
    resolved.at = 5 * day;
    reopened.kind = event_kind::reopened;
    reopened.at = 6 * day;
    again.kind = event_kind::resolved;
    again.at = 8 * day;
    const std::vector<ticket_event> once{created, resolved};
    const std::vector<ticket_event> twice{created, resolved, reopened, again};
    CHECK_FALSE(reopen_deadline(std::vector<ticket_event>{created}, 14 * day));
    CHECK(reopen_deadline(once, 14 * day) == 19 * day);
    CHECK(reopen_deadline(twice, 14 * day) == 22 * day);
    CHECK_FALSE(reopen_window_over(22 * day, 22 * day));
    CHECK(reopen_window_over(22 * day, 22 * day + 1));
    // The system closes exactly the tickets whose window is over.
    for (time_ms now : {22 * day - 1, 22 * day, 22 * day + 1, 30 * day}) {
        CAPTURE(now);
        CHECK((again.at <= last_resolution_with_window_over(now, 14 * day)) == reopen_window_over(22 * day, now));
    }

    ticket t;
    t.requester_id = 7;
    t.state = status::resolved;
    for (const auto& [now, allowed] : {std::pair{22 * day, true}, {22 * day + 1, false}}) {
        CAPTURE(now);
        const action_context c{{7, role::teacher, "100001", 0, {}}, t, twice, now, 14 * day};
        CHECK(accepted(plan_status_change(c, status::open, "")) == allowed);
        CHECK(allowed_actions(c).reopen == allowed);
    }
}

// The forms of the ticket page as a table: who (and whether they filed the ticket) × where the ticket stands ×
// whether the reopen window is over. Each row also must be what the plan_* functions accept.
TEST_CASE("allowed actions: a form for exactly what the plans accept", "[core][actions]") {
    struct user_case {
        const char* name;
        viewer who;
        bool requester;
    };
    const std::vector<user_case> users{
        {"teacher who filed", {7, role::teacher, "100001", 0, {}}, true},
        {"teacher of the school", {8, role::teacher, "100001", 0, {}}, false},
        {"campus manager", {20, role::campus_manager, "", 2, {}}, false},
        {"campus manager who filed", {7, role::campus_manager, "", 2, {}}, true},
        {"dispatcher", {30, role::dispatcher, "", 0, {}}, false},
        {"admin", {31, role::admin, "", 0, {}}, false},
    };
    ticket_event created, resolved;
    created.at = 0;
    created.to_priority = priority::normal;
    resolved.kind = event_kind::resolved;
    resolved.at = day;
    const std::vector<ticket_event> history{created, resolved};

    int rows = 0;
    for (const auto& u : users)
        for (const status state : all_statuses)
            for (const bool window_over : {false, true}) {
                CAPTURE(u.name, to_string(state), window_over);
                ticket t;
                t.number = "CD-2026-000001";
                t.requester_id = 7;
                t.assignee_id = 2;
                t.state = state;
                t.prio = priority::normal;
                const time_ms now = window_over ? 16 * day : 2 * day;
                const action_context c{u.who, t, history, now, 14 * day};
                const auto a = allowed_actions(c);
                ++rows;

                // The product's rules, written out.
                const bool staff = u.who.who != role::teacher;
                const bool help_desk = u.who.who == role::dispatcher || u.who.who == role::admin;
                const bool closed = state == status::closed, resolved_now = state == status::resolved;
                const bool requester_only = !staff && u.requester;
                CHECK(a.reply == (!closed && (staff || u.requester)));
                CHECK(a.internal_note == (!closed && staff));
                CHECK(a.change_priority == (!closed && staff));
                CHECK(a.assign == (!closed && help_desk));
                const bool escalates = u.who.who == role::campus_manager || u.who.who == role::dispatcher;
                CHECK(a.escalate == (escalates && !closed && !resolved_now));
                CHECK(a.confirm == (requester_only && resolved_now));
                CHECK(a.reopen == (requester_only && resolved_now && !window_over));
                CHECK(a.withdraw == (requester_only && !closed && !resolved_now));
                std::vector<status> targets;
                for (const status to : all_statuses)
                    if (staff ? transition_allowed(state, to)
                              : requester_only && ((to == status::closed && !closed) ||
                                                   (to == status::open && resolved_now && !window_over)))
                        targets.push_back(to);
                CHECK(a.status_targets == targets);

                // And each entry is what the plan says for a valid input.
                for (const status to : all_statuses)
                    CHECK(a.allows_status(to) == accepted(plan_status_change(c, to, "Notiz")));
                CHECK(a.reply == accepted(plan_reply(c, "Danke", false)));
                CHECK(a.internal_note == accepted(plan_reply(c, "intern", true)));
                CHECK(a.escalate == accepted(plan_escalate(c, "carrier", true, "")));
                CHECK(a.assign == accepted(plan_assign(c, 3, true, "")));
                CHECK(a.change_priority == accepted(plan_priority_change(c, priority::high, "Grund")));
            }
    CHECK(rows == 6 * 6 * 2);
}
