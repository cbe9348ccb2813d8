// The ticket pages: "Störung melden", "Meine Tickets", the manager queue, the visit plan and the ticket page with
// its action forms.
#pragma once

#include "server/accounts/auth.hpp"
#include "server/tickets/ticket_service.hpp"
#include "server/views/page_renderer.hpp"

#include <boost/url.hpp>

#include <optional>

namespace campusdesk {

page_data ticket_form_data(const app& a, const auth_state& auth, const ticket_draft& draft,
                           const std::vector<field_error>& errors);
net::awaitable<http_response> post_ticket_form(app& a, const http_request& req, const auth_state& auth);
// "Meine Tickets" (queue = false) and the staff queue (queue = true), with the queue's filters.
net::awaitable<http_response> list_page(app& a, const auth_state& auth, const boost::urls::url_view& url, bool queue);
net::awaitable<http_response> visit_plan_page(app& a, const auth_state& auth, const boost::urls::url_view& url);
net::awaitable<http_response> show_ticket_page(app& a, const auth_state& auth, const std::string& number,
                                               const boost::urls::url_view& url,
                                               const std::optional<request_error>& refused = std::nullopt);
// POST /tickets/{number}/{reply|status|priority|assign|escalate|attachments} from the ticket page's forms.
net::awaitable<http_response> post_ticket_action_form(app& a, const http_request& req, const auth_state& auth,
                                                      const std::string& number, const std::string& action,
                                                      const boost::urls::url_view& url);

} // namespace campusdesk
