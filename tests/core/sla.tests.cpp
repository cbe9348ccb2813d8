#include "core/sla.hpp"

#include "core/german_holidays.hpp"
#include "core/local_time.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

using namespace campusdesk;

namespace {

constexpr std::int64_t minute = 60'000;

time_ms at(const std::string& iso) {
    const auto t = parse_iso8601(iso);
    REQUIRE(t.has_value());
    return *t;
}

// Builds a history in (at, seq) order; times are local Berlin times "YYYY-MM-DDTHH:MM" of the autumn 2026
// (CEST) unless a full ISO string with offset is given.
struct history {
    std::vector<ticket_event> events;
    std::int64_t seq = 0;

    static time_ms when(const std::string& t) { return at(t.size() == 16 ? t + ":00+02:00" : t); }
    history& add(event_kind kind, const std::string& t, bool staff) {
        ticket_event e;
        e.seq = ++seq;
        e.at = when(t);
        e.kind = kind;
        e.by_staff = staff;
        events.push_back(e);
        return *this;
    }
    history& created(const std::string& t, priority p) {
        add(event_kind::created, t, false);
        events.back().to_priority = p;
        return *this;
    }
    history& reply(const std::string& t, bool staff) { return add(event_kind::public_reply, t, staff); }
    history& note(const std::string& t) { return add(event_kind::internal_note, t, true); }
    history& assigned(const std::string& t) {
        add(event_kind::assigned, t, true);
        events.back().manager_id = 7;
        return *this;
    }
    history& escalated(const std::string& t) { return add(event_kind::escalated, t, true); }
    history& status_to(const std::string& t, status s, bool staff = true) {
        add(event_kind::status_changed, t, staff);
        events.back().to_status = s;
        return *this;
    }
    history& priority_to(const std::string& t, priority p) {
        add(event_kind::priority_changed, t, true);
        events.back().to_priority = p;
        return *this;
    }
    history& resolved(const std::string& t) { return add(event_kind::resolved, t, true); }
    history& reopened(const std::string& t, bool staff = false) { return add(event_kind::reopened, t, staff); }
    history& closed(const std::string& t, bool staff) { return add(event_kind::closed, t, staff); }
};

const business_calendar& office() {
    static const business_calendar cal(business_calendar_config::defaults());
    return cal;
}

sla_result eval(const history& h, const std::string& now, const sla_policy& policy = {},
                const business_calendar& cal = office()) {
    return evaluate_sla(h.events, policy, cal, history::when(now));
}

} // namespace

TEST_CASE("verdict names round-trip", "[core][sla]") {
    for (const auto v : {sla_verdict::met, sla_verdict::breached, sla_verdict::running, sla_verdict::paused})
        CHECK(parse_sla_verdict(to_string(v)) == v);
    CHECK(to_string(sla_verdict::breached) == "breached");
    CHECK(fmt::format("{}/{}", sla_verdict::met, sla_verdict::paused) == "met/paused");
    CHECK_FALSE(parse_sla_verdict("Breached").has_value());
    CHECK_FALSE(parse_sla_verdict("").has_value());
}

TEST_CASE("a new ticket filed on Saturday night runs from Monday 07:30", "[core][sla]") {
    history h;
    h.created("2026-10-03T22:00", priority::normal); // Saturday, also Tag der Deutschen Einheit
    const auto r = eval(h, "2026-10-05T08:30");
    CHECK(r.current_status == status::new_);
    CHECK(r.current_priority == priority::normal);
    CHECK(r.first_response.used_ms == 60 * minute);
    CHECK(r.first_response.target_minutes == 540);
    CHECK(r.first_response.verdict == sla_verdict::running);
    CHECK(r.first_response.due_at == history::when("2026-10-05T16:30"));
    CHECK(r.first_response.at_risk_at == history::when("2026-10-05T14:15")); // 405 of 540 minutes
    CHECK(r.resolution.used_ms == 60 * minute);
    CHECK(r.resolution.target_minutes == 2700);
    CHECK(r.resolution.due_at == history::when("2026-10-09T16:30"));
    CHECK(r.resolution.verdict == sla_verdict::running);
    CHECK_FALSE(r.first_response.breached_at);
    CHECK_FALSE(r.first_response.ended_at);
    CHECK_FALSE(r.at_risk);
    CHECK(r.paused_ms == 0);
    CHECK(r.reopen_count == 0);
    CHECK_FALSE(r.escalated);
    // Evaluated on Sunday, nothing is used yet, but the due times are already known.
    const auto sunday = eval(h, "2026-10-04T12:00");
    CHECK(sunday.first_response.used_ms == 0);
    CHECK(sunday.first_response.due_at == history::when("2026-10-05T16:30"));
}

TEST_CASE("first response across Karfreitag and Ostermontag: breached exactly at Thursday 16:30", "[core][sla]") {
    history h;
    h.created("2026-04-02T15:30", priority::critical).reply("2026-04-07T08:00", true);
    const auto r = eval(h, "2026-04-07T12:00");
    CHECK(r.first_response.used_ms == 90 * minute);
    CHECK(r.first_response.verdict == sla_verdict::breached);
    // The 60 minutes are used up at the end of Thursday's working hours, not on Tuesday morning.
    CHECK(r.first_response.breached_at == history::when("2026-04-02T16:30"));
    CHECK(r.first_response.ended_at == history::when("2026-04-07T08:00"));
    CHECK(r.first_response_at == history::when("2026-04-07T08:00"));
    CHECK_FALSE(r.first_response.due_at);
    CHECK(r.resolution.used_ms == (60 + 270) * minute);
    CHECK(r.resolution.verdict == sla_verdict::running);
    CHECK(r.resolution.due_at == history::when("2026-04-07T15:30")); // 60 on Thursday + 480 on Tuesday
}

TEST_CASE("Fronleichnam is a holiday in NW but not in Berlin", "[core][sla]") {
    history h;
    h.created("2026-06-03T16:00", priority::high).reply("2026-06-05T10:30", true);
    const auto nw = eval(h, "2026-06-05T12:00");
    CHECK(nw.first_response.used_ms == 210 * minute);
    CHECK(nw.first_response.verdict == sla_verdict::met);
    CHECK_FALSE(nw.first_response.breached_at);

    auto config = business_calendar_config::defaults();
    config.holiday_state = "BE";
    const business_calendar berlin(config, 2026, 2026);
    const auto be = eval(h, "2026-06-05T12:00", {}, berlin);
    CHECK(be.first_response.used_ms == (30 + 540 + 180) * minute);
    CHECK(be.first_response.verdict == sla_verdict::breached);
    CHECK(be.first_response.breached_at == history::when("2026-06-04T11:00"));
}

TEST_CASE("DST switches: default hours and round-the-clock hours", "[core][sla]") {
    SECTION("default hours, spring 2025 and autumn 2026: only working minutes count") {
        history spring;
        spring.created("2025-03-28T16:00:00+01:00", priority::normal);
        CHECK(eval(spring, "2025-03-31T09:00:00+02:00").first_response.used_ms == 120 * minute);
        history autumn;
        autumn.created("2026-10-23T16:00:00+02:00", priority::normal);
        CHECK(eval(autumn, "2026-10-26T09:00:00+01:00").first_response.used_ms == 120 * minute);
        CHECK(eval(autumn, "2026-10-26T09:00:00+01:00").first_response.due_at == at("2026-10-26T16:00:00+01:00"));
    }
    SECTION("00:00-24:00 every day: 23 and 25 hour days") {
        auto config = business_calendar_config::defaults();
        for (auto& d : config.working_hours) d = {{0, 1440}};
        const business_calendar always(config, 2025, 2026);
        const auto [created, now, hours] = GENERATE(table<std::string, std::string, std::int64_t>({
            {"2025-03-29T12:00:00+01:00", "2025-03-30T12:00:00+02:00", 23},
            {"2025-10-25T12:00:00+02:00", "2025-10-26T12:00:00+01:00", 25},
            {"2026-03-28T12:00:00+01:00", "2026-03-29T12:00:00+02:00", 23},
            {"2026-10-24T12:00:00+02:00", "2026-10-25T12:00:00+01:00", 25},
        }));
        history h;
        h.created(created, priority::critical);
        const auto r = eval(h, now, {}, always);
        CHECK(r.resolution.used_ms == hours * 60 * minute);
        CHECK(r.first_response.breached_at == at(created) + 60 * minute);
        // 540 business minutes = 9 real hours here, whatever the wall clock does later
        CHECK(r.resolution.breached_at == at(created) + 540 * minute);
    }
}

