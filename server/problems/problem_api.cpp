#include "server/problems/problem_api.hpp"

#include "core/local_time.hpp"
#include "server/http/api_request.hpp"
#include "server/http/responses.hpp"
#include "server/problems/problem_service.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace campusdesk {
namespace {

namespace json = boost::json;

json::value time_json(const app& a, std::optional<time_ms> t) {
    if (!t) return nullptr;
    return json::value(format_iso8601(*t, a.calendar.zone()));
}

json::object clock_json(const app& a, const sla_clock& c) {
    return {{"target_minutes", c.target_minutes}, {"used_minutes", c.used_minutes()}, {"due_at", time_json(a, c.due_at)},
            {"verdict", to_string(c.verdict)}, {"breached_at", time_json(a, c.breached_at)}};
}

json::object problem_json(const app& a, const known_problem& p) {
    json::array schools;
    for (const auto& s : p.schools) schools.push_back(json::value(s));
    return {{"id", p.id},
            {"title", p.title},
            {"description", p.description},
            {"all_schools", p.all_schools},
            {"schools", std::move(schools)},
            {"priority", to_string(p.prio)},
            {"status", p.open() ? "open" : "resolved"},
            {"started_at", time_json(a, p.started_at)},
            {"declared_at", time_json(a, p.declared_at)},
            {"expected_at", time_json(a, p.expected_at)},
            {"resolved_at", time_json(a, p.resolved_at)},
            {"resolution", p.resolution}};
}

json::object view_json(const app& a, const problem_view& v, const user& who) {
    auto o = problem_json(a, v.problem);
    o["teachers_affected"] = v.teachers_affected;
    o["affected"] = v.viewer_affected;
    o["may_join"] = v.viewer_may_join;
    if (is_staff(who.who)) {
        o["sla"] = json::object{{"first_response", clock_json(a, v.sla.first_response)},
                                {"resolution", clock_json(a, v.sla.resolution)}};
        json::array tickets, people;
        for (const auto& t : v.tickets)
            tickets.push_back(json::object{{"number", t.part.ticket}, {"title", t.title}, {"status", to_string(t.state)},
                                           {"priority", to_string(t.part.prio)}});
        for (const auto& p : v.affected)
            people.push_back(json::object{{"user_id", p.user_id}, {"name", p.name}, {"school_number", p.school_number},
                                          {"at", time_json(a, p.at)}, {"room", p.room}, {"note", p.note},
                                          {"ticket", p.ticket.empty() ? json::value(nullptr) : json::value(p.ticket)}});
        o["tickets"] = std::move(tickets);
        o["affected_people"] = std::move(people);
    }
    return o;
}

std::optional<std::int64_t> parse_problem_id(const std::string& text) {
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || p != text.data() + text.size() || id <= 0) return std::nullopt;
    return id;
}

// An optional array of strings (ticket numbers, school numbers); another type is a 422 naming the field.
std::optional<http_response> string_array(const json::object& o, std::string_view name, std::vector<std::string>& out) {
    auto it = o.find(name);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    auto bad = [&] {
        return api_error(http::status::unprocessable_entity, "invalid_type", fmt::format("{}: eine Liste von Texten.", name),
                         name);
    };
    if (!it->value().is_array()) return bad();
    for (const auto& v : it->value().as_array()) {
        if (!v.is_string()) return bad();
        out.emplace_back(v.as_string());
    }
    return std::nullopt;
}

net::awaitable<http_response> answer_problem(app& a, const user& who, const outcome<known_problem>& result,
                                             http::status success) {
    if (auto* error = std::get_if<request_error>(&result)) co_return api_error(*error);
    const auto id = std::get<known_problem>(result).id;
    auto view = co_await find_visible_problem(a, who, id);
    if (!view) co_return api_error(problem_not_found());
    auto res = json_response(success, view_json(a, *view, who));
    if (success == http::status::created) res.set(http::field::location, "/api/v1/problems/" + std::to_string(id));
    co_return res;
}

net::awaitable<http_response> post_problem(app& a, const http_request& req, const user& who) {
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    problem_draft d;
    for (auto [name, target] : {std::pair{"title", &d.title}, {"description", &d.description}, {"priority", &d.priority}})
        if (auto e = string_field(o, name, *target)) co_return std::move(*e);
    if (auto e = string_array(o, "schools", d.schools)) co_return std::move(*e);
    if (auto e = string_array(o, "tickets", d.tickets)) co_return std::move(*e);
    if (auto it = o.find("all_schools"); it != o.end() && !it->value().is_null()) {
        if (!it->value().is_bool())
            co_return api_error(http::status::unprocessable_entity, "invalid_type", "all_schools: true oder false.",
                                "all_schools");
        d.all_schools = it->value().as_bool();
    }
    std::string expected;
    if (auto e = string_field(o, "expected_at", expected)) co_return std::move(*e);
    if (!expected.empty()) {
        d.expected_at = parse_iso8601(expected);
        if (!d.expected_at)
            co_return api_error(http::status::unprocessable_entity, "invalid_time",
                                "expected_at: Zeit nach ISO 8601 mit Zeitzone.", "expected_at");
    }
    auto result = co_await declare_problem(a, who, std::move(d));
    co_return co_await answer_problem(a, who, result, http::status::created);
}

