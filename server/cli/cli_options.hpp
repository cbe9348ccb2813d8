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

// The config named by --config (or the default), refusing to go on with any error in it.
inline app_config load_cli_config(const cli_options& args, std::ostream& err) {
    return load_cli_config(cli_config_path(args), err);
}

// The data directory: --data, else the config's data_dir.
inline std::filesystem::path cli_data_dir(const cli_options& args, const app_config& config) {
    return args.has("data") ? std::filesystem::path(args.get("data")) : std::filesystem::path(config.data_dir);
}

inline std::filesystem::path cli_database_file(const cli_options& args, const app_config& config) {
    return database_file(cli_data_dir(args, config));
}

} // namespace campusdesk
