#include "server/maintenance/maintenance_service.hpp"

#include "core/local_time.hpp"
#include "server/http/log.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"
#include "storage/settings_repository.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace campusdesk {
namespace {

request_error invalid(const std::vector<maintenance_field_error>& errors) {
    request_error e{http::status::unprocessable_entity, "invalid_field", errors.front().message, errors.front().field, {}};
    for (const auto& f : errors) e.fields.push_back({f.field, "invalid_field", f.message});
    return e;
}

request_error task_not_found() {
    return {http::status::not_found, "not_found", "Wartungsaufgabe nicht gefunden.", "", {}};
}

local_date local_today(const app& a, time_ms now) { return local_date_of(now, a.calendar.zone()); }

bool sees_school(const std::optional<std::vector<std::string>>& schools, const std::string& number) {
    return !schools || std::find(schools->begin(), schools->end(), number) != schools->end();
}

// The schools a plan covers now: its school, or every current school (with a device of its kind in service).
std::vector<std::string> schools_of_plan(const directory& dir, SQLite::Database& db, const maintenance_plan& p) {
    std::vector<std::string> out;
    if (!p.school_number.empty()) {
        const auto* s = dir.school(p.school_number);
        if (s && s->active) out.push_back(p.school_number);
        return out;
    }
    if (p.kind) {
        for (auto& number : schools_with_device_kind(db, *p.kind)) {
            const auto* s = dir.school(number);
            if (s && s->active) out.push_back(std::move(number));
        }
        return out;
    }
    for (const auto& s : dir.schools) out.push_back(s.number);
    return out;
}

} // namespace

std::optional<std::vector<std::string>> maintenance_schools_of(const app& a, const viewer& v) {
    if (is_help_desk(v.who)) return std::nullopt;
    std::vector<std::string> schools;
    if (v.who != role::campus_manager) return schools;
    for (const auto& s : a.dir.current().schools)
        if (v.looks_after(s.manager_id)) schools.push_back(s.number);
    return schools;
}

net::awaitable<outcome<maintenance_plan>> create_maintenance_plan(app& a, const user& who, plan_input in) {
    if (!may_plan_maintenance(who.who))
        co_return request_error{http::status::forbidden, "forbidden",
                                "Wartungspläne legen der IT-Support (Leitstand) und Administratoren an.", "", {}};
    const time_ms now = now_ms();
    const auto today = local_today(a, now);
    maintenance_plan p;
    p.title = in.title;
    p.description = in.description;
    p.school_number = in.school_number;
    p.holiday_name = in.holiday_name;
    p.created_by = who.id;
    p.created_at = now;
    std::vector<maintenance_field_error> errors;
    if (!in.school_number.empty()) {
        const auto* s = a.dir.school(in.school_number);
        if (!s || !s->active) errors.push_back({"school_number", "Unbekannte Schule."});
    }
    if (!in.device_kind.empty() && !(p.kind = parse_device_kind(in.device_kind)))
        errors.push_back({"device_kind", "Unbekannte Geräteart."});
    if (const auto rule = parse_maintenance_rule(in.rule)) p.rule = *rule;
    else errors.push_back({"rule", "Bitte wählen: alle n Schulwochen (every_school_weeks) oder vor Ferien "
                                   "(before_holidays)."});
    if (in.weeks) p.weeks = *in.weeks;
    else errors.push_back({"weeks", "Bitte eine ganze Zahl von Wochen angeben."});
    if (in.start_date.empty()) p.start = today;
    else if (const auto start = parse_iso_date(in.start_date)) p.start = *start;
    else {
        p.start = today;  // for the other checks; the date itself is refused
        errors.push_back({"start_date", "Bitte ein Datum angeben (JJJJ-MM-TT)."});
    }
    for (auto& e : check_maintenance_plan(p, a.school_weeks, today))
        if (std::none_of(errors.begin(), errors.end(), [&](const auto& x) { return x.field == e.field; }))
            errors.push_back(std::move(e));
    // One order for the fields, as the form shows them: the first error gets the focus.
    static const std::vector<std::string_view> order{"title", "description", "school_number", "device_kind", "rule",
                                                     "weeks", "holiday_name", "start_date"};
    std::stable_sort(errors.begin(), errors.end(), [&](const auto& x, const auto& y) {
        return std::find(order.begin(), order.end(), x.field) < std::find(order.begin(), order.end(), y.field);
    });
    if (!errors.empty()) co_return invalid(errors);
    p.id = co_await a.storage->write([&](SQLite::Database& db) { return insert_maintenance_plan(db, p); });
    const auto counts = co_await generate_maintenance_tasks(a, now, p.id);
    log_line(log_level::info, "maintenance plan created", {{"plan", p.id}, {"tasks", counts.added}});
    co_return p;
}

