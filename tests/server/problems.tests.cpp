// Merge, links and known problems over real HTTP (issue 24): every refusal of a merge and a link, and a known
// problem from its declaration to its resolution with a teacher who pressed "Ich bin auch betroffen".
#include "tests/server/ticket_helpers.hpp"

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

const std::string config_file = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml";

// The demo data: a teacher of one of manager01's schools, manager01, manager02 (other schools) and a dispatcher.
struct scene {
    temp_dir data;
    server_process server{data.path};
    client admin{server.port()};
    client teacher{server.port()};
    client manager{server.port()};
    client other_manager{server.port()};
    client dispatcher{server.port()};
    manager_info m01, m02;
    std::string school, other_school;

    scene() {
        REQUIRE(admin.login("admin").status == 200);
        m01 = find_manager(admin, "manager01");
        m02 = find_manager(admin, "manager02");
        REQUIRE(!m01.schools.empty());
        REQUIRE(!m02.schools.empty());
        school = m01.schools.front();
        other_school = m02.schools.front();
        REQUIRE(teacher.login("teacher-" + school).status == 200);
        REQUIRE(manager.login("manager01").status == 200);
        REQUIRE(other_manager.login("manager02").status == 200);
        REQUIRE(dispatcher.login("dispatch1").status == 200);
    }

    // A second teacher of `school` (the demo data has one per school), logged in.
    void add_teacher(client& c, const std::string& login) {
        auto added = run_campusdesk({"user", "add", login, "--role", "teacher", "--name", "Zweite Lehrkraft", "--school",
                                     school, "--password-stdin", "--config", config_file, "--data", data.path.string()},
                                    "Stoerung-Betroffen-2026!\n");
        INFO(added.err);
        REQUIRE(added.status == 0);
        REQUIRE(c.login(login, "Stoerung-Betroffen-2026!").status == 200);
    }
};

response merge(client& c, const std::string& number, const std::string& into, const std::string& note = {}) {
    return c.post_json("/api/v1/tickets/" + number + "/merge", json::object{{"into", into}, {"note", note}});
}

response link(client& c, const std::string& number, const std::string& to) {
    return c.post_json("/api/v1/tickets/" + number + "/links", json::object{{"to", to}});
}

std::string status_of(client& c, const std::string& number) {
    return std::string(get_ticket(c, number).at("status").as_string());
}

} // namespace

TEST_CASE("a merge closes the duplicate with a pointer and shows on both tickets", "[problems][merge]") {
    scene s;
    const auto main = number_of(file_ticket(s.teacher, s.school));
    const auto duplicate = number_of(file_ticket(s.teacher, s.school));

    auto merged = merge(s.manager, duplicate, main, "Gleicher Beamer.");
    INFO(merged.body);
    REQUIRE(merged.status == 200);
    CHECK(merged.json().at("merged_into").as_string() == main);

    const auto dup = get_ticket(s.manager, duplicate);
    CHECK(dup.at("status").as_string() == "closed");
    CHECK(std::string(last_event(dup).at("body").as_string()).find("Zusammengeführt in " + main) != std::string::npos);
    const auto m = get_ticket(s.manager, main);
    CHECK(last_event(m).at("kind").as_string() == "internal_note");
    CHECK(std::string(last_event(m).at("body").as_string()).find(duplicate + " von ") != std::string::npos);
    CHECK(m.at("status").as_string() == "new");  // the main ticket goes on as it was

    auto main_links = s.manager.get("/api/v1/tickets/" + main + "/links").json();
    REQUIRE(main_links.at("links").as_array().size() == 1);
    CHECK(main_links.at("links").as_array()[0].at("direction").as_string() == "merged_from");
    CHECK(main_links.at("links").as_array()[0].at("ticket").as_string() == duplicate);
    CHECK(main_links.at("merged_into").is_null());

    // The teacher's duplicate points to the main ticket, on the API and on the page.
    auto teacher_links = s.teacher.get("/api/v1/tickets/" + duplicate + "/links");
    REQUIRE(teacher_links.status == 200);
    CHECK(teacher_links.json().at("merged_into").as_string() == main);
    auto page = s.teacher.get("/tickets/" + duplicate);
    REQUIRE(page.status == 200);
    CHECK(page.body.find("zusammengeführt – dort geht es weiter") != std::string::npos);
    CHECK(page.body.find("Zusammenführen</button>") == std::string::npos);  // no staff forms for a teacher
    auto staff_page = s.manager.get("/tickets/" + main);
    CHECK(staff_page.body.find("Hierher zusammengeführt:") != std::string::npos);
}