json::object links_json(const app& a, const ticket_links_view& v) {
    json::array links;
    for (const auto& [l, visible] : v.links) {
        const char* direction = l.kind == link_kind::related ? "related" : l.outgoing ? "merged_into" : "merged_from";
        links.push_back(json::object{{"kind", to_string(l.kind)},
                                     {"direction", direction},
                                     {"ticket", l.other_number},
                                     {"title", visible ? json::value(l.other_title) : json::value(nullptr)},
                                     {"status", to_string(l.other_state)},
                                     {"at", time_json(a, l.at)}});
    }
    return {{"ticket", v.number},
            {"merged_into", v.merged_into.empty() ? json::value(nullptr) : json::value(v.merged_into.front())},
            {"problem_id", v.problem_id ? json::value(*v.problem_id) : json::value(nullptr)},
            {"links", std::move(links)}};
}

net::awaitable<http_response> answer_links(app& a, const user& who, const std::string& number, http::status success) {
    auto view = co_await visible_ticket_links(a, who, number);
    if (!view) co_return api_error(not_found_error());
    co_return json_response(success, links_json(a, *view));
}

} // namespace

net::awaitable<http_response> problems_api(app& a, const http_request& req, const user& who,
                                           const std::vector<std::string>& rest) {
    const auto method = req.method();
    auto not_allowed = [] {
        return api_error(http::status::method_not_allowed, "method_not_allowed", "Methode nicht erlaubt.");
    };
    if (rest.empty()) {
        if (method == http::verb::post) co_return co_await post_problem(a, req, who);
        if (method != http::verb::get) co_return not_allowed();
        json::array list;
        const auto problems = co_await visible_problems(a, who);
        for (const auto& n : problems) {
            auto o = problem_json(a, n.problem);
            o["affected"] = n.affected;
            list.push_back(std::move(o));
        }
        co_return json_response(http::status::ok, json::object{{"problems", std::move(list)}});
    }
    const auto id = parse_problem_id(rest[0]);
    if (!id || rest.size() > 2) co_return api_error(problem_not_found());
    if (rest.size() == 1) {
        if (method != http::verb::get) co_return not_allowed();
        auto view = co_await find_visible_problem(a, who, *id);
        if (!view) co_return api_error(problem_not_found());
        co_return json_response(http::status::ok, view_json(a, *view, who));
    }
    if (method != http::verb::post) co_return not_allowed();
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    if (rest[1] == "affected") {
        std::string room, note;
        if (auto e = string_field(o, "room", room)) co_return std::move(*e);
        if (auto e = string_field(o, "note", note)) co_return std::move(*e);
        auto result = co_await join_problem(a, who, *id, std::move(room), std::move(note));
        co_return co_await answer_problem(a, who, result, http::status::created);
    }
    if (rest[1] == "tickets") {
        std::vector<std::string> numbers;
        if (auto e = string_array(o, "tickets", numbers)) co_return std::move(*e);
        auto result = co_await attach_problem_tickets(a, who, *id, std::move(numbers));
        co_return co_await answer_problem(a, who, result, http::status::ok);
    }
    if (rest[1] == "resolve") {
        std::string resolution;
        if (auto e = string_field(o, "resolution", resolution)) co_return std::move(*e);
        auto result = co_await resolve_problem_as(a, who, *id, std::move(resolution));
        co_return co_await answer_problem(a, who, result, http::status::ok);
    }
    co_return api_error(http::status::not_found, "not_found", "Unbekannte Adresse.");
}

net::awaitable<http_response> post_ticket_merge(app& a, const http_request& req, const user& who,
                                                const std::string& number) {
    if (req.method() != http::verb::post)
        co_return api_error(http::status::method_not_allowed, "method_not_allowed", "Methode nicht erlaubt.");
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    std::string into, note;
    if (auto e = string_field(o, "into", into)) co_return std::move(*e);
    if (auto e = string_field(o, "note", note)) co_return std::move(*e);
    auto result = co_await merge_ticket(a, who, number, std::move(into), std::move(note));
    if (auto* error = std::get_if<request_error>(&result)) co_return api_error(*error);
    co_return co_await answer_links(a, who, number, http::status::ok);
}

net::awaitable<http_response> ticket_links_api(app& a, const http_request& req, const user& who,
                                               const std::string& number) {
    if (req.method() == http::verb::get) co_return co_await answer_links(a, who, number, http::status::ok);
    if (req.method() != http::verb::post)
        co_return api_error(http::status::method_not_allowed, "method_not_allowed", "Methode nicht erlaubt.");
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    std::string to;
    if (auto e = string_field(o, "to", to)) co_return std::move(*e);
    auto result = co_await link_ticket(a, who, number, std::move(to));
    if (auto* error = std::get_if<request_error>(&result)) co_return api_error(*error);
    co_return co_await answer_links(a, who, number, http::status::created);
}

} // namespace campusdesk
