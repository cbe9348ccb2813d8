#include "server/http/client_address.hpp"

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

using namespace campusdesk;

namespace {

struct case_ {
    const char* what;
    const char* peer;
    std::vector<std::string> trusted;
    forwarded_header header;
    std::vector<std::pair<const char*, const char*>> fields;
    const char* client;
};

} // namespace

TEST_CASE("the client address: forwarding headers only from trusted proxies, walked from the right",
          "[server][security][proxy]") {
    const std::vector<std::string> local{"127.0.0.1"};
    const auto xff = forwarded_header::x_forwarded_for;
    const auto fwd = forwarded_header::forwarded;
    const std::vector<case_> cases{
        {"an untrusted peer's header is ignored", "198.51.100.1", local, xff, {{"X-Forwarded-For", "203.0.113.9"}},
         "198.51.100.1"},
        {"an untrusted peer's Forwarded is ignored", "198.51.100.1", local, fwd, {{"Forwarded", "for=203.0.113.9"}},
         "198.51.100.1"},
        {"no proxies configured", "127.0.0.1", {}, xff, {{"X-Forwarded-For", "203.0.113.9"}}, "127.0.0.1"},
        {"the trusted proxy names the client", "127.0.0.1", local, xff, {{"X-Forwarded-For", "203.0.113.9"}},
         "203.0.113.9"},
        {"a spoofed entry before the real client", "127.0.0.1", local, xff,
         {{"X-Forwarded-For", "10.0.0.1, 203.0.113.9"}}, "203.0.113.9"},
        {"a chain through two trusted proxies", "127.0.0.1", {"127.0.0.1", "10.1.1.1"}, xff,
         {{"X-Forwarded-For", "198.51.100.7, 203.0.113.9, 10.1.1.1"}}, "203.0.113.9"},
        {"the client's own entry equal to a proxy is passed over", "127.0.0.1", local, xff,
         {{"X-Forwarded-For", "203.0.113.9,127.0.0.1"}}, "203.0.113.9"},
        {"an entry with a port", "127.0.0.1", local, xff, {{"X-Forwarded-For", "203.0.113.9:4711"}}, "203.0.113.9"},
        {"an IPv6 entry with brackets and port", "127.0.0.1", local, xff,
         {{"X-Forwarded-For", "[2001:db8::1]:4711"}}, "2001:db8::1"},
        {"an IPv6 entry", "127.0.0.1", local, xff, {{"X-Forwarded-For", " 2001:DB8::1 "}}, "2001:db8::1"},
        {"two header lines are one list", "127.0.0.1", local, xff,
         {{"X-Forwarded-For", "203.0.113.9"}, {"X-Forwarded-For", "198.51.100.7"}}, "198.51.100.7"},
        {"an empty header", "127.0.0.1", local, xff, {{"X-Forwarded-For", ""}}, "127.0.0.1"},
        {"only trusted entries", "127.0.0.1", local, xff, {{"X-Forwarded-For", "127.0.0.1"}}, "127.0.0.1"},
        {"empty entries are skipped", "127.0.0.1", local, xff, {{"X-Forwarded-For", "203.0.113.9, ,"}}, "203.0.113.9"},
        {"a trusted IPv6 proxy written in another form", "::1", {"0:0:0:0:0:0:0:1"}, xff,
         {{"X-Forwarded-For", "203.0.113.9"}}, "203.0.113.9"},
        {"a v4-mapped peer is its IPv4 address", "::ffff:127.0.0.1", local, xff, {{"X-Forwarded-For", "203.0.113.9"}},
         "203.0.113.9"},
        {"something not an address ends the walk", "127.0.0.1", local, xff,
         {{"X-Forwarded-For", "203.0.113.9, not-an-address"}}, "not-an-address"},
        {"X-Forwarded-For configured: Forwarded is ignored", "127.0.0.1", local, xff,
         {{"Forwarded", "for=203.0.113.9"}}, "127.0.0.1"},
        {"Forwarded configured: X-Forwarded-For is ignored", "127.0.0.1", local, fwd,
         {{"X-Forwarded-For", "203.0.113.9"}}, "127.0.0.1"},
        {"Forwarded: one element", "127.0.0.1", local, fwd, {{"Forwarded", "for=192.0.2.43"}}, "192.0.2.43"},
        {"Forwarded: the right-most element", "127.0.0.1", local, fwd,
         {{"Forwarded", "for=192.0.2.43, for=198.51.100.17"}}, "198.51.100.17"},
        {"Forwarded: past a trusted hop", "127.0.0.1", {"127.0.0.1", "10.1.1.1"}, fwd,
         {{"Forwarded", "for=192.0.2.43;proto=https, for=10.1.1.1"}}, "192.0.2.43"},
        {"Forwarded: quoted IPv6 with port", "127.0.0.1", local, fwd,
         {{"Forwarded", "for=\"[2001:db8:cafe::17]:4711\""}}, "2001:db8:cafe::17"},
        {"Forwarded: other parameters and case", "127.0.0.1", local, fwd,
         {{"Forwarded", "proto=https;By=203.0.113.43;For=\"192.0.2.60\""}}, "192.0.2.60"},
        {"Forwarded: an element without for=", "127.0.0.1", local, fwd,
         {{"Forwarded", "for=192.0.2.60, proto=https;by=10.0.0.1"}}, "192.0.2.60"},
        {"Forwarded: a comma inside quotes", "127.0.0.1", local, fwd,
         {{"Forwarded", "for=192.0.2.60;host=\"a,b\""}}, "192.0.2.60"},
        {"Forwarded: unknown", "127.0.0.1", local, fwd, {{"Forwarded", "for=192.0.2.60, for=unknown"}}, "unknown"},
        {"Forwarded: an obfuscated node", "127.0.0.1", local, fwd, {{"Forwarded", "for=_hidden"}}, "_hidden"},
        {"Forwarded: two header lines", "127.0.0.1", local, fwd,
         {{"Forwarded", "for=192.0.2.43"}, {"Forwarded", "for=198.51.100.17"}}, "198.51.100.17"},
        {"Forwarded: malformed quoting", "127.0.0.1", local, fwd, {{"Forwarded", "for=\"192.0.2.43"}}, "192.0.2.43"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        app_config config;
        config.trusted_proxies = c.trusted;
        config.forwarded = c.header;
        http_request req{http::verb::post, "/login", 11};
        for (const auto& [name, value] : c.fields) req.insert(name, value);
        CHECK(client_address(config, req, net::ip::make_address(c.peer)) == c.client);
    }
}

TEST_CASE("a forwarded client address is cut to a loggable length", "[server][security][proxy]") {
    app_config config;
    config.trusted_proxies = {"127.0.0.1"};
    http_request req{http::verb::post, "/login", 11};
    req.insert("X-Forwarded-For", std::string(500, 'x'));
    CHECK(client_address(config, req, net::ip::make_address("127.0.0.1")).size() <= 64);
}
