// Renders the Mustache templates of templates/ (HTML-escaped by default) into whole German pages.
#pragma once

#include "server/views/mustache_template.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace campusdesk {

class page_renderer {
public:
    page_renderer() = default;
    // Loads every *.mustache file and the static assets below `dir/static`; throws if a template is invalid.
    void load(const std::filesystem::path& dir);

    // One template, rendered with `data`.
    std::string render(const std::string& name, const page_data& data) const;
    // The template inside layout.mustache, which receives the rendered body as `body`.
    std::string page(const std::string& name, page_data data) const;

    // A static asset (CSS, JS, icons) by file name, or nullptr.
    const std::string* asset(const std::string& name) const;

    // Each template's text as it is rendered (partials put in place), by name.
    const std::map<std::string, std::string>& sources() const { return sources_; }

private:
    std::map<std::string, std::string> sources_;
    std::map<std::string, mustache_template> templates_;
    std::map<std::string, std::string> assets_;
};

// Where templates/ lives: next to the config directory's parent, else the source tree.
std::filesystem::path find_templates_dir(const std::filesystem::path& config_file);

} // namespace campusdesk
