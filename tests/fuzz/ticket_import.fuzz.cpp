// libFuzzer: `campusdesk import` files (JSON lines) against the demo database; a valid file is imported.
#include "server/cli/ticket_import.hpp"

#include "tests/fuzz/fuzz_app.hpp"

#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace campusdesk;
    auto& a = fuzzing::the_app();
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    auto result = import_tickets(in, a.storage->writer(), a.config, a.calendar, now_ms());
    if (auto* error = std::get_if<import_error>(&result)) (void)format_import_error(*error);
    return 0;
}
