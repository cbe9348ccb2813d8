#include "core/provider_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>

namespace campusdesk {
namespace {

struct collector {
    const std::string& file;
    std::vector<config_error>& errors;

    void add(const toml::node& node, std::string field, std::string message) const {
        errors.push_back({file, static_cast<int>(node.source().begin.line), std::move(field), std::move(message)});
    }
};

void check_keys(const toml::table& t, std::initializer_list<std::string_view> known, const std::string& prefix,
                const collector& r) {
    for (const auto& [key, value] : t)
        if (std::find(known.begin(), known.end(), key.str()) == known.end())
            r.add(value, prefix + std::string(key.str()), "unknown key");
}

void read_string(const toml::table& t, std::string_view key, std::string& out, const std::string& prefix,
                 const collector& r) {
    const auto* node = t.get(key);
    if (!node) return;
    if (const auto v = node->value_exact<std::string>()) out = *v;
    else r.add(*node, prefix + std::string(key), "must be a string");
}

bool is_slug(std::string_view s) {
    return !s.empty() && s.size() <= 40 && s.front() != '-' && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
           });
}

// A DNS name as a browser sends it in Host: labels of letters, digits and hyphens, lower case (the router compares
// lower case), no port.
bool is_host_name(std::string_view s) {
    if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
    std::size_t label = 0;
    for (const char c : s) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') || ++label > 63) return false;
    }
    return true;
}

void check_host(const toml::node& node, const std::string& host, const std::string& field, const collector& r) {
    if (!is_host_name(host))
        r.add(node, field, "must be a host name in lower case without port (e.g. \"schulen.pirna.example\")");
}

void parse_provider_table(const toml::table& t, provider_config& c, const collector& r) {
    check_keys(t, {"name", "listen", "data_dir", "threads", "cache_mb_per_connection", "host", "public_url"}, "provider.", r);
    read_string(t, "name", c.name, "provider.", r);
    read_string(t, "listen", c.listen, "provider.", r);
    read_string(t, "data_dir", c.data_dir, "provider.", r);
    read_string(t, "host", c.host, "provider.", r);
    read_string(t, "public_url", c.public_url, "provider.", r);
    if (const auto* node = t.get("listen"); node && node->is_string()) {
        const auto colon = c.listen.rfind(':');
        int port = -1;
        const auto digits = std::string_view(c.listen).substr(colon == std::string::npos ? 0 : colon + 1);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (colon == std::string::npos || colon == 0 || ec != std::errc{} || end != digits.data() + digits.size() ||
            port < 0 || port > 65535)
            r.add(*node, "provider.listen", "must be ADDR:PORT");
    }
    if (const auto* node = t.get("threads")) {
        const auto v = node->value_exact<std::int64_t>();
        if (!v || *v < 0 || *v > 256) r.add(*node, "provider.threads", "must be a whole number from 0 to 256");
        else c.threads = static_cast<int>(*v);
    }
    if (const auto* node = t.get("cache_mb_per_connection")) {
        const auto v = node->value_exact<std::int64_t>();
        if (!v || *v < 1 || *v > 1024)
            r.add(*node, "provider.cache_mb_per_connection", "must be a whole number from 1 to 1024");
        else c.cache_mb_per_connection = static_cast<int>(*v);
    }
    if (const auto* node = t.get("host"); node && node->is_string() && !c.host.empty())
        check_host(*node, c.host, "provider.host", r);
    if (const auto* node = t.get("public_url"); node && node->is_string() && !c.public_url.empty() &&
                                                !c.public_url.starts_with("https://") &&
                                                !c.public_url.starts_with("http://"))
        r.add(*node, "provider.public_url", "must start with https:// or http://");
}

void parse_tenant(const toml::table& t, std::size_t index, provider_config& c, const collector& r) {
    const auto prefix = "tenants[" + std::to_string(index) + "].";
    check_keys(t, {"slug", "name", "hosts", "config"}, prefix, r);
    tenant_entry e;
    e.line = static_cast<int>(t.source().begin.line);
    read_string(t, "slug", e.slug, prefix, r);
    read_string(t, "name", e.name, prefix, r);
    read_string(t, "config", e.config, prefix, r);
    const auto* slug = t.get("slug");
    if (!slug) r.add(t, prefix + "slug", "is required");
    else if (slug->is_string() && !is_slug(e.slug))
        r.add(*slug, prefix + "slug", "must be 1 to 40 of a-z, 0-9 and '-', not starting with '-'");
    if (!t.get("name") || e.name.find_first_not_of(" \t") == std::string::npos)
        r.add(t.get("name") ? *t.get("name") : static_cast<const toml::node&>(t), prefix + "name", "is required");
    if (!t.get("config") || e.config.empty())
        r.add(t.get("config") ? *t.get("config") : static_cast<const toml::node&>(t), prefix + "config",
              "is required: the path of the tenant's campusdesk.toml");
    if (const auto* node = t.get("hosts")) {
        const auto* list = node->as_array();
        if (!list || list->empty()) {
            r.add(*node, prefix + "hosts", "must be a non-empty list of host names");
        } else {
            for (const auto& item : *list) {
                const auto host = item.value_exact<std::string>();
                if (!host) {
                    r.add(item, prefix + "hosts", "must be a list of strings");
                    continue;
                }
                check_host(item, *host, prefix + "hosts", r);
                e.hosts.push_back(*host);
            }
        }
    } else {
        r.add(t, prefix + "hosts", "is required: the host names the tenant is reached at");
    }
    c.tenants.push_back(std::move(e));
}

} // namespace

