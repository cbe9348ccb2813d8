// The application: config, calendar, storage and page renderer, built once at start-up and shared by handlers.
#pragma once

#include "core/app_config.hpp"
#include "core/business_calendar.hpp"
#include "core/login_throttle.hpp"
#include "core/maintenance.hpp"
#include "server/dispatch/live_updates.hpp"
#include "server/accounts/oidc_client.hpp"
#include "server/accounts/password_hasher.hpp"
#include "server/http/route_metrics.hpp"
#include "server/views/page_renderer.hpp"
#include "server/reports/sla_export.hpp"
#include "server/storage_service.hpp"
#include "storage/board_repository.hpp"
#include "storage/directory_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>

namespace campusdesk {

time_ms now_ms();

// The school directory as storage holds it once the start-up sync has brought its tables in line with the config's
// CSV files (storage/directory_repository.hpp): read once, and from here only; the config's own lists are the
// sync's input and nothing else. A changed CSV needs a restart; while the server runs, only an admin's move of a
// school to another campus manager changes it (live_directory below, storage's move_school).
struct directory {
    std::vector<school_record> schools;    // in schools.csv, by number: offered in forms, filters, /api/v1/schools
    std::vector<manager_record> managers;  // in managers.csv, by login: offered for assignment and absences
    std::vector<school_record> former_schools;    // no longer in the CSV files: their tickets still show them
    std::vector<manager_record> former_managers;

    // Current or former (names and visibility of old tickets).
    const school_record* school(std::string_view number) const;
    const manager_record* manager(std::int64_t id) const;
    // Current only: who may be assigned tickets, be absent or substitute.
    const manager_record* current_manager(std::int64_t id) const;
};

// Splits the tables' rows into current and former ones.
directory load_directory(SQLite::Database& db);

// The directory as it is now. An admin who moves a school to another campus manager (issue 16) replaces it as a
// whole; readers never wait and never see half a change. Earlier versions stay alive until the server stops (a
// move is a rare event), so a pointer or reference taken from one stays valid for as long as a request needs it.
class live_directory {
public:
    live_directory() : current_(&versions_.emplace_back()) {}
    live_directory(const live_directory&) = delete;
    live_directory& operator=(const live_directory&) = delete;

    const directory& current() const { return *current_.load(std::memory_order_acquire); }
    // `generation` orders replacements made by concurrent requests: an older one than the last is dropped (0: always).
    void replace(directory next, std::uint64_t generation = 0);

    const school_record* school(std::string_view number) const { return current().school(number); }
    const manager_record* manager(std::int64_t id) const { return current().manager(id); }
    const manager_record* current_manager(std::int64_t id) const { return current().current_manager(id); }

private:
    std::mutex mutex_;              // writers only
    std::list<directory> versions_;  // a list: its elements never move
    std::uint64_t generation_ = 0;
    std::atomic<const directory*> current_;
};

// One log line about what a sync changed in existing data (additions, as on a new database, are not logged), and
// a warning while open tickets wait with former managers.
void log_directory_changes(const directory_changes& changes);

struct request_metrics {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> responses_4xx{0};
    std::atomic<std::uint64_t> responses_5xx{0};
    std::atomic<std::uint64_t> tickets_created{0};
    // Mail (issue 17): notifications written to the outbox, delivered, attempts that failed, and given up on.
    std::atomic<std::uint64_t> mail_queued{0};
    std::atomic<std::uint64_t> mail_sent{0};
    std::atomic<std::uint64_t> mail_failed{0};
    std::atomic<std::uint64_t> mail_undeliverable{0};
    // Per route pattern and method: counts by status class and the latency histogram (lock-free).
    route_metrics routes;
};

class mail_sender;

// What every tenant's app of a provider's process shares (docs/tenants.md): the reader threads that run request
// handlers (each tenant keeps its own connections) and the password hashing pool, so that twenty tenants run on
// the threads one authority's installation has, and a login flood at one tenant is bounded as at one authority.
struct shared_pools {
    explicit shared_pools(std::size_t reader_thread_count);
    std::size_t reader_thread_count;
    net::thread_pool reader_threads;
    password_hasher hasher;
};

struct app {
    // One school authority in the process, with threads of its own.
    app(app_config cfg, const std::filesystem::path& data_dir, std::size_t reader_threads, bool demo_mode);
    // One tenant of a provider's process: its own database, attachments, directory and live updates on `pools`.
    app(app_config cfg, const std::filesystem::path& data_dir, shared_pools& pools, bool demo_mode,
        std::string tenant_name);

    app_config config;
    business_calendar calendar;
    school_calendar school_weeks;  // maintenance due dates (issue 18): school days and weeks
    std::filesystem::path data_dir;
    std::unique_ptr<storage_service> storage;
    page_renderer pages;
    live_directory dir;
    bool demo = false;
    login_throttle throttle;
private:
    std::unique_ptr<password_hasher> own_hasher_;  // one authority's process only; before `hasher`
public:
    password_hasher& hasher;
    std::string tenant_name;  // a provider's tenant: its name in the page header (empty for one authority)
    request_metrics metrics;
    live_updates live;
    open_loads_memo open_tickets;  // the board's, the absences page's and /metrics' pass over the open tickets
    time_ms started_at = 0;
    monthly_totals_cache closed_months;  // the report page's trend
    mail_sender* mailer = nullptr;       // while `serve` runs with mail enabled: woken when mail is queued
    std::unique_ptr<oidc_client> sso;    // with [[oidc.providers]] only (issue 19)

    sla_context sla() const { return {config.sla, calendar}; }

    viewer viewer_of(const user& u) const { return {u.id, u.who, u.school_number, u.manager_id, {}}; }

private:
    // Both constructors' last step, once storage is open: the directory synced from the config's CSV files and
    // read, and single sign-on if configured.
    void finish_start_up();
};

} // namespace campusdesk
