// Devices of the schools (issue 18): the inventory's kinds, owner groups and statuses, the CSV formats the common
// MDM and inventory tools export and how a file becomes devices, what a re-import changes, warranty, and the
// problem-device rule. Pure: storage reads and writes the table, the server the files.
#pragma once

#include "core/business_calendar_config.hpp"
#include "core/language.hpp"
#include "core/ticket.hpp"
#include "core/ticket_rules.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace campusdesk {

enum class device_kind { ipad, notebook, digital_board, projector, printer, access_point, network_switch, pc, other };
enum class owner_group { pupils, teachers, admin };
enum class device_status { in_use, in_repair, retired };

inline constexpr std::array all_device_kinds{device_kind::ipad,         device_kind::notebook,
                                             device_kind::digital_board, device_kind::projector,
                                             device_kind::printer,      device_kind::access_point,
                                             device_kind::network_switch, device_kind::pc,
                                             device_kind::other};
inline constexpr std::array all_owner_groups{owner_group::pupils, owner_group::teachers, owner_group::admin};
inline constexpr std::array all_device_statuses{device_status::in_use, device_status::in_repair, device_status::retired};

// The ids of the API and the campusdesk CSV format ("ipad", "digital_board", "switch", …).
std::string_view to_string(device_kind k);
std::string_view to_string(owner_group g);
std::string_view to_string(device_status s);
// German labels for pages ("Digitale Tafel", "Schüler/innen", "In Reparatur").
std::string_view device_kind_label(device_kind k);
std::string_view owner_group_label(owner_group g);
std::string_view device_status_label(device_status s);
// The id, the German label or a common English or German synonym, in any case ("Beamer", "Interactive Display",
// "Lehrkräfte", "active", "defekt" …); nothing for anything else.
std::optional<device_kind> parse_device_kind(std::string_view text);
std::optional<owner_group> parse_owner_group(std::string_view text);
std::optional<device_status> parse_device_status(std::string_view text);
// The kind a model name implies ("iPad (9th generation)" → ipad, "MacBook Air" → notebook), if any: MDM exports
// name the model but not the kind.
std::optional<device_kind> kind_from_model(std::string_view model);

struct device {
    std::int64_t id = 0;
    std::string school_number;
    device_kind kind = device_kind::other;
    std::string model;
    std::string serial;            // upper case, unique over all schools
    std::string inventory_number;  // the number on the label (QR or barcode); may be empty
    std::string room;
    owner_group owner = owner_group::pupils;
    std::optional<local_date> purchase_date;
    std::optional<local_date> warranty_end;
    device_status state = device_status::in_use;

    // Whether the inventory's fields (everything but the id) are the same: a re-import leaves such a device alone.
    bool same_fields(const device& o) const;
};

// Serial numbers are compared without case and surrounding blanks (scanners and exports differ).
std::string normalise_serial(std::string_view text);

// Who sees a device and its page: a teacher their school's devices, a campus manager those of the schools they look
// after (their own and, while standing in, a colleague's), the help desk and admins all. `school_manager_id`: the
// campus manager of the device's school.
bool can_see_device(const viewer& v, const device& d, std::int64_t school_manager_id);
// Who may import the inventory: the help desk (dispatchers) and admins.
bool may_import_devices(role r);

// --- CSV formats -------------------------------------------------------------------------------------------------

enum class device_field {
    school,
    kind,
    model,
    serial,
    inventory_number,
    room,
    owner_group,
    purchase_date,
    warranty_end,
    status
};
inline constexpr std::array all_device_fields{device_field::school,           device_field::kind,
                                              device_field::model,            device_field::serial,
                                              device_field::inventory_number, device_field::room,
                                              device_field::owner_group,      device_field::purchase_date,
                                              device_field::warranty_end,     device_field::status};
// The key in [devices.formats.NAME] and the column of the campusdesk format ("school_number", "serial_number", …).
std::string_view to_string(device_field f);
std::optional<device_field> parse_device_field(std::string_view text);
// German names for error messages ("Seriennummer").
std::string_view device_field_label(device_field f);

// Which column of an export holds which field. Header names are matched without case and surrounding blanks;
// columns the format does not name are ignored (exports carry many). The school column holds the six-digit
// Schulnummer, or begins with it ("100123 Gymnasium am See": locations in MDMs are often named so).
struct device_csv_format {
    std::string name;   // plain id: "campusdesk", "jamf_school", …
    std::string label;  // for people: "Jamf School (Geräte-Export)"
    std::map<device_field, std::string> columns;
    device_kind default_kind = device_kind::other;  // when neither a kind column nor the model tells
    owner_group default_owner = owner_group::pupils;
};

