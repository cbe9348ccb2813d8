#include "server/reports/report_pages.hpp"
#include "server/http/log.hpp"
#include "server/views/page_frame.hpp"

#include "core/known_problems.hpp"
#include "server/maintenance/maintenance_service.hpp"
#include "core/local_time.hpp"
#include "core/sla_report.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"
#include "server/http/responses.hpp"
#include "server/reports/report_tables.hpp"
#include "server/reports/sla_export.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace campusdesk {
namespace {

// Indexed by language (de, en), then month.
constexpr std::array<std::array<const char*, 12>, language_count> month_names{{
    {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
     "Dezember"},
    {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
     "December"},
}};
constexpr std::array<std::array<const char*, 12>, language_count> month_abbreviations{{
    {"Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"},
    {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
}};

std::string month_name(report_month m, language lang) {
    return fmt::format("{} {}", month_names[static_cast<std::size_t>(lang)][m.month - 1], m.year);
}

// --- the page's words and numbers --------------------------------------------------------------------------

// German "97,5 %", English "97.5%".
std::string percent(std::optional<double> p, language lang) {
    if (!p) return "–";
    return decimal(*p, 1, lang) + (lang == language::de ? " %" : "%");
}

std::string minutes_text(std::optional<std::int64_t> minutes, language lang) {
    return minutes ? format_duration(*minutes * 60000, 540, lang) : std::string("–");
}

std::string category_label(const app& a, const std::string& id) {
    for (const auto& c : a.config.categories)
        if (c.id == id) return c.label;
    return id;
}

// A link to this page for `month` with the given filter, e.g. the tickets behind a figure.
std::string report_link(report_month m, std::initializer_list<std::pair<std::string_view, std::string_view>> filter,
                        std::string_view anchor = "tickets") {
    boost::urls::url u("/reports/sla");
    u.params().append({"month", to_string(m)});
    for (const auto& [k, v] : filter) u.params().append({k, v});
    if (!anchor.empty()) u.set_fragment(anchor);
    return std::string(u.buffer());
}

// --- SVG charts (presentation attributes only: the CSP allows no inline style) ---------------------------------

// Names are cut so they fit beside the bars; the full name is in the tooltip and the tables.
std::string shorten(std::string_view text, std::size_t max_chars) {
    if (utf8_length(text) <= max_chars) return std::string(text);
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) != 0x80 && ++chars > max_chars - 1) break;
        out += text[i];
    }
    return out + "…";
}

constexpr const char* color_first_response = "#7aa7d6";
constexpr const char* color_resolution = "#004b87";

// The charts are drawn 400 units wide, which reads well both on a phone (about 1:1) and, capped by the style
// sheet, on a desk; labels sit above their bars so long names need no column of their own.
constexpr int chart_w = 400;
constexpr int bar_max = 340;  // leaves room for the value after the longest bar

// role="group", not "img": the charts hold links to the tickets behind a bar or point, and an image's children are
// presentational, so those links would be hidden from screen readers (axe: nested-interactive).
std::string chart_open(int height, std::string_view id, std::string_view title) {
    return fmt::format(R"(<svg class="chart" viewBox="0 0 {} {}" width="100%" role="group" aria-labelledby="{}" )"
                       R"(xmlns="http://www.w3.org/2000/svg"><title id="{}">{}</title>)",
                       chart_w, height, id, id, title);
}

std::string legend(int y, language lang) {
    return fmt::format(R"(<rect x="0" y="{0}" width="12" height="12" fill="{1}"/><text x="16" y="{2}" font-size="13">{4}</text>)"
                       R"(<rect x="130" y="{0}" width="12" height="12" fill="{3}"/><text x="146" y="{2}" font-size="13">{5}</text>)",
                       y, color_first_response, y + 11, color_resolution, clock_label(sla_clock_kind::first_response, lang),
                       clock_label(sla_clock_kind::resolution, lang));
}

