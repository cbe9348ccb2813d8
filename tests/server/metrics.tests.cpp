// /metrics (issue 20): the text format checked line by line (a parser stricter than Prometheus' own), request
// counts and latency histograms per route pattern, the queues, the per-manager ticket gauges against the list
// API, and the example Grafana dashboard against a real scrape.
#include "server/http/metrics.hpp"
#include "server/http/route_metrics.hpp"
#include "tests/server/ticket_helpers.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

using namespace campusdesk;
using namespace campusdesk::testing;

namespace {

struct sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct scrape {
    std::map<std::string, std::string> types;  // family → counter, gauge, histogram
    std::vector<sample> samples;

    // The value of the one sample with this name and these labels (among others), or 0 if there is none.
    double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
        double found = 0;
        int matches = 0;
        for (const auto& s : samples)
            if (s.name == name && std::all_of(labels.begin(), labels.end(), [&](const auto& l) {
                    auto it = s.labels.find(l.first);
                    return it != s.labels.end() && it->second == l.second;
                }) && s.labels.size() == labels.size())
                found = s.value, ++matches;
        REQUIRE(matches <= 1);
        return found;
    }
    double sum(const std::string& name) const {
        double total = 0;
        for (const auto& s : samples)
            if (s.name == name) total += s.value;
        return total;
    }
};

bool valid_name(std::string_view name, bool label) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':');
        if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

// The family a sample belongs to: a histogram's _bucket, _sum and _count are its family's.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
    for (const char* suffix : {"_bucket", "_sum", "_count"})
        if (name.ends_with(suffix)) {
            const auto base = name.substr(0, name.size() - std::strlen(suffix));
            if (auto it = types.find(base); it != types.end() && it->second == "histogram") return base;
        }
    return name;
}

// Parses the text format 0.0.4 and fails the test on anything Prometheus would refuse or promtool would warn
// about: a sample before its TYPE, a family split in two, a bad name, label or value, a duplicate series, a counter
// not named _total, a histogram whose buckets are not cumulative or whose +Inf bucket is not its _count.
scrape parse(const std::string& text) {
    scrape s;
    REQUIRE(text.ends_with('\n'));
    std::set<std::string> finished, helped;
    std::string current;  // the family whose lines are being read
    std::set<std::string> series;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        INFO(line);
        REQUIRE(!line.empty());
        if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
            const auto rest = line.substr(7);
            const auto space = rest.find(' ');
            REQUIRE(space != std::string::npos);
            const auto name = rest.substr(0, space), what = rest.substr(space + 1);
            REQUIRE(valid_name(name, false));
            if (name != current) {
                REQUIRE(finished.count(name) == 0);
                if (!current.empty()) finished.insert(current);
                current = name;
            }
            if (line[2] == 'H') {
                REQUIRE(helped.insert(name).second);
                REQUIRE(!what.empty());
            } else {
                REQUIRE(s.types.count(name) == 0);
                REQUIRE((what == "counter" || what == "gauge" || what == "histogram"));
                if (what == "counter") CHECK(name.ends_with("_total"));
                s.types[name] = what;
            }
            continue;
        }
        REQUIRE(line[0] != '#');
        sample smp;
        std::size_t i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
        smp.name = line.substr(0, i);
        REQUIRE(valid_name(smp.name, false));
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (line.at(i) != '}') {
                const auto eq = line.find('=', i);
                REQUIRE(eq != std::string::npos);
                const auto label = line.substr(i, eq - i);
                REQUIRE(valid_name(label, true));
                REQUIRE(line.at(eq + 1) == '"');
                std::string value;
                std::size_t j = eq + 2;
                for (; line.at(j) != '"'; ++j) {
                    if (line[j] == '\\') {
                        const char e = line.at(++j);
                        REQUIRE((e == '\\' || e == '"' || e == 'n'));
                        value += e == 'n' ? '\n' : e;
                    } else {
                        value += line[j];
                    }
                }
                REQUIRE(smp.labels.emplace(label, value).second);
                i = j + 1;
                if (line.at(i) == ',') ++i;
                else REQUIRE(line.at(i) == '}');
            }
            ++i;
        }
        REQUIRE(line.at(i) == ' ');
        const auto number = line.substr(i + 1);
        REQUIRE(number.find(' ') == std::string::npos);  // no timestamps
        if (number == "+Inf") smp.value = INFINITY;
        else {
            std::size_t used = 0;
            smp.value = std::stod(number, &used);
            REQUIRE(used == number.size());
        }
        const auto family = family_of(smp.name, s.types);
        REQUIRE(family == current);  // after its TYPE, and all of a family together
        REQUIRE(s.types.count(family) == 1);
        if (s.types[family] == "counter") CHECK(smp.value >= 0);
        std::string key = smp.name;
        for (const auto& [k, v] : smp.labels) key += "|" + k + "=" + v;
        REQUIRE(series.insert(key).second);
        s.samples.push_back(std::move(smp));
    }
    // Histograms: per label set (without le), the buckets in order of le, never falling, +Inf last and = _count.
    for (const auto& [family, type] : s.types) {
        if (type != "histogram") continue;
        std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
        std::map<std::map<std::string, std::string>, double> counts, sums;
        for (const auto& smp : s.samples) {
            auto labels = smp.labels;
            if (smp.name == family + "_bucket") {
                REQUIRE(labels.count("le") == 1);
                const auto le = labels["le"];
                labels.erase("le");
                buckets[labels].emplace_back(le == "+Inf" ? INFINITY : std::stod(le), smp.value);
            } else if (smp.name == family + "_count") {
                counts[labels] = smp.value;
            } else if (smp.name == family + "_sum") {
                sums[labels] = smp.value;
            }
        }
        REQUIRE(buckets.size() == counts.size());
        REQUIRE(buckets.size() == sums.size());
        for (const auto& [labels, list] : buckets) {
            REQUIRE(list.size() == latency_buckets.size() + 1);
            for (std::size_t k = 1; k < list.size(); ++k) {
                CHECK(list[k].first > list[k - 1].first);
                CHECK(list[k].second >= list[k - 1].second);
            }
            CHECK(std::isinf(list.back().first));
            CHECK(list.back().second == counts.at(labels));
            CHECK(sums.at(labels) >= 0);
        }
    }
    return s;
}

