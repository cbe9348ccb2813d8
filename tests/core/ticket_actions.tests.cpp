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