// Met % per campus manager: the name, then a bar each for first response and resolution.
std::string manager_chart(const sla_report& r, language lang) {
    const int row_h = 52, top = 24;
    const int height = top + static_cast<int>(r.per_manager.size()) * row_h;
    std::string svg =
        chart_open(height, "chart-managers-title", tr(lang, "Eingehaltene Fristen je Campus-Manager (Prozent)"));
    svg += legend(0, lang);
    int y = top;
    for (const auto& s : r.per_manager) {
        const auto name = s.label.empty() ? (s.key.empty() ? std::string(tr(lang, "(unbekannt)")) : s.key) : s.label;
        svg += fmt::format(R"(<a href="{}"><text x="0" y="{}" font-size="13" fill="#004b87">{} ({} {})</text></a>)",
                           html_escaped(report_link(r.month, {{"manager", s.key}})), y + 12,
                           html_escaped(shorten(name, 32)), s.tickets, tr(lang, "Tickets"));
        svg += fmt::format(R"(<line x1="0" y1="{0}" x2="0" y2="{1}" stroke="#8a8f98"/><line x1="{2}" y1="{0}" x2="{2}" y2="{1}" stroke="#d0d4da"/>)",
                           y + 16, y + 46, bar_max);
        int bar_y = y + 17;
        for (auto [p, color, what] :
             {std::tuple{s.first_response_met_percent, color_first_response, sla_clock_kind::first_response},
              std::tuple{s.resolution_met_percent, color_resolution, sla_clock_kind::resolution}}) {
            const double w = p ? bar_max * *p / 100.0 : 0.0;
            svg += fmt::format(R"(<rect x="0" y="{}" width="{:.1f}" height="13" fill="{}"><title>{} – {}: {}</title></rect>)",
                               bar_y, w, color, html_escaped(name), clock_label(what, lang), percent(p, lang));
            svg += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="11">{}</text>)", w + 4, bar_y + 11,
                               percent(p, lang));
            bar_y += 15;
        }
        y += row_h;
    }
    return svg + "</svg>";
}

// Met % of the last twelve months as lines; each point links to its month.
std::string trend_chart(const std::vector<std::pair<report_month, sla_summary>>& months, language lang) {
    const int left = 40, right = chart_w - 8, top = 30, bottom = 190, height = 214;
    std::string svg = chart_open(height, "chart-trend-title",
                                 tr(lang, "Eingehaltene Fristen der letzten zwölf Monate (Prozent)"));
    svg += legend(0, lang);
    for (int pct : {0, 25, 50, 75, 100}) {
        const int y = bottom - (bottom - top) * pct / 100;
        svg += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#e0e3e7"/><text x="{3}" y="{4}" font-size="11" text-anchor="end">{5}{6}%</text>)",
                           left, y, right, left - 4, y + 4, pct, lang == language::de ? " " : "");
    }
    const auto n = months.size();
    auto x_of = [&](std::size_t i) {
        return n <= 1 ? (left + right) / 2.0 : left + 12 + (right - left - 24) * double(i) / double(n - 1);
    };
    auto y_of = [&](double pct) { return bottom - (bottom - top) * pct / 100.0; };
    for (std::size_t i = 0; i < n; ++i)
        svg += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="11" text-anchor="middle">{}</text>)", x_of(i),
                           bottom + 18, month_abbreviations[static_cast<std::size_t>(lang)][months[i].first.month - 1]);
    for (int which = 0; which < 2; ++which) {
        const char* color = which == 0 ? color_first_response : color_resolution;
        // Months without decided clocks break the line rather than pretend 0 %.
        std::string path;
        bool pen_down = false;
        for (std::size_t i = 0; i < n; ++i) {
            const auto& s = months[i].second;
            const auto p = which == 0 ? s.first_response_met_percent : s.resolution_met_percent;
            if (!p) {
                pen_down = false;
                continue;
            }
            path += fmt::format("{}{:.1f},{:.1f} ", pen_down ? "L" : "M", x_of(i), y_of(*p));
            pen_down = true;
        }
        if (!path.empty())
            svg += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="2.5"/>)", path, color);
        for (std::size_t i = 0; i < n; ++i) {
            const auto& [m, s] = months[i];
            const auto p = which == 0 ? s.first_response_met_percent : s.resolution_met_percent;
            if (!p) continue;
            svg += fmt::format(R"(<a href="{}"><circle cx="{:.1f}" cy="{:.1f}" r="5" fill="{}"><title>{}, {}: {} ({} {})</title></circle></a>)",
                               html_escaped(report_link(m, {}, "")), x_of(i), y_of(*p), color, month_name(m, lang),
                               clock_label(which == 0 ? sla_clock_kind::first_response : sla_clock_kind::resolution, lang),
                               percent(p, lang), s.tickets, tr(lang, "Tickets"));
        }
    }
    return svg + "</svg>";
}

