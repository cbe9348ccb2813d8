#include "server/reports/sla_export.hpp"
#include "server/reports/report_tables.hpp"

#include "server/http/json_writer.hpp"

#include "core/known_problems.hpp"
#include "core/local_time.hpp"
#include "server/app.hpp"
#include "server/cli/cli_options.hpp"
#include "server/maintenance/maintenance_service.hpp"
#include "server/views/labels.hpp"
#include "storage/database.hpp"
#include "storage/equipment_repository.hpp"
#include "storage/problem_repository.hpp"
#include "storage/report_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/write_queue.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <xlsxwriter.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace campusdesk {

namespace json = boost::json;

std::optional<export_format> parse_export_format(std::string_view text) {
    if (text == "json") return export_format::json;
    if (text == "csv") return export_format::csv;
    if (text == "csv-de") return export_format::csv_de;
    if (text == "xlsx") return export_format::xlsx;
    return std::nullopt;
}

std::string_view to_string(export_format f) {
    switch (f) {
    case export_format::json: return "json";
    case export_format::csv: return "csv";
    case export_format::csv_de: return "csv-de";
    case export_format::xlsx: return "xlsx";
    }
    return "";
}

std::string_view content_type_of(export_format f) {
    switch (f) {
    case export_format::json: return "application/json; charset=utf-8";
    case export_format::csv:
    case export_format::csv_de: return "text/csv; charset=utf-8";
    case export_format::xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    }
    return "application/octet-stream";
}

std::string export_file_name(report_month m, export_format f) {
    switch (f) {
    case export_format::csv_de: return fmt::format("SLA-Bericht-{}-Excel.csv", to_string(m));
    case export_format::xlsx: return fmt::format("SLA-Bericht-{}.xlsx", to_string(m));
    case export_format::json:
    case export_format::csv: break;
    }
    return fmt::format("sla-{}.{}", to_string(m), to_string(f));
}

std::variant<report_month, export_param_error> parse_month_param(std::string_view text) {
    if (text.empty()) return export_param_error{"month", "required", "Bitte einen Monat als JJJJ-MM angeben."};
    if (auto m = parse_report_month(text)) return *m;
    return export_param_error{"month", "invalid_month", "Der Monat muss die Form JJJJ-MM haben (z. B. 2026-10)."};
}

std::variant<char, export_param_error> parse_separator_param(std::string_view text) {
    if (text.empty() || text == "comma") return ',';
    if (text == "semicolon") return ';';
    return export_param_error{"sep", "invalid_separator", "Trennzeichen: comma oder semicolon."};
}

// --- loading ---------------------------------------------------------------------------------------------------

sla_report load_school_sla_report(SQLite::Database& db, const app_config& config, const business_calendar& calendar,
                                  report_month m, time_ms now, const std::string& school_number) {
    const auto p = period_of(m, calendar.zone(), now);
    const auto tickets = load_report_tickets(db, p.start, p.end, school_number);
    const auto managers = load_report_managers(db, tickets);
    return build_sla_report(m, tickets, managers, config.sla, calendar, now);
}

sla_report load_sla_report(SQLite::Database& db, const app_config& config, const business_calendar& calendar,
                           report_month m, time_ms now) {
    return load_school_sla_report(db, config, calendar, m, now, "");
}

const std::string_view maintenance_counting_note =
    "Wartungsaufgaben sind geplante Arbeit, keine Störungen: Sie zählen in keiner SLA-Kennzahl der Tickets. Gezählt "
    "werden die Aufgaben, die im Monat fällig sind (nach dem geltenden, ggf. verschobenen Fälligkeitsdatum): "
    "pünktlich erledigt (bis zum Fälligkeitstag), später erledigt, überfällig (am Stichtag offen und fällig "
    "gewesen), noch offen; verschobene Aufgaben zusätzlich als „verschoben“.";

json::object maintenance_task_json(const maintenance_task& t, std::string_view school_name,
                                   std::string_view manager_name, local_date as_of) {
    const bool done = t.state == task_status::done;
    return {{"id", t.id},
            {"plan_id", t.plan_id},
            {"plan", t.plan_title},
            {"device_kind", t.kind ? json::value(to_string(*t.kind)) : json::value(nullptr)},
            {"school_number", t.school_number},
            {"school_name", school_name},
            {"campus_manager", manager_name},
            {"planned_due_date", format_iso_date(t.planned_due)},
            {"due_date", format_iso_date(t.due)},
            {"status", to_string(t.state)},
            {"done_date", done && t.done_on ? json::value(format_iso_date(*t.done_on)) : json::value(nullptr)},
            {"on_time", done ? json::value(t.done_on && *t.done_on <= t.due) : json::value(nullptr)},
            {"overdue", !done && t.due < as_of},
            {"postponements", t.postponements},
            {"postpone_reason", t.postpone_reason},
            {"note", t.note}};
}

const std::string_view problem_counting_note =
    "Bekannte Störungen zählen einmal, im Monat ihres Beginns (der ersten Meldung), mit eigenen Fristen wie ein "
    "Ticket der höchsten Priorität ihrer Tickets: erste Reaktion = Erklärung der Störung, Lösung = ihre Behebung. "
    "Die Tickets einer Störung bleiben mit ihren eigenen Zahlen in der Ticketliste (SLA.md §4, unverändert); "
    "„Tickets in Störungen“ und „davon mit Fristüberschreitung“ sagen, wie viele davon die Störung vertritt.";

problem_report load_problem_report(SQLite::Database& db, const app_config& config, const business_calendar& calendar,
                                   const sla_report& r) {
    const auto problems = problems_started_between(db, r.period.start, r.period.now);
    std::map<std::string, bool, std::less<>> breached;
    for (const auto& row : r.rows) breached.emplace(row.ticket, row.breached());
    return build_problem_report(problems, r.period.start, r.period.now, config.sla, calendar,
                                [&](const std::string& number) -> std::optional<bool> {
                                    const auto it = breached.find(number);
                                    if (it == breached.end()) return std::nullopt;
                                    return it->second;
                                });
}

std::optional<sla_summary> monthly_totals_cache::find(report_month m, std::int64_t tickets) const {
    std::lock_guard lock(mutex_);
    auto it = months_.find(m);
    if (it == months_.end() || it->second.first != tickets) return std::nullopt;
    return it->second.second;
}

