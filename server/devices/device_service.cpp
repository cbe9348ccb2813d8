#include "server/devices/device_service.hpp"

#include "core/local_time.hpp"
#include "server/http/log.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace campusdesk {

local_date today(const app& a) { return local_date_of(now_ms(), a.calendar.zone()); }

net::awaitable<outcome<device_import_report>> import_device_file(app& a, const user& who, const std::string& csv,
                                                                 const std::string& format_name, bool dry_run) {
    if (!may_import_devices(who.who))
        co_return request_error{http::status::forbidden, "forbidden",
                                "Den Geräte-Import dürfen nur der IT-Support (Leitstand) und Administratoren.", "", {}};
    device_import_report report;
    report.dry_run = dry_run;
    report.format = a.config.devices.find_format(format_name.empty() ? a.config.devices.default_format : format_name);
    if (!report.format)
        co_return request_error{http::status::unprocessable_entity, "unknown_format",
                                fmt::format("Unbekanntes Format „{}“.", format_name), "format", {}};
    const auto& dir = a.dir.current();
    auto parsed = read_device_csv(csv, *report.format, [&](std::string_view number) {
        const auto* s = dir.school(number);
        return s && s->active;
    });
    report.rows = parsed.rows.size();
    report.errors = std::move(parsed.errors);
    report.more_errors = parsed.more_errors;
    if (!report.errors.empty()) co_return report;
    const time_ms now = now_ms();
    auto& rows = parsed.rows;
    const auto& name = report.format->name;
    report.outcome = co_await a.storage->write(
        [&](SQLite::Database& db) { return import_devices(db, std::move(rows), now, dry_run, who.id, name); });
    if (!dry_run)
        log_line(log_level::info, "devices imported",
                 {{"format", name}, {"added", report.outcome.counts.added}, {"updated", report.outcome.counts.updated},
                  {"retired", report.outcome.counts.retired}});
    co_return report;
}

std::optional<std::vector<std::string>> device_schools_of(const app& a, const viewer& v) {
    if (v.who == role::teacher) return std::vector<std::string>{v.school_number};
    if (v.who != role::campus_manager) return std::nullopt;
    std::vector<std::string> schools;
    for (const auto& s : a.dir.current().schools)
        if (v.looks_after(s.manager_id)) schools.push_back(s.number);
    return schools;
}

namespace {

std::int64_t school_manager(const app& a, const std::string& school_number) {
    const auto* s = a.dir.school(school_number);
    return s ? s->manager_id : 0;
}

// The device's view for `v`: warranty, problem state, and the tickets `v` may see.
std::optional<device_view> view_of(const app& a, SQLite::Database& db, const viewer& v, std::optional<device> d,
                                   time_ms now) {
    if (!d || !can_see_device(v, *d, school_manager(a, d->school_number))) return std::nullopt;
    device_view view;
    const auto day = local_date_of(now, a.calendar.zone());
    view.warranty = warranty_of(*d, day);
    view.warranty_text = warranty_text(*d, day);
    const auto window = problem_window_start(now, a.config.devices.problem_days);
    std::vector<time_ms> times;
    for (auto& t : tickets_of_device(db, d->id, 200)) {
        times.push_back(t.created_at);
        if (t.created_at >= window) ++view.recent_tickets;
        if (can_see(v, t, school_manager(a, t.school_number), a.config.teachers_see_school_tickets))
            view.tickets.push_back(std::move(t));
        else
            ++view.hidden_tickets;
    }
    view.problem = is_problem_device(problem_since_of(times, a.config.devices.problem_tickets), now,
                                     a.config.devices.problem_days);
    view.d = std::move(*d);
    return view;
}

} // namespace

net::awaitable<std::optional<device_view>> find_visible_device(app& a, const user& who, std::int64_t id) {
    const time_ms now = now_ms();
    co_return co_await a.storage->read([&](SQLite::Database& db) {
        return view_of(a, db, current_viewer(a, db, who, now), find_device(db, id), now);
    });
}

net::awaitable<std::optional<device_view>> device_of_visible_ticket(app& a, const user& who, std::int64_t ticket_id) {
    const time_ms now = now_ms();
    co_return co_await a.storage->read([&](SQLite::Database& db) -> std::optional<device_view> {
        const auto id = device_of_ticket(db, ticket_id);
        if (!id) return std::nullopt;
        // Whoever sees the ticket sees its device (a manager standing in for a colleague, a teacher's own school).
        auto v = current_viewer(a, db, who, now);
        auto d = find_device(db, *id);
        if (!d) return std::nullopt;
        if (v.who == role::teacher) v.school_number = d->school_number;
        else if (v.who == role::campus_manager) v.covering.push_back(school_manager(a, d->school_number));
        return view_of(a, db, v, std::move(d), now);
    });
}

net::awaitable<outcome<std::optional<device>>> device_for_new_ticket(app& a, const ticket_draft& draft) {
    if (draft.device_id) {
        const auto id = *draft.device_id;
        auto d = co_await a.storage->read([&](SQLite::Database& db) { return find_device(db, id); });
        if (!d || d->school_number != draft.school_number || d->state == device_status::retired)
            co_return request_error{http::status::unprocessable_entity, "unknown_device",
                                    "Dieses Gerät gibt es an der gewählten Schule nicht (mehr).", "device_id", {}};
        co_return d;
    }
    if (draft.asset_tag.empty()) co_return std::optional<device>();
    co_return co_await a.storage->read(
        [&](SQLite::Database& db) { return find_device_by_label(db, draft.school_number, draft.asset_tag); });
}

net::awaitable<std::vector<problem_device>> visible_problem_devices(app& a, const user& who, int limit,
                                                                    const std::vector<std::string>& only_schools) {
    const time_ms now = now_ms();
    co_return co_await a.storage->read([&](SQLite::Database& db) {
        auto schools = device_schools_of(a, current_viewer(a, db, who, now));
        std::vector<std::string> filter = only_schools;
        if (schools && !only_schools.empty())
            std::erase_if(filter, [&](const std::string& s) { return std::find(schools->begin(), schools->end(), s) == schools->end(); });
        else if (schools)
            filter = *schools;
        // A manager without schools (or a choice outside theirs) sees none, not all.
        if (filter.empty() && (schools || !only_schools.empty())) return std::vector<problem_device>{};
        return problem_devices(db, filter, problem_window_start(now, a.config.devices.problem_days), limit);
    });
}

net::awaitable<std::vector<kind_rate>> visible_kind_rates(app& a, const user& who) {
    const time_ms now = now_ms();
    co_return co_await a.storage->read([&](SQLite::Database& db) {
        auto schools = device_schools_of(a, current_viewer(a, db, who, now));
        if (schools && schools->empty()) return std::vector<kind_rate>{};
        return device_kind_rates(db, schools.value_or(std::vector<std::string>{}),
                                 problem_window_start(now, a.config.devices.problem_days));
    });
}

} // namespace campusdesk
