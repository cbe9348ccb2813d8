#include "tests/server/test_server.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <set>
#include <thread>

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

struct school_pick {
    std::string number;
    std::int64_t manager_id;
};

// The first school of each of `count` different campus managers.
std::vector<school_pick> schools_of_different_managers(client& c, std::size_t count) {
    auto schools = c.get("/api/v1/schools").json().as_array();
    std::vector<school_pick> picks;
    std::set<std::int64_t> seen;
    for (const auto& s : schools) {
        auto manager = s.at("manager_id").as_int64();
        if (seen.insert(manager).second) picks.push_back({std::string(s.at("number").as_string()), manager});
        if (picks.size() == count) break;
    }
    return picks;
}

std::string manager_login(client& c, std::int64_t manager_id) {
    auto r = c.get("/api/v1/managers");
    INFO(r.status << " " << r.body.substr(0, 300));
    REQUIRE(r.status == 200);
    const auto managers = r.json();
    for (const auto& m : managers.as_array())
        if (m.at("id").as_int64() == manager_id) return std::string(m.at("login").as_string());
    return {};
}

json::object valid_ticket(const std::string& school) {
    return {{"school_number", school}, {"category", "presentation"}, {"priority", "high"},
            {"title", "Beamer zeigt kein Bild"}, {"description", "Seit heute früh."}, {"room", "B 1.12"},
            {"asset_tag", "DO-BM-0042"}};
}

bool list_contains(const json::value& list, const std::string& number) {
    for (const auto& t : list.at("tickets").as_array())
        if (t.at("number").as_string() == number) return true;
    return false;
}

std::int64_t ticket_total(client& admin) {
    std::int64_t n = 0;
    std::string cursor;
    for (;;) {
        auto page = admin.get("/api/v1/tickets?limit=200" + (cursor.empty() ? "" : "&cursor=" + cursor)).json();
        n += static_cast<std::int64_t>(page.at("tickets").as_array().size());
        if (page.at("next_cursor").is_null()) return n;
        cursor = std::string(page.at("next_cursor").as_string());
    }
}

} // namespace