void monthly_totals_cache::keep(report_month m, std::int64_t tickets, const sla_summary& total) {
    std::lock_guard lock(mutex_);
    months_.insert_or_assign(m, std::pair{tickets, total});
}

std::vector<std::pair<report_month, sla_summary>> load_monthly_totals(SQLite::Database& db, const app_config& config,
                                                                      const business_calendar& calendar,
                                                                      report_month first, report_month last,
                                                                      time_ms now, monthly_totals_cache* cache) {
    std::vector<std::pair<report_month, sla_summary>> out;
    const auto managers = load_report_managers(db, {});  // the totals do not depend on them
    for (auto m = first; m <= last; m = next_month(m)) {
        const auto p = period_of(m, calendar.zone(), now);
        const bool closed = p.now < now;
        std::int64_t created = 0;
        if (cache && closed) {
            created = count_tickets_created(db, p.start, p.end);
            if (auto total = cache->find(m, created)) {
                out.emplace_back(m, std::move(*total));
                continue;
            }
        }
        const auto tickets = load_report_tickets(db, p.start, p.end);
        out.emplace_back(m, build_sla_report(m, tickets, managers, config.sla, calendar, now).total);
        if (cache && closed) cache->keep(m, created, out.back().second);
    }
    return out;
}

// --- JSON ------------------------------------------------------------------------------------------------------

namespace {

json::value time_or_null(std::optional<time_ms> t, const date::time_zone* zone) {
    return t ? json::value(format_iso8601(*t, zone)) : json::value(nullptr);
}

json::value percent_or_null(std::optional<double> p) {
    return p ? json::value(std::round(*p * 10.0) / 10.0) : json::value(nullptr);
}

json::value int_or_null(std::optional<std::int64_t> v) { return v ? json::value(*v) : json::value(nullptr); }

json::object summary_json(const sla_summary& s) {
    return {{"tickets", s.tickets},
            {"first_response_met", s.first_response_met},
            {"first_response_breached", s.first_response_breached},
            {"first_response_met_percent", percent_or_null(s.first_response_met_percent)},
            {"resolution_met", s.resolution_met},
            {"resolution_breached", s.resolution_breached},
            {"resolution_met_percent", percent_or_null(s.resolution_met_percent)},
            {"median_first_response_minutes", int_or_null(s.median_first_response_minutes)},
            {"median_resolution_minutes", int_or_null(s.median_resolution_minutes)},
            {"open_at_month_end", s.open_at_end},
            {"breaches", s.breaches}};
}

// A group's summary with its key (and label) in front.
json::array groups_json(const std::vector<sla_summary>& groups, std::string_view key_name,
                        std::string_view label_name) {
    json::array list;
    for (const auto& s : groups) {
        json::object o;
        o[key_name] = s.key;
        if (!label_name.empty()) o[label_name] = s.label;
        for (auto& [k, v] : summary_json(s)) o[k] = std::move(v);
        list.push_back(std::move(o));
    }
    return list;
}

} // namespace

namespace {

json::object problem_row_json(const problem_report_row& row, const date::time_zone* zone) {
    return json::object{{"id", row.id},
                        {"title", row.title},
                        {"schools", row.schools},
                        {"priority", to_string(row.prio)},
                        {"started_at", format_iso8601(row.started_at, zone)},
                        {"declared_at", format_iso8601(row.declared_at, zone)},
                        {"resolved_at", time_or_null(row.resolved_at, zone)},
                        {"duration_minutes", row.duration_minutes},
                        {"first_response_minutes", row.sla.first_response.used_minutes()},
                        {"first_response_verdict", to_string(row.sla.first_response.verdict)},
                        {"resolution_minutes", row.sla.resolution.used_minutes()},
                        {"resolution_verdict", to_string(row.sla.resolution.verdict)},
                        {"tickets", row.tickets},
                        {"teachers_affected", row.teachers_affected}};
}

json::object problems_json(const problem_report& p, const date::time_zone* zone) {
    const auto& s = p.summary;
    json::array rows;
    for (const auto& row : p.rows) rows.push_back(problem_row_json(row, zone));
    return {{"counting", problem_counting_note},
            {"summary", json::object{{"problems", s.problems},
                                     {"resolved", s.resolved},
                                     {"breaches", s.breaches},
                                     {"median_resolution_minutes", int_or_null(s.median_resolution_minutes)},
                                     {"total_duration_minutes", s.total_duration_minutes},
                                     {"tickets", s.tickets},
                                     {"teachers_affected", s.teachers_affected},
                                     {"ticket_rows_in_problems", s.ticket_rows_in_problems},
                                     {"ticket_breaches_in_problems", s.ticket_breaches_in_problems}}},
            {"rows", std::move(rows)}};
}

json::object maintenance_figures_json(const maintenance_figures& f) {
    return {{"due", f.due},         {"done_on_time", f.on_time}, {"done_late", f.late},
            {"overdue", f.overdue}, {"open", f.open},            {"postponed", f.postponed},
            {"on_time_percent", percent_or_null(f.on_time_percent())}};
}

json::array maintenance_groups_json(const std::vector<maintenance_group>& groups, std::string_view key_name) {
    json::array list;
    for (const auto& g : groups) {
        json::object o{{key_name, g.key}, {"name", g.label}};
        for (auto& [k, v] : maintenance_figures_json(g.figures)) o[k] = std::move(v);
        list.push_back(std::move(o));
    }
    return list;
}

} // namespace

json::object maintenance_report_json(const maintenance_report& m) {
    // Names of the rows from the report's own groups: no query per row.
    std::map<std::string, std::string> schools, managers;
    for (const auto& g : m.per_school) schools[g.key] = g.label;
    for (const auto& g : m.per_manager) managers[g.key] = g.label;
    json::array rows;
    for (const auto& t : m.tasks)
        rows.push_back(maintenance_task_json(t, schools[t.school_number], managers[std::to_string(t.assignee_id)],
                                             m.as_of));
    return {{"counting", maintenance_counting_note},
            {"summary", maintenance_figures_json(m.total)},
            {"per_manager", maintenance_groups_json(m.per_manager, "campus_manager_id")},
            {"per_school", maintenance_groups_json(m.per_school, "school_number")},
            {"rows", std::move(rows)}};
}

