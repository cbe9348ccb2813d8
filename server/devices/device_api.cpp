#include "server/devices/device_api.hpp"

#include "core/local_time.hpp"
#include "server/devices/device_service.hpp"
#include "server/http/form_body.hpp"
#include "server/http/responses.hpp"
#include "server/views/page_frame.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>

namespace campusdesk {

namespace json = boost::json;

namespace {

json::value date_json(const std::optional<local_date>& d) {
    if (!d) return nullptr;
    return json::value(format_iso_date(*d));
}

json::object device_json(const device& d, local_date day) {
    const auto w = warranty_of(d, day);
    json::object warranty{{"state", to_string(w.state)}};
    warranty["days_left"] = w.state == warranty_state::active ? json::value(w.days_left) : json::value(nullptr);
    return {{"id", d.id},
            {"school_number", d.school_number},
            {"kind", to_string(d.kind)},
            {"model", d.model},
            {"serial_number", d.serial},
            {"inventory_number", d.inventory_number},
            {"room", d.room},
            {"owner_group", to_string(d.owner)},
            {"purchase_date", date_json(d.purchase_date)},
            {"warranty_end", date_json(d.warranty_end)},
            {"status", to_string(d.state)},
            {"warranty", std::move(warranty)}};
}

json::object view_json(const app& a, const device_view& v) {
    auto o = device_json(v.d, today(a));
    json::array tickets;
    for (const auto& t : v.tickets)
        tickets.push_back(json::object{{"number", t.number},
                                       {"title", t.title},
                                       {"status", to_string(t.state)},
                                       {"priority", to_string(t.prio)},
                                       {"created_at", format_iso8601(t.created_at, a.calendar.zone())}});
    o["tickets"] = std::move(tickets);
    o["hidden_tickets"] = v.hidden_tickets;
    o["recent_tickets"] = v.recent_tickets;
    o["problem_device"] = v.problem;
    return o;
}

http_response not_allowed() {
    return api_error(http::status::method_not_allowed, "method_not_allowed", "Methode nicht erlaubt.");
}

http_response device_not_found() { return api_error(http::status::not_found, "not_found", "Gerät nicht gefunden."); }

net::awaitable<http_response> list_devices_api(app& a, const user& who, const boost::urls::url_view& url) {
    device_query q;
    for (const auto& param : url.params()) {
        const std::string key = param.key, value = param.value;
        auto bad = [&](std::string message) {
            return api_error(http::status::unprocessable_entity, "invalid_query", message, key);
        };
        if (key == "school") {
            q.schools.push_back(value);
        } else if (key == "kind") {
            q.kind = parse_device_kind(value);
            if (!q.kind) co_return bad("kind: eine Geräteart wie ipad, notebook, digital_board.");
        } else if (key == "status") {
            q.state = parse_device_status(value);
            if (!q.state) co_return bad("status: in_use, in_repair oder retired.");
        } else if (key == "q") {
            q.text = value;
        } else if (key == "limit" || key == "offset") {
            int n = -1;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc{} || p != value.data() + value.size() || n < 0 || (key == "limit" && (n < 1 || n > 500)))
                co_return bad(key == "limit" ? "limit: 1 bis 500." : "offset: eine Zahl ab 0.");
            (key == "limit" ? q.limit : q.offset) = n;
        } else {
            co_return bad(fmt::format("Unbekannter Parameter „{}“.", key));
        }
    }
    const time_ms now = now_ms();
    auto page = co_await a.storage->read([&](SQLite::Database& db) {
        // Least privilege: a school outside the viewer's is not an error but lists nothing.
        if (auto mine = device_schools_of(a, current_viewer(a, db, who, now))) {
            if (q.schools.empty()) q.schools = *mine;
            else std::erase_if(q.schools, [&](const std::string& s) { return std::find(mine->begin(), mine->end(), s) == mine->end(); });
            if (q.schools.empty()) return device_page{};
        }
        return list_devices(db, q);
    });
    json::array list;
    const auto day = today(a);
    for (const auto& d : page.devices) list.push_back(device_json(d, day));
    co_return json_response(http::status::ok, json::object{{"devices", std::move(list)}, {"total", page.total},
                                                           {"limit", q.limit}, {"offset", q.offset}});
}

json::object import_json(const device_import_report& r) {
    json::object o{{"format", r.format ? json::value(r.format->name) : json::value(nullptr)}, {"dry_run", r.dry_run}};
    o["rows"] = r.rows;
    o["added"] = r.outcome.counts.added;
    o["updated"] = r.outcome.counts.updated;
    o["retired"] = r.outcome.counts.retired;
    o["unchanged"] = r.outcome.counts.unchanged;
    json::array retired;
    for (const auto& d : r.outcome.retired)
        retired.push_back(json::object{{"id", d.id}, {"school_number", d.school_number}, {"serial_number", d.serial},
                                       {"inventory_number", d.inventory_number}});
    o["retired_devices"] = std::move(retired);
    return o;
}

net::awaitable<http_response> import_api(app& a, const http_request& req, const user& who,
                                         const boost::urls::url_view& url) {
    const std::string_view type = req[http::field::content_type];
    if (!type.starts_with("text/csv") && !type.starts_with("text/plain"))
        co_return api_error(http::status::unsupported_media_type, "unsupported_media_type",
                            "Bitte die CSV-Datei als text/csv senden.");
    const auto dry = query_value(url, "dry_run");
    if (!dry.empty() && dry != "0" && dry != "1" && dry != "true" && dry != "false")
        co_return api_error(http::status::unprocessable_entity, "invalid_query", "dry_run: 1 oder 0.", "dry_run");
    const std::string format = query_value(url, "format");
    auto result = co_await import_device_file(a, who, req.body(), format, dry == "1" || dry == "true");
    if (auto* refused = std::get_if<request_error>(&result)) co_return api_error(*refused);
    const auto& report = std::get<device_import_report>(result);
    if (report.errors.empty()) co_return json_response(http::status::ok, import_json(report));
    json::array errors;
    for (const auto& e : report.errors)
        errors.push_back(json::object{{"line", e.line},
                                      {"column", e.column.empty() ? json::value(nullptr) : json::value(e.column)},
                                      {"message", e.message}});
    json::object error{{"code", "invalid_csv"},
                       {"message", fmt::format("Nichts importiert: {} Fehler in der Datei.",
                                               report.errors.size() + report.more_errors)},
                       {"field", nullptr},
                       {"errors", std::move(errors)},
                       {"more_errors", report.more_errors}};
    co_return json_response(http::status::unprocessable_entity, json::object{{"error", std::move(error)}});
}

json::array problems_json(const app& a, const std::vector<problem_device>& list) {
    json::array out;
    const auto day = today(a);
    for (const auto& p : list) {
        auto o = device_json(p.d, day);
        o["tickets_in_window"] = p.tickets;
        o["last_ticket_at"] = format_iso8601(p.last_ticket_at, a.calendar.zone());
        out.push_back(std::move(o));
    }
    return out;
}

} // namespace

