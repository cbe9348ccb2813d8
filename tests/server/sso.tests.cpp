// Single sign-on (issue 19) against a real OpenID provider: tests/sso/provider starts npm's oidc-provider on
// loopback (test users for each role and school) and, under /forge, an issuer that signs the attack cases' ID
// tokens. The full code flow is driven over HTTP: campusdesk's button, the provider's login form, the callback.
#include "tests/server/test_server.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <csignal>
#include <sys/wait.h>
#include <thread>

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

// The provider fixture, stopped with SIGTERM at the end.
struct provider_fixture {
    provider_fixture() {
        const auto line = spawn_announcing({CAMPUSDESK_SOURCE_DIR "/tests/sso/provider"}, pid);
        if (!line.starts_with("listening on http://127.0.0.1:")) {
            stop();
            throw std::runtime_error("the OpenID provider fixture did not start: '" + line + "'");
        }
        issuer = line.substr(std::string("listening on ").size());
        port = static_cast<unsigned short>(std::stoi(issuer.substr(issuer.rfind(':') + 1)));
    }
    ~provider_fixture() { stop(); }
    void stop() {
        if (pid <= 0) return;
        ::kill(pid, SIGTERM);
        int status = 0;
        waitpid(pid, &status, 0);
        pid = -1;
    }
    int pid = -1;
    unsigned short port = 0;
    std::string issuer;
};

std::string provider_config(const std::string& id, const std::string& issuer, const std::string& extra = {}) {
    return fmt::format(R"([[oidc.providers]]
id = "{}"
label = "Mit Schulkonto anmelden"
issuer = "{}"
client_id = "campusdesk"
client_secret = "campusdesk-secret"
scopes = ["openid", "profile", "email", "groups", "school"]
logout = true
claims = {{ school = "schulnummer" }}
roles = [
  {{ value = "it-admin", role = "admin" }},
  {{ value = "helpdesk", role = "dispatcher" }},
  {{ value = "campus-manager", role = "campus_manager" }},
  {{ value = "lehrkraefte", role = "teacher" }},
]
{}
)",
                       id, issuer, extra);
}

// A location split into port (0: campusdesk's own, a relative one) and target.
std::pair<unsigned short, std::string> split_location(const std::string& location) {
    if (location.starts_with("/")) return {0, location};
    const std::string prefix = "http://127.0.0.1:";
    REQUIRE(location.starts_with(prefix));
    const auto slash = location.find('/', prefix.size());
    return {static_cast<unsigned short>(std::stoi(location.substr(prefix.size(), slash - prefix.size()))),
            location.substr(slash)};
}

std::string form_value(const std::string& html, const std::string& name) {
    const auto at = html.find(fmt::format("name=\"{}\" value=\"", name));
    if (at == std::string::npos) return {};
    const auto start = html.find("value=\"", at) + 7;
    return html.substr(start, html.find('"', start) - start);
}

// Logs `login` in through the real provider: campusdesk's start, the provider's form, the redirects back. Returns
// campusdesk's answer to the callback; `callback` receives its target (for the replay test).
response sso_login(client& browser, provider_fixture& idp, const std::string& login, std::string* callback = nullptr,
                   const std::string& provider = "test") {
    auto started = browser.get("/sso/" + provider + "/start");
    REQUIRE(started.status == 303);
    auto [port, target] = split_location(started.headers.at("location"));
    REQUIRE(port == idp.port);
    CHECK(target.find("code_challenge_method=S256") != std::string::npos);
    CHECK(target.find("nonce=") != std::string::npos);
    client at_idp(idp.port);
    auto r = at_idp.get(target);
    for (int hops = 0; hops < 10; ++hops) {
        REQUIRE((r.status == 200 || r.status == 302 || r.status == 303));
        if (r.status == 200) {
            // The provider's login form.
            REQUIRE(r.body.find("Schulkonto") != std::string::npos);
            const auto action = r.body.substr(r.body.find("action=\"") + 8);
            r = at_idp.post_form(action.substr(0, action.find('"')), {{"username", login}, {"password", "test"}});
            continue;
        }
        auto [next_port, next] = split_location(r.headers.at("location"));
        if (next_port == idp.port || next_port == 0) {
            r = at_idp.get(next);
            continue;
        }
        REQUIRE(next.starts_with("/sso/" + provider + "/callback?"));
        if (callback) *callback = next;
        return browser.get(next);
    }
    FAIL("too many redirects at the provider");
    return {};
}

