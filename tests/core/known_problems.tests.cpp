#include "core/known_problems.hpp"

#include "core/local_time.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;

namespace {

constexpr time_ms minute = 60'000;

// Local wall-clock time in October 2026 (CEST, +02:00): "2026-10-05T08:00" is a Monday morning.
time_ms at(const std::string& local) {
    const auto t = parse_iso8601(local + ":00+02:00");
    REQUIRE(t.has_value());
    return *t;
}

const business_calendar& office() {
    static const business_calendar cal(business_calendar_config::defaults());
    return cal;
}

known_problem problem_at(const std::string& start, const std::string& declared, priority prio = priority::critical) {
    known_problem p;
    p.id = 1;
    p.title = "Internet im ganzen Gebäude";
    p.schools = {"141017"};
    p.prio = prio;
    p.started_at = at(start);
    p.declared_at = at(declared);
    p.declared_by = 7;
    return p;
}

ticket make_ticket(std::int64_t id, std::string number, status s = status::open) {
    ticket t;
    t.id = id;
    t.number = std::move(number);
    t.state = s;
    return t;
}

viewer as(role r, std::string school = "") { return viewer{42, r, std::move(school), 0, {}}; }

} // namespace

TEST_CASE("a problem has the priority of its highest part and starts at its first report", "[core][problems]") {
    const std::vector<problem_part> parts{{"CD-2026-000001", 1, priority::normal, at("2026-10-05T09:12")},
                                          {"CD-2026-000002", 2, priority::high, at("2026-10-05T09:03")}};
    CHECK(problem_priority(priority::low, parts) == priority::high);
    CHECK(problem_priority(priority::critical, parts) == priority::critical);
    CHECK(problem_priority(priority::low, {}) == priority::low);
    CHECK(declared_priority("high", true) == priority::high);
    CHECK(problem_priority(declared_priority("", true), parts) == priority::high);
    CHECK(declared_priority("", false) == priority::critical);
    CHECK(problem_start(at("2026-10-05T09:30"), parts) == at("2026-10-05T09:03"));
    CHECK(problem_start(at("2026-10-05T09:00"), parts) == at("2026-10-05T09:00"));  // declared before any report
    CHECK(problem_start(at("2026-10-05T09:00"), {}) == at("2026-10-05T09:00"));
}