net::awaitable<outcome<maintenance_plan>> end_maintenance_plan_as(app& a, const user& who, std::int64_t id) {
    if (!may_plan_maintenance(who.who))
        co_return request_error{http::status::forbidden, "forbidden",
                                "Wartungspläne beenden der IT-Support (Leitstand) und Administratoren.", "", {}};
    const time_ms now = now_ms();
    auto result = co_await a.storage->write([&](SQLite::Database& db) -> outcome<maintenance_plan> {
        auto p = find_maintenance_plan(db, id);
        if (!p) return request_error{http::status::not_found, "not_found", "Wartungsplan nicht gefunden.", "", {}};
        if (!end_maintenance_plan(db, id, who.id, now))
            return request_error{http::status::conflict, "already_ended", "Der Plan ist bereits beendet.", "", {}};
        p->active = false;
        return *p;
    });
    co_return result;
}

net::awaitable<std::optional<maintenance_plan>> find_visible_plan(app& a, const user& who, std::int64_t id) {
    if (!is_staff(who.who)) co_return std::nullopt;
    co_return co_await a.storage->read([&](SQLite::Database& db) { return find_maintenance_plan(db, id); });
}

net::awaitable<generation_counts> generate_maintenance_tasks(app& a, time_ms now, std::int64_t plan_id) {
    const auto today = local_today(a, now);
    const auto& dir = a.dir.current();
    // Everything in one write: the plans, the schools they cover and the inserts see one state.
    co_return co_await a.storage->write([&](SQLite::Database& db) {
        generation_counts counts;
        std::vector<maintenance_plan> plans;
        if (plan_id) {
            if (auto p = find_maintenance_plan(db, plan_id); p && p->active) plans.push_back(std::move(*p));
        } else {
            plans = list_maintenance_plans(db, true);
        }
        std::vector<task_seed> seeds;
        for (const auto& p : plans) {
            const auto periods = open_periods(p, a.school_weeks, today);
            if (periods.empty()) continue;
            for (const auto& school : schools_of_plan(dir, db, p)) {
                const auto* s = dir.school(school);
                for (const auto& period : periods) seeds.push_back({p.id, school, period, s ? s->manager_id : 0});
            }
        }
        counts.added = add_maintenance_tasks(db, seeds, now);
        if (!plan_id) {
            std::map<std::string, std::int64_t> managers;
            for (const auto& s : dir.schools) managers[s.number] = s.manager_id;
            counts.reassigned = reassign_open_tasks(db, managers);
        }
        return counts;
    });
}

net::awaitable<void> generate_maintenance_daily(app& a, net::steady_timer& timer, std::chrono::milliseconds period) {
    for (;;) {
        try {
            const time_ms now = now_ms();
            const auto day = format_iso_date(local_today(a, now));
            const bool run = co_await a.storage->read(
                [&](SQLite::Database& db) { return load_setting(db, "maintenance_day") != day; });
            if (run) {
                const auto counts = co_await generate_maintenance_tasks(a, now, 0);
                co_await a.storage->write([&](SQLite::Database& db) { save_setting(db, "maintenance_day", day); });
                log_line(log_level::info, "maintenance tasks generated",
                         {{"added", counts.added}, {"reassigned", counts.reassigned}});
            }
        } catch (const std::exception& e) {
            log_line(log_level::warning, "maintenance tasks not generated, tried again later", {{"error", e.what()}});
        }
        timer.expires_after(period);
        auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
    }
}

net::awaitable<std::vector<maintenance_task>> visible_tasks(app& a, const user& who, task_query q) {
    const time_ms now = now_ms();
    co_return co_await a.storage->read([&](SQLite::Database& db) {
        if (auto mine = maintenance_schools_of(a, current_viewer(a, db, who, now))) {
            if (q.schools.empty()) q.schools = *mine;
            else std::erase_if(q.schools, [&](const std::string& s) { return !sees_school(mine, s); });
            if (q.schools.empty()) return std::vector<maintenance_task>{};
        }
        return list_maintenance_tasks(db, q);
    });
}

