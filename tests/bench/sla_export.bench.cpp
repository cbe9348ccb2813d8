// Benchmark of the monthly SLA export without SQLite: building the report of a busy month (155 schools, about
// 5,000 tickets of eight events) and rendering it as JSON, CSV and XLSX.
#include "core/local_time.hpp"
#include "core/sla_report.hpp"
#include "core/ticket_rules.hpp"
#include "server/reports/sla_export.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

using namespace campusdesk;

namespace {

constexpr std::size_t ticket_count = 5000;
constexpr std::int64_t minute = 60'000;
constexpr int runs = 5;

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <class F>
double best_of(F f) {
    double best = 1e9;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        best = std::min(best, seconds_since(start));
    }
    return best;
}

} // namespace

int main() {
    app_config config;
    config.categories = {{"ipad", "iPad"}, {"network", "Netzwerk"}, {"printer", "Drucker"}, {"other", "Sonstiges"}};
    const business_calendar calendar(config.calendar);
    const time_ms month_start = local_month_start(2026, 10, calendar.zone());
    std::mt19937 rng(42);
    std::vector<report_manager> managers;
    for (int m = 1; m <= 13; ++m) managers.push_back({m, fmt::format("manager{:02}", m), fmt::format("Manager {}", m)});
    std::vector<report_ticket> tickets;
    for (std::size_t i = 0; i < ticket_count; ++i) {
        report_ticket t;
        t.number = format_ticket_number(2026, static_cast<std::int64_t>(i + 1));
        t.school_number = fmt::format("{}", 100000 + i % 155);
        t.school_name = fmt::format("Schule {}", i % 155);
        t.category = config.categories[i % config.categories.size()].id;
        time_ms at = month_start + std::uniform_int_distribution<time_ms>(0, 29LL * 24 * 60)(rng) * minute;
        auto add = [&](event_kind k, std::int64_t after_minutes) {
            ticket_event e;
            e.seq = static_cast<std::int64_t>(t.events.size() + 1);
            at += after_minutes * minute;
            e.at = at;
            e.kind = k;
            e.by_staff = k != event_kind::created;
            t.events.push_back(e);
            return &t.events.back();
        };
        auto* created = add(event_kind::created, 0);
        created->to_priority = all_priorities[i % 4];
        created->manager_id = static_cast<std::int64_t>(1 + i % 13);
        add(event_kind::internal_note, 20);
        add(event_kind::public_reply, 40);
        add(event_kind::status_changed, 30)->to_status = status::waiting_on_requester;
        add(event_kind::public_reply, 300)->by_staff = false;
        add(event_kind::status_changed, 0)->to_status = status::open;
        add(event_kind::resolved, 600);
        add(event_kind::closed, 14 * 24 * 60);
        tickets.push_back(std::move(t));
    }
    const time_ms now = local_month_start(2026, 11, calendar.zone());
    sla_report report;
    const double build = best_of([&] { report = build_sla_report({2026, 10}, tickets, managers, config.sla, calendar, now); });
    std::size_t bytes = 0;
    const double json = best_of([&] { bytes = render_sla_json(report, calendar.zone()).size(); });
    const double csv = best_of([&] { bytes = render_sla_csv(report, calendar.zone(), ';').size(); });
    const double xlsx = best_of([&] { bytes = render_sla_xlsx(report, config, calendar.zone()).size(); });
    fmt::print("{} tickets: report {:.1f} ms, JSON {:.1f} ms, CSV {:.1f} ms, XLSX {:.1f} ms ({} bytes)\n",
               report.rows.size(), build * 1e3, json * 1e3, csv * 1e3, xlsx * 1e3, bytes);
    return 0;
}
