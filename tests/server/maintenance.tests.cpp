// Maintenance plans over real HTTP (issue 18): plans through the API and the page (every refusal at its field),
// tasks generated at once and never twice, who sees and works on which task, done and postponed, the visit plan's
// maintenance, the month's maintenance in the report's exports apart from the SLA figures.
#include "tests/server/ticket_helpers.hpp"

#include "core/local_time.hpp"
#include "core/maintenance.hpp"
#include "server/app.hpp"
#include "server/config_loader.hpp"

using namespace campusdesk;
using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

const std::string config_file = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml";

// The demo's school calendar and today's date as the server sees them.
struct calendar_now {
    app_config config = *load_config(config_file).config;
    school_calendar cal{config.calendar};
    local_date today = local_date_of(now_ms(), date::locate_zone(config.calendar.time_zone));
    std::string iso(local_date d) const { return format_iso_date(d); }
    // A school day after both `after` and today.
    local_date school_day_after(local_date after) const {
        auto n = std::max(day_number_of(after), day_number_of(today)) + 1;
        while (!cal.is_school_day(date_of_day_number(n))) ++n;
        return date_of_day_number(n);
    }
};

struct scene {
    temp_dir data;
    server_process server{data.path};
    client manager{server.port()};
    client other_manager{server.port()};
    client dispatcher{server.port()};
    client teacher{server.port()};
    std::string school, other_school;

    scene() {
        REQUIRE(dispatcher.login("dispatch1").status == 200);
        school = find_manager(dispatcher, "manager01").schools.front();
        other_school = find_manager(dispatcher, "manager02").schools.front();
        REQUIRE(manager.login("manager01").status == 200);
        REQUIRE(other_manager.login("manager02").status == 200);
        REQUIRE(teacher.login("teacher-" + school).status == 200);
    }

    // A weekly plan for one school from today: its first task exists at once.
    json::value weekly_plan(const std::string& for_school, const std::string& title = "Netzwerkschrank Sichtprüfung") {
        auto r = dispatcher.post_json("/api/v1/maintenance/plans",
                                      json::object{{"title", title}, {"school_number", for_school},
                                                   {"rule", "every_school_weeks"}, {"weeks", 1}});
        INFO(r.body);
        REQUIRE(r.status == 201);
        return r.json();
    }

    json::array tasks(client& c, const std::string& query = "") {
        auto r = c.get("/api/v1/maintenance/tasks" + query);
        INFO(r.body);
        REQUIRE(r.status == 200);
        return r.json().at("tasks").as_array();
    }
};

std::string id_of(const json::value& v) { return std::to_string(v.at("id").as_int64()); }

} // namespace

TEST_CASE("a plan makes its first task at once, for the school's campus manager, and never twice",
          "[maintenance][api]") {
    scene s;
    const auto plan = s.weekly_plan(s.school);
    CHECK(plan.at("rule").as_string() == "every_school_weeks");
    CHECK(plan.at("active").as_bool());
    CHECK(plan.at("schedule").as_string().starts_with("jede Schulwoche ab"));
    const auto tasks = s.tasks(s.dispatcher, "?plan=" + id_of(plan));
    REQUIRE(tasks.size() == 1);
    const auto& t = tasks[0];
    CHECK(t.at("school_number").as_string() == s.school);
    CHECK(t.at("status").as_string() == "open");
    CHECK(t.at("campus_manager").as_string() == std::string(find_manager(s.dispatcher, "manager01").name));
    calendar_now now;
    const auto due = parse_iso_date(std::string(t.at("due_date").as_string()));
    REQUIRE(due);
    CHECK(*due == now.cal.last_day_of_school_week(now.today, 1));
    // The manager sees it, the other manager does not, a teacher may not ask.
    CHECK(s.tasks(s.manager, "?plan=" + id_of(plan)).size() == 1);
    CHECK(s.tasks(s.other_manager, "?plan=" + id_of(plan)).empty());
    CHECK(s.other_manager.get("/api/v1/maintenance/tasks/" + id_of(t)).status == 404);
    CHECK(s.teacher.get("/api/v1/maintenance/tasks").status == 403);
    CHECK(s.teacher.get("/api/v1/maintenance/tasks/" + id_of(t)).status == 404);
}