net::awaitable<std::optional<task_view>> find_visible_task(app& a, const user& who, std::int64_t id) {
    const time_ms now = now_ms();
    co_return co_await a.storage->read([&](SQLite::Database& db) -> std::optional<task_view> {
        auto t = find_maintenance_task(db, id);
        if (!t || !sees_school(maintenance_schools_of(a, current_viewer(a, db, who, now)), t->school_number))
            return std::nullopt;
        return task_view{*t, postponements_of(db, id)};
    });
}

namespace {

// The task if `who` may work on it: 404 when they do not see it (or are no staff), 409 when it is done.
outcome<maintenance_task> workable_task(const app& a, SQLite::Database& db, const user& who, std::int64_t id,
                                        time_ms now) {
    auto t = find_maintenance_task(db, id);
    if (!t || !may_work_on_tasks(who.who) ||
        !sees_school(maintenance_schools_of(a, current_viewer(a, db, who, now)), t->school_number))
        return task_not_found();
    if (t->state == task_status::done)
        return request_error{http::status::conflict, "already_done", "Die Aufgabe ist bereits erledigt.", "", {}};
    return *t;
}

} // namespace

net::awaitable<outcome<maintenance_task>> complete_task(app& a, const user& who, std::int64_t id, std::string note) {
    if (auto e = check_task_note(note)) co_return invalid({*e});
    const time_ms now = now_ms();
    const auto day = local_today(a, now);
    co_return co_await a.storage->write([&](SQLite::Database& db) -> outcome<maintenance_task> {
        auto t = workable_task(a, db, who, id, now);
        if (std::holds_alternative<request_error>(t)) return t;
        complete_maintenance_task(db, id, who.id, now, day, note);
        return *find_maintenance_task(db, id);
    });
}

net::awaitable<outcome<maintenance_task>> postpone_task(app& a, const user& who, std::int64_t id,
                                                        std::string due_date, std::string reason) {
    const time_ms now = now_ms();
    const auto today = local_today(a, now);
    const auto to = parse_iso_date(due_date);
    co_return co_await a.storage->write([&](SQLite::Database& db) -> outcome<maintenance_task> {
        auto t = workable_task(a, db, who, id, now);
        if (std::holds_alternative<request_error>(t)) return t;
        const auto errors = check_postponement(std::get<maintenance_task>(t).due, to, reason, a.school_weeks, today);
        if (!errors.empty()) return invalid(errors);
        postpone_maintenance_task(db, id, who.id, now, *to, reason);
        return *find_maintenance_task(db, id);
    });
}

maintenance_report load_maintenance_report(SQLite::Database& db, const directory& dir, const date::time_zone* zone,
                                           const report_period& period) {
    task_query q;
    q.due_from = local_date_of(period.start, zone);
    q.due_by = local_date_of(period.end - 1, zone);
    q.limit = 1'000'000;  // a month's tasks: schools × plans, bounded by the plans
    auto tasks = list_maintenance_tasks(db, q);
    return build_maintenance_report(
        std::move(tasks), local_date_of(period.now, zone),
        [&](std::int64_t id) {
            const auto* m = dir.manager(id);
            return m ? m->name : fmt::format("Campus-Manager {}", id);
        },
        [&](const std::string& number) {
            const auto* s = dir.school(number);
            return s ? s->name : number;
        });
}

std::string describe_schedule(const maintenance_plan& p, language lang) {
    if (p.rule == maintenance_rule::every_school_weeks)
        return p.weeks == 1 ? fmt::format(tf(lang, "jede Schulwoche ab {}"), format_date(p.start, lang))
                            : fmt::format(tf(lang, "alle {} Schulwochen ab {}"), p.weeks, format_date(p.start, lang));
    return fmt::format(p.weeks == 1 ? tf(lang, "am letzten Schultag vor den Ferien „{}“ (sichtbar {} Woche vorher)")
                                    : tf(lang, "am letzten Schultag vor den Ferien „{}“ (sichtbar {} Wochen vorher)"),
                       p.holiday_name, p.weeks);
}

std::string describe_scope(const app& a, const maintenance_plan& p, language lang) {
    std::string where(tr(lang, "alle Schulen"));
    if (!p.school_number.empty()) {
        const auto* s = a.dir.school(p.school_number);
        where = s ? s->name : p.school_number;
    }
    if (!p.kind) return where;
    return fmt::format("{}: {}", where, device_kind_label(*p.kind, lang));
}

} // namespace campusdesk
