// Who sent a request: the peer, or, behind a trusted reverse proxy, the client the proxy names.
#pragma once

#include "core/app_config.hpp"
#include "server/http/net.hpp"

#include <string>

namespace campusdesk {

// The client's address for the login throttle and the security log. When the peer is one of `[server]
// trusted_proxies` (compared as addresses, so "::1" and "0:0::1" are one), the header `[server] forwarded_header`
// names (X-Forwarded-For, or Forwarded of RFC 7239: its `for=` parameters) is read from the right, past every
// trusted proxy, and the first other entry is the client; ports, brackets and quotes are dropped. An entry that is
// no address (Forwarded's "unknown" or "_hidden") ends the walk and is the answer, at most 64 printable ASCII
// characters. Several header lines count as one list; the other header is ignored, since a proxy passes on what
// the client sent in a header it does not write itself. Any other peer: the peer's own address.
std::string client_address(const app_config& config, const http_request& req, const net::ip::address& peer);

} // namespace campusdesk
