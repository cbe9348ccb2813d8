#include "server/http/client_address.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

namespace campusdesk {
namespace {

net::ip::address unmapped(net::ip::address address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
    return address;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// "192.0.2.1", "192.0.2.1:4711", "[2001:db8::1]:4711", "2001:db8::1", each possibly quoted.
std::optional<net::ip::address> parse_node(std::string_view node) {
    if (node.starts_with('"')) node.remove_prefix(1);
    if (node.ends_with('"')) node.remove_suffix(1);
    if (node.starts_with('[')) {
        const auto close = node.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        node = node.substr(1, close - 1);
    } else if (std::count(node.begin(), node.end(), ':') == 1) {
        node = node.substr(0, node.find(':'));
    }
    boost::system::error_code ec;
    const auto address = net::ip::make_address(node, ec);
    if (ec) return std::nullopt;
    return unmapped(address);
}

// Splits `text` at `separator` outside double-quoted strings (RFC 7230 quoted-string, with backslash escapes).
std::vector<std::string_view> split_outside_quotes(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (quoted && text[i] == '\\') ++i;
        else if (text[i] == '"') quoted = !quoted;
        else if (!quoted && text[i] == separator) {
            parts.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(text.substr(start));
    return parts;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// The nodes the proxies listed, from the client's side to ours, over every line of the header.
std::vector<std::string_view> forwarded_nodes(const http_request& req, forwarded_header kind) {
    std::vector<std::string_view> nodes;
    const auto name = kind == forwarded_header::forwarded ? "Forwarded" : "X-Forwarded-For";
    const auto [first, last] = req.equal_range(name);
    for (auto field = first; field != last; ++field)
        for (const auto element : split_outside_quotes(field->value(), ',')) {
            if (kind == forwarded_header::x_forwarded_for) {
                if (!trimmed(element).empty()) nodes.push_back(trimmed(element));
                continue;
            }
            // An element of Forwarded without `for=` says nothing about the client: it is skipped.
            for (const auto pair : split_outside_quotes(element, ';')) {
                const auto p = trimmed(pair);
                const auto eq = p.find('=');
                if (eq != std::string_view::npos && equals_ignoring_case(trimmed(p.substr(0, eq)), "for"))
                    nodes.push_back(trimmed(p.substr(eq + 1)));
            }
        }
    return nodes;
}

std::string loggable(std::string_view node) {
    std::string out;
    for (const char c : node) {
        if (out.size() == 64) break;
        if (c > ' ' && c < 0x7f && c != '"') out += c;
    }
    return out;
}

} // namespace

std::string client_address(const app_config& config, const http_request& req, const net::ip::address& peer) {
    const auto is_trusted = [&](const net::ip::address& address) {
        return std::any_of(config.trusted_proxies.begin(), config.trusted_proxies.end(), [&](const std::string& p) {
            const auto proxy = parse_node(p);
            return proxy && *proxy == address;
        });
    };
    const auto from = unmapped(peer);
    if (!is_trusted(from)) return from.to_string();
    const auto nodes = forwarded_nodes(req, config.forwarded);
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
        const auto address = parse_node(*it);
        if (!address) return loggable(*it);
        if (!is_trusted(*address)) return address->to_string();
    }
    return from.to_string();
}

} // namespace campusdesk