TEST_CASE("a problem's clocks follow SLA.md as a ticket of its priority", "[core][problems][sla]") {
    const sla_policy policy;  // critical: 60 min first response, 540 min resolution
    SECTION("declared 20 minutes after the first report: first response met after 20 business minutes") {
        auto p = problem_at("2026-10-05T09:00", "2026-10-05T09:20");
        const auto r = evaluate_problem_sla(p, policy, office(), at("2026-10-05T10:00"));
        CHECK(r.first_response.verdict == sla_verdict::met);
        CHECK(r.first_response.used_minutes() == 20);
        CHECK(r.resolution.verdict == sla_verdict::running);
        CHECK(r.resolution.used_minutes() == 60);
        CHECK(r.resolution.target_minutes == 540);
    }
    SECTION("declared late: the first response is breached, as for a ticket answered late") {
        auto p = problem_at("2026-10-05T09:00", "2026-10-05T10:30");
        const auto r = evaluate_problem_sla(p, policy, office(), at("2026-10-05T11:00"));
        CHECK(r.first_response.verdict == sla_verdict::breached);
        CHECK(r.first_response.used_minutes() == 90);
    }
    SECTION("resolved within the day: resolution met; the night does not count") {
        auto p = problem_at("2026-10-05T15:30", "2026-10-05T15:40");
        p.resolved_at = at("2026-10-06T09:30");  // 60 min Monday + 120 min Tuesday
        const auto r = evaluate_problem_sla(p, policy, office(), at("2026-10-07T12:00"));
        CHECK(r.resolution.verdict == sla_verdict::met);
        CHECK(r.resolution.used_minutes() == 180);
        CHECK(r.resolved_at == p.resolved_at);
    }
    SECTION("a lower priority gets the longer targets") {
        auto p = problem_at("2026-10-05T08:00", "2026-10-05T08:10", priority::high);
        p.resolved_at = at("2026-10-06T16:00");
        const auto r = evaluate_problem_sla(p, policy, office(), at("2026-10-07T12:00"));
        CHECK(r.resolution.target_minutes == 1620);
        CHECK(r.resolution.verdict == sla_verdict::met);
    }
    SECTION("running past the target: breached, and no pause status applies") {
        sla_policy pausing;
        pausing.pause_statuses = {status::waiting_on_requester, status::waiting_on_third_party};
        auto p = problem_at("2026-10-05T08:00", "2026-10-05T08:05");
        const auto r = evaluate_problem_sla(p, pausing, office(), at("2026-10-06T12:00"));
        CHECK(r.resolution.verdict == sla_verdict::breached);
        CHECK(r.paused_ms == 0);
    }
    SECTION("the history: created, the declaration as first response, resolved once it is") {
        auto p = problem_at("2026-10-05T09:00", "2026-10-05T09:20");
        CHECK(problem_history(p).size() == 2);
        p.resolved_at = at("2026-10-05T11:00");
        const auto h = problem_history(p);
        REQUIRE(h.size() == 3);
        CHECK(h[0].kind == event_kind::created);
        CHECK(h[0].to_priority == priority::critical);
        CHECK(h[1].kind == event_kind::public_reply);
        CHECK(h[1].by_staff);
        CHECK(h[2].kind == event_kind::resolved);
    }
}

TEST_CASE("declaring a problem: staff, a text, schools, an expected time ahead", "[core][problems]") {
    const auto known = [](std::string_view s) { return s == "141017" || s == "141018"; };
    const time_ms now = at("2026-10-05T09:00");
    problem_draft ok;
    ok.title = "Internet im ganzen Gebäude";
    ok.schools = {"141017"};
    ok.expected_at = at("2026-10-05T12:00");
    CHECK(validate_problem_draft(ok, role::dispatcher, now, known).empty());
    CHECK(validate_problem_draft(ok, role::campus_manager, now, known).empty());

    struct bad_case {
        const char* what;
        std::function<void(problem_draft&)> change;
        role who;
        const char* field;
        const char* code;
    };
    const auto c = GENERATE(
        bad_case{"a teacher", [](problem_draft&) {}, role::teacher, "", "forbidden"},
        bad_case{"no title", [](problem_draft& d) { d.title = "  "; }, role::dispatcher, "title", "required"},
        bad_case{"a long title", [](problem_draft& d) { d.title = std::string(201, 'x'); }, role::dispatcher, "title", "invalid"},
        bad_case{"a line break in the title", [](problem_draft& d) { d.title = "a\nb"; }, role::dispatcher, "title", "invalid"},
        bad_case{"no school", [](problem_draft& d) { d.schools.clear(); }, role::dispatcher, "schools", "required"},
        bad_case{"an unknown school", [](problem_draft& d) { d.schools = {"999999"}; }, role::dispatcher, "schools", "unknown_school"},
        bad_case{"an unknown priority", [](problem_draft& d) { d.priority = "urgent"; }, role::dispatcher, "priority", "unknown_priority"},
        bad_case{"an expected time in the past", [](problem_draft& d) { d.expected_at = at("2026-10-05T08:59"); }, role::dispatcher, "expected_at", "in_past"},
        bad_case{"a bad ticket number", [](problem_draft& d) { d.tickets = {"CD-2026-1"}; }, role::dispatcher, "tickets", "invalid_ticket"});
    INFO(c.what);
    auto d = ok;
    c.change(d);
    const auto errors = validate_problem_draft(d, c.who, now, known);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == c.field);
    CHECK(errors[0].code == c.code);

    SECTION("all schools need no list") {
        auto all = ok;
        all.schools.clear();
        all.all_schools = true;
        CHECK(validate_problem_draft(all, role::admin, now, known).empty());
    }
}

