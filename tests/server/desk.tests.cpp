// Issue 16, "Work the help desk does every day", over real HTTP: phone intake (API and page), canned replies and
// the admin pages, with their refusals.
#include "tests/server/ticket_helpers.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <regex>

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

struct desk_scene {
    temp_dir data;
    server_process server{data.path};
    client admin{server.port()};
    client dispatcher{server.port()};
    client manager{server.port()};
    manager_info m01, m02;
    std::string school, other_school;  // manager01's, and one of manager02's
    std::int64_t teacher_id = 0;       // teacher-<school>

    desk_scene() {
        REQUIRE(admin.login("admin").status == 200);
        REQUIRE(dispatcher.login("dispatch1").status == 200);
        REQUIRE(manager.login("manager01").status == 200);
        m01 = find_manager(admin, "manager01");
        m02 = find_manager(admin, "manager02");
        school = m01.schools.front();
        other_school = m02.schools.front();
        client teacher(server.port());
        auto r = teacher.login("teacher-" + school);
        REQUIRE(r.status == 200);
        teacher_id = r.json().at("user").at("id").as_int64();
    }

    // Every audit entry of `action` about `subject`: the actors' ids.
    std::vector<std::int64_t> audit(const std::string& action, const std::string& subject) const {
        SQLite::Database db((data.path / "campusdesk.db").string(), SQLite::OPEN_READONLY);
        SQLite::Statement q(db, "SELECT actor_id FROM audit_log WHERE action = ? AND subject = ? ORDER BY id");
        q.bind(1, action);
        q.bind(2, subject);
        std::vector<std::int64_t> actors;
        while (q.executeStep()) actors.push_back(q.getColumn(0).getInt64());
        return actors;
    }
};

std::int64_t user_id(client& c) { return c.get("/api/v1/me").json().at("id").as_int64(); }

json::object call_for(const std::string& school, json::object extra) {
    auto body = ticket_draft_json(school);
    for (auto& [k, v] : extra) body[k] = v;
    return body;
}

// A page's text area by id, HTML-unescaped enough for the tests' texts.
std::string textarea(const std::string& page, const std::string& id) {
    const std::regex re("<textarea id=\"" + id + "\"[^>]*>([^<]*)</textarea>");
    std::smatch m;
    if (!std::regex_search(page, m, re)) return "<none>";
    return m[1].str();
}

} // namespace