TEST_CASE("every refusal of a merge", "[problems][merge]") {
    scene s;
    const auto a = number_of(file_ticket(s.teacher, s.school));
    const auto b = number_of(file_ticket(s.teacher, s.school));
    const auto c = number_of(file_ticket(s.teacher, s.school));
    const auto closed = number_of(file_ticket(s.teacher, s.school));
    REQUIRE(act(s.manager, closed, "status", json::object{{"status", "closed"}, {"note", ""}}).status == 200);
    const auto elsewhere = number_of(file_ticket(s.dispatcher, s.other_school));

    SECTION("teachers cannot merge, not even their own tickets") {
        auto r = merge(s.teacher, b, a);
        CHECK(r.status == 403);
        CHECK(r.error_code() == "forbidden");
        CHECK(status_of(s.manager, b) == "new");
    }
    SECTION("a manager cannot merge a ticket of a school they cannot see, nor into one") {
        auto r = merge(s.other_manager, b, a);
        CHECK(r.status == 404);
        auto into = merge(s.manager, b, elsewhere);
        CHECK(into.status == 422);
        CHECK(into.error_code() == "unknown_ticket");
        // The help desk sees both schools and may.
        CHECK(merge(s.dispatcher, elsewhere, a).status == 200);
    }
    SECTION("not into itself") {
        auto r = merge(s.manager, a, a);
        CHECK(r.status == 422);
        CHECK(r.error_code() == "same_ticket");
    }
    SECTION("not into a closed ticket, nor a closed duplicate") {
        CHECK(merge(s.manager, a, closed).error_code() == "target_closed");
        CHECK(merge(s.manager, closed, a).error_code() == "ticket_closed");
        CHECK(merge(s.manager, a, closed).status == 409);
    }
    SECTION("no cycle, no merged target, no second merge") {
        REQUIRE(merge(s.manager, b, a).status == 200);
        auto cycle = merge(s.manager, a, b);
        CHECK(cycle.status == 409);
        CHECK(cycle.error_code() == "merge_cycle");
        auto merged_target = merge(s.manager, c, b);
        CHECK(merged_target.status == 409);
        CHECK(merged_target.error_code() == "target_merged");
        auto twice = merge(s.manager, b, c);
        CHECK(twice.status == 409);
        CHECK(twice.error_code() == "already_merged");
        CHECK(status_of(s.manager, a) == "new");
        CHECK(status_of(s.manager, c) == "new");
    }
    SECTION("bad input: a number that is none, no CSRF token, a GET") {
        auto r = merge(s.manager, a, "CD-1");
        CHECK(r.status == 422);
        CHECK(r.error_code() == "unknown_ticket");
        CHECK(merge(s.manager, "CD-2026-999999", a).status == 404);
        auto no_csrf = s.manager.request(boost::beast::http::verb::post, "/api/v1/tickets/" + a + "/merge",
                                         json::serialize(json::object{{"into", b}}), "application/json");
        CHECK(no_csrf.status == 403);
        CHECK(s.manager.get("/api/v1/tickets/" + a + "/merge").status == 405);
        CHECK(status_of(s.manager, a) == "new");
    }
    SECTION("the page form: refused with a German message, accepted with a redirect") {
        auto refused = s.manager.post_form("/tickets/" + a + "/zusammenfuehren", {{"csrf", s.manager.csrf}, {"into", a}});
        CHECK(refused.status == 422);
        CHECK(refused.body.find("nicht mit sich selbst") != std::string::npos);
        auto by_teacher = s.teacher.post_form("/tickets/" + b + "/zusammenfuehren", {{"csrf", s.teacher.csrf}, {"into", a}});
        CHECK(by_teacher.status == 403);
        auto stale = s.manager.post_form("/tickets/" + b + "/zusammenfuehren", {{"into", a}});
        CHECK(stale.status == 403);
        auto ok = s.manager.post_form("/tickets/" + b + "/zusammenfuehren", {{"csrf", s.manager.csrf}, {"into", a}});
        CHECK(ok.status == 303);
        CHECK(status_of(s.manager, b) == "closed");
    }
}

