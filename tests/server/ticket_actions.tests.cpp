// Ticket actions over real HTTP (issue 4): replies and internal notes, status transitions (SLA.md §3), the
// requester's rights, priority, assignment, escalation, the page forms, and the history/audit trail.
#include "tests/server/ticket_helpers.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <set>

using namespace campusdesk::testing;
namespace json = boost::json;

namespace {

// A server with the demo data, a teacher of one of manager01's schools, that manager and a dispatcher.
struct scene {
    temp_dir data;
    server_process server{data.path};
    client admin{server.port()};
    client teacher{server.port()};
    client manager{server.port()};
    client dispatcher{server.port()};
    manager_info m01;
    std::string school;

    scene() {
        REQUIRE(admin.login("admin").status == 200);
        m01 = find_manager(admin, "manager01");
        REQUIRE(!m01.schools.empty());
        school = m01.schools.front();
        REQUIRE(teacher.login("teacher-" + school).status == 200);
        REQUIRE(manager.login("manager01").status == 200);
        REQUIRE(dispatcher.login("dispatch1").status == 200);
    }
};

json::object status_body(const std::string& to, const std::string& note = {}) {
    return {{"status", to}, {"note", note}};
}

std::int64_t user_id(client& c) { return c.get("/api/v1/me").json().at("id").as_int64(); }

} // namespace

TEST_CASE("a teacher never sees an internal note; staff do", "[actions]") {
    scene s;
    const auto number = number_of(file_ticket(s.teacher, s.school));
    const std::string secret = "GEHEIMNOTIZ Passwort des Routers";

    auto note = act(s.manager, number, "replies", json::object{{"body", secret}, {"internal", true}});
    INFO(note.body.substr(0, 300));
    REQUIRE(note.status == 201);
    {
        const auto t = note.json();
        CHECK(last_event(t).at("kind").as_string() == "internal_note");
    }
    REQUIRE(act(s.manager, number, "replies", json::object{{"body", "Ich komme morgen vorbei."}}).status == 201);

    // The teacher: API ticket, ticket page, list and search never show the note.
    auto api = s.teacher.get("/api/v1/tickets/" + number);
    REQUIRE(api.status == 200);
    CHECK(api.body.find("GEHEIMNOTIZ") == std::string::npos);
    {
        const auto t = api.json();
        const auto kinds = event_kinds(t);
        CHECK(std::count(kinds.begin(), kinds.end(), "internal_note") == 0);
        CHECK(std::count(kinds.begin(), kinds.end(), "public_reply") == 1);
    }
    auto page = s.teacher.get("/tickets/" + number);
    REQUIRE(page.status == 200);
    CHECK(page.body.find("GEHEIMNOTIZ") == std::string::npos);
    CHECK(page.body.find("Ich komme morgen vorbei.") != std::string::npos);
    auto list = s.teacher.get("/api/v1/tickets?limit=200");
    REQUIRE(list.status == 200);
    CHECK(list_has(list.json(), number));
    CHECK(list.body.find("GEHEIMNOTIZ") == std::string::npos);
    auto search = s.teacher.get("/api/v1/tickets?q=GEHEIMNOTIZ");
    REQUIRE(search.status == 200);
    CHECK_FALSE(list_has(search.json(), number));
    auto my_page = s.teacher.get("/tickets");
    CHECK(my_page.body.find("GEHEIMNOTIZ") == std::string::npos);

    // Staff see it, in the API and on the page.
    for (auto* staff : {&s.manager, &s.dispatcher}) {
        const auto t = get_ticket(*staff, number);
        const auto kinds = event_kinds(t);
        CHECK(std::count(kinds.begin(), kinds.end(), "internal_note") == 1);
        auto staff_page = staff->get("/tickets/" + number);
        REQUIRE(staff_page.status == 200);
        CHECK(staff_page.body.find("GEHEIMNOTIZ") != std::string::npos);
    }

    // A teacher cannot write an internal note, through the API or the page form.
    auto refused = act(s.teacher, number, "replies", json::object{{"body", "intern?"}, {"internal", true}});
    CHECK(refused.status == 403);
    CHECK(refused.error_code() == "forbidden");
    auto form = s.teacher.post_form("/tickets/" + number + "/reply",
                                    {{"csrf", s.teacher.csrf}, {"body", "intern?"}, {"internal", "1"}});
    CHECK(form.status == 403);
    {
        const auto t = get_ticket(s.manager, number);
        const auto kinds = event_kinds(t);
        CHECK(std::count(kinds.begin(), kinds.end(), "internal_note") == 1);
        CHECK(kinds.size() == 3);  // created, internal_note, public_reply: the refusals left nothing behind
    }
    // internal must be a boolean; an empty body is refused.
    CHECK(act(s.manager, number, "replies", json::object{{"body", "x"}, {"internal", "yes"}}).status == 422);
    auto empty = act(s.manager, number, "replies", json::object{{"body", "   "}});
    CHECK(empty.status == 422);
    CHECK(empty.error_code() == "required");
    // The teacher's own public reply works.
    CHECK(act(s.teacher, number, "replies", json::object{{"body", "Danke!"}}).status == 201);
}

