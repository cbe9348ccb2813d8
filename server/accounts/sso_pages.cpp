#include "server/accounts/sso_pages.hpp"

#include "server/accounts/login_pages.hpp"
#include "server/http/log.hpp"
#include "server/http/responses.hpp"
#include "server/views/page_frame.hpp"
#include "storage/sso_repository.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace campusdesk {
namespace {

// Where the provider sends the browser back: [server] public_url, or (without one: tests, a trusted network) the
// address the browser used. A forged Host header gains nothing: the provider accepts only registered redirect URIs.
std::string base_url(const app& a, const http_request& req) {
    std::string base = a.config.public_url;
    if (base.empty()) {
        std::string_view host = req[http::field::host];
        const bool plain = !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
        });
        base = "http://" + std::string(plain ? host : "localhost");
    }
    while (base.ends_with('/')) base.pop_back();
    return base;
}

std::string callback_uri(const app& a, const http_request& req, const oidc_provider& p) {
    return fmt::format("{}/sso/{}/callback", base_url(a, req), p.id);
}

http_response no_store(http_response res) {
    res.set(http::field::cache_control, "no-store");
    return res;
}

http_response unreachable_page(const app& a, const http_request& req, const oidc_provider& p) {
    return login_page(a, req, http::status::bad_gateway,
                      fmt::format("Die Anmeldung „{}“ ist gerade nicht erreichbar. Bitte später noch einmal versuchen "
                                  "oder mit Benutzername und Passwort anmelden.",
                                  p.label),
                      "");
}

void log_failure(const oidc_provider& p, std::string_view reason, const std::string& address) {
    log_security(security_event::sso_login_failed,
                 {{"provider", p.id}, {"reason", std::string(reason)}, {"address", address}});
}

struct unmapped_words {
    std::string_view de, en;
};
unmapped_words words_for(sso_unmapped::reason why) {
    switch (why) {
    case sso_unmapped::reason::no_login:
        return {"Der Anmeldedienst hat keinen gültigen Benutzernamen übermittelt.",
                "The identity provider sent no valid user name."};
    case sso_unmapped::reason::no_role:
        return {"Ihr Konto gehört zu keiner Gruppe, der campusdesk eine Rolle zuordnet (Lehrkraft, Campus-Manager, "
                "Helpdesk, Administration).",
                "Your account is in no group that campusdesk gives a role (teacher, campus manager, help desk, admin)."};
    case sso_unmapped::reason::no_school:
        return {"Für Ihr Konto ist keine Schulnummer hinterlegt.", "Your account carries no school number."};
    case sso_unmapped::reason::unknown_school:
        return {"Die Schulnummer Ihres Kontos gehört zu keiner Schule, die campusdesk betreut.",
                "The school number of your account is not one of the schools campusdesk serves."};
    case sso_unmapped::reason::not_a_manager:
        return {"Ihr Benutzername steht nicht in der Liste der Campus-Manager.",
                "Your user name is not in the list of campus managers."};
    }
    return {"", ""};
}

net::awaitable<http_response> start(app& a, const http_request& req, const oidc_provider& p,
                                    const net::ip::address& peer) {
    const auto redirect_uri = callback_uri(a, req, p);
    const auto browser = find_cookie(req, sso_cookie_name(a)).value;
    auto started = co_await a.sso->start(p, redirect_uri, browser);
    if (auto* failure = std::get_if<oidc_failure>(&started)) {
        log_failure(p, failure->reason, client_address(a.config, req, peer));
        if (failure->unreachable) co_return unreachable_page(a, req, p);
        co_return login_page(a, req, http::status::service_unavailable,
                             "Gerade melden sich sehr viele an. Bitte gleich noch einmal versuchen.", "");
    }
    const auto& go = std::get<oidc_redirect>(started);
    auto res = redirect(go.authorization_url);
    res.set(http::field::set_cookie, sso_cookie(a, go.browser_token));
    co_return no_store(std::move(res));
}

