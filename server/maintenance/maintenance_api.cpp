#include "server/maintenance/maintenance_api.hpp"

#include "core/local_time.hpp"
#include "server/http/api_request.hpp"
#include "server/http/form_body.hpp"
#include "server/http/json_writer.hpp"
#include "server/http/responses.hpp"
#include "server/maintenance/maintenance_service.hpp"
#include "server/reports/sla_export.hpp"
#include "server/views/page_frame.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>

namespace campusdesk {

namespace json = boost::json;

namespace {

http_response not_allowed() {
    return api_error(http::status::method_not_allowed, "method_not_allowed", "Methode nicht erlaubt.");
}

http_response not_found(std::string_view what) {
    return api_error(http::status::not_found, "not_found", fmt::format("{} nicht gefunden.", what));
}

json::object plan_json(const app& a, const maintenance_plan& p) {
    return {{"id", p.id},
            {"title", p.title},
            {"description", p.description},
            {"school_number", p.school_number.empty() ? json::value(nullptr) : json::value(p.school_number)},
            {"device_kind", p.kind ? json::value(to_string(*p.kind)) : json::value(nullptr)},
            {"rule", to_string(p.rule)},
            {"weeks", p.weeks},
            {"holiday_name", p.rule == maintenance_rule::before_holidays ? json::value(p.holiday_name) : json::value(nullptr)},
            {"start_date", format_iso_date(p.start)},
            {"active", p.active},
            {"created_at", format_iso8601(p.created_at, a.calendar.zone())},
            {"schedule", describe_schedule(p)},
            {"scope", describe_scope(a, p)}};
}

json::object task_json(const app& a, const maintenance_task& t) {
    const auto* s = a.dir.school(t.school_number);
    const auto* m = t.assignee_id ? a.dir.manager(t.assignee_id) : nullptr;
    return maintenance_task_json(t, s ? s->name : t.school_number, m ? m->name : "",
                                 local_date_of(now_ms(), a.calendar.zone()));
}

http_response answer_task(const app& a, const outcome<maintenance_task>& result) {
    if (auto* e = std::get_if<request_error>(&result)) return api_error(*e);
    return json_response(http::status::ok, task_json(a, std::get<maintenance_task>(result)));
}

// Only these keys; another is a 422 naming it (a typo must not pass silently).
std::optional<http_response> only_keys(const json::object& o, std::initializer_list<std::string_view> keys) {
    for (const auto& [key, value] : o)
        if (std::find(keys.begin(), keys.end(), std::string_view(key)) == keys.end())
            return api_error(http::status::unprocessable_entity, "unknown_field",
                             fmt::format("Unbekanntes Feld „{}“.", std::string_view(key)), key);
    return std::nullopt;
}

net::awaitable<http_response> post_plan(app& a, const http_request& req, const user& who) {
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    if (auto e = only_keys(o, {"title", "description", "school_number", "device_kind", "rule", "weeks",
                               "holiday_name", "start_date"}))
        co_return std::move(*e);
    plan_input in;
    for (auto [name, target] : {std::pair{"title", &in.title}, {"description", &in.description},
                                {"school_number", &in.school_number}, {"device_kind", &in.device_kind},
                                {"rule", &in.rule}, {"holiday_name", &in.holiday_name}, {"start_date", &in.start_date}})
        if (auto e = string_field(o, name, *target)) co_return std::move(*e);
    if (auto it = o.find("weeks"); it != o.end()) {
        if (!it->value().is_int64())
            co_return api_error(http::status::unprocessable_entity, "invalid_type", "weeks: eine ganze Zahl.", "weeks");
        const auto w = it->value().as_int64();
        in.weeks = w < -1000 || w > 1000 ? 0 : static_cast<int>(w);
    }
    auto result = co_await create_maintenance_plan(a, who, std::move(in));
    if (auto* e = std::get_if<request_error>(&result)) co_return api_error(*e);
    const auto& p = std::get<maintenance_plan>(result);
    auto res = json_response(http::status::created, plan_json(a, p));
    res.set(http::field::location, "/api/v1/maintenance/plans/" + std::to_string(p.id));
    co_return res;
}

net::awaitable<http_response> list_tasks(app& a, const user& who, const boost::urls::url_view& url) {
    task_query q;
    q.limit = 100;
    for (const auto& param : url.params()) {
        const std::string key = param.key, value = param.value;
        auto bad = [&](std::string message) {
            return api_error(http::status::unprocessable_entity, "invalid_query", message, key);
        };
        if (key == "school") {
            q.schools.push_back(value);
        } else if (key == "status") {
            if (!(q.state = parse_task_status(value))) co_return bad("status: open oder done.");
        } else if (key == "due_before" || key == "due_from") {
            const auto d = parse_iso_date(value);
            if (!d) co_return bad(key + ": ein Datum JJJJ-MM-TT.");
            (key == "due_before" ? q.due_by : q.due_from) = *d;
        } else if (key == "plan") {
            const auto id = parse_id(value);
            if (!id || *id <= 0) co_return bad("plan: die Nummer eines Plans.");
            q.plan_id = *id;
        } else if (key == "limit") {
            int n = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc{} || p != value.data() + value.size() || n < 1 || n > 500) co_return bad("limit: 1 bis 500.");
            q.limit = n;
        } else {
            co_return bad(fmt::format("Unbekannter Parameter „{}“.", key));
        }
    }
    if (!is_staff(who.who)) co_return api_error(http::status::forbidden, "forbidden", "Nur für Mitarbeitende.");
    const auto tasks = co_await visible_tasks(a, who, std::move(q));
    json::array list;
    for (const auto& t : tasks) list.push_back(task_json(a, t));
    co_return json_response(http::status::ok, json::object{{"tasks", std::move(list)}});
}

net::awaitable<http_response> plans_api(app& a, const http_request& req, const user& who,
                                        const std::vector<std::string>& rest) {
    const auto method = req.method();
    if (rest.empty()) {
        if (method == http::verb::post) co_return co_await post_plan(a, req, who);
        if (method != http::verb::get) co_return not_allowed();
        if (!is_staff(who.who)) co_return api_error(http::status::forbidden, "forbidden", "Nur für Mitarbeitende.");
        auto plans = co_await a.storage->read([](SQLite::Database& db) { return list_maintenance_plans(db, false); });
        json::array list;
        for (const auto& p : plans) list.push_back(plan_json(a, p));
        co_return json_response(http::status::ok, json::object{{"plans", std::move(list)}});
    }
    const auto id = parse_id(rest[0]);
    if (!id || *id <= 0 || rest.size() > 2) co_return not_found("Wartungsplan");
    if (rest.size() == 1) {
        if (method != http::verb::get) co_return not_allowed();
        const auto p = co_await find_visible_plan(a, who, *id);
        if (!p) co_return not_found("Wartungsplan");
        co_return json_response(http::status::ok, plan_json(a, *p));
    }
    if (rest[1] != "end") co_return not_found("Adresse");
    if (method != http::verb::post) co_return not_allowed();
    auto result = co_await end_maintenance_plan_as(a, who, *id);
    if (auto* e = std::get_if<request_error>(&result)) co_return api_error(*e);
    co_return json_response(http::status::ok, plan_json(a, std::get<maintenance_plan>(result)));
}

net::awaitable<http_response> tasks_api(app& a, const http_request& req, const user& who,
                                        const boost::urls::url_view& url, const std::vector<std::string>& rest) {
    const auto method = req.method();
    if (rest.empty()) {
        if (method != http::verb::get) co_return not_allowed();
        co_return co_await list_tasks(a, who, url);
    }
    const auto id = parse_id(rest[0]);
    if (!id || *id <= 0 || rest.size() > 2) co_return not_found("Wartungsaufgabe");
    if (rest.size() == 1) {
        if (method != http::verb::get) co_return not_allowed();
        const auto view = co_await find_visible_task(a, who, *id);
        if (!view) co_return not_found("Wartungsaufgabe");
        auto o = task_json(a, view->task);
        json::array history;
        for (const auto& p : view->history)
            history.push_back(json::object{{"from", format_iso_date(p.from)},
                                           {"to", format_iso_date(p.to)},
                                           {"reason", p.reason},
                                           {"at", format_iso8601(p.at, a.calendar.zone())}});
        o["postponed"] = std::move(history);
        co_return json_response(http::status::ok, o);
    }
    if (rest[1] != "done" && rest[1] != "postpone") co_return not_found("Adresse");
    if (method != http::verb::post) co_return not_allowed();
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    if (rest[1] == "done") {
        if (auto e = only_keys(o, {"note"})) co_return std::move(*e);
        std::string note;
        if (auto e = string_field(o, "note", note)) co_return std::move(*e);
        co_return answer_task(a, co_await complete_task(a, who, *id, std::move(note)));
    }
    if (auto e = only_keys(o, {"due_date", "reason"})) co_return std::move(*e);
    std::string due, reason;
    if (auto e = string_field(o, "due_date", due)) co_return std::move(*e);
    if (auto e = string_field(o, "reason", reason)) co_return std::move(*e);
    co_return answer_task(a, co_await postpone_task(a, who, *id, std::move(due), std::move(reason)));
}

} // namespace

