#include "server/http/api_router.hpp"

#include "core/local_time.hpp"
#include "server/accounts/session_api.hpp"
#include "server/devices/device_api.hpp"
#include "server/maintenance/maintenance_api.hpp"
#include "server/dispatch/dispatch_handlers.hpp"
#include "server/http/responses.hpp"
#include "server/problems/problem_api.hpp"
#include "server/reports/report_pages.hpp"
#include "server/tickets/ticket_api.hpp"
#include "server/tickets/ticket_json.hpp"

namespace campusdesk {
namespace {

json::array schools_json(const app& a) {
    json::array list;
    for (const auto& s : a.dir.current().schools)
        list.push_back(json::object{{"number", s.number}, {"name", s.name}, {"kind", s.kind},
                                    {"district", s.district}, {"manager_id", s.manager_id}});
    return list;
}

// Teachers get every field but the login (null): a list of staff logins is half of a password-guessing attack.
net::awaitable<json::array> managers_json(app& a, const user& who) {
    const bool show_logins = is_staff(who.who);
    auto absences = co_await a.storage->read([](SQLite::Database& db) { return load_absences(db); });
    const time_ms now = now_ms();
    json::array list;
    for (const auto& m : a.dir.current().managers) {
        json::array schools;
        for (const auto& n : m.schools) schools.push_back(json::value(n));
        json::value absent = nullptr;
        for (const auto& ab : absences)
            if (ab.manager_id == m.id && ab.to > now)
                absent = json::object{{"from", format_iso8601(ab.from, a.calendar.zone())},
                                      {"to", format_iso8601(ab.to, a.calendar.zone())},
                                      {"substitute_id", ab.substitute_id}};
        list.push_back(json::object{{"id", m.id},
                                    {"login", show_logins ? json::value(m.login) : json::value(nullptr)},
                                    {"name", m.name},
                                    {"schools", std::move(schools)}, {"absent", std::move(absent)}});
    }
    co_return list;
}

} // namespace

net::awaitable<http_response> handle_api(app& a, http_request& req, const boost::urls::url_view& url,
                                         const net::ip::address& peer) {
    std::vector<std::string> seg;
    for (auto s : url.segments()) seg.push_back(s);
    // The router matched the decoded path "/api/v1/…"; "/api%2Fv1%2Fme" has that path but a single segment.
    if (seg.size() < 2 || seg[0] != "api" || seg[1] != "v1")
        co_return api_error(http::status::not_found, "not_found", "Unbekannte Adresse.");
    seg.erase(seg.begin(), seg.begin() + 2);
    const auto method = req.method();
    auto not_allowed = [] {
        return api_error(http::status::method_not_allowed, "method_not_allowed", "Methode nicht erlaubt.");
    };

    if (seg.size() == 1 && seg[0] == "session" && method == http::verb::post) co_return co_await create_session(a, req, peer);

    auto auth = co_await authenticate(a, req);
    if (auth.ambiguous)
        co_return api_error(http::status::bad_request, "ambiguous_session",
                            "Zwei Sitzungs-Cookies gesendet. Bitte die Cookies dieser Seite löschen und neu anmelden.");
    if (!auth.who) co_return api_error(http::status::unauthorized, "unauthenticated", "Bitte anmelden.");
    const user& who = *auth.who;
    if (method != http::verb::get && method != http::verb::head && !csrf_ok(auth, req["X-CSRF-Token"]))
        co_return api_error(http::status::forbidden, "csrf", "CSRF-Token fehlt oder ist ungültig.");

    if (seg.size() == 1 && seg[0] == "session") {
        if (method != http::verb::delete_) co_return not_allowed();
        co_await log_out(a, auth);
        auto res = json_response(http::status::ok, json::object{{"ok", true}});
        res.set(http::field::set_cookie, expired_session_cookie(a));
        co_return res;
    }
    if (seg.size() == 1 && seg[0] == "me") {
        if (method != http::verb::get) co_return not_allowed();
        co_return json_response(http::status::ok, user_to_json(who));
    }
    if (seg.size() == 1 && seg[0] == "schools") {
        if (method != http::verb::get) co_return not_allowed();
        co_return json_response(http::status::ok, schools_json(a));
    }
    if (seg.size() == 1 && seg[0] == "managers") {
        if (method != http::verb::get) co_return not_allowed();
        auto managers = co_await managers_json(a, who);
        co_return json_response(http::status::ok, managers);
    }
    if (seg.size() == 3 && seg[0] == "managers" && seg[2] == "absence") co_return co_await absence_api(a, req, who, seg[1]);
    if (seg.size() == 1 && seg[0] == "partners") {
        if (method != http::verb::get) co_return not_allowed();
        if (!is_staff(who.who)) co_return api_error(http::status::forbidden, "forbidden", "Nur für Mitarbeitende.");
        json::array list;
        for (const auto& p : a.config.partners) list.push_back(json::object{{"id", p.id}, {"name", p.name}});
        co_return json_response(http::status::ok, list);
    }
    if (seg.size() == 2 && seg[0] == "reports" && seg[1] == "problems") {
        if (method != http::verb::get) co_return not_allowed();
        co_return co_await problems_report_api(a, who, url);
    }
    if (seg.size() == 2 && seg[0] == "reports" && seg[1] == "devices") {
        if (method != http::verb::get) co_return not_allowed();
        co_return co_await devices_report_api(a, who, url);
    }
    if (seg.size() == 2 && seg[0] == "reports" && seg[1] == "maintenance") {
        if (method != http::verb::get) co_return not_allowed();
        co_return co_await maintenance_report_api(a, who, url);
    }
    if (!seg.empty() && seg[0] == "maintenance") {
        const std::vector<std::string> rest(seg.begin() + 1, seg.end());
        co_return co_await maintenance_api(a, req, who, url, rest);
    }
    if (seg.size() == 2 && seg[0] == "reports" && seg[1] == "sla") {
        if (method != http::verb::get) co_return not_allowed();
        co_return co_await sla_report_api(a, who, url);
    }
    if (seg.size() == 1 && seg[0] == "tickets") {
        if (method == http::verb::post) co_return co_await post_ticket(a, req, who);
        if (method == http::verb::get) co_return co_await get_tickets(a, url, who);
        co_return not_allowed();
    }
    if (seg.size() == 2 && seg[0] == "tickets") {
        if (method != http::verb::get) co_return not_allowed();
        co_return co_await get_ticket(a, who, seg[1]);
    }
    if (seg.size() == 3 && seg[0] == "tickets" && seg[2] == "attachments") {
        if (method != http::verb::post) co_return not_allowed();
        co_return co_await post_ticket_attachments(a, req, who, seg[1]);
    }
    if (seg.size() == 3 && seg[0] == "tickets" && seg[2] == "merge") co_return co_await post_ticket_merge(a, req, who, seg[1]);
    if (seg.size() == 3 && seg[0] == "tickets" && seg[2] == "links") co_return co_await ticket_links_api(a, req, who, seg[1]);
    if (!seg.empty() && seg[0] == "devices") {
        const std::vector<std::string> rest(seg.begin() + 1, seg.end());
        co_return co_await devices_api(a, req, who, url, rest);
    }
    if (seg.size() == 3 && seg[0] == "tickets" && seg[2] == "device") {
        if (method != http::verb::get) co_return not_allowed();
        co_return co_await ticket_device_api(a, who, seg[1]);
    }
    if (!seg.empty() && seg[0] == "problems") {
        const std::vector<std::string> rest(seg.begin() + 1, seg.end());
        co_return co_await problems_api(a, req, who, rest);
    }
    if (seg.size() == 3 && seg[0] == "tickets") {
        if (method != http::verb::post) co_return not_allowed();
        co_return co_await post_ticket_action(a, req, who, seg[1], seg[2]);
    }
    co_return api_error(http::status::not_found, "not_found", "Unbekannte Adresse.");
}


} // namespace campusdesk
