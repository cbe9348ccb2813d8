// The campusdesk app the request fuzz targets run the router against: the repository's config and demo data on a
// temporary data directory, with sessions and API tokens of fixed values so that fuzzed requests reach the
// authenticated handlers (the seeds carry them in cookies, headers and form fields).
#pragma once

#include "server/app.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace campusdesk::fuzzing {

// Who sends a request: nobody, or a demo account by session cookie (with its CSRF token) or by API token.
enum class identity : std::uint8_t { anonymous, teacher, manager, dispatcher, admin_bearer, teacher_bearer, count };

// The session cookie value, CSRF token and API token of each account are "s-<login>", "c-<login>" and "b-<login>",
// for the logins teacher-<first school>, manager01, dispatch1 and admin.
app& the_app();
std::string_view teacher_login();

// Adds the identity's Cookie and X-CSRF-Token (or Authorization) to the request unless it has them already.
void authenticate_as(identity who, http_request& req);

// Runs handle_request to completion on this thread. Aborts (a crash for libFuzzer) when an exception escapes or
// the answer is a 5xx other than 503 (storage unavailable), since bad input must never cause those.
http_response run_request(http_request& req);

// Parses raw bytes as one HTTP request as the server's reader would; false if they are not a complete request.
bool parse_request(std::string_view bytes, http_request& req);

} // namespace campusdesk::fuzzing
