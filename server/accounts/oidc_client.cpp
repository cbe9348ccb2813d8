#include "server/accounts/oidc_client.hpp"

#include "server/accounts/credentials.hpp"
#include "server/http/log.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <cjose/cjose.h>
#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <optional>

namespace campusdesk {
namespace {

namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t max_pending_logins = 10000;  // a flood of starts cannot grow memory without bound
constexpr std::size_t max_response_bytes = 1024 * 1024;

struct http_result {
    long status = 0;
    std::string body;
    std::string error;  // transport failure (connect, TLS, timeout): the provider is unreachable
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
    auto& body = *static_cast<std::string*>(out);
    if (body.size() + size * count > max_response_bytes) return 0;  // ends the transfer with an error
    body.append(data, size * count);
    return size * count;
}

std::string escaped(CURL* curl, const std::string& text) {
    char* e = curl_easy_escape(curl, text.c_str(), static_cast<int>(text.size()));
    std::string out = e ? e : "";
    curl_free(e);
    return out;
}

// One HTTP request: GET, or a POST of `form` (application/x-www-form-urlencoded). No redirects are followed and
// only http(s) is spoken.
http_result http_call(const std::string& url, const std::vector<std::pair<std::string, std::string>>* form,
                      const std::string& bearer, const std::pair<std::string, std::string>* basic, int timeout_seconds) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    http_result result;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return {0, {}, "curl_easy_init failed"};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout_seconds));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(timeout_seconds, 5)));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &result.body);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "campusdesk");
    std::string body;
    if (form) {
        for (const auto& [key, value] : *form)
            body += (body.empty() ? "" : "&") + escaped(c, key) + "=" + escaped(c, value);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    // RFC 6749 2.3.1: client id and secret are form-encoded before they go into Basic.
    std::string user, password;
    if (basic) {
        user = escaped(c, basic->first);
        password = escaped(c, basic->second);
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
    }
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
        curl_slist_append(nullptr, "Accept: application/json"), curl_slist_free_all);
    const std::string authorization = "Authorization: Bearer " + bearer;
    if (!bearer.empty()) headers.reset(curl_slist_append(headers.release(), authorization.c_str()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    if (const auto rc = curl_easy_perform(c); rc != CURLE_OK) {
        result.error = curl_easy_strerror(rc);
        return result;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
    return result;
}

std::optional<json::object> json_object_of(const std::string& text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

std::string string_member(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<std::int64_t> seconds_member(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() < (1ULL << 62)) return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
    return std::nullopt;
}

std::string base64url(const unsigned char* data, std::size_t size) {
    std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.find('\0'));
    return out;
}

// RFC 7636: a verifier of 32 random bytes and its S256 challenge.
std::pair<std::string, std::string> pkce_pair() {
    unsigned char random[32];
    randombytes_buf(random, sizeof random);
    auto verifier = base64url(random, sizeof random);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size());
    return {std::move(verifier), base64url(digest, sizeof digest)};
}

// String claims give one value, lists of strings each, numbers their decimal text (school numbers may be numbers).
claim_values claim_values_of(const json::object& o) {
    claim_values out;
    auto add = [](std::vector<std::string>& to, const json::value& v) {
        if (v.is_string()) to.emplace_back(v.as_string());
        else if (v.is_int64()) to.push_back(std::to_string(v.as_int64()));
        else if (v.is_uint64()) to.push_back(std::to_string(v.as_uint64()));
    };
    for (const auto& [key, value] : o) {
        auto& values = out[std::string(key)];
        if (const auto* list = value.if_array())
            for (const auto& item : *list) add(values, item);
        else add(values, value);
    }
    return out;
}

using jwk_ptr = std::shared_ptr<cjose_jwk_t>;

} // namespace

struct oidc_client::provider_cache {
    std::mutex mutex;  // one fetch at a time per provider; other logins wait for its result
    std::optional<json::object> discovery;
    clock_type::time_point discovery_at{};
    std::vector<std::pair<std::string, jwk_ptr>> keys;  // kid (may be empty), key
    clock_type::time_point jwks_at{};
    bool jwks_loaded = false;