const tenant_entry* provider_config::find(std::string_view slug) const {
    for (const auto& t : tenants)
        if (t.slug == slug) return &t;
    return nullptr;
}

bool is_provider_config(std::string_view toml_text) {
    try {
        const auto root = toml::parse(toml_text);
        return root.contains("provider") || root.contains("tenants");
    } catch (const toml::parse_error&) {
        return false;
    }
}

config_result<provider_config> parse_provider_config(std::string_view toml_text, const std::string& toml_path) {
    std::vector<config_error> errors;
    const collector r{toml_path, errors};
    provider_config c;
    toml::table root;
    try {
        root = toml::parse(toml_text, toml_path);
    } catch (const toml::parse_error& e) {
        errors.push_back({toml_path, static_cast<int>(e.source().begin.line), "syntax", std::string(e.description())});
        return errors;
    }
    // A provider's file holds nothing of one authority: that belongs in each tenant's own config.
    check_keys(root, {"provider", "tenants"}, "", r);
    if (const auto* node = root.get("provider")) {
        if (const auto* t = node->as_table()) parse_provider_table(*t, c, r);
        else r.add(*node, "provider", "must be a table");
    }
    const auto* node = root.get("tenants");
    const auto* list = node ? node->as_array() : nullptr;
    if (node && !list) r.add(*node, "tenants", "must be an array of tables ([[tenants]])");
    if (!node || (list && list->empty())) errors.push_back({toml_path, 0, "tenants", "at least one [[tenants]] is needed"});
    if (list) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            if (const auto* t = (*list)[i].as_table()) parse_tenant(*t, i, c, r);
            else r.add((*list)[i], "tenants[" + std::to_string(i) + "]", "must be a table");
        }
    }
    // Every slug and every host name once: a host names exactly one tenant (or the provider).
    for (std::size_t i = 0; i < c.tenants.size(); ++i) {
        const auto& t = c.tenants[i];
        for (std::size_t j = 0; j < i; ++j) {
            if (!t.slug.empty() && c.tenants[j].slug == t.slug)
                errors.push_back({toml_path, t.line, "tenants[" + std::to_string(i) + "].slug",
                                  "\"" + t.slug + "\" is the slug of another tenant already"});
            for (const auto& h : t.hosts)
                if (std::find(c.tenants[j].hosts.begin(), c.tenants[j].hosts.end(), h) != c.tenants[j].hosts.end())
                    errors.push_back({toml_path, t.line, "tenants[" + std::to_string(i) + "].hosts",
                                      "\"" + h + "\" is a host name of tenant \"" + c.tenants[j].slug + "\" already"});
        }
        for (std::size_t k = 0; k < t.hosts.size(); ++k) {
            if (!c.host.empty() && t.hosts[k] == c.host)
                errors.push_back({toml_path, t.line, "tenants[" + std::to_string(i) + "].hosts",
                                  "\"" + c.host + "\" is the provider's host (provider.host)"});
            if (std::find(t.hosts.begin(), t.hosts.begin() + static_cast<std::ptrdiff_t>(k), t.hosts[k]) !=
                t.hosts.begin() + static_cast<std::ptrdiff_t>(k))
                errors.push_back({toml_path, t.line, "tenants[" + std::to_string(i) + "].hosts",
                                  "\"" + t.hosts[k] + "\" is listed twice"});
        }
    }
    if (!errors.empty()) return errors;
    return c;
}

std::string_view host_part(std::string_view header) {
    std::string_view name = header;
    if (name.starts_with('[')) {
        const auto close = name.find(']');
        if (close != std::string_view::npos) name = name.substr(0, close + 1);
    } else if (const auto colon = name.find(':'); colon != std::string_view::npos) {
        name = name.substr(0, colon);
    }
    // A fully qualified name may end with a dot ("schulen.example."): the same host.
    if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
    return name;
}

bool same_host(std::string_view sent, std::string_view lower) {
    return sent.size() == lower.size() && std::equal(sent.begin(), sent.end(), lower.begin(), [](char a, char b) {
               return (a >= 'A' && a <= 'Z' ? static_cast<char>(a + 32) : a) == b;
           });
}

} // namespace campusdesk