// Tickets per category: the label, then a bar; both link to the category's tickets.
std::string category_chart(const app& a, const sla_report& r, language lang) {
    const int row_h = 38;
    std::int64_t most = 1;
    for (const auto& s : r.per_category) most = std::max(most, s.tickets);
    const int height = static_cast<int>(r.per_category.size()) * row_h;
    std::string svg = chart_open(height, "chart-categories-title", tr(lang, "Tickets je Kategorie"));
    int y = 0;
    for (const auto& s : r.per_category) {
        const auto label = category_label(a, s.key);
        const double w = bar_max * double(s.tickets) / double(most);
        svg += fmt::format(R"(<a href="{}"><text x="0" y="{}" font-size="13" fill="#004b87">{}</text>)"
                           R"(<rect x="0" y="{}" width="{:.1f}" height="14" fill="{}"><title>{}: {} {}</title></rect></a>)"
                           R"(<text x="{:.1f}" y="{}" font-size="12">{}</text>)",
                           html_escaped(report_link(r.month, {{"category", s.key}})), y + 13,
                           html_escaped(shorten(label, 48)), y + 18, w, color_resolution, html_escaped(label), s.tickets,
                           tr(lang, "Tickets"), w + 4, y + 30, s.tickets);
        y += row_h;
    }
    return svg + "</svg>";
}

// --- page data -------------------------------------------------------------------------------------------------

// One row of a summary table; `filter` names the group for the links to its tickets.
page_data summary_row(report_month m, const sla_summary& s, std::string name, std::string_view filter_key,
                      language lang) {
    page_data row;
    row.set("name", std::move(name));
    row.set("key", s.key);
    row.set("tickets", std::to_string(s.tickets));
    row.set("first_response", percent(s.first_response_met_percent, lang));
    row.set("resolution", percent(s.resolution_met_percent, lang));
    row.set("median_first_response", minutes_text(s.median_first_response_minutes, lang));
    row.set("median_resolution", minutes_text(s.median_resolution_minutes, lang));
    row.set("open", std::to_string(s.open_at_end));
    row.set("breaches", std::to_string(s.breaches));
    row.set("has_breaches", s.breaches > 0);
    if (filter_key.empty()) {
        row.set("tickets_link", report_link(m, {{"alle", "1"}}));
        row.set("open_link", report_link(m, {{"open", "1"}}));
        row.set("breaches_link", report_link(m, {{"breached", "1"}}));
    } else {
        row.set("tickets_link", report_link(m, {{filter_key, s.key}}));
        row.set("open_link", report_link(m, {{filter_key, s.key}, {"open", "1"}}));
        row.set("breaches_link", report_link(m, {{filter_key, s.key}, {"breached", "1"}}));
    }
    return row;
}

struct row_filter {
    std::string school, manager, priority, category;
    bool breached = false, open = false, all = false;

    bool active() const {
        return all || breached || open || !school.empty() || !manager.empty() || !priority.empty() || !category.empty();
    }
    bool matches(const sla_report_row& r) const {
        if (!school.empty() && r.school_number != school) return false;
        if (!manager.empty() && r.campus_manager != manager) return false;
        if (!priority.empty() && to_string(r.prio) != priority) return false;
        if (!category.empty() && r.category != category) return false;
        if (breached && !r.breached()) return false;
        if (open && !r.open_at_end()) return false;
        return true;
    }
};

constexpr std::size_t max_listed_tickets = 500;