    // The discovery document, fetched when missing or older than `max_age`.
    std::variant<const json::object*, oidc_failure> document(const oidc_provider& p, const oidc_config& config) {
        const auto now = clock_type::now();
        if (discovery && now - discovery_at < std::chrono::seconds(config.discovery_cache_seconds)) return &*discovery;
        std::string url = p.issuer;
        while (url.ends_with('/')) url.pop_back();
        url += "/.well-known/openid-configuration";
        const auto got = http_call(url, nullptr, {}, nullptr, config.http_timeout_seconds);
        if (!got.error.empty() || got.status != 200) {
            log_line(log_level::warning, "sso: discovery failed",
                     {{"provider", p.id}, {"url", url}, {"status", got.status}, {"error", got.error}});
            // A document fetched before serves on while the provider's well-known address is briefly away.
            if (discovery) return &*discovery;
            return oidc_failure{"provider_unreachable", true};
        }
        auto doc = json_object_of(got.body);
        if (!doc || string_member(*doc, "issuer") != p.issuer || string_member(*doc, "authorization_endpoint").empty() ||
            string_member(*doc, "token_endpoint").empty() || string_member(*doc, "jwks_uri").empty()) {
            log_line(log_level::warning, "sso: discovery document refused (issuer differs or endpoints missing)",
                     {{"provider", p.id}, {"issuer", doc ? string_member(*doc, "issuer") : std::string()}});
            return oidc_failure{"bad_discovery", true};
        }
        discovery = std::move(doc);
        discovery_at = now;
        return &*discovery;
    }

    std::optional<oidc_failure> fetch_jwks(const oidc_provider& p, const oidc_config& config) {
        auto doc = document(p, config);
        if (auto* failure = std::get_if<oidc_failure>(&doc)) return *failure;
        const auto url = string_member(*std::get<const json::object*>(doc), "jwks_uri");
        const auto got = http_call(url, nullptr, {}, nullptr, config.http_timeout_seconds);
        jwks_at = clock_type::now();  // a failed fetch counts too: the rate limit holds while the provider is down
        auto set = got.error.empty() && got.status == 200 ? json_object_of(got.body) : std::nullopt;
        const auto* list = set ? set->if_contains("keys") : nullptr;
        if (!list || !list->is_array()) {
            log_line(log_level::warning, "sso: JWKS fetch failed",
                     {{"provider", p.id}, {"status", got.status}, {"error", got.error}});
            return oidc_failure{"jwks_unavailable", !got.error.empty()};
        }
        std::vector<std::pair<std::string, jwk_ptr>> fresh;
        for (const auto& item : list->as_array()) {
            if (!item.is_object() || string_member(item.as_object(), "use") == "enc") continue;
            const auto text = json::serialize(item);
            cjose_err err;
            jwk_ptr key(cjose_jwk_import(text.c_str(), text.size(), &err), cjose_jwk_release);
            if (key) fresh.emplace_back(string_member(item.as_object(), "kid"), std::move(key));
        }
        keys = std::move(fresh);
        jwks_loaded = true;
        return std::nullopt;
    }

    // The key for `kid` (any key of the right type when the token names none); refetches the JWKS when it is old,
    // and once for a key id it does not hold unless it was fetched less than jwks_refresh_min_seconds ago.
    std::variant<jwk_ptr, oidc_failure> key_for(const oidc_provider& p, const oidc_config& config, const std::string& kid,
                                                cjose_jwk_kty_t kty) {
        const auto now = clock_type::now();
        if (!jwks_loaded || now - jwks_at >= std::chrono::seconds(config.discovery_cache_seconds))
            if (auto failure = fetch_jwks(p, config)) return *failure;
        auto lookup = [&]() -> jwk_ptr {
            for (const auto& [id, key] : keys) {
                cjose_err err;
                if (cjose_jwk_get_kty(key.get(), &err) != kty) continue;
                if (kid.empty() || id == kid) return key;
            }
            return nullptr;
        };
        if (auto key = lookup()) return key;
        if (clock_type::now() - jwks_at < std::chrono::seconds(config.jwks_refresh_min_seconds))
            return oidc_failure{"unknown_key"};
        log_line(log_level::info, "sso: key id not in the JWKS, fetching it again (key rotation)",
                 {{"provider", p.id}, {"kid", kid}});
        if (auto failure = fetch_jwks(p, config)) return *failure;
        if (auto key = lookup()) return key;
        return oidc_failure{"unknown_key"};
    }
};