TEST_CASE("SLA clocks with several working intervals a day", "[core][sla]") {
    auto config = business_calendar_config::defaults();
    for (int d = 0; d < 5; ++d) config.working_hours[d] = {{450, 720}, {750, 990}};
    const business_calendar split(config, 2026, 2026);
    history h;
    h.created("2026-10-05T11:30", priority::critical);
    const auto running = eval(h, "2026-10-05T12:15", {}, split);
    CHECK(running.first_response.used_ms == 30 * minute);
    CHECK(running.first_response.due_at == history::when("2026-10-05T13:00"));
    CHECK(running.first_response.at_risk_at == history::when("2026-10-05T12:45"));
    h.reply("2026-10-05T12:45", true);
    const auto answered = eval(h, "2026-10-05T14:00", {}, split);
    CHECK(answered.first_response.used_ms == 45 * minute);
    CHECK(answered.first_response.verdict == sla_verdict::met);
}

TEST_CASE("school holidays and closure days follow the calendar", "[core][sla]") {
    auto config = business_calendar_config::defaults();
    config.school_holidays = {{{2026, 10, 17}, {2026, 10, 31}, "Herbstferien"}};
    history h;
    h.created("2026-10-16T16:00", priority::normal);
    CHECK(eval(h, "2026-10-19T09:00", {}, business_calendar(config, 2026, 2026)).resolution.used_ms == 120 * minute);
    config.school_holidays_are_business_days = false;
    const business_calendar holidays_off(config, 2026, 2026);
    const auto r = eval(h, "2026-10-19T09:00", {}, holidays_off);
    CHECK(r.resolution.used_ms == 30 * minute);
    CHECK(r.first_response.due_at == at("2026-11-02T16:00:00+01:00"));

    auto bridge = business_calendar_config::defaults();
    bridge.closure_days = {{2026, 5, 15}};
    history b;
    b.created("2026-05-13T16:00", priority::normal);
    CHECK(eval(b, "2026-05-18T08:30", {}, business_calendar(bridge, 2026, 2026)).resolution.used_ms == 90 * minute);
}

TEST_CASE("waiting on the requester pauses resolution, not first response", "[core][sla]") {
    history h;
    h.created("2026-10-05T08:00", priority::normal)
        .reply("2026-10-05T08:30", true)
        .status_to("2026-10-05T09:00", status::waiting_on_requester)
        .reply("2026-10-06T10:00", false)
        .status_to("2026-10-06T10:00", status::open) // the system's status change after the reply
        .resolved("2026-10-06T11:00");

    const auto waiting = eval(h, "2026-10-06T09:00");
    CHECK(waiting.current_status == status::waiting_on_requester);
    CHECK(waiting.resolution.verdict == sla_verdict::paused);
    CHECK(waiting.resolution.used_ms == 60 * minute);
    CHECK_FALSE(waiting.resolution.due_at);
    CHECK_FALSE(waiting.resolution.at_risk_at);
    CHECK(waiting.paused_ms == (450 + 90) * minute);
    CHECK(waiting.first_response.verdict == sla_verdict::met);
    CHECK(waiting.first_response.used_ms == 30 * minute);

    const auto resumed = eval(h, "2026-10-06T10:30");
    CHECK(resumed.resolution.verdict == sla_verdict::running);
    CHECK(resumed.resolution.used_ms == 90 * minute);
    // due from the start of the current run: 2,700 - 60 minutes after Tuesday 10:00
    CHECK(resumed.resolution.due_at == history::when("2026-10-13T09:00"));

    const auto done = eval(h, "2026-10-20T12:00");
    CHECK(done.resolution.verdict == sla_verdict::met);
    CHECK(done.resolution.used_ms == 120 * minute);
    CHECK(done.resolution.ended_at == history::when("2026-10-06T11:00"));
    CHECK(done.resolved_at == history::when("2026-10-06T11:00"));
    CHECK(done.paused_ms == 600 * minute);
    CHECK_FALSE(done.resolution.due_at);
}

TEST_CASE("waiting on a third party pauses only when configured", "[core][sla]") {
    history h;
    h.created("2026-10-05T08:00", priority::normal).escalated("2026-10-05T09:00");
    const auto by_default = eval(h, "2026-10-05T12:00");
    CHECK(by_default.escalated);
    CHECK(by_default.current_status == status::waiting_on_third_party);
    CHECK(by_default.resolution.verdict == sla_verdict::running);
    CHECK(by_default.resolution.used_ms == 240 * minute);
    sla_policy policy;
    policy.pause_statuses = {status::waiting_on_requester, status::waiting_on_third_party};
    const auto paused = eval(h, "2026-10-05T12:00", policy);
    CHECK(paused.resolution.verdict == sla_verdict::paused);
    CHECK(paused.resolution.used_ms == 60 * minute);
    CHECK(paused.paused_ms == 180 * minute);
    CHECK(paused.first_response.verdict == sla_verdict::running); // escalation is no first response
    CHECK(paused.first_response.used_ms == 240 * minute);
}

TEST_CASE("resolved, then reopened twice: the clock runs on", "[core][sla]") {
    history h;
    h.created("2026-10-05T08:00", priority::normal)
        .resolved("2026-10-05T09:00")
        .reopened("2026-10-05T10:00")
        .resolved("2026-10-05T11:00")
        .reopened("2026-10-05T12:00");
    const auto r = eval(h, "2026-10-05T13:00");
    CHECK(r.reopen_count == 2);
    CHECK(r.current_status == status::open);
    CHECK(r.resolution.used_ms == 180 * minute);
    CHECK(r.resolution.verdict == sla_verdict::running);
    CHECK_FALSE(r.resolution.ended_at);
    CHECK_FALSE(r.resolved_at);
    CHECK(r.resolution.due_at == history::when("2026-10-12T10:00")); // 2,580 minutes after Monday 12:00
    CHECK(r.first_response_at == history::when("2026-10-05T09:00")); // the first resolve answered the requester
    CHECK(r.first_response.used_ms == 60 * minute);

    const auto between = eval(h, "2026-10-05T11:30");
    CHECK(between.resolution.verdict == sla_verdict::met);
    CHECK(between.resolution.ended_at == history::when("2026-10-05T11:00"));
    CHECK(between.reopen_count == 1);
}

