// A provider's installation (issue 21): one campusdesk process for several school authorities (tenants). The
// provider's toml names the process-wide settings and, per tenant, its slug, display name, host names and the path
// of its own campusdesk.toml (its state, holidays, schools, managers, SLA policy, mail, ...). Pure parsing; the
// files are read by server/tenants.
#pragma once

#include "core/app_config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

struct tenant_entry {
    std::string slug;                // [a-z0-9-], 1..40: the data directory <data>/tenants/<slug>, --tenant SLUG
    std::string name;                // shown in the tenant's page header and on the provider's pages
    std::vector<std::string> hosts;  // exact host names, lower case, without port
    std::string config;              // the tenant's campusdesk.toml, relative to the provider toml's directory
    int line = 0;                    // where the entry starts (errors in the tenant's own config name it)
};

struct provider_config {
    std::string name = "campusdesk";         // the provider, on its pages
    std::string listen = "127.0.0.1:8080";
    std::string data_dir = "data";           // <data>/provider.db, <data>/tenants/<slug>/
    int threads = 0;                         // io threads, 0 = one per core; request handlers run on one more
    int cache_mb_per_connection = 16;        // SQLite's page cache of each tenant connection (filled as used)
    std::string host;                        // the provider admins' host name; empty: no provider pages
    std::string public_url;                  // https://… makes the provider's cookies __Host- and Secure
    std::vector<tenant_entry> tenants;       // at least one

    const tenant_entry* find(std::string_view slug) const;
    bool served_over_https() const { return public_url.starts_with("https://"); }
};

// Whether the toml is a provider's (it has a [provider] table or [[tenants]]) rather than one authority's. A text
// that is not valid TOML is not a provider's: the authority's parser reports its errors.
bool is_provider_config(std::string_view toml_text);

// Every error at once, with the line of the TOML node it concerns.
config_result<provider_config> parse_provider_config(std::string_view toml_text, const std::string& toml_path);

// The host name of a Host header without its port and a trailing dot, as sent ("Sachsen.Localhost:8080" ->
// "Sachsen.Localhost"; an IPv6 literal keeps its brackets). No copy: the router looks up every request's host.
std::string_view host_part(std::string_view host_header);
// ASCII case-insensitive equality of a sent host name with `lower`, a configured (lower case) one.
bool same_host(std::string_view sent, std::string_view lower);

} // namespace campusdesk
