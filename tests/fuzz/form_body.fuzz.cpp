// libFuzzer: application/x-www-form-urlencoded bodies of the pages' forms.
#include "server/http/form_body.hpp"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace campusdesk;
    const std::string body(reinterpret_cast<const char*>(data), size);
    if (auto fields = parse_form(body)) {
        for (const auto& [name, value] : *fields)
            if (field_or_empty(*fields, name) != value) std::abort();
        (void)field_or_empty(*fields, "csrf");
    }
    return 0;
}