scrape scrape_metrics(client& c) {
    const auto r = c.get("/metrics");
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    return parse(r.body);
}

// Every ticket the list API shows for this query (all pages).
std::vector<boost::json::value> list_all(client& c, const std::string& query) {
    std::vector<boost::json::value> tickets;
    std::string cursor;
    for (;;) {
        auto r = c.get("/api/v1/tickets?limit=200&" + query + (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
        REQUIRE(r.status == 200);
        const auto page = r.json();
        for (const auto& t : page.at("tickets").as_array()) tickets.push_back(t);
        if (page.at("next_cursor").is_null()) return tickets;
        cursor = std::string(page.at("next_cursor").as_string());
    }
}

} // namespace

TEST_CASE("route patterns: a request counts under the pattern it matched, never its raw path", "[server][metrics]") {
    const std::vector<std::pair<std::string, std::string_view>> cases{
        {"/api/v1/tickets", "/api/v1/tickets"},
        {"/api/v1/tickets?assignee=me&limit=50", "/api/v1/tickets"},
        {"/api/v1/tickets/CD-2026-000001", "/api/v1/tickets/{number}"},
        {"/api/v1/tickets/CD-2026-000001/attachments", "/api/v1/tickets/{number}/attachments"},
        {"/api/v1/tickets/CD-2026-000001/status", "/api/v1/tickets/{number}/{action}"},
        {"/api/v1/managers/7/absence", "/api/v1/managers/{id}/absence"},
        {"/api/v1/problems/3/resolve", "/api/v1/problems/{id}/{action}"},
        {"/", "/"},
        {"/tickets/new", "/tickets/new"},
        {"/tickets/CD-2026-000001", "/tickets/{number}"},
        {"/tickets/CD-2026-000001/eskalieren", "/tickets/{number}/{action}"},
        {"/stoerungen", "/stoerungen"},
        {"/stoerungen/", "/stoerungen/"},
        {"/stoerungen/neu", "/stoerungen/neu"},
        {"/stoerungen/12", "/stoerungen/{id}"},
        {"/admin/benutzer/12/sperren", "/admin/benutzer/{id}/{action}"},
        {"/dispatch/mail/4.eml", "/dispatch/mail/{id}"},
        {"/static/app.css", "/static/{name}"},
        {"/metrics", "/metrics"},
        {"/api/v1/devices/import?format=jamf_school", "/api/v1/devices/import"},
        {"/api/v1/devices/17", "/api/v1/devices/{id}"},
        {"/geraete/17", "/geraete/{id}"},
        {"/wartung?status=offen", "/wartung"},
        {"/wartung/aufgaben/3?zurueck=%2Fvisits", "/wartung/aufgaben/{id}"},
        {"/wartung/plaene/3", "/wartung/plaene/{id}"},
        {"/wartung/plaene/3/beenden", "/wartung/plaene/{id}/{action}"},
        {"/api/v1/maintenance/plans/2/end", "/api/v1/maintenance/plans/{id}/{action}"},
        {"/api/v1/maintenance/tasks/5/postpone", "/api/v1/maintenance/tasks/{id}/{action}"},
        {"/api/v1/reports/maintenance?month=2026-11", "/api/v1/reports/maintenance"},
        {"/sso/schulen/callback?state=x&code=y", "/sso/{provider}/{action}"},
        {"/healthz?x=1", "/healthz"},
        // Anything else is "other": the number of series stays bounded whatever clients send.
        {"/tickets/", "other"},
        {"/api/v1/tickets//merge", "other"},
        {"/wp-login.php", "other"},
        {"/a/b/c/d/e/f/g", "other"},
        {"/api/v1/tickets/1/2/3/4", "other"},
        {"", "other"},
        {"*", "other"},
        {"http://example.org/", "other"},
    };
    for (const auto& [target, pattern] : cases) {
        INFO(target);
        CHECK(route_of(target) == pattern);
    }
    // Every pattern is reachable (an earlier one never hides it).
    for (const auto p : route_patterns()) {
        std::string example(p);
        example = std::regex_replace(example, std::regex("\\{[a-z]+\\}"), "x1");
        INFO(p);
        CHECK(route_of(example) == p);
    }
}

TEST_CASE("/metrics: counts and latencies per route, queues, and open tickets per campus manager",
          "[server][metrics]") {
    temp_dir data;
    server_process server(data.path);
    client scraper(server.port());
    client desk(server.port());
    REQUIRE(desk.login("dispatch1").status == 200);
    const auto some = list_all(desk, "status=new&status=open");
    REQUIRE(some.size() >= 3);
    const auto before = scrape_metrics(scraper);

    const int lists = 7;
    for (int i = 0; i < lists; ++i) REQUIRE(desk.get("/api/v1/tickets?limit=5").status == 200);
    for (int i = 0; i < 3; ++i) REQUIRE(desk.get("/api/v1/tickets/" + number_of(some[i])).status == 200);
    REQUIRE(desk.get("/api/v1/tickets/CD-1999-000001").status == 404);
    REQUIRE(desk.get("/wp-login.php").status == 404);
    const auto after = scrape_metrics(scraper);

    auto delta = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
        return after.value(name, labels) - before.value(name, labels);
    };
    const std::string requests = "campusdesk_http_requests_total", latency = "campusdesk_http_request_duration_seconds";
    const std::map<std::string, std::string> list_route{{"route", "/api/v1/tickets"}, {"method", "GET"}};
    const std::map<std::string, std::string> one_route{{"route", "/api/v1/tickets/{number}"}, {"method", "GET"}};
    auto with = [](auto labels, const char* k, const char* v) { return labels.emplace(k, v), labels; };
    CHECK(delta(requests, with(list_route, "status", "2xx")) == lists);
    CHECK(delta(latency + "_count", list_route) == lists);
    CHECK(delta(requests, with(one_route, "status", "2xx")) == 3);
    CHECK(delta(requests, with(one_route, "status", "4xx")) == 1);
    CHECK(delta(latency + "_count", one_route) == 4);
    CHECK(delta(requests, {{"route", "other"}, {"method", "GET"}, {"status", "4xx"}}) == 1);
    CHECK(after.value(latency + "_sum", list_route) > before.value(latency + "_sum", list_route));
    // The routes are the patterns: no ticket number and no unknown path became a label.
    for (const auto& s : after.samples)
        if (auto it = s.labels.find("route"); it != s.labels.end()) {
            INFO(it->second);
            CHECK((it->second == "other" ||
                   std::find(route_patterns().begin(), route_patterns().end(), it->second) != route_patterns().end()));
        }
    // Every request but the scrape in progress is in the per-route counts.
    CHECK(after.sum(requests) == after.value("campusdesk_requests_total") - 1);
    CHECK(after.sum(requests) == after.sum(latency + "_count"));

    for (const char* queue : {"campusdesk_reader_queue_waiting", "campusdesk_write_queue_waiting",
                              "campusdesk_password_hashes_waiting", "campusdesk_mail_pending",
                              "campusdesk_live_streams_open"}) {
        INFO(queue);
        CHECK(after.types.at(queue) == "gauge");
        CHECK(after.value(queue) >= 0);
    }

    // Per campus manager: what the list API's filters find. A ticket crossing into at-risk or breached between the
    // scrape and the lists would disagree; then both are taken again.
    const auto managers = desk.get("/api/v1/managers").json().as_array();
    REQUIRE(!managers.empty());
    // A new ticket changes a manager's count in the next scrape (no cache across a change).
    const auto filed = file_ticket(desk, "141017");
    const auto assignee = filed.at("assignee").at("id").as_int64();
    const auto open_before = after.value("campusdesk_tickets_open",
                                         {{"manager_id", std::to_string(assignee)},
                                          {"manager", std::string(std::find_if(managers.begin(), managers.end(), [&](const auto& m) {
                                                                      return m.at("id").as_int64() == assignee;
                                                                  })->at("login").as_string())}});
    for (int attempt = 0;; ++attempt) {
        const auto now = scrape_metrics(scraper);
        bool agree = true;
        for (const auto& m : managers) {
            const auto id = std::to_string(m.at("id").as_int64());
            const std::map<std::string, std::string> labels{{"manager_id", id},
                                                            {"manager", std::string(m.at("login").as_string())}};
            const std::string open = "assignee=" + id + "&status=new&status=open&status=waiting_on_requester"
                                     "&status=waiting_on_third_party";
            const auto expected_open = static_cast<double>(list_all(desk, open).size());
            const auto expected_risk = static_cast<double>(list_all(desk, open + "&at_risk=true").size());
            const auto expected_breached = static_cast<double>(list_all(desk, open + "&breached=true").size());
            agree = agree && now.value("campusdesk_tickets_open", labels) == expected_open &&
                    now.value("campusdesk_tickets_at_risk", labels) == expected_risk &&
                    now.value("campusdesk_tickets_breached", labels) == expected_breached;
            if (attempt == 2) {
                INFO("manager " << id);
                CHECK(now.value("campusdesk_tickets_open", labels) == expected_open);
                CHECK(now.value("campusdesk_tickets_at_risk", labels) == expected_risk);
                CHECK(now.value("campusdesk_tickets_breached", labels) == expected_breached);
            }
            if (m.at("id").as_int64() == assignee) CHECK(now.value("campusdesk_tickets_open", labels) == open_before + 1);
        }
        if (agree || attempt == 2) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

TEST_CASE("the example Grafana dashboard uses only metrics that /metrics has", "[server][metrics]") {
    std::ifstream in(std::string(CAMPUSDESK_SOURCE_DIR) + "/docs/grafana-dashboard.json");
    REQUIRE(in);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto dashboard = boost::json::parse(text);
    std::vector<std::string> exprs;
    const std::function<void(const boost::json::value&)> walk = [&](const boost::json::value& v) {
        if (const auto* o = v.if_object()) {
            for (const auto& [k, child] : *o) {
                if (k == "expr" && child.is_string()) exprs.emplace_back(child.as_string());
                walk(child);
            }
        } else if (const auto* a = v.if_array()) {
            for (const auto& child : *a) walk(child);
        }
    };
    walk(dashboard);
    REQUIRE(exprs.size() >= 8);

    temp_dir data;
    server_process server(data.path);
    client scraper(server.port());
    client desk(server.port());
    REQUIRE(desk.login("dispatch1").status == 200);
    REQUIRE(desk.get("/api/v1/tickets").status == 200);  // a histogram series
    const auto s = scrape_metrics(scraper);
    std::set<std::string> names;
    for (const auto& smp : s.samples) names.insert(smp.name);
    const std::regex metric("campusdesk_[a-z0-9_]+");
    std::set<std::string> used;
    for (const auto& e : exprs)
        for (auto it = std::sregex_iterator(e.begin(), e.end(), metric); it != std::sregex_iterator(); ++it)
            used.insert(it->str());
    REQUIRE(used.size() >= 10);
    for (const auto& name : used) {
        INFO(name);
        CHECK(names.count(name) == 1);
    }
}
