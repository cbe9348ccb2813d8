// A provider's installation (issue 21, docs/tenants.md) through the real binary: two school authorities in one
// process, a Saxon one and one in Rhineland-Palatinate, each reached at its own host names, and the provider's
// own pages. Isolation is tested as users of one tenant would try it: every API.md endpoint and the main pages
// against the other tenant's ticket numbers, attachments and managers, the other tenant's session cookie, and
// the live updates.
#include "tests/server/sse_reader.hpp"
#include "tests/server/ticket_helpers.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

const std::string source_dir = CAMPUSDESK_SOURCE_DIR;
const std::string single_config = source_dir + "/config/campusdesk.toml";
const std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(200, 'p');

// The tenants of the repository's Saxon and Rhineland-Palatinate demos: "sachsen" at sachsen.test, "rlp" at
// rlp.test and worms.test; the provider's pages at anbieter.test.
std::filesystem::path write_provider_config(const std::filesystem::path& dir) {
    const auto file = dir / "provider.toml";
    std::ofstream(file) << fmt::format(R"toml([provider]
name = "Testanbieter"
host = "anbieter.test"

[[tenants]]
slug = "sachsen"
name = "Schul-IT Sachsen (Test)"
hosts = ["sachsen.test"]
config = "{0}/config/demo/sn/campusdesk.toml"

[[tenants]]
slug = "rlp"
name = "Schul-IT Worms (Test)"
hosts = ["rlp.test", "worms.test"]
config = "{0}/config/demo/rp/campusdesk.toml"
)toml",
                                       source_dir);
    return file;
}

// One imported ticket (API.md's import format): high priority, filed on Tuesday 17 November 2026 at 15:00, the day
// before Buß- und Bettag (a public holiday in Saxony only).
void import_ticket(const std::filesystem::path& config, const std::filesystem::path& data, const std::string& tenant,
                   const std::string& number, const std::string& school, const std::string& title) {
    const auto file = data.parent_path() / (number + ".jsonl");
    const auto teacher = "teacher-" + school;
    std::ofstream(file) << json::serialize(json::object{
                               {"number", number},
                               {"school_number", school},
                               {"category", "network"},
                               {"priority", "high"},
                               {"title", title},
                               {"description", "Nur dieser Mandant kennt dieses Ticket."},
                               {"requester_login", teacher},
                               {"events", json::array{json::object{{"at", "2026-11-17T15:00:00+01:00"},
                                                                   {"kind", "created"},
                                                                   {"actor_login", teacher},
                                                                   {"priority", "high"}}}}})
                        << "\n";
    const auto imported = run_campusdesk(
        {"import", "--config", config.string(), "--tenant", tenant, "--data", data.string(), file.string()});
    INFO(imported.err);
    REQUIRE(imported.status == 0);
}

// A provider's process on `data` with both demo tenants and one ticket only each of them has.
struct provider_scene {
    temp_dir dir;
    std::filesystem::path config = write_provider_config(dir.path);
    std::filesystem::path data = dir.path / "data";
    std::unique_ptr<server_process> server;

    provider_scene() {
        {
            // The first start loads each tenant's demo (its accounts); the tickets are imported between starts.
            server_process first(data, {"--config", config.string(), "--demo"});
            REQUIRE(first.stop() == 0);
        }
        import_ticket(config, data, "sachsen", "CD-2026-990001", "401101", "Nur-in-Sachsen WLAN gestört");
        import_ticket(config, data, "rlp", "CD-2026-990002", "507101", "Nur-in-Worms Beamer dunkel");
        server = std::make_unique<server_process>(data, std::vector<std::string>{"--config", config.string(), "--demo"});
    }
    unsigned short port() const { return server->port(); }
    client at(const std::string& host, const std::string& login) const {
        client c(port(), host);
        INFO(host << " " << login);
        REQUIRE(c.login(login).status == 200);
        return c;
    }
};

// A teacher of Dortmund, the default demo.
const std::string dortmund_teacher = "teacher-141017";