page_data maintenance_figures_row(const maintenance_figures& f, language lang) {
    page_data row;
    row.set("due", std::to_string(f.due));
    row.set("on_time", std::to_string(f.on_time));
    row.set("late", std::to_string(f.late));
    row.set("overdue", std::to_string(f.overdue));
    row.set("has_overdue", f.overdue > 0);
    row.set("open", std::to_string(f.open));
    row.set("postponed", std::to_string(f.postponed));
    row.set("percent", percent(f.on_time_percent(), lang));
    return row;
}

// The report's own section for maintenance (issue 18): planned work, counted apart from the tickets.
page_data maintenance_section(const maintenance_report& m, report_month month, language lang) {
    auto section = maintenance_figures_row(m.total, lang);
    section.set("counting", std::string(tr(lang, maintenance_counting_note)));
    section.set("csv_link", fmt::format("/api/v1/reports/maintenance?month={}&sep=semicolon", to_string(month)));
    page_list groups;
    for (const auto& [caption, heading, list] :
         {std::tuple{tr(lang, "Wartung je Campus-Manager"), tr(lang, "Campus-Manager"), &m.per_manager},
          std::tuple{tr(lang, "Wartung je Schule"), tr(lang, "Schule"), &m.per_school}}) {
        if (list->empty()) continue;
        page_data g;
        g.set("caption", std::string(caption));
        g.set("heading", std::string(heading));
        page_list rows;
        for (const auto& x : *list) {
            auto row = maintenance_figures_row(x.figures, lang);
            row.set("label", x.label);
            rows.push_back(std::move(row));
        }
        g.set("rows", std::move(rows));
        groups.push_back(std::move(g));
    }
    section.set("groups", std::move(groups));
    return section;
}

// The device figures (issue 18): tickets per device kind and per 100 devices per school; schools link to their
// overview.
page_data device_section(const device_report& r, report_month month, language lang) {
    page_data section;
    section.set("counting", std::string(tr(lang, device_counting_note)));
    section.set("csv_link", fmt::format("/api/v1/reports/devices?month={}&sep=semicolon", to_string(month)));
    auto rows_of = [&](const std::vector<device_rate_row>& list, bool schools) {
        page_list rows;
        for (const auto& x : list) {
            page_data row;
            row.set("label", x.label);
            row.set("key", x.key);
            row.set("school", schools);
            row.set("devices", std::to_string(x.devices));
            row.set("tickets", std::to_string(x.tickets));
            row.set("per_100", x.per_100 ? decimal(*x.per_100, 1, lang) : std::string("–"));
            rows.push_back(std::move(row));
        }
        return rows;
    };
    section.set("has_kinds", !r.per_kind.empty());
    section.set("kinds", rows_of(r.per_kind, false));
    section.set("schools", rows_of(r.per_school, true));
    return section;
}

struct report_data {
    sla_report report;
    std::vector<std::pair<report_month, sla_summary>> trend;
    problem_report problems;
    maintenance_report maintenance;
    device_report devices;
};

} // namespace

net::awaitable<void> warm_report_cache(app& a) {
    const time_ms now = now_ms();
    const auto last = previous_month(month_of(now, a.calendar.zone()));
    report_month first = last;
    for (int i = 0; i < 11; ++i) first = previous_month(first);
    try {
        co_await a.storage->read([&](SQLite::Database& db) {
            return load_monthly_totals(db, a.config, a.calendar, first, last, now, &a.closed_months).size();
        });
    } catch (const std::exception& e) {
        // Only a head start: the page computes what is missing.
        log_line(log_level::warning, "report cache not warmed", {{"error", e.what()}});
    }
}

