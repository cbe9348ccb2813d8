#include "storage/maintenance_repository.hpp"

#include "core/local_time.hpp"
#include "storage/user_repository.hpp"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

namespace campusdesk {
namespace {

constexpr const char* plan_columns =
    "id, title, description, school_number, device_kind, rule, weeks, holiday_name, start_date, active, created_by, "
    "created_at";

maintenance_plan read_plan(SQLite::Statement& s) {
    maintenance_plan p;
    p.id = s.getColumn(0).getInt64();
    p.title = s.getColumn(1).getString();
    p.description = s.getColumn(2).getString();
    p.school_number = s.getColumn(3).getString();
    p.kind = parse_device_kind(s.getColumn(4).getString());
    p.rule = parse_maintenance_rule(s.getColumn(5).getString()).value_or(maintenance_rule::every_school_weeks);
    p.weeks = s.getColumn(6).getInt();
    p.holiday_name = s.getColumn(7).getString();
    p.start = parse_iso_date(s.getColumn(8).getString()).value_or(local_date{});
    p.active = s.getColumn(9).getInt() != 0;
    p.created_by = s.getColumn(10).getInt64();
    p.created_at = s.getColumn(11).getInt64();
    return p;
}

constexpr const char* task_columns =
    "t.id, t.plan_id, p.title, p.device_kind, t.school_number, t.period, t.due_date, t.planned_due_date, "
    "t.assignee_id, t.status, t.done_at, t.done_date, t.done_by, t.note, t.postponements, t.postpone_reason";

maintenance_task read_task(SQLite::Statement& s) {
    maintenance_task t;
    t.id = s.getColumn(0).getInt64();
    t.plan_id = s.getColumn(1).getInt64();
    t.plan_title = s.getColumn(2).getString();
    t.kind = parse_device_kind(s.getColumn(3).getString());
    t.school_number = s.getColumn(4).getString();
    t.period = s.getColumn(5).getInt64();
    t.due = parse_iso_date(s.getColumn(6).getString()).value_or(local_date{});
    t.planned_due = parse_iso_date(s.getColumn(7).getString()).value_or(local_date{});
    t.assignee_id = s.getColumn(8).getInt64();
    t.state = parse_task_status(s.getColumn(9).getString()).value_or(task_status::open);
    t.done_at = s.getColumn(10).isNull() ? 0 : s.getColumn(10).getInt64();
    if (!s.getColumn(11).isNull()) t.done_on = parse_iso_date(s.getColumn(11).getString());
    t.done_by = s.getColumn(12).isNull() ? 0 : s.getColumn(12).getInt64();
    t.note = s.getColumn(13).getString();
    t.postponements = s.getColumn(14).getInt();
    t.postpone_reason = s.getColumn(15).getString();
    return t;
}

// "?,?,…" for `count` values.
std::string marks(std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) out += i ? ",?" : "?";
    return out;
}

} // namespace

std::int64_t insert_maintenance_plan(SQLite::Database& db, const maintenance_plan& p) {
    SQLite::Statement s(db, "INSERT INTO maintenance_plans (title, description, school_number, device_kind, rule, "
                            "weeks, holiday_name, start_date, active, created_by, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)");
    s.bind(1, p.title);
    s.bind(2, p.description);
    s.bind(3, p.school_number);
    s.bind(4, p.kind ? std::string(to_string(*p.kind)) : std::string());
    s.bind(5, std::string(to_string(p.rule)));
    s.bind(6, p.weeks);
    s.bind(7, p.rule == maintenance_rule::before_holidays ? p.holiday_name : std::string());
    s.bind(8, format_iso_date(p.start));
    s.bind(9, p.created_by);
    s.bind(10, p.created_at);
    s.exec();
    const auto id = db.getLastInsertRowid();
    append_audit(db, p.created_at, p.created_by, "maintenance_plan_created", std::to_string(id), p.title);
    return id;
}

std::optional<maintenance_plan> find_maintenance_plan(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement s(db, fmt::format("SELECT {} FROM maintenance_plans WHERE id = ?", plan_columns));
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    return read_plan(s);
}

std::vector<maintenance_plan> list_maintenance_plans(SQLite::Database& db, bool active_only) {
    SQLite::Statement s(db, fmt::format("SELECT {} FROM maintenance_plans{} ORDER BY id DESC", plan_columns,
                                        active_only ? " WHERE active = 1" : ""));
    std::vector<maintenance_plan> out;
    while (s.executeStep()) out.push_back(read_plan(s));
    return out;
}

bool end_maintenance_plan(SQLite::Database& db, std::int64_t id, std::int64_t actor_id, time_ms now) {
    SQLite::Statement s(db, "UPDATE maintenance_plans SET active = 0, ended_at = ? WHERE id = ? AND active = 1");
    s.bind(1, now);
    s.bind(2, id);
    if (s.exec() == 0) return false;
    append_audit(db, now, actor_id, "maintenance_plan_ended", std::to_string(id), "");
    return true;
}

std::vector<std::string> schools_with_device_kind(SQLite::Database& db, device_kind kind) {
    SQLite::Statement s(db, "SELECT DISTINCT school_number FROM devices WHERE kind = ? AND status <> 'retired' "
                            "ORDER BY school_number");
    s.bind(1, std::string(to_string(kind)));
    std::vector<std::string> out;
    while (s.executeStep()) out.push_back(s.getColumn(0).getString());
    return out;
}

