// Devices (issue 18) in SQLite: the inventory, its import, which device a ticket is about, the device's history,
// the problem devices and the ticket rates per kind.
#pragma once

#include "core/devices.hpp"
#include "core/ticket_rules.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

// Every device (retired ones too): what an import is planned against.
std::vector<device> load_all_devices(SQLite::Database& db);

struct device_import_counts {
    std::size_t added = 0, updated = 0, retired = 0, unchanged = 0;
};
// Writes a plan (plan_device_import) inside the caller's transaction.
device_import_counts apply_device_import(SQLite::Database& db, const device_import_plan& plan, time_ms now);

// An import as one write command (the CLI, the API and the page share it): the file's valid rows planned against
// every stored device (plan_device_import) and, unless `dry_run`, written with an audit entry by `actor_id`
// (0: the command line). The devices retired are returned as well as counted, for the report.
struct device_import_outcome {
    device_import_counts counts;
    std::vector<device> retired;
};
device_import_outcome import_devices(SQLite::Database& db, std::vector<device_row> rows, time_ms now, bool dry_run,
                                     std::int64_t actor_id, std::string_view format_name);

std::optional<device> find_device(SQLite::Database& db, std::int64_t id);
// The device of `school_number` (not retired) whose inventory number or serial number is `text` (as typed or
// scanned: surrounding blanks ignored, the serial without regard to case).
std::optional<device> find_device_by_label(SQLite::Database& db, const std::string& school_number,
                                           std::string_view text);
// A school's devices that are not retired, by room and inventory number (the ticket form's list).
std::vector<device> devices_of_school(SQLite::Database& db, const std::string& school_number);

struct device_query {
    std::vector<std::string> schools = {};  // empty: all schools
    std::optional<device_kind> kind = std::nullopt;
    std::optional<device_status> state = std::nullopt;
    std::string text = {};  // inventory number, serial or room, exactly; or the beginning of the model
    int limit = 50;
    int offset = 0;
};
struct device_page {
    std::vector<device> devices;
    std::int64_t total = 0;
};
device_page list_devices(SQLite::Database& db, const device_query& q);

// Links a new ticket to its device and updates the device's problem_since (threshold: [devices] problem_tickets).
void link_ticket_device(SQLite::Database& db, std::int64_t ticket_id, std::int64_t device_id, time_ms created_at,
                        int threshold);
std::optional<std::int64_t> device_of_ticket(SQLite::Database& db, std::int64_t ticket_id);
// The device's tickets, newest first (at most `limit`), with the fields visibility needs.
std::vector<ticket> tickets_of_device(SQLite::Database& db, std::int64_t device_id, int limit);
// Recomputes every device's problem_since for `threshold` when it differs from the one they were computed with
// (the setting "device_problem_threshold"); true if it did.
bool refresh_problem_since(SQLite::Database& db, int threshold);

struct problem_device {
    device d;
    int tickets = 0;  // within the window
    time_ms last_ticket_at = 0;
};
// The problem devices (is_problem_device) of `schools` (empty: all), most tickets first, at most `limit`: one
// statement over the partial index devices_problem (the few devices that had `threshold` tickets at some time).
std::vector<problem_device> problem_devices(SQLite::Database& db, const std::vector<std::string>& schools,
                                           time_ms window_start, int limit);

struct kind_rate {
    device_kind kind = device_kind::other;
    std::int64_t devices = 0;  // not retired
    std::int64_t tickets = 0;  // created within the window
};
// Per kind of `schools` (empty: all): the devices in service and their tickets since `window_start`.
std::vector<kind_rate> device_kind_rates(SQLite::Database& db, const std::vector<std::string>& schools,
                                         time_ms window_start);

} // namespace campusdesk