const std::string_view device_counting_note =
    "Tickets je Geräteart: Tickets des Monats, die ein Gerät der Art nennen, je 100 Geräte der Art in Betrieb. "
    "Tickets je Schule: alle Tickets der Schule im Monat (wie in der Tabelle „Schulen“) je 100 ihrer Geräte in "
    "Betrieb. Der Gerätebestand ist der heutige: das Inventar führt keine Geschichte.";

device_report load_device_report(SQLite::Database& db, const business_calendar& calendar, const sla_report& r) {
    std::map<std::string, std::string, std::less<>> names;
    const auto dir = load_directory(db);
    for (const auto* list : {&dir.schools, &dir.former_schools})
        for (const auto& s : *list) names[s.number] = s.name;
    const auto devices = load_device_counts(db, "", local_date_of(r.period.now, calendar.zone()));
    const auto kind_tickets = load_device_ticket_counts(db, r.period.start, r.period.end);
    return build_device_report(devices, kind_tickets, r.per_school, names);
}

namespace {

json::array device_rows_json(const std::vector<device_rate_row>& rows, std::string_view key_name,
                             std::string_view label_name) {
    json::array out;
    for (const auto& row : rows)
        out.push_back(json::object{{key_name, row.key},
                                   {label_name, row.label},
                                   {"devices", row.devices},
                                   {"tickets", row.tickets},
                                   {"per_100", percent_or_null(row.per_100)}});
    return out;
}

} // namespace

json::object device_report_json(const device_report& d) {
    return {{"counting", device_counting_note},
            {"per_kind", device_rows_json(d.per_kind, "kind", "label")},
            {"per_school", device_rows_json(d.per_school, "school_number", "school_name")}};
}

// The JSON with every section; render_sla_json's header stays as SLA.md's export had it, the device figures come
// through render_sla_export.
static std::string sla_json_document(const sla_report& r, const date::time_zone* zone, const problem_report* problems,
                                     const maintenance_report* maintenance, const device_report* devices) {
    json::array rows;
    for (const auto& row : r.rows) {
        rows.push_back(json::object{
            {"ticket", row.ticket},
            {"school_number", row.school_number},
            {"school_name", row.school_name},
            {"campus_manager", row.campus_manager},
            {"priority", to_string(row.prio)},
            {"category", row.category},
            {"created_at", format_iso8601(row.created_at, zone)},
            {"first_response_at", time_or_null(row.first_response_at, zone)},
            {"first_response_minutes", row.first_response_minutes},
            {"first_response_target", row.first_response_target},
            {"first_response_verdict", to_string(row.first_response_verdict)},
            {"resolved_at", time_or_null(row.resolved_at, zone)},
            {"resolution_minutes", row.resolution_minutes},
            {"resolution_target", row.resolution_target},
            {"resolution_verdict", to_string(row.resolution_verdict)},
            {"paused_minutes", row.paused_minutes},
            {"reopen_count", row.reopen_count},
            {"escalated", row.escalated},
        });
    }
    json::object summary{{"total", summary_json(r.total)},
                         {"per_manager", groups_json(r.per_manager, "campus_manager", "name")},
                         {"per_school", groups_json(r.per_school, "school_number", "school_name")},
                         {"per_priority", groups_json(r.per_priority, "priority", "")},
                         {"per_category", groups_json(r.per_category, "category", "")}};
    json::object doc{{"month", to_string(r.month)},
                     {"as_of", format_iso8601(r.period.now, zone)},
                     {"rows", std::move(rows)},
                     {"summary", std::move(summary)},
                     {"problems", problems_json(problems ? *problems : problem_report{}, zone)},
                     {"maintenance", maintenance_report_json(maintenance ? *maintenance : maintenance_report{})},
                     {"devices", device_report_json(devices ? *devices : device_report{})}};
    json_writer w;
    w.value(doc);
    return w.take();
}

std::string render_sla_json(const sla_report& r, const date::time_zone* zone, const problem_report* problems,
                            const maintenance_report* maintenance) {
    return sla_json_document(r, zone, problems, maintenance, nullptr);
}

// --- the German documents (CSV for Excel, XLSX) -----------------------------------------------------------------

namespace {

lxw_datetime local_datetime(time_ms t, const date::time_zone* zone) {
    const auto s = date::floor<std::chrono::seconds>(date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{t}});
    const date::local_seconds lt{s.time_since_epoch() + zone_info(zone, s).offset};
    const auto day = date::floor<date::days>(lt);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss<std::chrono::seconds> tod{lt - day};
    return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
            static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(tod.hours().count()),
            static_cast<int>(tod.minutes().count()), static_cast<double>(tod.seconds().count())};
}

std::string category_label(const app_config& config, const std::string& id) {
    for (const auto& c : config.categories)
        if (c.id == id) return c.label;
    return id;
}

// The §4 columns as a German reader names them (the German CSV's header and the XLSX's ticket sheet).
const std::vector<std::string_view> german_ticket_headers{
    "Ticket", "Schulnummer", "Schule", "Campus-Manager", "Priorität", "Kategorie", "Erstellt",
    "Erste Reaktion am", "Erste Reaktion (Min.)", "Ziel erste Reaktion (Min.)", "Erste Reaktion",
    "Gelöst am", "Lösung (Min.)", "Ziel Lösung (Min.)", "Lösung", "Pausiert (Min.)", "Wiedereröffnet",
    "Eskaliert"};

// A verdict in a report for people: "verfehlt" reads as the opposite of "eingehalten" in a column of both.
std::string_view document_verdict(sla_verdict v) {
    return v == sla_verdict::breached ? std::string_view("verfehlt") : verdict_label(v);
}

// Campus managers by name with the login ("Petra Schmidt (manager01)"), from the report's own per-manager
// summaries (no further query); a login without a known name stays as it is.
class manager_names {
public:
    explicit manager_names(const sla_report& r) {
        for (const auto& s : r.per_manager)
            if (!s.key.empty() && !s.label.empty()) names_.emplace(s.key, s.label);
    }
    std::string operator()(const std::string& login) const {
        auto it = names_.find(login);
        return it == names_.end() ? login : fmt::format("{} ({})", it->second, login);
    }

private:
    std::map<std::string, std::string> names_;
};

} // namespace

