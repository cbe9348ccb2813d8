// The English pages beside the German ones (DESIGN.md): one message catalog, templates/i18n/en.po (gettext's PO
// format, which translators' tools read), maps each German text to its English one.
//
// Nothing is translated per request. Templates mark their texts {{#t}}Meine Tickets{{/t}}; page_renderer resolves
// the marks when it loads the templates and compiles one template set per language (the German set is the source
// with the marks taken out). Texts that C++ builds (labels, errors, titles) go through tr(lang, "German"), which
// for German is the text itself and for English one lookup in the catalog loaded at start-up. A text without an
// entry stays German; tests/server/i18n.tests.cpp requires an entry for every marked text and tr() literal.
#pragma once

#include "core/language.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

class message_catalog {
public:
    message_catalog() = default;
    // Reads a PO file's text: msgid/msgstr pairs with C escapes and continued strings; comments and the header
    // entry (empty msgid) are skipped, untranslated entries (empty msgstr) too. Throws std::runtime_error with the
    // line for what it cannot read (msgctxt and plural forms are not used here and are refused).
    static message_catalog from_po(std::string_view text);
    static message_catalog read_po(const std::filesystem::path& file);

    // The translation of a German text, or nullptr.
    const std::string* find(std::string_view german) const;
    const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

private:
    std::map<std::string, std::string, std::less<>> entries_;
};

// The texts a template marks with {{#t}}…{{/t}}, each with its runs of white space made one space and trimmed
// (the catalog's key: a text may be wrapped over lines in the template). Throws template_error for a mark that is
// not closed or that nests another.
std::vector<std::string> marked_texts(std::string_view source);

// The template in one language: each {{#t}}text{{/t}} replaced by the text (no catalog: German) or by its
// translation; a text missing from the catalog stays German.
std::string localize_template(std::string_view source, const message_catalog* catalog);

// The catalog tr() uses, set once at start-up (page_renderer::load) before requests are served.
void install_catalog(language lang, message_catalog catalog);

// A text C++ builds, in `lang`: German is the text itself; English its catalog entry, else the German text.
// `german` is a literal (tests find the literals in the sources and check that each has an entry).
// Inline, so that a German page pays nothing.
std::string_view translated(language lang, std::string_view german);
inline std::string_view tr(language lang, std::string_view german) {
    return lang == language::de ? german : translated(lang, german);
}

// A format string of the catalog, for fmt::format: tests check that a translation keeps the German text's {}.
inline auto tf(language lang, std::string_view german) { return fmt::runtime(tr(lang, german)); }

// A number with `digits` decimals as the language writes it: German "1,5", English "1.5".
std::string decimal(double value, int digits, language lang);

} // namespace campusdesk
