// `campusdesk import FILE.jsonl` (API.md, Import): tickets with their histories from an earlier helpdesk,
// validated completely first, then stored all or nothing through the ordinary storage functions.
#pragma once

#include "core/app_config.hpp"
#include "core/business_calendar.hpp"
#include "storage/write_queue.hpp"

#include <cstddef>
#include <istream>
#include <string>
#include <variant>

namespace campusdesk {

// The first problem of an import file: its line (1-based), the field (`events[2].kind`) and what is wrong.
struct import_error {
    int line = 0;
    std::string field;
    std::string message;
};
// "line 3: events[2].kind: unknown event kind \"opened\""
std::string format_import_error(const import_error& e);

struct import_summary {
    std::size_t tickets = 0;
    std::size_t events = 0;
};

// Reads `in` line by line (one JSON object a line; blank lines are skipped) and checks every line against the
// config and the database: kinds, statuses, priorities, categories, schools, partners, user and manager logins,
// ISO 8601 times (none in the future), the history (starts with `created`, time never goes back, only allowed
// status transitions), ticket numbers (format, unique in the file and the database) and lengths. On the first
// problem it returns it and the database is untouched; otherwise it imports every ticket in one transaction,
// keeping the given numbers and times, and the SLA projection is computed from the events.
// Throws only for I/O or storage failures (then nothing is imported either).
std::variant<import_summary, import_error> import_tickets(std::istream& in, write_queue& writer,
                                                          const app_config& config,
                                                          const business_calendar& calendar, time_ms now);

// `campusdesk import [--config FILE] [--data DIR] FILE.jsonl`; argv[first] is the first word after "import".
// Exit 0 with a one-line summary, 2 for bad arguments or a bad file (nothing imported), 1 otherwise.
int run_import(int argc, char** argv, int first);

} // namespace campusdesk
