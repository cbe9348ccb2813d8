#include "server/page_renderer.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk;

TEST_CASE("page data moved in renders like copied data; empty text counts as false", "[server][pages]") {
    page_list rows;
    for (const char* title : {"Beamer <defekt>", "WLAN"}) {
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
    kainjow::mustache::mustache view{
        "{{title}} {{count}}:{{#rows}} [{{title}}{{#room}} in {{room}}{{/room}}]{{/rows}}{{^none}} leer{{/none}}"};
    CHECK(view.render(d) == "neu 2: [Beamer &lt;defekt&gt;] [WLAN] leer");
}
