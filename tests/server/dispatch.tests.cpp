// The dispatcher board, live updates, absences and cover (issue 5), over real HTTP.
#include "tests/server/sse_reader.hpp"
#include "tests/server/ticket_helpers.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <chrono>
#include <thread>

using namespace campusdesk::testing;
namespace json = boost::json;
namespace net = boost::asio;

namespace {

struct scene {
    temp_dir data;
    server_process server{data.path};
    client admin{server.port()};
    client dispatcher{server.port()};
    manager_info m01, m02;
    std::string school;  // one of manager01's schools

    scene() {
        REQUIRE(admin.login("admin").status == 200);
        REQUIRE(dispatcher.login("dispatch1").status == 200);
        m01 = find_manager(admin, "manager01");
        m02 = find_manager(admin, "manager02");
        REQUIRE(!m01.schools.empty());
        school = m01.schools.front();
    }
};

response put_absence(client& c, std::int64_t manager_id, const json::value& body) {
    return c.request(boost::beast::http::verb::put, fmt::format("/api/v1/managers/{}/absence", manager_id),
                     json::serialize(body), "application/json", {{"X-CSRF-Token", c.csrf}});
}

response delete_absence(client& c, std::int64_t manager_id) {
    return c.request(boost::beast::http::verb::delete_, fmt::format("/api/v1/managers/{}/absence", manager_id), "", "",
                     {{"X-CSRF-Token", c.csrf}});
}

json::object absence_body(std::int64_t from_offset_ms, std::int64_t to_offset_ms, std::int64_t substitute) {
    return {{"from", iso_from_now(from_offset_ms)}, {"to", iso_from_now(to_offset_ms)}, {"substitute_id", substitute}};
}

json::value manager_entry(client& c, std::int64_t id) {
    const auto managers = c.get("/api/v1/managers").json();
    for (const auto& m : managers.as_array())
        if (m.at("id").as_int64() == id) return m;
    return nullptr;
}

std::int64_t assignee_of(const json::value& t) { return t.at("assignee").at("id").as_int64(); }

// The board's section about one school's possible outage.
std::string outage_section(const std::string& board, const std::string& name) {
    const auto start = board.find("Möglicher Ausfall: " + name + "<");
    if (start == std::string::npos) return {};
    return board.substr(start, board.find("</section>", start) - start);
}

} // namespace