// One login at the forging issuer, whose token endpoint answers with the scenario's ID token. A session is made
// exactly when the login is accepted.
response forged_login(unsigned short port, const std::string& scenario) {
    client browser(port);
    auto started = browser.get("/sso/forge/start");
    REQUIRE(started.status == 303);
    auto [idp_port, target] = split_location(started.headers.at("location"));
    client at_idp(idp_port);
    auto code = at_idp.get(target + "&scenario=" + scenario);
    REQUIRE(code.status == 302);
    auto back = browser.get(split_location(code.headers.at("location")).second);
    CHECK(browser.cookies.count("cd_session") == (back.status == 303 ? 1u : 0u));
    return back;
}

// The account's row, read from the database file.
std::optional<std::map<std::string, std::string>> account(const std::filesystem::path& data, const std::string& login) {
    SQLite::Database db((data / "campusdesk.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement s(db, "SELECT u.role, COALESCE(u.school_number, ''), u.email, u.name, "
                            "(SELECT COUNT(*) FROM external_identities e WHERE e.user_id = u.id) "
                            "FROM users u WHERE u.login = ?");
    s.bind(1, login);
    if (!s.executeStep()) return std::nullopt;
    return std::map<std::string, std::string>{{"role", s.getColumn(0).getString()},
                                              {"school", s.getColumn(1).getString()},
                                              {"email", s.getColumn(2).getString()},
                                              {"name", s.getColumn(3).getString()},
                                              {"identities", s.getColumn(4).getString()}};
}

std::uint64_t metric(client& c, const std::string& name) {
    const auto body = c.get("/metrics").body;
    const auto at = body.find(name + " ");
    return at == std::string::npos ? 0 : std::stoull(body.substr(at + name.size() + 1));
}

} // namespace