TEST_CASE("links between related tickets and their refusals", "[problems][links]") {
    scene s;
    const auto a = number_of(file_ticket(s.teacher, s.school));
    const auto b = number_of(file_ticket(s.teacher, s.school));
    const auto elsewhere = number_of(file_ticket(s.dispatcher, s.other_school));

    auto linked = link(s.manager, a, b);
    INFO(linked.body);
    REQUIRE(linked.status == 201);
    const auto links = linked.json().at("links").as_array();
    REQUIRE(links.size() == 1);
    CHECK(links[0].at("direction").as_string() == "related");
    CHECK(links[0].at("ticket").as_string() == b);
    // Both timelines say so, and the other side lists it too.
    CHECK(std::string(last_event(get_ticket(s.manager, a)).at("body").as_string()).find("Verknüpft mit " + b) != std::string::npos);
    CHECK(std::string(last_event(get_ticket(s.manager, b)).at("body").as_string()).find("Verknüpft mit " + a) != std::string::npos);
    CHECK(s.manager.get("/api/v1/tickets/" + b + "/links").json().at("links").as_array()[0].at("ticket").as_string() == a);

    CHECK(link(s.manager, b, a).error_code() == "already_linked");
    CHECK(link(s.manager, b, a).status == 409);
    CHECK(link(s.manager, a, a).error_code() == "same_ticket");
    CHECK(link(s.teacher, a, b).status == 403);
    CHECK(link(s.manager, a, elsewhere).error_code() == "unknown_ticket");
    CHECK(link(s.other_manager, a, elsewhere).status == 404);
    CHECK(s.other_manager.get("/api/v1/tickets/" + a + "/links").status == 404);
    // The help desk may link across schools; a manager of one side sees the other's number and status, not its title.
    REQUIRE(link(s.dispatcher, a, elsewhere).status == 201);
    const auto seen = s.manager.get("/api/v1/tickets/" + a + "/links").json().at("links").as_array();
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].at("ticket").as_string() == elsewhere);
    CHECK(seen[1].at("title").is_null());
}

