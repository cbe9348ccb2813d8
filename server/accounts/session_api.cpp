#include "server/accounts/session_api.hpp"

#include "core/password_policy.hpp"
#include "server/http/api_request.hpp"
#include "server/http/responses.hpp"
#include "server/tickets/ticket_json.hpp"

namespace campusdesk {

net::awaitable<http_response> create_session(app& a, const http_request& req, const net::ip::address& peer) {
    auto body = json_body(req);
    if (auto* error = std::get_if<http_response>(&body)) co_return std::move(*error);
    const auto& o = std::get<json::object>(body);
    std::string login, password;
    if (auto e = string_field(o, "login", login)) co_return std::move(*e);
    if (auto e = string_field(o, "password", password)) co_return std::move(*e);
    if (login.empty() || login.size() > 200)
        co_return api_error(http::status::unprocessable_entity, "required", "Bitte den Benutzernamen angeben.", "login");
    if (password.empty())
        co_return api_error(http::status::unprocessable_entity, "required", "Bitte das Passwort angeben.", "password");
    // Any password that could have been set is verified; a longer one is refused before it costs a hash.
    if (!password_fits_login(password))
        co_return api_error(http::status::unprocessable_entity, "too_long",
                            fmt::format("Das Passwort darf höchstens {} Zeichen lang sein.", password_max_characters),
                            "password");
    // Named, not a temporary in the co_await (GCC PR 99576, storage_service.hpp).
    const login_request attempt{login, password, client_address(a.config, req, peer), std::string(req[http::field::user_agent]),
                                find_cookie(req, device_cookie_name(a)).value};
    auto result = co_await log_in(a, attempt);
    if (auto* refused = std::get_if<login_refused>(&result)) {
        if (refused->why == login_refused::reason::invalid)
            co_return api_error(http::status::unauthorized, "invalid_credentials",
                                "Benutzername oder Passwort ist falsch.");
        if (refused->why == login_refused::reason::password_off)
            co_return api_error(http::status::forbidden, "password_login_disabled",
                                "Für dieses Konto ist die Anmeldung mit Passwort abgeschaltet (Single Sign-on).");
        const auto seconds = retry_after_seconds(*refused);
        auto res = refused->why == login_refused::reason::throttled
                       ? api_error(http::status::too_many_requests, "rate_limited",
                                   fmt::format("Zu viele Fehlversuche. Bitte in {} Sekunden erneut versuchen.", seconds))
                       : api_error(http::status::service_unavailable, "busy",
                                   "Gerade melden sich sehr viele an. Bitte gleich noch einmal versuchen.");
        res.set(http::field::retry_after, std::to_string(seconds));
        co_return res;
    }
    auto& success = std::get<login_success>(result);
    auto res = json_response(http::status::ok, json::object{{"user", user_to_json(success.who)},
                                                            {"csrf_token", success.csrf_token}});
    set_login_cookies(a, res, success);
    co_return res;
}


} // namespace campusdesk