// --- CSV -------------------------------------------------------------------------------------------------------

namespace {

constexpr std::array<const char*, 18> csv_columns{
    "ticket",           "school_number",          "school_name",       "campus_manager",     "priority",
    "category",         "created_at",             "first_response_at", "first_response_minutes",
    "first_response_target", "first_response_verdict", "resolved_at", "resolution_minutes", "resolution_target",
    "resolution_verdict", "paused_minutes",        "reopen_count",      "escalated"};

void csv_field(std::string& out, std::string_view value, char separator) {
    const bool quote = value.find_first_of(std::string{separator, '"', '\r', '\n'}) != std::string_view::npos;
    if (!quote) {
        out += value;
        return;
    }
    out += '"';
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

// One CSV line of `fields`, ended by CRLF.
void csv_line(std::string& out, const std::vector<std::string>& fields, char separator) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += separator;
        csv_field(out, fields[i], separator);
    }
    out += "\r\n";
}

constexpr const char* utf8_bom = "\xEF\xBB\xBF";  // Excel then reads the file as UTF-8

} // namespace

std::string render_sla_csv(const sla_report& r, const date::time_zone* zone, char separator) {
    std::string out = utf8_bom;
    csv_line(out, {csv_columns.begin(), csv_columns.end()}, separator);
    auto when = [&](std::optional<time_ms> t) { return t ? format_iso8601(*t, zone) : std::string(); };
    for (const auto& row : r.rows) {
        csv_line(out, {row.ticket, row.school_number, row.school_name, row.campus_manager, std::string(to_string(row.prio)),
              row.category, format_iso8601(row.created_at, zone), when(row.first_response_at),
              std::to_string(row.first_response_minutes), std::to_string(row.first_response_target),
              std::string(to_string(row.first_response_verdict)), when(row.resolved_at),
              std::to_string(row.resolution_minutes), std::to_string(row.resolution_target),
              std::string(to_string(row.resolution_verdict)), std::to_string(row.paused_minutes),
              std::to_string(row.reopen_count), row.escalated ? "true" : "false"}, separator);
    }
    return out;
}

std::string render_sla_csv_de(const sla_report& r, const app_config& config, const date::time_zone* zone) {
    constexpr char separator = ';';  // what Excel in German locale splits on when the file is double-clicked
    std::string out = utf8_bom;
    csv_line(out, {german_ticket_headers.begin(), german_ticket_headers.end()}, separator);
    const manager_names manager(r);
    // "05.10.2026 08:14": German Excel reads it as a date and time cell.
    auto when = [&](std::optional<time_ms> t) {
        if (!t) return std::string();
        const auto dt = local_datetime(*t, zone);
        return fmt::format("{:02}.{:02}.{:04} {:02}:{:02}", dt.day, dt.month, dt.year, dt.hour, dt.min);
    };
    for (const auto& row : r.rows) {
        csv_line(out, {row.ticket, row.school_number, row.school_name, manager(row.campus_manager),
                       std::string(priority_label(row.prio)), category_label(config, row.category), when(row.created_at),
                       when(row.first_response_at), std::to_string(row.first_response_minutes),
                       std::to_string(row.first_response_target), std::string(document_verdict(row.first_response_verdict)),
                       when(row.resolved_at), std::to_string(row.resolution_minutes),
                       std::to_string(row.resolution_target), std::string(document_verdict(row.resolution_verdict)),
                       std::to_string(row.paused_minutes), std::to_string(row.reopen_count),
                       row.escalated ? "ja" : "nein"}, separator);
    }
    return out;
}

namespace {

std::string render_json_rows_csv(const json::object& empty_row, const json::array& rows, char separator) {
    // The JSON rows, their keys as the header: one table per file, as the ticket CSV.
    std::string out = utf8_bom;
    std::vector<std::string> header;
    for (const auto& [key, value] : empty_row) header.emplace_back(key);
    csv_line(out, header, separator);
    for (const auto& row : rows) {
        std::vector<std::string> fields;
        for (const auto& [key, value] : row.as_object())
            fields.push_back(value.is_string() ? std::string(value.as_string()) : value.is_null() ? "" : json::serialize(value));
        csv_line(out, fields, separator);
    }
    return out;
}

} // namespace

std::string render_maintenance_csv(const maintenance_report& m, char separator) {
    return render_json_rows_csv(maintenance_task_json({}, "", "", m.as_of), maintenance_report_json(m).at("rows").as_array(),
                                separator);
}

std::string render_device_csv(const device_report& d, char separator) {
    // One table: the kinds' rows, then the schools', told apart by "group"; the rate as the JSON has it (one
    // decimal, a point), empty without devices.
    std::string out = utf8_bom;
    csv_line(out, {"group", "key", "label", "devices", "tickets", "per_100"}, separator);
    for (const auto& [group, list] : {std::pair{"kind", &d.per_kind}, std::pair{"school", &d.per_school}})
        for (const auto& row : *list)
            csv_line(out, {group, row.key, row.label, std::to_string(row.devices), std::to_string(row.tickets),
                           row.per_100 ? fmt::format("{:.1f}", *row.per_100) : std::string()},
                     separator);
    return out;
}

std::string render_problems_csv(const problem_report& problems, const date::time_zone* zone, char separator) {
    const auto doc = problems_json(problems, zone);
    return render_json_rows_csv(problem_row_json({}, zone), doc.at("rows").as_array(), separator);
}

// --- XLSX ------------------------------------------------------------------------------------------------------

