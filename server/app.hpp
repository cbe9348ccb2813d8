// The application: config, calendar, storage and page renderer, built once at start-up and shared by handlers.
#pragma once

#include "core/app_config.hpp"
#include "core/business_calendar.hpp"
#include "core/login_throttle.hpp"
#include "server/live_updates.hpp"
#include "server/password_hasher.hpp"
#include "server/page_renderer.hpp"
#include "server/sla_export.hpp"
#include "server/storage_service.hpp"
#include "storage/directory_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

namespace campusdesk {

time_ms now_ms();

// Schools and managers come from the config and do not change while the server runs.
struct directory {
    std::vector<school_record> schools;
    std::vector<manager_record> managers;
    const school_record* school(std::string_view number) const;
    const manager_record* manager(std::int64_t id) const;
};

struct request_metrics {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> responses_4xx{0};
    std::atomic<std::uint64_t> responses_5xx{0};
    std::atomic<std::uint64_t> tickets_created{0};
};

struct app {
    app(app_config cfg, const std::filesystem::path& data_dir, std::size_t reader_threads, bool demo_mode);

    app_config config;
    business_calendar calendar;
    std::filesystem::path data_dir;
    std::unique_ptr<storage_service> storage;
    page_renderer pages;
    directory dir;
    bool demo = false;
    login_throttle throttle;
    password_hasher hasher;
    request_metrics metrics;
    live_updates live;
    time_ms started_at = 0;
    monthly_totals_cache closed_months;  // the report page's trend

    sla_context sla() const { return {config.sla, calendar}; }
    viewer viewer_of(const user& u) const { return {u.id, u.who, u.school_number, u.manager_id, {}}; }
};

} // namespace campusdesk
