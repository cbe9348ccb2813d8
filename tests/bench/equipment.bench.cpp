// The city's view of the schools' equipment (issue 18): the reads of one school page (load_school_figures: the
// school's devices by kind, age and warranty, its kind rates, the city's median, two months of its SLA figures, its
// problem devices) and the similar-schools computation (all schools' profiles and their k nearest neighbours), on
// a copy of the benchmark database. One timed run each by default; under callgrind only the measured calls are
// counted (its client requests), so that a shared machine's load does not enter the figure.
//
//   equipment_bench --config FILE --db FILE [--school NNNNNN] [--k 5] [--repeat N] [--only page|similar]
//   valgrind --tool=callgrind --instr-atstart=no equipment_bench --config FILE --db FILE --only page
//
// The ticket lists of the school page (open and newest tickets) are the list plans' (docs/lists.md), measured there.
#include "server/config_loader.hpp"
#include "server/devices/equipment_service.hpp"
#include "storage/database.hpp"
#include "server/app.hpp"
#include "storage/statement_cache.hpp"

#include <fmt/format.h>
#include <valgrind/callgrind.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

using namespace campusdesk;

namespace {

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "equipment_bench: " << why
              << "\nusage: equipment_bench --config FILE --db FILE [--school NNNNNN] [--k 5] [--repeat N]\n";
    std::exit(2);
}

template <class F>
double timed_ms(int repeat, F&& f) {
    const auto start = std::chrono::steady_clock::now();
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < repeat; ++i) f();
    CALLGRIND_STOP_INSTRUMENTATION;
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / repeat;
}

} // namespace

int main(int argc, char** argv) {
    std::string config_file, db_file, school, only;
    int k = 5, repeat = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i], value = argv[i + 1];
        if (arg == "--config") config_file = value;
        else if (arg == "--db") db_file = value;
        else if (arg == "--school") school = value;
        else if (arg == "--k") k = std::stoi(value);
        else if (arg == "--repeat") repeat = std::stoi(value);
        else if (arg == "--only") only = value;
        else usage("unknown option " + arg);
    }
    if (config_file.empty() || db_file.empty()) usage("--config and --db are needed");
    if (!only.empty() && only != "page" && only != "similar") usage("--only is page or similar");
    auto loaded = load_config(config_file);
    if (!loaded.errors.empty()) usage(fmt::format("{}: {} config error(s)", config_file, loaded.errors.size()));
    const app_config& config = *loaded.config;
    const business_calendar calendar(config.calendar);
    auto db = open_reader_database(db_file);
    statement_reuse reuse(db);
    std::vector<std::string> schools;
    for (const auto& s : load_directory(db).schools) schools.push_back(s.number);
    if (schools.empty()) usage("the database has no schools");
    if (school.empty()) school = schools.front();
    const time_ms now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();

    if (only != "similar") {
        school_overview o;
        const double ms =
            timed_ms(repeat, [&] { o = load_school_figures(db, config, calendar, schools, school, now); });
        std::cout << fmt::format("school page reads ({}: {} devices, {} tickets in 12 months, city median {:.1f}): "
                                 "{:.1f} ms\n",
                                 school, o.equipment.devices, o.load.tickets, o.city.median_per_100.value_or(0), ms);
    }
    if (only != "page") {
        similar_schools s;
        const double ms = timed_ms(
            repeat, [&] { s = compute_similar_schools(db, config.categories, schools, calendar.zone(), now, k); });
        std::size_t compared = 0;
        for (const auto& x : s.result.schools) compared += x.has_devices ? 1 : 0;
        std::cout << fmt::format("similar schools ({} schools, {} with devices, {} features, k = {}): {:.1f} ms\n",
                                 s.profiles.size(), compared, s.result.features.size(), k, ms);
    }
    return 0;
}
