#include "server/http/responses.hpp"

#include "server/http/json_writer.hpp"

namespace campusdesk {
namespace {

void secure_headers(http_response& res) {
    res.set(http::field::server, "campusdesk");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "same-origin");
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'");
}

} // namespace

http_response json_response(http::status status, std::string body) {
    return text_response(status, std::move(body), "application/json; charset=utf-8");
}

http_response json_response(http::status status, const boost::json::value& body) {
    json_writer w;
    w.value(body);
    return json_response(status, w.take());
}

http_response api_error(http::status status, std::string_view code, std::string_view message,
                        std::string_view field) {
    boost::json::object error{{"code", code}, {"message", message}};
    error["field"] = field.empty() ? boost::json::value(nullptr) : boost::json::value(field);
    return json_response(status, boost::json::object{{"error", std::move(error)}});
}

http_response api_error(const request_error& e) { return api_error(e.status, e.code, e.message, e.field); }

http_response html_response(http::status status, std::string body) {
    return text_response(status, std::move(body), "text/html; charset=utf-8");
}

http_response redirect(std::string_view location) {
    http_response res{http::status::see_other, 11};
    secure_headers(res);
    res.set(http::field::location, location);
    return res;
}

http_response text_response(http::status status, std::string body, std::string_view content_type) {
    http_response res{status, 11};
    secure_headers(res);
    res.set(http::field::content_type, content_type);
    // Most of it is behind a login and iPads are shared: nothing is kept unless the caller says so (static assets).
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    return res;
}

} // namespace campusdesk
