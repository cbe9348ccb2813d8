#include "server/views/mustache_template.hpp"
#include "server/views/page_renderer.hpp"

#include <catch2/catch.hpp>
#include <kainjow/mustache.hpp>

#include <random>
#include <regex>
#include <set>

using namespace campusdesk;

TEST_CASE("page data renders texts escaped, lists per item, empty text as false", "[server][pages]") {
    page_list rows;
    for (const char* title : {"Beamer <defekt> & \"laut\" 'aus'", "WLAN"}) {
        page_data row;
        row.set("title", std::string(title));
        row.set("room", std::string());
        rows.push_back(std::move(row));
    }
    page_data d;
    d.set("count", std::to_string(rows.size()));
    d.set("rows", std::move(rows));
    d.set("title", "alt");
    d.set("title", std::string("neu"));  // a second set replaces the first
    d.set("none", page_list{});
    d.set("html", "<b>fett</b>");
    mustache_template view{
        "{{title}} {{count}}:{{#rows}} [{{title}}{{#room}} in {{room}}{{/room}}]{{/rows}}{{^none}} leer{{/none}} "
        "{{{html}}} {{missing}}{{! a comment }}"};
    CHECK(view.render(d) == "neu 2: [Beamer &lt;defekt&gt; &amp; &quot;laut&quot; &apos;aus&apos;] [WLAN] leer "
                            "<b>fett</b> ");
}

TEST_CASE("standalone section lines leave no trace; others keep their text", "[server][pages]") {
    page_data d;
    d.set("on", true);
    d.set("name", "x");
    mustache_template view{"<ul>\n  {{#on}}\n  <li>{{name}}</li>\n  {{/on}}\n{{^on}}nein{{/on}}\n  {{name}}\n</ul>"};
    CHECK(view.render(d) == "<ul>\n  <li>x</li>\n\n  x\n</ul>");
}

TEST_CASE("templates outside the supported subset are refused when loaded", "[server][pages]") {
    for (const char* bad : {"{{#a}}open", "{{/a}}", "{{#a}}{{/b}}", "{{a.b}}", "{{.}}", "{{> partial}}",
                            "{{=<% %>=}}", "{{a", "{{#a}}\n{{b\n}}{{/a}}"}) {
        INFO(bad);
        CHECK_THROWS_AS(mustache_template{bad}, template_error);
    }
}

namespace {

// Random page data, built twice: as page_data and as the kainjow data the same page would have had.
struct twin_data {
    page_data ours;
    kainjow::mustache::data theirs{kainjow::mustache::data::type::object};
};

twin_data random_page_data(const std::vector<std::string>& names, std::mt19937& rng, int depth) {
    twin_data d;
    for (const auto& name : names) {
        switch (std::uniform_int_distribution<int>(0, depth < 2 ? 7 : 5)(rng)) {
        case 0: break;  // missing
        case 1:
            d.ours.set(name, false);
            d.theirs.set(name, false);
            break;
        case 2:
            d.ours.set(name, true);
            d.theirs.set(name, true);
            break;
        case 3:
            d.ours.set(name, std::string());
            d.theirs.set(name, false);  // what page_data always did with an empty text
            break;
        case 4:
            d.ours.set(name, "Raum 1.12 · Geräte");
            d.theirs.set(name, "Raum 1.12 · Geräte");
            break;
        case 5:
            d.ours.set(name, "<b>\"A&B\"</b> 'x'\n");
            d.theirs.set(name, "<b>\"A&B\"</b> 'x'\n");
            break;
        default: {
            page_list ours;
            kainjow::mustache::data theirs{kainjow::mustache::data::type::list};
            // Up to two items at the top, one below: nesting is what the test is about, and two items at every
            // level made the data (and this test) grow with the square of a template's tag count.
            const int items = std::uniform_int_distribution<int>(0, depth == 0 ? 2 : 1)(rng);
            for (int i = 0; i < items; ++i) {
                auto item = random_page_data(names, rng, depth + 1);
                ours.push_back(std::move(item.ours));
                theirs.push_back(item.theirs);
            }
            d.ours.set(name, std::move(ours));
            d.theirs.set(name, theirs);
        }
        }
    }
    return d;
}

// kainjow leaves a blank line (with the opening tag's indentation) where a section on standalone lines is skipped;
// the Mustache spec, and our renderer, remove standalone lines whether the section renders or not.
std::string without_blank_lines(const std::string& text) {
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        end = end == std::string::npos ? text.size() : end + 1;
        const auto line = std::string_view(text).substr(pos, end - pos);
        if (line.find_first_not_of(" \t\r\n") != std::string_view::npos) out += line;
        pos = end;
    }
    return out;
}

} // namespace

TEST_CASE("every page template renders as kainjow's Mustache renders it (up to blank lines)", "[server][pages]") {
    page_renderer pages;
    pages.load(std::filesystem::path(CAMPUSDESK_SOURCE_DIR) / "templates");
    REQUIRE(pages.sources().size() >= 10);
    const std::regex tag(R"(\{\{[#^/{&]?\s*([A-Za-z0-9_-]+)\s*\}?\}\})");
    for (const auto& [name, source] : pages.sources()) {
        std::set<std::string> unique;
        for (std::sregex_iterator it(source.begin(), source.end(), tag), end; it != end; ++it) unique.insert((*it)[1]);
        const std::vector<std::string> names(unique.begin(), unique.end());
        const mustache_template ours(source);
        kainjow::mustache::mustache theirs(source);
        REQUIRE(theirs.is_valid());
        std::mt19937 rng(42);
        for (int round = 0; round < 200; ++round) {
            const auto data = random_page_data(names, rng, 0);
            const auto expected = without_blank_lines(theirs.render(data.theirs));
            const auto rendered = without_blank_lines(ours.render(data.ours));
            if (rendered != expected) {
                INFO(name << ", round " << round);
                CHECK(rendered == expected);
                break;
            }
        }
    }
}
