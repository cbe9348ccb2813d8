// The city's view of the schools' equipment over real HTTP (issue 18): the school page (who may open it, what it
// shows), the list of schools, the similar schools with their downloads, and bad query input.
#include "tests/server/ticket_helpers.hpp"

#include "core/sla_report.hpp"
#include "server/app.hpp"

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {

struct scene {
    temp_dir data;
    server_process server{data.path};
    client teacher{server.port()};
    client manager{server.port()};
    client other_manager{server.port()};
    client dispatcher{server.port()};
    client admin{server.port()};
    std::string school, other_school;

    scene() {
        REQUIRE(dispatcher.login("dispatch1").status == 200);
        REQUIRE(admin.login("admin").status == 200);
        school = find_manager(dispatcher, "manager01").schools.front();
        other_school = find_manager(dispatcher, "manager02").schools.front();
        REQUIRE(teacher.login("teacher-" + school).status == 200);
        REQUIRE(manager.login("manager01").status == 200);
        REQUIRE(other_manager.login("manager02").status == 200);
    }
};

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("the school page shows equipment, tickets per 100 devices, SLA figures and tickets", "[equipment]") {
    scene s;
    for (client* c : {&s.dispatcher, &s.admin, &s.manager}) {
        const auto r = c->get("/schulen/" + s.school);
        INFO(r.body.substr(0, 400));
        REQUIRE(r.status == 200);
        CHECK(contains(r.body, "<h1>Schule: "));
        CHECK(contains(r.body, "Geräte in Betrieb, davon"));
        CHECK(contains(r.body, ">iPad</a>"));                 // the demo gives every school iPads
        CHECK(contains(r.body, "Kaufdatum unbekannt"));       // the age bands
        CHECK(contains(r.body, "Median der Stadt:"));
        CHECK(contains(r.body, "SLA-Kennzahlen der Schule"));
        CHECK(contains(r.body, "Offene Tickets ("));
        CHECK(contains(r.body, "Neueste Tickets"));
    }
    // Linked from the list of schools, which the help desk reaches from the navigation.
    const auto list = s.dispatcher.get("/schulen");
    REQUIRE(list.status == 200);
    CHECK(contains(list.body, "href=\"/schulen\""));
    CHECK(contains(list.body, "href=\"/schulen/" + s.school + "\""));
    CHECK(contains(list.body, "href=\"/schulen/" + s.other_school + "\""));
    // A manager's list holds their schools only.
    const auto own = s.manager.get("/schulen");
    REQUIRE(own.status == 200);
    CHECK(contains(own.body, "href=\"/schulen/" + s.school + "\""));
    CHECK_FALSE(contains(own.body, "href=\"/schulen/" + s.other_school + "\""));
}

TEST_CASE("who may not open a school page gets 404", "[equipment]") {
    scene s;
    const std::vector<std::pair<client*, std::string>> refused{
        {&s.other_manager, "/schulen/" + s.school},  // another manager's school
        {&s.teacher, "/schulen/" + s.school},        // teachers see no school page, not even their own
        {&s.teacher, "/schulen"},
        {&s.teacher, "/schulen/aehnliche"},
        {&s.manager, "/schulen/aehnliche"},          // the comparison is the city's view
        {&s.manager, "/schulen/aehnliche.csv"},
        {&s.dispatcher, "/schulen/999999"},          // no such school
        {&s.dispatcher, "/schulen/" + s.school + "/x"},
        {&s.dispatcher, "/schulen/aehnliche.pdf"},
    };
    for (const auto& [c, path] : refused) {
        INFO(path);
        CHECK(c->get(path).status == 404);
    }
    client anonymous{s.server.port()};
    CHECK(anonymous.get("/schulen/" + s.school).status == 303);
}

TEST_CASE("similar schools: the page, k, and the CSV and XLSX downloads", "[equipment]") {
    scene s;
    const auto page = s.dispatcher.get("/schulen/aehnliche");
    REQUIRE(page.status == 200);
    CHECK(contains(page.body, "So wird verglichen"));
    CHECK(contains(page.body, "Die 5 ähnlichsten Schulen je Schule"));
    CHECK(contains(page.body, "href=\"/schulen/" + s.school + "\""));
    const auto three = s.admin.get("/schulen/aehnliche?k=3");
    REQUIRE(three.status == 200);
    CHECK(contains(three.body, "Die 3 ähnlichsten Schulen je Schule"));

    for (const std::string bad : {"abc", "0", "-1", "51", "2.5", "3x", "%20"}) {
        INFO(bad);
        const auto r = s.dispatcher.get("/schulen/aehnliche?k=" + bad);
        CHECK(r.status == 400);
        CHECK(contains(r.body, "bitte eine ganze Zahl von 1 bis 50"));
        CHECK(s.dispatcher.get("/schulen/aehnliche.csv?k=" + bad).status == 400);
    }

    const auto csv = s.dispatcher.get("/schulen/aehnliche.csv?k=2");
    REQUIRE(csv.status == 200);
    CHECK(csv.headers.at("content-type") == "text/csv; charset=utf-8");
    CHECK(contains(csv.headers.at("content-disposition"), "attachment"));
    CHECK(csv.body.starts_with("\xEF\xBB\xBFSchulnummer;Schule;Geräte;Rang;"));
    // Two lines per school with devices (k = 2), CRLF.
    CHECK(contains(csv.body, "\r\n" + s.school + ";"));
    CHECK(contains(csv.body, ";1;"));
    CHECK(contains(csv.body, ";2;"));
    CHECK_FALSE(contains(csv.body, ";3;"));

    const auto xlsx = s.dispatcher.get("/schulen/aehnliche.xlsx");
    REQUIRE(xlsx.status == 200);
    CHECK(xlsx.headers.at("content-type") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    CHECK(xlsx.body.starts_with("PK"));
}

TEST_CASE("the monthly report gains tickets per device kind and per 100 devices per school", "[equipment][report]") {
    scene s;
    // The demo's tickets are of the last 60 days: this month has some.
    const auto month = to_string(month_of(now_ms(), date::locate_zone("Europe/Berlin")));
    const auto csv = s.dispatcher.get("/api/v1/reports/devices?month=" + month + "&sep=semicolon");
    INFO(csv.body.substr(0, 300));
    REQUIRE(csv.status == 200);
    CHECK(csv.headers.at("content-type") == "text/csv; charset=utf-8");
    CHECK(contains(csv.headers.at("content-disposition"), "geraete-" + month + ".csv"));
    CHECK(csv.body.starts_with("\xEF\xBB\xBFgroup;key;label;devices;tickets;per_100\r\n"));
    CHECK(contains(csv.body, "\r\nkind;ipad;iPad;"));
    CHECK(contains(csv.body, "\r\nschool;" + s.school + ";"));
    CHECK_FALSE(contains(csv.body, "E-"));  // rates as decimals, never in exponent notation

    const auto doc = s.dispatcher.get("/api/v1/reports/sla?month=" + month).json();
    const auto& devices = doc.at("devices");
    CHECK_FALSE(devices.at("per_kind").as_array().empty());
    // Per school, the tickets are the report's own per-school count.
    for (const auto& row : devices.at("per_school").as_array())
        for (const auto& group : doc.at("summary").at("per_school").as_array())
            if (group.at("school_number") == row.at("school_number")) CHECK(row.at("tickets") == group.at("tickets"));

    const auto page = s.dispatcher.get("/reports/sla?month=" + month);
    REQUIRE(page.status == 200);
    CHECK(contains(page.body, "Tickets je 100 Geräte je Schule"));
    CHECK(contains(page.body, "href=\"/schulen/"));

    CHECK(s.manager.get("/api/v1/reports/devices?month=" + month).status == 403);
    CHECK(s.dispatcher.get("/api/v1/reports/devices?month=2026-13").status == 422);
    CHECK(s.dispatcher.get("/api/v1/reports/devices").status == 422);
    CHECK(s.dispatcher.get("/api/v1/reports/devices?month=" + month + "&sep=tab").status == 422);
}