net::awaitable<http_response> callback(app& a, const http_request& req, const boost::urls::url_view& url,
                                       const oidc_provider& p, const net::ip::address& peer) {
    const auto address = client_address(a.config, req, peer);
    const oidc_callback back{query_value(url, "state"), query_value(url, "code"), query_value(url, "error"),
                             find_cookie(req, sso_cookie_name(a)).value};
    const auto redirect_uri = callback_uri(a, req, p);
    auto finished = co_await a.sso->finish(p, back, redirect_uri);
    if (auto* failure = std::get_if<oidc_failure>(&finished)) {
        log_failure(p, failure->reason, address);
        if (failure->unreachable) co_return unreachable_page(a, req, p);
        const bool stale = failure->reason == "unknown_state" || failure->reason == "login_timed_out" ||
                           failure->reason == "other_browser";
        co_return no_store(login_page(
            a, req, stale ? http::status::bad_request : http::status::forbidden,
            stale ? fmt::format("Diese Anmeldung über „{}“ ist abgelaufen oder wurde schon verwendet. Bitte noch einmal "
                                "auf die Schaltfläche klicken.",
                                p.label)
                  : fmt::format("Die Anmeldung über „{}“ wurde abgelehnt: Die Antwort des Anmeldedienstes war nicht "
                                "gültig. Bitte noch einmal versuchen; wenn es wieder nicht klappt, den Helpdesk "
                                "informieren.",
                                p.label),
            ""));
    }
    const auto& identity = std::get<oidc_identity>(finished);
    const auto& dir = a.dir.current();
    const manager_record* manager = nullptr;
    const auto school_exists = [&](std::string_view number) {
        return std::any_of(dir.schools.begin(), dir.schools.end(), [&](const school_record& s) { return s.number == number; });
    };
    const auto is_manager_login = [&](std::string_view login) {
        const auto it = std::find_if(dir.managers.begin(), dir.managers.end(),
                                     [&](const manager_record& m) { return m.login == login; });
        manager = it == dir.managers.end() ? nullptr : &*it;
        return manager != nullptr;
    };
    auto mapped = map_identity(p, identity.claims, school_exists, is_manager_login);
    if (auto* unmapped = std::get_if<sso_unmapped>(&mapped)) {
        log_security(security_event::sso_login_failed,
                     {{"provider", p.id}, {"reason", fmt::format("unmapped:{}", to_string(unmapped->why))},
                      {"subject", identity.subject.substr(0, 100)}, {"detail", unmapped->detail.substr(0, 100)},
                      {"address", address}});
        auto d = base_data(a, {}, "Kein Zugang");
        const auto words = words_for(unmapped->why);
        d.set("provider", p.label);
        d.set("login", unmapped->why == sso_unmapped::reason::no_login ? std::string() : unmapped->detail);
        d.set("reason_de", std::string(words.de));
        d.set("reason_en", std::string(words.en));
        co_return no_store(html_response(http::status::forbidden, a.pages.page("sso_unmapped", d)));
    }
    const sso_login login{p.id, identity.subject, std::get<sso_identity>(mapped),
                          std::get<sso_identity>(mapped).who == role::campus_manager && manager ? manager->id : 0,
                          p.link_existing_accounts};
    const time_ms now = now_ms();
    auto provisioned = co_await a.storage->write([&](SQLite::Database& db) { return provision_sso_user(db, login, now); });
    if (auto* refused = std::get_if<sso_refusal>(&provisioned)) {
        log_security(security_event::sso_login_failed, {{"provider", p.id},
                                                        {"reason", std::string(to_string(*refused))},
                                                        {"user", login.identity.login},
                                                        {"address", address}});
        co_return no_store(login_page(
            a, req, http::status::forbidden,
            *refused == sso_refusal::disabled
                ? std::string("Ihr Zugang zu campusdesk ist gesperrt. Bitte an den Helpdesk wenden.")
                : fmt::format("Der Benutzername „{}“ gehört in campusdesk schon zu einem anderen Konto. Bitte an den "
                              "Helpdesk wenden.",
                              login.identity.login),
            ""));
    }
    const auto& who = std::get<user>(provisioned);
    const login_request request{who.login, {}, address, std::string(req[http::field::user_agent]),
                                find_cookie(req, device_cookie_name(a)).value, true};
    auto success = co_await open_session(a, who, request, p.id, identity.id_token);
    log_security(security_event::sso_login_succeeded,
                 {{"user", who.login}, {"provider", p.id}, {"role", std::string(to_string(who.who))}, {"address", address}});
    // A teacher comes to report a fault; staff to their queue or board.
    auto res = redirect(who.who == role::teacher ? "/tickets/new" : "/");
    set_login_cookies(a, res, success);
    co_return no_store(std::move(res));
}

} // namespace

bool is_sso_path(std::string_view path) { return path.starts_with("/sso/"); }

net::awaitable<http_response> sso_page(app& a, const http_request& req, const boost::urls::url_view& url,
                                       const net::ip::address& peer) {
    const std::string path = url.path();
    auto rest = std::string_view(path).substr(5);
    const auto slash = rest.find('/');
    const auto* provider = a.sso && slash != std::string_view::npos ? a.config.oidc.find(rest.substr(0, slash)) : nullptr;
    const auto action = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    // GET only: a HEAD (a link checker, a prefetch) would use a login's state up.
    if (!provider || req.method() != http::verb::get || (action != "start" && action != "callback"))
        co_return not_found_page(a, {});
    if (action == "start") co_return co_await start(a, req, *provider, peer);
    co_return co_await callback(a, req, url, *provider, peer);
}

net::awaitable<std::string> logout_target(app& a, const auth_state& auth, const http_request& req) {
    std::string target = "/login";
    if (!a.sso || auth.session_digest.empty()) co_return target;
    auto session = co_await a.storage->read([&](SQLite::Database& db) { return find_sso_session(db, auth.session_digest); });
    const auto* provider = session ? a.config.oidc.find(session->provider) : nullptr;
    if (!provider || !provider->logout) co_return target;
    const auto back = base_url(a, req) + "/login";
    auto url = co_await a.sso->logout_url(*provider, session->id_token, back);
    if (!url.empty()) target = std::move(url);
    co_return target;
}

} // namespace campusdesk