std::string file_ticket_titled(client& teacher, const std::string& title) {
    auto created = teacher.post_json("/api/v1/tickets",
                                     json::object{{"category", "ipad"}, {"priority", "normal"}, {"title", title},
                                                  {"description", "Startet nicht mehr."}});
    REQUIRE(created.status == 201);
    return std::string(created.json().at("number").as_string());
}

std::string csrf_of_page(const std::string& html) {
    std::smatch m;
    REQUIRE(std::regex_search(html, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
    return m[1];
}

// The request a user of one tenant sends, against an object of the other (or one that exists nowhere).
struct probe {
    const char* what;
    http::verb method;
    std::string target;
    json::value body;  // JSON (null: none)
};

std::vector<probe> ticket_probes(const std::string& number) {
    const auto t = "/api/v1/tickets/" + number;
    return {
        {"GET ticket", http::verb::get, t, nullptr},
        {"reply", http::verb::post, t + "/replies", json::object{{"body", "Hallo?"}, {"internal", false}}},
        {"status", http::verb::post, t + "/status", json::object{{"status", "resolved"}, {"note", "x"}}},
        {"priority", http::verb::post, t + "/priority", json::object{{"priority", "low"}, {"note", "x"}}},
        {"assign", http::verb::post, t + "/assign", json::object{{"manager_id", 1}, {"note", "x"}}},
        {"escalate", http::verb::post, t + "/escalate", json::object{{"partner", "carrier"}, {"note", "x"}}},
        {"merge", http::verb::post, t + "/merge", json::object{{"into", "CD-2026-990002"}, {"note", "x"}}},
        {"link", http::verb::post, t + "/links", json::object{{"to", "CD-2026-990002"}}},
        {"links", http::verb::get, t + "/links", nullptr},
        {"device", http::verb::get, t + "/device", nullptr},
        {"ticket page", http::verb::get, "/tickets/" + number, nullptr},
    };
}

response send(client& c, const probe& p) {
    if (p.body.is_null()) return c.request(p.method, p.target, {}, {}, {{"X-CSRF-Token", c.csrf}});
    return c.request(p.method, p.target, json::serialize(p.body), "application/json", {{"X-CSRF-Token", c.csrf}});
}

} // namespace

TEST_CASE("tenants are isolated: users of one reach nothing of the other", "[server][tenants]") {
    provider_scene s;
    // The Saxon ticket's photo: an attachment only the Saxon tenant has.
    auto saxon_teacher = s.at("sachsen.test", "teacher-401101");
    const auto uploaded = upload(saxon_teacher, "CD-2026-990001", {{"router.png", png}});
    REQUIRE(uploaded.status == 201);
    const std::string attachment(uploaded.json().at("attachments").at(0).at("url").as_string());
    CHECK(saxon_teacher.get(attachment).status == 200);

    // Worms (rlp.test) is A, Saxony B. Every role of A, every endpoint of API.md and the main pages, against B's
    // ticket: the same answer as for a ticket that exists nowhere, and a 404 wherever the role may use the
    // endpoint at all; never a word of B's ticket.
    for (const std::string login : {"teacher-507101", "manager01", "dispatch1", "admin"}) {
        auto a = s.at("rlp.test", login);
        const auto b_probes = ticket_probes("CD-2026-990001");
        const auto nowhere = ticket_probes("CD-2026-999999");
        for (std::size_t i = 0; i < b_probes.size(); ++i) {
            INFO(login << ": " << b_probes[i].what);
            const auto theirs = send(a, b_probes[i]);
            const auto none = send(a, nowhere[i]);
            CHECK(theirs.status == none.status);
            CHECK((theirs.status == 404 || theirs.status == 403));
            CHECK(theirs.body.find("Nur-in-Sachsen") == std::string::npos);
            if (b_probes[i].method == http::verb::get) CHECK(theirs.status == 404);
        }
        {
            INFO(login << ": upload");
            CHECK(upload(a, "CD-2026-990001", {{"x.png", png}}).status == upload(a, "CD-2026-999999", {{"x.png", png}}).status);
            CHECK(a.get(attachment).status == 404);
        }
        // Lists, search, the directory and the report of A name nothing of B.
        for (const std::string target : {"/api/v1/tickets?q=Nur-in-Sachsen", "/api/v1/tickets?limit=200",
                                         "/api/v1/schools", "/api/v1/managers", "/api/v1/me", "/tickets", "/queue",
                                         "/dispatch", "/reports/sla?month=2026-11",
                                         "/api/v1/reports/sla?month=2026-11&format=json", "/schulen", "/geraete"}) {
            INFO(login << ": " << target);
            const auto r = a.get(target);
            CHECK(r.status < 500);
            for (const std::string secret : {"CD-2026-990001", "Nur-in-Sachsen", "401101", "Katrin Hähnel", "Pirna"})
                CHECK(r.body.find(secret) == std::string::npos);
        }
        // B's fourth campus manager (Saxony has four, Worms three) is nobody here.
        const auto absence = json::serialize(json::object{{"from", "2026-12-01T08:00:00+01:00"},
                                                          {"to", "2026-12-02T08:00:00+01:00"},
                                                          {"substitute_id", 1}});
        const auto theirs = a.request(http::verb::put, "/api/v1/managers/4/absence", absence, "application/json",
                                      {{"X-CSRF-Token", a.csrf}});
        const auto none = a.request(http::verb::put, "/api/v1/managers/999/absence", absence, "application/json",
                                    {{"X-CSRF-Token", a.csrf}});
        CHECK(theirs.status == none.status);
        CHECK(a.get("/schulen/401101").status == 404);
        // A ticket for B's school cannot be filed at A.
        const auto filed = a.post_json("/api/v1/tickets", json::object{{"school_number", "401101"},
                                                                       {"category", "network"},
                                                                       {"priority", "normal"},
                                                                       {"title", "Fremde Schule"},
                                                                       {"description", "x"}});
        CHECK(filed.status >= 400);
        CHECK(filed.status < 500);
    }
    // B's ticket is untouched by all of it.
    auto saxon_dispatcher = s.at("sachsen.test", "dispatch1");
    const auto b_ticket = saxon_dispatcher.get("/api/v1/tickets/CD-2026-990001").json();
    CHECK(b_ticket.at("status").as_string() == "new");
    CHECK(json::serialize(b_ticket).find("Hallo?") == std::string::npos);
    // Each tenant sees its own ticket at each of its host names.
    auto worms_dispatcher = s.at("worms.test", "dispatch1");
    CHECK(worms_dispatcher.get("/api/v1/tickets/CD-2026-990002").status == 200);
    worms_dispatcher.host = "rlp.test";
    CHECK(worms_dispatcher.get("/api/v1/tickets/CD-2026-990002").status == 200);
}

TEST_CASE("a session of one tenant is nobody at another", "[server][tenants]") {
    provider_scene s;
    auto worms = s.at("rlp.test", "dispatch1");
    REQUIRE(worms.get("/api/v1/me").status == 200);
    // The same login exists at both; the cookie of one is unknown to the other's database.
    client stolen(s.port(), "sachsen.test");
    stolen.cookies = worms.cookies;
    stolen.csrf = worms.csrf;
    CHECK(stolen.get("/api/v1/me").status == 401);
    CHECK(stolen.get("/api/v1/tickets/CD-2026-990001").status == 401);
    const auto page = stolen.get("/dispatch");
    CHECK(page.status == 303);
    CHECK(page.headers.at("location").starts_with("/login"));
    // The cookie is host-only (no Domain), so a browser never sends it to another host at all.
    client fresh(s.port(), "rlp.test");
    const auto login = fresh.request(http::verb::post, "/api/v1/session",
                                     json::serialize(json::object{{"login", "admin"}, {"password", "demo"}}),
                                     "application/json");
    REQUIRE(login.status == 200);
    CHECK(login.headers.at("set-cookie").find("Domain") == std::string::npos);
    // A wrong host and no host: "Unbekannte Adresse", whatever is asked, with or without a session.
    for (const std::string host : {"unbekannt.test", "127.0.0.1", "rlp.test.evil", "sachsen.testx"}) {
        INFO(host);
        client other(s.port(), host);
        other.cookies = worms.cookies;
        for (const std::string target : {"/", "/api/v1/me", "/api/v1/tickets/CD-2026-990002", "/login", "/healthz"}) {
            const auto r = other.get(target);
            CHECK(r.status == 404);
            CHECK(r.body.find("Unbekannte Adresse") != std::string::npos);
        }
    }
    // Upper case and a port are the same host.
    client upper(s.port(), "RLP.Test");
    CHECK(upper.login("admin").status == 200);
}

TEST_CASE("live updates of one tenant never carry another's changes", "[server][tenants]") {
    provider_scene s;
    auto saxon = s.at("sachsen.test", "dispatch1");
    auto worms = s.at("rlp.test", "dispatch1");
    sse_reader live(s.port(), saxon);
    const auto hello = live.wait_for("event: hello\n", std::chrono::seconds(5));
    REQUIRE(hello != std::string::npos);
    REQUIRE(live.wait_for("\n\n", std::chrono::seconds(1), hello) != std::string::npos);
    // Changes at Worms: nothing on Saxony's stream.
    const auto mark = live.received.size();
    for (int i = 0; i < 3; ++i)
        REQUIRE(worms.post_json("/api/v1/tickets/CD-2026-990002/replies",
                                json::object{{"body", fmt::format("Antwort {}", i)}, {"internal", false}})
                    .status == 201);
    CHECK(live.wait_for("event: change\n", std::chrono::milliseconds(1500), mark) == std::string::npos);
    // A change at Saxony (the teacher answers on the ticket): on the stream within a second.
    auto saxon_teacher = s.at("sachsen.test", "teacher-401101");
    REQUIRE(saxon_teacher.post_json("/api/v1/tickets/CD-2026-990001/replies",
                                    json::object{{"body", "Es geht wieder nicht."}, {"internal", false}})
                .status == 201);
    CHECK(live.wait_for("event: change\n", std::chrono::seconds(2), mark) != std::string::npos);
    // A ticket page's stream at Worms for Saxony's ticket: 404, as for the ticket itself.
    sse_reader foreign_ticket(s.port(), worms, "/api/v1/live?ticket=CD-2026-990001");
    foreign_ticket.wait_for("\r\n\r\n", std::chrono::seconds(2));
    CHECK(foreign_ticket.received.starts_with("HTTP/1.1 404"));
    // A stream asked for at Worms with Saxony's cookie is refused like any request without a session.
    client stolen(s.port(), "rlp.test");
    stolen.cookies = saxon.cookies;
    sse_reader refused(s.port(), stolen);
    refused.wait_for("\r\n\r\n", std::chrono::seconds(2));
    CHECK(refused.received.starts_with("HTTP/1.1 401"));
}

TEST_CASE("each tenant's SLA clocks run on its own state's calendar", "[server][tenants][sla]") {
    provider_scene s;
    // The same ticket, filed Tuesday 17 November 2026 at 15:00 (high: first response 240, resolution 1620
    // business minutes). In Saxony Wednesday is Buß- und Bettag and does not count; in Rhineland-Palatinate it does.
    struct expectation {
        const char* host;
        const char* number;
        const char* first_response_due;
        const char* resolution_due;
    };
    for (const auto& e : {expectation{"sachsen.test", "CD-2026-990001", "2026-11-19T10:00:00+01:00", "2026-11-23T15:00:00+01:00"},
                          expectation{"rlp.test", "CD-2026-990002", "2026-11-18T10:00:00+01:00", "2026-11-20T15:00:00+01:00"}}) {
        INFO(e.host);
        auto dispatcher = s.at(e.host, "dispatch1");
        const auto ticket = dispatcher.get(std::string("/api/v1/tickets/") + e.number);
        REQUIRE(ticket.status == 200);
        const auto sla = ticket.json().at("sla");
        CHECK(sla.at("first_response").at("due_at").as_string() == e.first_response_due);
        CHECK(sla.at("resolution").at("due_at").as_string() == e.resolution_due);
        // The month's export, computed with the tenant's calendar, has the ticket breached or not accordingly.
        const auto report = dispatcher.get("/api/v1/reports/sla?month=2026-11&format=json");
        REQUIRE(report.status == 200);
        CHECK(report.body.find(e.number) != std::string::npos);
    }
}

TEST_CASE("the provider admin logs in, sees every tenant's usage and downloads a backup restore accepts",
          "[server][tenants][provider]") {
    provider_scene s;
    client provider(s.port(), "anbieter.test");
    auto start = provider.get("/");
    CHECK(start.status == 303);
    CHECK(start.headers.at("location") == "/login");
    auto form = provider.get("/login");
    REQUIRE(form.status == 200);
    CHECK(form.body.find("Anmeldung für den IT-Dienstleister") != std::string::npos);
    const auto login_csrf = csrf_of_page(form.body);
    CHECK(provider.post_form("/login", {{"csrf", login_csrf}, {"login", "provider"}, {"password", "falsch"}}).status == 401);
    CHECK(provider.post_form("/login", {{"csrf", "0" + login_csrf.substr(1)}, {"login", "provider"}, {"password", "demo"}}).status == 403);
    const auto in = provider.post_form("/login", {{"csrf", login_csrf}, {"login", "provider"}, {"password", "demo"}});
    REQUIRE(in.status == 303);
    CHECK(in.headers.at("set-cookie").find("cd_provider=") == 0);
    CHECK(in.headers.at("set-cookie").find("HttpOnly") != std::string::npos);

    const auto list = provider.get("/");
    REQUIRE(list.status == 200);
    for (const std::string text : {"Schul-IT Sachsen (Test)", "Schul-IT Worms (Test)", "sachsen.test", "rlp.test",
                                   "<td>SN</td>", "<td>RP</td>", "<td class=\"num\">24</td>", "<td class=\"num\">14</td>"})
        CHECK(list.body.find(text) != std::string::npos);
    const auto csrf = csrf_of_page(list.body);
    // English through the existing language choice.
    CHECK(provider.request(http::verb::get, "/", {}, {}, {{"Accept-Language", "en"}}).body.find("Tenants") != std::string::npos);

    // The provider's session is nobody at a tenant, and a tenant's nobody at the provider.
    client at_tenant(s.port(), "sachsen.test");
    at_tenant.cookies = provider.cookies;
    CHECK(at_tenant.get("/api/v1/me").status == 401);
    auto saxon_admin = s.at("sachsen.test", "admin");
    client tenant_at_provider(s.port(), "anbieter.test");
    tenant_at_provider.cookies = saxon_admin.cookies;
    CHECK(tenant_at_provider.get("/").status == 303);

    // Export: CSRF first, then only known tenants.
    CHECK(provider.post_form("/mandanten/sachsen/export", {{"csrf", "falsch"}}).status == 403);
    CHECK(tenant_at_provider.post_form("/mandanten/sachsen/export", {{"csrf", csrf}}).status == 303);
    CHECK(provider.post_form("/mandanten/bayern/export", {{"csrf", csrf}}).status == 404);
    const auto backup = provider.post_form("/mandanten/sachsen/export", {{"csrf", csrf}});
    REQUIRE(backup.status == 200);
    CHECK(backup.headers.at("content-disposition").find("attachment; filename=\"campusdesk-sachsen-") == 0);
    CHECK(backup.body.starts_with(std::string("SQLite format 3\0", 16)));
    // Nothing is left behind on the server; the export is on record in the provider's database.
    CHECK(std::filesystem::is_empty(s.data / "exports"));
    {
        SQLite::Database audit((s.data / "provider.db").string(), SQLite::OPEN_READONLY);
        CHECK(audit.execAndGet("SELECT COUNT(*) FROM provider_audit WHERE action = 'export' AND tenant = 'sachsen' "
                               "AND login = 'provider'")
                  .getInt() == 1);
    }

    const auto file = s.dir.path / "sachsen.backup";
    std::ofstream(file, std::ios::binary) << backup.body;
    // The backup is a whole authority: `restore` takes it as one school authority's data directory...
    const auto alone = s.dir.path / "alone";
    const auto restored = run_campusdesk({"restore", "--config", source_dir + "/config/demo/sn/campusdesk.toml",
                                          "--data", alone.string(), file.string()});
    INFO(restored.err);
    REQUIRE(restored.status == 0);
    CHECK(restored.out.find("attachments") != std::string::npos);
    // ...and as a tenant of another provider's installation, which then serves it.
    const auto elsewhere = s.dir.path / "elsewhere";
    const auto as_tenant = run_campusdesk({"restore", "--config", s.config.string(), "--tenant", "sachsen", "--data",
                                           elsewhere.string(), file.string()});
    INFO(as_tenant.err);
    REQUIRE(as_tenant.status == 0);
    CHECK(std::filesystem::exists(elsewhere / "tenants" / "sachsen" / "campusdesk.db"));
    {
        server_process moved(alone, {"--config", source_dir + "/config/demo/sn/campusdesk.toml"});
        client dispatcher(moved.port());
        REQUIRE(dispatcher.login("dispatch1").status == 200);
        CHECK(dispatcher.get("/api/v1/tickets/CD-2026-990001").json().at("title").as_string() == "Nur-in-Sachsen WLAN gestört");
    }

    const auto out = provider.post_form("/logout", {{"csrf", csrf}});
    CHECK(out.status == 303);
    CHECK(provider.get("/").status == 303);
}

TEST_CASE("provider admins are added on the command line with a password from stdin", "[server][tenants][provider][cli]") {
    temp_dir dir;
    const auto config = write_provider_config(dir.path);
    const auto data = dir.path / "data";
    const std::vector<std::string> add{"provider-admin", "add", "kisa-admin", "--config", config.string(), "--data", data.string()};
    auto weak = run_campusdesk(add, "kurz\n");
    CHECK(weak.status == 2);
    CHECK(weak.err.find("password refused") != std::string::npos);
    auto added = run_campusdesk(add, "Glasfaser-Pirna-2026-Elbe\n");
    INFO(added.err);
    REQUIRE(added.status == 0);
    CHECK(std::filesystem::exists(data / "provider.db"));
    CHECK(run_campusdesk(add, "Glasfaser-Pirna-2026-Elbe\n").status == 2);
    CHECK(run_campusdesk({"provider-admin", "add", "x", "--config", single_config}, "Glasfaser-Pirna-2026-Elbe\n").status == 2);

    server_process server(data, {"--config", config.string()});
    client provider(server.port(), "anbieter.test");
    const auto csrf = csrf_of_page(provider.get("/login").body);
    CHECK(provider.post_form("/login", {{"csrf", csrf}, {"login", "provider"}, {"password", "demo"}}).status == 401);
    REQUIRE(provider.post_form("/login", {{"csrf", csrf}, {"login", "kisa-admin"}, {"password", "Glasfaser-Pirna-2026-Elbe"}}).status == 303);
    CHECK(provider.get("/").status == 200);
}

TEST_CASE("commands act on one tenant with --tenant; without tenants nothing changes", "[server][tenants][cli]") {
    struct bad {
        std::vector<std::string> args;  // PROVIDER: the provider's config, DATA: its data directory
        const char* says;
    };
    const auto b = GENERATE(values<bad>({
        {{"backup", "--config", "PROVIDER", "--data", "DATA", "--out", "x"}, "name the tenant with --tenant SLUG (sachsen, rlp)"},
        {{"backup", "--config", "PROVIDER", "--tenant", "bayern", "--out", "x"}, "no tenant \"bayern\""},
        {{"backup", "--config", single_config, "--tenant", "rlp", "--out", "x"}, "is one school authority's config"},
        {{"sla", "recompute", "--config", "PROVIDER"}, "--tenant SLUG"},
        {{"serve", "--config", "PROVIDER", "--demo", "--demo-state", "SN"}, "--demo-state"},
        {{"user", "add", "x", "--role", "admin", "--config", "PROVIDER"}, "--tenant SLUG"},
    }));
    temp_dir dir;
    const auto config = write_provider_config(dir.path);
    auto args = b.args;
    for (auto& a : args) {
        if (a == "PROVIDER") a = config.string();
        if (a == "DATA") a = (dir.path / "data").string();
    }
    const auto r = run_campusdesk(args);
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(b.says) != std::string::npos);
}