TEST_CASE("staff status transitions follow SLA.md §3", "[actions]") {
    scene s;
    const auto number = number_of(file_ticket(s.teacher, s.school));
    const auto manager_user = user_id(s.manager);

    SECTION("allowed transitions answer 200 and record their own event kinds") {
        auto r = act(s.manager, number, "status", status_body("open"));
        REQUIRE(r.status == 200);
        {
            const auto t = r.json();
            CHECK(t.at("status").as_string() == "open");
            const auto& e = last_event(t);
            CHECK(e.at("kind").as_string() == "status_changed");
            CHECK(e.at("status").as_string() == "open");
            CHECK(e.at("actor").at("id").as_int64() == manager_user);
            CHECK_FALSE(e.at("at").as_string().empty());
        }
        // new is never a target.
        auto back_to_new = act(s.manager, number, "status", status_body("new"));
        CHECK(back_to_new.status == 409);
        CHECK(back_to_new.error_code() == "transition_not_allowed");
        // Same status again is no transition.
        CHECK(act(s.manager, number, "status", status_body("open")).status == 409);
        CHECK(act(s.manager, number, "status", status_body("waiting_on_third_party")).status == 200);
        CHECK(act(s.manager, number, "status", status_body("waiting_on_requester", "Welcher Raum?")).status == 200);

        // Resolving needs a resolution note.
        auto bare = act(s.manager, number, "status", status_body("resolved"));
        CHECK(bare.status == 422);
        CHECK(bare.error_code() == "required");
        CHECK(bare.json().at("error").at("field").as_string() == "note");
        CHECK(act(s.manager, number, "status", status_body("resolved", "   ")).status == 422);
        r = act(s.manager, number, "status", status_body("resolved", "Lampe getauscht."));
        REQUIRE(r.status == 200);
        {
            const auto t = r.json();
            CHECK(t.at("status").as_string() == "resolved");
            CHECK(last_event(t).at("kind").as_string() == "resolved");
            CHECK(last_event(t).at("body").as_string() == "Lampe getauscht.");
            CHECK(t.at("sla").at("resolution").at("verdict").as_string() == "met");
        }
        // resolved -> waiting_on_requester / waiting_on_third_party: not allowed.
        for (const char* to : {"waiting_on_requester", "waiting_on_third_party", "resolved", "new"}) {
            INFO(to);
            auto refused = act(s.manager, number, "status", status_body(to, "x"));
            CHECK(refused.status == 409);
            CHECK(refused.error_code() == "transition_not_allowed");
        }
        // resolved -> open is a reopen.
        r = act(s.manager, number, "status", status_body("open", "Doch nicht gelöst."));
        REQUIRE(r.status == 200);
        {
            const auto t = r.json();
            CHECK(t.at("status").as_string() == "open");
            CHECK(last_event(t).at("kind").as_string() == "reopened");
        }
        r = act(s.manager, number, "status", status_body("closed"));
        REQUIRE(r.status == 200);
        {
            const auto t = r.json();
            CHECK(t.at("status").as_string() == "closed");
            CHECK(last_event(t).at("kind").as_string() == "closed");
        }
        // closed is final, for every action.
        for (const char* to : {"open", "resolved", "waiting_on_requester"}) {
            INFO(to);
            auto refused = act(s.dispatcher, number, "status", status_body(to, "x"));
            CHECK(refused.status == 409);
            CHECK(refused.error_code() == "transition_not_allowed");
        }
        CHECK(act(s.manager, number, "replies", json::object{{"body", "Noch da?"}}).status == 409);
        CHECK(act(s.teacher, number, "replies", json::object{{"body", "Noch da?"}}).status == 409);
        CHECK(act(s.manager, number, "priority", json::object{{"priority", "high"}, {"note", "x"}}).status == 409);
        CHECK(act(s.manager, number, "escalate", json::object{{"partner", "carrier"}}).status == 409);
        CHECK(act(s.dispatcher, number, "assign", json::object{{"manager_id", s.m01.id + 1}}).status == 409);

        const auto t = get_ticket(s.dispatcher, number);
        CHECK(event_kinds(t) == std::vector<std::string>{"created", "status_changed", "status_changed",
                                                          "status_changed", "resolved", "reopened", "closed"});
    }
    SECTION("new may go straight to resolved or closed") {
        CHECK(act(s.manager, number, "status", status_body("resolved", "Per Telefon gelöst.")).status == 200);
        CHECK(act(s.manager, number, "status", status_body("closed")).status == 200);
    }
    SECTION("bad input") {
        auto unknown = act(s.manager, number, "status", status_body("erledigt"));
        CHECK(unknown.status == 422);
        CHECK(unknown.error_code() == "unknown_status");
        CHECK(act(s.manager, number, "status", json::object{{"status", 3}}).status == 422);
        CHECK(s.manager.request(boost::beast::http::verb::post, "/api/v1/tickets/" + number + "/status", "{",
                                "application/json", {{"X-CSRF-Token", s.manager.csrf}})
                  .status == 400);
        CHECK(s.manager.request(boost::beast::http::verb::post, "/api/v1/tickets/" + number + "/status",
                                R"({"status":"open"})", "application/json")
                  .status == 403);  // no CSRF header
        CHECK(act(s.manager, "CD-2026-999999", "status", status_body("open")).status == 404);
        CHECK(act(s.manager, "nonsense", "status", status_body("open")).status == 404);
        CHECK(act(s.manager, number, "frobnicate", json::object{}).status == 404);
    }
}

