#include "server/views/page_renderer.hpp"
#include "server/install_paths.hpp"
#include "server/views/i18n.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace campusdesk {
namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

void page_renderer::load(const std::filesystem::path& dir) {
    // The mail templates' directory has no catalog (each language has templates of its own there).
    const auto english_file = dir / "i18n" / "en.po";
    const bool has_catalog = std::filesystem::exists(english_file);
    auto english = has_catalog ? message_catalog::read_po(english_file) : message_catalog();
    auto next = std::make_shared<compiled>();
    std::map<std::string, std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".mustache") files[entry.path().stem().string()] = read_file(entry.path());
    // Templates named partial_* are included by others ({{> partial_board_row}}). They are put in place here, once,
    // so that rendering never looks a partial up.
    for (auto& [name, text] : files) {
        for (const auto& [partial_name, partial] : files) {
            if (!partial_name.starts_with("partial_")) continue;
            for (const auto& tag : {"{{> " + partial_name + "}}", "{{>" + partial_name + "}}"})
                for (auto at = text.find(tag); at != std::string::npos; at = text.find(tag, at + partial.size()))
                    text.replace(at, tag.size(), partial);
        }
        if (text.find("{{>") != std::string::npos)
            throw std::runtime_error(fmt::format("{}: only partial_* templates can be included", name));
        try {
            for (auto lang : {language::de, language::en}) {
                auto localized = localize_template(text, lang == language::de ? nullptr : &english);
                next->templates[static_cast<std::size_t>(lang)].insert_or_assign(name, mustache_template(localized));
                if (lang == language::de) next->sources[name] = std::move(localized);
            }
        } catch (const template_error& e) {
            throw std::runtime_error(fmt::format("{}: {}", (dir / (name + ".mustache")).string(), e.what()));
        }
        // A copy: `text` may be a partial that templates later in the map still put in place.
        next->marked_sources[name] = text;
    }
    if (has_catalog) install_catalog(language::en, std::move(english));
    if (std::filesystem::is_directory(dir / "static"))
        for (const auto& entry : std::filesystem::directory_iterator(dir / "static"))
            if (entry.is_regular_file()) next->assets[entry.path().filename().string()] = read_file(entry.path());
    compiled_ = std::move(next);
}

std::string page_renderer::render(language lang, const std::string& name, const page_data& data) const {
    const auto& set = compiled_->templates[static_cast<std::size_t>(lang)];
    auto it = set.find(name);
    if (it == set.end()) throw std::runtime_error("no template " + name);
    return it->second.render(data);
}

std::string page_renderer::page(const std::string& name, page_data data) const {
    const auto* code = data.find("lang");
    const auto lang = code ? parse_language(code->text).value_or(language::de) : language::de;
    data.set("body", render(lang, name, data));
    return render(lang, "layout", data);
}

const std::string* page_renderer::asset(const std::string& name) const {
    auto it = compiled_->assets.find(name);
    return it == compiled_->assets.end() ? nullptr : &it->second;
}

std::filesystem::path find_templates_dir(const std::filesystem::path& config_file) {
    // A checkout (and /opt/campusdesk) keeps templates/ beside config/; an installed package in its share dir.
    auto beside = config_file.parent_path().parent_path() / "templates";
    if (std::filesystem::is_directory(beside)) return beside;
    if (auto share = installed_share_dir()) return *share / "templates";
    return std::filesystem::path(CAMPUSDESK_SOURCE_DIR) / "templates";
}

} // namespace campusdesk