// campusdesk's own, Jamf School, Apple School Manager and Relution (docs/devices.md names their columns).
std::vector<device_csv_format> builtin_device_formats();

// [devices]: the formats (built in, plus or replaced by [devices.formats.NAME]) and the problem-device rule.
struct devices_config {
    std::vector<device_csv_format> formats = builtin_device_formats();
    std::string default_format = "campusdesk";
    int problem_tickets = 3;  // a device with at least this many tickets …
    int problem_days = 90;    // … created within this many days is a problem device
    const device_csv_format* find_format(std::string_view name) const;
};

// One error of an import: the line of the file (0: the file as a whole), the column's name as in the file, and a
// German message.
struct device_import_error {
    int line = 0;
    std::string column;
    std::string message;
};
std::string format_device_import_error(const device_import_error& e);

struct device_row {
    int line = 0;
    device d;
};

// At most this many errors are collected (and the count of the rest is reported): a wrong format gives one per line.
inline constexpr std::size_t max_device_import_errors = 200;

struct device_csv_result {
    std::vector<device_row> rows;
    std::vector<device_import_error> errors;  // empty: every row is valid
    std::size_t more_errors = 0;              // errors beyond max_device_import_errors
};

// Reads an export: the separator is the header line's (comma or semicolon, as German spreadsheets write), a
// leading BOM is ignored, quoted fields may span lines. Every row is checked (school known to `known_school`,
// serial present and once in the file, inventory number once per school, kind, owner group and status known,
// dates YYYY-MM-DD, DD.MM.YYYY or an ISO timestamp's date, the warranty not ending before the purchase, lengths).
struct device_field_limits {
    std::size_t text_max = 120;  // model, room
    std::size_t number_max = 40;  // serial, inventory number
};
device_csv_result read_device_csv(std::string_view text, const device_csv_format& format,
                                  const std::function<bool(std::string_view)>& known_school,
                                  const device_field_limits& limits = {});

// What a re-import changes. Devices are matched by serial number. A device of a school named in the file that the
// file no longer lists is retired (never deleted: its tickets keep it); devices of schools the file does not name
// are left alone, so that a file of one school does not retire the city's other devices.
struct device_import_plan {
    std::vector<device> added;
    std::vector<device> updated;  // with the id of the stored device
    std::vector<device> retired;  // as stored, with status retired
    std::size_t unchanged = 0;
};
device_import_plan plan_device_import(std::vector<device_row> rows, std::span<const device> existing);

// --- warranty, problem devices, rates ----------------------------------------------------------------------------

enum class warranty_state { unknown, active, expired };
struct warranty_info {
    warranty_state state = warranty_state::unknown;
    int days_left = 0;  // active: days until the end date (0: ends today)
};
// In warranty up to and including its end date.
warranty_info warranty_of(const device& d, local_date today);
// "Garantie bis 31.08.2027 (noch 120 Tage)", "Garantie abgelaufen am 31.08.2025", "Garantie unbekannt"; in
// English "Under warranty until 31 Aug 2027 (120 days left)", "Warranty ended on 31 Aug 2025", "Warranty unknown".
std::string warranty_text(const device& d, local_date today, language lang = language::de);
std::string_view to_string(warranty_state s);

// "15.08.2026"
std::string format_german_date(local_date d);
// A day as the language writes it: German "15.08.2026", English "15 Aug 2026" (as format_datetime).
std::string format_date(local_date d, language lang);
std::string format_iso_date(local_date d);

// The problem-device rule (docs/devices.md): at least `threshold` tickets created within the last `days` days.
// Storage keeps each device's `problem_since`, the creation time of its threshold-th most recent ticket
// (problem_since_of); the device is a problem device while that lies within the window (is_problem_device).
std::optional<time_ms> problem_since_of(std::span<const time_ms> ticket_times, int threshold);
bool is_problem_device(std::optional<time_ms> problem_since, time_ms now, int days);
time_ms problem_window_start(time_ms now, int days);

// Tickets per 100 devices (one decimal on pages); nothing without devices.
std::optional<double> tickets_per_100(std::int64_t tickets, std::int64_t devices);

} // namespace campusdesk
