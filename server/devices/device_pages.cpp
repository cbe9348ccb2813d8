#include "server/devices/device_pages.hpp"

#include "core/local_time.hpp"
#include "server/http/form_body.hpp"
#include "server/http/multipart.hpp"
#include "server/http/responses.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"
#include "server/views/page_frame.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace campusdesk {
namespace {

constexpr int page_size = 50;

std::string school_name(const app& a, const std::string& number) {
    const auto* s = a.dir.school(number);
    return s ? s->name : number;
}

page_data device_fields(const app& a, const device& d, local_date day, language lang) {
    page_data row;
    row.set("id", std::to_string(d.id));
    row.set("kind", std::string(device_kind_label(d.kind, lang)));
    row.set("model", d.model);
    row.set("serial", d.serial);
    row.set("inventory_number", d.inventory_number);
    row.set("label", d.inventory_number.empty() ? d.serial : d.inventory_number);
    row.set("room", d.room);
    row.set("owner", std::string(owner_group_label(d.owner, lang)));
    row.set("status", std::string(device_status_label(d.state, lang)));
    row.set("status_id", std::string(to_string(d.state)));
    row.set("school", school_name(a, d.school_number));
    row.set("school_number", d.school_number);
    const auto w = warranty_of(d, day);
    row.set("warranty", warranty_text(d, day, lang));
    row.set("in_warranty", w.state == warranty_state::active);
    return row;
}

std::vector<std::pair<std::string, std::string>> kind_choices(language lang) {
    std::vector<std::pair<std::string, std::string>> choices{{"", std::string(tr(lang, "alle Arten"))}};
    for (auto k : all_device_kinds)
        choices.emplace_back(std::string(to_string(k)), std::string(device_kind_label(k, lang)));
    return choices;
}

std::vector<std::pair<std::string, std::string>> status_choices(language lang) {
    std::vector<std::pair<std::string, std::string>> choices{{"", std::string(tr(lang, "alle"))}};
    for (auto s : all_device_statuses)
        choices.emplace_back(std::string(to_string(s)), std::string(device_status_label(s, lang)));
    return choices;
}

// "1,5" (German), "1.5" (English), "–" without devices.
std::string rate_text(const kind_rate& r, language lang) {
    const auto rate = tickets_per_100(r.tickets, r.devices);
    return rate ? decimal(*rate, 1, lang) : "–";
}

// GET /geraete: the devices the user sees, filtered by school, kind, status and a number or room.
net::awaitable<http_response> list_page(app& a, const auth_state& auth, const boost::urls::url_view& url) {
    const auto& u = *auth.who;
    device_query q;
    const auto school = query_value(url, "schule");
    const auto kind = query_value(url, "art");
    const auto state = query_value(url, "status");
    q.text = query_value(url, "q");
    q.limit = page_size;
    std::vector<std::string> problems;
    if (!kind.empty() && !(q.kind = parse_device_kind(kind)))
        problems.emplace_back(tr(auth.lang, "Unbekannte Geräteart."));
    if (!state.empty() && !(q.state = parse_device_status(state)))
        problems.emplace_back(tr(auth.lang, "Unbekannter Status."));
    const auto page_text = query_value(url, "seite");
    int page_number = 1;
    if (!page_text.empty()) {
        const auto n = parse_id(page_text);
        if (!n || *n < 1 || *n > 100000) problems.emplace_back(tr(auth.lang, "Unbekannte Seite."));
        else page_number = static_cast<int>(*n);
    }
    if (!problems.empty()) co_return error_page(a, auth, http::status::bad_request, problems.front());
    q.offset = (page_number - 1) * page_size;
    const time_ms now = now_ms();
    std::vector<std::string> visible;
    bool all_schools = false;
    auto found = co_await a.storage->read([&](SQLite::Database& db) {
        auto mine = device_schools_of(a, current_viewer(a, db, u, now));
        all_schools = !mine;
        if (mine) visible = *mine;
        if (!school.empty()) {
            if (mine && std::find(mine->begin(), mine->end(), school) == mine->end()) return device_page{};
            q.schools = {school};
        } else if (mine) {
            q.schools = *mine;
        }
        if (!all_schools && q.schools.empty()) return device_page{};
        return list_devices(db, q);
    });
    if (!school.empty() && !a.dir.school(school)) co_return error_page(a, auth, http::status::not_found, tr(auth.lang, "Unbekannte Schule."));
    auto d = base_data(a, auth, school.empty() ? std::string(tr(auth.lang, "Geräte"))
                                                    : fmt::format(tf(auth.lang, "Geräte: {}"), school_name(a, school)));
    const auto day = today(a);
    page_list rows;
    for (const auto& dev : found.devices) rows.push_back(device_fields(a, dev, day, auth.lang));
    d.set("devices", std::move(rows));
    d.set("total", std::to_string(found.total));
    d.set("empty", found.devices.empty());
    d.set("kinds", select_options(kind_choices(auth.lang), kind));
    d.set("statuses", select_options(status_choices(auth.lang), state));
    d.set("q", q.text);
    std::vector<std::pair<std::string, std::string>> schools{{"", std::string(all_schools ? tr(auth.lang, "alle Schulen") : tr(auth.lang, "alle meine Schulen"))}};
    for (const auto& s : a.dir.current().schools)
        if (all_schools || std::find(visible.begin(), visible.end(), s.number) != visible.end())
            schools.emplace_back(s.number, s.name + " (" + s.number + ")");
    d.set("schools", select_options(schools, school));
    d.set("choose_school", u.who != role::teacher);
    d.set("school_title", school.empty() ? std::string() : school_name(a, school));
    d.set("can_import", may_import_devices(u.who));
    // Paging keeps the filters.
    auto link = [&](int number) {
        boost::urls::url target("/geraete");
        for (auto [key, value] : {std::pair{"schule", school}, {"art", kind}, {"status", state}, {"q", q.text}})
            if (!value.empty()) target.params().append({key, value});
        target.params().append({"seite", std::to_string(number)});
        return std::string(target.buffer());
    };
    if (page_number > 1) d.set("previous", link(page_number - 1));
    if (static_cast<std::int64_t>(q.offset) + page_size < found.total) d.set("next", link(page_number + 1));
    d.set("page", std::to_string(page_number));

    std::vector<std::string> only;
    if (!school.empty()) only.push_back(school);
    const auto problem_list = co_await visible_problem_devices(a, u, 20, only);
    d.set("problem_devices", problem_device_rows(a, problem_list, auth.lang));
    d.set("problem_rule", fmt::format(tf(auth.lang, "mindestens {} Tickets in {} Tagen"), a.config.devices.problem_tickets,
                                      a.config.devices.problem_days));
    if (u.who != role::teacher) {
        const auto rates = co_await visible_kind_rates(a, u);
        page_list rate_rows;
        for (const auto& r : rates) {
            page_data row;
            row.set("kind", std::string(device_kind_label(r.kind, auth.lang)));
            row.set("devices", std::to_string(r.devices));
            row.set("tickets", std::to_string(r.tickets));
            row.set("rate", rate_text(r, auth.lang));
            rate_rows.push_back(std::move(row));
        }
        d.set("has_rates", !rate_rows.empty());
        d.set("rates", std::move(rate_rows));
        d.set("rate_days", std::to_string(a.config.devices.problem_days));
    }
    co_return html_response(http::status::ok, a.pages.page("devices", std::move(d)));
}

page_data import_form_data(const app& a, const auth_state& auth, const std::string& format, bool dry_run,
                           std::string title) {
    auto d = base_data(a, auth, std::move(title));
    std::vector<std::pair<std::string, std::string>> formats;
    page_list described;
    for (const auto& f : a.config.devices.formats) {
        // The built-in formats' names have English entries; a format the config adds keeps the name it was given.
        const std::string label(tr(auth.lang, f.label));
        formats.emplace_back(f.name, label);
        page_data item;
        item.set("label", label);
        item.set("name", f.name);
        std::string columns;
        for (auto field : all_device_fields)
            if (auto it = f.columns.find(field); it != f.columns.end())
                columns += (columns.empty() ? "" : "; ") +
                           fmt::format(tf(auth.lang, "{}: „{}“"), device_field_label(field, auth.lang), it->second);
        item.set("columns", columns);
        described.push_back(std::move(item));
    }
    d.set("formats", select_options(formats, format.empty() ? a.config.devices.default_format : format));
    d.set("format_list", std::move(described));
    d.set("dry_run", dry_run);
    return d;
}

// POST /geraete/import: the file of a multipart form, imported all or nothing.
net::awaitable<http_response> post_import(app& a, const http_request& req, const auth_state& auth) {
    const auto boundary = multipart_boundary(req[http::field::content_type]);
    if (!boundary)
        co_return error_page(a, auth, http::status::unsupported_media_type, tr(auth.lang, "Das Formular wurde falsch gesendet."));
    auto parts = parse_multipart(req.body(), *boundary, 8);
    if (!parts) co_return error_page(a, auth, http::status::bad_request, tr(auth.lang, "Das Formular ist beschädigt."));
    form_fields fields;
    const multipart_part* file = nullptr;
    for (const auto& p : *parts) {
        if (p.name == "file") file = &p;
        else fields[p.name] = p.data;
    }
    if (!csrf_ok(auth, field_or_empty(fields, "csrf")))
        co_return error_page(a, auth, http::status::forbidden,
                             tr(auth.lang, "Das Formular ist abgelaufen. Bitte die Seite neu laden und erneut senden."));
    const auto format = field_or_empty(fields, "format");
    const bool dry_run = field_or_empty(fields, "dry_run") == "1";
    auto refuse = [&](http::status status, std::string message) {
        auto d = import_form_data(a, auth, format, dry_run, std::string(tr(auth.lang, "Fehler: Geräte importieren")));
        d.set("form_error", std::move(message));
        return html_response(status, a.pages.page("devices_import", std::move(d)));
    };
    if (!file || file->data.empty())
        co_return refuse(http::status::unprocessable_entity, std::string(tr(auth.lang, "Bitte eine CSV-Datei wählen.")));
    auto result = co_await import_device_file(a, *auth.who, file->data, format, dry_run);
    if (auto* refused = std::get_if<request_error>(&result)) co_return refuse(refused->status, refused->message);
    const auto& report = std::get<device_import_report>(result);
    const bool failed = !report.errors.empty();
    auto d = import_form_data(a, auth, format, dry_run,
                              std::string(failed ? tr(auth.lang, "Fehler: Geräte importieren") : tr(auth.lang, "Geräte importiert")));
    d.set("file_name", file->filename);
    d.set("format_label", std::string(tr(auth.lang, report.format->label)));
    if (failed) {
        page_list errors;
        for (const auto& e : report.errors) {
            page_data item;
            item.set("text", format_device_import_error(e));
            errors.push_back(std::move(item));
        }
        d.set("import_errors", std::move(errors));
        d.set("error_count", std::to_string(report.errors.size() + report.more_errors));
        if (report.more_errors) d.set("more_errors", std::to_string(report.more_errors));
        co_return html_response(http::status::unprocessable_entity, a.pages.page("devices_import", std::move(d)));
    }
    const auto& c = report.outcome.counts;
    d.set("done", true);
    d.set("checked_only", dry_run);
    d.set("added", std::to_string(c.added));
    d.set("updated", std::to_string(c.updated));
    d.set("retired", std::to_string(c.retired));
    d.set("unchanged", std::to_string(c.unchanged));
    page_list retired;
    const auto day = today(a);
    for (std::size_t i = 0; i < report.outcome.retired.size() && i < 200; ++i)
        retired.push_back(device_fields(a, report.outcome.retired[i], day, auth.lang));
    d.set("retired_devices", std::move(retired));
    if (report.outcome.retired.size() > 200)
        d.set("retired_more", std::to_string(report.outcome.retired.size() - 200));
    co_return html_response(http::status::ok, a.pages.page("devices_import", std::move(d)));
}

net::awaitable<http_response> show_device_page(app& a, const auth_state& auth, std::int64_t id) {
    const auto view = co_await find_visible_device(a, *auth.who, id);
    if (!view) co_return not_found_page(a, auth);
    const auto& dev = view->d;
    auto d = base_data(a, auth, fmt::format("{} {}", device_kind_label(dev.kind, auth.lang),
                                            dev.inventory_number.empty() ? dev.serial : dev.inventory_number));
    auto row = device_fields(a, dev, today(a), auth.lang);
    row.set("warranty_expired", view->warranty.state == warranty_state::expired);
    row.set("purchase_date", dev.purchase_date ? format_date(*dev.purchase_date, auth.lang) : std::string());
    row.set("problem", view->problem);
    row.set("recent_tickets", std::to_string(view->recent_tickets));
    row.set("problem_days", std::to_string(a.config.devices.problem_days));
    d.set("device", std::move(row));
    page_list tickets;
    for (const auto& t : view->tickets) {
        page_data item;
        item.set("number", t.number);
        item.set("title", t.title);
        item.set("status", std::string(status_label_for(t.state, auth.who->who, auth.lang)));
        item.set("status_id", std::string(to_string(t.state)));
        item.set("created", format_datetime(t.created_at, a.calendar.zone(), auth.lang));
        tickets.push_back(std::move(item));
    }
    d.set("tickets", std::move(tickets));
    if (view->hidden_tickets)
        d.set("hidden_tickets", view->hidden_tickets == 1 ? std::string(tr(auth.lang, "1 weiteres Ticket"))
                                                          : fmt::format(tf(auth.lang, "{} weitere Tickets"), view->hidden_tickets));
    d.set("can_report", dev.state != device_status::retired);
    co_return html_response(http::status::ok, a.pages.page("device", std::move(d)));
}

} // namespace