TEST_CASE("the requester's rights on their ticket", "[actions]") {
    scene s;
    const auto teacher_user = user_id(s.teacher);

    SECTION("a reply to a question moves the ticket back to open, by the system") {
        const auto number = number_of(file_ticket(s.teacher, s.school));
        REQUIRE(act(s.manager, number, "status", status_body("waiting_on_requester", "Welcher Beamer?")).status == 200);
        auto page = s.teacher.get("/tickets/" + number);
        CHECK(page.body.find("Rückfrage") != std::string::npos);
        auto r = act(s.teacher, number, "replies", json::object{{"body", "Der im Raum B 1.12."}});
        REQUIRE(r.status == 201);
        const auto t = r.json();
        CHECK(t.at("status").as_string() == "open");
        const auto& events = t.at("events").as_array();
        REQUIRE(events.size() == 4);
        CHECK(events[2].at("kind").as_string() == "public_reply");
        CHECK(events[2].at("actor").at("id").as_int64() == teacher_user);
        CHECK(events[3].at("kind").as_string() == "status_changed");
        CHECK(events[3].at("status").as_string() == "open");
        CHECK(events[3].at("actor").at("id").as_int64() == 0);
        CHECK(events[3].at("actor").at("name").as_string() == "System");
        // A teacher's reply to an open ticket changes nothing else.
        r = act(s.teacher, number, "replies", json::object{{"body", "Nachtrag."}});
        REQUIRE(r.status == 201);
        CHECK(r.json().at("events").as_array().size() == 5);
        // A staff reply to a ticket waiting on the requester leaves it waiting.
        REQUIRE(act(s.manager, number, "status", status_body("waiting_on_requester", "Und welche Lampe?")).status == 200);
        r = act(s.manager, number, "replies", json::object{{"body", "Bitte Foto schicken."}});
        REQUIRE(r.status == 201);
        CHECK(r.json().at("status").as_string() == "waiting_on_requester");
    }
    SECTION("the teacher may not set other statuses") {
        const auto number = number_of(file_ticket(s.teacher, s.school));
        for (const char* to : {"open", "waiting_on_requester", "waiting_on_third_party", "resolved"}) {
            INFO(to);
            auto refused = act(s.teacher, number, "status", status_body(to, "Hab's selbst gelöst."));
            CHECK(refused.status == 403);
            CHECK(refused.error_code() == "forbidden");
        }
        CHECK(act(s.teacher, number, "priority", json::object{{"priority", "critical"}, {"note", "eilig"}}).status == 403);
        CHECK(act(s.teacher, number, "assign", json::object{{"manager_id", s.m01.id}}).status == 403);
        CHECK(act(s.teacher, number, "escalate", json::object{{"partner", "carrier"}}).status == 403);
        CHECK(get_ticket(s.teacher, number).at("events").as_array().size() == 1);
    }
    SECTION("reopen within the window, then confirm the resolution") {
        const auto number = number_of(file_ticket(s.teacher, s.school));
        REQUIRE(act(s.manager, number, "status", status_body("resolved", "Kabel getauscht.")).status == 200);
        auto page = s.teacher.get("/tickets/" + number);
        CHECK(page.body.find("Lösung bestätigen") != std::string::npos);
        CHECK(page.body.find("wieder öffnen") != std::string::npos);
        auto r = act(s.teacher, number, "status", status_body("open", "Geht wieder nicht."));
        REQUIRE(r.status == 200);
        {
            const auto t = r.json();
            CHECK(t.at("status").as_string() == "open");
            CHECK(last_event(t).at("kind").as_string() == "reopened");
            CHECK(last_event(t).at("actor").at("id").as_int64() == teacher_user);
        }
        REQUIRE(act(s.manager, number, "status", status_body("resolved", "Beamer getauscht.")).status == 200);
        auto refused = act(s.teacher, number, "status", status_body("waiting_on_requester"));
        CHECK(refused.status == 409);  // not an allowed transition at all
        r = act(s.teacher, number, "status", status_body("closed"));
        REQUIRE(r.status == 200);
        {
            const auto t = r.json();
            CHECK(t.at("status").as_string() == "closed");
            CHECK(last_event(t).at("kind").as_string() == "closed");
            CHECK(last_event(t).at("actor").at("id").as_int64() == teacher_user);
        }
        CHECK(act(s.teacher, number, "status", status_body("open")).status == 409);
    }
    SECTION("withdraw while not resolved") {
        const auto number = number_of(file_ticket(s.teacher, s.school));
        REQUIRE(act(s.manager, number, "status", status_body("waiting_on_third_party")).status == 200);
        auto r = act(s.teacher, number, "status", status_body("closed", "Hat sich erledigt."));
        REQUIRE(r.status == 200);
        const auto t = r.json();
        CHECK(t.at("status").as_string() == "closed");
        CHECK(last_event(t).at("kind").as_string() == "closed");
    }
    SECTION("another teacher gets 404 for everything") {
        const auto number = number_of(file_ticket(s.teacher, s.school));
        const auto m02 = find_manager(s.admin, "manager02");
        client other(s.server.port());
        REQUIRE(other.login("teacher-" + m02.schools.front()).status == 200);
        CHECK(other.get("/api/v1/tickets/" + number).status == 404);
        CHECK(other.get("/tickets/" + number).status == 404);
        for (const auto& [action, body] : std::vector<std::pair<std::string, json::value>>{
                 {"replies", json::object{{"body", "Hallo"}}},
                 {"status", status_body("closed")},
                 {"priority", json::object{{"priority", "high"}, {"note", "x"}}},
                 {"assign", json::object{{"manager_id", s.m01.id}}},
                 {"escalate", json::object{{"partner", "carrier"}}}}) {
            INFO(action);
            auto r = act(other, number, action, body);
            CHECK(r.status == 404);
            CHECK(r.error_code() == "not_found");
        }
        CHECK(other.post_form("/tickets/" + number + "/status", {{"csrf", other.csrf}, {"status", "closed"}}).status ==
              404);
        // And a manager of other schools as well.
        client m02c(s.server.port());
        REQUIRE(m02c.login("manager02").status == 200);
        CHECK(act(m02c, number, "replies", json::object{{"body", "Hallo"}}).status == 404);
        CHECK(get_ticket(s.manager, number).at("events").as_array().size() == 1);
    }
}