TEST_CASE("priority raised and lowered while running", "[core][sla]") {
    history h;
    h.created("2026-10-05T08:00", priority::normal).priority_to("2026-10-05T09:00", priority::critical);
    const auto at_target = eval(h, "2026-10-05T09:00");
    CHECK(at_target.first_response.target_minutes == 60);
    CHECK(at_target.first_response.used_ms == 60 * minute);
    CHECK(at_target.first_response.verdict == sla_verdict::running); // used == target is not a breach
    CHECK(at_target.at_risk);
    const auto raised = eval(h, "2026-10-05T09:30");
    CHECK(raised.current_priority == priority::critical);
    CHECK(raised.first_response.verdict == sla_verdict::breached);
    CHECK(raised.first_response.breached_at == history::when("2026-10-05T09:00"));
    CHECK(raised.first_response.due_at == history::when("2026-10-05T09:00")); // in the past once breached
    CHECK(raised.resolution.target_minutes == 540);
    CHECK_FALSE(raised.at_risk); // breached is not "at risk"

    h.priority_to("2026-10-05T10:00", priority::low);
    const auto lowered = eval(h, "2026-10-05T10:30");
    CHECK(lowered.first_response.target_minutes == 1080);
    CHECK(lowered.first_response.verdict == sla_verdict::running);
    CHECK_FALSE(lowered.first_response.breached_at);
    CHECK(lowered.first_response.due_at == history::when("2026-10-07T08:00"));
    CHECK(lowered.resolution.target_minutes == 5400);

    SECTION("raised after the new target was already used: breached at the earlier crossing") {
        history late;
        late.created("2026-10-05T08:00", priority::normal).priority_to("2026-10-05T10:00", priority::critical);
        const auto r = eval(late, "2026-10-05T10:00");
        CHECK(r.first_response.verdict == sla_verdict::breached);
        CHECK(r.first_response.breached_at == history::when("2026-10-05T09:00"));
    }
    SECTION("an ended clock keeps the priority it ended with") {
        history ended;
        ended.created("2026-10-05T08:00", priority::low)
            .reply("2026-10-05T10:00", true)
            .priority_to("2026-10-05T11:00", priority::critical);
        const auto r = eval(ended, "2026-10-05T12:00");
        CHECK(r.first_response.target_minutes == 1080);
        CHECK(r.first_response.verdict == sla_verdict::met);
        CHECK(r.resolution.target_minutes == 540);
    }
}

TEST_CASE("closed without resolution", "[core][sla]") {
    SECTION("closed by staff ends both clocks") {
        history h;
        h.created("2026-10-05T08:00", priority::normal).closed("2026-10-05T10:00", true);
        const auto r = eval(h, "2026-10-07T10:00");
        CHECK(r.current_status == status::closed);
        CHECK(r.first_response.verdict == sla_verdict::met);
        CHECK(r.first_response.ended_at == history::when("2026-10-05T10:00"));
        CHECK(r.resolution.verdict == sla_verdict::met);
        CHECK(r.resolution.used_ms == 120 * minute);
        CHECK(r.resolved_at == history::when("2026-10-05T10:00"));
    }
    SECTION("withdrawn by the requester: resolution ends, first response never got an answer") {
        history h;
        h.created("2026-10-05T08:00", priority::normal).closed("2026-10-05T10:00", false);
        const auto r = eval(h, "2026-10-06T09:00");
        CHECK(r.resolution.verdict == sla_verdict::met);
        CHECK(r.resolution.ended_at == history::when("2026-10-05T10:00"));
        CHECK_FALSE(r.first_response.ended_at);
        CHECK(r.first_response.used_ms == 600 * minute);
        CHECK(r.first_response.verdict == sla_verdict::breached);
        CHECK(r.first_response.breached_at == history::when("2026-10-06T08:00"));
    }
    SECTION("resolved, then closed: the clock ended at the latest such event") {
        history h;
        h.created("2026-10-05T08:00", priority::normal)
            .resolved("2026-10-05T09:00")
            .priority_to("2026-10-05T10:00", priority::critical)
            .closed("2026-10-06T08:00", true);
        const auto r = eval(h, "2026-10-07T08:00");
        CHECK(r.resolution.used_ms == 60 * minute);
        CHECK(r.resolution.ended_at == history::when("2026-10-06T08:00"));
        CHECK(r.resolution.target_minutes == 540);
        CHECK(r.first_response.ended_at == history::when("2026-10-05T09:00"));
        CHECK(r.first_response.target_minutes == 540); // priority when the first response ended: normal
    }
}

TEST_CASE("events at the same instant are ordered by seq, whatever order they come in", "[core][sla]") {
    history h;
    h.created("2026-10-05T08:00", priority::normal)
        .status_to("2026-10-05T09:00", status::waiting_on_requester)
        .status_to("2026-10-05T09:00", status::open);
    auto reversed = h.events;
    std::reverse(reversed.begin(), reversed.end());
    const auto r = evaluate_sla(reversed, {}, office(), history::when("2026-10-05T10:00"));
    CHECK(r.current_status == status::open);
    CHECK(r.resolution.verdict == sla_verdict::running);
    CHECK(r.resolution.used_ms == 120 * minute);

    SECTION("a priority change just before the reply applies to the ended clock, just after it does not") {
        history before = h;
        before.priority_to("2026-10-05T10:00", priority::critical).reply("2026-10-05T10:00", true);
        CHECK(eval(before, "2026-10-05T11:00").first_response.target_minutes == 60);
        CHECK(eval(before, "2026-10-05T11:00").first_response.verdict == sla_verdict::breached);
        history after = h;
        after.reply("2026-10-05T10:00", true).priority_to("2026-10-05T10:00", priority::critical);
        CHECK(eval(after, "2026-10-05T11:00").first_response.target_minutes == 540);
        CHECK(eval(after, "2026-10-05T11:00").first_response.verdict == sla_verdict::met);
    }
}

TEST_CASE("what does not end the first response", "[core][sla]") {
    history h;
    h.created("2026-10-05T08:00", priority::critical)
        .note("2026-10-05T08:10")
        .reply("2026-10-05T08:20", false)
        .assigned("2026-10-05T08:30")
        .status_to("2026-10-05T08:40", status::open);
    const auto r = eval(h, "2026-10-05T08:50");
    CHECK_FALSE(r.first_response.ended_at);
    CHECK(r.first_response.verdict == sla_verdict::running);
    CHECK(r.first_response.used_ms == 50 * minute);
    h.reply("2026-10-05T08:55", true);
    CHECK(eval(h, "2026-10-05T09:30").first_response.ended_at == history::when("2026-10-05T08:55"));
}

TEST_CASE("at-risk boundary", "[core][sla]") {
    history h;
    h.created("2026-10-09T15:30", priority::critical); // Friday
    const auto before = evaluate_sla(h.events, {}, office(), history::when("2026-10-09T16:15") - 1);
    CHECK_FALSE(before.at_risk);
    CHECK(before.first_response.at_risk_at == history::when("2026-10-09T16:15"));
    const auto exactly = eval(h, "2026-10-09T16:15");
    CHECK(exactly.at_risk);
    CHECK(exactly.first_response.at_risk(history::when("2026-10-09T16:15")));
    // Used equals the target over the weekend: still running and at risk, breached on Monday morning.
    const auto weekend = eval(h, "2026-10-10T12:00");
    CHECK(weekend.first_response.used_ms == 60 * minute);
    CHECK(weekend.first_response.verdict == sla_verdict::running);
    CHECK(weekend.at_risk);
    const auto monday = evaluate_sla(h.events, {}, office(), history::when("2026-10-12T07:30") + 1);
    CHECK(monday.first_response.verdict == sla_verdict::breached);
    CHECK(monday.first_response.breached_at == history::when("2026-10-09T16:30"));
    CHECK_FALSE(monday.at_risk);

    SECTION("a paused clock is never at risk") {
        h.status_to("2026-10-09T15:35", status::waiting_on_requester).reply("2026-10-09T15:36", true);
        sla_policy policy;
        policy.targets[0].resolution_minutes = 6;
        const auto r = eval(h, "2026-10-09T16:00", policy);
        CHECK(r.resolution.verdict == sla_verdict::paused);
        CHECK_FALSE(r.resolution.at_risk_at);
        CHECK_FALSE(r.at_risk);
    }
    SECTION("a threshold that is no binary fraction") {
        sla_policy policy;
        policy.warning_threshold = 0.8; // 48 of 60 minutes
        CHECK(eval(h, "2026-10-09T16:00", policy).first_response.at_risk_at == history::when("2026-10-09T16:18"));
    }
}