TEST_CASE("joining a problem: teachers of a concerned school while it is open", "[core][problems]") {
    auto p = problem_at("2026-10-05T09:00", "2026-10-05T09:20");
    CHECK_FALSE(check_join(p, as(role::teacher, "141017"), "141017", "B 2.03", "seit 9 Uhr").has_value());
    CHECK(check_join(p, as(role::teacher, "141018"), "141018", "", "")->code == "not_concerned");
    CHECK(check_join(p, as(role::teacher, "141018"), "141017", "", "")->code == "not_concerned");  // not their school
    CHECK(check_join(p, as(role::teacher, "141017"), "141017", std::string(61, 'r'), "")->field == "room");
    CHECK(check_join(p, as(role::teacher, "141017"), "141017", "", std::string(501, 'n'))->field == "note");
    CHECK(check_join(p, as(role::teacher, "141017"), "141017", "a\x01", "")->field == "room");
    auto all = p;
    all.all_schools = true;
    all.schools.clear();
    CHECK_FALSE(check_join(all, as(role::teacher, "141018"), "141018", "", "").has_value());
    p.resolved_at = at("2026-10-05T10:00");
    CHECK(check_join(p, as(role::teacher, "141017"), "141017", "", "")->code == "problem_resolved");
}

TEST_CASE("resolving a problem: staff, open, with a text", "[core][problems]") {
    auto p = problem_at("2026-10-05T09:00", "2026-10-05T09:20");
    CHECK(check_resolve(p, as(role::teacher, "141017"), "ok")->kind == refusal::forbidden);
    CHECK(check_resolve(p, as(role::campus_manager), " ")->code == "required");
    CHECK_FALSE(check_resolve(p, as(role::campus_manager), "Router getauscht").has_value());
    p.resolved_at = at("2026-10-05T10:00");
    CHECK(check_resolve(p, as(role::dispatcher), "noch einmal")->code == "problem_resolved");
}

TEST_CASE("merging refuses teachers, itself, cycles, merged and closed tickets", "[core][problems][merge]") {
    const auto main = make_ticket(1, "CD-2026-000001");
    const auto dup = make_ticket(2, "CD-2026-000002");
    const std::vector<std::string> none, into_dup{"CD-2026-000002"}, into_other{"CD-2026-000009"};
    const auto check = [&](const viewer& v, const ticket& m, const ticket& d, std::span<const std::string> m_into,
                           std::span<const std::string> d_into) { return check_merge(v, {m, d, m_into, d_into}, "", 1000); };
    CHECK_FALSE(check(as(role::campus_manager), main, dup, none, none).has_value());
    CHECK_FALSE(check(as(role::dispatcher), main, dup, none, none).has_value());
    CHECK(check(as(role::teacher, "141017"), main, dup, none, none)->kind == refusal::forbidden);
    CHECK(check(as(role::dispatcher), main, main, none, none)->code == "same_ticket");
    CHECK(check(as(role::dispatcher), main, dup, into_dup, none)->code == "merge_cycle");
    CHECK(check(as(role::dispatcher), main, dup, into_other, none)->code == "target_merged");
    CHECK(check(as(role::dispatcher), make_ticket(1, "CD-2026-000001", status::closed), dup, none, none)->code ==
          "target_closed");
    CHECK(check(as(role::dispatcher), main, dup, none, into_other)->code == "already_merged");
    CHECK(check(as(role::dispatcher), main, make_ticket(2, "CD-2026-000002", status::closed), none, none)->code ==
          "ticket_closed");
    // A resolved main ticket may still take a duplicate (the teacher may reopen it).
    CHECK_FALSE(check(as(role::dispatcher), make_ticket(1, "CD-2026-000001", status::resolved), dup, none, none).has_value());
    CHECK(check_merge(as(role::dispatcher), {main, dup, none, none}, std::string(1001, 'x'), 1000)->field == "note");
}