net::awaitable<http_response> sla_report_page(app& a, const auth_state& auth, const boost::urls::url_view& url) {
    if (!is_help_desk(auth.who->who))
        co_return not_found_page(a, auth);
    const time_ms now = now_ms();
    const auto current = month_of(now, a.calendar.zone());
    report_month month = current;
    if (const auto text = query_value(url, "month"); !text.empty()) {
        auto parsed = parse_month_param(text);
        if (const auto* error = std::get_if<export_param_error>(&parsed))
            co_return error_page(a, auth, http::status::unprocessable_entity, error->message);
        month = std::get<report_month>(parsed);
    }
    row_filter filter{query_value(url, "school"),        query_value(url, "manager"),
                      query_value(url, "priority"),      query_value(url, "category"),
                      query_value(url, "breached") == "1", query_value(url, "open") == "1",
                      query_value(url, "alle") == "1"};

    // Twelve months up to the shown one; the export and the charts are computed on a reader thread, the eleven
    // months before the shown one mostly from the cache of closed months.
    report_month first = month;
    for (int i = 0; i < 11; ++i) first = previous_month(first);
    const auto& dir = a.dir.current();
    auto data = co_await a.storage->read([&](SQLite::Database& db) {
        report_data d;
        d.report = load_sla_report(db, a.config, a.calendar, month, now);
        d.trend = load_monthly_totals(db, a.config, a.calendar, first, previous_month(month), now, &a.closed_months);
        d.trend.emplace_back(month, d.report.total);
        d.problems = load_problem_report(db, a.config, a.calendar, d.report);
        d.maintenance = load_maintenance_report(db, dir, a.calendar.zone(), d.report.period);
        d.devices = load_device_report(db, a.calendar, d.report);
        return d;
    });
    const auto& r = data.report;
    const auto zone = a.calendar.zone();

    const auto lang = auth.lang;
    auto d = base_data(a, auth, fmt::format(tf(lang, "SLA-Bericht {}"), month_name(month, lang)));
    d.set("month", to_string(month));
    d.set("month_name", month_name(month, lang));
    // A month ahead has nothing to report yet; the running month changes until its end.
    const bool not_begun = now < r.period.start;
    d.set("not_begun", not_begun);
    d.set("running", !not_begun && r.period.now < r.period.end);
    d.set("closed", r.period.now >= r.period.end);
    d.set("as_of", format_datetime(r.period.now, zone, lang));
    d.set("prev_link", report_link(previous_month(month), {}, ""));
    d.set("prev_name", month_name(previous_month(month), lang));
    if (month < current) {
        d.set("next_link", report_link(next_month(month), {}, ""));
        d.set("next_name", month_name(next_month(month), lang));
    }
    const auto api = fmt::format("/api/v1/reports/sla?month={}", to_string(month));
    d.set("csv_link", api + "&format=csv");
    d.set("csv_de_link", api + "&format=csv-de");
    d.set("xlsx_link", api + "&format=xlsx");
    d.set("json_link", api + "&format=json");
    d.set("problems_csv_link", fmt::format("/api/v1/reports/problems?month={}&sep=semicolon", to_string(month)));
    {
        const auto& ps = data.problems.summary;
        page_data p;
        p.set("count", std::to_string(ps.problems));
        p.set("resolved", std::to_string(ps.resolved));
        p.set("breaches", std::to_string(ps.breaches));
        p.set("has_breaches", ps.breaches > 0);
        p.set("median_resolution", minutes_text(ps.median_resolution_minutes, lang));
        p.set("duration", format_duration(ps.total_duration_minutes * 60000, 0, lang));
        p.set("tickets", std::to_string(ps.tickets));
        p.set("teachers", std::to_string(ps.teachers_affected));
        p.set("ticket_rows", std::to_string(ps.ticket_rows_in_problems));
        p.set("ticket_breaches", std::to_string(ps.ticket_breaches_in_problems));
        p.set("counting", std::string(tr(lang, problem_counting_note)));
        page_list rows;
        for (const auto& x : data.problems.rows) {
            page_data row;
            row.set("id", std::to_string(x.id));
            row.set("title", x.title);
            row.set("started", format_datetime(x.started_at, zone, lang));
            row.set("duration", format_duration(x.duration_minutes * 60000, 0, lang));
            row.set("first_response", std::string(verdict_label(x.sla.first_response.verdict, lang)));
            row.set("first_response_breached", x.sla.first_response.verdict == sla_verdict::breached);
            row.set("resolution", std::string(verdict_label(x.sla.resolution.verdict, lang)));
            row.set("resolution_breached", x.sla.resolution.verdict == sla_verdict::breached);
            row.set("tickets", std::to_string(x.tickets));
            row.set("teachers", std::to_string(x.teachers_affected));
            rows.push_back(std::move(row));
        }
        p.set("rows", std::move(rows));
        d.set("problems", std::move(p));
    }

    d.set("maintenance", maintenance_section(data.maintenance, month, lang));
    d.set("devices", device_section(data.devices, month, lang));

    d.set("empty", r.rows.empty());
    d.set("total", summary_row(month, r.total, std::string(tr(lang, "Alle Tickets")), "", lang));

    page_list managers, schools, priorities, categories;
    for (const auto& s : r.per_manager)
        managers.push_back(summary_row(
            month, s, s.label.empty() ? (s.key.empty() ? std::string(tr(lang, "(unbekannt)")) : s.key) : s.label,
            "manager", lang));
    for (const auto& s : r.per_school) {
        auto row = summary_row(month, s, s.label.empty() ? s.key : s.label, "school", lang);
        row.set("number", s.key);
        schools.push_back(row);
    }
    for (const auto& s : r.per_priority)
        priorities.push_back(summary_row(
            month, s, std::string(priority_label(parse_priority(s.key).value_or(priority::normal), lang)), "priority",
            lang));
    for (const auto& s : r.per_category)
        categories.push_back(summary_row(month, s, category_label(a, s.key), "category", lang));
    d.set("managers", managers);
    d.set("schools", schools);
    d.set("priorities", priorities);
    d.set("categories", categories);

    d.set("manager_chart", manager_chart(r, lang));
    d.set("trend_chart", trend_chart(data.trend, lang));
    d.set("category_chart", category_chart(a, r, lang));
    d.set("has_categories", !r.per_category.empty());

    if (filter.active()) {
        page_list tickets;
        std::size_t matching = 0;
        for (const auto& x : r.rows) {
            if (!filter.matches(x)) continue;
            if (++matching > max_listed_tickets) continue;
            page_data row;
            row.set("number", x.ticket);
            row.set("school", x.school_name.empty() ? x.school_number : x.school_name);
            row.set("manager", x.campus_manager);
            row.set("priority", std::string(priority_label(x.prio, lang)));
            row.set("category", category_label(a, x.category));
            row.set("created", format_datetime(x.created_at, zone, lang));
            row.set("first_response", std::string(verdict_label(x.first_response_verdict, lang)));
            row.set("first_response_breached", x.first_response_verdict == sla_verdict::breached);
            row.set("resolution", std::string(verdict_label(x.resolution_verdict, lang)));
            row.set("resolution_breached", x.resolution_verdict == sla_verdict::breached);
            row.set("open", x.open_at_end());
            tickets.push_back(row);
        }
        d.set("filtered", true);
        d.set("tickets", tickets);
        d.set("tickets_count", std::to_string(matching));
        d.set("tickets_truncated", matching > max_listed_tickets);
        d.set("tickets_max", std::to_string(max_listed_tickets));
        std::vector<std::string> what;
        if (!filter.manager.empty()) what.push_back(fmt::format(tf(lang, "Campus-Manager {}"), filter.manager));
        if (!filter.school.empty()) what.push_back(fmt::format(tf(lang, "Schule {}"), filter.school));
        if (!filter.priority.empty())
            what.push_back(fmt::format(
                tf(lang, "Priorität {}"),
                priority_label(parse_priority(filter.priority).value_or(priority::normal), lang)));
        if (!filter.category.empty())
            what.push_back(fmt::format(tf(lang, "Kategorie {}"), category_label(a, filter.category)));
        if (filter.open) what.emplace_back(tr(lang, "offen am Monatsende"));
        if (filter.breached) what.emplace_back(tr(lang, "mit Fristüberschreitung"));
        std::string description;
        for (const auto& w : what) description += (description.empty() ? "" : ", ") + w;
        d.set("filter_description", description.empty() ? std::string(tr(lang, "alle Tickets")) : description);
        d.set("unfiltered_link", report_link(month, {}, ""));
    }
    co_return html_response(http::status::ok, a.pages.page("sla_report", std::move(d)));
}

