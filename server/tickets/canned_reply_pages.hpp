// Canned replies ("Textbausteine", issue 16): the page where staff keep them (/textbausteine) and the choices the
// ticket page offers to insert into a reply, an internal note or a status note.
#pragma once

#include "server/accounts/auth.hpp"
#include "server/views/page_renderer.hpp"
#include "storage/canned_reply_repository.hpp"

#include <boost/url.hpp>

namespace campusdesk {

// GET and POST /textbausteine[/…]: every staff member's own replies; the shared ones are kept by the help desk
// (dispatchers, admins), everyone on staff uses them. Teachers get 403.
net::awaitable<http_response> canned_replies_page(app& a, http_request& req, const auth_state& auth,
                                                  const boost::urls::url_view& url);

// The replies `who` may insert on a ticket of `category` (shared and own, for that category or all), as options
// for the ticket page's select (id, title, text for the script), `chosen` (an id) selected.
net::awaitable<page_list> canned_reply_choices(app& a, const user& who, const std::string& category,
                                               const std::string& chosen, language lang);

// The reply `id` if `who` may use it (shared, or their own); nothing otherwise (unknown and someone else's alike).
net::awaitable<std::optional<canned_reply>> usable_canned_reply(app& a, const user& who, std::string_view id);

// `typed` with `inserted` appended after a blank line (or alone when nothing is typed yet).
std::string with_inserted_text(std::string typed, const std::string& inserted);

} // namespace campusdesk
