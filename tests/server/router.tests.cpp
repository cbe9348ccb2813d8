#include "server/http/router.hpp"
#include "tests/server/test_server.hpp"

#include <catch2/catch.hpp>

using namespace campusdesk::testing;

TEST_CASE("/metrics is for the operators only", "[server][router][metrics]") {
    temp_dir data;
    SECTION("without a token: direct loopback connections only") {
        server_process server(data.path);
        client scraper(server.port());
        auto direct = scraper.get("/metrics");
        CHECK(direct.status == 200);
        CHECK(direct.body.find("campusdesk_requests_total") != std::string::npos);
        // A reverse proxy on the same machine forwards requests from anywhere.
        for (const char* header : {"X-Forwarded-For", "Forwarded", "X-Real-IP"}) {
            auto proxied = scraper.request(http::verb::get, "/metrics", {}, {}, {{header, "203.0.113.9"}});
            CHECK(proxied.status == 403);
            CHECK(proxied.body.find("campusdesk_requests_total") == std::string::npos);
        }
    }
    SECTION("with a token: only with the token") {
        const std::string token = "scrape-0123456789abcdef";
        const auto config = write_config(data.path, {{"security", "metrics_token = \"" + token + "\""}});
        server_process server(data.path / "db", {"--demo", "--config", config.string()});
        client scraper(server.port());
        CHECK(scraper.get("/metrics").status == 403);
        CHECK(scraper.request(http::verb::get, "/metrics", {}, {}, {{"Authorization", "Bearer wrong"}}).status == 403);
        auto r = scraper.request(http::verb::get, "/metrics", {}, {}, {{"Authorization", "Bearer " + token}});
        CHECK(r.status == 200);
        CHECK(r.headers["cache-control"] == "no-store");
    }
    SECTION("a short token is a config error") {
        const auto config = write_config(data.path, {{"security", "metrics_token = \"short\""}});
        auto r = run_campusdesk({"check-config", "--config", config.string()});
        CHECK(r.status == 2);
        CHECK(r.err.find("security.metrics_token") != std::string::npos);
    }
}
