#include "server/config_loader.hpp"
#include "server/install_paths.hpp"

#include "server/mail/mail_check.hpp"
#include "server/views/page_renderer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <ostream>
#include <sstream>

namespace campusdesk {
namespace {

std::optional<std::string> read_text(const std::filesystem::path& p) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) return std::nullopt;  // ifstream would "open" it and read nothing
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return std::move(ss).str();
}

config_error unreadable(const std::filesystem::path& p, std::string field) {
    std::error_code ec;
    return {p.string(), 0, std::move(field),
            std::filesystem::exists(p, ec) ? "cannot read the file" : "the file does not exist"};
}

} // namespace

load_result load_config(const std::filesystem::path& toml_path) {
    load_result result;
    config_texts texts;
    texts.toml_path = toml_path.string();
    auto toml = read_text(toml_path);
    if (!toml) {
        result.errors.push_back(unreadable(toml_path, "file"));
        return result;
    }
    texts.toml = std::move(*toml);
    auto names = parse_config_file_names(texts.toml, texts.toml_path);
    if (auto* errors = std::get_if<std::vector<config_error>>(&names)) {
        result.errors = std::move(*errors);
        return result;
    }
    const auto& files = std::get<config_file_names>(names);
    const auto dir = toml_path.parent_path();
    // A missing file is reported under the [files] key that names it, so the fix is obvious.
    std::vector<std::string> missing;
    auto read = [&](const std::string& name, const char* key, std::string& path, std::string& text) {
        const auto p = dir / name;
        path = p.string();
        if (auto t = read_text(p)) {
            text = std::move(*t);
        } else {
            result.errors.push_back(unreadable(p, fmt::format("files.{}", key)));
            missing.push_back(path);
        }
    };
    read(files.schools, "schools", texts.schools_path, texts.schools_csv);
    read(files.managers, "managers", texts.managers_path, texts.managers_csv);
    if (!files.holidays.empty()) read(files.holidays, "holidays", texts.holidays_path, texts.holidays_toml);

    auto parsed = parse_config(texts);
    if (auto* errors = std::get_if<std::vector<config_error>>(&parsed)) {
        // With a file missing, still report the errors of the others, but not the ones its absence causes: its
        // own (it was parsed as empty) and, without managers, every school's campus_manager.
        const bool drop_schools = std::find(missing.begin(), missing.end(), texts.managers_path) != missing.end();
        for (auto& e : *errors) {
            if (std::find(missing.begin(), missing.end(), e.file) != missing.end()) continue;
            if (drop_schools && e.file == texts.schools_path && e.field == "campus_manager") continue;
            result.errors.push_back(std::move(e));
        }
    } else if (result.errors.empty()) {
        result.config = std::move(std::get<app_config>(parsed));
    }
    return result;
}

bool is_provider_config_file(const std::filesystem::path& toml_path) {
    const auto text = read_text(toml_path);
    return text && is_provider_config(*text);
}

provider_load_result load_provider_config(const std::filesystem::path& toml_path) {
    provider_load_result result;
    const auto text = read_text(toml_path);
    if (!text) {
        result.errors.push_back(unreadable(toml_path, "file"));
        return result;
    }
    auto parsed = parse_provider_config(*text, toml_path.string());
    if (auto* errors = std::get_if<std::vector<config_error>>(&parsed)) result.errors = std::move(*errors);
    else result.config = std::move(std::get<provider_config>(parsed));
    return result;
}

std::filesystem::path tenant_config_path(const std::filesystem::path& provider_toml, const tenant_entry& tenant) {
    const std::filesystem::path p(tenant.config);
    return p.is_absolute() ? p : provider_toml.parent_path() / p;
}

std::filesystem::path tenant_data_dir(const std::filesystem::path& provider_data_dir, std::string_view slug) {
    return provider_data_dir / "tenants" / std::string(slug);
}