namespace {

// A month's CSV beside the ticket CSV of SLA.md §4 (problems, devices): the help desk only, month and separator
// checked as for the export, `render(db, report, separator)` on a reader thread, saved as "<name>-YYYY-MM.csv".
template <class Render>
net::awaitable<http_response> month_csv_api(app& a, const user& who, const boost::urls::url_view& url,
                                            std::string_view name, Render render) {
    if (!is_help_desk(who.who))
        co_return api_error(http::status::forbidden, "forbidden", "Nur für den Help-Desk.");
    auto month = parse_month_param(query_value(url, "month"));
    if (const auto* e = std::get_if<export_param_error>(&month))
        co_return api_error(http::status::unprocessable_entity, e->code, e->message, e->field);
    auto sep = parse_separator_param(query_value(url, "sep"));
    if (const auto* e = std::get_if<export_param_error>(&sep))
        co_return api_error(http::status::unprocessable_entity, e->code, e->message, e->field);
    const auto m = std::get<report_month>(month);
    const char separator = std::get<char>(sep);
    const time_ms now = now_ms();
    auto body = co_await a.storage->read([&](SQLite::Database& db) {
        return render(db, load_sla_report(db, a.config, a.calendar, m, now), separator);
    });
    auto res = text_response(http::status::ok, std::move(body), content_type_of(export_format::csv));
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::content_disposition, fmt::format("attachment; filename=\"{}-{}.csv\"", name, to_string(m)));
    co_return res;
}

} // namespace

