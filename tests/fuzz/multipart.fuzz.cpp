// libFuzzer: multipart/form-data. The first line is the Content-Type header's value, the rest the body.
#include "server/http/multipart.hpp"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace campusdesk;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    if (newline == std::string_view::npos) return 0;
    const auto boundary = multipart_boundary(input.substr(0, newline));
    if (!boundary) return 0;
    if (boundary->empty() || boundary->size() > 70) std::abort();  // RFC 2046's limits, which the parser relies on
    const auto body = input.substr(newline + 1);
    if (auto parts = parse_multipart(body, *boundary, 5)) {
        std::size_t bytes = 0;
        for (const auto& p : *parts) bytes += p.name.size() + p.filename.size() + p.content_type.size() + p.data.size();
        if (parts->size() > 5 || bytes > body.size()) std::abort();  // parts are pieces of the body
    }
    return 0;
}
