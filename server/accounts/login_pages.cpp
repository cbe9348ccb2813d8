#include "server/accounts/login_pages.hpp"

#include "core/password_policy.hpp"
#include "server/accounts/credentials.hpp"
#include "server/http/form_body.hpp"
#include "server/http/responses.hpp"
#include "server/views/i18n.hpp"
#include "server/views/page_frame.hpp"

#include <algorithm>

namespace campusdesk {
namespace {

// A well-formed token from an earlier login page is kept: the browser may load /login twice at once (a
// favicon or a second tab redirected there), and a fresh cookie would make the form already open stale.
std::string login_csrf_token(const app& a, const http_request& req) {
    auto token = find_cookie(req, login_csrf_cookie_name(a)).value;
    const bool well_formed = token.size() == 64 && std::all_of(token.begin(), token.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    return well_formed ? token : random_token();
}

} // namespace

http_response login_page(const app& a, const http_request& req, http::status status, std::string error,
                         std::string login) {
    // Login forms get their own double-submit CSRF token, since there is no session yet.
    auto token = login_csrf_token(a, req);
    auth_state nobody;
    nobody.lang = page_language(req, std::nullopt);
    auto d = base_data(a, nobody, std::string(tr(nobody.lang, "Anmelden")));
    d.set("login_csrf", token);
    d.set("error", std::move(error));
    d.set("login", std::move(login));
    page_list providers;
    for (const auto& p : a.config.oidc.providers) {
        page_data item;
        item.set("id", p.id);
        item.set("label", p.label);
        providers.push_back(std::move(item));
    }
    d.set("has_providers", !providers.empty());
    d.set("providers", std::move(providers));
    d.set("password_named_only", !a.config.oidc.password_logins.empty());
    auto res = html_response(status, a.pages.page("login", d));
    res.set(http::field::set_cookie, login_csrf_cookie(a, token));
    return res;
}

net::awaitable<http_response> post_login(app& a, const http_request& req, const net::ip::address& peer) {
    const auto lang = page_language(req, std::nullopt);
    auto say = [lang](std::string_view german) { return std::string(tr(lang, german)); };
    if (!is_form(req))
        co_return login_page(a, req, http::status::unsupported_media_type, say("Ungültiges Formular."), "");
    auto form = parse_form(req.body());
    if (!form) co_return login_page(a, req, http::status::bad_request, say("Ungültiges Formular."), "");
    const auto login = field_or_empty(*form, "login");
    const auto cookie = find_cookie(req, login_csrf_cookie_name(a)).value;
    if (cookie.empty() || !constant_time_equal(cookie, field_or_empty(*form, "csrf")))
        co_return login_page(a, req, http::status::forbidden,
                             say("Die Anmeldeseite war veraltet. Bitte noch einmal versuchen."), login);
    const auto password = field_or_empty(*form, "password");
    if (login.empty() || password.empty() || login.size() > 200)
        co_return login_page(a, req, http::status::unprocessable_entity,
                             say("Bitte Benutzername und Passwort eingeben."), login);
    if (!password_fits_login(password))
        co_return login_page(a, req, http::status::unprocessable_entity,
                             fmt::format(fmt::runtime(say("Das Passwort darf höchstens {} Zeichen lang sein.")),
                                         password_max_characters),
                             login);
    // Named, not a temporary in the co_await (GCC PR 99576, storage_service.hpp).
    const login_request attempt{login, password, client_address(a.config, req, peer), std::string(req[http::field::user_agent]),
                                find_cookie(req, device_cookie_name(a)).value, true};
    auto result = co_await log_in(a, attempt);
    if (auto* refused = std::get_if<login_refused>(&result)) {
        if (refused->why == login_refused::reason::invalid)
            co_return login_page(a, req, http::status::unauthorized, say("Benutzername oder Passwort ist falsch."),
                                 login);
        if (refused->why == login_refused::reason::password_off)
            co_return login_page(a, req, http::status::forbidden,
                                 say("Für dieses Konto ist die Anmeldung mit Passwort abgeschaltet. Bitte oben über "
                                     "das Schul- oder Dienstkonto anmelden."),
                                 login);
        const auto seconds = retry_after_seconds(*refused);
        auto res = refused->why == login_refused::reason::throttled
                       ? login_page(a, req, http::status::too_many_requests,
                                    fmt::format(fmt::runtime(say("Zu viele Fehlversuche. Bitte in {} Sekunden erneut "
                                                                 "versuchen.")),
                                                seconds),
                                    login)
                       : login_page(a, req, http::status::service_unavailable,
                                    say("Gerade melden sich sehr viele an. Bitte gleich noch einmal versuchen."),
                                    login);
        res.set(http::field::retry_after, std::to_string(seconds));
        co_return res;
    }
    auto res = redirect("/");
    set_login_cookies(a, res, std::get<login_success>(result));
    co_return res;
}


} // namespace campusdesk