TEST_CASE("priority changes need a reason and move the SLA targets", "[actions]") {
    scene s;
    const auto number = number_of(file_ticket(s.teacher, s.school, "presentation", "normal"));
    CHECK(act(s.teacher, number, "priority", json::object{{"priority", "critical"}, {"note", "eilig"}}).status == 403);
    auto bare = act(s.manager, number, "priority", json::object{{"priority", "critical"}});
    CHECK(bare.status == 422);
    CHECK(bare.error_code() == "required");
    CHECK(bare.json().at("error").at("field").as_string() == "note");
    auto same = act(s.manager, number, "priority", json::object{{"priority", "normal"}, {"note", "bleibt"}});
    CHECK(same.status == 409);
    CHECK(same.error_code() == "unchanged");
    CHECK(act(s.manager, number, "priority", json::object{{"priority", "urgent"}, {"note", "x"}}).status == 422);

    auto r = act(s.manager, number, "priority", json::object{{"priority", "critical"}, {"note", "Abiturklausur."}});
    REQUIRE(r.status == 200);
    {
        const auto t = r.json();
        CHECK(t.at("priority").as_string() == "critical");
        CHECK(t.at("sla").at("first_response").at("target_minutes").as_int64() == 60);
        CHECK(t.at("sla").at("resolution").at("target_minutes").as_int64() == 540);
        const auto& e = last_event(t);
        CHECK(e.at("kind").as_string() == "priority_changed");
        CHECK(e.at("priority").as_string() == "critical");
        CHECK(e.at("body").as_string() == "Abiturklausur.");
    }
    r = act(s.dispatcher, number, "priority", json::object{{"priority", "low"}, {"note", "Hat Zeit."}});
    REQUIRE(r.status == 200);
    {
        const auto t = get_ticket(s.teacher, number);  // the teacher sees the new targets too
        CHECK(t.at("priority").as_string() == "low");
        CHECK(t.at("sla").at("first_response").at("target_minutes").as_int64() == 1080);
        CHECK(t.at("sla").at("resolution").at("target_minutes").as_int64() == 5400);
    }
    // The list agrees with the ticket.
    auto list = s.manager.get("/api/v1/tickets?priority=low&school=" + s.school + "&limit=200");
    REQUIRE(list.status == 200);
    CHECK(list_has(list.json(), number));
}

TEST_CASE("only the help desk assigns, to a known manager", "[actions]") {
    scene s;
    const auto number = number_of(file_ticket(s.teacher, s.school));
    const auto m02 = find_manager(s.admin, "manager02");
    client manager02(s.server.port());
    REQUIRE(manager02.login("manager02").status == 200);
    CHECK(manager02.get("/api/v1/tickets/" + number).status == 404);

    auto refused = act(s.manager, number, "assign", json::object{{"manager_id", m02.id}, {"note", "Bitte übernehmen"}});
    CHECK(refused.status == 403);
    CHECK(refused.error_code() == "forbidden");
    auto unknown = act(s.dispatcher, number, "assign", json::object{{"manager_id", 99999}});
    CHECK(unknown.status == 422);
    CHECK(unknown.error_code() == "unknown_manager");
    CHECK(act(s.dispatcher, number, "assign", json::object{{"manager_id", "manager02"}}).status == 422);
    CHECK(act(s.dispatcher, number, "assign", json::object{{"note", "wohin?"}}).status == 422);
    auto same = act(s.dispatcher, number, "assign", json::object{{"manager_id", s.m01.id}});
    CHECK(same.status == 409);

    auto r = act(s.dispatcher, number, "assign", json::object{{"manager_id", m02.id}, {"note", "Vor Ort in der Nähe."}});
    REQUIRE(r.status == 200);
    {
        const auto t = r.json();
        CHECK(t.at("assignee").at("id").as_int64() == m02.id);
        const auto& e = last_event(t);
        CHECK(e.at("kind").as_string() == "assigned");
        CHECK(e.at("manager_id").as_int64() == m02.id);
        CHECK(e.at("body").as_string() == "Vor Ort in der Nähe.");
    }
    auto mine = manager02.get("/api/v1/tickets?assignee=me&limit=200");
    REQUIRE(mine.status == 200);
    CHECK(list_has(mine.json(), number));
    CHECK(manager02.get("/api/v1/tickets/" + number).status == 200);
    auto old_mine = s.manager.get("/api/v1/tickets?assignee=me&limit=200");
    CHECK_FALSE(list_has(old_mine.json(), number));
    // The admin may assign as well (back to the school's manager).
    r = act(s.admin, number, "assign", json::object{{"manager_id", s.m01.id}});
    REQUIRE(r.status == 200);
    CHECK(r.json().at("assignee").at("id").as_int64() == s.m01.id);
    CHECK(manager02.get("/api/v1/tickets/" + number).status == 404);
}

