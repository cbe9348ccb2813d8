// Building HTTP answers: JSON, HTML, redirects and API errors, all with the same security headers.
#pragma once

#include "server/http/net.hpp"
#include "server/tickets/ticket_service.hpp"

#include <boost/json.hpp>

namespace campusdesk {

http_response json_response(http::status status, const boost::json::value& body);
// `body` is JSON text already (json_writer).
http_response json_response(http::status status, std::string body);
http_response api_error(http::status status, std::string_view code, std::string_view message,
                        std::string_view field = {});
http_response api_error(const request_error& e);
http_response html_response(http::status status, std::string body);
http_response redirect(std::string_view location);
http_response text_response(http::status status, std::string body, std::string_view content_type);

} // namespace campusdesk
