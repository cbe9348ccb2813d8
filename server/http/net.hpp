// Short aliases for the Boost namespaces used throughout the server.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace campusdesk {
using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;
} // namespace campusdesk