TEST_CASE("phone intake over the API: for a teacher, or a caller without an account", "[desk]") {
    desk_scene s;
    const auto dispatcher_id = user_id(s.dispatcher);

    // For a teacher: their ticket (Meine Tickets), the call taken by the dispatcher, the SLA running.
    auto r = s.dispatcher.post_json("/api/v1/tickets", call_for(s.school, {{"requester_id", s.teacher_id}}));
    INFO(r.body.substr(0, 400));
    REQUIRE(r.status == 201);
    const auto t = r.json();
    const auto number = number_of(t);
    CHECK(t.at("requester").at("id").as_int64() == s.teacher_id);
    CHECK(t.at("phone_intake").at("taken_by").at("id").as_int64() == dispatcher_id);
    CHECK(!t.at("phone_intake").as_object().contains("caller_name"));
    CHECK(t.at("events").at(0).at("actor").at("id").as_int64() == dispatcher_id);
    CHECK(t.at("assignee").at("id").as_int64() == s.m01.id);
    CHECK(t.at("sla").at("first_response").at("due_at").is_string());
    CHECK(s.audit("phone_intake", number) == std::vector<std::int64_t>{dispatcher_id});
    client teacher(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    CHECK(list_has(teacher.get("/api/v1/tickets").json(), number));
    CHECK(teacher.get("/tickets").body.find("/tickets/" + number) != std::string::npos);

    // A caller without an account: name and number; the dispatcher is the requester in the record.
    r = s.dispatcher.post_json("/api/v1/tickets", call_for(s.school, {{"caller_name", "Frau Özdemir (Sekretariat)"},
                                                                      {"caller_phone", "+49 231 / 50-12345"}}));
    REQUIRE(r.status == 201);
    const auto anonymous = r.json();
    CHECK(anonymous.at("requester").at("id").as_int64() == dispatcher_id);
    CHECK(anonymous.at("phone_intake").at("caller_name").as_string() == "Frau Özdemir (Sekretariat)");
    CHECK(anonymous.at("phone_intake").at("caller_phone").as_string() == "+49 231 / 50-12345");
    const auto page = s.manager.get("/tickets/" + number_of(anonymous)).body;
    CHECK(page.find("Frau Özdemir (Sekretariat) (ohne Konto)") != std::string::npos);
    CHECK(page.find("tel:+49 231 / 50-12345") != std::string::npos);

    // By login, as scripts know their teachers.
    r = s.dispatcher.post_json("/api/v1/tickets", call_for(s.school, {{"requester_login", "teacher-" + s.school}}));
    REQUIRE(r.status == 201);
    CHECK(r.json().at("requester").at("id").as_int64() == s.teacher_id);

    // The create contract without the new fields is unchanged: no phone_intake member.
    const auto plain = file_ticket(s.dispatcher, s.school);
    CHECK(!plain.as_object().contains("phone_intake"));
}

TEST_CASE("phone intake refusals", "[desk][security]") {
    desk_scene s;
    client teacher(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    struct refusal {
        const char* what;
        client* who;
        json::object extra;
        std::string school;
        unsigned status;
        const char* field;
    };
    const std::vector<refusal> cases{
        {"a campus manager may not file for others", &s.manager, {{"requester_id", s.teacher_id}}, s.school, 403, ""},
        {"nor a teacher", &teacher, {{"caller_name", "X"}, {"caller_phone", "0231 1"}}, s.school, 403, ""},
        {"a teacher of another school", &s.dispatcher, {{"requester_id", s.teacher_id}}, s.other_school, 422, "requester"},
        {"an account that is not a teacher", &s.dispatcher, {{"requester_id", user_id(s.manager)}}, s.school, 422, "requester"},
        {"no such account", &s.dispatcher, {{"requester_id", 99999999}}, s.school, 422, "requester"},
        {"a requester id that is no number", &s.dispatcher, {{"requester_id", "teacher"}}, s.school, 422, "requester_id"},
        {"an unknown login", &s.dispatcher, {{"requester_login", "nobody-here"}}, s.school, 422, "requester"},
        {"a login of another school", &s.dispatcher, {{"requester_login", "teacher-" + s.other_school}}, s.school, 422, "requester"},
        {"id and login at once", &s.dispatcher, {{"requester_id", s.teacher_id}, {"requester_login", "teacher-" + s.school}}, s.school, 422, "requester_login"},
        {"without an account, no name", &s.dispatcher, {{"caller_phone", "0231 12345"}}, s.school, 422, "caller_name"},
        {"without an account, no number", &s.dispatcher, {{"caller_name", "Herr Beck"}}, s.school, 422, "caller_phone"},
        {"letters in the number", &s.dispatcher, {{"caller_name", "Herr Beck"}, {"caller_phone", "0231-CALLME"}}, s.school, 422, "caller_phone"},
        {"a name over two lines", &s.dispatcher, {{"caller_name", "Herr\nBeck"}, {"caller_phone", "0231 12345"}}, s.school, 422, "caller_name"},
        {"a name of the wrong type", &s.dispatcher, {{"caller_name", 7}, {"caller_phone", "0231 12345"}}, s.school, 422, "caller_name"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        const auto r = c.who->post_json("/api/v1/tickets", call_for(c.school, c.extra));
        INFO(r.body.substr(0, 300));
        CHECK(r.status == c.status);
        if (c.status == 422) CHECK(std::string(r.json().at("error").at("field").as_string()) == c.field);
    }
    // The page: only the help desk; the form needs its CSRF token; a refused form keeps the entries.
    CHECK(s.manager.get("/dispatch/telefon").status == 403);
    CHECK(teacher.get("/dispatch/telefon").status == 403);
    CHECK(s.dispatcher.get("/dispatch/telefon").status == 200);
    CHECK(s.dispatcher.get("/dispatch/telefon?school=" + s.school).body.find("teacher-" + s.school) != std::string::npos);
    CHECK(s.dispatcher.get("/dispatch/telefon?school=nope").status == 422);
    std::map<std::string, std::string> form{{"school_number", s.school}, {"category", "presentation"},
                                            {"priority", "normal"},      {"title", "Beamer flackert"},
                                            {"requester", ""},           {"caller_name", "Herr Beck"}};
    CHECK(s.dispatcher.post_form("/dispatch/telefon", form).status == 403);
    form["csrf"] = s.dispatcher.csrf;
    auto r = s.dispatcher.post_form("/dispatch/telefon", form);
    CHECK(r.status == 422);
    CHECK(r.body.find("Bitte eine Rückrufnummer angeben.") != std::string::npos);
    CHECK(r.body.find("value=\"Herr Beck\"") != std::string::npos);
    form["caller_phone"] = "0231 4711";
    r = s.dispatcher.post_form("/dispatch/telefon", form);
    CHECK(r.status == 303);
    CHECK(r.headers["location"].find("?telefon=1") != std::string::npos);
    form["csrf"] = s.manager.csrf;
    CHECK(s.manager.post_form("/dispatch/telefon", form).status == 403);
}

TEST_CASE("canned replies: shared and own, who keeps them, inserted into a reply without JavaScript", "[desk]") {
    desk_scene s;
    client teacher(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    CHECK(teacher.get("/textbausteine").status == 403);
    CHECK(teacher.post_form("/textbausteine", {{"csrf", teacher.csrf}, {"title", "x"}, {"body", "y"}}).status == 403);

    // The help desk shares one; a manager may not share, but keeps their own.
    auto r = s.dispatcher.post_form("/textbausteine", {{"csrf", s.dispatcher.csrf}, {"title", "Neustart"},
                                                       {"body", "Bitte starten Sie das Gerät einmal neu."},
                                                       {"category", ""}, {"scope", "shared"}});
    CHECK(r.status == 200);
    r = s.manager.post_form("/textbausteine", {{"csrf", s.manager.csrf}, {"title", "Geteilt?"}, {"body", "x"}, {"scope", "shared"}});
    CHECK(r.status == 403);
    r = s.manager.post_form("/textbausteine", {{"csrf", s.manager.csrf}, {"title", "Komme vorbei"},
                                               {"body", "Ich komme morgen um 8 Uhr vorbei."}, {"category", "presentation"},
                                               {"scope", "own"}});
    CHECK(r.status == 200);
    CHECK(s.manager.post_form("/textbausteine", {{"title", "ohne CSRF"}, {"body", "x"}}).status == 403);
    CHECK(s.manager.post_form("/textbausteine", {{"csrf", s.manager.csrf}, {"title", ""}, {"body", "x"}}).status == 422);
    CHECK(s.manager.post_form("/textbausteine", {{"csrf", s.manager.csrf}, {"title", "t"}, {"body", "x"}, {"category", "nope"}}).status == 422);

    SQLite::Database db((s.data.path / "campusdesk.db").string(), SQLite::OPEN_READONLY);
    const auto id_of = [&](const std::string& title) {
        SQLite::Statement q(db, "SELECT id FROM canned_replies WHERE title = ?");
        q.bind(1, title);
        REQUIRE(q.executeStep());
        return std::to_string(q.getColumn(0).getInt64());
    };
    const auto shared_id = id_of("Neustart"), own_id = id_of("Komme vorbei");
    CHECK(s.audit("canned_reply_add", shared_id).size() == 1);
    // Changing: the help desk its shared one, a manager not.
    CHECK(s.manager.get("/textbausteine?bearbeiten=" + shared_id).status == 403);
    CHECK(s.dispatcher.get("/textbausteine?bearbeiten=" + shared_id).body.find("Bitte starten Sie das Gerät") != std::string::npos);
    CHECK(s.manager.post_form("/textbausteine", {{"csrf", s.manager.csrf}, {"id", shared_id}, {"title", "Neustart"},
                                                 {"body", "anders"}, {"scope", "own"}}).status == 403);
    CHECK(s.dispatcher.post_form("/textbausteine", {{"csrf", s.dispatcher.csrf}, {"id", shared_id}, {"title", "Neustart"},
                                                    {"body", "Bitte starten Sie das Gerät einmal neu."}, {"scope", "shared"}})
              .status == 200);
    CHECK(s.audit("canned_reply_change", shared_id).size() == 1);
    // Someone else's own reply is nobody else's business: 404 to change, delete or insert.
    CHECK(s.dispatcher.get("/textbausteine?bearbeiten=" + own_id).status == 404);
    CHECK(s.dispatcher.post_form("/textbausteine/loeschen", {{"csrf", s.dispatcher.csrf}, {"id", own_id}}).status == 404);
    CHECK(s.manager.post_form("/textbausteine/loeschen", {{"csrf", s.manager.csrf}, {"id", shared_id}}).status == 403);

    // Inserted into the reply form: the typed text kept, the canned text after it, nothing sent.
    const auto number = number_of(file_ticket(teacher, s.school));
    const auto page = s.manager.get("/tickets/" + number).body;
    CHECK(page.find("Komme vorbei") != std::string::npos);
    CHECK(page.find("Neustart") != std::string::npos);
    r = s.manager.post_form("/tickets/" + number, {{"csrf", s.manager.csrf}, {"action", "reply"}, {"body", "Guten Tag,"},
                                                   {"insert", "reply"}, {"canned", own_id}});
    CHECK(r.status == 200);
    CHECK(textarea(r.body, "body") == "Guten Tag,\n\nIch komme morgen um 8 Uhr vorbei.");
    CHECK(r.body.find("<title>Fehler") == std::string::npos);
    CHECK(event_kinds(get_ticket(s.manager, number)) == std::vector<std::string>{"created"});
    r = s.manager.post_form("/tickets/" + number, {{"csrf", s.manager.csrf}, {"action", "status"}, {"status", "resolved"},
                                                   {"note", ""}, {"insert", "status"}, {"canned", shared_id}});
    CHECK(r.status == 200);
    CHECK(textarea(r.body, "status-note") == "Bitte starten Sie das Gerät einmal neu.");
    CHECK(r.body.find("<option value=\"resolved\" selected>") != std::string::npos);
    // The dispatcher cannot insert the manager's own reply.
    r = s.dispatcher.post_form("/tickets/" + number, {{"csrf", s.dispatcher.csrf}, {"action", "reply"}, {"body", "x"},
                                                      {"insert", "reply"}, {"canned", own_id}});
    CHECK(r.status == 422);
    CHECK(r.body.find("Bitte einen Textbaustein auswählen.") != std::string::npos);
    // Deleting one's own.
    CHECK(s.manager.post_form("/textbausteine/loeschen", {{"csrf", s.manager.csrf}, {"id", own_id}}).status == 200);
    CHECK(s.manager.get("/tickets/" + number).body.find("Komme vorbei") == std::string::npos);
}

TEST_CASE("admin pages: least privilege, CSRF, accounts end to end", "[desk][security]") {
    desk_scene s;
    client teacher(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    for (client* c : {&teacher, &s.manager, &s.dispatcher})
        for (const char* path : {"/admin/benutzer", "/admin/schulen", "/admin/konfiguration", "/admin/benutzer/1"})
            CHECK(c->get(path).status == 403);
    CHECK(s.manager.post_form("/admin/benutzer", {{"csrf", s.manager.csrf}, {"login", "x"}}).status == 403);
    CHECK(s.admin.get("/admin/benutzer?q=manager0").body.find("manager01") != std::string::npos);
    CHECK(s.admin.get("/admin/konfiguration").body.find("[[tickets.categories]]") != std::string::npos);

    // Adding: refused entries come back with their errors; without CSRF nothing happens.
    std::map<std::string, std::string> form{{"login", "neue lehrkraft"}, {"name", "Neue Lehrkraft"}, {"role", "teacher"},
                                            {"school", ""}};
    CHECK(s.admin.post_form("/admin/benutzer", form).status == 403);
    form["csrf"] = s.admin.csrf;
    auto r = s.admin.post_form("/admin/benutzer", form);
    CHECK(r.status == 422);
    CHECK(r.body.find("Anmeldename: 1 bis 100 Zeichen") != std::string::npos);
    CHECK(r.body.find("Eine Lehrkraft braucht ihre Schule.") != std::string::npos);
    form["login"] = "neu.lehrkraft";
    form["school"] = s.school;
    form["password"] = "password1";
    CHECK(s.admin.post_form("/admin/benutzer", form).status == 422);
    form["login"] = "manager01";
    form["password"] = "";
    CHECK(s.admin.post_form("/admin/benutzer", form).body.find("Diesen Anmeldenamen gibt es schon.") != std::string::npos);
    form["login"] = "neu.lehrkraft";
    r = s.admin.post_form("/admin/benutzer", form);
    REQUIRE(r.status == 201);
    std::smatch m;
    REQUIRE(std::regex_search(r.body, m, std::regex("<code id=\"einmalig\">([^<]+)</code>")));
    const std::string password = m[1].str();
    client fresh(s.server.port());
    auto login = fresh.login("neu.lehrkraft", password);
    REQUIRE(login.status == 200);
    const auto id = std::to_string(login.json().at("user").at("id").as_int64());
    const auto admin_id = user_id(s.admin);
    CHECK(s.audit("user_add", "neu.lehrkraft") == std::vector<std::int64_t>{admin_id});
    const auto base = "/admin/benutzer/" + id;

    // Disabling ends the session and refuses logins; enabling lets them in again.
    CHECK(s.admin.post_form(base + "/sperren", {}).status == 403);
    CHECK(s.admin.post_form(base + "/sperren", {{"csrf", s.admin.csrf}}).status == 200);
    CHECK(fresh.get("/api/v1/me").status == 401);
    CHECK(client(s.server.port()).login("neu.lehrkraft", password).status == 401);
    CHECK(s.admin.post_form(base + "/entsperren", {{"csrf", s.admin.csrf}}).status == 200);
    REQUIRE(fresh.login("neu.lehrkraft", password).status == 200);

    // A password of the admin's choice obeys the policy; a set one ends the sessions.
    CHECK(s.admin.post_form(base + "/passwort", {{"csrf", s.admin.csrf}, {"password", "kurz"}}).status == 422);
    CHECK(s.admin.post_form(base + "/passwort", {{"csrf", s.admin.csrf}, {"password", "Drei Bäume am Phoenix-See"}}).status == 200);
    CHECK(fresh.get("/api/v1/me").status == 401);
    REQUIRE(fresh.login("neu.lehrkraft", "Drei Bäume am Phoenix-See").status == 200);
    CHECK(s.audit("user_passwd", "neu.lehrkraft") == std::vector<std::int64_t>{admin_id});

    // An API token is shown once and works; ending all sessions ends it.
    CHECK(s.admin.post_form(base + "/token", {{"csrf", s.admin.csrf}, {"label", "Test"}, {"days", "0"}}).status == 422);
    r = s.admin.post_form(base + "/token", {{"csrf", s.admin.csrf}, {"label", "Inventar"}, {"days", "30"}});
    REQUIRE(r.status == 200);
    REQUIRE(std::regex_search(r.body, m, std::regex("<code id=\"einmalig\">([^<]+)</code>")));
    const std::string token = m[1].str();
    client script(s.server.port());
    CHECK(script.request(boost::beast::http::verb::get, "/api/v1/me", "", "", {{"Authorization", "Bearer " + token}}).status == 200);
    CHECK(s.admin.post_form(base + "/abmelden", {{"csrf", s.admin.csrf}}).status == 200);
    CHECK(script.request(boost::beast::http::verb::get, "/api/v1/me", "", "", {{"Authorization", "Bearer " + token}}).status == 401);
    CHECK(fresh.get("/api/v1/me").status == 401);
    CHECK(s.admin.post_form(base + "/widerrufen", {{"csrf", s.admin.csrf}, {"cid", "000000000000"}}).status == 422);
    // The admin cannot lock themselves out.
    CHECK(s.admin.post_form("/admin/benutzer/" + std::to_string(admin_id) + "/sperren", {{"csrf", s.admin.csrf}}).status == 422);
    CHECK(s.admin.get("/admin/benutzer/99999999").status == 404);
}

TEST_CASE("admin moves a school: new tickets and its open tickets go to the new manager, audited", "[desk]") {
    desk_scene s;
    const auto open_before = number_of(file_ticket(s.dispatcher, s.school));
    REQUIRE(get_ticket(s.admin, open_before).at("assignee").at("id").as_int64() == s.m01.id);
    const std::map<std::string, std::string> move{{"csrf", s.admin.csrf}, {"manager_id", std::to_string(s.m02.id)}};
    CHECK(s.manager.post_form("/admin/schulen/" + s.school, {{"csrf", s.manager.csrf}, {"manager_id", std::to_string(s.m02.id)}}).status == 403);
    CHECK(s.admin.post_form("/admin/schulen/" + s.school, {{"manager_id", std::to_string(s.m02.id)}}).status == 403);
    CHECK(s.admin.post_form("/admin/schulen/" + s.school, {{"csrf", s.admin.csrf}, {"manager_id", "abc"}}).status == 422);
    CHECK(s.admin.post_form("/admin/schulen/99999", move).status == 404);
    auto r = s.admin.post_form("/admin/schulen/" + s.school, move);
    CHECK(r.status == 200);
    CHECK(r.body.find("1 offene Tickets sind mitgegangen") != std::string::npos);
    const auto moved = get_ticket(s.admin, open_before);
    CHECK(moved.at("assignee").at("id").as_int64() == s.m02.id);
    CHECK(last_event(moved).at("kind").as_string() == "assigned");
    CHECK(last_event(moved).at("actor").at("id").as_int64() == user_id(s.admin));
    CHECK(s.audit("school_move", s.school) == std::vector<std::int64_t>{user_id(s.admin)});
    // New tickets are routed to the new manager at once; the directory says so too.
    const auto fresh = file_ticket(s.dispatcher, s.school);
    CHECK(fresh.at("assignee").at("id").as_int64() == s.m02.id);
    const auto m02_now = find_manager(s.admin, "manager02");
    CHECK(std::find(m02_now.schools.begin(), m02_now.schools.end(), s.school) != m02_now.schools.end());
    // The old manager no longer sees the school's new tickets.
    CHECK(s.manager.get("/api/v1/tickets/" + number_of(fresh)).status == 404);
}

TEST_CASE("a school moved on the admin page stays moved after a restart", "[desk]") {
    temp_dir data;
    std::string school;
    std::int64_t m02 = 0;
    {
        server_process server(data.path);
        client admin(server.port());
        REQUIRE(admin.login("admin").status == 200);
        school = find_manager(admin, "manager01").schools.front();
        m02 = find_manager(admin, "manager02").id;
        REQUIRE(admin.post_form("/admin/schulen/" + school, {{"csrf", admin.csrf}, {"manager_id", std::to_string(m02)}}).status == 200);
    }
    server_process again(data.path);
    client admin(again.port());
    REQUIRE(admin.login("admin").status == 200);
    const auto m = find_manager(admin, "manager02");
    CHECK(std::find(m.schools.begin(), m.schools.end(), school) != m.schools.end());
}
