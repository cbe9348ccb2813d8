// Schools, campus managers and absences in SQLite, kept in step with the config files.
#pragma once

#include "core/routing.hpp"

#include <SQLiteCpp/Database.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace campusdesk {

struct app_config;

struct manager_record {
    std::int64_t id = 0;
    std::string login;
    std::string name;
    std::string email;
    std::string phone;
    std::vector<std::string> schools;  // school numbers
};

struct school_record {
    std::string number;
    std::string name;
    std::string kind;
    std::string district;
    std::string address;
    std::int64_t manager_id = 0;
};

// Upserts managers and schools from the config; managers keep their ids, so tickets keep their assignees.
void sync_directory(SQLite::Database& db, const app_config& config);

std::vector<manager_record> load_managers(SQLite::Database& db);
std::vector<school_record> load_schools(SQLite::Database& db);
std::optional<school_record> find_school_record(SQLite::Database& db, std::string_view number);
std::optional<manager_record> find_manager_by_login(SQLite::Database& db, std::string_view login);
std::optional<manager_record> find_manager(SQLite::Database& db, std::int64_t id);

std::vector<absence> load_absences(SQLite::Database& db);

} // namespace campusdesk
