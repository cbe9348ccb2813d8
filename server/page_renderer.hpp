// Renders the Mustache templates of templates/ (HTML-escaped by default) into whole German pages.
#pragma once

#include <kainjow/mustache.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace campusdesk {

// Mustache data in which an empty string counts as false, as in most Mustache implementations, so that
// {{#room}}…{{/room}} shows nothing for a ticket without a room (kainjow alone treats "" as true).
using page_list = kainjow::mustache::list;
class page_data : public kainjow::mustache::data {
public:
    using kainjow::mustache::data::data;
    using kainjow::mustache::data::set;
    void set(const std::string& name, std::string value) {
        if (value.empty()) return put(name, kainjow::mustache::data(false));
        kainjow::mustache::data text(kainjow::mustache::data::type::string);
        const_cast<std::string&>(text.string_value()) = std::move(value);
        put(name, std::move(text));
    }
    void set(const std::string& name, const char* value) { set(name, std::string(value)); }
    void set(const std::string& name, page_list&& list) {
        kainjow::mustache::data value(kainjow::mustache::data::type::list);
        const_cast<page_list&>(value.list_value()).swap(list);
        put(name, std::move(value));
    }

private:
    // kainjow's set() copies what it is given (a 100-row list: every row's every field, twice per page). Values
    // are moved in instead: set() makes the entry, which is then assigned. The const_casts reach members of
    // this object and of `value`, which are not const; kainjow only hands them out as const.
    void put(const std::string& name, kainjow::mustache::data&& value) {
        kainjow::mustache::data::set(name, false);
        *const_cast<kainjow::mustache::data*>(get(name)) = std::move(value);
    }
};

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

private:
    std::map<std::string, std::string> sources_;
    std::map<std::string, std::string> assets_;
    std::size_t generation_ = 0;
};

// Where templates/ lives: next to the config directory's parent, else the source tree.
std::filesystem::path find_templates_dir(const std::filesystem::path& config_file);

} // namespace campusdesk
