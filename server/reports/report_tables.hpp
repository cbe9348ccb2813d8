// Beside the monthly SLA export (sla_export.hpp, which stays SLA.md §4's): plain tables for people as CSV for Excel
// and XLSX through the report's writer, the report's device figures (issue 18), and the SLA report of one school.
#pragma once

#include "core/business_calendar.hpp"
#include "core/equipment.hpp"
#include "core/sla_report.hpp"
#include "core/app_config.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json/object.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace campusdesk {

// The report of `m` over the tickets of school `school_number` only (through tickets_by_school): the same loading
// and build_sla_report as load_sla_report, so a school page's figures are the report's row for the school, never
// computed a second way. Read-only.
sla_report load_school_sla_report(SQLite::Database& db, const app_config& config, const business_calendar& calendar,
                                  report_month m, time_ms now, const std::string& school_number);

// A plain table for people (the similar schools' export, the report's device sheet): German headers, text, whole
// or decimal cells.
struct document_table {
    std::string sheet;  // the XLSX sheet's name (at most 31 characters)
    std::vector<std::string> header;
    std::vector<std::vector<std::variant<std::string, std::int64_t, double>>> rows;
};
// For Excel like render_sla_csv_de: UTF-8 BOM, ';', CRLF, decimals with a comma and three places.
std::string render_table_csv_de(const document_table& t);
// XLSX through the report's writer: one sheet per table, its header row frozen; fixed document properties (the
// created time `created`), so the same tables give the same bytes.
std::string render_tables_xlsx(std::string_view title, std::span<const document_table> tables, time_ms created);

// The device figures (issue 18, docs/devices.md): a section "devices" of the report's JSON ({"counting",
// "per_kind", "per_school"}), a sheet "Geräte" in its XLSX and a CSV of their own (GET /api/v1/reports/devices);
// the ticket CSV of SLA.md §4 stays as it is.
extern const std::string_view device_counting_note;
// The month's figures of report `r`: its per-school ticket counts, the tickets about devices in the month, the
// devices in service today.
device_report load_device_report(SQLite::Database& db, const business_calendar& calendar, const sla_report& r);
boost::json::object device_report_json(const device_report& d);
// UTF-8 BOM, header group,key,label,devices,tickets,per_100, CRLF: the kinds' rows, then the schools'.
std::string render_device_csv(const device_report& d, char separator = ',');

} // namespace campusdesk
