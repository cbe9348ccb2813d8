// Renders the Mustache templates of templates/ (HTML-escaped by default) into whole pages, German or English.
#pragma once

#include "core/language.hpp"
#include "server/views/mustache_template.hpp"

#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace campusdesk {

// Copies share what was loaded (a provider's tenants render with one set of compiled templates, docs/tenants.md);
// load() replaces it for this copy only.
class page_renderer {
public:
    page_renderer() = default;
    // Loads every *.mustache file and the static assets below `dir/static`; throws if a template is invalid.
    // Each template is compiled once per language: its {{#t}}…{{/t}} marks resolved with `dir/i18n/en.po` (see
    // server/views/i18n.hpp), which also becomes the catalog of tr().
    void load(const std::filesystem::path& dir);

    // One template in `lang`, rendered with `data`.
    std::string render(language lang, const std::string& name, const page_data& data) const;
    // The template inside layout.mustache, which receives the rendered body as `body`; in the language that
    // base_data named as `lang` (German when absent).
    std::string page(const std::string& name, page_data data) const;

    // A static asset (CSS, JS, icons) by file name, or nullptr.
    const std::string* asset(const std::string& name) const;

    // Each German template's text as it is rendered (partials put in place, marks resolved), by name.
    const std::map<std::string, std::string>& sources() const { return compiled_->sources; }
    // Each template's text as written, partials put in place and the {{#t}} marks still there.
    const std::map<std::string, std::string>& marked_sources() const { return compiled_->marked_sources; }

private:
    struct compiled {
        std::map<std::string, std::string> sources, marked_sources;
        std::array<std::map<std::string, mustache_template>, language_count> templates;
        std::map<std::string, std::string> assets;
    };
    std::shared_ptr<const compiled> compiled_ = std::make_shared<const compiled>();
};

// Where templates/ lives: next to the config directory's parent, else the source tree.
std::filesystem::path find_templates_dir(const std::filesystem::path& config_file);

} // namespace campusdesk
