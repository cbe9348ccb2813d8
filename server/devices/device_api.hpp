// The devices' JSON API (issue 18, docs/api-devices.md): /api/v1/devices…, and the device of a ticket.
#pragma once

#include "server/accounts/auth.hpp"

#include <boost/url.hpp>

#include <string>
#include <vector>

namespace campusdesk {

// `rest`: the path's segments after /api/v1/devices.
net::awaitable<http_response> devices_api(app& a, const http_request& req, const user& who,
                                          const boost::urls::url_view& url, const std::vector<std::string>& rest);
// GET /api/v1/tickets/{number}/device
net::awaitable<http_response> ticket_device_api(app& a, const user& who, const std::string& number);

// Whether a request goes to the import (its body may be as large as an upload).
bool is_device_import_target(std::string_view target);

} // namespace campusdesk