namespace {

// A temporary file for libxlsxwriter 1.1.4, which writes only to files; removed when it goes out of scope.
struct temp_file {
    std::string path;
    temp_file() {
        auto pattern = (std::filesystem::temp_directory_path() / "campusdesk-export-XXXXXX").string();
        const int fd = mkstemp(pattern.data());
        if (fd < 0) throw std::runtime_error("cannot create a temporary file for the XLSX export");
        ::close(fd);
        path = pattern;
    }
    ~temp_file() { std::remove(path.c_str()); }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
};

struct xlsx_formats {
    lxw_format* header;
    lxw_format* datetime;
    lxw_format* percent;
    lxw_format* title;
};

xlsx_formats add_formats(lxw_workbook* wb) {
    xlsx_formats f{};
    f.header = workbook_add_format(wb);
    format_set_bold(f.header);
    format_set_bg_color(f.header, 0xDDE6F0);
    format_set_text_wrap(f.header);
    format_set_align(f.header, LXW_ALIGN_VERTICAL_TOP);
    f.datetime = workbook_add_format(wb);
    format_set_num_format(f.datetime, "dd.mm.yyyy hh:mm");
    f.percent = workbook_add_format(wb);
    format_set_num_format(f.percent, "0.0%");
    f.title = workbook_add_format(wb);
    format_set_bold(f.title);
    format_set_font_size(f.title, 14);
    return f;
}

// Closes the workbook and returns the file's bytes.
std::string close_workbook(lxw_workbook* wb, const temp_file& file) {
    if (const auto error = workbook_close(wb); error != LXW_NO_ERROR)
        throw std::runtime_error(fmt::format("XLSX export failed: {}", lxw_strerror(error)));
    std::ifstream in(file.path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return std::move(bytes).str();
}

void write_text(lxw_worksheet* ws, int row, int col, std::string_view text, lxw_format* f = nullptr) {
    const std::string s(text);
    worksheet_write_string(ws, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), s.c_str(), f);
}

void write_int(lxw_worksheet* ws, int row, int col, std::int64_t v) {
    worksheet_write_number(ws, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), static_cast<double>(v),
                           nullptr);
}

void write_header(lxw_worksheet* ws, int row, const std::vector<std::string_view>& names, const xlsx_formats& f) {
    for (std::size_t c = 0; c < names.size(); ++c) write_text(ws, row, static_cast<int>(c), names[c], f.header);
}

// The summary columns after the group's own ones; figures stay empty where there is nothing to measure.
void write_summary_figures(lxw_worksheet* ws, int row, int col, const sla_summary& s, const xlsx_formats& f) {
    write_int(ws, row, col++, s.tickets);
    for (auto p : {s.first_response_met_percent, s.resolution_met_percent}) {
        if (p) worksheet_write_number(ws, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), *p / 100.0, f.percent);
        ++col;
    }
    for (auto m : {s.median_first_response_minutes, s.median_resolution_minutes}) {
        if (m) write_int(ws, row, col, *m);
        ++col;
    }
    write_int(ws, row, col++, s.open_at_end);
    write_int(ws, row, col++, s.breaches);
}

constexpr std::array<std::string_view, 7> summary_headers{
    "Tickets", "Erste Reaktion eingehalten", "Lösung eingehalten", "Median erste Reaktion (Min.)",
    "Median Lösung (Min.)", "Offen am Monatsende", "Tickets mit Fristüberschreitung"};

// One row per group: its key and label columns (`label_first`: the name, then the key, as for managers), then the
// figures.
void summary_sheet(lxw_workbook* wb, const char* name, std::vector<std::string_view> key_headers, bool label_first,
                   const std::vector<sla_summary>& groups, const xlsx_formats& f) {
    auto* ws = workbook_add_worksheet(wb, name);
    const int key_columns = static_cast<int>(key_headers.size());
    key_headers.insert(key_headers.end(), summary_headers.begin(), summary_headers.end());
    write_header(ws, 0, key_headers, f);
    int row = 1;
    for (const auto& s : groups) {
        write_text(ws, row, label_first ? 1 : 0, s.key);
        if (key_columns > 1) write_text(ws, row, label_first ? 0 : 1, s.label);
        write_summary_figures(ws, row, key_columns, s, f);
        ++row;
    }
    worksheet_set_column(ws, label_first ? 1 : 0, label_first ? 1 : 0, 14, nullptr);
    if (key_columns > 1) worksheet_set_column(ws, label_first ? 0 : 1, label_first ? 0 : 1, 36, nullptr);
    worksheet_set_column(ws, static_cast<lxw_col_t>(key_columns), static_cast<lxw_col_t>(key_headers.size() - 1), 16,
                         nullptr);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(std::max(row - 1, 0)),
                         static_cast<lxw_col_t>(key_headers.size() - 1));
}

// Writes `t`'s header at `row` and its rows below it; returns the row after the last. Decimals in `decimal`.
int write_table(lxw_worksheet* ws, int row, const document_table& t, const xlsx_formats& f, lxw_format* decimal) {
    std::vector<std::string_view> names(t.header.begin(), t.header.end());
    write_header(ws, row++, names, f);
    for (const auto& cells : t.rows) {
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const int col = static_cast<int>(c);
            if (const auto* text = std::get_if<std::string>(&cells[c])) write_text(ws, row, col, *text);
            else if (const auto* n = std::get_if<std::int64_t>(&cells[c])) write_int(ws, row, col, *n);
            else
                worksheet_write_number(ws, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col),
                                       std::get<double>(cells[c]), decimal);
        }
        ++row;
    }
    return row;
}

using table_cell = std::variant<std::string, std::int64_t, double>;

table_cell rate_cell(std::optional<double> v) { return v ? table_cell(*v) : table_cell(std::string()); }

document_table device_kind_table(const device_report& d) {
    document_table t{"Geräte", {"Geräteart", "Geräte in Betrieb", "Tickets zu Geräten der Art", "Tickets je 100 Geräte"}, {}};
    for (const auto& row : d.per_kind) t.rows.push_back({row.label, row.devices, row.tickets, rate_cell(row.per_100)});
    return t;
}

document_table device_school_table(const device_report& d) {
    document_table t{"Geräte", {"Schulnummer", "Schule", "Geräte in Betrieb", "Tickets", "Tickets je 100 Geräte"}, {}};
    for (const auto& row : d.per_school)
        t.rows.push_back({row.key, row.label, row.devices, row.tickets, rate_cell(row.per_100)});
    return t;
}