net::awaitable<http_response> maintenance_api(app& a, const http_request& req, const user& who,
                                              const boost::urls::url_view& url, const std::vector<std::string>& rest) {
    if (!rest.empty() && rest[0] == "plans") {
        const std::vector<std::string> after(rest.begin() + 1, rest.end());
        co_return co_await plans_api(a, req, who, after);
    }
    if (!rest.empty() && rest[0] == "tasks") {
        const std::vector<std::string> after(rest.begin() + 1, rest.end());
        co_return co_await tasks_api(a, req, who, url, after);
    }
    co_return not_found("Adresse");
}

net::awaitable<http_response> maintenance_report_api(app& a, const user& who, const boost::urls::url_view& url) {
    if (!is_help_desk(who.who)) co_return api_error(http::status::forbidden, "forbidden", "Nur für den Help-Desk.");
    auto month = parse_month_param(query_value(url, "month"));
    if (const auto* e = std::get_if<export_param_error>(&month))
        co_return api_error(http::status::unprocessable_entity, e->code, e->message, e->field);
    const auto format = query_value(url, "format");
    if (!format.empty() && format != "csv" && format != "json")
        co_return api_error(http::status::unprocessable_entity, "invalid_format", "Format: csv oder json.", "format");
    auto sep = parse_separator_param(query_value(url, "sep"));
    if (const auto* e = std::get_if<export_param_error>(&sep))
        co_return api_error(http::status::unprocessable_entity, e->code, e->message, e->field);
    const auto m = std::get<report_month>(month);
    const char separator = std::get<char>(sep);
    const auto period = period_of(m, a.calendar.zone(), now_ms());
    const auto& dir = a.dir.current();
    auto report = co_await a.storage->read([&](SQLite::Database& db) {
        return load_maintenance_report(db, dir, a.calendar.zone(), period);
    });
    if (format == "json") {
        // The same section as the SLA report's JSON ("maintenance"), with the month.
        co_return json_response(http::status::ok, json::object{{"month", to_string(m)},
                                                               {"maintenance", maintenance_report_json(report)}});
    }
    auto res = text_response(http::status::ok, render_maintenance_csv(report, separator), content_type_of(export_format::csv));
    res.set(http::field::content_disposition, fmt::format("attachment; filename=\"wartung-{}.csv\"", to_string(m)));
    co_return res;
}

} // namespace campusdesk