TEST_CASE("a paused clock over its target is breached and has no due time", "[core][sla]") {
    history h;
    h.created("2026-10-05T08:00", priority::critical)
        .reply("2026-10-05T08:05", true)
        .status_to("2026-10-06T09:00", status::waiting_on_requester);
    const auto r = eval(h, "2026-10-06T12:00");
    CHECK(r.resolution.used_ms == 600 * minute);
    CHECK(r.resolution.verdict == sla_verdict::breached);
    CHECK(r.resolution.breached_at == history::when("2026-10-06T08:00"));
    CHECK_FALSE(r.resolution.due_at);
}

TEST_CASE("events after now are left out; a ticket not yet created is an error", "[core][sla]") {
    history h;
    h.created("2026-10-05T08:00", priority::normal).reply("2026-10-05T09:00", true).resolved("2026-10-05T10:00");
    const auto r = eval(h, "2026-10-05T08:30");
    CHECK_FALSE(r.first_response.ended_at);
    CHECK(r.current_status == status::new_);
    CHECK(r.first_response.used_ms == 30 * minute);
    const auto exactly = eval(h, "2026-10-05T09:00"); // an event at now counts
    CHECK(exactly.first_response.ended_at == history::when("2026-10-05T09:00"));
    CHECK_THROWS_AS(eval(h, "2026-10-05T07:59"), std::invalid_argument);
    CHECK_THROWS_AS(evaluate_sla({}, {}, office(), 0), std::invalid_argument);
}

TEST_CASE("long histories beyond the inline buffer", "[core][sla]") {
    history h;
    h.created("2026-10-05T08:00", priority::low);
    for (int i = 0; i < 100; ++i) {
        const auto t = history::when("2026-10-05T08:00") + (i + 1) * minute;
        ticket_event e;
        e.seq = ++h.seq;
        e.at = t;
        e.kind = event_kind::status_changed;
        e.to_status = i % 2 == 0 ? status::waiting_on_requester : status::open;
        e.by_staff = true;
        h.events.push_back(e);
    }
    std::shuffle(h.events.begin(), h.events.end(), std::mt19937(3));
    const auto r = eval(h, "2026-10-05T12:00");
    CHECK(r.current_status == status::open);
    CHECK(r.paused_ms == 50 * minute);
    CHECK(r.resolution.used_ms == (240 - 50) * minute);
}

// ---------------------------------------------------------------------------------------------------------
// Property test: random histories and calendars against a deliberately simple minute-by-minute reference.

namespace {

struct reference_calendar {
    business_calendar_config config;
    time_ms from = 0; // whole minutes
    std::vector<bool> business; // minute i of [from, ...) is business time

    bool is_business(time_ms minute_start) const {
        const auto i = (minute_start - from) / minute;
        if (i < 0 || static_cast<std::size_t>(i) >= business.size())
            throw std::out_of_range("reference calendar too short"); // a defect of the test, reported by Catch
        return business[static_cast<std::size_t>(i)];
    }
};

// Asks for every minute "what does the wall clock show, and is that inside working hours on a business day?",
// using date/tz directly.
reference_calendar make_reference(const business_calendar_config& c, time_ms from, int weeks) {
    reference_calendar ref{c, from, {}};
    const date::time_zone* zone = date::locate_zone(c.time_zone);
    std::map<date::local_days, bool> day_ok;
    const auto business_day = [&](date::local_days day) {
        const auto found = day_ok.find(day);
        if (found != day_ok.end()) return found->second;
        const date::year_month_day ymd{day};
        const local_date d{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                           static_cast<unsigned>(ymd.day())};
        bool ok = true;
        for (const auto& h : public_holidays(d.year, c.holiday_state)) ok = ok && h.date != d;
        for (const auto& cd : c.closure_days) ok = ok && cd != d;
        if (!c.school_holidays_are_business_days)
            for (const auto& r : c.school_holidays) ok = ok && !(r.first <= d && d <= r.last);
        return day_ok[day] = ok;
    };
    const std::size_t n = static_cast<std::size_t>(weeks) * 7 * 1440;
    ref.business.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const date::sys_seconds utc{std::chrono::seconds{(from + static_cast<time_ms>(i) * minute) / 1000}};
        const auto local = zone->to_local(utc);
        const auto day = date::floor<date::days>(local);
        const auto minute_of_day = static_cast<int>((local - day).count() / 60);
        const auto weekday = (date::weekday{day}.iso_encoding() + 6) % 7;
        bool in_hours = false;
        for (const auto& iv : c.working_hours[weekday])
            in_hours = in_hours || (iv.begin_minute <= minute_of_day && minute_of_day < iv.end_minute);
        ref.business[i] = in_hours && business_day(day);
    }
    return ref;
}

struct reference_clock {
    std::int64_t used = 0; // minutes
    std::vector<time_ms> counted; // start of every counted minute, in order
};

void check_clock(const sla_clock& got, const reference_clock& ref, bool running, bool ended, bool paused,
                 int target_minutes, double threshold, std::optional<time_ms> ended_at, time_ms now) {
    CHECK(got.target_minutes == target_minutes);
    CHECK(got.used_ms == ref.used * minute);
    CHECK(got.used_minutes() == ref.used);
    CHECK(got.ended_at == ended_at);
    const bool over = ref.used > target_minutes;
    const sla_verdict verdict = over    ? sla_verdict::breached
                                : ended ? sla_verdict::met
                                : paused ? sla_verdict::paused
                                         : sla_verdict::running;
    CHECK(got.verdict == verdict);
    // The target is reached at the end of the target-th counted minute.
    const auto crossing = [&](std::int64_t ms) -> std::optional<time_ms> {
        const std::int64_t whole = (ms + minute - 1) / minute; // the minute in which ms is reached
        if (whole < 1 || static_cast<std::size_t>(whole) > ref.counted.size()) return std::nullopt;
        return ref.counted[static_cast<std::size_t>(whole - 1)] + (ms - (whole - 1) * minute);
    };
    CHECK(got.breached_at == (over ? crossing(target_minutes * minute) : std::nullopt));
    if (running) {
        REQUIRE(got.due_at.has_value());
        CHECK(got.due_at == crossing(target_minutes * minute));
        const auto threshold_ms = static_cast<std::int64_t>(std::ceil(threshold * target_minutes * minute));
        CHECK(got.at_risk_at == crossing(threshold_ms));
        CHECK(got.at_risk(now) == (!over && ref.used * minute >= threshold_ms));
    } else {
        CHECK_FALSE(got.due_at);
        CHECK_FALSE(got.at_risk_at);
        CHECK_FALSE(got.at_risk(now));
    }
}

struct generated {
    std::vector<ticket_event> events;
    time_ms now = 0;
};