oidc_client::oidc_client(const oidc_config& config) : config_(config), pool_(2) {}

oidc_client::~oidc_client() { pool_.join(); }

template <class F>
net::awaitable<std::invoke_result_t<F&>> oidc_client::run(F fn) {
    // As storage_service::read: lambdas capture by reference only (GCC PR 99576).
    static_assert(std::is_trivially_destructible_v<F>, "capture by reference");
    using result_t = std::invoke_result_t<F&>;
    auto work = [&fn]() -> net::awaitable<result_t> { co_return fn(); };
    // On a strand of its own, as every coroutine on a pool of threads (see storage_service::handle).
    auto operation = net::co_spawn(net::make_strand(pool_.get_executor()), work, net::use_awaitable);
    co_return co_await std::move(operation);
}

oidc_client::provider_cache& oidc_client::cache_of(const std::string& provider_id) {
    auto& slot = caches_[provider_id];
    if (!slot) slot = std::make_unique<provider_cache>();
    return *slot;
}

net::awaitable<std::variant<oidc_redirect, oidc_failure>> oidc_client::start(const oidc_provider& provider,
                                                                             const std::string& redirect_uri,
                                                                             const std::string& browser_token) {
    co_return co_await run([&] { return start_now(provider, redirect_uri, browser_token); });
}

net::awaitable<std::variant<oidc_identity, oidc_failure>> oidc_client::finish(const oidc_provider& provider,
                                                                              const oidc_callback& callback,
                                                                              const std::string& redirect_uri) {
    co_return co_await run([&] { return finish_now(provider, callback, redirect_uri); });
}

net::awaitable<std::string> oidc_client::logout_url(const oidc_provider& provider, const std::string& id_token,
                                                    const std::string& post_logout_redirect_uri) {
    co_return co_await run([&]() -> std::string {
        provider_cache* cache;
        {
            std::lock_guard lock(mutex_);
            cache = &cache_of(provider.id);
        }
        std::lock_guard lock(cache->mutex);
        auto doc = cache->document(provider, config_);
        const auto* found = std::get_if<const json::object*>(&doc);
        const auto endpoint = found ? string_member(**found, "end_session_endpoint") : std::string();
        boost::system::result<boost::urls::url> url = boost::urls::parse_absolute_uri(endpoint);
        if (endpoint.empty() || !url) return {};
        url->params().append({"id_token_hint", id_token});
        url->params().append({"client_id", provider.client_id});
        url->params().append({"post_logout_redirect_uri", post_logout_redirect_uri});
        return std::string(url->buffer());
    });
}

std::variant<oidc_redirect, oidc_failure> oidc_client::start_now(const oidc_provider& provider,
                                                                 const std::string& redirect_uri,
                                                                 const std::string& browser_token) {
    provider_cache* cache;
    {
        std::lock_guard lock(mutex_);
        cache = &cache_of(provider.id);
    }
    std::string endpoint;
    {
        std::lock_guard lock(cache->mutex);
        auto doc = cache->document(provider, config_);
        if (auto* failure = std::get_if<oidc_failure>(&doc)) return *failure;
        endpoint = string_member(*std::get<const json::object*>(doc), "authorization_endpoint");
    }
    boost::system::result<boost::urls::url> url = boost::urls::parse_absolute_uri(endpoint);
    if (!url) return oidc_failure{"bad_discovery", true};
    oidc_redirect out;
    out.browser_token = browser_token.size() == 64 ? browser_token : random_token();
    const auto state = random_token();
    const auto nonce = random_token();
    auto [verifier, challenge] = pkce_pair();
    std::string scopes;
    for (const auto& s : provider.scopes) scopes += (scopes.empty() ? "" : " ") + s;
    auto params = url->params();
    params.append({"response_type", "code"});
    params.append({"client_id", provider.client_id});
    params.append({"redirect_uri", redirect_uri});
    params.append({"scope", scopes});
    params.append({"state", state});
    params.append({"nonce", nonce});
    params.append({"code_challenge", challenge});
    params.append({"code_challenge_method", "S256"});
    out.authorization_url = std::string(url->buffer());
    const auto now = clock_type::now();
    std::lock_guard lock(mutex_);
    if (pending_.size() >= max_pending_logins)
        std::erase_if(pending_, [&](const auto& entry) {
            return now - entry.second.started > std::chrono::seconds(config_.login_timeout_seconds);
        });
    if (pending_.size() >= max_pending_logins) return oidc_failure{"too_many_pending_logins", false};
    pending_[state] = {provider.id, nonce, std::move(verifier), token_digest(out.browser_token), now};
    return out;
}

