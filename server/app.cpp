#include "server/app.hpp"

#include "storage/database.hpp"

#include "server/http/log.hpp"

#include <algorithm>
#include <thread>

namespace campusdesk {

time_ms now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

const school_record* find_school(const std::vector<school_record>& schools, std::string_view number) {
    auto it = std::lower_bound(schools.begin(), schools.end(), number,
                               [](const school_record& s, std::string_view n) { return s.number < n; });
    return it != schools.end() && it->number == number ? &*it : nullptr;
}

const manager_record* find_manager(const std::vector<manager_record>& managers, std::int64_t id) {
    for (const auto& m : managers)
        if (m.id == id) return &m;
    return nullptr;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

} // namespace

const school_record* directory::school(std::string_view number) const {
    if (const auto* s = find_school(schools, number)) return s;
    return find_school(former_schools, number);
}

const manager_record* directory::manager(std::int64_t id) const {
    if (const auto* m = find_manager(managers, id)) return m;
    return find_manager(former_managers, id);
}

const manager_record* directory::current_manager(std::int64_t id) const { return find_manager(managers, id); }

void live_directory::replace(directory next, std::uint64_t generation) {
    std::lock_guard lock(mutex_);
    if (generation != 0) {
        if (generation <= generation_) return;
        generation_ = generation;
    }
    current_.store(&versions_.emplace_back(std::move(next)), std::memory_order_release);
}

directory load_directory(SQLite::Database& db) {
    directory d;
    for (auto& s : load_schools(db)) (s.active ? d.schools : d.former_schools).push_back(std::move(s));
    for (auto& m : load_managers(db)) (m.active ? d.managers : d.former_managers).push_back(std::move(m));
    return d;
}

void log_directory_changes(const directory_changes& c) {
    if (!c.schools_removed.empty() || !c.schools_returned.empty() || !c.schools_moved.empty() ||
        !c.managers_removed.empty() || !c.managers_returned.empty() || !c.tickets_reassigned.empty() ||
        !c.absences_ended.empty())
        log_line(log_level::info, "school directory changed",
                 {{"schools_removed", joined(c.schools_removed)},
                  {"schools_returned", joined(c.schools_returned)},
                  {"schools_moved", joined(c.schools_moved)},
                  {"managers_removed", joined(c.managers_removed)},
                  {"managers_returned", joined(c.managers_returned)},
                  {"tickets_reassigned", joined(c.tickets_reassigned)},
                  {"absences_ended", joined(c.absences_ended)}});
    if (!c.tickets_left_with_former_manager.empty())
        log_line(log_level::warning, "open tickets of former schools wait with former campus managers; please reassign",
                 {{"tickets", joined(c.tickets_left_with_former_manager)}});
}

namespace {

// Half the cores for hashing at most: the rest keep serving logged-in users during a login flood.
std::size_t hashing_threads() { return std::max(1u, std::thread::hardware_concurrency() / 2); }
constexpr std::size_t hashing_queue = 32;

} // namespace

shared_pools::shared_pools(std::size_t count)
    : reader_thread_count(count), reader_threads(count), hasher(hashing_threads(), hashing_queue) {}

app::app(app_config cfg, const std::filesystem::path& data, std::size_t reader_threads, bool demo_mode)
    : config(std::move(cfg)), calendar(config.calendar), school_weeks(config.calendar), data_dir(data), demo(demo_mode),
      throttle(config.login), own_hasher_(std::make_unique<password_hasher>(hashing_threads(), hashing_queue)), hasher(*own_hasher_), started_at(now_ms()) {
    std::filesystem::create_directories(data_dir);
    storage = std::make_unique<storage_service>(database_file(data_dir), reader_threads,
                                                config.limits.write_queue_max);
    finish_start_up();
}

app::app(app_config cfg, const std::filesystem::path& data, shared_pools& pools, bool demo_mode, std::string name)
    : config(std::move(cfg)), calendar(config.calendar), school_weeks(config.calendar), data_dir(data), demo(demo_mode),
      throttle(config.login), hasher(pools.hasher), tenant_name(std::move(name)), started_at(now_ms()) {
    std::filesystem::create_directories(data_dir);
    storage = std::make_unique<storage_service>(database_file(data_dir), pools.reader_threads,
                                                pools.reader_thread_count, config.limits.write_queue_max);
    finish_start_up();
}

void app::finish_start_up() {
    // One source, one way: the config's CSV files into the tables, and the tables into `dir`.
    const time_ms now = now_ms();
    const auto changes =
        storage->writer().run([&](SQLite::Database& db) { return sync_directory(db, config, sla(), now); });
    log_directory_changes(changes);
    auto lease = storage->readers().acquire();
    dir.replace(load_directory(lease.db()));
    if (!config.oidc.providers.empty()) sso = std::make_unique<oidc_client>(config.oidc);
}

} // namespace campusdesk
