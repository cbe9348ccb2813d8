// Reads campusdesk.toml and the files it names from disk; `campusdesk check-config`.
#pragma once

#include "core/app_config.hpp"
#include "core/provider_config.hpp"

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

// A provider's toml (docs/tenants.md): whether the file is one (false if it cannot be read: load_config says why).
bool is_provider_config_file(const std::filesystem::path& toml_path);

struct provider_load_result {
    std::optional<provider_config> config;  // set only when there are no errors
    std::vector<config_error> errors;
};
// The provider's toml alone (each tenant's config is read with load_config from tenant_config_path).
provider_load_result load_provider_config(const std::filesystem::path& toml_path);
// A tenant's campusdesk.toml: its `config`, relative to the provider toml's directory unless absolute.
std::filesystem::path tenant_config_path(const std::filesystem::path& provider_toml, const tenant_entry& tenant);
// Where a tenant's database and attachments live: <data>/tenants/<slug>.
std::filesystem::path tenant_data_dir(const std::filesystem::path& provider_data_dir, std::string_view slug);

// config/campusdesk.toml below the current directory if it exists, else the source tree's.
std::filesystem::path default_config_path();

// Prints every error as "file:line: field: message" to `err` and returns 2, or a one-line summary to `out` and 0.
int run_check_config(const std::filesystem::path& toml_path, std::ostream& out, std::ostream& err);

} // namespace campusdesk