std::filesystem::path default_config_path() {
    const std::filesystem::path local = "config/campusdesk.toml";
    std::error_code ec;
    if (std::filesystem::exists(local, ec)) return local;
    // The package's binary reads the package's config (/etc is not below the install prefix /usr).
    if (installed_share_dir()) return "/etc/campusdesk/campusdesk.toml";
    return std::filesystem::path(CAMPUSDESK_SOURCE_DIR) / "config" / "campusdesk.toml";
}

namespace {

// A provider's toml and every tenant's config, each checked as `check-config` checks one authority's.
int check_provider_config(const std::filesystem::path& toml_path, std::ostream& out, std::ostream& err) {
    const auto provider = load_provider_config(toml_path);
    if (!provider.errors.empty()) {
        for (const auto& e : provider.errors) err << format_config_error(e) << '\n';
        err << fmt::format("{}: {} error(s) in the provider's configuration\n", toml_path.string(),
                           provider.errors.size());
        return 2;
    }
    const auto& p = *provider.config;
    out << fmt::format("provider config ok: {} tenant(s), provider pages {} ({})\n", p.tenants.size(),
                       p.host.empty() ? std::string("off (no provider.host)") : "at " + p.host, toml_path.string());
    int status = 0;
    for (const auto& t : p.tenants) {
        out << fmt::format("tenant {} ({}; {}):\n", t.slug, t.name, fmt::join(t.hosts, ", "));
        if (is_provider_config_file(tenant_config_path(toml_path, t))) {
            err << fmt::format("{}: tenant {}: its config is a provider's, not a school authority's\n",
                               toml_path.string(), t.slug);
            status = 2;
            continue;
        }
        status = std::max(status, run_check_config(tenant_config_path(toml_path, t), out, err));
    }
    return status;
}

} // namespace

int run_check_config(const std::filesystem::path& toml_path, std::ostream& out, std::ostream& err) {
    if (is_provider_config_file(toml_path)) return check_provider_config(toml_path, out, err);
    const auto loaded = load_config(toml_path);
    if (!loaded.errors.empty()) {
        for (const auto& e : loaded.errors) err << format_config_error(e) << '\n';
        err << fmt::format("{}: {} error(s) in the configuration\n", toml_path.string(), loaded.errors.size());
        return 2;
    }
    const auto& c = *loaded.config;
    out << fmt::format("config ok: {} schools, {} managers, {} categories, {} partners, {} school holiday ranges, "
                       "{} closure days ({})\n",
                       c.schools.size(), c.managers.size(), c.categories.size(), c.partners.size(),
                       c.calendar.school_holidays.size(), c.calendar.closure_days.size(), toml_path.string());
    if (c.oidc.providers.empty()) {
        out << "single sign-on: off (no [[oidc.providers]])\n";
    } else {
        std::string names;
        for (const auto& p : c.oidc.providers) names += fmt::format("{}{} ({})", names.empty() ? "" : ", ", p.id, p.issuer);
        out << fmt::format("single sign-on: {} provider(s): {}; password login {}\n", c.oidc.providers.size(), names,
                           c.oidc.password_logins.empty() ? std::string("for every local account")
                                                          : fmt::format("only for {}", fmt::join(c.oidc.password_logins, ", ")));
        // The providers only accept the registered redirect URI; it is built from public_url.
        if (!c.served_over_https())
            err << "warning: [server] public_url is not https://: the redirect URIs for single sign-on are built from "
                   "the address the browser used (docs/sso.md)\n";
    }
    const auto mail = check_mail_config(c, find_templates_dir(toml_path));
    out << mail.summary << '\n';
    for (const auto& w : mail.warnings) err << "warning: " << w << '\n';
    for (const auto& e : mail.errors) err << "error: " << e << '\n';
    if (!mail.errors.empty()) {
        err << fmt::format("{}: {} error(s) in the mail settings\n", toml_path.string(), mail.errors.size());
        return 2;
    }
    return 0;
}

} // namespace campusdesk
