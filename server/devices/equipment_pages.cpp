#include "server/devices/equipment_pages.hpp"

#include "core/local_time.hpp"
#include "server/devices/device_pages.hpp"
#include "server/devices/equipment_service.hpp"
#include "server/http/responses.hpp"
#include "server/reports/report_tables.hpp"
#include "server/reports/sla_export.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"
#include "server/views/page_frame.hpp"

#include <fmt/format.h>

#include <charconv>

namespace campusdesk {
namespace {

constexpr int default_k = 5;
constexpr int max_k = 50;

std::string school_name(const app& a, const std::string& number) {
    const auto* s = a.dir.school(number);
    return s ? s->name : number;
}

std::string number_text(std::optional<double> v, int digits, language lang) {
    return v ? decimal(*v, digits, lang) : std::string("–");
}

std::string percent_text(std::optional<double> p, language lang) {
    return p ? decimal(*p, 1, lang) + (lang == language::de ? " %" : "%") : std::string("–");
}

// k of the query: empty is the default, else a whole number 1..max_k; nullopt for anything else.
std::optional<int> parse_k(std::string_view text) {
    if (text.empty()) return default_k;
    int k = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), k);
    if (ec != std::errc() || end != text.data() + text.size() || k < 1 || k > max_k) return std::nullopt;
    return k;
}

page_data sla_row(std::string label, const sla_summary& s, language lang) {
    page_data row;
    row.set("label", std::move(label));
    row.set("tickets", std::to_string(s.tickets));
    row.set("fr_percent", percent_text(s.first_response_met_percent, lang));
    row.set("res_percent", percent_text(s.resolution_met_percent, lang));
    row.set("breaches", std::to_string(s.breaches));
    row.set("open", std::to_string(s.open_at_end));
    return row;
}

page_list ticket_rows(const app& a, const ticket_list& list, language lang, role reader) {
    page_list rows;
    for (const auto& lt : list.page.tickets) {
        page_data row;
        row.set("number", lt.t.number);
        row.set("title", lt.t.title);
        row.set("status", std::string(status_label_for(lt.t.state, reader, lang)));
        row.set("created", format_datetime(lt.t.created_at, a.calendar.zone(), lang));
        rows.push_back(std::move(row));
    }
    return rows;
}

