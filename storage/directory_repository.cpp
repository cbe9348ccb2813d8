#include "storage/directory_repository.hpp"

#include "core/app_config.hpp"
#include "storage/board_repository.hpp"
#include "storage/statement_cache.hpp"
#include "storage/user_repository.hpp"

#include <SQLiteCpp/Statement.h>

#include <fmt/format.h>

#include <set>

namespace campusdesk {

bool directory_changes::empty() const {
    return schools_added.empty() && schools_removed.empty() && schools_returned.empty() && schools_moved.empty() &&
           managers_added.empty() && managers_removed.empty() && managers_returned.empty() &&
           tickets_reassigned.empty() && tickets_left_with_former_manager.empty() && absences_ended.empty();
}

namespace {

manager_record read_manager(SQLite::Statement& s) {
    return {s.getColumn(0).getInt64(), s.getColumn(1).getString(), s.getColumn(2).getString(),
            s.getColumn(3).getString(), s.getColumn(4).getString(), {}, s.getColumn(5).getInt() != 0};
}

school_record read_school(SQLite::Statement& s) {
    return {s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
            s.getColumn(3).getString(), s.getColumn(4).getString(), s.getColumn(5).getInt64(),
            s.getColumn(6).getInt() != 0};
}

constexpr const char* manager_select = "SELECT id, login, name, email, phone, active FROM managers";
constexpr const char* school_select =
    "SELECT number, name, kind, district, address, manager_id, active FROM schools";

void load_school_numbers(SQLite::Database& db, manager_record& m) {
    SQLite::Statement s(db, "SELECT number FROM schools WHERE manager_id = ? AND active = 1 ORDER BY number");
    s.bind(1, m.id);
    while (s.executeStep()) m.schools.push_back(s.getColumn(0).getString());
}

// A directory change assigns a ticket: an `assigned` event and an audit entry, by the system (actor 0, shown as
// "System") for the sync, by the admin for a move on the admin page.
void reassign_by_directory(SQLite::Database& db, const std::string& number, std::int64_t to, const std::string& note,
                           const sla_context& sla, time_ms now, std::int64_t actor = 0) {
    const auto t = find_ticket(db, number);
    if (!t || t->assignee_id == to) return;
    ticket_event e;
    e.at = now;
    e.actor_id = actor;
    e.by_staff = actor != 0;
    e.kind = event_kind::assigned;
    e.manager_id = to;
    e.body = note;
    append_event(db, *t, e, sla, now);
    append_audit(db, now, actor, to_string(e.kind), number, note);
}

std::vector<std::string> open_tickets_of(SQLite::Database& db, const std::string& school, std::int64_t assignee) {
    SQLite::Statement s(db, "SELECT number FROM tickets WHERE school_number = ? AND is_open = 1 AND assignee_id = ? "
                            "ORDER BY id");
    s.bind(1, school);
    s.bind(2, assignee);
    std::vector<std::string> numbers;
    while (s.executeStep()) numbers.push_back(s.getColumn(0).getString());
    return numbers;
}

// A moved school's open tickets with its old manager go to the new one; returns their numbers.
std::vector<std::string> follow_school(SQLite::Database& db, const std::string& number, const std::string& name,
                                       std::int64_t old_manager, const manager_record& to, std::int64_t actor,
                                       const sla_context& sla, time_ms now) {
    const auto note = fmt::format("Die Schule {} wird jetzt von {} betreut.", name, to.name);
    auto numbers = open_tickets_of(db, number, old_manager);
    for (const auto& ticket_number : numbers) reassign_by_directory(db, ticket_number, to.id, note, sla, now, actor);
    return numbers;
}

} // namespace

std::vector<std::string> move_school(SQLite::Database& db, std::string_view number, std::int64_t to_manager,
                                     std::int64_t actor, const sla_context& sla, time_ms now) {
    const auto school = find_school_record(db, number);
    const auto to = find_manager(db, to_manager);
    if (!school || !to || school->manager_id == to_manager) return {};
    // The file's manager: the one an earlier move remembered, else the school's until now (the sync set it).
    std::int64_t file_manager = school->manager_id;
    {
        SQLite::Statement earlier(db, "SELECT file_manager_id FROM school_moves WHERE school_number = ?");
        earlier.bind(1, school->number);
        if (earlier.executeStep()) file_manager = earlier.getColumn(0).getInt64();
    }
    SQLite::Statement update(db, "UPDATE schools SET manager_id = ? WHERE number = ?");
    update.bind(1, to_manager);
    update.bind(2, school->number);
    update.exec();
    SQLite::Statement remember(db, "INSERT INTO school_moves (school_number, manager_id, file_manager_id, moved_by, "
                                   "moved_at) VALUES (?,?,?,?,?) ON CONFLICT(school_number) DO UPDATE SET "
                                   "manager_id = excluded.manager_id, moved_by = excluded.moved_by, "
                                   "moved_at = excluded.moved_at");
    remember.bind(1, school->number);
    remember.bind(2, to_manager);
    remember.bind(3, file_manager);
    remember.bind(4, actor);
    remember.bind(5, now);
    remember.exec();
    const auto old = find_manager(db, school->manager_id);
    append_audit(db, now, actor, "school_move", school->number,
                 fmt::format("{} → {}", old ? old->login : std::to_string(school->manager_id), to->login));
    return follow_school(db, school->number, school->name, school->manager_id, *to, actor, sla, now);
}

directory_changes sync_directory(SQLite::Database& db, const app_config& config, const sla_context& sla, time_ms now) {
    directory_changes changes;
    std::map<std::string, manager_record> managers_before;
    for (auto& m : load_managers(db)) managers_before.emplace(m.login, std::move(m));
    std::map<std::string, school_record> schools_before;
    for (auto& s : load_schools(db)) schools_before.emplace(s.number, std::move(s));

    // 1. Managers: the file's rows in force, the others former.
    SQLite::Statement m(db, "INSERT INTO managers (login, name, email, phone, active) VALUES (?,?,?,?,1) "
                            "ON CONFLICT(login) DO UPDATE SET name=excluded.name, email=excluded.email, "
                            "phone=excluded.phone, active=1");
    std::set<std::string, std::less<>> in_file;
    for (const auto& entry : config.managers) {
        m.bind(1, entry.login);
        m.bind(2, entry.name);
        m.bind(3, entry.email);
        m.bind(4, entry.phone);
        m.exec();
        m.reset();
        in_file.insert(entry.login);
        const auto before = managers_before.find(entry.login);
        if (before == managers_before.end()) changes.managers_added.push_back(entry.login);
        else if (!before->second.active) changes.managers_returned.push_back(entry.login);
    }
    SQLite::Statement retire_manager(db, "UPDATE managers SET active = 0 WHERE id = ?");
    for (const auto& [login, before] : managers_before) {
        if (in_file.contains(login) || !before.active) continue;
        retire_manager.bind(1, before.id);
        retire_manager.exec();
        retire_manager.reset();
        changes.managers_removed.push_back(login);
    }
    std::map<std::string, manager_record, std::less<>> managers;  // by login, as they are now
    for (auto& after : load_managers(db)) managers.emplace(after.login, std::move(after));

    // 2. Schools, likewise; a school's row is never deleted (its tickets name it).
    SQLite::Statement s(db, "INSERT INTO schools (number, name, kind, district, address, manager_id, active) "
                            "VALUES (?,?,?,?,?,?,1) "
                            "ON CONFLICT(number) DO UPDATE SET name=excluded.name, kind=excluded.kind, "
                            "district=excluded.district, address=excluded.address, manager_id=excluded.manager_id, "
                            "active=1");
    in_file.clear();
    // Moves made on the admin page: kept while the file names the manager it named then, and while the manager
    // they moved to is current; dropped otherwise (the file changed since: it wins).
    std::map<std::string, std::pair<std::int64_t, std::int64_t>, std::less<>> admin_moves;  // to, file's then
    {
        SQLite::Statement read_moves(db, "SELECT m.school_number, m.manager_id, m.file_manager_id FROM school_moves m "
                                         "JOIN managers to_m ON to_m.id = m.manager_id AND to_m.active = 1");
        while (read_moves.executeStep())
            admin_moves.emplace(read_moves.getColumn(0).getString(),
                                std::pair{read_moves.getColumn(1).getInt64(), read_moves.getColumn(2).getInt64()});
    }
    SQLite::Statement drop_move(db, "DELETE FROM school_moves WHERE school_number = ?");
    std::vector<std::pair<const school*, std::int64_t>> moved;  // the school and its manager before
    std::map<const school*, std::int64_t> manager_of;            // as the sync leaves it
    std::vector<std::string> renamed;                            // their tickets are found by the new name
    for (const auto& school : config.schools) {
        auto manager = managers.at(school.manager_login);  // the config checks that it exists
        const auto move = admin_moves.find(school.number);
        if (move != admin_moves.end() && move->second.second == manager.id) {
            manager.id = move->second.first;
        } else {
            drop_move.bind(1, school.number);
            drop_move.exec();
            drop_move.reset();
        }
        manager_of[&school] = manager.id;
        s.bind(1, school.number);
        s.bind(2, school.name);
        s.bind(3, school.kind);
        s.bind(4, school.district);
        s.bind(5, school.address);
        s.bind(6, manager.id);
        s.exec();
        s.reset();
        in_file.insert(school.number);
        const auto before = schools_before.find(school.number);
        if (before == schools_before.end()) {
            changes.schools_added.push_back(school.number);
            continue;
        }
        if (!before->second.active) changes.schools_returned.push_back(school.number);
        if (before->second.name != school.name) renamed.push_back(school.number);
        if (before->second.manager_id != manager.id) {
            changes.schools_moved.push_back(school.number);
            moved.emplace_back(&school, before->second.manager_id);
        }
    }
    SQLite::Statement retire_school(db, "UPDATE schools SET active = 0 WHERE number = ?");
    for (const auto& [number, before] : schools_before) {
        if (in_file.contains(number) || !before.active) continue;
        retire_school.bind(1, number);
        retire_school.exec();
        retire_school.reset();
        changes.schools_removed.push_back(number);
    }

    // Search finds a school's tickets by its name (ticket_search_terms holds the name each was indexed with): a
    // rare, whole-school reindex.
    SQLite::Statement of_school(db, "SELECT id FROM tickets WHERE school_number = ?");
    for (const auto& number : renamed) {
        of_school.bind(1, number);
        std::vector<std::int64_t> ids;
        while (of_school.executeStep()) ids.push_back(of_school.getColumn(0).getInt64());
        of_school.reset();
        for (const auto id : ids) {
            unindex_ticket_search(db, id);
            reindex_ticket_search(db, id);
        }
    }

    // 3. A moved school's open tickets follow it from the old manager to the new one.
    for (const auto& [school, old_manager] : moved) {
        const auto to = find_manager(db, manager_of.at(school));
        for (auto& number : follow_school(db, school->number, school->name, old_manager, *to, 0, sla, now))
            changes.tickets_reassigned.push_back(std::move(number));
    }

    // 4. Open tickets still with a former manager go to their school's manager, if the school is in force
    // (the query finds none once they have gone: running the sync again changes nothing).
    SQLite::Statement left(db, "SELECT t.number, s.active, s.manager_id, f.name, c.name FROM tickets t "
                               "JOIN managers f ON f.id = t.assignee_id AND f.active = 0 "
                               "LEFT JOIN schools s ON s.number = t.school_number "
                               "LEFT JOIN managers c ON c.id = s.manager_id AND c.active = 1 "
                               "WHERE t.is_open = 1 ORDER BY t.id");
    std::vector<std::tuple<std::string, std::int64_t, std::string>> handover;
    while (left.executeStep()) {
        auto number = left.getColumn(0).getString();
        if (left.getColumn(1).isNull() || left.getColumn(1).getInt() == 0 || left.getColumn(4).isNull()) {
            changes.tickets_left_with_former_manager.push_back(std::move(number));
            continue;
        }
        handover.emplace_back(
            std::move(number), left.getColumn(2).getInt64(),
            fmt::format("{} betreut die Schule nicht mehr; das Ticket geht an {}.", left.getColumn(3).getString(),
                        left.getColumn(4).getString()));
    }
    left.reset();
    for (const auto& [number, to, note] : handover) {
        reassign_by_directory(db, number, to, note, sla, now);
        changes.tickets_reassigned.push_back(number);
    }

    // 5. Current and planned absences that name a former manager end now (their schools have other managers;
    // a former substitute would receive new tickets nobody sees).
    SQLite::Statement absent(db, "SELECT DISTINCT m.id, m.login FROM absences a "
                                 "JOIN managers m ON m.id = a.manager_id JOIN managers sub ON sub.id = a.substitute_id "
                                 "WHERE a.ends_at > ? AND (m.active = 0 OR sub.active = 0) ORDER BY m.login");
    absent.bind(1, now);
    std::vector<std::pair<std::int64_t, std::string>> ending;
    while (absent.executeStep()) ending.emplace_back(absent.getColumn(0).getInt64(), absent.getColumn(1).getString());
    absent.reset();
    for (const auto& [id, login] : ending) {
        if (!end_absence(db, id, now)) continue;
        append_audit(db, now, 0, "absence_end", login, "Schulverzeichnis geändert");
        changes.absences_ended.push_back(login);
    }
    // A campus manager's account has the address of managers.csv (issue 17: where their notifications go).
    db.exec("UPDATE users SET email = m.email FROM managers m WHERE m.id = users.manager_id "
            "AND users.role = 'campus_manager' AND users.email <> m.email");
    return changes;
}

std::vector<manager_record> load_managers(SQLite::Database& db) {
    std::vector<manager_record> managers;
    SQLite::Statement s(db, std::string(manager_select) + " ORDER BY login");
    while (s.executeStep()) managers.push_back(read_manager(s));
    std::map<std::int64_t, manager_record*> by_id;
    for (auto& m : managers) by_id[m.id] = &m;
    SQLite::Statement schools(db, "SELECT manager_id, number FROM schools WHERE active = 1 ORDER BY number");
    while (schools.executeStep())
        if (auto it = by_id.find(schools.getColumn(0).getInt64()); it != by_id.end())
            it->second->schools.push_back(schools.getColumn(1).getString());
    return managers;
}

std::vector<school_record> load_schools(SQLite::Database& db) {
    std::vector<school_record> schools;
    SQLite::Statement s(db, std::string(school_select) + " ORDER BY number");
    while (s.executeStep()) schools.push_back(read_school(s));
    return schools;
}

std::optional<school_record> find_school_record(SQLite::Database& db, std::string_view number) {
    SQLite::Statement s(db, std::string(school_select) + " WHERE number = ?");
    s.bind(1, std::string(number));
    if (!s.executeStep()) return std::nullopt;
    return read_school(s);
}

std::optional<manager_record> find_manager_by_login(SQLite::Database& db, std::string_view login) {
    SQLite::Statement s(db, std::string(manager_select) + " WHERE login = ?");
    s.bind(1, std::string(login));
    if (!s.executeStep()) return std::nullopt;
    auto m = read_manager(s);
    load_school_numbers(db, m);
    return m;
}

std::optional<manager_record> find_manager(SQLite::Database& db, std::int64_t id) {
    SQLite::Statement s(db, std::string(manager_select) + " WHERE id = ?");
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    auto m = read_manager(s);
    load_school_numbers(db, m);
    return m;
}

std::vector<absence> load_absences(SQLite::Database& db) {
    std::vector<absence> result;
    reused_statement s(db, "SELECT manager_id, starts_at, ends_at, substitute_id FROM absences ORDER BY starts_at");
    while (s->executeStep())
        result.push_back({s->getColumn(0).getInt64(), s->getColumn(1).getInt64(), s->getColumn(2).getInt64(),
                          s->getColumn(3).getInt64()});
    return result;
}

} // namespace campusdesk