TEST_CASE("escalation to a partner and taking it back", "[actions]") {
    scene s;
    const auto number = number_of(file_ticket(s.teacher, s.school, "network"));

    CHECK(s.teacher.get("/api/v1/partners").status == 403);
    auto partners = s.manager.get("/api/v1/partners");
    REQUIRE(partners.status == 200);
    std::set<std::string> ids;
    const auto partner_list = partners.json();
    for (const auto& p : partner_list.as_array()) ids.emplace(p.at("id").as_string());
    CHECK(ids.contains("carrier"));
    CHECK(ids.contains("systemhaus"));

    auto unknown = act(s.manager, number, "escalate", json::object{{"partner", "telekom"}});
    CHECK(unknown.status == 422);
    CHECK(unknown.error_code() == "unknown_partner");
    CHECK(act(s.manager, number, "escalate", json::object{}).status == 422);

    auto r = act(s.manager, number, "escalate", json::object{{"partner", "carrier"}, {"note", "Glasfaser gestört."}});
    REQUIRE(r.status == 200);
    {
        const auto t = r.json();
        CHECK(t.at("status").as_string() == "waiting_on_third_party");
        CHECK(t.at("partner").as_string() == "carrier");
        const auto& e = last_event(t);
        CHECK(e.at("kind").as_string() == "escalated");
        CHECK(e.at("partner").as_string() == "carrier");
    }
    auto page = s.manager.get("/tickets/" + number);
    CHECK(page.body.find("Netzbetreiber (Glasfaser / Internet)") != std::string::npos);
    // The dispatcher hands it on to another partner.
    r = act(s.dispatcher, number, "escalate", json::object{{"partner", "dokom"}});
    REQUIRE(r.status == 200);
    CHECK(r.json().at("partner").as_string() == "dokom");
    // Take back: status open, no partner any more.
    r = act(s.manager, number, "status", status_body("open", "Zurück vom Netzbetreiber."));
    REQUIRE(r.status == 200);
    {
        const auto t = r.json();
        CHECK(t.at("status").as_string() == "open");
        CHECK(t.at("partner").is_null());
        CHECK(last_event(t).at("kind").as_string() == "status_changed");
    }
    // A resolved ticket cannot be escalated.
    REQUIRE(act(s.manager, number, "status", status_body("resolved", "Läuft wieder.")).status == 200);
    auto late = act(s.manager, number, "escalate", json::object{{"partner", "carrier"}});
    CHECK(late.status == 409);
    CHECK(late.error_code() == "transition_not_allowed");
}

TEST_CASE("ticket page forms need the CSRF token and return where they came from", "[actions]") {
    scene s;
    const auto number = number_of(file_ticket(s.teacher, s.school));
    const auto m02 = find_manager(s.admin, "manager02");

    CHECK(s.manager.post_form("/tickets/" + number + "/reply", {{"body", "ohne Token"}}).status == 403);
    CHECK(s.manager.post_form("/tickets/" + number + "/reply", {{"csrf", "falsch"}, {"body", "falsches Token"}}).status ==
          403);
    CHECK(s.dispatcher.post_form("/tickets/" + number + "/assign", {{"manager_id", std::to_string(m02.id)}}).status ==
          403);
    // The token of another session does not count either.
    CHECK(s.dispatcher
              .post_form("/tickets/" + number + "/assign",
                         {{"csrf", s.manager.csrf}, {"manager_id", std::to_string(m02.id)}})
              .status == 403);
    CHECK(get_ticket(s.manager, number).at("events").as_array().size() == 1);

    auto r = s.manager.post_form("/tickets/" + number + "/reply", {{"csrf", s.manager.csrf}, {"body", "Schon dran."}});
    CHECK(r.status == 303);
    CHECK(r.headers["location"] == "/tickets/" + number + "#verlauf");
    // A refused action shows the page again with the reason.
    r = s.manager.post_form("/tickets/" + number + "/status", {{"csrf", s.manager.csrf}, {"status", "resolved"}});
    CHECK(r.status == 422);
    CHECK(r.body.find("Lösungsnotiz") != std::string::npos);
    r = s.manager.post_form("/tickets/" + number + "/priority", {{"csrf", s.manager.csrf}, {"priority", "high"},
                                                                  {"note", "Prüfung morgen"}});
    CHECK(r.status == 303);
    r = s.manager.post_form("/tickets/" + number + "/escalate", {{"csrf", s.manager.csrf}, {"partner", "systemhaus"},
                                                                  {"note", "Ersatzgerät"}, {"confirm", "1"}});
    CHECK(r.status == 303);
    // A manager cannot assign through the form either.
    r = s.manager.post_form("/tickets/" + number + "/assign",
                            {{"csrf", s.manager.csrf}, {"manager_id", std::to_string(m02.id)}});
    CHECK(r.status == 403);
    // The dispatcher's quick action on the board goes back to the board; anything else is not followed.
    r = s.dispatcher.post_form("/tickets/" + number + "/assign", {{"csrf", s.dispatcher.csrf},
                                                                   {"manager_id", std::to_string(m02.id)},
                                                                   {"return_to", "/dispatch"}});
    CHECK(r.status == 303);
    CHECK(r.headers["location"].starts_with("/dispatch?erledigt=zugewiesen&ticket=" + number));
    r = s.dispatcher.post_form("/tickets/" + number + "/status", {{"csrf", s.dispatcher.csrf},
                                                                   {"status", "open"},
                                                                   {"return_to", "https://evil.example/"}});
    CHECK(r.status == 303);
    CHECK(r.headers["location"] == "/tickets/" + number + "#verlauf");

    const auto t = get_ticket(s.dispatcher, number);
    CHECK(event_kinds(t) ==
          std::vector<std::string>{"created", "public_reply", "priority_changed", "escalated", "assigned", "status_changed"});
    CHECK(t.at("assignee").at("id").as_int64() == m02.id);
    // The teacher's form: confirming is only offered (and allowed) once resolved.
    r = s.teacher.post_form("/tickets/" + number + "/status", {{"csrf", s.teacher.csrf}, {"status", "resolved"}});
    CHECK(r.status == 403);
}

