#include "server/http/router.hpp"

#include "server/http/log.hpp"
#include "server/http/api_router.hpp"
#include "server/devices/device_api.hpp"
#include "server/accounts/auth.hpp"
#include "server/accounts/credentials.hpp"
#include "server/http/metrics.hpp"
#include "server/http/page_router.hpp"
#include "server/views/page_frame.hpp"
#include "server/http/responses.hpp"
#include "storage/database.hpp"

#include <charconv>

namespace campusdesk {
namespace {

std::string_view content_type_of(std::string_view name) {
    if (name.ends_with(".css")) return "text/css; charset=utf-8";
    if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
    if (name.ends_with(".svg")) return "image/svg+xml";
    if (name.ends_with(".png")) return "image/png";
    return "application/octet-stream";
}

// /metrics tells how busy the service is and how many logins fail: for the operators' scraper only.
bool may_read_metrics(const security_config& security, const http_request& req, const net::ip::address& peer) {
    if (!security.metrics_token.empty()) {
        const std::string_view authorization = req[http::field::authorization];
        constexpr std::string_view bearer = "Bearer ";
        return authorization.starts_with(bearer) &&
               constant_time_equal(authorization.substr(bearer.size()), security.metrics_token);
    }
    // A reverse proxy on the same machine makes every client look local: what it forwarded is not local.
    for (auto field : {"Forwarded", "X-Forwarded-For", "X-Real-IP"})
        if (req.find(field) != req.end()) return false;
    auto address = peer;
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
    return address.is_loopback();
}

net::awaitable<http_response> route(app& a, http_request& req, const net::ip::address& peer) {
    auto parsed = boost::urls::parse_origin_form(req.target());
    if (!parsed) co_return api_error(http::status::bad_request, "malformed_url", "Ungültige Adresse.");
    const auto url = *parsed;
    const std::string path = url.path();
    if (path.starts_with("/api/v1/")) co_return co_await handle_api(a, req, url, peer);
    if (path == "/healthz") {
        co_await a.storage->read([](SQLite::Database& db) { return database_answers(db); });
        co_return json_response(http::status::ok, boost::json::object{{"status", "ok"}});
    }
    if (path == "/metrics") {
        if (!may_read_metrics(a.config.security, req, peer)) {
            log_security(security_event::permission_denied,
                         {{"target", "/metrics"}, {"client", client_address(a.config, req, peer)}});
            co_return api_error(http::status::forbidden, "forbidden", "Nur für den Betrieb.");
        }
        auto body = co_await metrics_text(a);
        co_return text_response(http::status::ok, std::move(body), "text/plain; version=0.0.4; charset=utf-8");
    }
    if (path.starts_with("/static/")) {
        const auto name = path.substr(std::string_view("/static/").size());
        if (const auto* asset = a.pages.asset(name)) {
            auto res = text_response(http::status::ok, *asset, content_type_of(name));
            res.set(http::field::cache_control, "public, max-age=3600");
            co_return res;
        }
        co_return text_response(http::status::not_found, "Nicht gefunden", "text/plain; charset=utf-8");
    }
    co_return co_await handle_page(a, req, url, peer);
}

} // namespace

net::awaitable<std::size_t> body_limit_for(app& a, const http_request& header_only) {
    const auto& limits = a.config.limits;
    const std::string_view type = header_only[http::field::content_type];
    // Uploads, and device inventories (a city's 90,000 devices are some 10 MB of CSV), may be as large as the files
    // of one upload together.
    const std::size_t route_limit = is_upload_target(header_only.target()) || type.starts_with("multipart/form-data") ||
                                            is_device_import_target(header_only.target())
                                        ? limits.max_upload_bytes * limits.max_files_per_upload + 64 * 1024
                                        : limits.max_body_bytes;
    const std::size_t anonymous_limit = std::min(route_limit, limits.max_unauthenticated_body_bytes);
    // A body small enough for anybody is read at once (a login, most forms); a larger or chunked one only for a
    // known session or API token, so that nobody makes the server buffer megabytes without logging in.
    const std::string_view length_text = header_only[http::field::content_length];
    std::uint64_t length = 0;
    const auto [end, ec] = std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
    if (!length_text.empty() && ec == std::errc{} && end == length_text.data() + length_text.size() &&
        length <= anonymous_limit)
        co_return route_limit;
    try {
        const auto auth = co_await authenticate(a, header_only);
        if (auth.who) co_return route_limit;
    } catch (const std::exception& e) {
        // The handler would answer 503; without knowing the user, the smaller limit is the safe one.
        log_line(log_level::warning, "body limit: session not checked", {{"error", e.what()}});
    }
    co_return anonymous_limit;
}

net::awaitable<http_response> handle_request(app& a, http_request& req, net::ip::address peer,
                                             std::chrono::steady_clock::time_point received) {
    ++a.metrics.requests;
    http_response res;
    bool unavailable = false;
    std::string reason;
    try {
        res = co_await route(a, req, peer);
    } catch (const write_queue_full&) {
        unavailable = true;
        reason = "write queue full";
    } catch (const storage_error& e) {
        // Storage trouble (disk full, I/O error, locked too long) is never the client's fault: ask to retry.
        unavailable = true;
        reason = e.what();
    } catch (...) {
        // http_server answers 500 for it.
        a.metrics.routes.record(req.method(), req.target(), 500, std::chrono::steady_clock::now() - received);
        ++a.metrics.responses_5xx;
        throw;
    }
    if (unavailable) {
        log_line(log_level::warning, "storage unavailable", {{"error", reason}});
        res = api_error(http::status::service_unavailable, "unavailable",
                        "Der Speicher ist gerade nicht verfügbar. Bitte gleich noch einmal versuchen.");
        res.set(http::field::retry_after, "1");
    }
    if (a.config.served_over_https())
        res.set(http::field::strict_transport_security, "max-age=31536000");  // one year (ASVS 3.4.1)
    const auto code = static_cast<unsigned>(res.result());
    a.metrics.routes.record(req.method(), req.target(), code, std::chrono::steady_clock::now() - received);
    if (code >= 500) ++a.metrics.responses_5xx;
    else if (code >= 400) ++a.metrics.responses_4xx;
    co_return res;
}

} // namespace campusdesk