page_list problem_device_rows(const app& a, const std::vector<problem_device>& list, language lang) {
    page_list rows;
    const auto day = today(a);
    for (const auto& p : list) {
        auto row = device_fields(a, p.d, day, lang);
        row.set("tickets", std::to_string(p.tickets));
        row.set("last_ticket", format_datetime(p.last_ticket_at, a.calendar.zone(), lang));
        rows.push_back(std::move(row));
    }
    return rows;
}

net::awaitable<http_response> devices_page(app& a, http_request& req, const auth_state& auth,
                                           const boost::urls::url_view& url, std::string_view rest) {
    const auto method = req.method();
    const bool get = method == http::verb::get || method == http::verb::head;
    if (rest.empty() && get) co_return co_await list_page(a, auth, url);
    if (rest == "/import") {
        if (!may_import_devices(auth.who->who))
            co_return error_page(a, auth, http::status::forbidden,
                                 tr(auth.lang, "Den Geräte-Import dürfen nur der IT-Support (Leitstand) und Administratoren."));
        if (get)
            co_return html_response(http::status::ok,
                                    a.pages.page("devices_import", import_form_data(a, auth, "", false, std::string(tr(auth.lang, "Geräte importieren")))));
        if (method == http::verb::post) co_return co_await post_import(a, req, auth);
    }
    if (rest.size() > 1 && get) {
        const auto id = parse_id(rest.substr(1));
        if (id && *id > 0) co_return co_await show_device_page(a, auth, *id);
    }
    co_return not_found_page(a, auth);
}