TEST_CASE("SSO: teachers, managers and staff log in through a real OpenID provider", "[sso]") {
    provider_fixture idp;
    temp_dir dir;
    const auto config = write_config(dir.path, {{"oidc", provider_config("test", idp.issuer)}});
    // No demo data: nobody has an account before their first login.
    server_process server(dir.path / "data", {"--config", config.string()});

    SECTION("the login page shows the provider's button next to the password form") {
        client browser(server.port());
        auto page = browser.get("/login");
        CHECK(page.status == 200);
        CHECK(page.body.find("href=\"/sso/test/start\"") != std::string::npos);
        CHECK(page.body.find("Mit Schulkonto anmelden") != std::string::npos);
        CHECK(page.body.find("name=\"password\"") != std::string::npos);
    }

    SECTION("a teacher lands on Störung melden with the school of the claim and files a ticket") {
        client browser(server.port());
        std::string callback;
        auto back = sso_login(browser, idp, "teacher-141017", &callback);
        REQUIRE(back.status == 303);
        CHECK(back.headers.at("location") == "/tickets/new");
        auto form = browser.get("/tickets/new");
        REQUIRE(form.status == 200);
        CHECK(form.body.find("Störung melden") != std::string::npos);
        auto me = browser.get("/api/v1/me").json().as_object();
        CHECK(me.at("login").as_string() == "teacher-141017");
        CHECK(me.at("role").as_string() == "teacher");
        CHECK(me.at("school_number").as_string() == "141017");
        browser.csrf = form_value(form.body, "csrf");
        auto created = browser.post_json("/api/v1/tickets", json::object{{"school_number", "141017"},
                                                                        {"category", "presentation"},
                                                                        {"priority", "normal"},
                                                                        {"title", "Beamer im Raum 12"},
                                                                        {"description", "Kein Bild."},
                                                                        {"room", "12"}});
        CHECK(created.status == 201);
        const auto row = account(dir.path / "data", "teacher-141017");
        REQUIRE(row);
        CHECK(row->at("email") == "teacher-141017@schule.example");
        CHECK(row->at("identities") == "1");
        CHECK(metric(browser, "campusdesk_security_events_total{event=\"sso_login_succeeded\"}") == 1);

        // The callback is used up: the same state again is refused, and makes no session.
        client replay(server.port());
        replay.cookies = browser.cookies;
        replay.cookies.erase("cd_session");
        auto again = replay.get(callback);
        CHECK(again.status == 400);
        CHECK(again.body.find("schon verwendet") != std::string::npos);
        CHECK(replay.cookies.count("cd_session") == 0);

        // Logout ends the provider's session too (RP-initiated logout) with the ID token as hint.
        auto out = browser.post_form("/logout", {{"csrf", browser.csrf}});
        REQUIRE(out.status == 303);
        const auto location = out.headers.at("location");
        CHECK(location.starts_with(idp.issuer + "/session/end?"));
        CHECK(location.find("id_token_hint=ey") != std::string::npos);
        CHECK(location.find("post_logout_redirect_uri=") != std::string::npos);
        CHECK(browser.get("/api/v1/me").status == 401);
    }

    SECTION("a second login updates the account and keeps one identity") {
        client first(server.port());
        REQUIRE(sso_login(first, idp, "teacher-148037").status == 303);
        client second(server.port());
        REQUIRE(sso_login(second, idp, "teacher-148037").status == 303);
        const auto row = account(dir.path / "data", "teacher-148037");
        REQUIRE(row);
        CHECK(row->at("school") == "148037");
        CHECK(row->at("identities") == "1");
        CHECK(row->at("name") == "Lehrkraft 148037");

        // The identity is personal data: in the person's export, and gone with their erasure.
        const auto data = (dir.path / "data").string();
        const auto exported = run_campusdesk({"user", "export", "teacher-148037", "--config", config.string(), "--data", data});
        REQUIRE(exported.status == 0);
        const auto identities = json::parse(exported.out).at("single_sign_on_identities").as_array();
        REQUIRE(identities.size() == 1);
        CHECK(identities[0].at("provider").as_string() == "test");
        CHECK(identities[0].at("subject").as_string() == "sub-teacher-148037");
        REQUIRE(run_campusdesk({"user", "erase", "teacher-148037", "--config", config.string(), "--data", data}).status == 0);
        SQLite::Database db((dir.path / "data" / "campusdesk.db").string(), SQLite::OPEN_READONLY);
        CHECK(db.execAndGet("SELECT COUNT(*) FROM external_identities").getInt() == 0);
    }

    SECTION("a campus manager lands on the queue of their schools, the help desk on the board") {
        client manager(server.port());
        auto back = sso_login(manager, idp, "manager01");
        REQUIRE(back.status == 303);
        CHECK(back.headers.at("location") == "/");
        CHECK(manager.get("/").headers.at("location") == "/queue");
        CHECK(manager.get("/queue").status == 200);
        CHECK(manager.get("/api/v1/me").json().at("role").as_string() == "campus_manager");

        client desk(server.port());
        REQUIRE(sso_login(desk, idp, "dispatch1").status == 303);
        CHECK(desk.get("/").headers.at("location") == "/dispatch");
    }

    SECTION("a person without a role is told so in German and English, and nothing is created") {
        client pupil(server.port());
        auto back = sso_login(pupil, idp, "schueler");
        CHECK(back.status == 403);
        CHECK(back.body.find("Kein Zugang zu campusdesk") != std::string::npos);
        CHECK(back.body.find("No access to campusdesk") != std::string::npos);
        CHECK(pupil.cookies.count("cd_session") == 0);
        CHECK_FALSE(account(dir.path / "data", "schueler"));
        CHECK(metric(pupil, "campusdesk_security_events_total{event=\"sso_login_failed\"}") == 1);
    }

    SECTION("a callback in another browser than the one that started the login is refused") {
        client starter(server.port());
        auto started = starter.get("/sso/test/start");
        REQUIRE(started.status == 303);
        client stranger(server.port());
        auto [port, target] = split_location(started.headers.at("location"));
        const auto state_at = target.find("state=");
        const auto state = target.substr(state_at + 6, target.find('&', state_at) - state_at - 6);
        auto r = stranger.get("/sso/test/callback?code=abc&state=" + state);
        CHECK(r.status == 400);
        CHECK(stranger.cookies.count("cd_session") == 0);
    }

    SECTION("an unknown provider is not found") {
        client browser(server.port());
        CHECK(browser.get("/sso/nobody/start").status == 404);
        CHECK(browser.get("/sso/test/elsewhere").status == 404);
    }
}

