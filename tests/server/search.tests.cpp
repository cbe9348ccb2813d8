// Issue 16, "Search and lists", over real HTTP: search on the queue and "Meine Tickets", counts, paging both ways,
// and live refresh that tells each person only of the tickets they may see.
#include "tests/server/sse_reader.hpp"
#include "tests/server/ticket_helpers.hpp"

#include <algorithm>
#include <chrono>
#include <regex>

using namespace campusdesk::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

struct scene {
    temp_dir data;
    server_process server{data.path};
    client dispatcher{server.port()};
    client manager{server.port()};
    client teacher_a{server.port()};
    client teacher_b{server.port()};
    manager_info m01;
    std::string school_a, school_b;

    scene() {
        REQUIRE(dispatcher.login("dispatch1").status == 200);
        m01 = find_manager(dispatcher, "manager01");
        school_a = m01.schools.at(0);
        school_b = find_manager(dispatcher, "manager02").schools.at(0);
        REQUIRE(manager.login("manager01").status == 200);
        REQUIRE(teacher_a.login("teacher-" + school_a).status == 200);
        REQUIRE(teacher_b.login("teacher-" + school_b).status == 200);
    }

    std::string file(client& c, const std::string& school, const std::string& title) {
        auto draft = ticket_draft_json(school, "presentation", "normal", title);
        auto r = c.post_json("/api/v1/tickets", draft);
        INFO(r.body);
        REQUIRE(r.status == 201);
        return number_of(r.json());
    }
};

// The ticket numbers a list page shows, in order.
std::vector<std::string> listed(const std::string& page) {
    std::vector<std::string> numbers;
    static const std::regex row(R"(<span class="number">(CD-\d{4}-\d{6})</span>)");
    for (auto it = std::sregex_iterator(page.begin(), page.end(), row); it != std::sregex_iterator(); ++it)
        numbers.push_back((*it)[1]);
    return numbers;
}

// The href of the link with rel=`rel` (unescaped), or "".
std::string link(const std::string& page, const std::string& rel) {
    const std::regex a("rel=\"" + rel + "\" href=\"([^\"]+)\"");
    std::smatch m;
    if (!std::regex_search(page, m, a)) return {};
    auto href = m[1].str();
    for (std::size_t pos; (pos = href.find("&amp;")) != std::string::npos;) href.replace(pos, 5, "&");
    return href;
}

// The link whose text is `text`, unescaped.
std::string link_named(const std::string& page, const std::string& text) {
    const std::regex a("href=\"([^\"]+)\">" + text + "</a>");
    std::smatch m;
    if (!std::regex_search(page, m, a)) return {};
    auto href = m[1].str();
    for (std::size_t pos; (pos = href.find("&amp;")) != std::string::npos;) href.replace(pos, 5, "&");
    return href;
}

std::string sequence_of(const std::string& number) { return std::to_string(std::stoi(number.substr(8))); }

} // namespace

