// Device inventory benchmark (issue 18): a city's CSV of 90,000 devices (about 84,000 iPads and 6,000 others over
// the configured schools, server/cli/demo_inventory) imported into a fresh database the way the CLI, the API and the
// page do it (read_device_csv, then import_devices in one transaction on the writer connection), then re-imported
// with 1 % changed and 0.5 % gone, and the lookup of a ticket's typed inventory number timed on a read-only
// connection (find_device_by_label, 20,000 lookups of random devices, p50 and p99).
//
//   device_import_bench --config FILE --data DIR     (DIR: an empty directory; the database is made there)
//
// Target: each import of 90,000 devices ≤ 5 s; lookup p99 ≤ 5 ms.
#include "core/local_time.hpp"
#include "server/cli/demo_inventory.hpp"
#include "server/app.hpp"
#include "server/config_loader.hpp"
#include "storage/database.hpp"
#include "storage/device_repository.hpp"
#include "storage/directory_repository.hpp"

#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>

using namespace campusdesk;

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

std::string csv_of(const std::vector<device>& devices) {
    std::string out = "school_number,kind,model,serial_number,inventory_number,room,owner_group,purchase_date,"
                      "warranty_end,status\n";
    for (const auto& d : devices)
        out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", d.school_number, to_string(d.kind), d.model, d.serial,
                           d.inventory_number, d.room, to_string(d.owner),
                           d.purchase_date ? format_iso_date(*d.purchase_date) : "",
                           d.warranty_end ? format_iso_date(*d.warranty_end) : "", to_string(d.state));
    return out;
}

// One import as the server runs it: parse and check, then plan and write in one transaction.
void timed_import(SQLite::Database& db, const app_config& config, const std::string& csv, const char* what) {
    const auto started = std::chrono::steady_clock::now();
    auto parsed = read_device_csv(csv, *config.devices.find_format("campusdesk"),
                                  [&](std::string_view n) { return config.find_school(n) != nullptr; });
    const double parse_ms = ms_since(started);
    if (!parsed.errors.empty()) {
        std::cerr << format_device_import_error(parsed.errors.front()) << '\n';
        std::exit(1);
    }
    const auto rows = parsed.rows.size();
    SQLite::Transaction tx(db);
    const auto out = import_devices(db, std::move(parsed.rows), now_ms(), false, 0, "campusdesk");
    tx.commit();
    const double total_ms = ms_since(started);
    std::cout << fmt::format("{}: {} devices ({:.1f} MB CSV) in {:.0f} ms (reading and checking {:.0f} ms); "
                             "{} added, {} updated, {} retired, {} unchanged — {}\n",
                             what, rows, static_cast<double>(csv.size()) / 1e6, total_ms, parse_ms, out.counts.added,
                             out.counts.updated, out.counts.retired, out.counts.unchanged,
                             total_ms <= 5000 ? "within 5 s" : "SLOWER THAN 5 s");
}

} // namespace

int main(int argc, char** argv) {
    std::string config_path, data;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--config") config_path = argv[i + 1];
        else if (arg == "--data") data = argv[i + 1];
    }
    if (config_path.empty() || data.empty()) {
        std::cerr << "usage: device_import_bench --config FILE --data DIR\n";
        return 2;
    }
    auto loaded = load_config(config_path);
    if (!loaded.errors.empty()) {
        std::cerr << config_path << ": config errors\n";
        return 2;
    }
    const app_config& config = *loaded.config;
    const business_calendar calendar(config.calendar);
    std::filesystem::create_directories(data);
    const auto file = std::filesystem::path(data) / "campusdesk.db";
    auto db = open_writer_database(file);
    {
        SQLite::Transaction tx(db);
        sync_directory(db, config, {config.sla, calendar}, now_ms());
        tx.commit();
    }
    std::vector<inventory_school> schools;
    for (const auto& s : config.schools) schools.push_back({s.number, s.kind});
    std::mt19937 rng(18);
    auto devices = generate_inventory(schools, 84'000, 6'000, local_date_of(now_ms(), calendar.zone()), rng);
    timed_import(db, config, csv_of(devices), "first import");

    // The next month's export: 1 % moved to another room, 0.5 % gone, 300 new.
    std::vector<device> next;
    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (i % 200 == 7) continue;
        next.push_back(devices[i]);
        if (i % 100 == 3) next.back().room = "Neu " + next.back().room;
    }
    for (int i = 0; i < 300; ++i) {
        auto d = devices[static_cast<std::size_t>(i)];
        d.serial = fmt::format("NEW{:09}", i);
        d.inventory_number += "-N";
        next.push_back(std::move(d));
    }
    timed_import(db, config, csv_of(next), "re-import");

    // Lookups as the ticket form's create does them, on a read-only connection like a request's.
    auto reader = open_reader_database(file);
    std::vector<double> times;
    std::uniform_int_distribution<std::size_t> pick(0, next.size() - 1);
    std::size_t found = 0;
    for (int i = 0; i < 20'000; ++i) {
        const auto& d = next[pick(rng)];
        const auto started = std::chrono::steady_clock::now();
        found += find_device_by_label(reader, d.school_number, d.inventory_number).has_value();
        times.push_back(ms_since(started));
    }
    std::sort(times.begin(), times.end());
    std::cout << fmt::format("lookup by inventory number: {} of 20000 found, p50 {:.3f} ms, p99 {:.3f} ms — {}\n", found,
                             times[times.size() / 2], times[times.size() * 99 / 100],
                             times[times.size() * 99 / 100] <= 5 ? "within 5 ms" : "SLOWER THAN 5 ms");
    return 0;
}