TEST_CASE("the board is for the help desk only and lists a fresh ticket", "[dispatch]") {
    scene s;
    client teacher(s.server.port()), manager(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    REQUIRE(manager.login("manager01").status == 200);
    const auto number = number_of(file_ticket(teacher, s.school));

    for (auto* c : {&teacher, &manager}) {
        auto r = c->get("/dispatch");
        CHECK(r.status == 404);
        CHECK(r.body.find(number) == std::string::npos);
        CHECK(c->get("/dispatch/absences").status == 404);
        CHECK(c->post_form("/dispatch/absences", {{"csrf", c->csrf}, {"manager_id", std::to_string(s.m01.id)}}).status ==
              404);
    }
    for (auto* c : {&s.dispatcher, &s.admin}) {
        auto r = c->get("/dispatch");
        REQUIRE(r.status == 200);
        CHECK(r.body.find("Leitstand") != std::string::npos);
        CHECK(r.body.find("/tickets/" + number) != std::string::npos);
        // The rows' buttons submit the shared form, which carries the session's CSRF token; the assignment bar too.
        CHECK(r.body.find("form=\"zeilen-aktion\" formaction=\"/tickets/" + number + "/seen\"") != std::string::npos);
        CHECK(r.body.find("form=\"zeilen-aktion\" formaction=\"/tickets/" + number + "/escalate\"") != std::string::npos);
        CHECK(r.body.find("id=\"zeilen-aktion\" hidden><input type=\"hidden\" name=\"csrf\" value=\"" + c->csrf + "\"") !=
              std::string::npos);
        CHECK(r.body.find("id=\"sammel-zuweisung\" aria-labelledby=\"sammel-titel\">\n  <input type=\"hidden\" name=\"csrf\" value=\"" +
                          c->csrf + "\"") != std::string::npos);
        CHECK(c->get("/dispatch/absences").status == 200);
    }
    // Every school sort works.
    for (const char* sort : {"offen", "netz", "ueberfaellig", "neueste", "unbekannt"}) {
        INFO(sort);
        CHECK(s.dispatcher.get(std::string("/dispatch?schulen=") + sort).status == 200);
    }
}

TEST_CASE("the board lists a fresh ticket even when many are new", "[dispatch]") {
    scene s;
    client teacher(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    // Low priority: the latest due time of all, so it sorts last among the new tickets.
    const auto number = number_of(file_ticket(teacher, s.school, "other", "low"));
    auto news = s.dispatcher.get("/api/v1/tickets?status=new&limit=200");
    REQUIRE(news.status == 200);
    INFO("new tickets: " << news.json().at("tickets").as_array().size());
    auto r = s.dispatcher.get("/dispatch");
    REQUIRE(r.status == 200);
    CHECK(r.body.find("/tickets/" + number) != std::string::npos);
}

// The sections list the first 50 each; their headings count every ticket of the section, as the API's filters (and
// the queue they link to) find them.
TEST_CASE("the board's headings count all tickets of their section and link to the rest", "[dispatch]") {
    scene s;
    client teacher(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    for (int i = 0; i < 55; ++i) file_ticket(teacher, s.school, "other", "low");
    const auto count = [&](const std::string& filter) {
        std::size_t n = 0;
        std::string cursor;
        for (;;) {
            auto page = s.dispatcher.get("/api/v1/tickets?limit=200&" + filter + (cursor.empty() ? "" : "&cursor=" + cursor));
            REQUIRE(page.status == 200);
            const auto body = page.json();
            n += body.at("tickets").as_array().size();
            if (body.at("next_cursor").is_null()) return n;
            cursor = std::string(body.at("next_cursor").as_string());
        }
    };
    const std::string open = "&status=new&status=open&status=waiting_on_requester&status=waiting_on_third_party";
    const auto fresh = count("status=new"), breached = count("breached=true" + open),
               at_risk = count("at_risk=true" + open);
    REQUIRE(fresh > 50);
    const auto board = s.dispatcher.get("/dispatch");
    REQUIRE(board.status == 200);
    CHECK(board.body.find(fmt::format("Neu und noch nicht gesichtet ({})", fresh)) != std::string::npos);
    CHECK(board.body.find(fmt::format("Frist überschritten ({})", breached)) != std::string::npos);
    CHECK(board.body.find(fmt::format("Frist bald erreicht ({})", at_risk)) != std::string::npos);
    CHECK(board.body.find(fmt::format("<a href=\"/queue?status=new\">Alle {} in der Warteschlange anzeigen</a>", fresh)) !=
          std::string::npos);
    CHECK(s.dispatcher.get("/queue?status=new").status == 200);

    // Each section lists the first 50 of its filter by due time, as the list API gives them.
    const auto numbers_in = [&](const std::string& html, const std::string& section) {
        const auto start = html.find("aria-labelledby=\"" + section + "\"");
        REQUIRE(start != std::string::npos);
        const auto end = html.find("</section>", start);
        std::vector<std::string> numbers;
        const std::string link = "<a href=\"/tickets/";
        for (auto at = html.find(link, start); at != std::string::npos && at < end; at = html.find(link, at + 1))
            numbers.push_back(html.substr(at + link.size(), html.find('"', at + link.size()) - at - link.size()));
        return numbers;
    };
    const auto api_numbers = [&](const std::string& filter) {
        std::vector<std::string> numbers;
        const auto page = s.dispatcher.get("/api/v1/tickets?sort=due&limit=50&" + filter).json();
        for (const auto& t : page.at("tickets").as_array()) numbers.emplace_back(t.at("number").as_string());
        return numbers;
    };
    CHECK(numbers_in(board.body, "neu") == api_numbers("status=new"));
    CHECK(numbers_in(board.body, "ueberfaellig") == api_numbers("breached=true" + open));
    CHECK(numbers_in(board.body, "gefaehrdet") == api_numbers("at_risk=true" + open));
    CHECK(numbers_in(board.body, "neu").size() == 50);
}

TEST_CASE("two network tickets from one school show as a possible outage", "[dispatch]") {
    scene s;
    // A school of manager03, to stay clear of other tests' tickets.
    const auto m03 = find_manager(s.admin, "manager03");
    const auto school = m03.schools.back();
    const auto name = school_name(s.admin, school);
    REQUIRE(!name.empty());
    client teacher(s.server.port());
    REQUIRE(teacher.login("teacher-" + school).status == 200);

    const auto first = number_of(file_ticket(teacher, school, "network"));
    auto board = s.dispatcher.get("/dispatch").body;
    CHECK(outage_section(board, name).find(first) == std::string::npos);  // one ticket is no outage (of ours)

    const auto second = number_of(file_ticket(teacher, school, "network"));
    board = s.dispatcher.get("/dispatch").body;
    const auto section = outage_section(board, name);
    INFO(board.substr(0, 2000));
    REQUIRE_FALSE(section.empty());
    CHECK(section.find(first) != std::string::npos);
    CHECK(section.find(second) != std::string::npos);
    CHECK(board.find("möglicher Ausfall") != std::string::npos);  // the school row stands out too
    // A printer ticket of the same school does not join the outage.
    const auto printer = number_of(file_ticket(teacher, school, "printer"));
    board = s.dispatcher.get("/dispatch").body;
    CHECK(outage_section(board, name).find(printer) == std::string::npos);
}

TEST_CASE("a live client hears about a new ticket within a second", "[dispatch]") {
    scene s;
    client teacher(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);

    // Without a session: 401.
    client anonymous(s.server.port());
    CHECK(anonymous.get("/api/v1/live").status == 401);

    sse_reader live(s.server.port(), s.dispatcher);
    const auto hello = live.wait_for("event: hello\n", std::chrono::seconds(5));
    REQUIRE(hello != std::string::npos);
    CHECK(live.received.starts_with("HTTP/1.1 200"));
    CHECK(live.received.find("text/event-stream") != std::string::npos);
    const auto after_hello = live.wait_for("\n\n", std::chrono::seconds(1), hello);
    REQUIRE(after_hello != std::string::npos);

    for (int round = 0; round < 3; ++round) {
        INFO("round " << round);
        const auto mark = live.received.size();
        const auto start = std::chrono::steady_clock::now();
        std::string number;
        if (round < 2) {
            number = number_of(file_ticket(teacher, s.school));
        } else {  // a manager resolving counts too
            client manager(s.server.port());
            REQUIRE(manager.login("manager01").status == 200);
            const auto t = file_ticket(teacher, s.school);
            const auto mark2 = live.wait_for("event: change\n", std::chrono::seconds(2), mark);
            REQUIRE(mark2 != std::string::npos);
            REQUIRE(live.wait_for("\n\n", std::chrono::seconds(1), mark2) != std::string::npos);
            const auto again = live.received.size();
            const auto start2 = std::chrono::steady_clock::now();
            REQUIRE(act(manager, number_of(t), "status", json::object{{"status", "resolved"}, {"note", "ok"}}).status == 200);
            const auto pos = live.wait_for("event: change\n", std::chrono::seconds(2), again);
            const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start2);
            REQUIRE(pos != std::string::npos);
            CHECK(elapsed.count() < 1000);
            continue;
        }
        const auto pos = live.wait_for("event: change\n", std::chrono::seconds(2), mark);
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        INFO("elapsed " << elapsed.count() << " ms, stream: " << live.received);
        REQUIRE(pos != std::string::npos);
        CHECK(elapsed.count() < 1000);
        REQUIRE(live.wait_for("\n\n", std::chrono::seconds(1), pos) != std::string::npos);
    }
    // An open stream does not hold up a graceful shutdown.
    const auto stopping = std::chrono::steady_clock::now();
    CHECK(s.server.stop() == 0);
    CHECK(std::chrono::steady_clock::now() - stopping < std::chrono::seconds(5));
}

TEST_CASE("absences: only the help desk sets them, with a valid range", "[dispatch]") {
    scene s;
    client manager(s.server.port()), teacher(s.server.port());
    REQUIRE(manager.login("manager01").status == 200);
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    const auto good = absence_body(-3600'000, 2 * 86400'000LL, s.m02.id);

    for (auto* c : {&manager, &teacher}) {
        auto r = put_absence(*c, s.m01.id, good);
        CHECK(r.status == 403);
        CHECK(r.error_code() == "forbidden");
        CHECK(delete_absence(*c, s.m01.id).status == 403);
    }
    auto bad = [&](const json::value& body, const char* field) {
        auto r = put_absence(s.dispatcher, s.m01.id, body);
        INFO(json::serialize(body) << " -> " << r.status << " " << r.body);
        CHECK(r.status == 422);
        CHECK(r.json().at("error").at("field").as_string() == field);
    };
    bad(absence_body(86400'000, 3600'000, s.m02.id), "to");                  // ends before it starts
    bad(absence_body(3600'000, 3600'000, s.m02.id), "to");                   // empty
    bad(absence_body(-2 * 86400'000LL, -86400'000, s.m02.id), "to");         // wholly in the past
    bad(absence_body(-3600'000, 86400'000, s.m01.id), "substitute_id");      // themselves
    bad(absence_body(-3600'000, 86400'000, 99999), "substitute_id");         // nobody
    bad(json::object{{"from", "morgen"}, {"to", iso_from_now(86400'000)}, {"substitute_id", s.m02.id}}, "from");
    bad(json::object{{"from", iso_from_now(0)}, {"to", "2026-13-01T00:00:00Z"}, {"substitute_id", s.m02.id}}, "to");
    bad(json::object{{"to", iso_from_now(86400'000)}, {"substitute_id", s.m02.id}}, "from");
    bad(json::object{{"from", iso_from_now(0)}, {"to", iso_from_now(86400'000)}}, "substitute_id");
    CHECK(put_absence(s.dispatcher, 99999, good).status == 404);
    CHECK(put_absence(s.dispatcher, s.m01.id, json::value(json::array{})).status == 400);
    CHECK(s.dispatcher.request(boost::beast::http::verb::put, fmt::format("/api/v1/managers/{}/absence", s.m01.id),
                               json::serialize(good), "application/json")
              .status == 403);  // CSRF
    CHECK(delete_absence(s.dispatcher, s.m01.id).status == 404);  // none to end
    CHECK(manager_entry(s.admin, s.m01.id).at("absent").is_null());
}

TEST_CASE("while a manager is absent their schools' tickets reach the substitute", "[dispatch]") {
    scene s;
    client teacher(s.server.port()), manager01(s.server.port()), manager02(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    REQUIRE(manager01.login("manager01").status == 200);
    REQUIRE(manager02.login("manager02").status == 200);

    const auto before = file_ticket(teacher, s.school);
    const auto before_number = number_of(before);
    CHECK(assignee_of(before) == s.m01.id);
    CHECK(manager02.get("/api/v1/tickets/" + before_number).status == 404);

    auto r = put_absence(s.dispatcher, s.m01.id, absence_body(-3600'000, 2 * 86400'000LL, s.m02.id));
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.json().at("substitute_id").as_int64() == s.m02.id);
    {
        const auto entry = manager_entry(manager01, s.m01.id);
        REQUIRE(entry.at("absent").is_object());
        CHECK(entry.at("absent").at("substitute_id").as_int64() == s.m02.id);
        CHECK_FALSE(entry.at("absent").at("from").as_string().empty());
        CHECK(manager_entry(manager01, s.m02.id).at("absent").is_null());
    }

    // New tickets of manager01's schools go to manager02, for every one of the schools.
    const auto during = file_ticket(teacher, s.school);
    const auto during_number = number_of(during);
    CHECK(assignee_of(during) == s.m02.id);
    {
        client other(s.server.port());
        REQUIRE(other.login("teacher-" + s.m01.schools.back()).status == 200);
        CHECK(assignee_of(file_ticket(other, s.m01.schools.back())) == s.m02.id);
    }
    // Tickets of the substitute's own schools stay with them; other managers are unaffected.
    {
        const auto m03 = find_manager(s.admin, "manager03");
        client other(s.server.port());
        REQUIRE(other.login("teacher-" + m03.schools.front()).status == 200);
        CHECK(assignee_of(file_ticket(other, m03.schools.front())) == m03.id);
    }
    // The substitute sees the absent manager's open tickets: ticket, list and queue.
    CHECK(manager02.get("/api/v1/tickets/" + before_number).status == 200);
    auto list = manager02.get("/api/v1/tickets?school=" + s.school + "&limit=200");
    REQUIRE(list.status == 200);
    CHECK(list_has(list.json(), before_number));
    CHECK(list_has(list.json(), during_number));
    auto mine = manager02.get("/api/v1/tickets?assignee=me&limit=200");
    CHECK(list_has(mine.json(), during_number));
    // and may act on them.
    CHECK(act(manager02, before_number, "replies", json::object{{"body", "Ich vertrete."}}).status == 201);
    // The absent manager still sees their schools.
    CHECK(manager01.get("/api/v1/tickets/" + during_number).status == 200);

    // The board says who covers whom; so does the absences page.
    auto board = s.dispatcher.get("/dispatch");
    REQUIRE(board.status == 200);
    CHECK(board.body.find("vertreten durch " + s.m02.name) != std::string::npos);
    auto page = s.dispatcher.get("/dispatch/absences");
    REQUIRE(page.status == 200);
    CHECK(page.body.find("vertreten durch " + s.m02.name) != std::string::npos);

    // The absence ends: routing goes back, and the cover with it.
    r = delete_absence(s.dispatcher, s.m01.id);
    CHECK(r.status == 200);
    CHECK(delete_absence(s.dispatcher, s.m01.id).status == 404);
    CHECK(manager_entry(s.admin, s.m01.id).at("absent").is_null());
    const auto after = file_ticket(teacher, s.school);
    CHECK(assignee_of(after) == s.m01.id);
    CHECK(manager02.get("/api/v1/tickets/" + before_number).status == 404);
    CHECK(manager02.get("/api/v1/tickets/" + number_of(after)).status == 404);
    CHECK(manager02.get("/api/v1/tickets/" + during_number).status == 200);  // still assigned to them
    board = s.dispatcher.get("/dispatch");
    CHECK(board.body.find("vertreten durch " + s.m02.name) == std::string::npos);

    // Both changes are in the audit log, by the dispatcher.
    const auto dispatcher_id = s.dispatcher.get("/api/v1/me").json().at("id").as_int64();
    REQUIRE(s.server.stop() == 0);
    SQLite::Database db((s.data.path / "campusdesk.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT action, actor_id FROM audit_log WHERE subject = 'manager01' ORDER BY id");
    std::vector<std::string> actions;
    while (q.executeStep()) {
        actions.push_back(q.getColumn(0).getString());
        CHECK(q.getColumn(1).getInt64() == dispatcher_id);
    }
    CHECK(actions == std::vector<std::string>{"absence_set", "absence_end"});
}

TEST_CASE("absence routing across the from/to boundaries", "[dispatch]") {
    scene s;
    client teacher(s.server.port()), manager02(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    REQUIRE(manager02.login("manager02").status == 200);

    SECTION("an absence starting in the future does not route yet") {
        const auto old = number_of(file_ticket(teacher, s.school));
        REQUIRE(put_absence(s.dispatcher, s.m01.id, absence_body(3600'000, 86400'000, s.m02.id)).status == 200);
        CHECK(assignee_of(file_ticket(teacher, s.school)) == s.m01.id);
        CHECK(manager02.get("/api/v1/tickets/" + old).status == 404);
        const auto entry = manager_entry(s.admin, s.m01.id);
        CHECK(entry.at("absent").is_object());  // planned absences are listed with their dates
        auto board = s.dispatcher.get("/dispatch").body;
        CHECK(board.find("vertreten durch " + s.m02.name) == std::string::npos);  // not absent today
        // Ending a planned absence drops it.
        CHECK(delete_absence(s.dispatcher, s.m01.id).status == 200);
        CHECK(manager_entry(s.admin, s.m01.id).at("absent").is_null());
    }
    SECTION("from and to are honoured to the second") {
        // Whole seconds so that the boundaries are exact; [from, to). Each ticket is filed at a deadline counted
        // from the start, and the boundaries are 3 s apart, so a slow fsync (the VM's disk under other writes)
        // of up to ~3 s cannot move a ticket across one.
        const auto start = std::chrono::steady_clock::now();
        const auto now = now_epoch_ms();
        const auto from = (now / 1000 + 3) * 1000 - now;  // 2-3 s from now
        const auto to = from + 3000;
        REQUIRE(put_absence(s.dispatcher, s.m01.id, absence_body(from, to, s.m02.id)).status == 200);
        CHECK(assignee_of(file_ticket(teacher, s.school)) == s.m01.id);
        std::this_thread::sleep_until(start + std::chrono::milliseconds(from + 100));
        const auto during = file_ticket(teacher, s.school);
        CHECK(assignee_of(during) == s.m02.id);
        std::this_thread::sleep_until(start + std::chrono::milliseconds(to + 100));
        CHECK(assignee_of(file_ticket(teacher, s.school)) == s.m01.id);
        CHECK(manager_entry(s.admin, s.m01.id).at("absent").is_null());  // over
        CHECK(delete_absence(s.dispatcher, s.m01.id).status == 404);
    }
    SECTION("a chain of substitutes") {
        const auto m03 = find_manager(s.admin, "manager03");
        REQUIRE(put_absence(s.dispatcher, s.m01.id, absence_body(-60'000, 86400'000, s.m02.id)).status == 200);
        REQUIRE(put_absence(s.dispatcher, s.m02.id, absence_body(-60'000, 86400'000, m03.id)).status == 200);
        CHECK(assignee_of(file_ticket(teacher, s.school)) == m03.id);
        // A replacing PUT changes the substitute.
        REQUIRE(put_absence(s.dispatcher, s.m01.id, absence_body(-60'000, 86400'000, m03.id)).status == 200);
        CHECK(assignee_of(file_ticket(teacher, s.school)) == m03.id);
        const auto entry = manager_entry(s.admin, s.m01.id);
        CHECK(entry.at("absent").at("substitute_id").as_int64() == m03.id);
    }
}

TEST_CASE("the absence API takes plain dates as whole local days", "[dispatch]") {
    scene s;
    auto r = put_absence(s.dispatcher, s.m01.id,
                         json::object{{"from", "2030-01-07"}, {"to", "2030-01-11"}, {"substitute_id", s.m02.id}});
    REQUIRE(r.status == 200);
    const auto entry = manager_entry(s.admin, s.m01.id);
    CHECK(entry.at("absent").at("from").as_string() == "2030-01-07T00:00:00+01:00");
    CHECK(entry.at("absent").at("to").as_string() == "2030-01-12T00:00:00+01:00");
    // Instants as before; a one-day absence as a date twice; nonsense refused.
    CHECK(put_absence(s.dispatcher, s.m01.id, json::object{{"from", "2030-07-06T08:00:00+02:00"},
                                                           {"to", "2030-07-06T12:00:00+02:00"},
                                                           {"substitute_id", s.m02.id}}).status == 200);
    CHECK(put_absence(s.dispatcher, s.m01.id,
                      json::object{{"from", "2030-07-06"}, {"to", "2030-07-06"}, {"substitute_id", s.m02.id}}).status == 200);
    CHECK(manager_entry(s.admin, s.m01.id).at("absent").at("to").as_string() == "2030-07-07T00:00:00+02:00");
    CHECK(put_absence(s.dispatcher, s.m01.id,
                      json::object{{"from", "2030-02-30"}, {"to", "2030-03-02"}, {"substitute_id", s.m02.id}}).status == 422);
}

TEST_CASE("board quick actions and the absence form", "[dispatch]") {
    scene s;
    client teacher(s.server.port());
    REQUIRE(teacher.login("teacher-" + s.school).status == 200);
    const auto number = number_of(file_ticket(teacher, s.school));

    auto r = s.dispatcher.post_form("/tickets/" + number + "/assign",
                                    {{"manager_id", std::to_string(s.m02.id)}, {"return_to", "/dispatch"}});
    CHECK(r.status == 403);
    r = s.dispatcher.post_form("/tickets/" + number + "/assign", {{"csrf", s.dispatcher.csrf},
                                                                   {"manager_id", std::to_string(s.m02.id)},
                                                                   {"return_to", "/dispatch"}});
    CHECK(r.status == 303);
    // Back at the row the action came from, with what happened (issue 16).
    CHECK(r.headers["location"] == fmt::format("/dispatch?erledigt=zugewiesen&ticket={}&an={}", number, s.m02.id));
    r = s.dispatcher.post_form("/tickets/" + number + "/assign", {{"csrf", s.dispatcher.csrf},
                                                                   {"manager_id", std::to_string(s.m02.id)},
                                                                   {"return_to", "/dispatch"},
                                                                   {"anchor", "neu-" + number}});
    CHECK(r.status == 303);
    CHECK(r.headers["location"] == fmt::format("/dispatch?fehler=unchanged&ticket={}#neu-{}", number, number));
    auto board = s.dispatcher.get(r.headers["location"].substr(0, r.headers["location"].find('#')));
    CHECK(board.body.find("Ticket " + number + " ist bereits so zugewiesen.") != std::string::npos);
    board = s.dispatcher.get(fmt::format("/dispatch?erledigt=zugewiesen&ticket={}&an={}", number, s.m02.id));
    CHECK(board.body.find(fmt::format("Ticket {} ist jetzt {} zugewiesen.", number, s.m02.name)) != std::string::npos);
    // Text from the query is never shown: only known outcomes, tickets and names.
    board = s.dispatcher.get("/dispatch?erledigt=zugewiesen&ticket=%3Cscript%3E&an=2");
    CHECK(board.body.find("<script>") == std::string::npos);
    CHECK(board.body.find("id=\"meldung\"") == std::string::npos);
    // Escalating from the board is a step of its own: without the confirmation nothing happens.
    r = s.dispatcher.post_form("/tickets/" + number + "/escalate", {{"csrf", s.dispatcher.csrf}, {"partner", "mdm"},
                                                                     {"return_to", "/dispatch"}, {"anchor", "neu-" + number}});
    CHECK(r.status == 200);
    CHECK(r.body.find("Ja, jetzt eskalieren") != std::string::npos);
    CHECK(r.body.find("<option value=\"mdm\" selected>") != std::string::npos);
    CHECK(get_ticket(s.dispatcher, number).at("status").as_string() == "new");
    // Confirmed without a partner: the confirmation again, with the error at the partner.
    r = s.dispatcher.post_form("/tickets/" + number + "/escalate", {{"csrf", s.dispatcher.csrf}, {"partner", ""},
                                                                     {"confirm", "1"}, {"return_to", "/dispatch"}});
    CHECK(r.status == 422);
    CHECK(r.body.find("aria-invalid=\"true\"") != std::string::npos);
    CHECK(r.body.find("<title>Fehler: ") != std::string::npos);
    r = s.dispatcher.post_form("/tickets/" + number + "/escalate", {{"csrf", s.dispatcher.csrf}, {"partner", "mdm"},
                                                                     {"confirm", "1"}, {"return_to", "/dispatch"},
                                                                     {"anchor", "neu-" + number}});
    CHECK(r.status == 303);
    CHECK(r.headers["location"] == fmt::format("/dispatch?erledigt=eskaliert&ticket={}&partner=mdm#neu-{}", number, number));
    const auto t = get_ticket(s.dispatcher, number);
    CHECK(assignee_of(t) == s.m02.id);
    CHECK(t.at("status").as_string() == "waiting_on_third_party");
    CHECK(t.at("partner").as_string() == "mdm");

    // The absence form: CSRF, then whole days.
    r = s.dispatcher.post_form("/dispatch/absences", {{"manager_id", std::to_string(s.m01.id)},
                                                      {"substitute_id", std::to_string(s.m02.id)},
                                                      {"from", "2030-01-07"},
                                                      {"to", "2030-01-11"}});
    CHECK(r.status == 403);
    r = s.dispatcher.post_form("/dispatch/absences", {{"csrf", s.dispatcher.csrf},
                                                      {"manager_id", std::to_string(s.m01.id)},
                                                      {"substitute_id", std::to_string(s.m02.id)},
                                                      {"from", "2030-01-11"},
                                                      {"to", "2030-01-07"}});
    CHECK(r.status == 422);
    CHECK(r.body.find("Das Ende muss nach dem Beginn liegen.") != std::string::npos);
    // The entries are kept, and the cover is never the absent person.
    CHECK(r.body.find("value=\"2030-01-11\"") != std::string::npos);
    CHECK(r.body.find("value=\"2030-01-07\"") != std::string::npos);
    CHECK(r.body.find("id=\"to\" name=\"to\" type=\"date\" value=\"2030-01-07\" required aria-invalid=\"true\"") !=
          std::string::npos);
    {
        const auto cover = r.body.substr(r.body.find("id=\"substitute_id\""));
        const auto options = cover.substr(0, cover.find("</select>"));
        CHECK(options.find(fmt::format("value=\"{}\"", s.m01.id)) == std::string::npos);
        CHECK(options.find(fmt::format("value=\"{}\" selected", s.m02.id)) != std::string::npos);
    }
    // Step one: the suggested cover is chosen, the absent person not offered.
    {
        const auto page = s.dispatcher.get(fmt::format("/dispatch/absences?wer={}", s.m01.id));
        REQUIRE(page.status == 200);
        const auto cover = page.body.substr(page.body.find("id=\"substitute_id\""));
        const auto options = cover.substr(0, cover.find("</select>"));
        CHECK(options.find(fmt::format("value=\"{}\"", s.m01.id)) == std::string::npos);
        CHECK(options.find("selected>") != std::string::npos);
        CHECK(options.find("– Vorschlag") != std::string::npos);
        CHECK(s.dispatcher.get("/dispatch/absences").body.find("id=\"substitute_id\"") == std::string::npos);
    }
    r = s.dispatcher.post_form("/dispatch/absences", {{"csrf", s.dispatcher.csrf},
                                                      {"manager_id", std::to_string(s.m01.id)},
                                                      {"substitute_id", std::to_string(s.m02.id)},
                                                      {"from", "2030-01-07"},
                                                      {"to", "2030-01-11"}});
    CHECK(r.status == 303);
    CHECK(r.headers["location"] == "/dispatch/absences");
    const auto entry = manager_entry(s.admin, s.m01.id);
    REQUIRE(entry.at("absent").is_object());
    CHECK(entry.at("absent").at("from").as_string() == "2030-01-07T00:00:00+01:00");
    CHECK(entry.at("absent").at("to").as_string() == "2030-01-12T00:00:00+01:00");
    // Shown with the last day inclusive, not as the next midnight.
    CHECK(s.dispatcher.get("/dispatch/absences").body.find("07.01.2030 bis einschließlich 11.01.2030") != std::string::npos);
    r = s.dispatcher.post_form(fmt::format("/dispatch/absences/{}/end", s.m01.id), {{"csrf", s.dispatcher.csrf}});
    CHECK(r.status == 303);
    CHECK(manager_entry(s.admin, s.m01.id).at("absent").is_null());
}
