// The ticket pages: "Störung melden", "Meine Tickets", the manager queue, the visit plan and the ticket page with
// its action forms.
#pragma once

#include "server/http/form_body.hpp"
#include "server/accounts/auth.hpp"
#include "server/tickets/ticket_service.hpp"
#include "server/views/page_renderer.hpp"

#include <boost/url.hpp>

#include <optional>

namespace campusdesk {

// The "Störung melden" form, after a refusal with its errors and entries. A browser cannot be given files back,
// so `dropped_files` names those that came with the refused form, for the page to ask for them again.
page_data ticket_form_data(const app& a, const auth_state& auth, const ticket_draft& draft,
                           const std::vector<field_error>& errors, const std::vector<std::string>& dropped_files = {});
// POST /tickets ("Störung melden", "Ticket anlegen") and, with `phone`, POST /dispatch/telefon: the help desk
// files a call for a teacher or a caller without an account (issue 16; dispatchers and admins only).
net::awaitable<http_response> post_ticket_form(app& a, const http_request& req, const auth_state& auth,
                                               bool phone = false);
// GET /dispatch/telefon[?school=…]: the phone intake's form; first the school, then its teachers are offered.
net::awaitable<http_response> phone_intake_page(app& a, const auth_state& auth, const boost::urls::url_view& url);
// "Meine Tickets" (queue = false) and the staff queue (queue = true), with the queue's filters.
net::awaitable<http_response> list_page(app& a, const auth_state& auth, const boost::urls::url_view& url, bool queue);
net::awaitable<http_response> visit_plan_page(app& a, const auth_state& auth, const boost::urls::url_view& url);
// A form of the ticket page that was refused: which one, why, and what was entered, so that the page shows the
// error at its field and keeps the entries (reply, status, confirm, reopen, withdraw, priority, escalate, assign,
// attachments).
struct refused_form {
    std::string form;
    request_error error;
    form_fields values;
};

net::awaitable<http_response> show_ticket_page(app& a, const auth_state& auth, const std::string& number,
                                               const boost::urls::url_view& url,
                                               const refused_form* refused = nullptr);
// POST /tickets/{number} from the ticket page's forms (the form says which action in its field "action", a
// multipart body is an upload), so that a refused form is answered at the ticket's own URL; and
// POST /tickets/{number}/{reply|status|priority|assign|escalate|attachments}, the board's quick actions, which
// go back to the board with what happened. `action` is empty for the first.
net::awaitable<http_response> post_ticket_action_form(app& a, const http_request& req, const auth_state& auth,
                                                      const std::string& number, const std::string& action,
                                                      const boost::urls::url_view& url);

} // namespace campusdesk