// GET /schulen/{number}
net::awaitable<http_response> school_overview_page(app& a, const auth_state& auth, const std::string& number) {
    const auto lang = auth.lang;
    auto found = co_await load_school_overview(a, *auth.who, number);
    if (!found) co_return not_found_page(a, auth);
    const auto& o = *found;
    const auto name = school_name(a, number);
    auto d = base_data(a, auth, fmt::format(tf(lang, "Schule: {}"), name));
    d.set("school_name", name);
    d.set("school_number", number);
    const auto& e = o.equipment;
    d.set("devices", std::to_string(e.devices));
    d.set("has_devices", e.devices > 0);
    d.set("out_of_warranty", std::to_string(e.out_of_warranty));
    d.set("mean_age", number_text(e.mean_age_years, 1, lang));
    page_list kinds;
    for (std::size_t i = 0; i < all_device_kinds.size(); ++i) {
        const auto kind = all_device_kinds[i];
        std::int64_t tickets = 0;
        for (const auto& r : o.kind_rates)
            if (r.kind == kind) tickets = r.tickets;
        if (e.per_kind[i] == 0 && tickets == 0) continue;
        page_data row;
        row.set("kind", std::string(device_kind_label(kind)));
        row.set("kind_id", std::string(to_string(kind)));
        row.set("devices", std::to_string(e.per_kind[i]));
        row.set("tickets", std::to_string(tickets));
        row.set("rate", number_text(tickets_per_100(tickets, e.per_kind[i]), 1, lang));
        kinds.push_back(std::move(row));
    }
    d.set("kinds", std::move(kinds));
    page_list ages;
    for (std::size_t i = 0; i < all_age_bands.size(); ++i) {
        page_data row;
        row.set("band", std::string(tr(lang, age_band_label(all_age_bands[i]))));
        row.set("devices", std::to_string(e.per_age[i]));
        ages.push_back(std::move(row));
    }
    d.set("ages", std::move(ages));
    d.set("tickets_12m", std::to_string(o.load.tickets));
    d.set("per_100", number_text(o.load.per_100, 1, lang));
    d.set("median_per_100", number_text(o.city.median_per_100, 1, lang));
    d.set("city_schools", std::to_string(o.city.schools_with_devices));
    if (o.load.per_100 && o.city.median_per_100) {
        const double diff = *o.load.per_100 - *o.city.median_per_100;
        d.set("comparison", std::string(diff > 0.05    ? tr(lang, "über dem Median der Stadt")
                                        : diff < -0.05 ? tr(lang, "unter dem Median der Stadt")
                                                       : tr(lang, "gleich dem Median der Stadt")));
    }
    d.set("problem_devices", problem_device_rows(a, o.problem_devices, lang));
    d.set("problem_rule", fmt::format(tf(lang, "mindestens {} Tickets in {} Tagen"), a.config.devices.problem_tickets,
                                      a.config.devices.problem_days));
    page_list sla;
    sla.push_back(sla_row(fmt::format(tf(lang, "{} (bisher)"), to_string(o.this_month.month)), o.this_month.total, lang));
    sla.push_back(sla_row(to_string(o.last_month.month), o.last_month.total, lang));
    d.set("sla", std::move(sla));
    d.set("report_link", fmt::format("/reports/sla?month={}&school={}", to_string(o.last_month.month), number));
    d.set("is_help_desk", is_help_desk(auth.who->who));

    ticket_query open;
    open.school = number;
    open.open_only = true;
    open.sort = ticket_sort::created;
    open.limit = 10;
    const auto open_list = co_await list_visible_tickets(a, *auth.who, open, true);
    d.set("open_tickets", ticket_rows(a, open_list, lang, auth.who->who));
    d.set("open_count", open_list.count ? std::to_string(open_list.count->count) + (open_list.count->more ? "+" : "")
                                        : std::to_string(open_list.page.tickets.size()));
    d.set("open_more", open_list.count && open_list.count->count > static_cast<std::int64_t>(open_list.page.tickets.size()));
    ticket_query recent;
    recent.school = number;
    recent.sort = ticket_sort::created;
    recent.limit = 10;
    const auto recent_list = co_await list_visible_tickets(a, *auth.who, recent, false);
    d.set("recent_tickets", ticket_rows(a, recent_list, lang, auth.who->who));
    co_return html_response(http::status::ok, a.pages.page("school", std::move(d)));
}

// GET /schulen: the schools the user may open, with their load.
net::awaitable<http_response> school_list_page(app& a, const auth_state& auth) {
    const auto lang = auth.lang;
    const time_ms now = now_ms();
    viewer who;
    const auto schools = current_school_numbers(a);
    auto city = co_await a.storage->read([&](SQLite::Database& db) {
        who = current_viewer(a, db, *auth.who, now);
        return load_city_loads(db, schools, now);
    });
    auto d = base_data(a, auth, std::string(tr(lang, "Schulen")));
    page_list rows;
    for (const auto& l : city.schools) {
        if (!may_see_school_overview(a, who, l.school_number)) continue;
        page_data row;
        row.set("number", l.school_number);
        row.set("name", school_name(a, l.school_number));
        row.set("devices", std::to_string(l.devices));
        row.set("tickets", std::to_string(l.tickets));
        row.set("per_100", number_text(l.per_100, 1, lang));
        rows.push_back(std::move(row));
    }
    d.set("empty", rows.empty());
    d.set("schools", std::move(rows));
    d.set("median_per_100", number_text(city.median_per_100, 1, lang));
    d.set("city_schools", std::to_string(city.schools_with_devices));
    d.set("is_help_desk", is_help_desk(auth.who->who));
    co_return html_response(http::status::ok, a.pages.page("schools", std::move(d)));
}

document_table similar_table(const app& a, const similar_schools& s) {
    document_table t;
    t.sheet = "Ähnliche Schulen";
    t.header = {"Schulnummer", "Schule", "Geräte", "Rang", "Ähnliche Schule (Nummer)", "Ähnliche Schule",
                "Abstand", "Ähnlichkeit (%)"};
    for (std::size_t i = 0; i < s.result.schools.size(); ++i) {
        const auto& school = s.result.schools[i];
        const auto devices = s.profiles[i].equipment.devices;
        if (school.nearest.empty()) {
            t.rows.push_back({school.school_number, school_name(a, school.school_number), devices, std::string(),
                              std::string(), std::string(), std::string(), std::string()});
            continue;
        }
        std::int64_t rank = 0;
        for (const auto& n : school.nearest)
            t.rows.push_back({school.school_number, school_name(a, school.school_number), devices, ++rank,
                              n.school_number, school_name(a, n.school_number), n.distance, 100 * n.similarity});
    }
    return t;
}

