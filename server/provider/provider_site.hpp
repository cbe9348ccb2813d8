// A provider's process (issue 21, docs/tenants.md): which tenant a request's Host names, and the provider admins'
// own site (login, the tenants with their usage and SLA figures, a tenant's backup as a download) on the provider
// host. Every tenant is a whole `app` of its own; nothing here reads or writes a tenant's data but through it.
#pragma once

#include "core/provider_config.hpp"
#include "server/app.hpp"
#include "server/http/http_server.hpp"
#include "server/views/page_renderer.hpp"

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace campusdesk {

struct tenant_site {
    const tenant_entry* entry;
    app* a;
};

// The exact host names of the provider's config. One request costs one scan of a few short names, without copying
// or allocating (a provider with 20 tenants: some 20 to 40 comparisons of a few bytes).
class host_routes {
public:
    host_routes(const provider_config& config, const std::vector<tenant_site>& tenants);
    // The tenant the request's Host names, or nullptr (the provider's host, or an unknown one).
    app* tenant_of(const http_request& req) const;
    bool is_provider_host(const http_request& req) const;

private:
    std::vector<std::pair<std::string, app*>> hosts_;
    std::string provider_host_;
};

class provider_site {
public:
    provider_site(const provider_config& config, const std::filesystem::path& data_dir,
                  std::vector<tenant_site> tenants, shared_pools& pools, const page_renderer& pages, bool demo);

    // A request to the provider's host; runs on the shared reader threads (provider.db and the tenants' figures are
    // read there).
    net::awaitable<http_response> handle(http_request& req, net::ip::address peer);
    // A request to a host nobody is configured for: "Unbekannte Adresse", 404, whatever it asks for.
    net::awaitable<http_response> unknown_host(const http_request& req) const;
    // The body limit of a request to the provider's or an unknown host: forms of a few fields.
    static net::awaitable<std::size_t> body_limit(const http_request& header_only);
    // POST /mandanten/<slug>/export: the tenant's backup, written to the connection as a file (it may be large).
    static bool is_export(const http_request& req);
    net::awaitable<void> serve_export(http_request& req, beast::tcp_stream& stream);

    // --demo: the provider admin "provider" with the password "demo", when there is none yet.
    bool add_demo_admin();

    const std::vector<tenant_site>& tenants() const { return tenants_; }

private:
    struct session;
    struct export_result;
    std::optional<session> authenticate(const http_request& req);
    net::awaitable<http_response> route(http_request& req, net::ip::address peer);
    http_response login_page(const http_request& req, http::status status, std::string error, std::string login) const;
    net::awaitable<http_response> post_login(const http_request& req, const net::ip::address& peer);
    net::awaitable<http_response> tenants_page(const http_request& req, const session& s);
    http_response message_page(const http_request& req, http::status status, std::string_view title,
                               std::string_view message, const std::string& page = "error") const;
    export_result make_export(const http_request& req);
    std::string cookie_name(std::string_view base) const;
    std::string cookie(std::string_view base, std::string_view value, time_ms max_age) const;

    provider_config config_;
    std::filesystem::path data_dir_;
    std::vector<tenant_site> tenants_;
    shared_pools& pools_;
    page_renderer pages_;
    bool demo_;
    login_throttle throttle_;
    std::mutex db_mutex_;  // provider.db: one connection, used on the reader threads only
    SQLite::Database db_;
};

} // namespace campusdesk
