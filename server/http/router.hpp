// The one entry point for every request: dispatch to API, pages, static files and operations endpoints, and the
// single place where storage failures become 503.
#pragma once

#include "server/app.hpp"

namespace campusdesk {

// `peer` is the address the request came from (a trusted proxy's X-Forwarded-For names the client then); by value,
// since the coroutine may outlive a temporary passed in. `received`: when the io thread handed the request over,
// so that the latency in /metrics includes the wait for a reader thread.
net::awaitable<http_response> handle_request(app& a, http_request& req, net::ip::address peer,
                                             std::chrono::steady_clock::time_point received);

// How large a body the request may carry, from its header: its route's limit, or much less for a body larger
// than anybody may send without a session or API token (checked only then).
net::awaitable<std::size_t> body_limit_for(app& a, const http_request& header_only);

} // namespace campusdesk
