#include "server/app.hpp"

#include <algorithm>
#include <thread>

namespace campusdesk {

time_ms now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const school_record* directory::school(std::string_view number) const {
    auto it = std::lower_bound(schools.begin(), schools.end(), number,
                               [](const school_record& s, std::string_view n) { return s.number < n; });
    return it != schools.end() && it->number == number ? &*it : nullptr;
}

const manager_record* directory::manager(std::int64_t id) const {
    for (const auto& m : managers)
        if (m.id == id) return &m;
    return nullptr;
}

app::app(app_config cfg, const std::filesystem::path& data, std::size_t reader_threads, bool demo_mode)
    : config(std::move(cfg)), calendar(config.calendar), data_dir(data), demo(demo_mode), throttle(config.login),
      // Half the cores for hashing at most: the rest keep serving logged-in users during a login flood.
      hasher(std::max(1u, std::thread::hardware_concurrency() / 2), 32), started_at(now_ms()) {
    std::filesystem::create_directories(data_dir);
    storage = std::make_unique<storage_service>(data_dir / "campusdesk.db", reader_threads,
                                                config.limits.write_queue_max);
    storage->writer().run([&](SQLite::Database& db) { sync_directory(db, config); });
    auto lease = storage->readers().acquire();
    dir.schools = load_schools(lease.db());
    dir.managers = load_managers(lease.db());
}

} // namespace campusdesk
