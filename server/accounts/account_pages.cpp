#include "server/accounts/account_pages.hpp"

#include "core/local_time.hpp"
#include "server/http/form_body.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"
#include "server/http/log.hpp"
#include "server/views/page_frame.hpp"
#include "server/accounts/password_quality.hpp"
#include "server/http/responses.hpp"
#include "storage/mail_repository.hpp"

#include <fmt/format.h>

#include <variant>

namespace campusdesk {
namespace {

// "8 Stunden", "30 Tagen" (after "nach"); English "8 hours", "30 days".
std::string span_text(time_ms ms, language lang) {
    constexpr time_ms minute = 60 * 1000, hour = 60 * minute, day = 24 * hour;
    if (ms % day == 0) return fmt::format("{} {}", ms / day, ms == day ? tr(lang, "Tag") : tr(lang, "Tagen"));
    if (ms % hour == 0) return fmt::format("{} {}", ms / hour, ms == hour ? tr(lang, "Stunde") : tr(lang, "Stunden"));
    return fmt::format("{} {}", ms / minute, ms == minute ? tr(lang, "Minute") : tr(lang, "Minuten"));
}

// Texts as string_view: a std::string made for the call would be a temporary around the co_await, which GCC 12
// destroys twice (storage_service.hpp).
net::awaitable<http_response> show(app& a, const auth_state& auth, http::status status, std::string_view notice,
                                   std::string_view error) {
    const auto& u = *auth.who;
    const time_ms now = now_ms();
    auto list = co_await a.storage->read([&](SQLite::Database& db) { return list_credentials(db, u.id, now); });
    const auto current = credential_id_of(auth.session_digest);
    const auto lang = auth.lang;
    const auto* zone = a.calendar.zone();
    auto d = base_data(a, auth, std::string(tr(lang, "Mein Konto")));
    d.set("notice", std::string(notice));
    d.set("error", std::string(error));
    d.set("name", u.name);
    d.set("login", u.login);
    d.set("role", std::string(role_label(u.who, lang)));
    const auto& limits = a.config.sessions.for_role(u.who);
    d.set("idle", span_text(limits.idle, lang));
    d.set("lifetime", span_text(limits.lifetime, lang));
    page_list rows;
    bool has_others = false;
    for (const auto& c : list) {
        page_data row;
        const bool is_current = !c.api_token && !auth.via_bearer && c.id == current;
        has_others = has_others || !is_current;
        row.set("id", c.id);
        row.set("api_token", c.api_token);
        row.set("label", c.label.empty() && !c.api_token ? std::string(tr(lang, "Unbekannter Browser")) : c.label);
        row.set("current", is_current);
        row.set("created", format_datetime(c.created_at, zone, lang));
        row.set("last_used",
                c.last_used_at ? format_datetime(c.last_used_at, zone, lang) : std::string(tr(lang, "nie")));
        row.set("expires", format_datetime(c.expires_at, zone, lang));
        row.set("csrf", auth.csrf_token);
        rows.push_back(std::move(row));
    }
    d.set("credentials", std::move(rows));
    d.set("has_others", has_others);
    d.set("can_change_password", !u.password_hash.empty());
    d.set("password_min", std::to_string(password_min_characters));
    d.set("password_max", std::to_string(password_max_characters));
    const auto settings =
        co_await a.storage->read([&](SQLite::Database& db) { return load_mail_settings(db, u.id).value_or(mail_settings{}); });
    d.set("mail_enabled", a.config.mail.enabled);
    d.set("email", settings.email);
    d.set("email_from_directory", u.who == role::campus_manager);
    page_list kinds;
    for (const auto kind : mail_kinds_for(u.who)) {
        page_data k;
        k.set("name", std::string(to_string(kind)));
        k.set("label", std::string(mail_kind_label(kind, lang)));
        k.set("on", (settings.mail_off & mail_bit(kind)) == 0);
        kinds.push_back(std::move(k));
    }
    d.set("has_kinds", !kinds.empty());
    d.set("kinds", std::move(kinds));
    d.set("can_digest", u.who == role::campus_manager);
    d.set("digest", settings.digest);
    d.set("digest_hour", std::to_string(a.config.mail.digest_hour));
    d.set("locale_de", settings.locale != "en");
    d.set("locale_en", settings.locale == "en");
    d.set("page_lang_de", u.lang == language::de);
    d.set("page_lang_en", u.lang == language::en);
    d.set("page_lang_browser", !u.lang);
    co_return html_response(status, a.pages.page("account", d));
}

net::awaitable<http_response> revoke(app& a, const auth_state& auth, const form_fields& form) {
    const auto& u = *auth.who;
    const auto id = field_or_empty(form, "id");
    const time_ms now = now_ms();
    const auto ended = co_await a.storage->write([&](SQLite::Database& db) -> std::size_t {
        const std::size_t n = id == "others" ? revoke_credentials(db, u.id, auth.session_digest)
                              : id != credential_id_of(auth.session_digest) && revoke_credential(db, u.id, id) ? 1
                                                                                                                : 0;
        if (n > 0) append_audit(db, now, u.id, "user_revoke", u.login, id);
        return n;
    });
    log_security(security_event::sessions_revoked, {{"user", u.login}, {"by", "self"}, {"ended", ended}});
    const std::string notice = ended == 1 ? std::string(tr(auth.lang, "Abgemeldet."))
                                          : fmt::format(tf(auth.lang, "{} Anmeldungen beendet."), ended);
    co_return co_await show(a, auth, http::status::ok, notice, "");
}

// The refusal of a password change, or nullopt once the password is changed (`notice` then says so).
net::awaitable<std::optional<std::pair<http::status, std::string>>> try_password_change(app& a, const auth_state& auth,
                                                                                       const form_fields& form,
                                                                                       std::string& notice) {
    using refusal = std::pair<http::status, std::string>;
    const auto& u = *auth.who;
    const auto current = field_or_empty(form, "current");
    const auto fresh = field_or_empty(form, "new");
    const auto lang = auth.lang;
    const refusal busy{http::status::service_unavailable,
                       std::string(tr(lang, "Gerade sehr viel Betrieb. Bitte gleich noch einmal versuchen."))};
    const refusal wrong_current{http::status::unprocessable_entity,
                                std::string(tr(lang, "Das bisherige Passwort ist falsch."))};
    if (fresh != field_or_empty(form, "repeat"))
        co_return refusal{http::status::unprocessable_entity,
                          std::string(tr(lang, "Die beiden neuen Passwörter stimmen nicht überein."))};
    if (!password_fits_login(current)) co_return wrong_current;
    if (auto rejected = check_new_password(fresh, u.login))
        co_return refusal{http::status::unprocessable_entity, rejected->message};
    // The current password is asked for (ASVS 6.2.3): a session left open on a shared iPad must not be enough to
    // take over the account.
    const auto verified = co_await a.hasher.verify(u.password_hash, current);
    if (!verified) co_return busy;
    if (!*verified) {
        log_security(security_event::permission_denied, {{"user", u.login}, {"reason", "wrong current password"}});
        co_return wrong_current;
    }
    const auto hash = co_await a.hasher.hash(fresh);
    if (!hash) co_return busy;
    const time_ms now = now_ms();
    // Every other session and token ends; this one stays, so the person is not logged out by their own change.
    const auto ended = co_await a.storage->write([&](SQLite::Database& db) {
        append_audit(db, now, u.id, "user_passwd", u.login, "self");
        return change_password(db, u.id, *hash, auth.session_digest);
    });
    log_security(security_event::password_changed, {{"user", u.login}, {"by", "self"}, {"ended", ended}});
    notice = ended == 0 ? std::string(tr(lang, "Das Passwort ist geändert."))
                        : fmt::format(tf(lang, "Das Passwort ist geändert; {} andere Anmeldungen sind beendet."),
                                      ended);
    co_return std::nullopt;
}

net::awaitable<http_response> change_own_password(app& a, const auth_state& auth, const form_fields& form) {
    std::string notice;
    const auto refused = co_await try_password_change(a, auth, form, notice);
    if (refused) co_return co_await show(a, auth, refused->first, "", refused->second);
    co_return co_await show(a, auth, http::status::ok, notice, "");
}

// The mail settings of the form, or the reason they are refused.
std::variant<mail_settings, std::string> read_mail_settings(const user& u, const mail_settings& before,
                                                           const form_fields& form, language lang) {
    mail_settings s = before;
    if (u.who != role::campus_manager) {
        // A person's own address: plausible, short enough for SMTP (RFC 5321: 254), or empty for no mail.
        s.email = field_or_empty(form, "email");
        while (!s.email.empty() && (s.email.back() == ' ' || s.email.back() == '\t')) s.email.pop_back();
        while (!s.email.empty() && (s.email.front() == ' ' || s.email.front() == '\t')) s.email.erase(0, 1);
        if (!s.email.empty() && (s.email.size() > 254 || !is_email(s.email)))
            return std::string(tr(lang, "Das ist keine gültige E-Mail-Adresse."));
    }
    s.mail_off = 0;
    for (const auto kind : mail_kinds_for(u.who))
        if (field_or_empty(form, "kind_" + std::string(to_string(kind))) != "on") s.mail_off |= mail_bit(kind);
    s.digest = u.who == role::campus_manager && field_or_empty(form, "digest") == "on";
    const auto locale = field_or_empty(form, "locale");
    if (locale != "de" && locale != "en") return std::string(tr(lang, "Bitte eine Sprache wählen."));
    s.locale = locale;
    return s;
}

net::awaitable<http_response> change_mail_settings(app& a, const auth_state& auth, const form_fields& form) {
    const auto& u = *auth.who;
    const auto before =
        co_await a.storage->read([&](SQLite::Database& db) { return load_mail_settings(db, u.id).value_or(mail_settings{}); });
    const auto read = read_mail_settings(u, before, form, auth.lang);
    if (const auto* refused = std::get_if<std::string>(&read))
        co_return co_await show(a, auth, http::status::unprocessable_entity, "", *refused);
    const auto& settings = std::get<mail_settings>(read);
    const time_ms now = now_ms();
    co_await a.storage->write([&](SQLite::Database& db) {
        save_mail_settings(db, u.id, settings);
        append_audit(db, now, u.id, "user_mail_settings", u.login, settings.email);
    });
    co_return co_await show(a, auth, http::status::ok, tr(auth.lang, "Die Mail-Einstellungen sind gespeichert."), "");
}

// A return address after the language switch: a path of this site ("/queue?…"), never another host ("//x", "/\\x").
bool local_path(std::string_view back) {
    return back.starts_with('/') && !back.starts_with("//") && back.find('\\') == std::string_view::npos &&
           back.find_first_of("\r\n") == std::string_view::npos && back.size() <= 2000;
}

// The pages' language from the header's switch or the account page: "de", "en", or "" to follow the browser.
net::awaitable<http_response> change_page_language(app& a, const auth_state& auth, const form_fields& form) {
    const auto& u = *auth.who;
    const auto code = field_or_empty(form, "language");
    const auto chosen = parse_language(code);
    if (!chosen && !code.empty())
        co_return co_await show(a, auth, http::status::unprocessable_entity, "",
                                tr(auth.lang, "Bitte eine Sprache wählen."));
    const time_ms now = now_ms();
    co_await a.storage->write([&](SQLite::Database& db) {
        set_user_language(db, u.id, chosen);
        append_audit(db, now, u.id, "user_language", u.login, code);
    });
    const auto back = field_or_empty(form, "back");
    co_return redirect(local_path(back) ? back : "/account#sprache");
}

} // namespace

bool is_account_path(std::string_view path) { return path == "/account" || path.starts_with("/account/"); }

net::awaitable<http_response> account_page(app& a, http_request& req, const auth_state& auth, std::string_view path) {
    const bool is_get = req.method() == http::verb::get || req.method() == http::verb::head;
    if (path == "/account" && is_get) co_return co_await show(a, auth, http::status::ok, "", "");
    if (req.method() != http::verb::post ||
        (path != "/account/revoke" && path != "/account/password" && path != "/account/mail" &&
         path != "/account/sprache"))
        co_return co_await show(a, auth, http::status::not_found, "", tr(auth.lang, "Diese Seite gibt es nicht."));
    auto form = is_form(req) ? parse_form(req.body()) : std::nullopt;
    if (!form || !csrf_ok(auth, field_or_empty(*form, "csrf")))
        co_return co_await show(a, auth, http::status::forbidden, "",
                                tr(auth.lang, "Das Formular ist abgelaufen. Bitte die Seite neu laden und noch "
                                              "einmal versuchen."));
    if (path == "/account/revoke") co_return co_await revoke(a, auth, *form);
    if (path == "/account/mail") co_return co_await change_mail_settings(a, auth, *form);
    if (path == "/account/sprache") co_return co_await change_page_language(a, auth, *form);
    co_return co_await change_own_password(a, auth, *form);
}

} // namespace campusdesk