TEST_CASE("a tenant's accounts and backups are its own on the command line", "[server][tenants][cli]") {
    temp_dir dir;
    const auto config = write_provider_config(dir.path);
    const auto data = dir.path / "data";
    const auto check = run_campusdesk({"check-config", "--config", config.string()});
    INFO(check.err);
    CHECK(check.status == 0);
    CHECK(check.out.find("provider config ok: 2 tenant(s)") != std::string::npos);
    CHECK(check.out.find("tenant sachsen") != std::string::npos);

    const auto added = run_campusdesk({"user", "add", "leitstelle", "--role", "dispatcher", "--name", "Leitstelle Worms",
                                       "--config", config.string(), "--tenant", "rlp", "--data", data.string(),
                                       "--password-stdin"},
                                      "Rheinufer-Dom-2026-Worms\n");
    INFO(added.err);
    REQUIRE(added.status == 0);
    CHECK(std::filesystem::exists(data / "tenants" / "rlp" / "campusdesk.db"));
    CHECK_FALSE(std::filesystem::exists(data / "campusdesk.db"));
    {
        server_process server(data, {"--config", config.string()});
        CHECK(client(server.port(), "rlp.test").login("leitstelle", "Rheinufer-Dom-2026-Worms").status == 200);
        CHECK(client(server.port(), "sachsen.test").login("leitstelle", "Rheinufer-Dom-2026-Worms").status == 401);
    }
    // Each tenant's backup holds its own accounts: Worms has the one more.
    auto users_in_backup = [&](const std::string& tenant) {
        const auto backup = run_campusdesk({"backup", "--config", config.string(), "--tenant", tenant, "--data",
                                            data.string(), "--out", (dir.path / (tenant + ".backup")).string()});
        INFO(backup.err);
        REQUIRE(backup.status == 0);
        std::smatch m;
        REQUIRE(std::regex_search(backup.out, m, std::regex("([0-9]+) users")));
        return std::stoi(m[1]);
    };
    CHECK(users_in_backup("rlp") == users_in_backup("sachsen") + 1);
}