std::string sla_xlsx_document(const sla_report& r, const app_config& config, const date::time_zone* zone,
                              const problem_report* given_problems, const maintenance_report* given_maintenance,
                              const device_report* given_devices) {
    const problem_report none;
    const auto& problems = given_problems ? *given_problems : none;
    const maintenance_report no_maintenance;
    const auto& maintenance = given_maintenance ? *given_maintenance : no_maintenance;
    temp_file file;
    lxw_workbook* wb = workbook_new(file.path.c_str());
    if (!wb) throw std::runtime_error("cannot start the XLSX export");
    // Fixed properties (the created date is the report's "now", i.e. the month's end once it is over), so the
    // same month gives the same bytes; libxlsxwriter also dates the zip entries with it.
    const auto title = fmt::format("SLA-Bericht {}", to_string(r.month));
    lxw_doc_properties props{};
    props.title = const_cast<char*>(title.c_str());
    props.subject = const_cast<char*>("Monatlicher SLA-Export (SLA.md §4)");
    props.author = const_cast<char*>("campusdesk");
    props.company = const_cast<char*>("IT-Schulcampus");
    props.created = static_cast<time_t>(r.period.now / 1000);
    workbook_set_properties(wb, &props);

    const xlsx_formats f = add_formats(wb);

    // Zusammenfassung first (Excel opens a workbook on its first sheet): the month's total, then per priority and
    // per category.
    auto* sum = workbook_add_worksheet(wb, "Zusammenfassung");
    write_text(sum, 0, 0, title, f.title);
    write_text(sum, 1, 0, "Stand");
    {
        auto dt = local_datetime(r.period.now, zone);
        worksheet_write_datetime(sum, 1, 1, &dt, f.datetime);
    }
    std::vector<std::string_view> sum_headers{"Bereich", "Gruppe"};
    sum_headers.insert(sum_headers.end(), summary_headers.begin(), summary_headers.end());
    write_header(sum, 3, sum_headers, f);
    int row = 4;
    auto sum_row = [&](std::string_view area, const std::string& group_name, const sla_summary& s) {
        write_text(sum, row, 0, area);
        write_text(sum, row, 1, group_name);
        write_summary_figures(sum, row, 2, s, f);
        ++row;
    };
    sum_row("Gesamt", "Alle Tickets", r.total);
    for (const auto& s : r.per_priority)
        sum_row("Priorität", std::string(priority_label(parse_priority(s.key).value_or(priority::normal))), s);
    for (const auto& s : r.per_category) sum_row("Kategorie", category_label(config, s.key), s);
    worksheet_set_column(sum, 0, 0, 14, nullptr);
    worksheet_set_column(sum, 1, 1, 36, nullptr);
    worksheet_set_column(sum, 2, 8, 16, nullptr);
    worksheet_freeze_panes(sum, 4, 0);

    summary_sheet(wb, "Campus-Manager", {"Name", "Login"}, true, r.per_manager, f);
    summary_sheet(wb, "Schulen", {"Schulnummer", "Schule"}, false, r.per_school, f);

    // Tickets: one row per ticket, the §4 columns with German headers.
    auto* ws = workbook_add_worksheet(wb, "Tickets");
    const auto& headers = german_ticket_headers;
    write_header(ws, 0, headers, f);
    const manager_names manager(r);
    row = 1;
    auto write_time = [&](int c, std::optional<time_ms> t) {
        if (!t) return;
        auto dt = local_datetime(*t, zone);
        worksheet_write_datetime(ws, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(c), &dt, f.datetime);
    };
    for (const auto& x : r.rows) {
        write_text(ws, row, 0, x.ticket);
        write_text(ws, row, 1, x.school_number);
        write_text(ws, row, 2, x.school_name);
        write_text(ws, row, 3, manager(x.campus_manager));
        write_text(ws, row, 4, priority_label(x.prio));
        write_text(ws, row, 5, category_label(config, x.category));
        write_time(6, x.created_at);
        write_time(7, x.first_response_at);
        write_int(ws, row, 8, x.first_response_minutes);
        write_int(ws, row, 9, x.first_response_target);
        write_text(ws, row, 10, document_verdict(x.first_response_verdict));
        write_time(11, x.resolved_at);
        write_int(ws, row, 12, x.resolution_minutes);
        write_int(ws, row, 13, x.resolution_target);
        write_text(ws, row, 14, document_verdict(x.resolution_verdict));
        write_int(ws, row, 15, x.paused_minutes);
        write_int(ws, row, 16, x.reopen_count);
        worksheet_write_boolean(ws, static_cast<lxw_row_t>(row), 17, x.escalated ? 1 : 0, nullptr);
        ++row;
    }
    worksheet_set_column(ws, 0, 0, 17, nullptr);
    worksheet_set_column(ws, 1, 1, 12, nullptr);
    worksheet_set_column(ws, 2, 2, 36, nullptr);
    worksheet_set_column(ws, 3, 3, 30, nullptr);
    worksheet_set_column(ws, 4, 5, 16, nullptr);
    worksheet_set_column(ws, 6, 7, 17, nullptr);
    worksheet_set_column(ws, 8, 10, 14, nullptr);
    worksheet_set_column(ws, 11, 11, 17, nullptr);
    worksheet_set_column(ws, 12, 17, 14, nullptr);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(std::max(row - 1, 0)),
                         static_cast<lxw_col_t>(headers.size() - 1));

    // Störungen: the month's known problems, counted apart from the tickets, with the note on how.
    auto* pr = workbook_add_worksheet(wb, "Störungen");
    write_text(pr, 0, 0, title, f.title);
    write_text(pr, 1, 0, problem_counting_note);
    const auto& ps = problems.summary;
    const std::vector<std::pair<std::string_view, std::int64_t>> figures{
        {"Störungen", ps.problems},       {"davon behoben", ps.resolved},
        {"mit Fristüberschreitung", ps.breaches}, {"Dauer gesamt (Minuten)", ps.total_duration_minutes},
        {"Tickets in Störungen", ps.tickets},      {"betroffene Lehrkräfte", ps.teachers_affected},
        {"Tickets des Monats in Störungen", ps.ticket_rows_in_problems},
        {"davon mit Fristüberschreitung", ps.ticket_breaches_in_problems}};
    row = 3;
    for (const auto& [label, value] : figures) {
        write_text(pr, row, 0, label);
        write_int(pr, row++, 1, value);
    }
    write_text(pr, row, 0, "Median Lösung (Geschäftsminuten)");
    if (ps.median_resolution_minutes) write_int(pr, row, 1, *ps.median_resolution_minutes);
    row += 2;
    write_header(pr, row++, {"Nr.", "Störung", "Schulen", "Priorität", "Beginn", "Erklärt", "Behoben", "Dauer (Minuten)",
                             "Erste Reaktion (Min.)", "Erste Reaktion", "Lösung (Min.)", "Lösung", "Tickets",
                             "Betroffene Lehrkräfte"}, f);
    for (const auto& p : problems.rows) {
        write_int(pr, row, 0, p.id);
        write_text(pr, row, 1, p.title);
        write_text(pr, row, 2, p.schools);
        write_text(pr, row, 3, priority_label(p.prio));
        for (const auto& [col, t] : {std::pair{4, std::optional(p.started_at)}, std::pair{5, std::optional(p.declared_at)},
                                     std::pair{6, p.resolved_at}})
            if (t) {
                auto dt = local_datetime(*t, zone);
                worksheet_write_datetime(pr, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), &dt, f.datetime);
            }
        write_int(pr, row, 7, p.duration_minutes);
        write_int(pr, row, 8, p.sla.first_response.used_minutes());
        write_text(pr, row, 9, verdict_label(p.sla.first_response.verdict));
        write_int(pr, row, 10, p.sla.resolution.used_minutes());
        write_text(pr, row, 11, verdict_label(p.sla.resolution.verdict));
        write_int(pr, row, 12, p.tickets);
        write_int(pr, row, 13, p.teachers_affected);
        ++row;
    }
    worksheet_set_column(pr, 0, 0, 34, nullptr);
    worksheet_set_column(pr, 1, 13, 16, nullptr);

    // Wartung: planned work, apart from the tickets' SLA figures, with the note on how it is counted.
    auto* mw = workbook_add_worksheet(wb, "Wartung");
    write_text(mw, 0, 0, title, f.title);
    write_text(mw, 1, 0, maintenance_counting_note);
    const std::vector<std::string_view> figure_headers{"fällig", "pünktlich erledigt", "später erledigt", "überfällig",
                                                  "offen", "verschoben", "pünktlich (%)"};
    const auto write_figures = [&](int at, int col, const maintenance_figures& x) {
        int c = col;
        for (auto v : {x.due, x.on_time, x.late, x.overdue, x.open, x.postponed}) write_int(mw, at, c++, v);
        if (const auto p = x.on_time_percent())
            worksheet_write_number(mw, static_cast<lxw_row_t>(at), static_cast<lxw_col_t>(c), *p / 100.0, f.percent);
    };
    row = 3;
    {
        std::vector<std::string_view> h{""};
        h.insert(h.end(), figure_headers.begin(), figure_headers.end());
        write_header(mw, row++, h, f);
        write_text(mw, row, 0, "Gesamt");
        write_figures(row++, 1, maintenance.total);
    }
    for (const auto& [heading, groups] : {std::pair{"Campus-Manager", &maintenance.per_manager},
                                          std::pair{"Schule", &maintenance.per_school}}) {
        ++row;
        std::vector<std::string_view> h{heading};
        h.insert(h.end(), figure_headers.begin(), figure_headers.end());
        write_header(mw, row++, h, f);
        for (const auto& g : *groups) {
            write_text(mw, row, 0, g.label);
            write_figures(row++, 1, g.figures);
        }
    }
    ++row;
    write_header(mw, row++, {"Nr.", "Aufgabe", "Schule", "Campus-Manager", "geplant fällig", "fällig", "Status",
                             "erledigt am", "Verschiebungen", "Grund der Verschiebung"}, f);
    {
        std::map<std::string, std::string> schools, managers;
        for (const auto& g : maintenance.per_school) schools[g.key] = g.label;
        for (const auto& g : maintenance.per_manager) managers[g.key] = g.label;
        for (const auto& t : maintenance.tasks) {
            write_int(mw, row, 0, t.id);
            write_text(mw, row, 1, t.plan_title);
            write_text(mw, row, 2, schools[t.school_number]);
            write_text(mw, row, 3, managers[std::to_string(t.assignee_id)]);
            write_text(mw, row, 4, format_german_date(t.planned_due));
            write_text(mw, row, 5, format_german_date(t.due));
            write_text(mw, row, 6, t.state == task_status::done
                                       ? (t.done_on && *t.done_on <= t.due ? "pünktlich erledigt" : "später erledigt")
                                       : t.due < maintenance.as_of ? "überfällig" : "offen");
            if (t.done_on) write_text(mw, row, 7, format_german_date(*t.done_on));
            write_int(mw, row, 8, t.postponements);
            write_text(mw, row, 9, t.postpone_reason);
            ++row;
        }
    }
    worksheet_set_column(mw, 0, 0, 30, nullptr);
    worksheet_set_column(mw, 1, 9, 16, nullptr);

    // Geräte: tickets per device kind and per 100 devices per school, with the note on how they are counted.
    {
        const device_report no_devices;
        const auto& devices = given_devices ? *given_devices : no_devices;
        auto* dw = workbook_add_worksheet(wb, "Geräte");
        write_text(dw, 0, 0, title, f.title);
        write_text(dw, 1, 0, device_counting_note);
        auto* one_decimal = workbook_add_format(wb);
        format_set_num_format(one_decimal, "0.0");
        const int after = write_table(dw, 3, device_kind_table(devices), f, one_decimal);
        write_table(dw, after + 1, device_school_table(devices), f, one_decimal);
        worksheet_set_column(dw, 0, 1, 30, nullptr);
        worksheet_set_column(dw, 2, 4, 16, nullptr);
    }

    return close_workbook(wb, file);
}

} // namespace