net::awaitable<http_response> problems_report_api(app& a, const user& who, const boost::urls::url_view& url) {
    const auto render = [&](SQLite::Database& db, const sla_report& r, char sep) {
        return render_problems_csv(load_problem_report(db, a.config, a.calendar, r), a.calendar.zone(), sep);
    };
    co_return co_await month_csv_api(a, who, url, "stoerungen", render);
}

net::awaitable<http_response> devices_report_api(app& a, const user& who, const boost::urls::url_view& url) {
    const auto render = [&](SQLite::Database& db, const sla_report& r, char sep) {
        return render_device_csv(load_device_report(db, a.calendar, r), sep);
    };
    co_return co_await month_csv_api(a, who, url, "geraete", render);
}

net::awaitable<http_response> sla_report_api(app& a, const user& who, const boost::urls::url_view& url) {
    if (!is_help_desk(who.who))
        co_return api_error(http::status::forbidden, "forbidden", "Nur für den Help-Desk.");
    auto month = parse_month_param(query_value(url, "month"));
    if (const auto* e = std::get_if<export_param_error>(&month))
        co_return api_error(http::status::unprocessable_entity, e->code, e->message, e->field);
    const auto format_text = query_value(url, "format");
    const auto format = format_text.empty() ? std::optional(export_format::json) : parse_export_format(format_text);
    if (!format)
        co_return api_error(http::status::unprocessable_entity, "invalid_format", "Format: json, csv, csv-de oder xlsx.",
                            "format");
    auto sep = parse_separator_param(query_value(url, "sep"));
    if (const auto* e = std::get_if<export_param_error>(&sep))
        co_return api_error(http::status::unprocessable_entity, e->code, e->message, e->field);
    const auto m = std::get<report_month>(month);
    const char separator = std::get<char>(sep);
    const auto f = *format;
    const time_ms now = now_ms();
    auto body = co_await a.storage->read([&](SQLite::Database& db) {
        return render_sla_export(db, a.config, a.calendar, m.year, m.month, f, now, separator);
    });
    auto res = text_response(http::status::ok, std::move(body), content_type_of(f));
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::content_disposition, fmt::format("attachment; filename=\"{}\"", export_file_name(m, f)));
    co_return res;
}

std::string report_month_name(report_month m, language lang) { return month_name(m, lang); }
std::string report_percent(std::optional<double> p, language lang) { return percent(p, lang); }

} // namespace campusdesk
