// Command-line options of the batch commands (import, export-sla, sla recompute): parsing and the config they name.
#pragma once

#include "storage/database.hpp"

#include "core/app_config.hpp"
#include "server/config_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <iostream>
#include <map>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

// A bad command line: the command answers exit status 2 with this reason.
struct cli_usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Options of the form --name value (or a bare --flag), and positional arguments, in order.
struct cli_options {
    std::map<std::string, std::string, std::less<>> options;
    std::vector<std::string> positional;

    bool has(std::string_view name) const { return options.find(name) != options.end(); }
    std::string get(std::string_view name, std::string fallback = {}) const {
        auto it = options.find(name);
        return it == options.end() ? fallback : it->second;
    }
};

inline cli_options parse_cli_options(int argc, char** argv, int first, std::initializer_list<std::string_view> flags,
                                     std::initializer_list<std::string_view> valued) {
    cli_options args;
    for (int i = first; i < argc; ++i) {
        const std::string word = argv[i];
        if (!word.starts_with("--") || word == "--") {
            args.positional.push_back(word);
            continue;
        }
        const auto name = word.substr(2);
        if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
            args.options[name] = "true";
        } else if (std::find(valued.begin(), valued.end(), name) != valued.end()) {
            if (i + 1 >= argc) throw cli_usage_error(fmt::format("--{} needs a value", name));
            args.options[name] = argv[++i];
        } else {
            throw cli_usage_error(fmt::format("unknown option --{}", name));
        }
    }
    return args;
}

// Runs a batch command's body and turns its failures into the exit status: 2 for a bad command line, 1 for
// anything else, with the reason on stderr.
template <class F>
int run_cli_command(F body) {
    try {
        return body();
    } catch (const cli_usage_error& e) {
        std::cerr << "campusdesk: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "campusdesk: " << e.what() << '\n';
        return 1;
    }
}

// The config at `path`, refusing to go on with any error in it.
inline app_config load_cli_config(const std::filesystem::path& path, std::ostream& err) {
    auto loaded = load_config(path);
    if (!loaded.errors.empty()) {
        for (const auto& e : loaded.errors) err << format_config_error(e) << '\n';
        throw cli_usage_error(fmt::format("{}: {} error(s) in the configuration", path.string(), loaded.errors.size()));
    }
    return std::move(*loaded.config);
}

inline std::filesystem::path cli_config_path(const cli_options& args) {
    return args.has("config") ? std::filesystem::path(args.get("config")) : default_config_path();
}

// The provider's config named by `path`, refusing to go on with any error in it.
inline provider_config load_cli_provider_config(const std::filesystem::path& path, std::ostream& err) {
    auto loaded = load_provider_config(path);
    if (!loaded.errors.empty()) {
        for (const auto& e : loaded.errors) err << format_config_error(e) << '\n';
        throw cli_usage_error(fmt::format("{}: {} error(s) in the provider's configuration", path.string(),
                                          loaded.errors.size()));
    }
    return std::move(*loaded.config);
}

// `--tenant SLUG` (docs/tenants.md): with a provider's config, the tenant whose data a command acts on; without
// one, the option is refused (one authority's installation has no tenants).
inline const tenant_entry& cli_tenant(const cli_options& args, const provider_config& provider,
                                      const std::filesystem::path& path) {
    std::string slugs;
    for (const auto& t : provider.tenants) slugs += (slugs.empty() ? "" : ", ") + t.slug;
    if (!args.has("tenant"))
        throw cli_usage_error(fmt::format("{} is a provider's config: name the tenant with --tenant SLUG ({})",
                                          path.string(), slugs));
    const auto* t = provider.find(args.get("tenant"));
    if (!t) throw cli_usage_error(fmt::format("--tenant: no tenant \"{}\" in {} ({})", args.get("tenant"), path.string(), slugs));
    return *t;
}

// The config named by --config (or the default), refusing to go on with any error in it. With a provider's
// config, the config of the tenant --tenant names, its data_dir set to <provider data>/tenants/<slug>.
inline app_config load_cli_config(const cli_options& args, std::ostream& err) {
    const auto path = cli_config_path(args);
    if (!is_provider_config_file(path)) {
        if (args.has("tenant"))
            throw cli_usage_error(fmt::format("--tenant: {} is one school authority's config, not a provider's with "
                                              "[[tenants]]", path.string()));
        return load_cli_config(path, err);
    }
    const auto provider = load_cli_provider_config(path, err);
    const auto& tenant = cli_tenant(args, provider, path);
    auto config = load_cli_config(tenant_config_path(path, tenant), err);
    config.data_dir = tenant_data_dir(provider.data_dir, tenant.slug).string();
    return config;
}

// The data directory: --data, else the config's data_dir. With --tenant, --data names the provider's data
// directory and the tenant's is below it.
inline std::filesystem::path cli_data_dir(const cli_options& args, const app_config& config) {
    if (args.has("data") && args.has("tenant")) return tenant_data_dir(args.get("data"), args.get("tenant"));
    return args.has("data") ? std::filesystem::path(args.get("data")) : std::filesystem::path(config.data_dir);
}

inline std::filesystem::path cli_database_file(const cli_options& args, const app_config& config) {
    return database_file(cli_data_dir(args, config));
}

} // namespace campusdesk