TEST_CASE("the ticket page's forms post to the ticket and show a refusal at its field", "[actions][pages]") {
    scene s;
    const auto number = number_of(file_ticket(s.teacher, s.school));
    const auto path = "/tickets/" + number;
    // Resolving without a note: the page of the ticket again (the URL the form posted to), the error at the note,
    // the chosen status and the other entries kept, the title saying so.
    auto r = s.manager.post_form(path, {{"csrf", s.manager.csrf}, {"action", "status"}, {"status", "resolved"}, {"note", " "}});
    CHECK(r.status == 422);
    CHECK(r.body.find("<title>Fehler: " + number) != std::string::npos);
    CHECK(r.body.find("<option value=\"resolved\" selected>") != std::string::npos);
    CHECK(r.body.find("<p class=\"field-error\" id=\"status-note-fehler\">Bitte eine Lösungsnotiz angeben.</p>") !=
          std::string::npos);
    CHECK(r.body.find("id=\"status-note\" name=\"note\" rows=\"2\" aria-invalid=\"true\" aria-describedby=\"status-note-fehler\" "
                      "autofocus") != std::string::npos);
    CHECK(get_ticket(s.manager, number).at("status").as_string() == "new");
    // A refused reply keeps its text; every other form is without error marks.
    r = s.manager.post_form(path, {{"csrf", s.manager.csrf}, {"action", "reply"}, {"body", std::string(20000, 'x')},
                                   {"internal", "1"}});
    CHECK(r.status == 422);
    CHECK(r.body.find(std::string(20000, 'x') + "</textarea>") != std::string::npos);
    CHECK(r.body.find("name=\"internal\" value=\"1\" checked") != std::string::npos);
    CHECK(r.body.find("aria-invalid") == r.body.rfind("aria-invalid"));
    // A refusal without a field (a conflict) is shown at the top of its form.
    const std::string same_priority(get_ticket(s.manager, number).at("priority").as_string());
    r = s.manager.post_form(path, {{"csrf", s.manager.csrf}, {"action", "priority"}, {"priority", same_priority},
                                   {"note", "gleich"}});
    CHECK(r.status == 409);
    CHECK(r.body.find("<p class=\"field-error\" id=\"priority-fehler\">Das Ticket hat diese Priorität bereits.</p>") !=
          std::string::npos);
    // Accepted: back to the ticket's history.
    r = s.manager.post_form(path, {{"csrf", s.manager.csrf}, {"action", "reply"}, {"body", "Ich komme morgen."}});
    CHECK(r.status == 303);
    CHECK(r.headers["location"] == path + "#verlauf");
    CHECK(s.manager.post_form(path, {{"action", "reply"}, {"body", "ohne Token"}}).status == 403);
    CHECK(s.manager.post_form(path, {{"csrf", s.manager.csrf}, {"action", "zaubern"}}).status == 404);
    // Without an error no field points at an error text.
    CHECK(s.manager.get(path).body.find("aria-describedby") == std::string::npos);

    // The teacher withdraws only with the tick, and reopens only with a reason (the API's note stays optional).
    r = s.teacher.post_form(path, {{"csrf", s.teacher.csrf}, {"action", "status"}, {"form", "withdraw"}, {"status", "closed"}});
    CHECK(r.status == 422);
    CHECK(r.body.find("id=\"sure\" name=\"sure\" value=\"1\" required aria-invalid=\"true\"") != std::string::npos);
    CHECK(get_ticket(s.teacher, number).at("status").as_string() != "closed");
    REQUIRE(s.manager.post_form(path, {{"csrf", s.manager.csrf}, {"action", "status"}, {"status", "resolved"},
                                       {"note", "Kabel getauscht"}}).status == 303);
    r = s.teacher.post_form(path, {{"csrf", s.teacher.csrf}, {"action", "status"}, {"form", "reopen"}, {"status", "open"},
                                   {"note", ""}});
    CHECK(r.status == 422);
    CHECK(r.body.find("Bitte beschreiben Sie kurz, was noch nicht funktioniert.") != std::string::npos);
    CHECK(get_ticket(s.teacher, number).at("status").as_string() == "resolved");
    r = s.teacher.post_form(path, {{"csrf", s.teacher.csrf}, {"action", "status"}, {"form", "reopen"}, {"status", "open"},
                                   {"note", "Das Bild flackert weiter."}});
    CHECK(r.status == 303);
    const auto t = get_ticket(s.teacher, number);
    CHECK(t.at("status").as_string() == "open");
    CHECK(t.at("events").as_array().back().at("body").as_string() == "Das Bild flackert weiter.");
    r = s.teacher.post_form(path, {{"csrf", s.teacher.csrf}, {"action", "status"}, {"form", "withdraw"}, {"status", "closed"},
                                   {"sure", "1"}});
    CHECK(r.status == 303);
    CHECK(get_ticket(s.teacher, number).at("status").as_string() == "closed");
}

