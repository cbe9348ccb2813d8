// Reads campusdesk.toml and the files it names from disk; `campusdesk check-config`.
#pragma once

#include "core/app_config.hpp"

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <vector>

namespace campusdesk {

struct load_result {
    std::optional<app_config> config;  // set only when there are no errors
    std::vector<config_error> errors;  // all of them, not just the first
};

// The toml first, then the files its [files] names, relative to the toml's directory. A file that cannot be read
// is an error with line 0; the files are then not parsed.
load_result load_config(const std::filesystem::path& toml_path);

// config/campusdesk.toml below the current directory if it exists, else the source tree's.
std::filesystem::path default_config_path();

// Prints every error as "file:line: field: message" to `err` and returns 2, or a one-line summary to `out` and 0.
int run_check_config(const std::filesystem::path& toml_path, std::ostream& out, std::ostream& err);

} // namespace campusdesk
