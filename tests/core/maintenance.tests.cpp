#include "core/maintenance.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;

namespace {

// NRW's school holidays of 2025/26 and 2026/27 as config/calendar/nw.toml has them.
business_calendar_config nrw(std::string zone = "Europe/Berlin") {
    auto c = business_calendar_config::defaults();
    c.time_zone = std::move(zone);
    c.holiday_state = "NW";
    c.school_holidays = {
        {{2025, 10, 13}, {2025, 10, 25}, "Herbstferien 2025"},
        {{2025, 12, 22}, {2026, 1, 6}, "Weihnachtsferien 2025/26"},
        {{2026, 3, 30}, {2026, 4, 11}, "Osterferien 2026"},
        {{2026, 5, 26}, {2026, 5, 26}, "Pfingstferien 2026"},
        {{2026, 7, 20}, {2026, 9, 1}, "Sommerferien 2026"},
        {{2026, 10, 17}, {2026, 10, 31}, "Herbstferien 2026"},
        {{2026, 12, 23}, {2027, 1, 6}, "Weihnachtsferien 2026/27"},
        {{2027, 3, 22}, {2027, 4, 3}, "Osterferien 2027"},
        {{2027, 5, 18}, {2027, 5, 18}, "Pfingstferien 2027"},
        {{2027, 7, 19}, {2027, 8, 31}, "Sommerferien 2027"},
    };
    c.closure_days = {{2026, 5, 15}};  // the Friday after Himmelfahrt, a Brückentag
    return c;
}

const school_calendar& cal() {
    static const school_calendar c(nrw());
    return c;
}

maintenance_plan every(int weeks, local_date start) {
    maintenance_plan p;
    p.title = "Digitale Tafeln prüfen";
    p.rule = maintenance_rule::every_school_weeks;
    p.weeks = weeks;
    p.start = start;
    return p;
}

} // namespace

TEST_CASE("school days: weekdays without public holidays, closure days and school holidays") {
    struct row { local_date day; bool school; const char* why; };
    const row rows[] = {
        {{2026, 12, 1}, true, "an ordinary Tuesday"},
        {{2026, 12, 5}, false, "Saturday"},
        {{2026, 12, 22}, true, "the last day before the Weihnachtsferien"},
        {{2026, 12, 23}, false, "first day of the Weihnachtsferien"},
        {{2027, 1, 1}, false, "Neujahr and holidays"},
        {{2027, 1, 6}, false, "last day of the Weihnachtsferien"},
        {{2027, 1, 7}, true, "first school day after"},
        {{2026, 5, 1}, false, "Tag der Arbeit (a Friday)"},
        {{2026, 5, 14}, false, "Christi Himmelfahrt"},
        {{2026, 5, 15}, false, "a closure day"},
        {{2026, 6, 4}, false, "Fronleichnam (NRW)"},
        {{2026, 10, 3}, false, "Tag der Deutschen Einheit (Saturday anyway)"},
        {{2026, 11, 1}, false, "Allerheiligen (Sunday)"},
        {{2026, 11, 2}, true, "Monday after Allerheiligen"},
    };
    for (const auto& r : rows) {
        INFO(r.why);
        CHECK(cal().is_school_day(r.day) == r.school);
    }
}

TEST_CASE("due dates in school weeks: the last school day of the n-th school week") {
    struct row { local_date start; int n; local_date due; const char* why; };
    const row rows[] = {
        {{2026, 11, 30}, 1, {2026, 12, 4}, "a Monday start: its own week is the first"},
        {{2026, 12, 4}, 1, {2026, 12, 4}, "a Friday start: that Friday is a school day of the first week"},
        {{2026, 12, 5}, 1, {2026, 12, 11}, "a Saturday start: the next week is the first"},
        {{2026, 11, 30}, 4, {2026, 12, 22}, "year end: the week before Christmas ends on Tuesday"},
        {{2026, 11, 30}, 5, {2027, 1, 8}, "the week of 28.12. has no school day and does not count"},
        {{2026, 12, 23}, 1, {2027, 1, 8}, "a start in the holidays: the first school week after them"},
        {{2026, 4, 27}, 1, {2026, 4, 30}, "1 May on a Friday: the week ends on Thursday"},
        {{2026, 5, 11}, 1, {2026, 5, 13}, "Himmelfahrt and a Brückentag: the week ends on Wednesday"},
        {{2026, 3, 23}, 1, {2026, 3, 27}, "the week before the DST switch on 29.03.2026"},
        {{2026, 3, 23}, 2, {2026, 4, 17}, "over the DST switch and the Osterferien"},
        {{2026, 10, 12}, 2, {2026, 11, 6}, "over the DST switch on 25.10.2026 in the Herbstferien"},
        {{2026, 9, 2}, 12, {2026, 12, 4}, "every 12 school weeks after the Sommerferien (≈ 3 months)"},
        {{2026, 11, 30}, 52, {2028, 1, 28}, "beyond the listed school holidays: only weekends and public holidays"},
    };
    for (const auto& r : rows) {
        INFO(r.why);
        CHECK(cal().last_day_of_school_week(r.start, r.n) == r.due);
    }
    CHECK_THROWS_AS(cal().last_day_of_school_week({2026, 11, 30}, 0), std::invalid_argument);
}