TEST_CASE("linking refuses teachers, itself and a second link", "[core][problems][links]") {
    const auto a = make_ticket(1, "CD-2026-000001"), b = make_ticket(2, "CD-2026-000002");
    CHECK_FALSE(check_link(as(role::campus_manager), a, b, false).has_value());
    CHECK(check_link(as(role::teacher, "141017"), a, b, false)->kind == refusal::forbidden);
    CHECK(check_link(as(role::dispatcher), a, a, false)->code == "same_ticket");
    CHECK(check_link(as(role::dispatcher), a, b, true)->code == "already_linked");
    CHECK(parse_link_kind("related") == link_kind::related);
    CHECK(parse_link_kind(to_string(link_kind::merged)) == link_kind::merged);
    CHECK_FALSE(parse_link_kind("duplicate").has_value());
}

TEST_CASE("the report counts a problem once, apart from its tickets", "[core][problems][report]") {
    const sla_policy policy;
    const time_ms start = at("2026-10-01T00:00"), now = at("2026-10-31T23:00");  // Saturday night
    report_problem outage{problem_at("2026-10-05T09:00", "2026-10-05T09:20"), {"CD-2026-000001", "CD-2026-000002"}, 30};
    outage.problem.resolved_at = at("2026-10-05T11:00");
    report_problem long_one{problem_at("2026-10-06T08:00", "2026-10-06T10:00"), {"CD-2026-000003"}, 4};
    long_one.problem.id = 2;
    long_one.problem.all_schools = true;
    long_one.problem.schools.clear();
    long_one.problem.resolved_at = at("2026-10-08T08:00");  // two business days: breached (critical: 540)
    report_problem other_month{problem_at("2026-09-30T09:00", "2026-09-30T09:10"), {}, 3};
    other_month.problem.id = 3;
    report_problem resolved_next_month{problem_at("2026-10-30T15:00", "2026-10-30T15:10"), {}, 2};
    resolved_next_month.problem.id = 4;
    resolved_next_month.problem.resolved_at = at("2026-11-02T09:00");
    const std::vector<report_problem> problems{long_one, outage, other_month, resolved_next_month};
    const auto breached = [](const std::string& n) -> std::optional<bool> {
        if (n == "CD-2026-000001") return true;
        if (n == "CD-2026-000002") return false;
        return std::nullopt;  // CD-2026-000003: created in another month
    };
    const auto r = build_problem_report(problems, start, now, policy, office(), breached);
    REQUIRE(r.rows.size() == 3);
    CHECK(r.rows[0].id == 1);  // by start
    CHECK(r.rows[1].id == 2);
    CHECK(r.rows[1].schools == "alle");
    CHECK(r.rows[0].schools == "141017");
    CHECK(r.rows[0].duration_minutes == 120);
    CHECK(r.rows[0].sla.resolution.verdict == sla_verdict::met);
    CHECK(r.rows[1].sla.first_response.verdict == sla_verdict::breached);  // declared two hours after the report
    CHECK(r.rows[2].id == 4);
    CHECK_FALSE(r.rows[2].resolved_at.has_value());  // resolved after the month's "now"
    CHECK(r.rows[2].sla.resolution.verdict == sla_verdict::running);
    CHECK(r.summary.problems == 3);
    CHECK(r.summary.resolved == 2);
    CHECK(r.summary.breaches == 1);
    CHECK(r.summary.tickets == 3);
    CHECK(r.summary.teachers_affected == 36);
    CHECK(r.summary.ticket_rows_in_problems == 2);
    CHECK(r.summary.ticket_breaches_in_problems == 1);
    CHECK(r.summary.median_resolution_minutes == (120 + 1080) / 2);  // 510 + 540 + 30 business minutes
    CHECK(build_problem_report({}, start, now, policy, office(), breached).summary.problems == 0);
}