std::size_t add_maintenance_tasks(SQLite::Database& db, const std::vector<task_seed>& seeds, time_ms now) {
    SQLite::Statement s(db, "INSERT OR IGNORE INTO maintenance_tasks (plan_id, school_number, period, due_date, "
                            "planned_due_date, assignee_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    std::size_t added = 0;
    for (const auto& seed : seeds) {
        const auto due = format_iso_date(seed.period.due);
        s.bind(1, seed.plan_id);
        s.bind(2, seed.school_number);
        s.bind(3, seed.period.period);
        s.bind(4, due);
        s.bind(5, due);
        s.bind(6, seed.assignee_id);
        s.bind(7, now);
        added += static_cast<std::size_t>(s.exec());
        s.reset();
    }
    return added;
}

std::size_t reassign_open_tasks(SQLite::Database& db, const std::map<std::string, std::int64_t>& manager_of_school) {
    SQLite::Statement s(db, "UPDATE maintenance_tasks SET assignee_id = ? WHERE school_number = ? AND status = 'open' "
                            "AND assignee_id <> ?");
    std::size_t moved = 0;
    for (const auto& [school, manager] : manager_of_school) {
        s.bind(1, manager);
        s.bind(2, school);
        s.bind(3, manager);
        moved += static_cast<std::size_t>(s.exec());
        s.reset();
    }
    return moved;
}

std::vector<maintenance_task> list_maintenance_tasks(SQLite::Database& db, const task_query& q) {
    std::string where = "1";
    if (!q.schools.empty()) where += fmt::format(" AND t.school_number IN ({})", marks(q.schools.size()));
    if (q.state) where += " AND t.status = ?";
    if (q.due_by) where += " AND t.due_date <= ?";
    if (q.due_from) where += " AND t.due_date >= ?";
    if (q.plan_id) where += " AND t.plan_id = ?";
    SQLite::Statement s(db, fmt::format("SELECT {} FROM maintenance_tasks t JOIN maintenance_plans p ON p.id = t.plan_id "
                                        "WHERE {} ORDER BY t.due_date, t.school_number, t.id LIMIT ?",
                                        task_columns, where));
    int i = 1;
    for (const auto& school : q.schools) s.bind(i++, school);
    if (q.state) s.bind(i++, std::string(to_string(*q.state)));
    if (q.due_by) s.bind(i++, format_iso_date(*q.due_by));
    if (q.due_from) s.bind(i++, format_iso_date(*q.due_from));
    if (q.plan_id) s.bind(i++, q.plan_id);
    s.bind(i, q.limit);
    std::vector<maintenance_task> out;
    while (s.executeStep()) out.push_back(read_task(s));
    return out;
}

std::optional<maintenance_task> find_maintenance_task(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement s(db, fmt::format("SELECT {} FROM maintenance_tasks t JOIN maintenance_plans p ON p.id = t.plan_id "
                                        "WHERE t.id = ?", task_columns));
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    return read_task(s);
}

bool complete_maintenance_task(SQLite::Database& db, std::int64_t id, std::int64_t actor_id, time_ms now,
                               local_date day, const std::string& note) {
    SQLite::Statement s(db, "UPDATE maintenance_tasks SET status = 'done', done_at = ?, done_date = ?, done_by = ?, "
                            "note = ? WHERE id = ? AND status = 'open'");
    s.bind(1, now);
    s.bind(2, format_iso_date(day));
    s.bind(3, actor_id);
    s.bind(4, note);
    s.bind(5, id);
    return s.exec() == 1;
}

bool postpone_maintenance_task(SQLite::Database& db, std::int64_t id, std::int64_t actor_id, time_ms now,
                               local_date to, const std::string& reason) {
    const auto task = find_maintenance_task(db, id);
    if (!task || task->state != task_status::open) return false;
    SQLite::Statement history(db, "INSERT INTO maintenance_postponements (task_id, from_date, to_date, reason, by_user, at) "
                                  "VALUES (?, ?, ?, ?, ?, ?)");
    history.bind(1, id);
    history.bind(2, format_iso_date(task->due));
    history.bind(3, format_iso_date(to));
    history.bind(4, reason);
    history.bind(5, actor_id);
    history.bind(6, now);
    history.exec();
    SQLite::Statement s(db, "UPDATE maintenance_tasks SET due_date = ?, postponements = postponements + 1, "
                            "postpone_reason = ? WHERE id = ?");
    s.bind(1, format_iso_date(to));
    s.bind(2, reason);
    s.bind(3, id);
    s.exec();
    return true;
}

std::vector<postponement> postponements_of(SQLite::Database& db, std::int64_t task_id) {
    SQLite::Statement s(db, "SELECT from_date, to_date, reason, by_user, at FROM maintenance_postponements "
                            "WHERE task_id = ? ORDER BY id");
    s.bind(1, task_id);
    std::vector<postponement> out;
    while (s.executeStep())
        out.push_back({parse_iso_date(s.getColumn(0).getString()).value_or(local_date{}),
                       parse_iso_date(s.getColumn(1).getString()).value_or(local_date{}), s.getColumn(2).getString(),
                       s.getColumn(3).getInt64(), s.getColumn(4).getInt64()});
    return out;
}

std::map<std::string, int> due_task_counts(SQLite::Database& db, const std::vector<std::string>& schools, local_date by) {
    std::map<std::string, int> out;
    if (schools.empty()) return out;
    SQLite::Statement s(db, fmt::format("SELECT school_number, count(*) FROM maintenance_tasks WHERE status = 'open' "
                                        "AND school_number IN ({}) AND due_date <= ? GROUP BY school_number",
                                        marks(schools.size())));
    int i = 1;
    for (const auto& school : schools) s.bind(i++, school);
    s.bind(i, format_iso_date(by));
    while (s.executeStep()) out[s.getColumn(0).getString()] = s.getColumn(1).getInt();
    return out;
}

} // namespace campusdesk