TEST_CASE("a known problem from declaration to resolution", "[problems][known]") {
    scene s;
    client second{s.server.port()}, stranger{s.server.port()};
    s.add_teacher(second, "teacher2-" + s.school);
    REQUIRE(stranger.login("teacher-" + s.other_school).status == 200);
    const auto first = number_of(file_ticket(s.teacher, s.school, "network", "high"));
    const auto again = number_of(file_ticket(s.teacher, s.school, "network", "normal"));

    SECTION("refusals of a declaration") {
        const json::object ok{{"title", "Internet im ganzen Gebäude"}, {"schools", json::array{json::value(s.school)}}};
        CHECK(s.teacher.post_json("/api/v1/problems", ok).status == 403);
        auto no_title = s.dispatcher.post_json("/api/v1/problems", json::object{{"title", " "}, {"all_schools", true}});
        CHECK(no_title.status == 422);
        CHECK(no_title.error_code() == "required");
        auto unknown = s.dispatcher.post_json("/api/v1/problems", json::object{{"title", "x"}, {"schools", json::array{"000000"}}});
        CHECK(unknown.error_code() == "unknown_school");
        auto past = s.dispatcher.post_json("/api/v1/problems", json::object{{"title", "x"}, {"all_schools", true},
                                                                            {"expected_at", "2020-01-01T08:00:00Z"}});
        CHECK(past.error_code() == "in_past");
        auto bad_type = s.dispatcher.post_json("/api/v1/problems", json::object{{"title", "x"}, {"schools", "all"}});
        CHECK(bad_type.status == 422);
        CHECK(bad_type.error_code() == "invalid_type");
        auto invisible = s.other_manager.post_json(
            "/api/v1/problems", json::object{{"title", "x"}, {"all_schools", true}, {"tickets", json::array{json::value(first)}}});
        CHECK(invisible.error_code() == "unknown_ticket");
        // Nothing of a refused declaration stays behind.
        CHECK(s.dispatcher.get("/api/v1/problems").json().at("problems").as_array().empty());
    }

    auto declared = s.dispatcher.post_json(
        "/api/v1/problems", json::object{{"title", "Internet im ganzen Gebäude"},
                                         {"schools", json::array{json::value(s.school)}},
                                         {"expected_at", iso_from_now(3600 * 1000)},
                                         {"tickets", json::array{json::value(first), json::value(again)}}});
    INFO(declared.body);
    REQUIRE(declared.status == 201);
    const auto problem = declared.json();
    const auto id = std::to_string(problem.at("id").as_int64());
    CHECK(problem.at("priority").as_string() == "high");  // the highest of its tickets
    CHECK(problem.at("tickets").as_array().size() == 2);
    CHECK(problem.at("teachers_affected").as_int64() == 1);
    CHECK(problem.at("sla").at("first_response").at("verdict").as_string() == "met");
    // The requester is told at once: the first response of their tickets.
    CHECK(last_event(get_ticket(s.teacher, first)).at("kind").as_string() == "public_reply");
    CHECK(s.teacher.get("/api/v1/tickets/" + first + "/links").json().at("problem_id").as_int64() == problem.at("id").as_int64());
    // A ticket belongs to one problem.
    auto twice = s.dispatcher.post_json("/api/v1/problems", json::object{{"title", "x"}, {"all_schools", true},
                                                                         {"tickets", json::array{json::value(first)}}});
    CHECK(twice.status == 409);
    CHECK(twice.error_code() == "already_attached");
    // The board suggests no outage of tickets that belong to the problem.
    CHECK(s.dispatcher.get("/dispatch").body.find("Als bekannte Störung erklären") == std::string::npos);

    // The second teacher sees it on the form and joins; a teacher of another school does not see it.
    auto form = second.get("/tickets/new");
    REQUIRE(form.status == 200);
    CHECK(form.body.find("Bekannte Störung seit") != std::string::npos);
    CHECK(form.body.find("Internet im ganzen Gebäude — Sie müssen nichts melden") != std::string::npos);
    CHECK(form.body.find("Ich bin auch betroffen") != std::string::npos);
    CHECK(stranger.get("/tickets/new").body.find("Bekannte Störung") == std::string::npos);
    CHECK(stranger.get("/api/v1/problems/" + id).status == 404);
    CHECK(stranger.post_json("/api/v1/problems/" + id + "/affected", json::object{}).status == 404);
    CHECK(s.teacher.post_json("/api/v1/problems/" + id + "/affected", json::object{}).error_code() == "already_joined");
    auto long_room = second.post_json("/api/v1/problems/" + id + "/affected", json::object{{"room", std::string(61, 'R')}});
    CHECK(long_room.status == 422);
    CHECK(second.post_form("/stoerungen/" + id + "/betroffen", {{"room", "B 2.03"}}).status == 403);  // no CSRF token
    auto joined = second.post_form("/stoerungen/" + id + "/betroffen",
                                   {{"csrf", second.csrf}, {"room", "B 2.03"}, {"return_to", "/tickets/new"}});
    CHECK(joined.status == 303);
    CHECK(joined.headers["location"] == "/tickets/new");
    CHECK(second.get("/tickets/new").body.find("Sie sind als betroffen eingetragen") != std::string::npos);
    CHECK(second.post_json("/api/v1/problems/" + id + "/affected", json::object{}).status == 409);
    const auto staff_view = s.dispatcher.get("/api/v1/problems/" + id).json();
    CHECK(staff_view.at("teachers_affected").as_int64() == 2);
    CHECK(staff_view.at("affected_people").as_array()[1].at("room").as_string() == "B 2.03");
    CHECK_FALSE(second.get("/api/v1/problems/" + id).json().as_object().contains("affected_people"));

    // Resolving: not by teachers, once, with a text; the tickets are resolved with it.
    CHECK(second.post_json("/api/v1/problems/" + id + "/resolve", json::object{{"resolution", "ok"}}).status == 403);
    CHECK(s.manager.post_json("/api/v1/problems/" + id + "/resolve", json::object{{"resolution", ""}}).status == 422);
    auto resolved = s.manager.post_json("/api/v1/problems/" + id + "/resolve",
                                        json::object{{"resolution", "Router im Keller getauscht."}});
    INFO(resolved.body);
    REQUIRE(resolved.status == 200);
    CHECK(resolved.json().at("status").as_string() == "resolved");
    CHECK(resolved.json().at("sla").at("resolution").at("verdict").as_string() == "met");
    CHECK(s.manager.post_json("/api/v1/problems/" + id + "/resolve", json::object{{"resolution", "again"}}).status == 409);
    CHECK(status_of(s.teacher, first) == "resolved");
    CHECK(status_of(s.teacher, again) == "resolved");
    CHECK(std::string(last_event(get_ticket(s.teacher, first)).at("body").as_string()) == "Router im Keller getauscht.");
    // Everyone affected sees it resolved on their pages; joining is over.
    CHECK(second.get("/tickets").body.find("Behoben: Internet im ganzen Gebäude") != std::string::npos);
    CHECK(s.teacher.get("/tickets").body.find("Behoben: Internet im ganzen Gebäude") != std::string::npos);
    CHECK(second.post_json("/api/v1/problems/" + id + "/affected", json::object{}).status == 409);
}

