#include "server/tickets/ticket_api.hpp"

#include "core/local_time.hpp"
#include "server/http/api_request.hpp"
#include "server/http/responses.hpp"
#include "server/tickets/attachment_handlers.hpp"
#include "server/tickets/ticket_json.hpp"
#include "server/tickets/ticket_service.hpp"

#include <charconv>

namespace campusdesk {

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
    // docs/api-devices.md: the device the ticket is about (else a typed asset_tag that names one links it).
    if (auto it = o.find("device_id"); it != o.end() && !it->value().is_null()) {
        if (!it->value().is_int64() || it->value().as_int64() <= 0)
            co_return api_error(http::status::unprocessable_entity, "invalid_type",
                                "device_id muss eine positive Zahl sein.", "device_id");
        d.device_id = it->value().as_int64();
    }
    // docs/api-desk.md: the help desk files a call for a teacher (requester_id) or a caller without an account.
    std::optional<phone_call> call;
    if (o.contains("requester_id") || o.contains("requester_login") || o.contains("caller_name") ||
        o.contains("caller_phone")) {
        call.emplace();
        if (auto it = o.find("requester_id"); it != o.end() && !it->value().is_null()) {
            if (!it->value().is_int64() || it->value().as_int64() <= 0)
                co_return api_error(http::status::unprocessable_entity, "invalid_type",
                                    "requester_id muss eine positive Zahl sein.", "requester_id");
            call->requester_id = it->value().as_int64();
        }
        std::string login;
        if (auto e = string_field(o, "requester_login", login)) co_return std::move(*e);
        if (!login.empty()) {
            if (call->requester_id != 0)
                co_return api_error(http::status::unprocessable_entity, "ambiguous_requester",
                                    "Bitte requester_id oder requester_login angeben, nicht beides.", "requester_login");
            const auto found = co_await a.storage->read([&](SQLite::Database& db) { return find_user_by_login(db, login); });
            // An unknown login is refused as an unknown account is (check_phone_call): -1 is nobody's id.
            call->requester_id = found ? found->id : -1;
        }
        for (auto [name, target] : {std::pair{"caller_name", &call->caller_name}, {"caller_phone", &call->caller_phone}})
            if (auto e = string_field(o, name, *target)) co_return std::move(*e);
    }
    std::vector<attachment_record> no_files;
    auto result = co_await create_ticket(a, who, std::move(d), std::move(no_files), std::move(call));
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

namespace {

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

} // namespace

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


net::awaitable<http_response> get_ticket(app& a, const user& who, const std::string& number) {
    auto details = co_await find_visible_ticket(a, who, number);
    if (!details) co_return api_error(not_found_error());
    co_return json_response(http::status::ok, ticket_details_json(a, *details, who, now_ms()));
}

net::awaitable<http_response> post_ticket_attachments(app& a, const http_request& req, const user& who,
                                                      const std::string& number) {
    auto uploads = receive_uploads(a, req);
    if (auto* error = std::get_if<request_error>(&uploads)) co_return api_error(*error);
    const auto& received = std::get<upload_batch>(uploads).files;
    if (received.empty())
        co_return api_error(http::status::unprocessable_entity, "no_files", "Keine Datei im Feld files.", "files");
    // Nothing is written for a request that is refused (the CSRF token was checked above).
    if (auto refused = co_await check_attach(a, who, number)) co_return api_error(*refused);
    auto files = co_await store_uploads(a, who, received);
    auto attached = co_await attach_files(a, who, number, std::move(files));
    if (auto* error = std::get_if<request_error>(&attached)) co_return api_error(*error);
    auto details = co_await find_visible_ticket(a, who, number);
    if (!details) co_return api_error(not_found_error());
    co_return json_response(http::status::created, ticket_details_json(a, *details, who, now_ms()));
}

} // namespace campusdesk