TEST_CASE("the board assigns several tickets at once, each by the rules of one", "[actions][dispatch]") {
    scene s;
    const auto m02 = find_manager(s.admin, "manager02");
    const auto a = number_of(file_ticket(s.teacher, s.school));
    const auto b = number_of(file_ticket(s.teacher, s.school));
    const auto c = number_of(file_ticket(s.teacher, s.school));
    REQUIRE(s.dispatcher.post_form("/tickets/" + c + "/assign", {{"csrf", s.dispatcher.csrf},
                                                                 {"manager_id", std::to_string(m02.id)}}).status == 303);
    const auto bulk = [&](client& who, std::vector<std::pair<std::string, std::string>> fields) {
        std::string body;
        for (const auto& [k, v] : fields) body += (body.empty() ? "" : "&") + k + "=" + v;
        return who.request(boost::beast::http::verb::post, "/dispatch/zuweisen", body,
                           "application/x-www-form-urlencoded", {});
    };
    const auto id = std::to_string(m02.id);
    // CSRF, the help desk only, a known manager, at least one ticket.
    CHECK(bulk(s.dispatcher, {{"manager_id", id}, {"ticket", a}}).status == 403);
    CHECK(bulk(s.manager, {{"csrf", s.manager.csrf}, {"manager_id", id}, {"ticket", a}}).status == 404);
    auto r = bulk(s.dispatcher, {{"csrf", s.dispatcher.csrf}, {"manager_id", "999999"}, {"ticket", a}});
    CHECK(r.headers["location"] == "/dispatch?fehler=keine_person#meldung");
    CHECK(s.dispatcher.get("/dispatch?fehler=keine_person").body.find("Bitte wählen Sie, wem") != std::string::npos);
    r = bulk(s.dispatcher, {{"csrf", s.dispatcher.csrf}, {"manager_id", id}});
    CHECK(r.headers["location"] == "/dispatch?fehler=keine_tickets#meldung");
    CHECK(get_ticket(s.dispatcher, a).at("events").as_array().size() == 1);
    // a twice (two sections), b, c already with m02, and one that does not exist.
    r = bulk(s.dispatcher, {{"csrf", s.dispatcher.csrf}, {"manager_id", id}, {"ticket", a}, {"ticket", b},
                                 {"ticket", a}, {"ticket", c}, {"ticket", "CD-2026-999999"}});
    REQUIRE(r.status == 303);
    CHECK(r.headers["location"] == fmt::format("/dispatch?erledigt=sammel&an={}&anzahl=2&abgelehnt={}~unchanged"
                                               "&abgelehnt=CD-2026-999999~not_found#meldung", id, c));
    for (const auto& n : {a, b}) {
        const auto t = get_ticket(s.dispatcher, n);
        CHECK(t.at("assignee").at("id").as_int64() == m02.id);
        CHECK(event_kinds(t) == std::vector<std::string>{"created", "assigned"});
    }
    CHECK(event_kinds(get_ticket(s.dispatcher, c)) == std::vector<std::string>{"created", "assigned"});
    const auto board = s.dispatcher.get(r.headers["location"].substr(0, r.headers["location"].find('#')));
    CHECK(board.body.find(fmt::format("2 Tickets wurden {} zugewiesen. Nicht zugewiesen: {} (ist bereits so zugewiesen), "
                                      "CD-2026-999999 (gibt es nicht oder ist für Sie nicht sichtbar).", m02.name, c)) !=
          std::string::npos);
}

TEST_CASE("one ticket ticked on the board is assigned like a single assignment: back at its row, the message there",
          "[actions][dispatch]") {
    scene s;
    const auto m02 = find_manager(s.admin, "manager02");
    const auto number = number_of(file_ticket(s.teacher, s.school));
    // The board's tick names the row (section and number); the row id is where the board comes back.
    const auto body = fmt::format("csrf={}&manager_id={}&ticket=neu-{}", s.dispatcher.csrf, m02.id, number);
    auto r = s.dispatcher.request(boost::beast::http::verb::post, "/dispatch/zuweisen", body,
                                  "application/x-www-form-urlencoded", {});
    REQUIRE(r.status == 303);
    CHECK(r.headers["location"] == fmt::format("/dispatch?erledigt=zugewiesen&ticket={}&an={}#neu-{}", number, m02.id, number));
    CHECK(get_ticket(s.dispatcher, number).at("assignee").at("id").as_int64() == m02.id);
    const auto board = s.dispatcher.get(r.headers["location"].substr(0, r.headers["location"].find('#')));
    const auto row = board.body.find(fmt::format("id=\"neu-{}\"", number));
    REQUIRE(row != std::string::npos);
    // Said at the top (role=status) and in the row.
    const auto notice = board.body.find(fmt::format("Ticket {} ist jetzt {} zugewiesen.", number, m02.name), row);
    CHECK(notice != std::string::npos);
    CHECK(notice < board.body.find("</li>", row));
    // A value that is not a row id (a script's, an old page's) still names the ticket; the board comes back at
    // the message then.
    r = s.dispatcher.request(boost::beast::http::verb::post, "/dispatch/zuweisen",
                             fmt::format("csrf={}&manager_id={}&ticket={}", s.dispatcher.csrf,
                                         find_manager(s.admin, "manager03").id, number),
                             "application/x-www-form-urlencoded", {});
    CHECK(r.headers["location"].ends_with("#meldung"));
    CHECK(r.headers["location"].starts_with("/dispatch?erledigt=zugewiesen&ticket=" + number));
}