generated random_history(std::mt19937_64& rng, time_ms window_start) {
    const auto pick = [&](int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
    generated g;
    time_ms t = window_start + pick(14 * 1440) * minute;
    std::int64_t seq = 0;
    const auto push = [&](event_kind kind, bool staff) -> ticket_event& {
        ticket_event e;
        e.seq = ++seq;
        e.at = t;
        e.kind = kind;
        e.by_staff = staff;
        g.events.push_back(e);
        return g.events.back();
    };
    push(event_kind::created, pick(4) == 0).to_priority = all_priorities[pick(4)];
    status current = status::new_;
    const int count = 1 + pick(14);
    for (int i = 0; i < count; ++i) {
        const int gap = pick(10);
        t += gap < 2 ? 0 : gap < 7 ? (1 + pick(240)) * minute : (1440 + pick(4 * 1440)) * minute;
        const bool transition = current != status::closed && pick(2) == 0;
        if (!transition) {
            switch (pick(4)) {
            case 0: push(event_kind::public_reply, pick(2) == 0); break;
            case 1: push(event_kind::internal_note, true); break;
            case 2: push(event_kind::priority_changed, true).to_priority = all_priorities[pick(4)]; break;
            default: push(event_kind::assigned, true).manager_id = 1 + pick(13); break;
            }
            continue;
        }
        if (current == status::resolved) {
            if (pick(3) > 0) {
                push(event_kind::reopened, pick(2) == 0);
                current = status::open;
            } else {
                push(event_kind::closed, true);
                current = status::closed;
            }
            continue;
        }
        switch (pick(6)) {
        case 0:
        case 1: {
            status to = current;
            while (to == current) {
                const status working[] = {status::open, status::waiting_on_requester, status::waiting_on_third_party};
                to = working[pick(3)];
            }
            push(event_kind::status_changed, true).to_status = to;
            current = to;
            break;
        }
        case 2:
            if (current == status::waiting_on_third_party) break;
            push(event_kind::escalated, true).partner = "carrier";
            current = status::waiting_on_third_party;
            break;
        case 3:
        case 4:
            push(event_kind::resolved, true);
            current = status::resolved;
            break;
        default:
            push(event_kind::closed, pick(2) == 0); // by staff, or withdrawn by the requester
            current = status::closed;
            break;
        }
    }
    const time_ms created = g.events.front().at;
    g.now = pick(8) == 0 ? g.events[static_cast<std::size_t>(pick(static_cast<int>(g.events.size())))].at
                         : created + pick(5 * 7 * 1440) * minute;
    std::shuffle(g.events.begin(), g.events.end(), rng);
    return g;
}

business_calendar_config random_config(std::mt19937_64& rng, time_ms window_start) {
    const auto pick = [&](int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
    business_calendar_config c = business_calendar_config::defaults();
    const auto preset = [&]() -> std::vector<working_interval> {
        switch (pick(6)) {
        case 0: return {{450, 990}};
        case 1: return {{450, 720}, {750, 990}};
        case 2: return {{0, 1440}};
        case 3: return {{120, 240}, {480, 720}};
        case 4: return {{120, 150}, {180, 300}, {600, 960}}; // partly inside the switching hours
        default: {
            const int start = 600 + 15 * pick(24);
            return {{360, 600}, {start, std::min(1440, start + 120 + 15 * pick(17))}};
        }
        }
    };
    for (int d = 0; d < 5; ++d) c.working_hours[static_cast<std::size_t>(d)] = pick(8) == 0 && d == 2 ? std::vector<working_interval>{} : preset();
    c.working_hours[5] = pick(4) == 0 ? preset() : std::vector<working_interval>{};
    c.working_hours[6] = pick(5) == 0 ? preset() : std::vector<working_interval>{};
    c.holiday_state = std::string(known_states()[static_cast<std::size_t>(pick(16))]);
    const date::time_zone* berlin = date::locate_zone("Europe/Berlin");
    for (int i = pick(4); i > 0; --i) c.closure_days.push_back(local_date_of(window_start + pick(40) * 1440 * minute, berlin));
    if (pick(2) == 0) {
        const time_ms first = window_start + pick(30) * 1440 * minute;
        c.school_holidays.push_back({local_date_of(first, berlin),
                                     local_date_of(first + (2 + pick(10)) * 1440 * minute, berlin), "Ferien"});
    }
    c.school_holidays_are_business_days = pick(2) == 0;
    return c;
}

sla_policy random_policy(std::mt19937_64& rng) {
    const auto pick = [&](int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
    sla_policy p;
    for (auto& t : p.targets) {
        t.first_response_minutes = 15 + pick(600);
        t.resolution_minutes = 60 + pick(2940);
    }
    switch (pick(3)) {
    case 0: p.pause_statuses = {status::waiting_on_requester}; break;
    case 1: p.pause_statuses = {status::waiting_on_requester, status::waiting_on_third_party}; break;
    default: p.pause_statuses = {}; break;
    }
    const double thresholds[] = {0.5, 0.75, 0.875};
    p.warning_threshold = thresholds[pick(3)];
    return p;
}

bool terminal(status s) { return s == status::resolved || s == status::closed; }

// How often each outcome occurred, so the property test can show it covered them all.
struct coverage {
    std::map<std::string, int> seen;
    void note(const sla_result& r, time_ms now) {
        ++seen[fmt::format("first_response {}", r.first_response.verdict)];
        ++seen[fmt::format("resolution {}", r.resolution.verdict)];
        if (r.first_response.at_risk(now) || r.resolution.at_risk(now)) ++seen["at risk"];
        if (r.paused_ms > 0) ++seen["paused time"];
        if (r.reopen_count > 0) ++seen["reopened"];
        if (r.resolution.breached_at && r.resolution.ended_at) ++seen["ended breached"];
    }
};

sla_result check_against_reference(const generated& g, const sla_policy& policy, const business_calendar& cal,
                                   const reference_calendar& ref) {
    std::vector<ticket_event> events;
    for (const auto& e : g.events)
        if (e.at <= g.now) events.push_back(e);
    std::sort(events.begin(), events.end(),
              [](const ticket_event& a, const ticket_event& b) { return a.at != b.at ? a.at < b.at : a.seq < b.seq; });
    REQUIRE(events.front().kind == event_kind::created);

    // Replay the history minute by minute.
    status st = status::new_;
    priority prio = *events.front().to_priority;
    std::optional<time_ms> fr_end, res_end;
    priority fr_prio = prio, res_prio = prio;
    int reopens = 0;
    bool escalated = false;
    std::size_t next = 1;
    const auto apply_until = [&](time_ms t) {
        while (next < events.size() && events[next].at <= t) {
            const ticket_event& e = events[next++];
            const auto sets = status_set_by(e);
            if (e.kind == event_kind::priority_changed) prio = *e.to_priority;
            if (e.kind == event_kind::reopened) ++reopens;
            if (e.kind == event_kind::escalated) escalated = true;
            if (sets) st = *sets;
            if (sets && terminal(*sets)) {
                res_end = e.at;
                res_prio = prio;
            }
            if (!fr_end && e.by_staff && (e.kind == event_kind::public_reply || (sets && terminal(*sets)))) {
                fr_end = e.at;
                fr_prio = prio;
            }
        }
    };
    reference_clock fr, res;
    std::int64_t paused = 0;
    for (time_ms m = events.front().at; m < g.now; m += minute) {
        apply_until(m);
        if (!ref.is_business(m)) continue;
        if (!fr_end) {
            ++fr.used;
            fr.counted.push_back(m);
        }
        if (terminal(st)) continue;
        if (policy.pauses(st)) {
            ++paused;
        } else {
            ++res.used;
            res.counted.push_back(m);
        }
    }
    apply_until(g.now);
    const bool fr_running = !fr_end;
    const bool res_running = !terminal(st) && !policy.pauses(st);
    const int fr_target = policy.for_priority(fr_end ? fr_prio : prio).first_response_minutes;
    const int res_target = policy.for_priority(terminal(st) ? res_prio : prio).resolution_minutes;
    // Running clocks: keep walking into the future with nothing changing, to find due and at-risk times.
    for (time_ms m = g.now; (fr_running && static_cast<std::int64_t>(fr.counted.size()) < fr_target) ||
                            (res_running && static_cast<std::int64_t>(res.counted.size()) < res_target);
         m += minute) {
        if (!ref.is_business(m)) continue;
        if (fr_running) fr.counted.push_back(m);
        if (res_running) res.counted.push_back(m);
    }

    const sla_result r = evaluate_sla(g.events, policy, cal, g.now);
    check_clock(r.first_response, fr, fr_running, fr_end.has_value(), false, fr_target, policy.warning_threshold,
                fr_end, g.now);
    check_clock(r.resolution, res, res_running, terminal(st), !terminal(st) && !res_running, res_target,
                policy.warning_threshold, terminal(st) ? res_end : std::nullopt, g.now);
    CHECK(r.paused_ms == paused * minute);
    CHECK(r.current_status == st);
    CHECK(r.current_priority == prio);
    CHECK(r.reopen_count == reopens);
    CHECK(r.escalated == escalated);
    CHECK(r.first_response_at == r.first_response.ended_at);
    CHECK(r.resolved_at == r.resolution.ended_at);
    // One state per ticket: at risk when a clock is and no clock is breached.
    const bool breached = r.first_response.verdict == sla_verdict::breached || r.resolution.verdict == sla_verdict::breached;
    CHECK(r.breached() == breached);
    CHECK(r.at_risk == (!breached && (r.first_response.at_risk(g.now) || r.resolution.at_risk(g.now))));
    CHECK(state_of(r, g.now) == (breached ? sla_state::breached : r.at_risk ? sla_state::at_risk : sla_state::ok));
    return r;
}

} // namespace

TEST_CASE("5000 random histories agree with a minute-by-minute reference", "[core][sla][property]") {
    // Windows around Easter, Fronleichnam, Christmas and both DST switches of 2025 and 2026.
    const std::vector<std::string> windows{"2025-03-18T00:00:00Z", "2025-10-14T00:00:00Z", "2025-12-10T00:00:00Z",
                                           "2026-03-17T00:00:00Z", "2026-05-20T00:00:00Z", "2026-10-13T00:00:00Z"};
    std::mt19937_64 rng(20261005);
    int histories = 0;
    coverage cover;
    for (int c = 0; c < 100; ++c) {
        const time_ms window = at(windows[static_cast<std::size_t>(c) % windows.size()]);
        const business_calendar_config config = random_config(rng, window);
        // Alternate table ranges so that both the precomputed and the on-the-fly path are exercised.
        const int first_year = c % 3 == 0 ? 2000 : c % 3 == 1 ? 2026 : 2025;
        const int last_year = c % 3 == 0 ? 2100 : 2026;
        const business_calendar cal(config, first_year, last_year);
        const reference_calendar ref = make_reference(config, window - 1440 * minute, 22);
        for (int h = 0; h < 50; ++h, ++histories) {
            const sla_policy policy = random_policy(rng);
            const generated g = random_history(rng, window);
            CAPTURE(c, h);
            cover.note(check_against_reference(g, policy, cal, ref), g.now);
        }
    }
    CHECK(histories == 5000);
    for (const char* outcome : {"first_response met", "first_response breached", "first_response running",
                                "resolution met", "resolution breached", "resolution running", "resolution paused",
                                "at risk", "paused time", "reopened", "ended breached"}) {
        CAPTURE(outcome);
        CHECK(cover.seen[outcome] >= 50);
    }
}

namespace {

void check_same_clock(const sla_clock& got, const sla_clock& want) {
    CHECK(got.target_minutes == want.target_minutes);
    CHECK(got.used_ms == want.used_ms);
    CHECK(got.due_at == want.due_at);
    CHECK(got.at_risk_at == want.at_risk_at);
    CHECK(got.verdict == want.verdict);
    CHECK(got.breached_at == want.breached_at);
    CHECK(got.ended_at == want.ended_at);
}

void check_same(const sla_result& got, const sla_result& want) {
    check_same_clock(got.first_response, want.first_response);
    check_same_clock(got.resolution, want.resolution);
    CHECK(got.paused_ms == want.paused_ms);
    CHECK(got.at_risk == want.at_risk);
    CHECK(got.reopen_count == want.reopen_count);
    CHECK(got.escalated == want.escalated);
    CHECK(got.first_response_at == want.first_response_at);
    CHECK(got.resolved_at == want.resolved_at);
    CHECK(got.current_status == want.current_status);
    CHECK(got.current_priority == want.current_priority);
}

} // namespace

// Random stored evaluations: 40 random calendars x 50 random histories, each evaluated at its last event or a
// little later (as writers and `sla recompute` store them). Calls fn(c, h, cal, policy, events, evaluated_at, stored,
// pick), pick(n) drawing from the same generator.
template <class F>
void for_random_stored_evaluations(std::uint64_t seed, F&& fn) {
    const std::vector<std::string> windows{"2025-03-18T00:00:00Z", "2025-10-14T00:00:00Z", "2025-12-10T00:00:00Z",
                                           "2026-03-17T00:00:00Z", "2026-10-13T00:00:00Z"};
    std::mt19937_64 rng(seed);
    const auto pick = [&](int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
    for (int c = 0; c < 40; ++c) {
        const time_ms window = at(windows[static_cast<std::size_t>(c) % windows.size()]);
        const business_calendar cal(random_config(rng, window), 2024, 2027);
        for (int h = 0; h < 50; ++h) {
            const sla_policy policy = random_policy(rng);
            const generated g = random_history(rng, window);
            time_ms last = 0;
            for (const auto& e : g.events) last = std::max(last, e.at);
            // Writers store at the event; times of the millisecond make an exact tie of used and target as rare
            // as it is in real histories.
            const time_ms evaluated_at = last + (pick(3) == 0 ? 0 : pick(3 * 1440) * minute + pick(60000));
            const sla_result stored = evaluate_sla(g.events, policy, cal, evaluated_at);
            fn(c, h, cal, policy, g.events, evaluated_at, stored, pick);
        }
    }
}

TEST_CASE("carrying an evaluation forward equals evaluating the history later", "[core][sla][property]") {
    std::map<std::string, int> seen;
    for_random_stored_evaluations(20261123, [&](int c, int h, const business_calendar& cal, const sla_policy& policy,
                                                const std::vector<ticket_event>& events, time_ms evaluated_at,
                                                const sla_result& stored, const auto& pick) {
        // Later instants, including the exact due and warning times and the millisecond around them.
        std::vector<time_ms> later{evaluated_at, evaluated_at + 1, evaluated_at + pick(6 * 7 * 1440) * minute};
        for (const auto* clock : {&stored.first_response, &stored.resolution})
            for (const auto& t : {clock->due_at, clock->at_risk_at})
                if (t && *t >= evaluated_at)
                    for (time_ms d : {-1, 0, 1}) later.push_back(std::max(evaluated_at, *t + d));
        for (const time_ms now : later) {
            CAPTURE(c, h, evaluated_at, now);
            const sla_result want = evaluate_sla(events, policy, cal, now);
            check_same(carry_forward(stored, evaluated_at, cal, now), want);
            if (stored.first_response.verdict != want.first_response.verdict ||
                stored.resolution.verdict != want.resolution.verdict)
                ++seen["verdict changed"];
            if (stored.at_risk != want.at_risk) ++seen["at risk changed"];
            if (stored.paused_ms != want.paused_ms) ++seen["paused time grew"];
            if (want.resolution.ended_at) ++seen["ended"];
        }
    });
    for (const char* outcome : {"verdict changed", "at risk changed", "paused time grew", "ended"}) {
        CAPTURE(outcome);
        CHECK(seen[outcome] >= 50);
    }
}

// What storage/sla_filters.hpp says in SQL, said over a stored evaluation: the state at `now` of a ticket evaluated
// at an earlier instant with no event since, from the stored figures, `now` and breached_if_due_before(now) only.
sla_state state_from_stored(const sla_result& stored, time_ms now, time_ms breached_if_due_before) {
    const auto due = earliest_due(stored);
    const bool breached = stored.first_response.verdict == sla_verdict::breached ||
                          stored.resolution.verdict == sla_verdict::breached || (due && *due < breached_if_due_before);
    if (breached) return sla_state::breached;
    const auto risk_come = [&](const sla_clock& c) { return c.at_risk_at && *c.at_risk_at <= now; };
    return risk_come(stored.first_response) || risk_come(stored.resolution) ? sla_state::at_risk : sla_state::ok;
}

TEST_CASE("the state at a later instant follows from the stored figures and one instant per query",
          "[core][sla][property]") {
    std::map<std::string, int> seen;
    for_random_stored_evaluations(20261215, [&](int c, int h, const business_calendar& cal, const sla_policy& policy,
                                                const std::vector<ticket_event>& events, time_ms evaluated_at,
                                                const sla_result& stored, const auto& pick) {
        std::vector<time_ms> later{evaluated_at, evaluated_at + 1, evaluated_at + pick(6 * 7 * 1440) * minute,
                                   evaluated_at + pick(6 * 7 * 1440) * minute + pick(60000)};
        for (const auto* clock : {&stored.first_response, &stored.resolution})
            for (const auto& t : {clock->due_at, clock->at_risk_at})
                if (t && *t >= evaluated_at)
                    for (time_ms d : {time_ms{-1}, time_ms{0}, time_ms{1}, 4 * 60 * minute, 15 * 60 * minute, 63 * 60 * minute})
                        later.push_back(std::max(evaluated_at, *t + d));
        for (const time_ms now : later) {
            CAPTURE(c, h, evaluated_at, now);
            const sla_state want = state_of(evaluate_sla(events, policy, cal, now), now);
            const time_ms cutoff = breached_if_due_before(cal, now);
            CHECK(cutoff <= now);
            CHECK(cal.business_position(cutoff) == cal.business_position(now));
            CHECK(state_from_stored(stored, now, cutoff) == want);
            ++seen[std::string(to_string(want))];
            const auto due = earliest_due(stored);
            if (want != sla_state::breached && due && *due < now) ++seen["due, used = target, not breached"];
        }
    });
    for (const char* outcome : {"ok", "at_risk", "breached"}) {
        CAPTURE(outcome);
        CHECK(seen[outcome] >= 50);
    }
    // A due time at the end of a working interval needs a target that fills the day exactly: rare with random
    // targets (the default policy's case has its own test, and the storage differential test meets it often).
    CHECK(seen["due, used = target, not breached"] >= 1);
}

TEST_CASE("the SLA settings description changes with every setting a figure depends on", "[core][sla]") {
    const sla_policy policy;
    const business_calendar_config calendar = business_calendar_config::defaults();
    const std::string base = describe_sla_settings(policy, calendar);
    CHECK(describe_sla_settings(sla_policy{}, business_calendar_config::defaults()) == base);

    using change = std::function<void(sla_policy&, business_calendar_config&)>;
    const std::vector<std::pair<std::string, change>> changes{
        {"first response target", [](sla_policy& p, business_calendar_config&) { p.targets[1].first_response_minutes++; }},
        {"resolution target", [](sla_policy& p, business_calendar_config&) { p.targets[3].resolution_minutes++; }},
        {"pause statuses", [](sla_policy& p, business_calendar_config&) { p.pause_statuses.push_back(status::waiting_on_third_party); }},
        {"warning threshold", [](sla_policy& p, business_calendar_config&) { p.warning_threshold = 0.8; }},
        {"time zone", [](sla_policy&, business_calendar_config& c) { c.time_zone = "Europe/Vienna"; }},
        {"holiday state", [](sla_policy&, business_calendar_config& c) { c.holiday_state = "BY"; }},
        {"working hours", [](sla_policy&, business_calendar_config& c) { c.working_hours[4][0].end_minute -= 30; }},
        {"closure day", [](sla_policy&, business_calendar_config& c) { c.closure_days.push_back({2026, 5, 15}); }},
        {"school holidays", [](sla_policy&, business_calendar_config& c) { c.school_holidays.push_back({{2026, 7, 20}, {2026, 9, 1}, "Sommer"}); }},
        {"school holidays counted", [](sla_policy&, business_calendar_config& c) { c.school_holidays_are_business_days = false; }},
    };
    for (const auto& [name, apply] : changes) {
        CAPTURE(name);
        sla_policy p = policy;
        business_calendar_config c = calendar;
        apply(p, c);
        CHECK(describe_sla_settings(p, c) != base);
    }
}

TEST_CASE("a ticket is in one state: a breached clock outranks the other's warning", "[core][sla][state]") {
    sla_policy policy;
    policy.targets[0] = {60, 100}; // critical: first response 60, resolution 100 minutes; warning at 75 %
    history h;
    h.created("2026-10-05T08:00", priority::critical);
    const auto r = eval(h, "2026-10-05T09:30", policy);
    CHECK(state_of(r.first_response, history::when("2026-10-05T09:30")) == sla_state::breached);
    CHECK(state_of(r.resolution, history::when("2026-10-05T09:30")) == sla_state::at_risk);
    CHECK(state_of(r, history::when("2026-10-05T09:30")) == sla_state::breached);
    CHECK(r.breached());
    CHECK_FALSE(r.at_risk);

    h.reply("2026-10-05T08:10", true);
    const auto answered = eval(h, "2026-10-05T09:30", policy);
    CHECK(state_of(answered.first_response, history::when("2026-10-05T09:30")) == sla_state::ok); // met
    CHECK(state_of(answered, history::when("2026-10-05T09:30")) == sla_state::at_risk);
    CHECK(answered.at_risk);
    CHECK_FALSE(answered.breached());
    CHECK(state_of(eval(h, "2026-10-05T09:00", policy), history::when("2026-10-05T09:00")) == sla_state::ok);
    // Paused below the target: ok, never at risk.
    h.status_to("2026-10-05T09:20", status::waiting_on_requester);
    CHECK(state_of(eval(h, "2026-10-05T11:00", policy), history::when("2026-10-05T11:00")) == sla_state::ok);
    CHECK(to_string(sla_state::at_risk) == "at_risk");
}

TEST_CASE("the earliest due time is that of the running clocks", "[core][sla][state]") {
    history h;
    h.created("2026-10-05T08:00", priority::high); // first response 240, resolution 1,620 minutes
    const auto both = eval(h, "2026-10-05T09:00");
    CHECK(earliest_due(both) == history::when("2026-10-05T12:00"));
    h.reply("2026-10-05T09:00", true);
    const auto answered = eval(h, "2026-10-05T10:00");
    CHECK(earliest_due(answered) == answered.resolution.due_at);
    CHECK(earliest_due(answered) == history::when("2026-10-08T08:00"));
    h.status_to("2026-10-05T10:00", status::waiting_on_requester);
    CHECK_FALSE(earliest_due(eval(h, "2026-10-05T11:00"))); // paused: no due time
    h.resolved("2026-10-05T11:00");
    CHECK_FALSE(earliest_due(eval(h, "2026-10-05T12:00")));
    // Breached and running: the due time has passed and is still the earliest.
    history late;
    late.created("2026-10-05T08:00", priority::critical);
    const auto breached = eval(late, "2026-10-05T10:00");
    CHECK(breached.breached());
    CHECK(earliest_due(breached) == history::when("2026-10-05T09:00"));
}

TEST_CASE("the clock the earliest due time belongs to", "[core][sla][state]") {
    history h;
    h.created("2026-10-05T08:00", priority::high);
    const auto both = eval(h, "2026-10-05T09:00");
    REQUIRE(earliest_due_clock(both) == sla_clock_kind::first_response);
    CHECK(clock_of(both, *earliest_due_clock(both)).due_at == earliest_due(both));
    h.reply("2026-10-05T09:00", true);
    const auto answered = eval(h, "2026-10-05T10:00");
    REQUIRE(earliest_due_clock(answered) == sla_clock_kind::resolution);
    CHECK(clock_of(answered, sla_clock_kind::resolution).due_at == earliest_due(answered));
    // Waiting on the requester: the resolution clock is paused, the first response has ended; no clock is due.
    h.status_to("2026-10-05T10:00", status::waiting_on_requester);
    CHECK_FALSE(earliest_due_clock(eval(h, "2026-10-05T11:00")));
    // Not yet answered and waiting on the requester: only the first response runs (it never pauses).
    history asked;
    asked.created("2026-10-05T08:00", priority::normal);
    asked.status_to("2026-10-05T08:30", status::waiting_on_requester);
    const auto waiting = eval(asked, "2026-10-05T09:00");
    CHECK(earliest_due_clock(waiting) == sla_clock_kind::first_response);
    // A tie names the first response.
    sla_result tie;
    tie.first_response.due_at = tie.resolution.due_at = history::when("2026-10-06T10:00");
    CHECK(earliest_due_clock(tie) == sla_clock_kind::first_response);
    sla_result resolution_first;
    resolution_first.first_response.due_at = history::when("2026-10-06T10:00");
    resolution_first.resolution.due_at = history::when("2026-10-06T09:00");
    CHECK(earliest_due_clock(resolution_first) == sla_clock_kind::resolution);
}

TEST_CASE("the time a clock has left", "[core][sla][state]") {
    history h;
    h.created("2026-10-09T15:30", priority::critical); // Friday; first response due 16:30
    const auto r = eval(h, "2026-10-09T16:00");
    CHECK(time_left_ms(r.first_response, history::when("2026-10-09T16:00")) == 30 * minute);
    CHECK(time_left_ms(r.resolution, history::when("2026-10-09T16:00")) == 510 * minute);
    // At the due time and over the weekend (used = target): due, but no time left and not yet breached.
    CHECK_FALSE(time_left_ms(eval(h, "2026-10-09T16:30").first_response, history::when("2026-10-09T16:30")));
    const auto weekend = eval(h, "2026-10-10T12:00");
    CHECK(weekend.first_response.verdict == sla_verdict::running);
    CHECK_FALSE(time_left_ms(weekend.first_response, history::when("2026-10-10T12:00")));
    CHECK_FALSE(time_left_ms(eval(h, "2026-10-12T08:00").first_response, history::when("2026-10-12T08:00")));
    h.reply("2026-10-09T15:45", true);
    CHECK_FALSE(time_left_ms(eval(h, "2026-10-09T16:00").first_response, history::when("2026-10-09T16:00"))); // met
    h.status_to("2026-10-09T15:50", status::waiting_on_requester);
    CHECK_FALSE(time_left_ms(eval(h, "2026-10-09T16:00").resolution, history::when("2026-10-09T16:00"))); // paused
}

TEST_CASE("a clock due at the end of the working day is breached when business time runs on",
          "[core][sla][state]") {
    const auto cut = [](const std::string& t, time_ms d = 0) {
        return breached_if_due_before(office(), history::when(t) + d);
    };
    CHECK(cut("2026-10-09T10:00") == history::when("2026-10-09T10:00"));           // working hours: now itself
    CHECK(cut("2026-10-09T16:30") == history::when("2026-10-09T16:30"));           // the end of the day
    CHECK(cut("2026-10-09T20:00") == history::when("2026-10-09T16:30"));           // Friday evening
    CHECK(cut("2026-10-11T12:00") == history::when("2026-10-09T16:30"));           // Sunday
    CHECK(cut("2026-10-12T07:30") == history::when("2026-10-09T16:30"));           // Monday, not yet
    CHECK(cut("2026-10-12T07:30", 1) == history::when("2026-10-12T07:30") + 1);    // the first millisecond
    CHECK(cut("2026-10-05T07:00") == history::when("2026-10-02T16:30"));           // over the 3rd of October
    CHECK(cut("2026-12-28T09:00") == history::when("2026-12-28T09:00"));
    CHECK(cut("2026-12-27T09:00") == history::when("2026-12-24T16:30:00+01:00"));  // over Christmas

    history h;
    h.created("2026-10-09T15:30", priority::critical);
    for (const auto& [now, breached] : {std::pair{"2026-10-09T16:29", false}, {"2026-10-09T16:30", false},
                                        {"2026-10-09T20:00", false}, {"2026-10-12T07:30", false}}) {
        CAPTURE(now);
        const auto r = eval(h, now);
        CHECK(r.breached() == breached);
        CHECK((*r.first_response.due_at < cut(now)) == breached);
    }
    const time_ms monday = history::when("2026-10-12T07:30") + 1;
    CHECK(evaluate_sla(h.events, {}, office(), monday).breached());
    CHECK(*eval(h, "2026-10-09T16:00").first_response.due_at < breached_if_due_before(office(), monday));
}

// Issue 21: the same critical ticket (60 business minutes to a first response), filed at 16:00 on the working day
// before a day that is a public holiday in some states only, breaches on the next business day of its state.
TEST_CASE("each state's own holidays move the SLA clocks of that state only", "[core][sla][states]") {
    struct state_case {
        const char* state;
        const char* created;   // 16:00 local, 30 business minutes before the end of the day
        const char* breached;  // 07:30 + the remaining 30 minutes on the next business day
    };
    const auto c = GENERATE(values<state_case>({
        // Buß- und Bettag, Wednesday 18 November 2026: Saxony only.
        {"SN", "2026-11-17T16:00:00+01:00", "2026-11-19T08:00:00+01:00"},
        {"NW", "2026-11-17T16:00:00+01:00", "2026-11-18T08:00:00+01:00"},
        // Heilige Drei Könige, Tuesday 6 January 2026: Baden-Württemberg, Bavaria, Saxony-Anhalt.
        {"BY", "2026-01-05T16:00:00+01:00", "2026-01-07T08:00:00+01:00"},
        {"BW", "2026-01-05T16:00:00+01:00", "2026-01-07T08:00:00+01:00"},
        {"ST", "2026-01-05T16:00:00+01:00", "2026-01-07T08:00:00+01:00"},
        {"RP", "2026-01-05T16:00:00+01:00", "2026-01-06T08:00:00+01:00"},
        // Internationaler Frauentag, Monday 8 March 2027: Berlin and Mecklenburg-Vorpommern.
        {"BE", "2027-03-05T16:00:00+01:00", "2027-03-09T08:00:00+01:00"},
        {"MV", "2027-03-05T16:00:00+01:00", "2027-03-09T08:00:00+01:00"},
        {"BB", "2027-03-05T16:00:00+01:00", "2027-03-08T08:00:00+01:00"},
        // Weltkindertag, Monday 20 September 2027: Thuringia.
        {"TH", "2027-09-17T16:00:00+02:00", "2027-09-21T08:00:00+02:00"},
        {"SN", "2027-09-17T16:00:00+02:00", "2027-09-20T08:00:00+02:00"},
        // Mariä Himmelfahrt, Friday 15 August 2025: Saarland (in Bavaria only in some municipalities).
        {"SL", "2025-08-14T16:00:00+02:00", "2025-08-18T08:00:00+02:00"},
        {"BY", "2025-08-14T16:00:00+02:00", "2025-08-15T08:00:00+02:00"},
        // Reformationstag, Friday 31 October 2025: the eastern and (since 2018) the northern states.
        {"HH", "2025-10-30T16:00:00+01:00", "2025-11-03T08:00:00+01:00"},
        {"SN", "2025-10-30T16:00:00+01:00", "2025-11-03T08:00:00+01:00"},
        {"NW", "2025-10-30T16:00:00+01:00", "2025-10-31T08:00:00+01:00"},
        // Allerheiligen, Monday 1 November 2027, the day after the change to winter time: the Catholic south-west.
        {"NW", "2027-10-29T16:00:00+02:00", "2027-11-02T08:00:00+01:00"},
        {"RP", "2027-10-29T16:00:00+02:00", "2027-11-02T08:00:00+01:00"},
        {"HE", "2027-10-29T16:00:00+02:00", "2027-11-01T08:00:00+01:00"},
    }));
    CAPTURE(c.state, c.created);
    auto config = business_calendar_config::defaults();
    config.holiday_state = c.state;
    const business_calendar calendar(config, 2025, 2027);
    history h;
    h.created(c.created, priority::critical);
    const auto r = evaluate_sla(h.events, sla_policy{}, calendar, at(c.created) + 30LL * 24 * 60 * minute);
    CHECK(r.first_response.verdict == sla_verdict::breached);
    CHECK(r.first_response.breached_at == at(c.breached));
}