std::variant<oidc_identity, oidc_failure> oidc_client::finish_now(const oidc_provider& provider,
                                                                  const oidc_callback& callback,
                                                                  const std::string& redirect_uri) {
    pending_login login;
    provider_cache* cache;
    {
        std::lock_guard lock(mutex_);
        cache = &cache_of(provider.id);
        const auto it = pending_.find(callback.state);
        if (callback.state.empty() || it == pending_.end()) return oidc_failure{"unknown_state"};
        login = std::move(it->second);
        pending_.erase(it);  // used up: a replayed callback finds nothing
    }
    if (login.provider != provider.id) return oidc_failure{"unknown_state"};
    if (clock_type::now() - login.started > std::chrono::seconds(config_.login_timeout_seconds))
        return oidc_failure{"login_timed_out"};
    if (callback.browser_token.empty() || !constant_time_equal(token_digest(callback.browser_token), login.browser_digest))
        return oidc_failure{"other_browser"};
    if (!callback.error.empty()) return oidc_failure{"provider_error:" + callback.error.substr(0, 40)};
    if (callback.code.empty()) return oidc_failure{"no_code"};

    // A copy: the token and userinfo requests run without the cache's lock, so logins do not queue behind them.
    json::object discovery;
    {
        std::lock_guard lock(cache->mutex);
        auto doc = cache->document(provider, config_);
        if (auto* failure = std::get_if<oidc_failure>(&doc)) return *failure;
        discovery = *std::get<const json::object*>(doc);
    }

    // The code for tokens, with the PKCE verifier and the client's secret.
    std::vector<std::pair<std::string, std::string>> form{{"grant_type", "authorization_code"},
                                                          {"code", callback.code},
                                                          {"redirect_uri", redirect_uri},
                                                          {"code_verifier", login.verifier}};
    const std::pair<std::string, std::string> client{provider.client_id, provider.client_secret};
    if (provider.token_auth == "client_secret_post") {
        form.emplace_back("client_id", provider.client_id);
        form.emplace_back("client_secret", provider.client_secret);
    }
    const auto got = http_call(string_member(discovery, "token_endpoint"), &form, {},
                               provider.token_auth == "client_secret_basic" ? &client : nullptr,
                               config_.http_timeout_seconds);
    if (!got.error.empty()) return oidc_failure{"provider_unreachable", true};
    const auto tokens = json_object_of(got.body);
    if (got.status != 200 || !tokens) {
        log_line(log_level::warning, "sso: token request refused",
                 {{"provider", provider.id}, {"status", got.status},
                  {"error", tokens ? string_member(*tokens, "error") : std::string()}});
        return oidc_failure{"token_request_refused"};
    }
    oidc_identity identity;
    identity.id_token = string_member(*tokens, "id_token");
    if (identity.id_token.empty()) return oidc_failure{"no_id_token"};

    // The signature: only the asymmetric algorithms the issue names; `none` and HS256 (signed with the client
    // secret, which is no proof of the provider) are refused before any key is looked at.
    cjose_err err;
    std::unique_ptr<cjose_jws_t, decltype(&cjose_jws_release)> jws(
        cjose_jws_import(identity.id_token.c_str(), identity.id_token.size(), &err), cjose_jws_release);
    if (!jws) return oidc_failure{"malformed_token"};
    cjose_header_t* header = cjose_jws_get_protected(jws.get());
    const char* alg = header ? cjose_header_get(header, CJOSE_HDR_ALG, &err) : nullptr;
    const char* kid = header ? cjose_header_get(header, CJOSE_HDR_KID, &err) : nullptr;
    const std::string algorithm = alg ? alg : "";
    cjose_jwk_kty_t kty;
    if (algorithm == CJOSE_HDR_ALG_RS256) kty = CJOSE_JWK_KTY_RSA;
    else if (algorithm == CJOSE_HDR_ALG_ES256) kty = CJOSE_JWK_KTY_EC;
    else return oidc_failure{"algorithm_not_allowed"};
    std::unique_lock key_lock(cache->mutex);
    auto key = cache->key_for(provider, config_, kid ? kid : "", kty);
    key_lock.unlock();
    if (auto* failure = std::get_if<oidc_failure>(&key)) return *failure;
    if (kty == CJOSE_JWK_KTY_EC && cjose_jwk_EC_get_curve(std::get<jwk_ptr>(key).get(), &err) != CJOSE_JWK_EC_P_256)
        return oidc_failure{"algorithm_not_allowed"};
    if (!cjose_jws_verify(jws.get(), std::get<jwk_ptr>(key).get(), &err)) return oidc_failure{"bad_signature"};
    std::uint8_t* payload = nullptr;
    std::size_t payload_size = 0;
    if (!cjose_jws_get_plaintext(jws.get(), &payload, &payload_size, &err)) return oidc_failure{"malformed_token"};
    const auto claims = json_object_of(std::string(reinterpret_cast<const char*>(payload), payload_size));
    if (!claims) return oidc_failure{"malformed_token"};

    id_token_claims checked;
    checked.iss = string_member(*claims, "iss");
    checked.sub = string_member(*claims, "sub");
    if (const auto* aud = claims->if_contains("aud")) {
        if (aud->is_string()) checked.aud.emplace_back(aud->as_string());
        else if (aud->is_array())
            for (const auto& a : aud->as_array())
                if (a.is_string()) checked.aud.emplace_back(a.as_string());
    }
    checked.azp = string_member(*claims, "azp");
    if (const auto* nonce = claims->if_contains("nonce"); nonce && nonce->is_string())
        checked.nonce = std::string(nonce->as_string());
    checked.exp = seconds_member(*claims, "exp");
    checked.iat = seconds_member(*claims, "iat");
    const id_token_expectation expected{provider.issuer, provider.client_id, login.nonce,
                                        std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch()).count(),
                                        config_.clock_skew_seconds};
    if (auto refused = check_id_token_claims(checked, expected)) return oidc_failure{*refused};
    identity.subject = checked.sub;
    identity.claims = claim_values_of(*claims);

    // Userinfo where the ID token lacks a claim the mapping reads (providers put few claims into ID tokens).
    const auto userinfo = string_member(discovery, "userinfo_endpoint");
    const auto access_token = string_member(*tokens, "access_token");
    if (mapping_needs_more_claims(provider, identity.claims) && !userinfo.empty() && !access_token.empty()) {
        const auto info = http_call(userinfo, nullptr, access_token, nullptr, config_.http_timeout_seconds);
        if (!info.error.empty()) return oidc_failure{"provider_unreachable", true};
        const auto more = info.status == 200 ? json_object_of(info.body) : std::nullopt;
        if (!more) return oidc_failure{"userinfo_refused"};
        // OIDC Core 5.3.2: userinfo about somebody else is worthless.
        if (string_member(*more, "sub") != identity.subject) return oidc_failure{"userinfo_subject_mismatch"};
        for (auto& [name, values] : claim_values_of(*more)) identity.claims.try_emplace(name, std::move(values));
    }
    return identity;
}

} // namespace campusdesk
