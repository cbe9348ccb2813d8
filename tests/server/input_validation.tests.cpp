// Issue 14 (ASVS 5.0 L2), findings 9 and 10 over real HTTP and the real command line: bad input gets a clear 4xx,
// never a 5xx, and every path holds passwords to one rule.
#include "tests/server/test_server.hpp"

#include "server/accounts/credentials.hpp"
#include "server/accounts/password_quality.hpp"
#include "tests/server/ticket_helpers.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

const std::string config_file = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml";

std::string error_field(const response& r) {
    const auto v = r.json();
    const auto& f = v.at("error").at("field");
    return f.is_string() ? std::string(f.as_string()) : std::string();
}

std::string repeat(std::string_view piece, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += piece;
    return out;
}

// The login form's double-submit token (and its cookie in `browser`).
std::string login_form_token(client& browser) {
    auto form = browser.get("/login");
    REQUIRE(form.status == 200);
    const auto at = form.body.find("name=\"csrf\" value=\"");
    REQUIRE(at != std::string::npos);
    return form.body.substr(at + 19, 64);
}

command_result user_add(const std::filesystem::path& data, const std::string& login, const std::string& password) {
    return run_campusdesk({"user", "add", login, "--role", "dispatcher", "--name", "Test", "--password-stdin",
                           "--config", config_file, "--data", data.string()},
                          password + "\n");
}

} // namespace