net::awaitable<void> add_device_choices(app& a, const std::string& school_number, language lang, page_data& d) {
    if (school_number.empty()) co_return;
    const auto devices = co_await a.storage->read([&](SQLite::Database& db) { return devices_of_school(db, school_number); });
    page_list choices;
    for (const auto& dev : devices) {
        page_data item;
        item.set("value", dev.inventory_number.empty() ? dev.serial : dev.inventory_number);
        std::string label = std::string(device_kind_label(dev.kind, lang));
        if (!dev.model.empty()) label += " " + dev.model;
        if (!dev.room.empty()) label += fmt::format(tf(lang, ", Raum {}"), dev.room);
        label += ", SN " + dev.serial;
        item.set("label", std::move(label));
        choices.push_back(std::move(item));
    }
    d.set("has_devices", !choices.empty());
    d.set("device_choices", std::move(choices));
}

net::awaitable<std::string> add_ticket_device(app& a, const auth_state& auth, const ticket& t, page_data& d) {
    const auto view = co_await device_of_visible_ticket(a, *auth.who, t.id);
    if (!view) co_return std::string();
    const auto& dev = view->d;
    page_data info = device_fields(a, dev, today(a), auth.lang);
    info.set("problem", view->problem);
    info.set("recent_tickets", std::to_string(view->recent_tickets));
    info.set("problem_days", std::to_string(a.config.devices.problem_days));
    page_list earlier;
    for (const auto& other : view->tickets) {
        if (other.id == t.id) continue;
        page_data item;
        item.set("number", other.number);
        item.set("title", other.title);
        item.set("status", std::string(status_label_for(other.state, auth.who->who, auth.lang)));
        item.set("created", format_datetime(other.created_at, a.calendar.zone(), auth.lang));
        earlier.push_back(std::move(item));
    }
    info.set("has_earlier", !earlier.empty());
    info.set("earlier", std::move(earlier));
    std::string suggested;
    if (view->warranty.state == warranty_state::active)
        if (const auto* p = a.config.warranty_partner()) {
            suggested = p->id;
            info.set("warranty_partner", p->name);
        }
    d.set("device", std::move(info));
    co_return suggested;
}

} // namespace campusdesk
