// The one entry point for every request: dispatch to API, pages, static files and operations endpoints, and the
// single place where storage failures become 503.
#pragma once

#include "server/app.hpp"

namespace campusdesk {

net::awaitable<http_response> handle_request(app& a, http_request& req);

// How large a body the request's route accepts.
std::size_t body_limit_for(const app& a, const http::request_header<>& header);

} // namespace campusdesk
