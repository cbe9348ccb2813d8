#include "core/sso.hpp"

#include "core/app_config.hpp"

#include <algorithm>

namespace campusdesk {
namespace {

const std::string* first_value(const claim_values& claims, const std::string& name) {
    if (name.empty()) return nullptr;
    const auto it = claims.find(name);
    return it == claims.end() || it->second.empty() ? nullptr : &it->second.front();
}

bool has_value(const claim_values& claims, const std::string& name, std::string_view value) {
    const auto it = claims.find(name);
    return it != claims.end() && std::find(it->second.begin(), it->second.end(), value) != it->second.end();
}

// Logins and names appear in pages, lists and logs: printable text of a sensible length.
bool is_printable(std::string_view text, std::size_t max) {
    return !text.empty() && text.size() <= max &&
           std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

} // namespace

const oidc_provider* oidc_config::find(std::string_view id) const {
    const auto it = std::find_if(providers.begin(), providers.end(), [&](const oidc_provider& p) { return p.id == id; });
    return it == providers.end() ? nullptr : &*it;
}

bool oidc_config::password_login_allowed(std::string_view login) const {
    return password_logins.empty() ||
           std::find(password_logins.begin(), password_logins.end(), login) != password_logins.end();
}

std::optional<std::string> check_id_token_claims(const id_token_claims& c, const id_token_expectation& e) {
    if (c.iss != e.issuer) return "wrong_issuer";
    if (std::find(c.aud.begin(), c.aud.end(), e.client_id) == c.aud.end()) return "wrong_audience";
    // Several audiences: the token must have been issued to us (azp), not to another of them.
    if (c.aud.size() > 1 && c.azp != e.client_id) return "wrong_authorized_party";
    if (!c.azp.empty() && c.azp != e.client_id) return "wrong_authorized_party";
    if (c.sub.empty()) return "no_subject";
    if (!c.exp) return "no_expiry";
    if (*c.exp + e.skew_seconds <= e.now_seconds) return "expired";
    if (!c.iat) return "no_issued_at";
    if (*c.iat - e.skew_seconds > e.now_seconds) return "issued_in_future";
    if (!c.nonce || e.nonce.empty() || *c.nonce != e.nonce) return "wrong_nonce";
    return std::nullopt;
}

std::string_view to_string(sso_unmapped::reason r) {
    switch (r) {
    case sso_unmapped::reason::no_login: return "no_login";
    case sso_unmapped::reason::no_role: return "no_role";
    case sso_unmapped::reason::no_school: return "no_school";
    case sso_unmapped::reason::unknown_school: return "unknown_school";
    case sso_unmapped::reason::not_a_manager: return "not_a_manager";
    }
    return "unknown";
}

std::variant<sso_identity, sso_unmapped> map_identity(const oidc_provider& provider, const claim_values& claims,
                                                     const std::function<bool(std::string_view)>& school_exists,
                                                     const std::function<bool(std::string_view)>& is_manager_login) {
    const auto* login = first_value(claims, provider.claims.login);
    if (!login || !is_printable(*login, 200) || login->find(' ') != std::string::npos)
        return sso_unmapped{sso_unmapped::reason::no_login, login ? *login : std::string()};
    const auto rule = std::find_if(provider.roles.begin(), provider.roles.end(), [&](const oidc_role_rule& r) {
        return has_value(claims, r.claim.empty() ? provider.claims.groups : r.claim, r.value);
    });
    if (rule == provider.roles.end()) return sso_unmapped{sso_unmapped::reason::no_role, *login};
    sso_identity id;
    id.login = *login;
    id.who = rule->who;
    const auto* name = first_value(claims, provider.claims.name);
    id.name = name && is_printable(*name, 200) ? *name : *login;
    if (const auto* email = first_value(claims, provider.claims.email); email && is_email(*email) && email->size() <= 254)
        id.email = *email;
    if (id.who == role::teacher) {
        const auto* school = first_value(claims, provider.claims.school);
        if (!school) return sso_unmapped{sso_unmapped::reason::no_school, {}};
        if (!school_exists(*school)) return sso_unmapped{sso_unmapped::reason::unknown_school, school->substr(0, 40)};
        id.school_number = *school;
    }
    // A campus manager's account belongs to a row of managers.csv (their schools and substitutes hang on it).
    if (id.who == role::campus_manager && !is_manager_login(id.login))
        return sso_unmapped{sso_unmapped::reason::not_a_manager, id.login};
    return id;
}

bool mapping_needs_more_claims(const oidc_provider& provider, const claim_values& claims) {
    auto missing = [&](const std::string& name) { return !name.empty() && !first_value(claims, name); };
    if (missing(provider.claims.login) || missing(provider.claims.name) || missing(provider.claims.email) ||
        missing(provider.claims.school))
        return true;
    return std::any_of(provider.roles.begin(), provider.roles.end(), [&](const oidc_role_rule& r) {
        return claims.find(r.claim.empty() ? provider.claims.groups : r.claim) == claims.end();
    });
}

} // namespace campusdesk
