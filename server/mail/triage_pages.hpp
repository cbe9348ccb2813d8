// The help desk's list of incoming mail that became nothing by itself (unknown senders, replies that could not be
// taken, failures): /dispatch/mail, with a ticket for a chosen teacher or discarding as the decisions.
#pragma once

#include "server/accounts/auth.hpp"

#include <string>

namespace campusdesk {

// GET /dispatch/mail; GET /dispatch/mail/{id}.eml (the raw mail); POST /dispatch/mail/{id}/ticket (field
// `teacher`: a teacher's login) and /dispatch/mail/{id}/discard. Dispatchers and admins; CSRF on every POST.
net::awaitable<http_response> mail_triage_page(app& a, http_request& req, const auth_state& auth,
                                               const std::string& rest);

} // namespace campusdesk