TEST_CASE("an authority's data directory from before tenants serves unchanged, alone or as a tenant",
          "[server][tenants][upgrade]") {
    temp_dir dir;
    const auto data = dir.path / "data";
    std::string number;
    {
        server_process server(data);  // today's layout: --config campusdesk.toml --demo
        client teacher(server.port());
        REQUIRE(teacher.login(dortmund_teacher).status == 200);
        number = file_ticket_titled(teacher, "Vor den Mandanten gemeldet");
        REQUIRE(server.stop() == 0);
    }
    {
        // Without tenants nothing moves: the same files, no tenants directory, no provider database.
        server_process server(data, {});
        client teacher(server.port());
        REQUIRE(teacher.login(dortmund_teacher).status == 200);
        CHECK(teacher.get("/api/v1/tickets/" + number).json().at("title").as_string() == "Vor den Mandanten gemeldet");
        REQUIRE(server.stop() == 0);
    }
    CHECK(std::filesystem::exists(data / "campusdesk.db"));
    CHECK_FALSE(std::filesystem::exists(data / "tenants"));
    CHECK_FALSE(std::filesystem::exists(data / "provider.db"));

    // The same directory becomes a provider's first tenant by moving it to <data>/tenants/<slug>.
    const auto provider_data = dir.path / "provider-data";
    std::filesystem::create_directories(provider_data / "tenants");
    std::filesystem::rename(data, provider_data / "tenants" / "dortmund");
    const auto config = dir.path / "provider.toml";
    std::ofstream(config) << fmt::format("[[tenants]]\nslug = \"dortmund\"\nname = \"Schul-IT Dortmund\"\n"
                                         "hosts = [\"dortmund.test\"]\nconfig = \"{}\"\n",
                                         single_config);
    server_process server(provider_data, {"--config", config.string()});
    client teacher(server.port(), "dortmund.test");
    REQUIRE(teacher.login(dortmund_teacher).status == 200);
    CHECK(teacher.get("/api/v1/tickets/" + number).json().at("title").as_string() == "Vor den Mandanten gemeldet");
    // No provider host configured: no provider pages anywhere.
    CHECK(client(server.port(), "anbieter.test").get("/login").status == 404);
}