TEST_CASE("the monthly report counts a problem once and keeps the ticket CSV of SLA.md", "[problems][report]") {
    scene s;
    const auto filed = file_ticket(s.teacher, s.school, "network", "critical");
    const auto first = number_of(filed);
    const auto again = number_of(file_ticket(s.teacher, s.school, "network", "high"));
    // The report's month is the local month of the tickets' creation (the answer's time carries the offset).
    const auto month = std::string(filed.at("created_at").as_string()).substr(0, 7);
    const auto csv_before = s.dispatcher.get("/api/v1/reports/sla?month=" + month + "&format=csv");
    REQUIRE(csv_before.status == 200);

    auto declared = s.dispatcher.post_json("/api/v1/problems", json::object{{"title", "Glasfaser gestört"},
                                                                           {"all_schools", true},
                                                                           {"tickets", json::array{json::value(first), json::value(again)}}});
    REQUIRE(declared.status == 201);
    const auto id = std::to_string(declared.json().at("id").as_int64());
    REQUIRE(s.manager.post_json("/api/v1/problems/" + id + "/resolve", json::object{{"resolution", "Leitung repariert."}}).status == 200);

    auto report = s.dispatcher.get("/api/v1/reports/sla?month=" + month + "&format=json");
    REQUIRE(report.status == 200);
    const auto problems = report.json().at("problems");
    CHECK(std::string(problems.at("counting").as_string()).find("zählen einmal") != std::string::npos);
    const auto& summary = problems.at("summary");
    CHECK(summary.at("problems").as_int64() == 1);
    CHECK(summary.at("resolved").as_int64() == 1);
    CHECK(summary.at("tickets").as_int64() == 2);
    CHECK(summary.at("teachers_affected").as_int64() == 1);
    CHECK(summary.at("ticket_rows_in_problems").as_int64() == 2);
    const auto& rows = problems.at("rows").as_array();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].at("priority").as_string() == "critical");
    CHECK(rows[0].at("schools").as_string() == "alle");
    CHECK(rows[0].at("resolution_verdict").as_string() != "running");

    // The ticket CSV keeps SLA.md's columns; its rows are the tickets (both attached ones included), nothing else.
    auto csv = s.dispatcher.get("/api/v1/reports/sla?month=" + month + "&format=csv");
    REQUIRE(csv.status == 200);
    const auto header_end = csv.body.find("\r\n");
    CHECK(csv.body.substr(0, header_end) == csv_before.body.substr(0, csv_before.body.find("\r\n")));
    CHECK(csv.body.substr(3, header_end - 3) ==
          "ticket,school_number,school_name,campus_manager,priority,category,created_at,first_response_at,"
          "first_response_minutes,first_response_target,first_response_verdict,resolved_at,resolution_minutes,"
          "resolution_target,resolution_verdict,paused_minutes,reopen_count,escalated");
    const auto lines = [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); };
    CHECK(lines(csv.body) == lines(csv_before.body));
    CHECK(csv.body.find("Glasfaser") == std::string::npos);

    // The problems have a CSV of their own, and a sheet in the XLSX.
    auto problems_csv = s.dispatcher.get("/api/v1/reports/problems?month=" + month + "&sep=semicolon");
    REQUIRE(problems_csv.status == 200);
    CHECK(problems_csv.body.find("id;title;schools;priority;started_at") != std::string::npos);
    CHECK(problems_csv.body.find("Glasfaser gestört;alle;critical") != std::string::npos);
    CHECK(lines(problems_csv.body) == 2);
    CHECK(s.teacher.get("/api/v1/reports/problems?month=" + month).status == 403);
    CHECK(s.dispatcher.get("/api/v1/reports/problems?month=2026-13").status == 422);
    auto xlsx = s.dispatcher.get("/api/v1/reports/sla?month=" + month + "&format=xlsx");
    REQUIRE(xlsx.status == 200);
    CHECK(xlsx.body.substr(0, 2) == "PK");
    auto page = s.dispatcher.get("/reports/sla?month=" + month);
    REQUIRE(page.status == 200);
    CHECK(page.body.find("Bekannte Störungen") != std::string::npos);
    CHECK(page.body.find("Glasfaser gestört") != std::string::npos);
}
