// Devices (issue 18) for the API and the pages: the import, who sees which devices, a device with its history,
// the problem devices and the rates per kind (docs/devices.md, docs/api-devices.md).
#pragma once

#include "server/tickets/ticket_service.hpp"
#include "storage/device_repository.hpp"

#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

struct device_import_report {
    const device_csv_format* format = nullptr;
    bool dry_run = false;
    std::vector<device_import_error> errors;  // not empty: nothing was written
    std::size_t more_errors = 0;
    std::size_t rows = 0;
    device_import_outcome outcome;
};

// Imports a CSV file in `format_name` (empty: [devices] default_format) all or nothing. Refused: 403 for anyone but
// the help desk and admins, 422 for an unknown format. A file with errors is a report with errors (nothing written).
net::awaitable<outcome<device_import_report>> import_device_file(app& a, const user& who, const std::string& csv,
                                                                 const std::string& format_name, bool dry_run);

// The schools whose devices `v` sees; nullopt: all (help desk, admins).
std::optional<std::vector<std::string>> device_schools_of(const app& a, const viewer& v);

struct device_view {
    device d;
    warranty_info warranty;
    std::string warranty_text;
    std::vector<ticket> tickets;  // those `who` may see, newest first
    std::size_t hidden_tickets = 0;  // tickets of the device `who` may not see
    bool problem = false;
    int recent_tickets = 0;  // within the problem window
};
// The device if `who` may see it (nullopt for absent and invisible alike).
net::awaitable<std::optional<device_view>> find_visible_device(app& a, const user& who, std::int64_t id);
// The device a ticket is about (the ticket's visibility is the caller's check).
net::awaitable<std::optional<device_view>> device_of_visible_ticket(app& a, const user& who, std::int64_t ticket_id);

// The device a new ticket names: `device_id` (it must be of the ticket's school and not retired, else a 422 on the
// field `device_id`), or else the device of that school whose inventory or serial number is the typed asset tag.
net::awaitable<outcome<std::optional<device>>> device_for_new_ticket(app& a, const ticket_draft& draft);

// The problem devices `who` sees (at most `limit`), of `only_schools` if not empty; and the rates per kind. (No
// default argument: its temporary would be a prvalue in the caller's co_await, GCC PR 99576.)
net::awaitable<std::vector<problem_device>> visible_problem_devices(app& a, const user& who, int limit,
                                                                    const std::vector<std::string>& only_schools);
net::awaitable<std::vector<kind_rate>> visible_kind_rates(app& a, const user& who);

// The local date today (warranty).
local_date today(const app& a);

} // namespace campusdesk
