#include "server/app.hpp"

#include <algorithm>

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

namespace {
constexpr std::size_t max_failures = 10;
constexpr time_ms failure_window = 15 * 60 * 1000;
} // namespace

bool login_throttle::allowed(const std::string& login, time_ms now) {
    std::lock_guard lock(mutex_);
    auto it = failures_.find(login);
    if (it == failures_.end()) return true;
    auto& times = it->second;
    std::erase_if(times, [&](time_ms t) { return t + failure_window <= now; });
    return times.size() < max_failures;
}

void login_throttle::failed(const std::string& login, time_ms now) {
    std::lock_guard lock(mutex_);
    if (failures_.size() > 100000) failures_.clear();  // bounded memory under a spray of made-up logins
    failures_[login].push_back(now);
}

void login_throttle::succeeded(const std::string& login) {
    std::lock_guard lock(mutex_);
    failures_.erase(login);
}

app::app(app_config cfg, const std::filesystem::path& data, std::size_t reader_threads, bool demo_mode)
    : config(std::move(cfg)), calendar(config.calendar), data_dir(data), demo(demo_mode), started_at(now_ms()) {
    std::filesystem::create_directories(data_dir);
    storage = std::make_unique<storage_service>(data_dir / "campusdesk.db", reader_threads,
                                                config.limits.write_queue_max);
    storage->writer().run([&](SQLite::Database& db) { sync_directory(db, config); });
    auto lease = storage->readers().acquire();
    dir.schools = load_schools(lease.db());
    dir.managers = load_managers(lease.db());
}

} // namespace campusdesk
