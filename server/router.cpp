#include "server/router.hpp"

#include "server/api_handlers.hpp"
#include "server/page_handlers.hpp"
#include "server/responses.hpp"

#include <SQLiteCpp/Exception.h>

#include <iostream>

namespace campusdesk {
namespace {

std::string_view content_type_of(std::string_view name) {
    if (name.ends_with(".css")) return "text/css; charset=utf-8";
    if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
    if (name.ends_with(".svg")) return "image/svg+xml";
    if (name.ends_with(".png")) return "image/png";
    return "application/octet-stream";
}

http_response metrics_response(app& a) {
    const auto& m = a.metrics;
    std::string body = fmt::format(
        "# HELP campusdesk_requests_total HTTP requests handled.\n# TYPE campusdesk_requests_total counter\n"
        "campusdesk_requests_total {}\n"
        "# HELP campusdesk_responses_4xx_total Answers with a 4xx status.\n# TYPE campusdesk_responses_4xx_total counter\n"
        "campusdesk_responses_4xx_total {}\n"
        "# HELP campusdesk_responses_5xx_total Answers with a 5xx status.\n# TYPE campusdesk_responses_5xx_total counter\n"
        "campusdesk_responses_5xx_total {}\n"
        "# HELP campusdesk_tickets_created_total Tickets filed since start.\n# TYPE campusdesk_tickets_created_total counter\n"
        "campusdesk_tickets_created_total {}\n"
        "# HELP campusdesk_write_queue_waiting Write commands waiting for the writer.\n# TYPE campusdesk_write_queue_waiting gauge\n"
        "campusdesk_write_queue_waiting {}\n"
        "# HELP campusdesk_write_batches_total Group-commit transactions.\n# TYPE campusdesk_write_batches_total counter\n"
        "campusdesk_write_batches_total {}\n",
        m.requests.load(), m.responses_4xx.load(), m.responses_5xx.load(), m.tickets_created.load(),
        a.storage->writer().waiting(), a.storage->writer().batches_committed());
    return text_response(http::status::ok, std::move(body), "text/plain; version=0.0.4; charset=utf-8");
}

net::awaitable<http_response> route(app& a, http_request& req) {
    auto parsed = boost::urls::parse_origin_form(req.target());
    if (!parsed) co_return api_error(http::status::bad_request, "malformed_url", "Ungültige Adresse.");
    const auto url = *parsed;
    const std::string path = url.path();
    if (path.starts_with("/api/v1/")) co_return co_await handle_api(a, req, url);
    if (path == "/healthz") {
        co_await a.storage->read([](SQLite::Database& db) { return db.execAndGet("SELECT 1").getInt(); });
        co_return json_response(http::status::ok, boost::json::object{{"status", "ok"}});
    }
    if (path == "/metrics") co_return metrics_response(a);
    if (path.starts_with("/static/")) {
        const auto name = path.substr(8);
        if (const auto* asset = a.pages.asset(name)) {
            auto res = text_response(http::status::ok, *asset, content_type_of(name));
            res.set(http::field::cache_control, "public, max-age=3600");
            co_return res;
        }
        co_return text_response(http::status::not_found, "Nicht gefunden", "text/plain; charset=utf-8");
    }
    co_return co_await handle_page(a, req, url);
}

} // namespace

std::size_t body_limit_for(const app& a, const http::request_header<>& header) {
    const std::string_view type = header[http::field::content_type];
    if (is_upload_target(header.target()) || type.starts_with("multipart/form-data"))
        return a.config.limits.max_upload_bytes * a.config.limits.max_files_per_upload + 64 * 1024;
    return a.config.limits.max_body_bytes;
}

net::awaitable<http_response> handle_request(app& a, http_request& req) {
    ++a.metrics.requests;
    http_response res;
    bool unavailable = false;
    std::string reason;
    try {
        res = co_await route(a, req);
    } catch (const write_queue_full&) {
        unavailable = true;
        reason = "write queue full";
    } catch (const SQLite::Exception& e) {
        // Storage trouble (disk full, I/O error, locked too long) is never the client's fault: ask to retry.
        unavailable = true;
        reason = e.what();
    }
    if (unavailable) {
        std::cerr << fmt::format(R"({{"level":"warn","msg":"storage unavailable","error":"{}"}})", reason) << std::endl;
        res = api_error(http::status::service_unavailable, "unavailable",
                        "Der Speicher ist gerade nicht verfügbar. Bitte gleich noch einmal versuchen.");
        res.set(http::field::retry_after, "1");
    }
    const auto code = static_cast<unsigned>(res.result());
    if (code >= 500) ++a.metrics.responses_5xx;
    else if (code >= 400) ++a.metrics.responses_4xx;
    co_return res;
}

} // namespace campusdesk