std::string render_sla_xlsx(const sla_report& r, const app_config& config, const date::time_zone* zone,
                            const problem_report* problems, const maintenance_report* maintenance) {
    return sla_xlsx_document(r, config, zone, problems, maintenance, nullptr);
}

std::string render_table_csv_de(const document_table& t) {
    std::string out = utf8_bom;
    csv_line(out, t.header, ';');
    for (const auto& row : t.rows) {
        std::vector<std::string> fields;
        for (const auto& cell : row) {
            if (const auto* text = std::get_if<std::string>(&cell)) fields.push_back(*text);
            else if (const auto* n = std::get_if<std::int64_t>(&cell)) fields.push_back(std::to_string(*n));
            else {
                // A decimal comma: German Excel reads "0,125" as a number, "0.125" as a date or text.
                auto text = fmt::format("{:.3f}", std::get<double>(cell));
                std::replace(text.begin(), text.end(), '.', ',');
                fields.push_back(std::move(text));
            }
        }
        csv_line(out, fields, ';');
    }
    return out;
}

std::string render_tables_xlsx(std::string_view title, std::span<const document_table> tables, time_ms created) {
    temp_file file;
    lxw_workbook* wb = workbook_new(file.path.c_str());
    if (!wb) throw std::runtime_error("cannot start the XLSX export");
    const std::string title_text(title);
    lxw_doc_properties props{};
    props.title = const_cast<char*>(title_text.c_str());
    props.author = const_cast<char*>("campusdesk");
    props.company = const_cast<char*>("IT-Schulcampus");
    props.created = static_cast<time_t>(created / 1000);
    workbook_set_properties(wb, &props);
    const xlsx_formats f = add_formats(wb);
    auto* decimal = workbook_add_format(wb);
    format_set_num_format(decimal, "0.000");
    for (const auto& t : tables) {
        auto* ws = workbook_add_worksheet(wb, t.sheet.c_str());
        write_table(ws, 0, t, f, decimal);
        worksheet_set_column(ws, 0, static_cast<lxw_col_t>(std::max<std::size_t>(t.header.size(), 1) - 1), 18, nullptr);
        worksheet_freeze_panes(ws, 1, 0);
    }
    return close_workbook(wb, file);
}

