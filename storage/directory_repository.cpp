#include "storage/directory_repository.hpp"

#include "core/app_config.hpp"
#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Statement.h>

namespace campusdesk {

void sync_directory(SQLite::Database& db, const app_config& config) {
    SQLite::Statement m(db, "INSERT INTO managers (login, name, email, phone) VALUES (?,?,?,?) "
                            "ON CONFLICT(login) DO UPDATE SET name=excluded.name, email=excluded.email, "
                            "phone=excluded.phone");
    for (const auto& entry : config.managers) {
        m.bind(1, entry.login);
        m.bind(2, entry.name);
        m.bind(3, entry.email);
        m.bind(4, entry.phone);
        m.exec();
        m.reset();
    }
    SQLite::Statement s(db, "INSERT INTO schools (number, name, kind, district, address, manager_id) "
                            "VALUES (?,?,?,?,?,(SELECT id FROM managers WHERE login = ?)) "
                            "ON CONFLICT(number) DO UPDATE SET name=excluded.name, kind=excluded.kind, "
                            "district=excluded.district, address=excluded.address, manager_id=excluded.manager_id");
    for (const auto& school : config.schools) {
        s.bind(1, school.number);
        s.bind(2, school.name);
        s.bind(3, school.kind);
        s.bind(4, school.district);
        s.bind(5, school.address);
        s.bind(6, school.manager_login);
        s.exec();
        s.reset();
    }
}

namespace {

manager_record read_manager(SQLite::Statement& s) {
    return {s.getColumn(0).getInt64(), s.getColumn(1).getString(), s.getColumn(2).getString(),
            s.getColumn(3).getString(), s.getColumn(4).getString(), {}};
}

school_record read_school(SQLite::Statement& s) {
    return {s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
            s.getColumn(3).getString(), s.getColumn(4).getString(), s.getColumn(5).getInt64()};
}

constexpr const char* manager_select = "SELECT id, login, name, email, phone FROM managers";
constexpr const char* school_select = "SELECT number, name, kind, district, address, manager_id FROM schools";

void load_school_numbers(SQLite::Database& db, manager_record& m) {
    SQLite::Statement s(db, "SELECT number FROM schools WHERE manager_id = ? ORDER BY number");
    s.bind(1, m.id);
    while (s.executeStep()) m.schools.push_back(s.getColumn(0).getString());
}

} // namespace

std::vector<manager_record> load_managers(SQLite::Database& db) {
    std::vector<manager_record> managers;
    SQLite::Statement s(db, std::string(manager_select) + " ORDER BY login");
    while (s.executeStep()) managers.push_back(read_manager(s));
    std::map<std::int64_t, manager_record*> by_id;
    for (auto& m : managers) by_id[m.id] = &m;
    SQLite::Statement schools(db, "SELECT manager_id, number FROM schools ORDER BY number");
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