TEST_CASE("SSO: an existing local account is taken over only where the config allows it", "[sso]") {
    provider_fixture idp;
    temp_dir dir;
    const auto config = write_config(
        dir.path, {{"oidc", provider_config("test", idp.issuer) +
                                provider_config("staff", idp.issuer, "link_existing_accounts = true")}});
    // The demo data has local accounts named like the provider's people (teacher-141017, manager01).
    server_process server(dir.path / "data", {"--config", config.string(), "--demo"});
    client refused(server.port());
    auto back = sso_login(refused, idp, "teacher-141017");
    CHECK(back.status == 403);
    CHECK(back.body.find("schon zu einem anderen Konto") != std::string::npos);
    CHECK(account(dir.path / "data", "teacher-141017")->at("identities") == "0");

    client linked(server.port());
    back = sso_login(linked, idp, "manager01", nullptr, "staff");
    CHECK(back.status == 303);
    CHECK(linked.get("/").headers.at("location") == "/queue");
    CHECK(account(dir.path / "data", "manager01")->at("identities") == "1");
    // The password still works: local accounts stay.
    client local(server.port());
    CHECK(local.login("manager01").status == 200);
}

TEST_CASE("SSO: forged, expired and misdirected ID tokens are refused", "[sso]") {
    provider_fixture idp;
    temp_dir dir;
    const auto config = write_config(dir.path, {{"oidc", provider_config("forge", idp.issuer + "/forge")}});
    server_process server(dir.path / "data", {"--config", config.string()});

    auto attempt = [&](const std::string& scenario) { return forged_login(server.port(), scenario); };
    auto jwks_fetches = [&] {
        client at_idp(idp.port);
        return at_idp.get("/forge/stats").json().at("jwks_fetches").as_int64();
    };

    SECTION("valid RS256 and ES256 tokens log in (the forge itself is sound)") {
        CHECK(attempt("ok").status == 303);
        CHECK(attempt("es256").status == 303);
    }

    SECTION("each attack is refused with a page, and counted") {
        const std::vector<std::string> attacks{"expired",       "future-iat", "wrong-aud", "wrong-iss",
                                               "wrong-nonce",   "no-nonce",   "alg-none",  "hs256",
                                               "bad-signature", "unknown-kid"};
        client ops(server.port());
        const auto before = metric(ops, "campusdesk_security_events_total{event=\"sso_login_failed\"}");
        for (const auto& scenario : attacks) {
            INFO(scenario);
            auto back = attempt(scenario);
            CHECK(back.status == 403);
            CHECK(back.body.find("wurde abgelehnt") != std::string::npos);
        }
        CHECK(metric(ops, "campusdesk_security_events_total{event=\"sso_login_failed\"}") == before + attacks.size());
        CHECK(metric(ops, "campusdesk_security_events_total{event=\"sso_login_succeeded\"}") == 0);
    }

    SECTION("a key id not in the JWKS refetches it once, then not again within the rate limit") {
        REQUIRE(attempt("ok").status == 303);
        const auto fetched = jwks_fetches();
        CHECK(attempt("unknown-kid").status == 403);
        // Fetched within the last minute: the rate limit holds even for the first miss.
        CHECK(jwks_fetches() == fetched);
    }
}

