#include "server/api_handlers.hpp"

#include "server/attachment_handlers.hpp"
#include "server/dispatch_handlers.hpp"
#include "server/report_pages.hpp"
#include "server/responses.hpp"
#include "core/local_time.hpp"
#include "core/password_policy.hpp"
#include "server/ticket_json.hpp"

#include <charconv>

namespace campusdesk {
namespace {

bool is_json(const http_request& req) {
    std::string_view type = req[http::field::content_type];
    auto semi = type.find(';');
    auto base = type.substr(0, semi);
    while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
    return beast::iequals(base, "application/json");
}

// Parses the body as a JSON object, or says why not.
std::variant<json::object, http_response> json_body(const http_request& req) {
    if (!is_json(req))
        return api_error(http::status::unsupported_media_type, "unsupported_media_type",
                         "Erwartet wird application/json.");
    boost::system::error_code ec;
    auto value = json::parse(req.body(), ec);
    if (ec) return api_error(http::status::bad_request, "malformed_json", "Der Inhalt ist kein gültiges JSON.");
    if (!value.is_object())
        return api_error(http::status::bad_request, "malformed_json", "Erwartet wird ein JSON-Objekt.");
    return std::move(value.as_object());
}

// Reads an optional string field; a field of another type is a 422 naming it.
std::optional<http_response> string_field(const json::object& o, std::string_view name, std::string& out) {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_string())
        return api_error(http::status::unprocessable_entity, "invalid_type",
                         fmt::format("{} muss eine Zeichenkette sein.", name), name);
    out = std::string(it->value().as_string());
    return std::nullopt;
}

net::awaitable<http_response> create_session(app& a, const http_request& req, const net::ip::address& peer) {
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    std::string login, password;
    if (auto e = string_field(o, "login", login)) co_return std::move(*e);
    if (auto e = string_field(o, "password", password)) co_return std::move(*e);
    if (login.empty() || login.size() > 200)
        co_return api_error(http::status::unprocessable_entity, "required", "Bitte den Benutzernamen angeben.", "login");
    if (password.empty())
        co_return api_error(http::status::unprocessable_entity, "required", "Bitte das Passwort angeben.", "password");
    // Any password that could have been set is verified; a longer one is refused before it costs a hash.
    if (!password_fits_login(password))
        co_return api_error(http::status::unprocessable_entity, "too_long",
                            fmt::format("Das Passwort darf höchstens {} Zeichen lang sein.", password_max_characters),
                            "password");
    // Named, not a temporary in the co_await (GCC PR 99576, storage_service.hpp).
    const login_request attempt{login, password, client_address(a.config, req, peer), std::string(req[http::field::user_agent]),
                                find_cookie(req, device_cookie_name(a)).value};
    auto result = co_await log_in(a, attempt);
    if (auto* refused = std::get_if<login_refused>(&result)) {
        if (refused->why == login_refused::reason::invalid)
            co_return api_error(http::status::unauthorized, "invalid_credentials",
                                "Benutzername oder Passwort ist falsch.");
        const auto seconds = retry_after_seconds(*refused);
        auto res = refused->why == login_refused::reason::throttled
                       ? api_error(http::status::too_many_requests, "rate_limited",
                                   fmt::format("Zu viele Fehlversuche. Bitte in {} Sekunden erneut versuchen.", seconds))
                       : api_error(http::status::service_unavailable, "busy",
                                   "Gerade melden sich sehr viele an. Bitte gleich noch einmal versuchen.");
        res.set(http::field::retry_after, std::to_string(seconds));
        co_return res;
    }
    auto& success = std::get<login_success>(result);
    auto res = json_response(http::status::ok, json::object{{"user", user_to_json(success.who)},
                                                            {"csrf_token", success.csrf_token}});
    set_login_cookies(a, res, success);
    co_return res;
}

json::array schools_json(const app& a) {
    json::array list;
    for (const auto& s : a.dir.schools)
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
    for (const auto& m : a.dir.managers) {
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

net::awaitable<http_response> post_ticket(app& a, const http_request& req, const user& who) {
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    ticket_draft d;
    d.priority = "normal";
    for (auto [name, target] : {std::pair{"school_number", &d.school_number}, {"category", &d.category},
                                {"priority", &d.priority}, {"title", &d.title}, {"description", &d.description},
                                {"room", &d.room}, {"asset_tag", &d.asset_tag}})
        if (auto e = string_field(o, name, *target)) co_return std::move(*e);
    auto result = co_await create_ticket(a, who, std::move(d));
    if (auto* error = std::get_if<request_error>(&result)) co_return api_error(*error);
    const auto& t = std::get<ticket>(result);
    auto details = co_await find_visible_ticket(a, who, t.number);
    // can_see lets a filer see their ticket; should that rule ever change, answer without the details rather
    // than dereference nothing.
    if (!details) co_return api_error(not_found_error());
    auto res = json_response(http::status::created, ticket_details_json(a, *details, who, now_ms()));
    res.set(http::field::location, "/api/v1/tickets/" + t.number);
    co_return res;
}

// Builds the list query from the URL, or answers 422 naming the bad parameter.
std::variant<ticket_query, http_response> list_query(const app& a, const boost::urls::url_view& url, const user& who) {
    ticket_query q;
    for (const auto& param : url.params()) {
        const std::string key = param.key, value = param.value;
        auto bad = [&](std::string_view message) {
            return api_error(http::status::unprocessable_entity, "invalid_parameter", message, key);
        };
        if (key == "status") {
            auto s = parse_status(value);
            if (!s) return bad("Unbekannter Status.");
            q.statuses.push_back(*s);
        } else if (key == "school") {
            if (!a.dir.school(value)) return bad("Unbekannte Schule.");
            q.school = value;
        } else if (key == "assignee") {
            if (value == "me") {
                q.assignee = who.who == role::campus_manager ? who.manager_id : -1;
            } else {
                std::int64_t id = 0;
                auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
                if (ec != std::errc{} || p != value.data() + value.size()) return bad("assignee: Zahl oder me.");
                q.assignee = id;
            }
        } else if (key == "priority") {
            auto p = parse_priority(value);
            if (!p) return bad("Unbekannte Priorität.");
            q.prio = *p;
        } else if (key == "category") {
            if (!a.config.has_category(value)) return bad("Unbekannte Kategorie.");
            q.category = value;
        } else if (key == "q") {
            if (auto problem = check_search_text(value)) return bad(problem->message);
            q.text = value;
        } else if (key == "breached" || key == "at_risk") {
            if (value != "true" && value != "false") return bad("true oder false.");
            (key == "breached" ? q.breached : q.at_risk) = value == "true";
        } else if (key == "sort") {
            auto s = parse_ticket_sort(value);
            if (!s) return bad("sort: due, created oder updated.");
            q.sort = *s;
        } else if (key == "limit") {
            int limit = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
            if (ec != std::errc{} || p != value.data() + value.size() || limit < 1 || limit > 200)
                return bad("limit: 1 bis 200.");
            q.limit = limit;
        } else if (key == "cursor") {
            q.cursor = value;
        }
    }
    return q;
}

net::awaitable<http_response> get_tickets(app& a, const boost::urls::url_view& url, const user& who) {
    auto parsed = list_query(a, url, who);
    if (auto* error = std::get_if<http_response>(&parsed)) co_return std::move(*error);
    auto query = std::get<ticket_query>(parsed);
    ticket_list list;
    try {
        list = co_await list_visible_tickets(a, who, std::move(query));
    } catch (const cursor_error&) {
        co_return api_error(http::status::unprocessable_entity, "invalid_parameter", "Ungültiger cursor.", "cursor");
    }
    co_return json_response(http::status::ok, ticket_list_json(a, list));
}

// POST /api/v1/tickets/{number}/{action}: replies, status, priority, assign, escalate.
net::awaitable<http_response> post_ticket_action(app& a, const http_request& req, const user& who,
                                                 const std::string& number, const std::string& action) {
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    std::string note;
    if (auto e = string_field(o, action == "replies" ? "body" : "note", note)) co_return std::move(*e);
    action_planner plan;
    if (action == "replies") {
        bool internal = false;
        if (auto it = o.find("internal"); it != o.end() && !it->value().is_null()) {
            if (!it->value().is_bool())
                co_return api_error(http::status::unprocessable_entity, "invalid_type", "internal: true oder false.",
                                    "internal");
            internal = it->value().as_bool();
        }
        plan = [note, internal](const action_context& c) { return plan_reply(c, note, internal); };
    } else if (action == "status") {
        std::string value;
        if (auto e = string_field(o, "status", value)) co_return std::move(*e);
        auto to = parse_status(value);
        if (!to) co_return api_error(http::status::unprocessable_entity, "unknown_status", "Unbekannter Status.", "status");
        plan = [note, to = *to](const action_context& c) { return plan_status_change(c, to, note); };
    } else if (action == "priority") {
        std::string value;
        if (auto e = string_field(o, "priority", value)) co_return std::move(*e);
        auto to = parse_priority(value);
        if (!to)
            co_return api_error(http::status::unprocessable_entity, "unknown_priority", "Unbekannte Priorität.", "priority");
        plan = [note, to = *to](const action_context& c) { return plan_priority_change(c, to, note); };
    } else if (action == "assign") {
        auto it = o.find("manager_id");
        if (it == o.end() || !it->value().is_int64())
            co_return api_error(http::status::unprocessable_entity, "invalid_type", "manager_id muss eine Zahl sein.",
                                "manager_id");
        const auto id = it->value().as_int64();
        const bool known = a.dir.current_manager(id) != nullptr;
        plan = [note, id, known](const action_context& c) { return plan_assign(c, id, known, note); };
    } else if (action == "escalate") {
        std::string partner;
        if (auto e = string_field(o, "partner", partner)) co_return std::move(*e);
        const bool known = a.config.find_partner(partner) != nullptr;
        plan = [note, partner, known](const action_context& c) { return plan_escalate(c, partner, known, note); };
    } else {
        co_return api_error(http::status::not_found, "not_found", "Unbekannte Adresse.");
    }
    auto result = co_await perform_action(a, who, number, std::move(plan));
    if (auto* error = std::get_if<request_error>(&result)) co_return api_error(*error);
    auto details = co_await find_visible_ticket(a, who, number);
    if (!details) co_return api_error(not_found_error());  // e.g. a manager who just assigned it away
    co_return json_response(action == "replies" ? http::status::created : http::status::ok,
                            ticket_details_json(a, *details, who, now_ms()));
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
        auto details = co_await find_visible_ticket(a, who, seg[1]);
        if (!details) co_return api_error(not_found_error());
        co_return json_response(http::status::ok, ticket_details_json(a, *details, who, now_ms()));
    }
    if (seg.size() == 3 && seg[0] == "tickets" && seg[2] == "attachments") {
        if (method != http::verb::post) co_return not_allowed();
        auto uploads = receive_uploads(a, req);
        if (auto* error = std::get_if<request_error>(&uploads)) co_return api_error(*error);
        const auto& received = std::get<upload_batch>(uploads).files;
        if (received.empty())
            co_return api_error(http::status::unprocessable_entity, "no_files", "Keine Datei im Feld files.", "files");
        // Nothing is written for a request that is refused (the CSRF token was checked above).
        if (auto refused = co_await check_attach(a, who, seg[1])) co_return api_error(*refused);
        auto files = co_await store_uploads(a, who, received);
        auto attached = co_await attach_files(a, who, seg[1], std::move(files));
        if (auto* error = std::get_if<request_error>(&attached)) co_return api_error(*error);
        auto details = co_await find_visible_ticket(a, who, seg[1]);
        if (!details) co_return api_error(not_found_error());
        co_return json_response(http::status::created, ticket_details_json(a, *details, who, now_ms()));
    }
    if (seg.size() == 3 && seg[0] == "tickets") {
        if (method != http::verb::post) co_return not_allowed();
        co_return co_await post_ticket_action(a, req, who, seg[1], seg[2]);
    }
    co_return api_error(http::status::not_found, "not_found", "Unbekannte Adresse.");
}

} // namespace campusdesk