TEST_CASE("staff find tickets by number, school, requester, reply and note; teachers only their own, without notes",
          "[server][search]") {
    scene s;
    const auto mine = s.file(s.teacher_a, s.school_a, "Beamer Zauberwort flackert");
    const auto theirs = s.file(s.teacher_b, s.school_b, "Drucker Zauberwort streikt");
    REQUIRE(act(s.manager, mine, "replies", json::object{{"body", "Welcher Raum? Quasselstrippe"}, {"internal", false}})
                .status == 201);
    REQUIRE(act(s.manager, mine, "replies", json::object{{"body", "Hinterzimmer prüfen"}, {"internal", true}}).status ==
            201);
    const auto teacher_name = std::string(s.teacher_a.get("/api/v1/me").json().at("name").as_string());

    // Staff: the number in full, in lower case and bare, the school's name, the requester, a reply and a note.
    const std::vector<std::string> texts{mine, "cd" + mine.substr(2), sequence_of(mine), "Quasselstrippe",
                                         "Hinterzimmer", "Zauberwort " + school_name(s.dispatcher, s.school_a),
                                         "Zauberwort " + teacher_name};
    for (const auto& text : texts) {
        INFO(text);
        const auto page = s.dispatcher.get("/queue?status=alle&q=" + url_encode(text));
        REQUIRE(page.status == 200);
        const auto found = listed(page.body);
        REQUIRE(!found.empty());
        // By relevance the very number first (a bare sequence names the same number of another year too).
        const auto at = std::find(found.begin(), found.end(), mine) - found.begin();
        CHECK(at < (text == sequence_of(mine) ? 2 : 1));
        CHECK(std::find(found.begin(), found.end(), theirs) == found.end());
    }
    auto page = s.dispatcher.get("/queue?q=Zauberwort");
    CHECK(listed(page.body).size() == 2);
    CHECK(page.body.find("2 Treffer für „Zauberwort“") != std::string::npos);
    // The campus manager finds the ticket of their school only.
    CHECK(listed(s.manager.get("/queue?q=Zauberwort").body) == std::vector<std::string>{mine});

    // Nothing found: said so, not "gut gemacht".
    page = s.dispatcher.get("/queue?q=Xylophonkonzert");
    CHECK(page.body.find("Keine Treffer für „Xylophonkonzert“") != std::string::npos);
    CHECK(page.body.find("gut gemacht") == std::string::npos);

    // A teacher searches their own tickets: the replies they read, never a note, never someone else's ticket.
    CHECK(listed(s.teacher_a.get("/tickets?q=Zauberwort").body) == std::vector<std::string>{mine});
    CHECK(listed(s.teacher_a.get("/tickets?q=Quasselstrippe").body) == std::vector<std::string>{mine});
    const auto by_sequence = listed(s.teacher_a.get("/tickets?q=" + sequence_of(mine)).body);
    CHECK(std::find(by_sequence.begin(), by_sequence.end(), mine) != by_sequence.end());
    for (const auto& hidden : {std::string("Hinterzimmer"), theirs, std::string("Drucker")}) {
        INFO(hidden);
        page = s.teacher_a.get("/tickets?q=" + url_encode(hidden));
        CHECK(listed(page.body).empty());
        CHECK(page.body.find("Keine Treffer für") != std::string::npos);
    }
    // The API's q searches the same way, with the same visibility.
    CHECK(list_has(s.teacher_a.get("/api/v1/tickets?q=Quasselstrippe").json(), mine));
    CHECK(s.teacher_a.get("/api/v1/tickets?q=Hinterzimmer").json().at("tickets").as_array().empty());
    CHECK(list_has(s.dispatcher.get("/api/v1/tickets?q=" + mine).json(), mine));
    // Teachers filter by open and done; a bad filter value is ignored, a bad text refused.
    CHECK(listed(s.teacher_a.get("/tickets?status=offen").body).front() == mine);
    CHECK(listed(s.teacher_a.get("/tickets?status=erledigt&q=Zauberwort").body).empty());
    CHECK(s.teacher_a.get("/tickets?status=quatsch").status == 200);
    CHECK(s.teacher_a.get("/tickets?q=%01").status == 422);
    CHECK(s.teacher_a.get("/tickets?before=x:y").status == 400);
}