// GET /schulen/aehnliche[.csv|.xlsx]?k=N
net::awaitable<http_response> similar_schools_page(app& a, const auth_state& auth, const boost::urls::url_view& url,
                                                   std::string_view format) {
    const auto lang = auth.lang;
    const auto k_text = query_value(url, "k");
    const auto k = parse_k(k_text);
    if (!k)
        co_return error_page(a, auth, http::status::bad_request,
                             fmt::format(tf(lang, "Ungültige Anzahl ähnlicher Schulen „{}“: bitte eine ganze Zahl von 1 bis {}."),
                                         k_text, max_k));
    const time_ms now = now_ms();
    const int wanted = *k;
    const auto schools = current_school_numbers(a);
    const auto s = co_await a.storage->read([&](SQLite::Database& db) {
        return compute_similar_schools(db, a.config.categories, schools, a.calendar.zone(), now, wanted);
    });
    if (format == "csv" || format == "xlsx") {
        const auto table = similar_table(a, s);
        const bool csv = format == "csv";
        auto res = text_response(http::status::ok,
                                 csv ? render_table_csv_de(table)
                                     : render_tables_xlsx("Ähnliche Schulen", std::span(&table, 1), now),
                                 content_type_of(csv ? export_format::csv_de : export_format::xlsx));
        res.set(http::field::cache_control, "no-store");
        res.set(http::field::content_disposition,
                fmt::format("attachment; filename=\"Aehnliche-Schulen-k{}.{}\"", wanted, format));
        co_return res;
    }
    auto d = base_data(a, auth, std::string(tr(lang, "Ähnliche Schulen")));
    d.set("wide", true);
    d.set("k", std::to_string(wanted));
    d.set("window_days", std::to_string(equipment_window_days));
    d.set("feature_count", std::to_string(s.result.features.size()));
    page_list features;
    for (const auto& f : s.result.features) {
        page_data item;
        item.set("name", f);
        features.push_back(std::move(item));
    }
    d.set("features", std::move(features));
    page_list rows, without;
    for (std::size_t i = 0; i < s.result.schools.size(); ++i) {
        const auto& school = s.result.schools[i];
        page_data row;
        row.set("number", school.school_number);
        row.set("name", school_name(a, school.school_number));
        row.set("devices", std::to_string(s.profiles[i].equipment.devices));
        if (!school.has_devices) {
            without.push_back(std::move(row));
            continue;
        }
        page_list nearest;
        for (const auto& n : school.nearest) {
            page_data item;
            item.set("number", n.school_number);
            item.set("name", school_name(a, n.school_number));
            item.set("similarity", decimal(100 * n.similarity, 0, lang) + (lang == language::de ? " %" : "%"));
            item.set("distance", decimal(n.distance, 3, lang));
            nearest.push_back(std::move(item));
        }
        row.set("nearest", std::move(nearest));
        rows.push_back(std::move(row));
    }
    d.set("schools", std::move(rows));
    d.set("without_devices", std::move(without));
    d.set("csv_link", fmt::format("/schulen/aehnliche.csv?k={}", wanted));
    d.set("xlsx_link", fmt::format("/schulen/aehnliche.xlsx?k={}", wanted));
    co_return html_response(http::status::ok, a.pages.page("similar_schools", std::move(d)));
}

} // namespace

net::awaitable<http_response> schools_page(app& a, const http_request& req, const auth_state& auth,
                                           const boost::urls::url_view& url, std::string_view rest) {
    const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
    const auto who = auth.who->who;
    if (!get || who == role::teacher) co_return not_found_page(a, auth);
    if (rest.empty()) co_return co_await school_list_page(a, auth);
    for (std::string_view format : {"", "csv", "xlsx"}) {
        const auto path = format.empty() ? std::string("/aehnliche") : fmt::format("/aehnliche.{}", format);
        if (rest == path) {
            // The comparison is the city's view: the help desk and admins.
            if (!is_help_desk(who)) co_return not_found_page(a, auth);
            co_return co_await similar_schools_page(a, auth, url, format);
        }
    }
    const auto number = std::string(rest.substr(1));
    if (rest.size() > 1 && number.find('/') == std::string::npos)
        co_return co_await school_overview_page(a, auth, number);
    co_return not_found_page(a, auth);
}

} // namespace campusdesk