TEST_CASE("the daily job at the next start adds no second task for a period", "[maintenance][api]") {
    temp_dir data;
    std::string plan_id;
    {
        server_process server(data.path);
        client dispatcher(server.port());
        REQUIRE(dispatcher.login("dispatch1").status == 200);
        const auto school = find_manager(dispatcher, "manager01").schools.front();
        auto r = dispatcher.post_json("/api/v1/maintenance/plans",
                                      json::object{{"title", "Netzwerkschrank Sichtprüfung"}, {"school_number", school},
                                                   {"rule", "every_school_weeks"}, {"weeks", 1}});
        REQUIRE(r.status == 201);
        plan_id = id_of(r.json());
    }
    server_process server(data.path);
    client dispatcher(server.port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    auto after = dispatcher.get("/api/v1/maintenance/tasks?plan=" + plan_id);
    REQUIRE(after.status == 200);
    CHECK(after.json().at("tasks").as_array().size() == 1);
}

TEST_CASE("only the help desk and admins create plans; every bad field is named", "[maintenance][api]") {
    scene s;
    auto plan_count = [&] { return s.dispatcher.get("/api/v1/maintenance/plans").json().at("plans").as_array().size(); };
    const auto demo_plans = plan_count();  // the demo's own (docs/maintenance.md "Demo")
    auto refused = s.manager.post_json("/api/v1/maintenance/plans",
                                       json::object{{"title", "x"}, {"rule", "every_school_weeks"}, {"weeks", 4}});
    CHECK(refused.status == 403);
    struct row { json::object body; const char* field; };
    const std::vector<row> rows{
        {{{"rule", "every_school_weeks"}, {"weeks", 4}}, "title"},
        {{{"title", "T"}, {"rule", "monthly"}, {"weeks", 4}}, "rule"},
        {{{"title", "T"}, {"rule", "every_school_weeks"}}, "weeks"},
        {{{"title", "T"}, {"rule", "every_school_weeks"}, {"weeks", 0}}, "weeks"},
        {{{"title", "T"}, {"rule", "every_school_weeks"}, {"weeks", 81}}, "weeks"},
        {{{"title", "T"}, {"rule", "every_school_weeks"}, {"weeks", 4}, {"school_number", "999999"}}, "school_number"},
        {{{"title", "T"}, {"rule", "every_school_weeks"}, {"weeks", 4}, {"device_kind", "toaster"}}, "device_kind"},
        {{{"title", "T"}, {"rule", "before_holidays"}, {"weeks", 4}}, "holiday_name"},
        {{{"title", "T"}, {"rule", "before_holidays"}, {"weeks", 4}, {"holiday_name", "Karneval"}}, "holiday_name"},
        {{{"title", "T"}, {"rule", "every_school_weeks"}, {"weeks", 4}, {"start_date", "30.11.2026"}}, "start_date"},
        {{{"title", "T"}, {"rule", "every_school_weeks"}, {"weeks", 4}, {"start_date", "2020-01-01"}}, "start_date"},
        {{{"title", "T\x1b"}, {"rule", "every_school_weeks"}, {"weeks", 4}}, "title"},
        {{{"title", "T"}, {"rule", "every_school_weeks"}, {"weeks", "4"}}, "weeks"},
        {{{"title", "T"}, {"rule", "every_school_weeks"}, {"weeks", 4}, {"weekz", 4}}, "weekz"},
    };
    for (const auto& r : rows) {
        auto res = s.dispatcher.post_json("/api/v1/maintenance/plans", r.body);
        INFO(res.body);
        CHECK(res.status == 422);
        CHECK(res.json().at("error").at("field").as_string() == r.field);
    }
    CHECK(plan_count() == demo_plans);
    // Without CSRF nothing is created.
    auto no_csrf = s.dispatcher.request(http::verb::post, "/api/v1/maintenance/plans",
                                        R"({"title":"T","rule":"every_school_weeks","weeks":4})", "application/json");
    CHECK(no_csrf.status == 403);
    CHECK(plan_count() == demo_plans);
}

TEST_CASE("a plan per device kind covers the schools with such devices; before the holidays it waits",
          "[maintenance][api]") {
    scene s;
    // The demo's inventory has iPads at every school; a kind plan from today makes one task per such school.
    auto r = s.dispatcher.post_json("/api/v1/maintenance/plans",
                                    json::object{{"title", "iPads prüfen"}, {"device_kind", "ipad"},
                                                 {"rule", "every_school_weeks"}, {"weeks", 2}});
    INFO(r.body);
    REQUIRE(r.status == 201);
    const auto per_school = s.tasks(s.dispatcher, "?plan=" + id_of(r.json()) + "&limit=500");
    CHECK(per_school.size() > 1);
    CHECK(s.tasks(s.manager, "?plan=" + id_of(r.json())).size() < per_school.size());
    // Sommerferien are months away: no task yet.
    auto sommer = s.dispatcher.post_json("/api/v1/maintenance/plans",
                                         json::object{{"title", "iPad-Updates vor den Sommerferien"},
                                                      {"device_kind", "ipad"}, {"rule", "before_holidays"},
                                                      {"holiday_name", "Sommerferien"}, {"weeks", 2}});
    REQUIRE(sommer.status == 201);
    CHECK(sommer.json().at("holiday_name").as_string() == "Sommerferien");
    CHECK(s.tasks(s.dispatcher, "?plan=" + id_of(sommer.json())).empty());
    // Ending a plan: once.
    CHECK(s.dispatcher.post_json("/api/v1/maintenance/plans/" + id_of(sommer.json()) + "/end", json::object{}).status == 200);
    CHECK(s.dispatcher.post_json("/api/v1/maintenance/plans/" + id_of(sommer.json()) + "/end", json::object{}).status == 409);
    CHECK(s.manager.post_json("/api/v1/maintenance/plans/" + id_of(r.json()) + "/end", json::object{}).status == 403);
    CHECK(s.dispatcher.get("/api/v1/maintenance/plans/999999").status == 404);
}

TEST_CASE("done and postponed through the API, with the checks at the field", "[maintenance][api]") {
    scene s;
    calendar_now now;
    const auto plan = s.weekly_plan(s.school);
    const auto task = s.tasks(s.manager, "?plan=" + id_of(plan)).at(0);
    const auto path = "/api/v1/maintenance/tasks/" + id_of(task);
    const auto due = *parse_iso_date(std::string(task.at("due_date").as_string()));
    const auto later = now.school_day_after(due);
    struct row { json::object body; const char* field; };
    const std::vector<row> rows{
        {{{"due_date", now.iso(later)}}, "reason"},
        {{{"due_date", now.iso(later)}, {"reason", "  "}}, "reason"},
        {{{"reason", "Raum belegt"}}, "due_date"},
        {{{"due_date", "morgen"}, {"reason", "Raum belegt"}}, "due_date"},
        {{{"due_date", now.iso(due)}, {"reason", "Raum belegt"}}, "due_date"},
        {{{"due_date", now.iso(date_of_day_number(day_number_of(now.today) + 400))}, {"reason", "x"}}, "due_date"},
    };
    for (const auto& r : rows) {
        auto res = s.manager.post_json(path + "/postpone", r.body);
        INFO(res.body);
        CHECK(res.status == 422);
        CHECK(res.json().at("error").at("field").as_string() == r.field);
    }
    CHECK(s.other_manager.post_json(path + "/postpone", json::object{{"due_date", now.iso(later)}, {"reason", "x"}})
              .status == 404);
    auto moved = s.manager.post_json(path + "/postpone", json::object{{"due_date", now.iso(later)},
                                                                      {"reason", "Raum für Prüfungen belegt"}});
    INFO(moved.body);
    REQUIRE(moved.status == 200);
    CHECK(moved.json().at("due_date").as_string() == now.iso(later));
    CHECK(moved.json().at("planned_due_date").as_string() == now.iso(due));
    CHECK(moved.json().at("postponements").as_int64() == 1);
    const auto detail = s.manager.get(path).json();
    REQUIRE(detail.at("postponed").as_array().size() == 1);
    CHECK(detail.at("postponed").as_array()[0].at("reason").as_string() == "Raum für Prüfungen belegt");
    auto done = s.manager.post_json(path + "/done", json::object{{"note", "Schrank verschlossen, Lüfter sauber"}});
    REQUIRE(done.status == 200);
    CHECK(done.json().at("status").as_string() == "done");
    CHECK(done.json().at("on_time").as_bool());
    CHECK(done.json().at("done_date").as_string() == now.iso(now.today));
    CHECK(s.manager.post_json(path + "/done", json::object{}).status == 409);
    CHECK(s.manager.post_json(path + "/postpone", json::object{{"due_date", now.iso(later)}, {"reason", "x"}}).status == 409);
    CHECK(s.tasks(s.manager, "?plan=" + id_of(plan) + "&status=open").empty());
    CHECK(s.manager.get("/api/v1/maintenance/tasks?status=later").status == 422);
    CHECK(s.manager.get("/api/v1/maintenance/tasks?due_before=gestern").status == 422);
}

TEST_CASE("the pages: a plan from the form, refusals at the field, the task done from the visit plan",
          "[maintenance][pages]") {
    scene s;
    calendar_now now;
    // The form refuses with the error at the field, the entries kept.
    auto refused = s.dispatcher.post_form("/wartung/neu", {{"csrf", s.dispatcher.csrf}, {"title", "Tafeln <prüfen>"},
                                                           {"rule", "every_school_weeks"}, {"weeks", "0"},
                                                           {"school_number", s.school}});
    CHECK(refused.status == 422);
    CHECK(refused.body.find("<title>Fehler:") != std::string::npos);
    CHECK(refused.body.find("id=\"weeks\" name=\"weeks\" inputmode=\"numeric\" pattern=\"[0-9]*\" value=\"0\" required "
                            "aria-invalid=\"true\" aria-describedby=\"weeks-error\" autofocus") != std::string::npos);
    CHECK(refused.body.find("value=\"Tafeln &lt;prüfen&gt;\"") != std::string::npos);
    CHECK(s.dispatcher.post_form("/wartung/neu", {{"title", "T"}, {"rule", "every_school_weeks"}, {"weeks", "4"}}).status == 403);
    CHECK(s.manager.get("/wartung/neu").status == 403);
    CHECK(s.teacher.get("/wartung").status == 404);
    auto created = s.dispatcher.post_form("/wartung/neu", {{"csrf", s.dispatcher.csrf}, {"title", "Digitale Tafeln prüfen"},
                                                           {"rule", "every_school_weeks"}, {"weeks", "1"},
                                                           {"school_number", s.school}, {"device_kind", ""},
                                                           {"start_date", now.iso(now.today)}});
    REQUIRE(created.status == 303);
    const auto plan_page = created.headers.at("location");
    CHECK(plan_page.starts_with("/wartung/plaene/"));
    auto shown = s.dispatcher.get(plan_page);
    CHECK(shown.status == 200);
    CHECK(shown.body.find("Der Plan ist angelegt.") != std::string::npos);
    // The visit plan shows the task beside the school's tickets and counts it with the choice.
    auto visits = s.manager.get("/visits?school=" + s.school);
    REQUIRE(visits.status == 200);
    CHECK(visits.body.find("<span class=\"badge\">1 Wartungsaufgabe fällig</span>") != std::string::npos);
    CHECK(visits.body.find("Digitale Tafeln prüfen") != std::string::npos);
    const auto task = s.tasks(s.manager, "?school=" + s.school).at(0);
    const auto task_page = "/wartung/aufgaben/" + id_of(task);
    CHECK(visits.body.find(task_page + "?zurueck=") != std::string::npos);
    // Postponing without a reason: refused at the field; a foreign return address is ignored.
    const auto later = now.school_day_after(*parse_iso_date(std::string(task.at("due_date").as_string())));
    auto no_reason = s.manager.post_form(task_page, {{"csrf", s.manager.csrf}, {"action", "verschieben"},
                                                     {"due_date", now.iso(later)}});
    CHECK(no_reason.status == 422);
    CHECK(no_reason.body.find("aria-invalid=\"true\" aria-describedby=\"reason-error\" autofocus") != std::string::npos);
    auto other = s.other_manager.post_form(task_page, {{"csrf", s.other_manager.csrf}, {"action", "erledigt"}});
    CHECK(other.status == 404);
    auto stale = s.manager.post_form(task_page, {{"csrf", "x"}, {"action", "erledigt"}});
    CHECK(stale.status == 403);
    // A foreign return address is ignored: the task page itself follows.
    auto evil = s.manager.post_form(task_page, {{"csrf", s.manager.csrf}, {"action", "verschieben"},
                                                {"due_date", now.iso(later)}, {"reason", "Hausmeister krank"},
                                                {"return_to", "//evil.example/"}});
    REQUIRE(evil.status == 303);
    CHECK(evil.headers.at("location") == task_page + "?verschoben=1");
    CHECK(s.manager.get(task_page + "?verschoben=1").body.find("Hausmeister krank") != std::string::npos);
    auto done = s.manager.post_form(task_page, {{"csrf", s.manager.csrf}, {"action", "erledigt"},
                                                {"return_to", "/visits?school=" + s.school}, {"note", "ok"}});
    REQUIRE(done.status == 303);
    CHECK(done.headers.at("location") == "/visits?school=" + s.school + "&wartung=erledigt#aufgabe-" + id_of(task));
    CHECK(s.manager.get("/wartung?status=erledigt").body.find("Digitale Tafeln prüfen") != std::string::npos);
    CHECK(s.manager.get("/wartung?status=bald").status == 400);
}

TEST_CASE("the month's maintenance is its own section of the report, never in the SLA figures", "[maintenance][report]") {
    scene s;
    calendar_now now;
    // The weekly plan's first task is due at the end of this school week: its month's report, before and after.
    const auto due = now.cal.last_day_of_school_week(now.today, 1);
    const auto due_month = fmt::format("{:04}-{:02}", due.year, due.month);
    const auto before = s.dispatcher.get("/api/v1/reports/sla?month=" + due_month + "&format=json");
    REQUIRE(before.status == 200);
    // The demo's plans have tasks of their own: the figures are compared before and after.
    const auto figure = [](const json::value& m, std::string_view list, std::string_view key_name,
                           std::string_view key, std::string_view name) -> std::int64_t {
        for (const auto& g : m.at(list).as_array())
            if (g.at(key_name).as_string() == key) return g.at(name).as_int64();
        return 0;
    };
    const auto m0 = before.json().at("maintenance");
    const auto manager_id = std::to_string(find_manager(s.dispatcher, "manager01").id);
    const auto csv_before = s.dispatcher.get("/api/v1/reports/sla?month=" + due_month + "&format=csv").body;
    const auto plan = s.weekly_plan(s.school);
    const auto task = s.tasks(s.manager, "?plan=" + id_of(plan)).at(0);
    CHECK(task.at("due_date").as_string() == now.iso(due));
    REQUIRE(s.manager.post_json("/api/v1/maintenance/tasks/" + id_of(task) + "/done", json::object{}).status == 200);
    auto after = s.dispatcher.get("/api/v1/reports/sla?month=" + due_month + "&format=json");
    REQUIRE(after.status == 200);
    const auto m = after.json().at("maintenance");
    CHECK(m.at("summary").at("due").as_int64() == m0.at("summary").at("due").as_int64() + 1);
    CHECK(m.at("summary").at("done_on_time").as_int64() == m0.at("summary").at("done_on_time").as_int64() + 1);
    CHECK(figure(m, "per_school", "school_number", s.school, "due") ==
          figure(m0, "per_school", "school_number", s.school, "due") + 1);
    CHECK(figure(m, "per_school", "school_number", s.school, "done_on_time") ==
          figure(m0, "per_school", "school_number", s.school, "done_on_time") + 1);
    CHECK(figure(m, "per_manager", "campus_manager_id", manager_id, "due") ==
          figure(m0, "per_manager", "campus_manager_id", manager_id, "due") + 1);
    // The ticket rows and their summary are untouched, and the machine CSV is the same bytes.
    CHECK(after.json().at("summary") == before.json().at("summary"));
    CHECK(after.json().at("rows") == before.json().at("rows"));
    CHECK(s.dispatcher.get("/api/v1/reports/sla?month=" + due_month + "&format=csv").body == csv_before);
    auto csv = s.dispatcher.get("/api/v1/reports/maintenance?month=" + due_month + "&sep=semicolon");
    REQUIRE(csv.status == 200);
    CHECK(csv.body.starts_with("\xEF\xBB\xBFid;plan_id;plan;device_kind;school_number;"));
    CHECK(csv.body.find(";Netzwerkschrank Sichtprüfung;") != std::string::npos);
    CHECK(s.dispatcher.get("/api/v1/reports/maintenance?month=" + due_month + "&format=json").json()
              .at("maintenance").at("rows").as_array().size() == m0.at("rows").as_array().size() + 1);
    CHECK(s.dispatcher.get("/api/v1/reports/maintenance?month=2026-13").status == 422);
    CHECK(s.manager.get("/api/v1/reports/maintenance?month=" + due_month).status == 403);
    auto xlsx = s.dispatcher.get("/api/v1/reports/sla?month=" + due_month + "&format=xlsx");
    CHECK(xlsx.status == 200);
    CHECK(xlsx.body.find("xl/worksheets/sheet6.xml") != std::string::npos);
    auto page = s.dispatcher.get("/reports/sla?month=" + due_month);
    CHECK(page.body.find("id=\"wartung\"") != std::string::npos);
    CHECK(page.body.find("/api/v1/reports/maintenance?month=" + due_month) != std::string::npos);
}