TEST_CASE("every action is in the ticket's history and in the audit log", "[actions]") {
    scene s;
    const auto number = number_of(file_ticket(s.teacher, s.school));
    const auto m02 = find_manager(s.admin, "manager02");
    const std::vector<std::pair<client*, std::pair<std::string, json::value>>> steps{
        {&s.manager, {"replies", json::object{{"body", "Welcher Raum genau?"}}}},
        {&s.manager, {"replies", json::object{{"body", "Hausmeister fragen"}, {"internal", true}}}},
        {&s.manager, {"status", status_body("waiting_on_requester", "Rückfrage")}},
        {&s.teacher, {"replies", json::object{{"body", "B 1.12"}}}},
        {&s.dispatcher, {"priority", json::object{{"priority", "high"}, {"note", "Prüfungen"}}}},
        {&s.dispatcher, {"assign", json::object{{"manager_id", m02.id}, {"note", "Urlaub"}}}},
        {&s.dispatcher, {"escalate", json::object{{"partner", "systemhaus"}}}},
        {&s.dispatcher, {"status", status_body("resolved", "Gerät getauscht.")}},
        {&s.teacher, {"status", status_body("open", "Immer noch kaputt.")}},
        {&s.dispatcher, {"status", status_body("closed", "Neues Ticket folgt.")}},
    };
    for (const auto& [who, step] : steps) {
        INFO(step.first);
        auto r = act(*who, number, step.first, step.second);
        INFO(r.body.substr(0, 300));
        CHECK((r.status == 200 || r.status == 201));
    }
    const std::vector<std::string> expected{"created",          "public_reply", "internal_note", "status_changed",
                                            "public_reply",     "status_changed", "priority_changed", "assigned",
                                            "escalated",        "resolved",     "reopened",      "closed"};
    const auto t = get_ticket(s.dispatcher, number);
    CHECK(event_kinds(t) == expected);
    const std::map<std::string, std::int64_t> ids{{"manager", user_id(s.manager)},
                                                  {"teacher", user_id(s.teacher)},
                                                  {"dispatcher", user_id(s.dispatcher)}};
    const std::vector<std::int64_t> actors{ids.at("teacher"),    ids.at("manager"),    ids.at("manager"),
                                           ids.at("manager"),    ids.at("teacher"),    0,
                                           ids.at("dispatcher"), ids.at("dispatcher"), ids.at("dispatcher"),
                                           ids.at("dispatcher"), ids.at("teacher"),    ids.at("dispatcher")};
    const auto& events = t.at("events").as_array();
    REQUIRE(events.size() == actors.size());
    std::string previous_at;
    for (std::size_t i = 0; i < events.size(); ++i) {
        INFO("event " << i);
        CHECK(events[i].at("actor").at("id").as_int64() == actors[i]);
        CHECK_FALSE(events[i].at("actor").at("name").as_string().empty());
        const std::string at(events[i].at("at").as_string());
        CHECK(at.size() >= 25);  // 2026-10-05T08:14:00+02:00
        CHECK(at >= previous_at);
        previous_at = at;
        CHECK(events[i].at("seq").as_int64() == static_cast<std::int64_t>(i + 1));
    }
    // The ticket page shows the whole timeline, with who and when.
    auto page = s.dispatcher.get("/tickets/" + number);
    REQUIRE(page.status == 200);
    for (const auto* text : {"Welcher Raum genau?", "Hausmeister fragen", "Gerät getauscht.", "Immer noch kaputt.",
                             "Systemhaus", "System"})
        CHECK(page.body.find(text) != std::string::npos);

    // The audit log: one row per recorded action (not the creation), with the actor.
    REQUIRE(s.server.stop() == 0);
    SQLite::Database db((s.data.path / "campusdesk.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT action, actor_id, at FROM audit_log WHERE subject = ? ORDER BY id");
    q.bind(1, number);
    std::vector<std::string> audited;
    std::vector<std::int64_t> audit_actors;
    while (q.executeStep()) {
        audited.push_back(q.getColumn(0).getString());
        audit_actors.push_back(q.getColumn(1).getInt64());
        CHECK(q.getColumn(2).getInt64() > 0);
    }
    CHECK(audited == std::vector<std::string>(expected.begin() + 1, expected.end()));
    CHECK(audit_actors == std::vector<std::int64_t>(actors.begin() + 1, actors.end()));
}

TEST_CASE("the requester may reopen only within the reopen window", "[actions]") {
    // Tickets resolved 20 and 3 days ago come in through the importer (the window is 14 days).
    temp_dir data;
    std::string school, teacher_login, manager_login;
    {
        server_process server(data.path);
        client admin(server.port());
        REQUIRE(admin.login("admin").status == 200);
        const auto m01 = find_manager(admin, "manager01");
        school = m01.schools.front();
        teacher_login = "teacher-" + school;
        manager_login = m01.login;
        REQUIRE(server.stop() == 0);
    }
    constexpr std::int64_t day = 86400'000;
    auto line = [&](const std::string& number, std::int64_t resolved_days_ago) {
        json::array events{
            json::object{{"at", iso_from_now(-(resolved_days_ago + 1) * day)}, {"kind", "created"},
                         {"actor_login", teacher_login}, {"priority", "normal"}},
            json::object{{"at", iso_from_now(-resolved_days_ago * day)}, {"kind", "resolved"},
                         {"actor_login", manager_login}, {"body", "Erledigt."}}};
        return json::serialize(json::object{{"number", number}, {"school_number", school}, {"category", "pc"},
                                            {"priority", "normal"}, {"title", "PC startet nicht"},
                                            {"description", "Raum 12"}, {"requester_login", teacher_login},
                                            {"events", std::move(events)}}) +
               "\n";
    };
    const std::string late = "CD-2000-000001", recent = "CD-2000-000002";
    const auto file = data.path / "old.jsonl";
    {
        std::FILE* out = std::fopen(file.c_str(), "w");
        REQUIRE(out);
        const auto text = line(late, 20) + line(recent, 3);
        std::fputs(text.c_str(), out);
        std::fclose(out);
    }
    auto imported = run_campusdesk({"import", "--config", std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml",
                                    "--data", data.path.string(), file.string()});
    INFO(imported.err);
    REQUIRE(imported.status == 0);

    server_process server(data.path);
    client teacher(server.port()), manager(server.port());
    REQUIRE(teacher.login(teacher_login).status == 200);
    REQUIRE(manager.login(manager_login).status == 200);

    // Past the window: no reopen form, and a 409 (whether the ticket still waits for confirmation or has been
    // closed by itself).
    auto page = teacher.get("/tickets/" + late);
    REQUIRE(page.status == 200);
    CHECK(page.body.find("wieder öffnen") == std::string::npos);
    auto refused = act(teacher, late, "status", status_body("open", "Geht wieder nicht."));
    CHECK(refused.status == 409);
    const auto code = refused.error_code();
    CHECK((code == "reopen_window_over" || code == "transition_not_allowed"));
    // Within the window it works.
    page = teacher.get("/tickets/" + recent);
    CHECK(page.body.find("wieder öffnen") != std::string::npos);
    auto reopened = act(teacher, recent, "status", status_body("open", "Geht wieder nicht."));
    REQUIRE(reopened.status == 200);
    const auto reopened_ticket = reopened.json();
    CHECK(last_event(reopened_ticket).at("kind").as_string() == "reopened");
    // Staff may still reopen the old one if it is not closed yet.
    if (get_ticket(manager, late).at("status").as_string() == "resolved") {
        auto r = act(manager, late, "status", status_body("open", "Neuer Anlauf."));
        CHECK(r.status == 200);
    }
}