TEST_CASE("school weeks do not depend on the time zone or daylight saving time") {
    const school_calendar utc(nrw("UTC"));
    const school_calendar nyc(nrw("America/New_York"));
    for (int n = 1; n <= 60; ++n) {
        const local_date start{2026, 3, 23};
        CHECK(utc.last_day_of_school_week(start, n) == cal().last_day_of_school_week(start, n));
        CHECK(nyc.last_day_of_school_week(start, n) == cal().last_day_of_school_week(start, n));
    }
}

TEST_CASE("holiday periods: lines of one name are one period") {
    auto c = nrw();
    c.school_holidays.push_back({{2027, 5, 20}, {2027, 5, 21}, "Pfingstferien 2027"});
    const school_calendar split(c);
    int pfingsten = 0;
    for (const auto& p : split.holiday_periods())
        if (p.name == "Pfingstferien 2027") {
            ++pfingsten;
            CHECK(p.first == local_date{2027, 5, 18});
            CHECK(p.last == local_date{2027, 5, 21});
        }
    CHECK(pfingsten == 1);
    CHECK(split.last_school_day_before({2027, 5, 18}) == local_date{2027, 5, 14});
}

TEST_CASE("a plan every n school weeks has exactly one period ahead") {
    const auto p = every(4, {2026, 11, 30});
    CHECK(open_periods(p, cal(), {2026, 11, 29}).empty());
    const auto first = open_periods(p, cal(), {2026, 11, 30});
    REQUIRE(first.size() == 1);
    CHECK(first[0] == maintenance_period{0, {2026, 11, 30}, {2026, 12, 22}});
    CHECK(open_periods(p, cal(), {2026, 12, 22}) == first);  // due today: the next period has not opened yet
    const auto two = open_periods(p, cal(), {2026, 12, 23});
    REQUIRE(two.size() == 2);
    CHECK(two[0] == first[0]);
    CHECK(two[1] == maintenance_period{1, {2026, 12, 23}, {2027, 1, 29}});
    // The same day gives the same periods: generation keyed by period is idempotent.
    CHECK(open_periods(p, cal(), {2026, 12, 23}) == two);
}

TEST_CASE("a plan far back yields only its latest periods") {
    const auto p = every(1, {2026, 1, 12});
    const auto periods = open_periods(p, cal(), {2026, 11, 30}, 8);
    REQUIRE(periods.size() == 8);
    CHECK(periods.back().due == local_date{2026, 12, 4});
    CHECK(periods.front().period + 7 == periods.back().period);
}

TEST_CASE("a plan before the holidays is due on the last school day before them") {
    maintenance_plan p;
    p.title = "iPad-Updates vor den Sommerferien";
    p.rule = maintenance_rule::before_holidays;
    p.holiday_name = "Sommerferien";
    p.weeks = 4;
    p.start = {2026, 11, 30};
    CHECK(open_periods(p, cal(), {2027, 6, 17}).empty());
    const auto periods = open_periods(p, cal(), {2027, 6, 18});
    REQUIRE(periods.size() == 1);
    CHECK(periods[0].due == local_date{2027, 7, 16});
    CHECK(periods[0].opens == local_date{2027, 6, 18});
    CHECK(periods[0].period == day_number_of({2027, 7, 19}));
    // Holidays that began before the plan's start are not its periods.
    p.start = {2026, 7, 1};
    CHECK(open_periods(p, cal(), {2026, 7, 10}).size() == 1);  // Sommerferien 2026, due Friday 17.07.
    CHECK(open_periods(p, cal(), {2026, 7, 10})[0].due == local_date{2026, 7, 17});
    p.start = {2026, 7, 20};
    CHECK(open_periods(p, cal(), {2026, 12, 1}).empty());
}

