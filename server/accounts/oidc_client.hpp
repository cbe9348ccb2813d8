// OpenID Connect relying party (issue 19, docs/sso.md): discovery, the authorization code flow with PKCE, state
// and nonce, the token exchange, the ID token's signature (cjose, RS256 and ES256 only) against the provider's
// JWKS (cached; a key id not in it refetches it at most once per [oidc] jwks_refresh_min_seconds: key rotation),
// the claims (core/sso: iss, aud, azp, exp, iat with bounded skew, nonce), and userinfo where the ID token lacks a
// claim the mapping reads. HTTP through libcurl, on a small pool of its own: a provider that is slow or down
// keeps no request thread waiting.
#pragma once

#include "core/sso.hpp"
#include "server/http/net.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

namespace campusdesk {

struct oidc_failure {
    std::string reason;        // for the log and /metrics, e.g. "wrong_audience", "provider_unreachable"
    bool unreachable = false;  // the provider could not be asked (the page says so; local login still works)
};

struct oidc_redirect {
    std::string authorization_url;
    std::string browser_token;  // the cookie that binds the login's state to this browser
};

struct oidc_identity {
    std::string subject;
    claim_values claims;  // the ID token's, completed by userinfo
    std::string id_token;
};

// What the callback brought back (query parameters), and the browser's cookie.
struct oidc_callback {
    std::string state, code, error, browser_token;
};

class oidc_client {
public:
    explicit oidc_client(const oidc_config& config);
    ~oidc_client();
    oidc_client(const oidc_client&) = delete;
    oidc_client& operator=(const oidc_client&) = delete;

    // Arguments by reference: callers await at once (GCC PR 99576, storage_service.hpp).
    // Where to send the browser; `browser_token` is reused when the browser has one.
    net::awaitable<std::variant<oidc_redirect, oidc_failure>> start(const oidc_provider& provider,
                                                                    const std::string& redirect_uri,
                                                                    const std::string& browser_token);
    // The verified identity of a callback; its state is used up whatever the outcome (a replay finds nothing).
    net::awaitable<std::variant<oidc_identity, oidc_failure>> finish(const oidc_provider& provider,
                                                                     const oidc_callback& callback,
                                                                     const std::string& redirect_uri);
    // The provider's end_session_endpoint with the ID token and where to come back; empty when it has none.
    net::awaitable<std::string> logout_url(const oidc_provider& provider, const std::string& id_token,
                                           const std::string& post_logout_redirect_uri);

private:
    struct provider_cache;
    struct pending_login {
        std::string provider, nonce, verifier, browser_digest;
        std::chrono::steady_clock::time_point started;
    };

    template <class F>
    net::awaitable<std::invoke_result_t<F&>> run(F fn);

    provider_cache& cache_of(const std::string& provider_id);  // callers hold mutex_
    std::variant<oidc_redirect, oidc_failure> start_now(const oidc_provider& provider, const std::string& redirect_uri,
                                                        const std::string& browser_token);
    std::variant<oidc_identity, oidc_failure> finish_now(const oidc_provider& provider, const oidc_callback& callback,
                                                         const std::string& redirect_uri);

    const oidc_config& config_;
    net::thread_pool pool_;
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<provider_cache>> caches_;
    std::unordered_map<std::string, pending_login> pending_;  // by state
};

} // namespace campusdesk
