// The monthly SLA export (SLA.md §4) from SQLite as JSON, CSV or XLSX, and the CLI commands around SLA figures.
#pragma once

#include "core/app_config.hpp"
#include "core/business_calendar.hpp"
#include "core/maintenance.hpp"
#include "core/sla_report.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json/object.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace campusdesk {

struct problem_report;  // core/known_problems.hpp

// csv is the machine CSV of SLA.md §4; csv_de ("csv-de") the same rows as a German document for Excel.
enum class export_format { json, csv, csv_de, xlsx };

std::optional<export_format> parse_export_format(std::string_view text);
std::string_view to_string(export_format f);
// The Content-Type of an export: "text/csv; charset=utf-8", …
std::string_view content_type_of(export_format f);
// What a download is saved as: "sla-2026-10.csv" and "sla-2026-10.json" for programs, "SLA-Bericht-2026-10.xlsx"
// and "SLA-Bericht-2026-10-Excel.csv" for people, so both CSVs can lie in one folder.
std::string export_file_name(report_month m, export_format f);

// A refused month or format, as the API answers it: 422 with the field name.
struct export_param_error {
    std::string field;    // "month", "format" or "sep"
    std::string code;     // "invalid_month", …
    std::string message;  // German, for the API and the page
};
// "YYYY-MM": the month, or why not (a missing month is an error too).
std::variant<report_month, export_param_error> parse_month_param(std::string_view text);
// "comma" (or empty) gives ',', "semicolon" ';'.
std::variant<char, export_param_error> parse_separator_param(std::string_view text);

// Loads the tickets created in `m` (by created_at, through the index tickets_by_created) with their histories, and
// computes the report at `now` (SLA.md §4). Read-only.
sla_report load_sla_report(SQLite::Database& db, const app_config& config, const business_calendar& calendar,
                           report_month m, time_ms now);

// The totals of closed months (for the trend chart), kept while the month's number of tickets stays the same.
// SLA.md §4 freezes a closed month unless its history changes, and the history of a closed month changes only
// by `campusdesk import` (also from another process), which adds tickets to it: their count, from the index
// tickets_by_created, is the check. Policy, calendar and directory changes need a restart, which empties it.
class monthly_totals_cache {
public:
    std::optional<sla_summary> find(report_month m, std::int64_t tickets) const;
    void keep(report_month m, std::int64_t tickets, const sla_summary& total);

private:
    mutable std::mutex mutex_;
    std::map<report_month, std::pair<std::int64_t, sla_summary>> months_;
};

// The totals of the months `first` .. `last`, oldest first (for the trend chart); closed months through
// `cache` if one is given. Read-only.
std::vector<std::pair<report_month, sla_summary>> load_monthly_totals(SQLite::Database& db, const app_config& config,
                                                                      const business_calendar& calendar,
                                                                      report_month first, report_month last,
                                                                      time_ms now,
                                                                      monthly_totals_cache* cache = nullptr);

// The known problems that started in the report's month (issue 24), judged at its "now", counted apart from the
// tickets; which of the month's ticket rows (and breaches) belong to them. Read-only.
problem_report load_problem_report(SQLite::Database& db, const app_config& config, const business_calendar& calendar,
                                   const sla_report& r);
// Maintenance (issue 18, docs/maintenance.md) is a section of its own in the JSON ("maintenance": {"counting",
// "summary", "per_manager", "per_school", "rows"}), a sheet "Wartung" in the XLSX and a CSV of its own
// (render_maintenance_csv, GET /api/v1/reports/maintenance): never in the ticket rows or their figures.
extern const std::string_view maintenance_counting_note;
// A task as the API and the report's rows show it (the names given, so that no row needs a query).
boost::json::object maintenance_task_json(const maintenance_task& t, std::string_view school_name,
                                          std::string_view manager_name, local_date as_of);
// The report's maintenance section as the JSON has it.
boost::json::object maintenance_report_json(const maintenance_report& m);
// The month's tasks as CSV: UTF-8 BOM, the task JSON's keys as header, CRLF.
std::string render_maintenance_csv(const maintenance_report& m, char separator = ',');

// How the exports count problems, in their words (German, as the page and the XLSX sheet say it).
extern const std::string_view problem_counting_note;

// JSON: {"month", "as_of", "rows": [...], "summary": {"total", "per_manager", "per_school", "per_priority",
// "per_category"}, "problems": {"counting", "summary", "rows"}} (problems: none given, an empty month); row keys are the CSV column names. Percentages
// have one decimal; empty figures are null. The problems (docs/api-problems.md) are a section of their own: the
// ticket rows and summaries are SLA.md §4's, unchanged.
std::string render_sla_json(const sla_report& r, const date::time_zone* zone, const problem_report* problems = nullptr,
                            const maintenance_report* maintenance = nullptr);
// CSV: UTF-8 BOM, the §4 header, one line per ticket, CRLF line ends, RFC 4180 quoting; `separator` ',' or ';'.
// Only the ticket rows: a CSV holds one table (the summaries are in JSON, XLSX and the report page).
std::string render_sla_csv(const sla_report& r, const date::time_zone* zone, char separator = ',');
// The problems as CSV of their own (the ticket CSV stays SLA.md §4's): the JSON rows' keys as header.
std::string render_problems_csv(const problem_report& problems, const date::time_zone* zone, char separator = ',');
// German CSV for Excel: UTF-8 BOM, ';' between fields, the XLSX's German headers, one line per ticket; German
// labels for priority, category and verdicts ("eingehalten", "verfehlt", …), the campus manager as "Name (login)",
// times as "05.10.2026 08:14" (local), booleans "ja"/"nein".
std::string render_sla_csv_de(const sla_report& r, const app_config& config, const date::time_zone* zone);
// XLSX: sheets "Zusammenfassung" (opened first), "Campus-Manager", "Schulen", "Tickets" with German headers, local
// date cells and percent formats, and "Störungen" (the problems with the note on how they are counted); fixed
// document properties, so the same report gives the same bytes.
std::string render_sla_xlsx(const sla_report& r, const app_config& config, const date::time_zone* zone,
                            const problem_report* problems = nullptr, const maintenance_report* maintenance = nullptr);

// All of the above in one: the bytes of month `year`-`month` in format `f`. Output for a closed month never
// depends on when it is made (no generation timestamps).
std::string render_sla_export(SQLite::Database& db, const app_config& config, const business_calendar& calendar,
                              int year, unsigned month, export_format f, time_ms now, char separator = ',');

// `campusdesk export-sla [--config FILE] [--data DIR] (--month YYYY-MM | --last-month) --format csv|csv-de|json|xlsx
// [--sep comma|semicolon] [--out FILE]`; argv[first] is the first option. Exit 0, 2 (bad arguments), 1 (other).
int run_export_sla(int argc, char** argv, int first);
// `campusdesk sla recompute [--config FILE] [--data DIR]`: recomputes every ticket's stored SLA columns at now.
int run_sla_recompute(int argc, char** argv, int first);

} // namespace campusdesk