TEST_CASE("plan fields are checked at the field") {
    struct row { const char* why; void (*change)(maintenance_plan&); const char* field; };
    const row rows[] = {
        {"fine", [](maintenance_plan&) {}, ""},
        {"no title", [](maintenance_plan& p) { p.title = "  "; }, "title"},
        {"long title", [](maintenance_plan& p) { p.title = std::string(121, 'x'); }, "title"},
        {"control character in the title", [](maintenance_plan& p) { p.title = "Tafel\x1b[2J"; }, "title"},
        {"invalid UTF-8", [](maintenance_plan& p) { p.description = "\xff\xfe"; }, "description"},
        {"120 umlauts are 120 characters", [](maintenance_plan& p) {
             p.title.clear();
             for (int i = 0; i < 120; ++i) p.title += "ä";
         }, ""},
        {"zero weeks", [](maintenance_plan& p) { p.weeks = 0; }, "weeks"},
        {"too many weeks", [](maintenance_plan& p) { p.weeks = max_plan_weeks + 1; }, "weeks"},
        {"holidays without a name", [](maintenance_plan& p) { p.rule = maintenance_rule::before_holidays; }, "holiday_name"},
        {"unknown holidays", [](maintenance_plan& p) {
             p.rule = maintenance_rule::before_holidays;
             p.holiday_name = "Karnevalsferien";
         }, "holiday_name"},
        {"start long ago", [](maintenance_plan& p) { p.start = {2025, 11, 1}; }, "start_date"},
        {"start far ahead", [](maintenance_plan& p) { p.start = {2029, 1, 1}; }, "start_date"},
    };
    for (const auto& r : rows) {
        INFO(r.why);
        auto p = every(12, {2026, 11, 30});
        r.change(p);
        const auto errors = check_maintenance_plan(p, cal(), {2026, 11, 30});
        if (std::string_view(r.field).empty()) {
            CHECK(errors.empty());
        } else {
            REQUIRE(errors.size() == 1);
            CHECK(errors[0].field == r.field);
        }
    }
    maintenance_plan sommer = every(4, {2026, 11, 30});
    sommer.rule = maintenance_rule::before_holidays;
    sommer.holiday_name = "Sommerferien";
    CHECK(check_maintenance_plan(sommer, cal(), {2026, 11, 30}).empty());
}

TEST_CASE("a postponement needs a reason and a later school day") {
    const local_date due{2026, 12, 4}, today{2026, 12, 1};
    struct row { std::optional<local_date> to; const char* reason; const char* field; };
    const row rows[] = {
        {local_date{2026, 12, 11}, "Raum belegt", ""},
        {std::nullopt, "Raum belegt", "due_date"},
        {local_date{2026, 12, 4}, "Raum belegt", "due_date"},
        {local_date{2026, 12, 12}, "Raum belegt", "due_date"},   // Saturday
        {local_date{2026, 12, 28}, "Raum belegt", "due_date"},   // Weihnachtsferien
        {local_date{2027, 12, 20}, "Raum belegt", "due_date"},   // more than a year
        {local_date{2026, 12, 11}, "   ", "reason"},
        {local_date{2026, 12, 11}, "Raum\x07" "belegt", "reason"},
    };
    for (const auto& r : rows) {
        const auto errors = check_postponement(due, r.to, r.reason, cal(), today);
        if (std::string_view(r.field).empty()) {
            CHECK(errors.empty());
        } else {
            REQUIRE(errors.size() == 1);
            CHECK(errors[0].field == r.field);
        }
    }
    CHECK_FALSE(check_task_note("Zeile 1\nZeile 2"));
    CHECK(check_task_note(std::string(max_task_text + 1, 'x'))->field == "note");
    // An overdue task is postponed to a day after today.
    CHECK(check_postponement({2026, 11, 20}, local_date{2026, 11, 27}, "x", cal(), today).at(0).field == "due_date");
}

TEST_CASE("the month's maintenance figures: on time, late, overdue, open, postponed") {
    auto task = [](std::int64_t id, std::string school, std::int64_t manager, local_date due) {
        maintenance_task t;
        t.id = id;
        t.school_number = std::move(school);
        t.assignee_id = manager;
        t.due = t.planned_due = due;
        return t;
    };
    std::vector<maintenance_task> tasks;
    tasks.push_back(task(1, "100001", 7, {2026, 11, 6}));
    tasks.back().state = task_status::done;
    tasks.back().done_on = local_date{2026, 11, 6};  // on the due day: on time
    tasks.push_back(task(2, "100001", 7, {2026, 11, 13}));
    tasks.back().state = task_status::done;
    tasks.back().done_on = local_date{2026, 11, 16};  // late
    tasks.push_back(task(3, "100002", 8, {2026, 11, 20}));  // overdue at 30.11.
    tasks.push_back(task(4, "100002", 8, {2026, 11, 30}));  // due today: open
    tasks.back().postponements = 1;
    const auto r = build_maintenance_report(
        tasks, {2026, 11, 30}, [](std::int64_t id) { return id == 7 ? std::string("Zora") : std::string("Adam"); },
        [](const std::string& n) { return "Schule " + n; });
    CHECK(r.total.due == 4);
    CHECK(r.total.on_time == 1);
    CHECK(r.total.late == 1);
    CHECK(r.total.overdue == 1);
    CHECK(r.total.open == 1);
    CHECK(r.total.postponed == 1);
    REQUIRE(r.total.on_time_percent());
    CHECK(*r.total.on_time_percent() == Approx(100.0 / 3));
    REQUIRE(r.per_manager.size() == 2);
    CHECK(r.per_manager[0].label == "Adam");
    CHECK(r.per_manager[0].figures.overdue == 1);
    CHECK(r.per_manager[1].figures.on_time == 1);
    REQUIRE(r.per_school.size() == 2);
    CHECK(r.per_school[0].key == "100001");
    CHECK(r.tasks.front().id == 1);
    CHECK_FALSE(maintenance_figures{}.on_time_percent());
}
