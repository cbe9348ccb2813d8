// Single sign-on with OpenID Connect (issue 19, docs/sso.md): the [oidc] config, the checks of an ID token's
// claims once its signature holds, and how a person's claims map to a campusdesk account. Pure: the HTTP, the
// JOSE parsing and the signature are server/accounts/oidc_*'s.
#pragma once

#include "core/ticket.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace campusdesk {

// A person whose claim `claim` holds `value` (a string, or one of a list of strings) gets `who`. The first rule
// that matches wins, so the most privileged role comes first in the config.
struct oidc_role_rule {
    std::string claim;  // empty: the provider's groups claim
    std::string value;
    role who = role::teacher;
};

// Which claim carries what (docs/sso.md: Keycloak, Entra ID).
struct oidc_claim_names {
    std::string login = "preferred_username";
    std::string name = "name";
    std::string email = "email";
    std::string groups = "groups";
    std::string school = "";  // a teacher's school number; empty: teachers cannot be mapped
};

struct oidc_provider {
    std::string id;     // in URLs: /sso/<id>/start, /sso/<id>/callback
    std::string label;  // the login page's button, e.g. "Mit Schulkonto anmelden"
    std::string issuer;  // exactly as the provider's discovery document and ID tokens name it
    std::string client_id;
    std::string client_secret;
    std::string token_auth = "client_secret_basic";  // or "client_secret_post"
    std::vector<std::string> scopes{"openid", "profile", "email"};
    oidc_claim_names claims;
    std::vector<oidc_role_rule> roles;
    // RP-initiated logout: campusdesk's logout also ends the session at the provider (when it offers an
    // end_session_endpoint).
    bool logout = false;
    // The first SSO login of a person whose login names an existing local account without an external identity
    // takes that account over (migration from passwords); off: such a login is refused.
    bool link_existing_accounts = false;
};

struct oidc_config {
    std::vector<oidc_provider> providers;  // empty: no single sign-on
    // Not empty: only these accounts may log in with a password (break-glass admins); everybody else through a
    // provider.
    std::vector<std::string> password_logins;
    int clock_skew_seconds = 120;          // allowed for exp and iat
    int jwks_refresh_min_seconds = 60;     // an unknown key id refetches the JWKS at most this often
    int http_timeout_seconds = 10;         // discovery, JWKS, token and userinfo requests
    int login_timeout_seconds = 600;       // from the start at campusdesk to the provider's redirect back
    int discovery_cache_seconds = 3600;    // discovery and JWKS are kept this long

    const oidc_provider* find(std::string_view id) const;
    bool password_login_allowed(std::string_view login) const;
};

// The claims of a verified ID token that the checks need.
struct id_token_claims {
    std::string iss;
    std::string sub;
    std::vector<std::string> aud;
    std::string azp;
    std::optional<std::string> nonce;
    std::optional<std::int64_t> exp;  // seconds since the epoch
    std::optional<std::int64_t> iat;
};

struct id_token_expectation {
    std::string issuer;
    std::string client_id;
    std::string nonce;
    std::int64_t now_seconds = 0;
    int skew_seconds = 120;
};

// Why an ID token is refused, as it goes to the log and the metrics' label (English, stable).
// nullopt: the token is good (OIDC Core 3.1.3.7: iss, aud, azp, exp, iat, nonce; sub present).
std::optional<std::string> check_id_token_claims(const id_token_claims& claims, const id_token_expectation& expected);

// A claim's values: a string claim gives one, a list of strings each; other JSON types none.
using claim_values = std::map<std::string, std::vector<std::string>>;

struct sso_identity {
    std::string login, name, email;
    role who = role::teacher;
    std::string school_number;  // teachers
};

// A person who authenticated but maps to nothing campusdesk knows: nothing is created.
struct sso_unmapped {
    enum class reason { no_login, no_role, no_school, unknown_school, not_a_manager } why = reason::no_role;
    std::string detail;  // the claim's value that did not fit, for the page and the log
};
std::string_view to_string(sso_unmapped::reason r);

// The account the claims describe. `school_exists` and `is_manager_login` answer from the directory.
std::variant<sso_identity, sso_unmapped> map_identity(const oidc_provider& provider, const claim_values& claims,
                                                     const std::function<bool(std::string_view)>& school_exists,
                                                     const std::function<bool(std::string_view)>& is_manager_login);

// Whether the claims lack one the mapping reads (then userinfo is asked, OIDC Core 5.3).
bool mapping_needs_more_claims(const oidc_provider& provider, const claim_values& claims);

} // namespace campusdesk