TEST_CASE("lists count their tickets and page forward and back", "[server][search][lists]") {
    scene s;
    // The demo has a few hundred tickets: the help desk's list of all of them has several pages.
    for (const auto* sort : {"due", "created", "updated"}) {
        INFO(sort);
        // A list of several pages is counted only when asked (a second query over the whole filter): a link.
        const auto uncounted = s.dispatcher.get(std::string("/queue?status=alle&sort=") + sort);
        REQUIRE(uncounted.status == 200);
        CHECK(uncounted.body.find("id=\"anzahl\"") == std::string::npos);
        const auto ask = link_named(uncounted.body, "Anzahl ermitteln");
        REQUIRE(ask.find("count=1") != std::string::npos);
        const auto first = s.dispatcher.get(ask);
        REQUIRE(first.status == 200);
        const std::regex counted(R"(<p class="count" id="anzahl" role="status">\d+(\.\d{3})? Tickets</p>)");
        CHECK(std::regex_search(first.body, counted));
        CHECK(listed(first.body) == listed(uncounted.body));
        CHECK(link(first.body, "prev").empty());
        const auto next = link(first.body, "next");
        REQUIRE(!next.empty());
        const auto second = s.dispatcher.get(next);
        REQUIRE(second.status == 200);
        const auto page1 = listed(first.body), page2 = listed(second.body);
        REQUIRE(page1.size() == 50);
        REQUIRE(!page2.empty());
        CHECK(std::regex_search(second.body, counted));  // the count goes along with the pages once asked for
        CHECK(std::find(page1.begin(), page1.end(), page2.front()) == page1.end());
        const auto back = link(second.body, "prev");
        REQUIRE(back.find("before=") != std::string::npos);
        const auto again = s.dispatcher.get(back);
        CHECK(listed(again.body) == page1);
        CHECK(link(again.body, "prev").empty());  // back at the start
        CHECK(listed(s.dispatcher.get(link(again.body, "next")).body) == page2);
    }
    // A list that fits on its page is counted for free, without a link to ask.
    const auto few = s.teacher_a.get("/tickets");
    CHECK(std::regex_search(few.body, std::regex(R"(<p class="count" id="anzahl" role="status">\d+ Tickets?</p>)")));
    CHECK(link_named(few.body, "Anzahl ermitteln").empty());
    // The sort choice is kept in the links and offered in the form.
    const auto page = s.dispatcher.get("/queue?status=alle&sort=updated");
    CHECK(page.body.find("<option value=\"updated\" selected>") != std::string::npos);
    CHECK(link(page.body, "next").find("sort=updated") != std::string::npos);
    // Without a choice the order is automatic: the best matches first while searching, even when the search was
    // typed into a form that sent the automatic order along.
    CHECK(s.dispatcher.get("/queue?q=Beamer").body.find("<option value=\"\" selected>") != std::string::npos);
    const auto apt = s.file(s.teacher_a, s.school_a, "Projektorlampe Projektorlampe Projektorlampe flackert");
    const auto later = s.file(s.teacher_a, s.school_a, "Projektorlampe, Leinwand, Kabel, Fernbedienung und Halterung");
    for (const char* target : {"/tickets?q=Projektorlampe", "/tickets?sort=&q=Projektorlampe"}) {
        INFO(target);
        CHECK(listed(s.teacher_a.get(target).body) == std::vector<std::string>{apt, later});
    }
    CHECK(listed(s.teacher_a.get("/tickets?sort=created&q=Projektorlampe").body) == std::vector<std::string>{later, apt});
}

TEST_CASE("live streams tell each person only of the tickets they may see", "[server][search][live]") {
    scene s;
    const auto mine = s.file(s.teacher_a, s.school_a, "Beamer brummt");
    const auto theirs = s.file(s.teacher_b, s.school_b, "Drucker brummt");
    // A teacher's ticket page listens to that ticket; another teacher's list to all they may see.
    sse_reader page_a(s.server.port(), s.teacher_a, "/api/v1/live?ticket=" + mine);
    sse_reader list_b(s.server.port(), s.teacher_b, "/api/v1/live");
    sse_reader queue(s.server.port(), s.manager, "/api/v1/live");
    REQUIRE(page_a.wait_for("event: hello", 3s) != std::string::npos);
    REQUIRE(list_b.wait_for("event: hello", 3s) != std::string::npos);
    REQUIRE(queue.wait_for("event: hello", 3s) != std::string::npos);

    // The manager asks teacher A a question: A's page and the manager's queue hear of it, teacher B does not.
    REQUIRE(act(s.manager, mine, "status", json::object{{"status", "waiting_on_requester"}, {"note", "Welcher Raum?"}})
                .status == 200);
    CHECK(page_a.wait_for("event: change", 3s) != std::string::npos);
    CHECK(queue.wait_for("event: change", 3s) != std::string::npos);
    CHECK(list_b.wait_for("event: change", 1500ms) == std::string::npos);

    // B's own ticket changes: B hears of it, A's ticket page does not.
    const auto before = page_a.received.size();
    REQUIRE(act(s.dispatcher, theirs, "replies", json::object{{"body", "Wir kommen."}, {"internal", false}}).status == 201);
    CHECK(list_b.wait_for("event: change", 3s) != std::string::npos);
    CHECK(page_a.wait_for("event: change", 1500ms, before) == std::string::npos);

    // Nobody listens to a ticket they may not see: 404 as for the ticket itself.
    sse_reader foreign(s.server.port(), s.teacher_a, "/api/v1/live?ticket=" + theirs);
    CHECK(foreign.wait_for("404 Not Found", 3s) != std::string::npos);
    CHECK(foreign.received.find("event:") == std::string::npos);
    sse_reader malformed(s.server.port(), s.teacher_a, "/api/v1/live?ticket=nonsense");
    CHECK(malformed.wait_for("404 Not Found", 3s) != std::string::npos);

    // The pages that refresh themselves say so to live.js; the ticket page names its ticket.
    CHECK(s.teacher_a.get("/tickets/" + mine).body.find("data-ticket=\"" + mine + "\"") != std::string::npos);
    CHECK(s.manager.get("/queue").body.find("/static/live.js") != std::string::npos);
}