TEST_CASE("a NUL or control character in the search text answers 422, not 503 from FTS5", "[server][validation][search]") {
    temp_dir data;
    server_process server(data.path);
    client dispatcher(server.port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    for (const char* q : {"a%00", "%00", "Beamer%1B%5B31m", "x%0Ay", "%FF"}) {
        INFO(q);
        auto r = dispatcher.get(std::string("/api/v1/tickets?q=") + q);
        CHECK(r.status == 422);
        CHECK(r.error_code() == "invalid_parameter");
        CHECK(error_field(r) == "q");
        auto page = dispatcher.get(std::string("/queue?q=") + q);
        CHECK(page.status == 422);
        CHECK(page.body.find("Der Suchtext enthält ungültige Zeichen") != std::string::npos);
    }
    auto long_text = dispatcher.get("/api/v1/tickets?q=" + repeat("x", 201));
    CHECK(long_text.status == 422);
    CHECK(error_field(long_text) == "q");
    // FTS5 syntax is searched for as text, never parsed.
    for (const char* q : {"%22", "NEAR(a%20b)", "a%20OR%20b", "*", "%5E", "B%3A1", "Beamer%22%20-x", "1.12",
                          "%C3%A4%C3%B6%C3%BC"}) {
        INFO(q);
        CHECK(dispatcher.get(std::string("/api/v1/tickets?q=") + q).status == 200);
        CHECK(dispatcher.get(std::string("/queue?q=") + q).status == 200);
    }
    CHECK(dispatcher.get("/api/v1/tickets?q=" + repeat("%C3%A4", 200)).status == 200);  // 200 characters
}

TEST_CASE("control characters in ticket texts, replies and notes are refused naming the field",
          "[server][validation][text]") {
    temp_dir data;
    server_process server(data.path);
    client admin(server.port());
    REQUIRE(admin.login("admin").status == 200);
    const auto school = find_manager(admin, "manager01").schools.front();
    client teacher(server.port());
    REQUIRE(teacher.login("teacher-" + school).status == 200);

    struct row {
        const char* field;
        std::string value;
    };
    for (const auto& r : std::vector<row>{{"title", std::string("Drucker\0kaputt", 14)},
                                          {"title", "Drucker\nkaputt"},
                                          {"description", "Farbe \x1b[31mrot"},
                                          {"description", std::string("a\0b", 3)},
                                          {"room", "B\t1.12"},
                                          {"asset_tag", "DO\x7f"}}) {
        auto draft = ticket_draft_json(school);
        draft[r.field] = r.value;
        auto res = teacher.post_json("/api/v1/tickets", draft);
        INFO(r.field << " " << res.body);
        CHECK(res.status == 422);
        CHECK(res.error_code() == "control_characters");
        CHECK(error_field(res) == r.field);
    }
    auto draft = ticket_draft_json(school);
    draft["description"] = "Seit heute:\r\n\t- kein Bild\r\n\t- kein Ton";
    auto created = teacher.post_json("/api/v1/tickets", draft);
    REQUIRE(created.status == 201);
    const auto number = number_of(created.json());
    CHECK(get_ticket(teacher, number).at("description").as_string() == "Seit heute:\r\n\t- kein Bild\r\n\t- kein Ton");

    auto reply = act(teacher, number, "replies", json::object{{"body", "Danke\x07"}});
    CHECK(reply.status == 422);
    CHECK(error_field(reply) == "body");
    client dispatcher(server.port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    auto note = act(dispatcher, number, "priority", json::object{{"priority", "high"}, {"note", std::string("dringend\0", 9)}});
    CHECK(note.status == 422);
    CHECK(error_field(note) == "note");
    CHECK(act(teacher, number, "replies", json::object{{"body", "Danke!\nGeht wieder."}}).status == 201);
}

TEST_CASE("absences with years like 0000 or 9999 are refused; the range is 2000 to five years ahead",
          "[server][validation][absence]") {
    temp_dir data;
    server_process server(data.path);
    client dispatcher(server.port());
    REQUIRE(dispatcher.login("dispatch1").status == 200);
    const auto m1 = find_manager(dispatcher, "manager01"), m2 = find_manager(dispatcher, "manager02");
    auto put = [&](const std::string& from, const std::string& to) {
        return dispatcher.request(boost::beast::http::verb::put, fmt::format("/api/v1/managers/{}/absence", m1.id),
                                  json::serialize(json::object{{"from", from}, {"to", to}, {"substitute_id", m2.id}}),
                                  "application/json", {{"X-CSRF-Token", dispatcher.csrf}});
    };
    struct row {
        std::string from, to;
        const char* field;
    };
    for (const auto& r : std::vector<row>{{"0000-01-01T00:00:00Z", iso_from_now(86400'000), "from"},
                                          {"1999-12-31T23:00:00Z", iso_from_now(86400'000), "from"},
                                          {iso_from_now(0), "9999-12-31T00:00:00Z", "to"},
                                          {iso_from_now(0), iso_from_now(6LL * 366 * 86400'000), "to"}}) {
        auto res = put(r.from, r.to);
        INFO(r.from << " – " << r.to << ": " << res.body);
        CHECK(res.status == 422);
        CHECK(res.error_code() == "out_of_range");
        CHECK(error_field(res) == r.field);
    }
    CHECK(put(iso_from_now(0), iso_from_now(4LL * 365 * 86400'000)).status == 200);

    auto form = [&](const std::string& from, const std::string& to) {
        return dispatcher.post_form("/dispatch/absences", {{"csrf", dispatcher.csrf},
                                                           {"manager_id", std::to_string(m1.id)},
                                                           {"substitute_id", std::to_string(m2.id)},
                                                           {"from", from},
                                                           {"to", to}});
    };
    auto r = form("0000-01-01", "2027-01-01");
    CHECK(r.status == 422);
    CHECK(r.body.find("Der Beginn darf nicht vor dem Jahr 2000 liegen.") != std::string::npos);
    r = form(iso_from_now(0).substr(0, 10), "9999-12-31");
    CHECK(r.status == 422);
    CHECK(r.body.find("höchstens fünf Jahre in der Zukunft") != std::string::npos);
}

TEST_CASE("passwords: one rule for the CLI, the login API and the login page", "[server][validation][password]") {
    temp_dir data;
    campusdesk::init_credentials();
    SECTION("the CLI refuses common, short (in characters) and overlong passwords") {
        struct row {
            const char* name;
            std::string password;
            const char* problem;
        };
        for (const auto& r : std::vector<row>{{"common", "password", "common_password"},
                                              {"digits", "12345678", "common_password"},
                                              {"German word", "Passwort1", "common_password"},
                                              {"7 characters in 14 bytes", "äöüäöüä", "too_short"},
                                              {"129 characters", repeat("Tafel ", 21) + "abc", "too_long"},
                                              {"over 1,024 bytes", repeat("Kreide ", 150), "too_long"},
                                              {"the login in it", "wer-ist-alice-heute", "contains_login"}}) {
            auto res = user_add(data.path, "alice", r.password);
            INFO(r.name << ": " << res.err);
            CHECK(res.status == 2);
            CHECK(res.err.find(r.problem) != std::string::npos);
        }
        auto passwd = run_campusdesk({"user", "passwd", "alice", "--password-stdin", "--config", config_file, "--data",
                                      data.path.string()},
                                     "12345678\n");
        CHECK(passwd.status == 2);
    }
    SECTION("a password of 128 characters can be set and logs in everywhere; 129 are refused before hashing") {
        const auto longest = repeat("Tafel Kreide Beamer ", 6) + "Fenster Heizung ";  // 136 characters
        const auto pw = longest.substr(0, 128);
        REQUIRE(pw.size() == 128);
        auto added = user_add(data.path, "bert", pw);
        INFO(added.err);
        REQUIRE(added.status == 0);
        server_process server(data.path, {});
        client api(server.port());
        CHECK(api.login("bert", pw).status == 200);
        client too_long(server.port());
        auto r = too_long.login("bert", pw + "x");
        CHECK(r.status == 422);
        CHECK(r.error_code() == "too_long");
        CHECK(error_field(r) == "password");
        CHECK(too_long.login("bert", repeat("ä", 129)).status == 422);
        CHECK(too_long.login("bert", repeat("\xF0\x9F\x94\x91", 129)).status == 422);  // 129 characters in 516 bytes
        CHECK(too_long.login("bert", repeat("x", 1025)).status == 422);

        client browser(server.port());
        auto token = login_form_token(browser);
        auto page = browser.post_form("/login", {{"login", "bert"}, {"password", pw + "x"}, {"csrf", token}});
        CHECK(page.status == 422);
        CHECK(page.body.find("höchstens 128 Zeichen") != std::string::npos);
        token = login_form_token(browser);
        page = browser.post_form("/login", {{"login", "bert"}, {"password", pw}, {"csrf", token}});
        CHECK(page.status == 303);
    }
    SECTION("a generated initial password passes the policy and logs in") {
        auto added = run_campusdesk({"user", "add", "carla", "--role", "dispatcher", "--name", "Carla", "--config",
                                     config_file, "--data", data.path.string()});
        REQUIRE(added.status == 0);
        const std::string marker = "initial password: ";
        const auto at = added.out.find(marker);
        REQUIRE(at != std::string::npos);
        auto pw = added.out.substr(at + marker.size());
        pw = pw.substr(0, pw.find('\n'));
        CHECK_FALSE(campusdesk::check_new_password(pw, "carla").has_value());
        server_process server(data.path, {});
        client api(server.port());
        CHECK(api.login("carla", pw).status == 200);
    }
}
