// The rights of the person (issue 20, DSGVO Art. 15, 17, 20) with the real binary: `user export` writes
// everything stored about a teacher, their photo's bytes included; `user erase` anonymises them everywhere,
// so they cannot log in, their ticket shows no name or text, and its figures stay.
#include "tests/server/ticket_helpers.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <sodium.h>

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {

const std::string config = std::string(CAMPUSDESK_SOURCE_DIR) + "/config/campusdesk.toml";
const std::string photo = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(300, 'q');

std::string base64(const std::string& bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.pop_back();
    return out;
}

} // namespace

TEST_CASE("a person's data is exported whole and erased everywhere, the tickets' figures kept", "[server][privacy]") {
    temp_dir data;
    std::string number;
    std::string figures_before;
    {
        server_process server(data.path);
        client teacher(server.port());
        REQUIRE(teacher.login("teacher-141017").status == 200);
        number = number_of(file_ticket(teacher, "141017"));
        REQUIRE(upload(teacher, number, {{"beamer.png", photo}}).status == 201);
        client manager(server.port());
        REQUIRE(manager.login("manager01").status == 200);
        REQUIRE(manager.post_json("/api/v1/tickets/" + number + "/replies", {{"body", "Ich komme um 10 Uhr."}}).status ==
                201);
        // What does not move with the clock: verdicts, targets and the resolution's due time.
        const auto sla = get_ticket(manager, number).at("sla");
        figures_before = boost::json::serialize(sla.at("first_response")) +
                         boost::json::serialize(sla.at("resolution").at("due_at"));
    }

    const auto out = data.path / "teacher.json";
    const auto exported = run_campusdesk({"user", "export", "teacher-141017", "--config", config, "--data",
                                          data.path.string(), "--out", out.string()});
    INFO(exported.out << exported.err);
    REQUIRE(exported.status == 0);
    std::stringstream text;
    text << std::ifstream(out).rdbuf();
    const auto doc = boost::json::parse(text.str()).as_object();
    // Maintenance work has its place (issue 18): a teacher does none.
    REQUIRE(doc.contains("maintenance_work"));
    CHECK(doc.at("maintenance_work").as_array().empty());
    CHECK(doc.at("account").at("login").as_string() == "teacher-141017");
    CHECK(doc.at("account").at("email").as_string() == "teacher-141017@schulen.example.de");
    bool filed = false;
    for (const auto& t : doc.at("tickets_filed").as_array())
        filed = filed || (t.at("number").as_string() == number && t.at("description").as_string() == "Seit heute früh.");
    CHECK(filed);
    const auto& files = doc.at("attachments_uploaded").as_array();
    REQUIRE(files.size() == 1);
    CHECK(files[0].at("filename").as_string() == "beamer.png");
    CHECK(files[0].at("data_base64").as_string() == base64(photo));
    CHECK_FALSE(doc.at("sessions_and_tokens").as_array().empty());
    // An unknown person: a clear refusal.
    const auto unknown = run_campusdesk({"user", "export", "nobody", "--config", config, "--data", data.path.string()});
    CHECK(unknown.status == 1);
    CHECK(unknown.err.find("no user nobody") != std::string::npos);

    const auto erased = run_campusdesk({"user", "erase", "teacher-141017", "--config", config, "--data", data.path.string()});
    INFO(erased.out << erased.err);
    REQUIRE(erased.status == 0);
    {
        server_process server(data.path);
        CHECK(client(server.port()).login("teacher-141017").status == 401);
        client manager(server.port());
        REQUIRE(manager.login("manager01").status == 200);
        const auto t = get_ticket(manager, number);
        CHECK(t.at("title").as_string() == "[anonymisiert]");
        CHECK(t.at("description").as_string() == "");
        CHECK(t.at("requester").at("name").as_string() == "Anonymisiert");
        CHECK(t.at("attachments").as_array().empty());
        for (const auto& e : t.at("events").as_array())
            if (const auto* body = e.as_object().if_contains("body")) CHECK(body->as_string() == "");
        const auto& sla = t.at("sla");
        CHECK(boost::json::serialize(sla.at("first_response")) + boost::json::serialize(sla.at("resolution").at("due_at")) ==
              figures_before);  // the figures stay
    }
    {
        SQLite::Database db((data.path / "campusdesk.db").string(), SQLite::OPEN_READONLY);
        CHECK(db.execAndGet("SELECT count(*) FROM users WHERE email = 'teacher-141017@schulen.example.de' "
                            "OR login = 'teacher-141017'")
                  .getInt() == 0);
        CHECK(db.execAndGet("SELECT count(*) FROM audit_log WHERE action = 'user_erase' AND subject LIKE 'user #%'")
                  .getInt() == 1);
    }
    // Its photo's file is gone with the sweep once it is an hour old; the row is gone at once.
    CHECK(run_campusdesk({"user", "erase", "teacher-141017", "--config", config, "--data", data.path.string()}).status == 1);
}

TEST_CASE("the admin pages give a person's data and erase them, confirmed by the login", "[server][privacy][admin]") {
    temp_dir data;
    server_process server(data.path);
    client teacher(server.port());
    REQUIRE(teacher.login("teacher-141017").status == 200);
    const auto number = number_of(file_ticket(teacher, "141017"));
    std::int64_t id = 0;
    {
        SQLite::Database db((data.path / "campusdesk.db").string(), SQLite::OPEN_READONLY);
        id = db.execAndGet("SELECT id FROM users WHERE login = 'teacher-141017'").getInt64();
    }
    const auto base = "/admin/benutzer/" + std::to_string(id);
    client admin(server.port());
    REQUIRE(admin.login("admin").status == 200);
    CHECK(admin.get(base).body.find("Auskunft herunterladen") != std::string::npos);

    const auto export_page = admin.post_form(base + "/auskunft", {{"csrf", admin.csrf}});
    REQUIRE(export_page.status == 200);
    CHECK(export_page.headers.at("content-disposition").find("auskunft-" + std::to_string(id) + ".json") != std::string::npos);
    const auto doc = boost::json::parse(export_page.body);
    const auto& filed = doc.at("tickets_filed").as_array();
    CHECK(std::any_of(filed.begin(), filed.end(), [&](const auto& t) { return t.at("number").as_string() == number; }));
    // Other roles do not reach it; a form without its token is refused.
    CHECK(teacher.post_form(base + "/auskunft", {{"csrf", teacher.csrf}}).status == 403);
    CHECK(admin.post_form(base + "/auskunft", {{"csrf", "falsch"}}).status == 403);

    // Erasing needs the login typed; a wrong one is refused with a German message and nothing happens.
    const auto wrong = admin.post_form(base + "/loeschen", {{"csrf", admin.csrf}, {"confirm", "teacher"}});
    CHECK(wrong.status == 422);
    CHECK(wrong.body.find("Zur Bestätigung bitte den Anmeldenamen") != std::string::npos);
    CHECK(get_ticket(teacher, number).at("title").as_string() == "Beamer zeigt kein Bild");
    const auto erased = admin.post_form(base + "/loeschen", {{"csrf", admin.csrf}, {"confirm", "teacher-141017"}});
    CHECK(erased.status == 200);
    CHECK(erased.body.find("Die Person ist gelöscht") != std::string::npos);
    CHECK(teacher.get("/api/v1/tickets/" + number).status == 401);  // their session ended with them
    CHECK(get_ticket(admin, number).at("title").as_string() == "[anonymisiert]");
}