std::string render_sla_export(SQLite::Database& db, const app_config& config, const business_calendar& calendar,
                              int year, unsigned month, export_format f, time_ms now, char separator) {
    const auto report = load_sla_report(db, config, calendar, {year, month}, now);
    switch (f) {
    case export_format::json: {
        const auto problems = load_problem_report(db, config, calendar, report);
        const auto maintenance = load_maintenance_report(db, load_directory(db), calendar.zone(), report.period);
        const auto devices = load_device_report(db, calendar, report);
        return sla_json_document(report, calendar.zone(), &problems, &maintenance, &devices);
    }
    case export_format::csv: return render_sla_csv(report, calendar.zone(), separator);  // SLA.md §4 exactly
    case export_format::csv_de: return render_sla_csv_de(report, config, calendar.zone());
    case export_format::xlsx: {
        const auto problems = load_problem_report(db, config, calendar, report);
        const auto maintenance = load_maintenance_report(db, load_directory(db), calendar.zone(), report.period);
        const auto devices = load_device_report(db, calendar, report);
        return sla_xlsx_document(report, config, calendar.zone(), &problems, &maintenance, &devices);
    }
    }
    return {};
}

// --- CLI -------------------------------------------------------------------------------------------------------

namespace {

// Writes next to the target and renames, so a reader never sees half a file.
void write_file_atomically(const std::filesystem::path& target, const std::string& bytes) {
    auto temp = target;
    temp += ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(fmt::format("cannot write {}", temp.string()));
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) throw std::runtime_error(fmt::format("cannot write {}", temp.string()));
    }
    std::filesystem::rename(temp, target);
}

} // namespace

int run_export_sla(int argc, char** argv, int first) {
    return run_cli_command([&] {
        const auto args =
            parse_cli_options(argc, argv, first, {"last-month"}, {"config", "data", "tenant", "month", "format", "out", "sep"});
        if (!args.positional.empty())
            throw cli_usage_error(fmt::format("export-sla: unexpected argument {}", args.positional.front()));
        if (args.has("month") == args.has("last-month"))
            throw cli_usage_error("export-sla: give either --month YYYY-MM or --last-month");
        const auto format = parse_export_format(args.get("format"));
        if (!format) throw cli_usage_error("export-sla: --format must be csv, csv-de, json or xlsx");
        const auto sep = parse_separator_param(args.get("sep"));
        if (std::holds_alternative<export_param_error>(sep))
            throw cli_usage_error("export-sla: --sep must be comma or semicolon");
        const auto config = load_cli_config(args, std::cerr);
        const business_calendar calendar(config.calendar);
        const time_ms now = now_ms();
        report_month month{};
        if (args.has("month")) {
            const auto parsed = parse_report_month(args.get("month"));
            if (!parsed) throw cli_usage_error("export-sla: --month must be YYYY-MM (e.g. 2026-10)");
            month = *parsed;
        } else {
            month = previous_month(month_of(now, calendar.zone()));
        }
        const auto file = cli_database_file(args, config);
        if (!std::filesystem::exists(file)) throw std::runtime_error(fmt::format("no database at {}", file.string()));
        auto db = open_reader_database(file);
        const auto bytes =
            render_sla_export(db, config, calendar, month.year, month.month, *format, now, std::get<char>(sep));
        if (args.has("out")) {
            write_file_atomically(args.get("out"), bytes);
            std::cerr << fmt::format("SLA export {} ({}) written to {}", to_string(month), to_string(*format),
                                     args.get("out"))
                      << '\n';
        } else {
            std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            std::cout.flush();
            if (!std::cout) throw std::runtime_error("cannot write to stdout");
        }
        return 0;
    });
}

int run_sla_recompute(int argc, char** argv, int first) {
    return run_cli_command([&] {
        const auto args = parse_cli_options(argc, argv, first, {}, {"config", "data", "tenant"});
        if (!args.positional.empty())
            throw cli_usage_error(fmt::format("sla recompute: unexpected argument {}", args.positional.front()));
        const auto config = load_cli_config(args, std::cerr);
        const business_calendar calendar(config.calendar);
        const auto file = cli_database_file(args, config);
        if (!std::filesystem::exists(file)) throw std::runtime_error(fmt::format("no database at {}", file.string()));
        write_queue writer(file, 16);
        const sla_context sla{config.sla, calendar};
        const time_ms now = now_ms();
        const auto n = writer.run([&](SQLite::Database& db) { return recompute_all_sla(db, sla, now); });
        writer.stop();
        std::cout << fmt::format("recomputed the SLA figures of {} tickets", n) << std::endl;
        return 0;
    });
}

} // namespace campusdesk
