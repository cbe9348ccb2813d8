// Issue 14's findings on identity: staff filing for any school, login throttling, sessions and tokens, cookies and
// the security log. Each section reproduces a finding on the real binary over loopback.
#include "tests/server/test_server.hpp"

#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

#include <chrono>
#include <thread>

using namespace campusdesk::testing;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {

json::object ticket_for(const std::string& school) {
    return {{"school_number", school}, {"category", "network"}, {"priority", "high"},
            {"title", "WLAN im Lehrerzimmer ausgefallen"}, {"description", "Anruf der Schulleitung."},
            {"room", "Lehrerzimmer"}, {"asset_tag", ""}};
}

// A school whose campus manager is not `manager_id`.
std::string school_not_of(client& c, std::int64_t manager_id) {
    const auto schools = c.get("/api/v1/schools").json();
    for (const auto& s : schools.as_array())
        if (s.at("manager_id").as_int64() != manager_id) return std::string(s.at("number").as_string());
    return {};
}

std::int64_t metric(client& c, const std::string& line_start) {
    const auto body = c.get("/metrics").body;
    const auto at = body.find("\n" + line_start + " ");
    if (at == std::string::npos) return -1;
    return std::stoll(body.substr(at + line_start.size() + 2));
}

// Logs in through the login page, as a browser does (which remembers the browser as a known device).
response page_login(client& c, const std::string& login, const std::string& password = "demo") {
    const auto form = c.get("/login");
    const auto at = form.body.find("name=\"csrf\" value=\"");
    if (at == std::string::npos) return form;
    return c.post_form("/login", {{"csrf", form.body.substr(at + 19, 64)}, {"login", login}, {"password", password}});
}

// Moves a user's sessions and tokens back in time in the database file, as if `ms` had passed.
void age_credentials(const std::filesystem::path& data, const std::string& login, std::int64_t ms) {
    SQLite::Database db((data / "campusdesk.db").string(), SQLite::OPEN_READWRITE);
    db.setBusyTimeout(5000);
    for (const char* sql :
         {"UPDATE sessions SET created_at = created_at - ?1, last_seen_at = last_seen_at - ?1, expires_at = expires_at - ?1 "
          "WHERE user_id = (SELECT id FROM users WHERE login = ?2)",
          "UPDATE api_tokens SET created_at = created_at - ?1, expires_at = expires_at - ?1 "
          "WHERE user_id = (SELECT id FROM users WHERE login = ?2)"}) {
        SQLite::Statement s(db, sql);
        s.bind(1, static_cast<std::int64_t>(ms));
        s.bind(2, login);
        s.exec();
    }
}

} // namespace

TEST_CASE("staff file for any school and see what they filed; the server survives", "[server][security]") {
    temp_dir data;
    server_process server(data.path);
    client manager(server.port());
    REQUIRE(manager.login("manager01").status == 200);
    const auto me_response = manager.get("/api/v1/me");
    INFO(me_response.body);
    REQUIRE(me_response.status == 200);
    const auto me = me_response.json();
    const auto school = school_not_of(manager, me.at("manager_id").as_int64());
    REQUIRE_FALSE(school.empty());
    // Before the fix the first create answered 500 and the second killed the process.
    for (int i = 0; i < 3; ++i) {
        auto r = manager.post_json("/api/v1/tickets", ticket_for(school));
        INFO(r.body.substr(0, 300));
        REQUIRE(r.status == 201);
        const std::string number(r.json().at("number").as_string());
        CHECK(r.json().at("requester").at("id").as_int64() == me.at("id").as_int64());
        CHECK(manager.get("/api/v1/tickets/" + number).status == 200);
        bool listed = false;
        const auto list = manager.get("/api/v1/tickets?limit=200&sort=created").json();
        for (const auto& t : list.at("tickets").as_array())
            listed = listed || t.at("number").as_string() == number;
        CHECK(listed);
    }
    CHECK(client(server.port()).get("/healthz").status == 200);
    CHECK(metric(manager, "campusdesk_responses_5xx_total") == 0);
}