TEST_CASE("a teacher's ticket reaches their school's manager and nobody else", "[server][tickets]") {
    temp_dir data;
    server_process server(data.path);
    client admin(server.port());
    REQUIRE(admin.login("admin").status == 200);
    const auto picks = schools_of_different_managers(admin, 3);
    REQUIRE(picks.size() == 3);

    std::vector<std::string> numbers;
    for (const auto& pick : picks) {
        client teacher(server.port());
        REQUIRE(teacher.login("teacher-" + pick.number).status == 200);
        auto created = teacher.post_json("/api/v1/tickets", valid_ticket(pick.number));
        REQUIRE(created.status == 201);
        auto t = created.json();
        const std::string number(t.at("number").as_string());
        CHECK(number.starts_with("CD-20"));
        CHECK(t.at("status").as_string() == "new");
        CHECK(t.at("assignee").at("id").as_int64() == pick.manager_id);
        CHECK(t.at("school_number").as_string() == pick.number);
        CHECK(t.at("sla").at("first_response").at("target_minutes").as_int64() == 240);
        CHECK(t.at("events").as_array().size() == 1);
        CHECK(created.headers["location"] == "/api/v1/tickets/" + number);
        numbers.push_back(number);
        // The teacher sees their own ticket.
        CHECK(teacher.get("/api/v1/tickets/" + number).status == 200);
        CHECK(list_contains(teacher.get("/api/v1/tickets").json(), number));
    }

    for (std::size_t i = 0; i < picks.size(); ++i) {
        client manager(server.port());
        REQUIRE(manager.login(manager_login(admin, picks[i].manager_id)).status == 200);
        auto mine = manager.get("/api/v1/tickets?assignee=me&limit=200&sort=created").json();
        for (std::size_t j = 0; j < picks.size(); ++j) {
            INFO("manager " << i << " ticket " << j);
            CHECK(list_contains(mine, numbers[j]) == (i == j));
            CHECK(manager.get("/api/v1/tickets/" + numbers[j]).status == (i == j ? 200u : 404u));
        }
        // Another school's teacher: 404 for the ticket, not in their list.
        client other_teacher(server.port());
        REQUIRE(other_teacher.login("teacher-" + picks[(i + 1) % 3].number).status == 200);
        auto r = other_teacher.get("/api/v1/tickets/" + numbers[i]);
        CHECK(r.status == 404);
        CHECK(r.error_code() == "not_found");
        CHECK_FALSE(list_contains(other_teacher.get("/api/v1/tickets").json(), numbers[i]));
    }

    client dispatcher(server.port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    for (const auto& n : numbers) CHECK(dispatcher.get("/api/v1/tickets/" + n).status == 200);
}

TEST_CASE("login, me and logout", "[server][session]") {
    temp_dir data;
    server_process server(data.path);
    client c(server.port());
    SECTION("wrong password is 401 and no cookie") {
        auto r = c.login("admin", "wrong");
        CHECK(r.status == 401);
        CHECK(r.error_code() == "invalid_credentials");
        CHECK(c.get("/api/v1/me").status == 401);
    }
    SECTION("unknown login is 401 as well") { CHECK(c.login("nobody", "demo").status == 401); }
    SECTION("a session cookie is HttpOnly and SameSite, me shows the user, logout ends it") {
        auto r = c.login("manager03");
        REQUIRE(r.status == 200);
        CHECK(r.headers["set-cookie"].find("HttpOnly") != std::string::npos);
        CHECK(r.headers["set-cookie"].find("SameSite=Lax") != std::string::npos);
        auto me = c.get("/api/v1/me").json();
        CHECK(me.at("login").as_string() == "manager03");
        CHECK(me.at("role").as_string() == "campus_manager");
        CHECK(me.at("manager_id").as_int64() > 0);
        CHECK(me.at("school_number").is_null());
        auto saved_cookies = c.cookies;
        CHECK(c.request(boost::beast::http::verb::delete_, "/api/v1/session", "", "", {{"X-CSRF-Token", c.csrf}}).status == 200);
        c.cookies = saved_cookies;  // replaying the old cookie must not work
        CHECK(c.get("/api/v1/me").status == 401);
    }
    SECTION("failed logins slow the next attempt with 429 and Retry-After, without locking the account") {
        std::map<unsigned, int> answers;
        for (int i = 0; i < 10; ++i) ++answers[c.login("dispatch2", "wrong").status];
        CHECK(answers[401] == 6);  // five free failures, then one a second at first
        CHECK(answers[429] == 4);
        auto r = c.login("dispatch2", "demo");
        CHECK(r.status == 429);
        CHECK(r.headers["retry-after"] == "1");
        std::this_thread::sleep_for(std::chrono::milliseconds(1100));
        CHECK(c.login("dispatch2", "demo").status == 200);
    }
}

TEST_CASE("bad input gets a clear 4xx and never a half-written ticket", "[server][refusals]") {
    temp_dir data;
    server_process server(data.path);
    client admin(server.port());
    REQUIRE(admin.login("admin").status == 200);
    const auto school = schools_of_different_managers(admin, 1).front().number;
    client teacher(server.port());
    REQUIRE(teacher.login("teacher-" + school).status == 200);
    const auto before = ticket_total(admin);

    SECTION("not logged in: 401") {
        client anonymous(server.port());
        auto r = anonymous.post_json("/api/v1/tickets", valid_ticket(school));
        CHECK(r.status == 401);
        CHECK(r.error_code() == "unauthenticated");
    }
    SECTION("missing or wrong CSRF token: 403 csrf") {
        auto r = teacher.request(boost::beast::http::verb::post, "/api/v1/tickets",
                                 json::serialize(valid_ticket(school)), "application/json");
        CHECK(r.status == 403);
        CHECK(r.error_code() == "csrf");
        r = teacher.request(boost::beast::http::verb::post, "/api/v1/tickets", json::serialize(valid_ticket(school)),
                            "application/json", {{"X-CSRF-Token", "0000"}});
        CHECK(r.status == 403);
    }
    SECTION("wrong content type: 415") {
        auto r = teacher.request(boost::beast::http::verb::post, "/api/v1/tickets", "title=x", "text/plain",
                                 {{"X-CSRF-Token", teacher.csrf}});
        CHECK(r.status == 415);
    }
    SECTION("malformed JSON: 400") {
        for (std::string body : {"{\"title\": ", "[1,2]", "", "\xff\xfe"}) {
            auto r = teacher.request(boost::beast::http::verb::post, "/api/v1/tickets", body, "application/json",
                                     {{"X-CSRF-Token", teacher.csrf}});
            CHECK(r.status == 400);
            CHECK(r.error_code() == "malformed_json");
        }
    }
    SECTION("invalid values: 422 naming the field") {
        struct bad_case {
            const char* field;
            json::value value;
        };
        auto text = [](std::size_t n) { return json::value(json::string(n, 'x')); };
        const std::vector<bad_case> cases{{"category", "toaster"},
                                          {"priority", "urgent"},
                                          {"title", ""},
                                          {"title", text(201)},
                                          {"description", text(10001)},
                                          {"room", text(41)},
                                          {"asset_tag", text(41)},
                                          {"title", 42},
                                          {"school_number", "000000"}};
        for (const auto& c : cases) {
            auto body = valid_ticket(school);
            body[c.field] = c.value;
            auto r = teacher.post_json("/api/v1/tickets", body);
            INFO(c.field << " = " << json::serialize(c.value));
            CHECK(r.status == 422);
            CHECK(r.json().at("error").at("field").as_string() == c.field);
        }
    }
    SECTION("a teacher may not file for another school") {
        auto other = schools_of_different_managers(admin, 2).back().number;
        auto r = teacher.post_json("/api/v1/tickets", valid_ticket(other));
        CHECK(r.status == 422);
        CHECK(r.error_code() == "not_your_school");
    }
    SECTION("a 12 MB body gets 413 without being read") {
        std::string huge(12 * 1024 * 1024, 'x');
        auto r = teacher.request(boost::beast::http::verb::post, "/api/v1/tickets", huge, "application/json",
                                 {{"X-CSRF-Token", teacher.csrf}});
        CHECK(r.status == 413);
    }
    SECTION("bad list parameters: 422") {
        for (std::string q : {"limit=500", "limit=0", "sort=best", "status=lost", "priority=x", "cursor=abc",
                              "breached=yes"}) {
            INFO(q);
            CHECK(teacher.get("/api/v1/tickets?" + q).status == 422);
        }
    }
    SECTION("unknown ticket numbers and garbage paths: 404") {
        CHECK(teacher.get("/api/v1/tickets/CD-2026-999999").status == 404);
        CHECK(teacher.get("/api/v1/tickets/../../etc/passwd").status == 404);
        CHECK(teacher.get("/api/v1/nothing").status == 404);
    }
    SECTION("encoded slashes in the /api/v1/ prefix: 404, and the server lives on") {
        // The router matches the decoded path, where "/api%2Fv1%2Fme" is one segment, not three (found by fuzzing).
        for (std::string target : {"/api%2Fv1%2Fme", "/api%2Fv1%2F", "/api%2fv1/me", "/api/v1%2F"}) {
            INFO(target);
            CHECK(teacher.get(target).status == 404);
        }
        CHECK(teacher.get("/api/v1/me").status == 200);
    }
    CHECK(ticket_total(admin) == before);
    CHECK(admin.get("/metrics").body.find("campusdesk_responses_5xx_total 0") != std::string::npos);
}

TEST_CASE("the teacher's form files a ticket and shows its number", "[server][pages]") {
    temp_dir data;
    server_process server(data.path);
    client browser(server.port());
    // Not logged in: pages send you to the login form.
    auto start = browser.get("/tickets/new");
    CHECK(start.status == 303);
    CHECK(start.headers["location"] == "/login");
    auto form = browser.get("/login");
    REQUIRE(form.status == 200);
    const auto token_at = form.body.find("name=\"csrf\" value=\"");
    REQUIRE(token_at != std::string::npos);
    const auto login_csrf = form.body.substr(token_at + 19, 64);

    client admin(server.port());
    REQUIRE(admin.login("admin").status == 200);
    const auto school = schools_of_different_managers(admin, 1).front().number;

    SECTION("login without the form's token is refused") {
        browser.cookies.clear();
        auto r = browser.post_form("/login", {{"login", "teacher-" + school}, {"password", "demo"}, {"csrf", login_csrf}});
        CHECK(r.status == 403);
    }
    SECTION("wrong password shows a German message") {
        auto r = browser.post_form("/login", {{"login", "teacher-" + school}, {"password", "nein"}, {"csrf", login_csrf}});
        CHECK(r.status == 401);
        CHECK(r.body.find("Benutzername oder Passwort ist falsch") != std::string::npos);
    }
    SECTION("login, form, confirmation, Meine Tickets") {
        auto r = browser.post_form("/login", {{"login", "teacher-" + school}, {"password", "demo"}, {"csrf", login_csrf}});
        REQUIRE(r.status == 303);
        auto page = browser.get("/tickets/new");
        REQUIRE(page.status == 200);
        CHECK(page.body.find("Störung melden") != std::string::npos);
        CHECK(page.body.find("lang=\"de\"") != std::string::npos);
        const auto at = page.body.find("name=\"csrf\" value=\"");
        const auto csrf = page.body.substr(at + 19, 64);

        // Invalid: the form comes back with the message next to the field and the values kept.
        auto invalid = browser.post_form("/tickets", {{"csrf", csrf}, {"category", ""}, {"priority", "normal"},
                                                      {"title", "<script>alert(1)</script>"}, {"room", "A 1"}});
        CHECK(invalid.status == 422);
        CHECK(invalid.body.find("Bitte eine Kategorie auswählen.") != std::string::npos);
        CHECK(invalid.body.find("<script>alert(1)</script>") == std::string::npos);
        CHECK(invalid.body.find("&lt;script&gt;") != std::string::npos);

        auto missing_csrf = browser.post_form("/tickets", {{"category", "printer"}, {"priority", "normal"},
                                                           {"title", "Drucker"}});
        CHECK(missing_csrf.status == 403);

        auto ok = browser.post_form("/tickets", {{"csrf", csrf}, {"category", "printer"}, {"priority", "normal"},
                                                 {"title", "Drucker im Lehrerzimmer"}, {"room", "Lehrerzimmer"},
                                                 {"description", "Papierstau"}, {"asset_tag", ""}});
        REQUIRE(ok.status == 303);
        const auto location = ok.headers["location"];
        CHECK(location.starts_with("/tickets/CD-"));
        auto confirmation = browser.get(location);
        CHECK(confirmation.status == 200);
        const auto number = location.substr(9, location.find('?') - 9);
        CHECK(confirmation.body.find("Ihre Meldung ist eingegangen") != std::string::npos);
        CHECK(confirmation.body.find(number) != std::string::npos);
        auto mine = browser.get("/tickets");
        CHECK(mine.body.find(number) != std::string::npos);
        // Teachers have no queue.
        CHECK(browser.get("/queue").status == 404);
    }
}

TEST_CASE("tickets, users and sessions survive a restart", "[server][durability]") {
    temp_dir data;
    std::string number;
    client teacher(0);
    {
        server_process server(data.path);
        client admin(server.port());
        REQUIRE(admin.login("admin").status == 200);
        const auto school = schools_of_different_managers(admin, 1).front().number;
        teacher = client(server.port());
        REQUIRE(teacher.login("teacher-" + school).status == 200);
        auto r = teacher.post_json("/api/v1/tickets", valid_ticket(school));
        REQUIRE(r.status == 201);
        number = std::string(r.json().at("number").as_string());
        CHECK(server.stop() == 0);
    }
    server_process again(data.path);
    client same(again.port());
    same.cookies = teacher.cookies;
    same.csrf = teacher.csrf;
    auto r = same.get("/api/v1/tickets/" + number);
    CHECK(r.status == 200);
    // The demo loads only into an empty database: still the same number of demo tickets.
    CHECK(same.get("/api/v1/me").status == 200);
}

TEST_CASE("operations endpoints and the command line", "[server][ops]") {
    temp_dir data;
    server_process server(data.path);
    client c(server.port());
    CHECK(c.get("/healthz").status == 200);
    auto metrics = c.get("/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.body.find("campusdesk_requests_total") != std::string::npos);
    CHECK(run_campusdesk({"check-config", "--config", std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml"}).status == 0);
    CHECK(run_campusdesk({"serve", "--listen", "nonsense"}).status == 2);
    CHECK(run_campusdesk({"frobnicate"}).status == 2);
}