TEST_CASE("SSO: key rotation at the provider is followed", "[sso]") {
    provider_fixture idp;
    temp_dir dir;
    const auto config = write_config(
        dir.path, {{"oidc", "jwks_refresh_min_seconds = 1\n" + provider_config("forge", idp.issuer + "/forge")}});
    server_process server(dir.path / "data", {"--config", config.string()});
    auto attempt = [&](const std::string& scenario) { return forged_login(server.port(), scenario).status; };
    client at_idp(idp.port);
    auto fetches = [&] { return at_idp.get("/forge/stats").json().at("jwks_fetches").as_int64(); };
    REQUIRE(attempt("ok") == 303);
    CHECK(fetches() == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    // A new key: refused while the provider does not publish it (one refetch, then the rate limit)...
    CHECK(attempt("rotated") == 403);
    CHECK(fetches() == 2);
    CHECK(attempt("rotated") == 403);
    CHECK(fetches() == 2);
    // ...and accepted once it does.
    REQUIRE(at_idp.request(boost::beast::http::verb::post, "/forge/rotate").status == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK(attempt("rotated") == 303);
    CHECK(fetches() == 3);
    CHECK(attempt("ok") == 303);
    CHECK(fetches() == 3);
}

TEST_CASE("SSO: a provider that is down gets a clear page and local login still works", "[sso]") {
    temp_dir dir;
    // Port 9 (discard) is closed on loopback.
    const auto config = write_config(dir.path, {{"oidc", "http_timeout_seconds = 3\n" +
                                                             provider_config("down", "http://127.0.0.1:9")}});
    server_process server(dir.path / "data", {"--config", config.string(), "--demo"});
    client browser(server.port());
    auto r = browser.get("/sso/down/start");
    CHECK(r.status == 502);
    CHECK(r.body.find("nicht erreichbar") != std::string::npos);
    CHECK(r.body.find("name=\"password\"") != std::string::npos);
    CHECK(browser.login("admin").status == 200);
}

TEST_CASE("SSO: password login can be restricted to named accounts", "[sso]") {
    temp_dir dir;
    const auto config = write_config(
        dir.path, {{"oidc", "password_logins = [\"admin\"]\n" + provider_config("down", "http://127.0.0.1:9")}});
    server_process server(dir.path / "data", {"--config", config.string(), "--demo"});
    client admin(server.port());
    CHECK(admin.login("admin").status == 200);
    client desk(server.port());
    auto refused = desk.login("dispatch1");
    CHECK(refused.status == 403);
    CHECK(refused.error_code() == "password_login_disabled");
    client page(server.port());
    auto form = page.get("/login");
    auto posted = page.post_form("/login", {{"csrf", form_value(form.body, "csrf")}, {"login", "dispatch1"},
                                            {"password", "demo"}});
    CHECK(posted.status == 403);
    CHECK(posted.body.find("Anmeldung mit Passwort abgeschaltet") != std::string::npos);
}

TEST_CASE("SSO: check-config names every mistake of the [oidc] section", "[sso]") {
    temp_dir dir;
    const auto config = write_config(dir.path, {{"oidc", R"(clock_skew_seconds = 3600
password_logins = "admin"
[[oidc.providers]]
id = "Schule Eins"
label = "Schule"
issuer = "http://idp.example"
client_id = "campusdesk"
scopes = ["profile"]
claims = { colour = "blue" }
roles = [{ value = "lehrkraefte", role = "pupil" }, { value = "x", role = "teacher" }]
)"}});
    auto r = run_campusdesk({"check-config", "--config", config.string()});
    CHECK(r.status != 0);
    for (const auto* expected : {"oidc.clock_skew_seconds", "oidc.password_logins", "oidc.providers.id",
                                 "oidc.providers.issuer", "oidc.providers.client_secret", "oidc.providers.scopes",
                                 "oidc.providers.claims.colour", "oidc.providers.roles.role",
                                 "oidc.providers.claims.school"}) {
        INFO(expected);
        CHECK((r.out + r.err).find(expected) != std::string::npos);
    }
}