bool is_device_import_target(std::string_view target) { return target.starts_with("/api/v1/devices/import"); }

net::awaitable<http_response> devices_api(app& a, const http_request& req, const user& who,
                                          const boost::urls::url_view& url, const std::vector<std::string>& rest) {
    const auto method = req.method();
    const bool get = method == http::verb::get || method == http::verb::head;
    if (rest.empty()) {
        if (!get) co_return not_allowed();
        co_return co_await list_devices_api(a, who, url);
    }
    if (rest.size() == 1 && rest[0] == "import") {
        if (method != http::verb::post) co_return not_allowed();
        co_return co_await import_api(a, req, who, url);
    }
    if (rest.size() == 1 && rest[0] == "problems") {
        if (!get) co_return not_allowed();
        const std::vector<std::string> all_visible;
        const auto list = co_await visible_problem_devices(a, who, 100, all_visible);
        co_return json_response(http::status::ok,
                                json::object{{"tickets", a.config.devices.problem_tickets},
                                             {"days", a.config.devices.problem_days},
                                             {"devices", problems_json(a, list)}});
    }
    if (rest.size() == 1 && rest[0] == "rates") {
        if (!get) co_return not_allowed();
        const auto rates = co_await visible_kind_rates(a, who);
        json::array list;
        for (const auto& r : rates) {
            const auto rate = tickets_per_100(r.tickets, r.devices);
            list.push_back(json::object{{"kind", to_string(r.kind)},
                                        {"devices", r.devices},
                                        {"tickets", r.tickets},
                                        {"tickets_per_100", rate ? json::value(std::round(*rate * 10) / 10) : json::value(nullptr)}});
        }
        co_return json_response(http::status::ok,
                                json::object{{"days", a.config.devices.problem_days}, {"kinds", std::move(list)}});
    }
    if (rest.size() == 1) {
        const auto id = parse_id(rest[0]);
        if (!id || *id <= 0) co_return device_not_found();
        if (!get) co_return not_allowed();
        const auto view = co_await find_visible_device(a, who, *id);
        if (!view) co_return device_not_found();
        co_return json_response(http::status::ok, view_json(a, *view));
    }
    co_return api_error(http::status::not_found, "not_found", "Unbekannte Adresse.");
}

net::awaitable<http_response> ticket_device_api(app& a, const user& who, const std::string& number) {
    auto details = co_await find_visible_ticket(a, who, number);
    if (!details) co_return api_error(not_found_error());
    const auto id = details->t.id;
    const auto view = co_await device_of_visible_ticket(a, who, id);
    if (!view) co_return api_error(http::status::not_found, "no_device", "Dieses Ticket nennt kein bekanntes Gerät.");
    co_return json_response(http::status::ok, view_json(a, *view));
}

} // namespace campusdesk
