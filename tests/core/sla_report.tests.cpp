#include "core/sla_report.hpp"

#include "core/local_time.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace campusdesk;

namespace {

time_ms at(const std::string& iso) {
    const auto t = parse_iso8601(iso);
    REQUIRE(t.has_value());
    return *t;
}

// A ticket's history, built in order; times are full ISO strings with offset.
struct ticket_builder {
    report_ticket t;
    std::int64_t seq = 0;

    ticket_builder(std::string number, std::string school, std::string category) {
        t.number = std::move(number);
        t.school_number = school;
        t.school_name = "Schule " + school;
        t.category = std::move(category);
    }
    ticket_builder& add(event_kind kind, const std::string& when, bool staff) {
        ticket_event e;
        e.seq = ++seq;
        e.at = at(when);
        e.kind = kind;
        e.by_staff = staff;
        e.actor_id = staff ? 100 : 200;
        t.events.push_back(e);
        return *this;
    }
    ticket_builder& created(const std::string& when, priority p, std::int64_t manager) {
        add(event_kind::created, when, false);
        t.events.back().to_priority = p;
        t.events.back().manager_id = manager;
        return *this;
    }
    ticket_builder& reply(const std::string& when, bool staff) { return add(event_kind::public_reply, when, staff); }
    ticket_builder& status_to(const std::string& when, status s, bool staff = true) {
        add(event_kind::status_changed, when, staff);
        t.events.back().to_status = s;
        return *this;
    }
    ticket_builder& priority_to(const std::string& when, priority p) {
        add(event_kind::priority_changed, when, true);
        t.events.back().to_priority = p;
        return *this;
    }
    ticket_builder& assigned(const std::string& when, std::int64_t manager) {
        add(event_kind::assigned, when, true);
        t.events.back().manager_id = manager;
        return *this;
    }
    ticket_builder& escalated(const std::string& when) {
        add(event_kind::escalated, when, true);
        t.events.back().partner = "carrier";
        return *this;
    }
    ticket_builder& resolved(const std::string& when) { return add(event_kind::resolved, when, true); }
    ticket_builder& reopened(const std::string& when) { return add(event_kind::reopened, when, false); }
    ticket_builder& closed(const std::string& when) { return add(event_kind::closed, when, true); }
};

// October 2026 in Berlin (CEST until the 25th, CET after), default calendar Mon–Fri 07:30–16:30. Business minutes
// are worked out by hand in the comments.
std::vector<report_ticket> october_tickets() {
    std::vector<report_ticket> list;
    // T7: created at the very start of the month (Thu 00:00), escalated, closed Fri 09:30:
    // Thu 07:30–16:30 = 540 + Fri 07:30–09:30 = 120 -> both clocks 660, low (1080/5400): met, met.
    // A reassignment after the month's end must not count.
    list.push_back(ticket_builder("CD-2026-000007", "100001", "printer")
                       .created("2026-10-01T00:00:00+02:00", priority::low, 1)
                       .escalated("2026-10-01T08:00:00+02:00")
                       .closed("2026-10-02T09:30:00+02:00")
                       .assigned("2026-11-02T08:00:00+01:00", 3)
                       .t);
    // T1, a breach: critical (60/540), reply after 30 min; resolved Tue 09:00: Mon 08:00–16:30 = 510 + 90 = 600.
    list.push_back(ticket_builder("CD-2026-000001", "100001", "network")
                       .created("2026-10-05T08:00:00+02:00", priority::critical, 1)
                       .reply("2026-10-05T08:30:00+02:00", true)
                       .resolved("2026-10-06T09:00:00+02:00")
                       .t);
    // T2, a pause: normal (540/2700), reply after 20 min; waiting on the requester Tue 11:00 to Wed 09:00
    // (Tue 330 + Wed 90 = 420 paused); resolved Wed 12:00: 60 + 180 = 240.
    list.push_back(ticket_builder("CD-2026-000002", "100002", "ipad")
                       .created("2026-10-06T10:00:00+02:00", priority::normal, 2)
                       .reply("2026-10-06T10:20:00+02:00", true)
                       .status_to("2026-10-06T11:00:00+02:00", status::waiting_on_requester)
                       .reply("2026-10-07T09:00:00+02:00", false)
                       .status_to("2026-10-07T09:00:00+02:00", status::open)
                       .resolved("2026-10-07T12:00:00+02:00")
                       .t);
    // T3, a reopen: high (240/1620), resolved Thu 11:00 (ends the first response: 120), reopened Fri 08:00,
    // resolved again Fri 10:00: 120 + 120 = 240. Reassigned from manager 1 to 2.
    list.push_back(ticket_builder("CD-2026-000003", "100002", "ipad")
                       .created("2026-10-08T09:00:00+02:00", priority::high, 1)
                       .assigned("2026-10-08T09:30:00+02:00", 2)
                       .resolved("2026-10-08T11:00:00+02:00")
                       .reopened("2026-10-09T08:00:00+02:00")
                       .resolved("2026-10-09T10:00:00+02:00")
                       .t);
    // T4, a priority change: low, raised to critical at 09:00; first reply at 10:00 = 120 > 60 (critical): breached;
    // resolved 15:00 = 420 <= 540: met.
    list.push_back(ticket_builder("CD-2026-000004", "100001", "network")
                       .created("2026-10-12T08:00:00+02:00", priority::low, 1)
                       .priority_to("2026-10-12T09:00:00+02:00", priority::critical)
                       .reply("2026-10-12T10:00:00+02:00", true)
                       .resolved("2026-10-12T15:00:00+02:00")
                       .t);
    // T5, still open at the month's end (Sun 1 Nov 00:00 CET): normal, no answer by then:
    // Thu 29 Oct 08:00–16:30 = 510 + Fri 540 = 1050: first response breached (> 540), resolution running.
    // The reply on 2 November lies after "now" and is left out.
    list.push_back(ticket_builder("CD-2026-000005", "100003", "printer")
                       .created("2026-10-29T08:00:00+01:00", priority::normal, 2)
                       .reply("2026-11-02T08:00:00+01:00", true)
                       .t);
    // T6, created in the previous month: not part of October.
    list.push_back(ticket_builder("CD-2026-000006", "100003", "pc")
                       .created("2026-09-30T16:00:00+02:00", priority::normal, 1)
                       .reply("2026-10-01T08:00:00+02:00", true)
                       .t);
    // T8, created at the first instant of November: not part of October either.
    list.push_back(ticket_builder("CD-2026-000008", "100003", "pc")
                       .created("2026-11-01T00:00:00+01:00", priority::normal, 1)
                       .t);
    return list;
}

const std::vector<report_manager> managers{{1, "manager01", "Anna Beispiel"},
                                           {2, "manager02", "Bernd Muster"},
                                           {3, "manager03", "Carla Probe"}};

const sla_report_row& row_of(const sla_report& r, const std::string& number) {
    for (const auto& row : r.rows)
        if (row.ticket == number) return row;
    FAIL("no row " << number);
    throw std::logic_error("unreachable");
}

const sla_summary& group_of(const std::vector<sla_summary>& groups, const std::string& key) {
    for (const auto& s : groups)
        if (s.key == key) return s;
    FAIL("no group " << key);
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("report months parse strictly and step across years", "[core][sla_report]") {
    CHECK(parse_report_month("2026-10") == report_month{2026, 10});
    CHECK(parse_report_month("2026-01") == report_month{2026, 1});
    for (auto bad : {"2026-13", "2026-00", "2026-1", "26-10", "2026/10", "2026-10-01", "", "abcd-ef", " 2026-10"})
        CHECK_FALSE(parse_report_month(bad).has_value());
    CHECK(to_string(report_month{2026, 3}) == "2026-03");
    CHECK(next_month({2026, 12}) == report_month{2027, 1});
    CHECK(previous_month({2026, 1}) == report_month{2025, 12});
}

TEST_CASE("the period of a month is local and now is capped at its end", "[core][sla_report]") {
    const business_calendar calendar(business_calendar_config::defaults());
    const auto p = period_of({2026, 10}, calendar.zone(), at("2026-11-23T08:00:00+01:00"));
    CHECK(p.start == at("2026-10-01T00:00:00+02:00"));
    CHECK(p.end == at("2026-11-01T00:00:00+01:00"));
    CHECK(p.now == p.end);
    const auto running = period_of({2026, 10}, calendar.zone(), at("2026-10-12T12:00:00+02:00"));
    CHECK(running.now == at("2026-10-12T12:00:00+02:00"));
    CHECK(month_of(at("2026-09-30T23:30:00+00:00"), calendar.zone()) == report_month{2026, 10});
}

TEST_CASE("median of whole minutes", "[core][sla_report]") {
    CHECK_FALSE(median_minutes({}).has_value());
    CHECK(median_minutes({7}) == 7);
    CHECK(median_minutes({30, 10, 20}) == 20);
    CHECK(median_minutes({1, 2}) == 1);  // 1.5 rounded down
    CHECK(median_minutes({41, 10, 30, 20}) == 25);
    CHECK(median_minutes({20, 120}) == 70);
}

TEST_CASE("monthly SLA rows from histories (SLA.md §4)", "[core][sla_report]") {
    const business_calendar calendar(business_calendar_config::defaults());
    const sla_policy policy;
    const auto tickets = october_tickets();
    const auto r = build_sla_report({2026, 10}, tickets, managers, policy, calendar, at("2026-11-23T08:00:00+01:00"));

    REQUIRE(r.rows.size() == 6);  // T6 (September) and T8 (November) are not October's
    // Ordered by creation.
    std::vector<std::string> order;
    for (const auto& row : r.rows) order.push_back(row.ticket);
    CHECK(order == std::vector<std::string>{"CD-2026-000007", "CD-2026-000001", "CD-2026-000002", "CD-2026-000003",
                                            "CD-2026-000004", "CD-2026-000005"});

    SECTION("a breach of the resolution target") {
        const auto& t1 = row_of(r, "CD-2026-000001");
        CHECK(t1.campus_manager == "manager01");
        CHECK(t1.prio == priority::critical);
        CHECK(t1.first_response_at == at("2026-10-05T08:30:00+02:00"));
        CHECK(t1.first_response_minutes == 30);
        CHECK(t1.first_response_target == 60);
        CHECK(t1.first_response_verdict == sla_verdict::met);
        CHECK(t1.resolved_at == at("2026-10-06T09:00:00+02:00"));
        CHECK(t1.resolution_minutes == 600);
        CHECK(t1.resolution_target == 540);
        CHECK(t1.resolution_verdict == sla_verdict::breached);
        CHECK(t1.paused_minutes == 0);
        CHECK_FALSE(t1.open_at_end());
    }
    SECTION("a pause while waiting on the requester") {
        const auto& t2 = row_of(r, "CD-2026-000002");
        CHECK(t2.first_response_minutes == 20);
        CHECK(t2.paused_minutes == 420);
        CHECK(t2.resolution_minutes == 240);
        CHECK(t2.resolution_target == 2700);
        CHECK(t2.resolution_verdict == sla_verdict::met);
        CHECK(t2.campus_manager == "manager02");
    }
    SECTION("a reopen runs on from the time already used; the assignee is the latest one") {
        const auto& t3 = row_of(r, "CD-2026-000003");
        CHECK(t3.reopen_count == 1);
        CHECK(t3.first_response_at == at("2026-10-08T11:00:00+02:00"));
        CHECK(t3.first_response_minutes == 120);
        CHECK(t3.first_response_verdict == sla_verdict::met);
        CHECK(t3.resolved_at == at("2026-10-09T10:00:00+02:00"));
        CHECK(t3.resolution_minutes == 240);
        CHECK(t3.resolution_target == 1620);
        CHECK(t3.campus_manager == "manager02");
        CHECK(t3.manager_id == 2);
    }
    SECTION("a priority change sets the targets") {
        const auto& t4 = row_of(r, "CD-2026-000004");
        CHECK(t4.prio == priority::critical);
        CHECK(t4.first_response_minutes == 120);
        CHECK(t4.first_response_target == 60);
        CHECK(t4.first_response_verdict == sla_verdict::breached);
        CHECK(t4.resolution_minutes == 420);
        CHECK(t4.resolution_target == 540);
        CHECK(t4.resolution_verdict == sla_verdict::met);
    }
    SECTION("a ticket still open at the month's end; later events are left out") {
        const auto& t5 = row_of(r, "CD-2026-000005");
        CHECK_FALSE(t5.first_response_at.has_value());
        CHECK(t5.first_response_minutes == 1050);
        CHECK(t5.first_response_verdict == sla_verdict::breached);
        CHECK_FALSE(t5.resolved_at.has_value());
        CHECK(t5.resolution_minutes == 1050);
        CHECK(t5.resolution_verdict == sla_verdict::running);
        CHECK(t5.open_at_end());
        CHECK(t5.status_at_end == status::new_);
    }
    SECTION("escalation, closing, and a reassignment after the month") {
        const auto& t7 = row_of(r, "CD-2026-000007");
        CHECK(t7.created_at == at("2026-10-01T00:00:00+02:00"));
        CHECK(t7.escalated);
        CHECK(t7.first_response_at == at("2026-10-02T09:30:00+02:00"));
        CHECK(t7.first_response_minutes == 660);
        CHECK(t7.resolved_at == at("2026-10-02T09:30:00+02:00"));
        CHECK(t7.resolution_minutes == 660);
        CHECK(t7.resolution_verdict == sla_verdict::met);
        CHECK(t7.campus_manager == "manager01");
        CHECK(t7.status_at_end == status::closed);
    }
    SECTION("the month's total") {
        const auto& s = r.total;
        CHECK(s.tickets == 6);
        CHECK(s.first_response_met == 4);
        CHECK(s.first_response_breached == 2);
        CHECK(s.first_response_met_percent.value() == Approx(200.0 / 3.0));
        CHECK(s.resolution_met == 4);
        CHECK(s.resolution_breached == 1);  // T5's running clock is not decided yet
        CHECK(s.resolution_met_percent.value() == Approx(80.0));
        CHECK(s.median_first_response_minutes == 120);  // 20, 30, 120, 120, 660 (T5 has not ended)
        CHECK(s.median_resolution_minutes == 420);      // 240, 240, 420, 600, 660
        CHECK(s.open_at_end == 1);
        CHECK(s.breaches == 3);  // T1, T4, T5
    }
    SECTION("per campus manager, including one without tickets") {
        REQUIRE(r.per_manager.size() == 3);
        const auto& m1 = group_of(r.per_manager, "manager01");
        CHECK(m1.label == "Anna Beispiel");
        CHECK(m1.tickets == 3);
        CHECK(m1.first_response_met_percent.value() == Approx(200.0 / 3.0));
        CHECK(m1.resolution_met_percent.value() == Approx(200.0 / 3.0));
        CHECK(m1.median_first_response_minutes == 120);  // 30, 120, 660
        CHECK(m1.median_resolution_minutes == 600);      // 420, 600, 660
        CHECK(m1.open_at_end == 0);
        CHECK(m1.breaches == 2);
        const auto& m2 = group_of(r.per_manager, "manager02");
        CHECK(m2.tickets == 3);
        CHECK(m2.first_response_met_percent.value() == Approx(200.0 / 3.0));
        CHECK(m2.resolution_met_percent.value() == Approx(100.0));
        CHECK(m2.median_first_response_minutes == 70);  // 20 and 120
        CHECK(m2.median_resolution_minutes == 240);
        CHECK(m2.open_at_end == 1);
        CHECK(m2.breaches == 1);
        const auto& m3 = group_of(r.per_manager, "manager03");
        CHECK(m3.tickets == 0);
        CHECK_FALSE(m3.first_response_met_percent.has_value());
        CHECK_FALSE(m3.median_resolution_minutes.has_value());
    }
    SECTION("per school, priority and category") {
        REQUIRE(r.per_school.size() == 3);
        CHECK(group_of(r.per_school, "100001").tickets == 3);
        CHECK(group_of(r.per_school, "100001").label == "Schule 100001");
        CHECK(group_of(r.per_school, "100002").tickets == 2);
        CHECK(group_of(r.per_school, "100003").tickets == 1);
        REQUIRE(r.per_priority.size() == 4);
        CHECK(r.per_priority[0].key == "critical");
        CHECK(r.per_priority[0].tickets == 2);
        CHECK(r.per_priority[0].first_response_met_percent.value() == Approx(50.0));
        CHECK(r.per_priority[0].resolution_met_percent.value() == Approx(50.0));
        CHECK(group_of(r.per_priority, "high").tickets == 1);
        CHECK(group_of(r.per_priority, "normal").tickets == 2);
        CHECK(group_of(r.per_priority, "low").tickets == 1);
        REQUIRE(r.per_category.size() == 3);
        CHECK(r.per_category[0].key == "ipad");
        CHECK(group_of(r.per_category, "network").breaches == 2);
        CHECK(group_of(r.per_category, "printer").open_at_end == 1);
    }
}

TEST_CASE("a running month is evaluated at the real now", "[core][sla_report]") {
    const business_calendar calendar(business_calendar_config::defaults());
    const sla_policy policy;
    const auto tickets = october_tickets();
    const auto r = build_sla_report({2026, 10}, tickets, managers, policy, calendar, at("2026-10-12T12:00:00+02:00"));
    REQUIRE(r.rows.size() == 5);  // T5 does not exist yet
    const auto& t4 = row_of(r, "CD-2026-000004");
    CHECK_FALSE(t4.resolved_at.has_value());  // resolved only at 15:00
    CHECK(t4.resolution_minutes == 240);
    CHECK(t4.resolution_verdict == sla_verdict::running);
    CHECK(t4.open_at_end());
    CHECK(r.total.open_at_end == 1);
}

TEST_CASE("an empty month has counts of zero and no percentages or medians", "[core][sla_report]") {
    const business_calendar calendar(business_calendar_config::defaults());
    const sla_policy policy;
    const auto tickets = october_tickets();
    const auto r = build_sla_report({2026, 8}, tickets, managers, policy, calendar, at("2026-11-23T08:00:00+01:00"));
    CHECK(r.rows.empty());
    CHECK(r.total.tickets == 0);
    CHECK_FALSE(r.total.first_response_met_percent.has_value());
    CHECK_FALSE(r.total.resolution_met_percent.has_value());
    CHECK_FALSE(r.total.median_first_response_minutes.has_value());
    CHECK_FALSE(r.total.median_resolution_minutes.has_value());
    CHECK(r.per_school.empty());
    CHECK(r.per_category.empty());
    CHECK(r.per_priority.size() == 4);
    CHECK(r.per_manager.size() == 3);
}