TEST_CASE("teachers do not get the campus managers' logins", "[server][security]") {
    temp_dir data;
    server_process server(data.path);
    client dispatcher(server.port()), teacher(server.port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    const auto schools = dispatcher.get("/api/v1/schools").json();
    REQUIRE(teacher.login("teacher-" + std::string(schools.as_array().at(0).at("number").as_string())).status == 200);
    const auto for_staff = dispatcher.get("/api/v1/managers").json();
    const auto for_teacher = teacher.get("/api/v1/managers").json();
    REQUIRE(for_teacher.as_array().size() == for_staff.as_array().size());
    CHECK(for_staff.as_array().at(0).at("login").as_string().starts_with("manager"));
    for (const auto& m : for_teacher.as_array()) {
        CHECK(m.at("login").is_null());
        CHECK_FALSE(m.at("name").as_string().empty());
    }
}

TEST_CASE("wrong passwords slow an attacker but never lock the owner out", "[server][security][login]") {
    temp_dir data;
    server_process server(data.path);
    client owner(server.port());
    REQUIRE(page_login(owner, "manager02").status == 303);  // the owner's iPad becomes a known device
    REQUIRE(owner.cookies.count("cd_device") == 1);
    owner.cookies.erase("cd_session");

    client attacker(server.port());
    std::map<unsigned, int> answers;
    for (int i = 0; i < 12; ++i) ++answers[attacker.login("manager02", fmt::format("guess{}", i)).status];
    CHECK(answers[401] == 6);
    CHECK(answers[429] == 6);

    SECTION("the right password from the owner's known browser works at once") {
        CHECK(page_login(owner, "manager02").status == 303);
        CHECK(owner.get("/api/v1/me").status == 200);
    }
    SECTION("a script's API login sets no device cookie and gets no such pass") {
        client script(server.port());
        auto r = script.login("manager02");
        CHECK(r.status == 429);
        CHECK(script.cookies.count("cd_device") == 0);
    }
    SECTION("the right password from a new browser waits, then works: no 15-minute lock-out") {
        client new_ipad(server.port());
        auto r = new_ipad.login("manager02");
        CHECK(r.status == 429);
        REQUIRE(r.headers.count("retry-after") == 1);
        const int wait = std::stoi(r.headers["retry-after"]);
        CHECK(wait >= 1);
        CHECK(wait <= 2);
        std::this_thread::sleep_for(std::chrono::seconds(wait) + std::chrono::milliseconds(100));
        CHECK(new_ipad.login("manager02").status == 200);
    }
}

TEST_CASE("one address trying many logins is slowed down", "[server][security][login]") {
    temp_dir data;
    const auto config = write_config(data.path, {{"login", "free_failures_per_address = 8"}});
    server_process server(data.path / "db", {"--demo", "--config", config.string()});
    client sprayer(server.port());
    std::map<unsigned, int> answers;
    for (int i = 0; i < 20; ++i) ++answers[sprayer.login(fmt::format("teacher-9{:05}", i), "Sommer2026").status];
    CHECK(answers[401] == 9);
    CHECK(answers[429] == 11);
    // The security log counts both.
    client admin(server.port());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    CHECK(metric(admin, "campusdesk_security_events_total{event=\"login_failed\"}") == 9);
    CHECK(metric(admin, "campusdesk_security_events_total{event=\"login_throttled\"}") >= 11);
}

TEST_CASE("a password change ends every session and token; users list and revoke their own", "[server][security][session]") {
    temp_dir data;
    server_process server(data.path);
    client browser(server.port());
    REQUIRE(browser.login("dispatch1").status == 200);
    auto token = run_campusdesk({"user", "token", "dispatch1", "--data", data.path.string(), "--label", "Monatsexport"});
    REQUIRE(token.status == 0);
    const std::string bearer = "Bearer " + token.out.substr(0, token.out.find('\n'));
    auto with_token = [&] {
        return client(server.port()).request(verb::get, "/api/v1/me", "", "", {{"Authorization", bearer}}).status;
    };
    CHECK(with_token() == 200);
    CHECK(browser.get("/api/v1/me").status == 200);

    SECTION("user sessions lists both; revoke --id ends the token alone") {
        auto listed = run_campusdesk({"user", "sessions", "dispatch1", "--data", data.path.string()});
        REQUIRE(listed.status == 0);
        CHECK(listed.out.find("session") != std::string::npos);
        const auto token_line = listed.out.find("Monatsexport");
        REQUIRE(token_line != std::string::npos);
        const auto line_start = listed.out.rfind('\n', token_line) + 1;
        const std::string id = listed.out.substr(line_start, 12);
        CHECK(run_campusdesk({"user", "revoke", "dispatch1", "--data", data.path.string(), "--id", id}).status == 0);
        CHECK(with_token() == 401);
        CHECK(browser.get("/api/v1/me").status == 200);
        CHECK(run_campusdesk({"user", "revoke", "dispatch1", "--data", data.path.string(), "--id", id}).status == 1);
        CHECK(run_campusdesk({"user", "revoke", "dispatch1", "--data", data.path.string()}).status == 2);
    }
    SECTION("user passwd ends them all") {
        auto r = run_campusdesk({"user", "passwd", "dispatch1", "--data", data.path.string(), "--password-stdin"},
                                "ein langer Satz als neues Kennwort\n");
        INFO(r.err);
        REQUIRE(r.status == 0);
        CHECK(with_token() == 401);
        CHECK(browser.get("/api/v1/me").status == 401);
        CHECK(client(server.port()).login("dispatch1", "ein langer Satz als neues Kennwort").status == 200);
    }
    SECTION("on the account page: end another session, then change the password keeping this one") {
        client other_browser(server.port());
        REQUIRE(other_browser.login("dispatch1").status == 200);
        auto page = browser.get("/account");
        REQUIRE(page.status == 200);
        CHECK(page.body.find("(dieses Gerät)") != std::string::npos);
        CHECK(page.body.find("API-Schlüssel: Monatsexport") != std::string::npos);
        CHECK(browser.post_form("/account/revoke", {{"id", "others"}}).status == 403);  // no CSRF token
        auto revoked = browser.post_form("/account/revoke", {{"csrf", browser.csrf}, {"id", "others"}});
        CHECK(revoked.status == 200);
        CHECK(other_browser.get("/api/v1/me").status == 401);
        CHECK(with_token() == 401);
        CHECK(browser.get("/api/v1/me").status == 200);

        REQUIRE(other_browser.login("dispatch1").status == 200);
        auto wrong = browser.post_form("/account/password", {{"csrf", browser.csrf}, {"current", "falsch"},
                                                             {"new", "Fahrradständer am Hintereingang"},
                                                             {"repeat", "Fahrradständer am Hintereingang"}});
        CHECK(wrong.status == 422);
        CHECK(wrong.body.find("bisherige Passwort ist falsch") != std::string::npos);
        auto common = browser.post_form("/account/password", {{"csrf", browser.csrf}, {"current", "demo"},
                                                              {"new", "password"}, {"repeat", "password"}});
        CHECK(common.status == 422);
        auto changed = browser.post_form("/account/password", {{"csrf", browser.csrf}, {"current", "demo"},
                                                               {"new", "Fahrradständer am Hintereingang"},
                                                               {"repeat", "Fahrradständer am Hintereingang"}});
        CHECK(changed.status == 200);
        CHECK(changed.body.find("Das Passwort ist geändert") != std::string::npos);
        CHECK(browser.get("/api/v1/me").status == 200);
        CHECK(other_browser.get("/api/v1/me").status == 401);
        CHECK(client(server.port()).login("dispatch1", "demo").status == 401);
        CHECK(client(server.port()).login("dispatch1", "Fahrradständer am Hintereingang").status == 200);
    }
}

TEST_CASE("sessions end when idle or too old, tokens when expired", "[server][security][session]") {
    temp_dir data;
    server_process server(data.path);
    client teacher(server.port()), staff(server.port());
    const auto schools = teacher.get("/api/v1/schools");  // unauthenticated: 401, just to have a number below
    CHECK(schools.status == 401);
    REQUIRE(staff.login("manager04").status == 200);
    const std::string school(staff.get("/api/v1/schools").json().as_array().at(0).at("number").as_string());
    REQUIRE(teacher.login("teacher-" + school).status == 200);
    auto token = run_campusdesk({"user", "token", "manager04", "--data", data.path.string(), "--days", "2"});
    REQUIRE(token.status == 0);
    const std::string bearer = "Bearer " + token.out.substr(0, token.out.find('\n'));
    auto token_status = [&] {
        return client(server.port()).request(verb::get, "/api/v1/me", "", "", {{"Authorization", bearer}}).status;
    };
    const std::int64_t minute = 60 * 1000;
    // 31 minutes idle: the teacher is out (30 min), staff still in (4 h).
    age_credentials(data.path, "teacher-" + school, 31 * minute);
    age_credentials(data.path, "manager04", 31 * minute);
    CHECK(teacher.get("/api/v1/me").status == 401);
    CHECK(staff.get("/api/v1/me").status == 200);
    CHECK(token_status() == 200);
    // Those requests record their use on the writer without waiting for it; let that land before aging again.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // Staff idle for four hours: out.
    age_credentials(data.path, "manager04", 4 * 60 * minute);
    CHECK(staff.get("/api/v1/me").status == 401);
    // The token, made for two days, has expired after two.
    age_credentials(data.path, "manager04", 2 * 24 * 60 * minute - 4 * 60 * minute - 31 * minute);
    CHECK(token_status() == 401);
}

TEST_CASE("behind HTTPS cookies are __Host- and Secure with HSTS; two session cookies are refused", "[server][security][cookies]") {
    temp_dir data;
    const auto config = write_config(data.path, {{"server", "public_url = \"https://helpdesk.example.de\""}});
    server_process server(data.path / "db", {"--demo", "--config", config.string()});
    client c(server.port());
    auto r = c.login("dispatch2");
    REQUIRE(r.status == 200);
    const auto cookie = r.headers["set-cookie"];
    CHECK(cookie.starts_with("__Host-cd_session="));
    CHECK(cookie.find("; Secure") != std::string::npos);
    CHECK(cookie.find("Path=/;") != std::string::npos);
    CHECK(cookie.find("Domain") == std::string::npos);
    CHECK(c.cookies.count("__Host-cd_session") == 1);
    CHECK(c.cookies.count("__Host-cd_device") == 0);  // API logins remember no device
    client browser(server.port());
    CHECK(page_login(browser, "dispatch1").status == 303);
    CHECK(browser.cookies.count("__Host-cd_device") == 1);
    CHECK(browser.cookies.count("__Host-cd_login") == 1);
    auto me = c.get("/api/v1/me");
    CHECK(me.status == 200);
    CHECK(me.headers["strict-transport-security"] == "max-age=31536000");
    CHECK(c.get("/login").headers["set-cookie"].starts_with("__Host-cd_login="));

    const std::string session = c.cookies["__Host-cd_session"];
    client twice(server.port());
    auto both = twice.request(verb::get, "/api/v1/me", "", "",
                              {{"Cookie", "__Host-cd_session=" + session + "; __Host-cd_session=tossed-by-a-sibling"}});
    CHECK(both.status == 400);
    CHECK(both.error_code() == "ambiguous_session");
    auto page = twice.request(verb::get, "/queue", "", "",
                              {{"Cookie", "__Host-cd_session=tossed; __Host-cd_session=" + session}});
    CHECK(page.status == 400);
    SECTION("without https the plain names are used and no HSTS is sent") {
        temp_dir plain_data;
        server_process plain(plain_data.path);
        client p(plain.port());
        auto login = p.login("dispatch2");
        CHECK(login.headers["set-cookie"].starts_with("cd_session="));
        CHECK(login.headers["set-cookie"].find("Secure") == std::string::npos);
        CHECK(p.get("/api/v1/me").headers.count("strict-transport-security") == 0);
    }
}

TEST_CASE("a trusted proxy's X-Forwarded-For names the client for the throttle", "[server][security][login]") {
    temp_dir data;
    const auto config = write_config(data.path, {{"server", "trusted_proxies = [\"127.0.0.1\"]"},
                                                 {"login", "free_failures_per_address = 2\nfree_failures_per_login = 100"}});
    server_process server(data.path / "db", {"--demo", "--config", config.string()});
    auto attempt = [&](const std::string& forwarded, const std::string& login) {
        return client(server.port())
            .request(verb::post, "/api/v1/session", json::serialize(json::object{{"login", login}, {"password", "x"}}),
                     "application/json", {{"X-Forwarded-For", forwarded}})
            .status;
    };
    for (int i = 0; i < 3; ++i) CHECK(attempt("203.0.113.9", fmt::format("nobody{}", i)) == 401);
    CHECK(attempt("203.0.113.9", "nobody9") == 429);
    // Another school's address, and a spoofed entry before the real client, are counted apart.
    CHECK(attempt("198.51.100.7", "nobody10") == 401);
    CHECK(attempt("203.0.113.9, 198.51.100.7", "nobody11") == 401);
}
