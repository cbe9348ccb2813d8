// libFuzzer: the Mustache subset. The input is a template; if it compiles it is rendered with data holding every
// kind of value under short names (a b c d e f g h, and n inside list items); lists only for a few sections.
#include "server/views/mustache_template.hpp"

#include <algorithm>
#include <cstdint>

namespace {

campusdesk::page_data make_data(bool with_lists) {
    using campusdesk::page_data;
    page_data d;
    d.set("a", std::string("<b>\"Tom\" & 'Jerry'</b>"));
    d.set("b", true);
    d.set("e", false);
    d.set("f", campusdesk::page_list{});
    d.set("g", std::string("{{a}}"));
    if (!with_lists) return d;
    campusdesk::page_list items;
    for (int i = 0; i < 2; ++i) {
        page_data item;
        item.set("n", std::to_string(i));
        item.set("b", i % 2 == 0);
        if (i == 1) item.set("h", campusdesk::page_list{item});
        items.push_back(std::move(item));
    }
    d.set("c", items);
    page_data object;
    object.set("d", std::string("nested"));
    object.set("c", campusdesk::page_list{});
    d.set("d", std::move(object));
    return d;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace campusdesk;
    static const page_data values = make_data(true);
    static const page_data flat = make_data(false);
    const std::string_view source(reinterpret_cast<const char*>(data), size);
    // Nested sections over a list render it once per item per level (Mustache looks names up through the stack):
    // 2^n with n levels is by design, and the templates are ours, so inputs with many sections are left out.
    // Without lists every section renders at most once.
    const bool few_sections = std::count(source.begin(), source.end(), '#') + std::count(source.begin(), source.end(), '^') <= 10;
    try {
        mustache_template t(source);
        std::string out;
        t.render(flat, out);
        if (few_sections) (void)t.render(values);
    } catch (const template_error&) {
    }
    return 0;
}
