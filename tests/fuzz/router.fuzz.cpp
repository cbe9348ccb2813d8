// libFuzzer: raw bytes as one HTTP request through the router, as nobody or as a logged-in demo account.
// The first byte picks who sends it (fuzz_app.hpp); the rest is the request as it arrives on the socket.
#include "tests/fuzz/fuzz_app.hpp"

#include "server/dispatch/dispatch_handlers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace campusdesk;
    if (size < 1) return 0;
    const auto who = static_cast<fuzzing::identity>(data[0] % static_cast<std::uint8_t>(fuzzing::identity::count));
    http_request req;
    if (!fuzzing::parse_request({reinterpret_cast<const char*>(data + 1), size - 1}, req)) return 0;
    if (is_live_stream(req)) return 0;  // the server serves it apart from the router, on the socket
    fuzzing::authenticate_as(who, req);
    fuzzing::run_request(req);
    return 0;
}
