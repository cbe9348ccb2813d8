#include "server/admin/admin_pages.hpp"

#include "core/local_time.hpp"
#include "core/password_policy.hpp"
#include "core/text.hpp"
#include "core/ticket_rules.hpp"
#include "server/accounts/credentials.hpp"
#include "server/accounts/password_quality.hpp"
#include "server/http/form_body.hpp"
#include "server/http/log.hpp"
#include "server/http/responses.hpp"
#include "server/privacy/personal_export.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"
#include "server/views/page_frame.hpp"
#include "storage/mail_repository.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>

namespace campusdesk {
namespace {

constexpr std::size_t login_max = 100, name_max = 100, token_label_max = 100;
constexpr std::size_t users_per_page = 100;
constexpr int token_days_max = 3650;


// New logins: letters, digits and . _ @ - (they appear in URLs, logs and the CLI), 1 to login_max characters.
bool plain_login(std::string_view login) {
    return !login.empty() && login.size() <= login_max && std::all_of(login.begin(), login.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '_' || c == '@' || c == '-';
    });
}

page_data admin_frame(const app& a, const auth_state& auth, std::string title, std::string_view section) {
    auto d = base_data(a, auth, std::move(title));
    d.set("section_users", section == "users");
    d.set("section_schools", section == "schools");
    d.set("section_config", section == "config");
    return d;
}

std::string school_label(const app& a, const std::string& number) {
    const auto* s = a.dir.school(number);
    return s ? s->name + " (" + number + ")" : number;
}

std::vector<std::pair<std::string, std::string>> role_choices(language lang) {
    std::vector<std::pair<std::string, std::string>> roles{{"", std::string(tr(lang, "– bitte wählen –"))}};
    for (auto r : {role::teacher, role::campus_manager, role::dispatcher, role::admin})
        roles.emplace_back(std::string(to_string(r)), std::string(role_label(r, lang)));
    return roles;
}

// --- accounts ----------------------------------------------------------------------------------------------------

struct new_account {
    std::string login, name, role, school, email, password;
};

net::awaitable<http_response> users_page(app& a, const auth_state& auth, const boost::urls::url_view& url,
                                         http::status status, const new_account& entered,
                                         const std::vector<field_error>& errors) {
    const auto text = query_value(url, "q");
    if (auto problem = check_search_text(text))
        co_return error_page(a, auth, http::status::unprocessable_entity, problem->message);
    const auto users =
        co_await a.storage->read([&](SQLite::Database& db) { return search_users(db, text, users_per_page + 1); });
    auto d = admin_frame(a, auth, std::string(errors.empty() ? tr(auth.lang, "Benutzerverwaltung") : tr(auth.lang, "Fehler: Benutzerverwaltung")), "users");
    page_list rows;
    for (std::size_t i = 0; i < users.size() && i < users_per_page; ++i) {
        const auto& u = users[i];
        page_data row;
        row.set("id", std::to_string(u.id));
        row.set("login", u.login);
        row.set("name", u.name);
        row.set("role", std::string(role_label(u.who, auth.lang)));
        std::string where;
        if (u.who == role::teacher) where = school_label(a, u.school_number);
        else if (u.who == role::campus_manager)
            if (const auto* m = a.dir.manager(u.manager_id)) where = fmt::format(tf(auth.lang, "{} Schulen"), m->schools.size());
        row.set("where", where);
        row.set("disabled", u.disabled);
        rows.push_back(std::move(row));
    }
    d.set("q", text);
    d.set("users", std::move(rows));
    d.set("none", users.empty());
    d.set("more", users.size() > users_per_page);
    d.set("limit", std::to_string(users_per_page));
    d.set("value_login", entered.login);
    d.set("value_name", entered.name);
    d.set("value_email", entered.email);
    d.set("roles", select_options(role_choices(auth.lang), entered.role));
    std::vector<std::pair<std::string, std::string>> schools{{"", std::string(tr(auth.lang, "– nur für Lehrkräfte –"))}};
    for (const auto& s : a.dir.current().schools) schools.emplace_back(s.number, s.name + " (" + s.number + ")");
    d.set("schools", select_options(schools, entered.school));
    d.set("password_min", std::to_string(password_min_characters));
    d.set("password_max", std::to_string(password_max_characters));
    page_list summary;
    for (const auto& e : errors) {
        d.set("error_" + e.field, e.message);
        page_data item;
        item.set("target", "neu-" + e.field);
        item.set("message", e.message);
        summary.push_back(std::move(item));
    }
    d.set("has_errors", !summary.empty());
    d.set("error_summary", std::move(summary));
    co_return html_response(status, a.pages.page("admin_users", std::move(d)));
}

struct account_result {
    std::int64_t id = 0;
    std::vector<field_error> errors;
};

net::awaitable<http_response> show_user(app& a, const auth_state& auth, std::int64_t id, http::status status,
                                        std::string_view notice, std::string_view secret, std::string_view error);

net::awaitable<http_response> add_account(app& a, const auth_state& auth, const boost::urls::url_view& url,
                                          const form_fields& form) {
    const auto& admin = *auth.who;
    new_account n{field_or_empty(form, "login"), field_or_empty(form, "name"),   field_or_empty(form, "role"),
                  field_or_empty(form, "school"), field_or_empty(form, "email"), field_or_empty(form, "password")};
    std::vector<field_error> errors;
    if (!plain_login(n.login))
        errors.push_back({"login", "invalid_login",
                          fmt::format(tf(auth.lang, "Anmeldename: 1 bis {} Zeichen aus Buchstaben, Ziffern und . _ @ -."), login_max)});
    if (is_blank(n.name) || !is_valid_utf8(n.name) || has_control_characters(n.name, text_lines::single) ||
        utf8_length(n.name) > name_max)
        errors.push_back({"name", "invalid_name", fmt::format(tf(auth.lang, "Bitte den Namen angeben (höchstens {} Zeichen)."), name_max)});
    const auto r = parse_role(n.role);
    if (!r) errors.push_back({"role", "invalid_role", std::string(tr(auth.lang, "Bitte eine Rolle wählen."))});
    const auto* school = a.dir.school(n.school);
    if (r == role::teacher && (!school || !school->active))
        errors.push_back({"school", "unknown_school", std::string(tr(auth.lang, "Eine Lehrkraft braucht ihre Schule."))});
    if (r && r != role::teacher && !n.school.empty())
        errors.push_back({"school", "school_for_teachers", std::string(tr(auth.lang, "Eine Schule gehört nur zu Konten von Lehrkräften."))});
    if (!n.email.empty() && (n.email.size() > 254 || !is_email(n.email)))
        errors.push_back({"email", "invalid_email", std::string(tr(auth.lang, "Das ist keine gültige E-Mail-Adresse."))});
    if (r == role::campus_manager && !n.email.empty())
        errors.push_back({"email", "email_from_directory", std::string(tr(auth.lang, "Die Adresse von Campus-Manager/innen steht in managers.csv."))});
    if (!n.password.empty())
        if (auto rejected = check_new_password(n.password, n.login)) errors.push_back({"password", "weak_password", rejected->message});
    if (!errors.empty()) co_return co_await users_page(a, auth, url, http::status::unprocessable_entity, n, errors);

    const bool generated = n.password.empty();
    const std::string password = generated ? generate_initial_password(n.login) : n.password;
    const auto hash = co_await a.hasher.hash(password);
    if (!hash)
        co_return error_page(a, auth, http::status::service_unavailable,
                             tr(auth.lang, "Gerade sehr viel Betrieb. Bitte gleich noch einmal versuchen."));
    const time_ms now = now_ms();
    const auto result = co_await a.storage->write([&](SQLite::Database& db) {
        account_result out;
        if (find_user_by_login(db, n.login)) {
            out.errors.push_back({"login", "login_taken", std::string(tr(auth.lang, "Diesen Anmeldenamen gibt es schon."))});
            return out;
        }
        user u;
        u.login = n.login;
        u.name = n.name;
        u.who = *r;
        u.password_hash = *hash;
        if (u.who == role::teacher) u.school_number = n.school;
        if (u.who == role::campus_manager) {
            const auto m = find_manager_by_login(db, n.login);
            if (!m || !m->active) {
                out.errors.push_back({"login", "not_in_directory",
                                      std::string(tr(auth.lang, "Campus-Manager/innen stehen in managers.csv: bitte dort mit diesem "
                                                                "Anmeldenamen eintragen und den Dienst neu starten."))});
                return out;
            }
            u.manager_id = m->id;
        }
        out.id = insert_user(db, u, now, n.email);
        append_audit(db, now, admin.id, "user_add", u.login, std::string(to_string(u.who)));
        return out;
    });
    if (!result.errors.empty())
        co_return co_await users_page(a, auth, url, http::status::unprocessable_entity, n, result.errors);
    log_security(security_event::password_changed, {{"user", n.login}, {"by", admin.login}, {"ended", 0}});
    const std::string notice = fmt::format(tf(auth.lang, "Das Konto {} ist angelegt."), n.login);
    const std::string secret = generated ? password : std::string();
    co_return co_await show_user(a, auth, result.id, http::status::created, notice, secret, "");
}

net::awaitable<http_response> show_user(app& a, const auth_state& auth, std::int64_t id, http::status status,
                                        std::string_view notice, std::string_view secret, std::string_view error) {
    struct loaded {
        std::optional<user> who;
        std::vector<credential_info> credentials;
        std::string email;
    };
    const time_ms now = now_ms();
    const auto found = co_await a.storage->read([&](SQLite::Database& db) {
        loaded l;
        l.who = find_user(db, id);
        if (l.who) {
            l.credentials = list_credentials(db, id, now);
            l.email = load_mail_settings(db, id).value_or(mail_settings{}).email;
        }
        return l;
    });
    if (!found.who) co_return error_page(a, auth, http::status::not_found, tr(auth.lang, "Dieses Konto gibt es nicht."));
    const auto& u = *found.who;
    auto d = admin_frame(a, auth, fmt::format(error.empty() ? tf(auth.lang, "Konto {}") : tf(auth.lang, "Fehler: Konto {}"), u.login), "users");
    d.set("id", std::to_string(u.id));
    d.set("login", u.login);
    d.set("name", u.name);
    d.set("role", std::string(role_label(u.who, auth.lang)));
    if (u.who == role::teacher) d.set("school", school_label(a, u.school_number));
    if (u.who == role::campus_manager)
        if (const auto* m = a.dir.manager(u.manager_id)) d.set("manager_schools", std::to_string(m->schools.size()));
    d.set("email", found.email);
    d.set("disabled", u.disabled);
    d.set("self", u.id == auth.who->id);
    d.set("has_password", !u.password_hash.empty());
    d.set("notice", std::string(notice));
    d.set("secret", std::string(secret));
    d.set("error", std::string(error));
    page_list rows;
    for (const auto& c : found.credentials) {
        page_data row;
        row.set("cid", c.id);
        row.set("api_token", c.api_token);
        row.set("label", c.label.empty() ? std::string(c.api_token ? tr(auth.lang, "ohne Bezeichnung") : tr(auth.lang, "Unbekannter Browser")) : c.label);
        row.set("created", format_datetime(c.created_at, a.calendar.zone(), auth.lang));
        row.set("last_used", c.last_used_at ? format_datetime(c.last_used_at, a.calendar.zone(), auth.lang)
                                            : std::string(tr(auth.lang, "nie")));
        row.set("expires", format_datetime(c.expires_at, a.calendar.zone(), auth.lang));
        rows.push_back(std::move(row));
    }
    d.set("has_credentials", !rows.empty());
    d.set("credentials", std::move(rows));
    d.set("token_days", std::to_string(a.config.sessions.token_lifetime / (24 * 3600 * 1000)));
    d.set("token_days_max", std::to_string(token_days_max));
    d.set("password_min", std::to_string(password_min_characters));
    d.set("password_max", std::to_string(password_max_characters));
    co_return html_response(status, a.pages.page("admin_user", std::move(d)));
}

// POST /admin/benutzer/{id}/{action}
net::awaitable<http_response> account_action(app& a, const auth_state& auth, std::int64_t id, const std::string& action,
                                             const form_fields& form) {
    const auto& admin = *auth.who;
    auto target = co_await a.storage->read([&](SQLite::Database& db) { return find_user(db, id); });
    if (!target) co_return error_page(a, auth, http::status::not_found, tr(auth.lang, "Dieses Konto gibt es nicht."));
    const auto& u = *target;
    const bool self = u.id == admin.id;
    const time_ms now = now_ms();
    const auto refuse = [&](std::string_view message) {
        return show_user(a, auth, id, http::status::unprocessable_entity, "", "", message);
    };
    if (action == "sperren") {
        if (self) co_return co_await refuse(tr(auth.lang, "Das eigene Konto kann man nicht sperren."));
        co_await a.storage->write([&](SQLite::Database& db) {
            disable_user(db, u.login);
            append_audit(db, now, admin.id, "user_disable", u.login, "");
        });
        log_security(security_event::sessions_revoked, {{"user", u.login}, {"by", admin.login}, {"reason", "disabled"}});
        co_return co_await show_user(a, auth, id, http::status::ok, tr(auth.lang, "Das Konto ist gesperrt; alle Anmeldungen sind beendet."), "", "");
    }
    if (action == "entsperren") {
        co_await a.storage->write([&](SQLite::Database& db) {
            enable_user(db, u.login);
            append_audit(db, now, admin.id, "user_enable", u.login, "");
        });
        co_return co_await show_user(a, auth, id, http::status::ok, tr(auth.lang, "Das Konto ist wieder freigegeben."), "", "");
    }
    if (action == "passwort") {
        const auto chosen = field_or_empty(form, "password");
        if (!chosen.empty())
            if (auto rejected = check_new_password(chosen, u.login)) co_return co_await refuse(rejected->message);
        const bool generated = chosen.empty();
        const std::string password = generated ? generate_initial_password(u.login) : chosen;
        const auto hash = co_await a.hasher.hash(password);
        if (!hash)
            co_return error_page(a, auth, http::status::service_unavailable,
                                 tr(auth.lang, "Gerade sehr viel Betrieb. Bitte gleich noch einmal versuchen."));
        // Whoever knew the old password may hold a session or token made with it: all of them end (the admin's
        // own current session stays when they set their own).
        const auto ended = co_await a.storage->write([&](SQLite::Database& db) {
            append_audit(db, now, admin.id, "user_passwd", u.login, "admin");
            return change_password(db, u.id, *hash, self ? std::string_view(auth.session_digest) : std::string_view());
        });
        log_security(security_event::password_changed, {{"user", u.login}, {"by", admin.login}, {"ended", ended}});
        const std::string notice = fmt::format(tf(auth.lang, "Das Passwort ist neu gesetzt; {} Anmeldungen und Tokens sind beendet."), ended);
        // Named: a temporary string in a co_await expression would be destroyed twice (GCC PR 99576).
        const std::string shown = generated ? password : std::string();
        co_return co_await show_user(a, auth, id, http::status::ok, notice, shown, "");
    }
    if (action == "auskunft") {
        // Art. 15/20 DSGVO: everything stored about the person as a JSON download; the export is audited.
        auto person = co_await a.storage->write([&](SQLite::Database& db) {
            append_audit(db, now, admin.id, "user_export", u.login, "admin");
            return load_personal_data(db, u.login);
        });
        if (!person) co_return error_page(a, auth, http::status::not_found, tr(auth.lang, "Dieses Konto gibt es nicht."));
        auto res = text_response(http::status::ok,
                                 personal_export_json(*person, a.data_dir / "attachments", a.calendar.zone()),
                                 "application/json; charset=utf-8");
        res.set(http::field::content_disposition, fmt::format("attachment; filename=\"auskunft-{}.json\"", u.id));
        res.set(http::field::cache_control, "no-store");
        co_return res;
    }
    if (action == "loeschen") {
        // Art. 17 DSGVO: the person anonymised everywhere (docs/datenschutz.md). Typing the login confirms it.
        if (self) co_return co_await refuse(tr(auth.lang, "Das eigene Konto kann man nicht löschen."));
        if (field_or_empty(form, "confirm") != u.login) {
            // Named: a temporary string in a co_await expression would be destroyed twice (GCC PR 99576).
            const std::string message = fmt::format(tf(auth.lang, "Zur Bestätigung bitte den Anmeldenamen „{}“ eingeben."), u.login);
            co_return co_await refuse(message);
        }
        const bool erased = co_await a.storage->write([&](SQLite::Database& db) {
            if (!erase_person(db, u.login, now)) return false;
            append_audit(db, now, admin.id, "user_erase", fmt::format("user #{}", u.id), "admin");
            return true;
        });
        if (!erased) co_return co_await refuse(tr(auth.lang, "Dieses Konto kann nicht gelöscht werden."));
        log_security(security_event::sessions_revoked, {{"user", fmt::format("#{}", u.id)}, {"by", admin.login}, {"reason", "erased"}});
        co_return co_await show_user(a, auth, id, http::status::ok,
                                     tr(auth.lang, "Die Person ist gelöscht: Konto anonymisiert, Anmeldungen beendet, ihre Tickets "
                                                   "anonymisiert, ihre Anhänge entfernt. Die Kennzahlen bleiben."),
                                     "", "");
    }
    if (action == "abmelden" || action == "widerrufen") {
        const auto cid = action == "widerrufen" ? field_or_empty(form, "cid") : std::string("all");
        const auto ended = co_await a.storage->write([&](SQLite::Database& db) -> std::size_t {
            const std::size_t n =
                cid == "all" ? revoke_credentials(db, u.id, self ? std::string_view(auth.session_digest) : std::string_view())
                : (self && cid == credential_id_of(auth.session_digest)) ? 0
                : revoke_credential(db, u.id, cid)                       ? 1
                                                                         : 0;
            if (n > 0) append_audit(db, now, admin.id, "user_revoke", u.login, cid);
            return n;
        });
        if (action == "widerrufen" && ended == 0)
            co_return co_await refuse(tr(auth.lang, "Diese Anmeldung gibt es nicht (mehr), oder es ist Ihre eigene."));
        log_security(security_event::sessions_revoked, {{"user", u.login}, {"by", admin.login}, {"ended", ended}});
        const std::string notice = fmt::format(tf(auth.lang, "{} Anmeldungen und Tokens beendet."), ended);
        co_return co_await show_user(a, auth, id, http::status::ok, notice, "", "");
    }
    if (action == "token") {
        const auto label = field_or_empty(form, "label");
        const auto days_text = field_or_empty(form, "days");
        int days = 0;
        const auto [end, ec] = std::from_chars(days_text.data(), days_text.data() + days_text.size(), days);
        if (ec != std::errc{} || end != days_text.data() + days_text.size() || days < 1 || days > token_days_max)
        {
            const auto message = fmt::format(tf(auth.lang, "Gültigkeit: 1 bis {} Tage."), token_days_max);
            co_return co_await refuse(message);
        }
        if (!is_valid_utf8(label) || has_control_characters(label, text_lines::single) || utf8_length(label) > token_label_max)
        {
            const auto message = fmt::format(tf(auth.lang, "Bezeichnung: eine Zeile, höchstens {} Zeichen."), token_label_max);
            co_return co_await refuse(message);
        }
        if (u.disabled) co_return co_await refuse(tr(auth.lang, "Ein gesperrtes Konto bekommt keinen Token."));
        const auto token = random_token();
        co_await a.storage->write([&](SQLite::Database& db) {
            insert_api_token(db, token_digest(token), u.id, now, now + time_ms{days} * 24 * 3600 * 1000, label);
            append_audit(db, now, admin.id, "user_token", u.login, label);
        });
        log_security(security_event::token_created, {{"user", u.login}, {"by", admin.login}, {"label", label}});
        co_return co_await show_user(a, auth, id, http::status::ok, tr(auth.lang, "Der API-Token ist erstellt."), token, "");
    }
    co_return not_found_page(a, auth);
}

// --- schools -----------------------------------------------------------------------------------------------------

net::awaitable<http_response> schools_page(app& a, const auth_state& auth, http::status status, std::string_view notice,
                                           std::string_view error) {
    auto d = admin_frame(a, auth, std::string(error.empty() ? tr(auth.lang, "Schulen und Campus-Manager") : tr(auth.lang, "Fehler: Schulen und Campus-Manager")), "schools");
    const auto& dir = a.dir.current();
    page_list rows;
    for (const auto& s : dir.schools) {
        page_data row;
        row.set("number", s.number);
        row.set("name", s.name);
        row.set("district", s.district);
        std::vector<std::pair<std::string, std::string>> managers;
        for (const auto& m : dir.managers) managers.emplace_back(std::to_string(m.id), m.name);
        row.set("managers", select_options(managers, std::to_string(s.manager_id)));
        rows.push_back(std::move(row));
    }
    d.set("schools", std::move(rows));
    d.set("notice", std::string(notice));
    d.set("error", std::string(error));
    co_return html_response(status, a.pages.page("admin_schools", std::move(d)));
}

std::atomic<std::uint64_t> directory_generation{0};

net::awaitable<http_response> move_school_page(app& a, const auth_state& auth, const std::string& number,
                                               const form_fields& form) {
    const auto* school = a.dir.school(number);
    if (!school || !school->active) co_return error_page(a, auth, http::status::not_found, tr(auth.lang, "Diese Schule gibt es nicht."));
    const auto to = parse_id(field_or_empty(form, "manager_id"));
    const auto* manager = to ? a.dir.current_manager(*to) : nullptr;
    if (!manager)
        co_return co_await schools_page(a, auth, http::status::unprocessable_entity, "",
                                        tr(auth.lang, "Bitte eine Campus-Managerin oder einen Campus-Manager aus der Liste wählen."));
    if (manager->id == school->manager_id) {
        const auto unchanged = fmt::format(tf(auth.lang, "{} wird schon von {} betreut."), school->name, manager->name);
        co_return co_await schools_page(a, auth, http::status::ok, unchanged, "");
    }
    const time_ms now = now_ms();
    struct moved {
        std::vector<std::string> tickets;
        directory after;
        std::uint64_t generation = 0;
    };
    auto result = co_await a.storage->write([&](SQLite::Database& db) {
        moved m;
        m.tickets = move_school(db, number, manager->id, auth.who->id, a.sla(), now);
        // Read in the writer's transaction, numbered in the writer's order: the newest directory wins.
        m.after = load_directory(db);
        m.generation = ++directory_generation;
        return m;
    });
    a.dir.replace(std::move(result.after), result.generation);
    a.live.publish();
    const std::string notice =
        fmt::format(tf(auth.lang, "{} wird jetzt von {} betreut. Neue Tickets gehen an sie/ihn; {} offene Tickets sind mitgegangen."),
                    school->name, manager->name, result.tickets.size());
    co_return co_await schools_page(a, auth, http::status::ok, notice, "");
}

// --- categories and partners -------------------------------------------------------------------------------------

http_response config_page(const app& a, const auth_state& auth) {
    auto d = admin_frame(a, auth, std::string(tr(auth.lang, "Kategorien und Partner")), "config");
    page_list categories, partners;
    for (const auto& c : a.config.categories) {
        page_data item;
        item.set("id", c.id);
        item.set("label", c.label);
        categories.push_back(std::move(item));
    }
    for (const auto& p : a.config.partners) {
        page_data item;
        item.set("id", p.id);
        item.set("label", p.name);
        partners.push_back(std::move(item));
    }
    d.set("categories", std::move(categories));
    d.set("partners", std::move(partners));
    return html_response(http::status::ok, a.pages.page("admin_config", std::move(d)));
}

} // namespace

bool is_admin_path(std::string_view path) { return path == "/admin" || path.starts_with("/admin/"); }

net::awaitable<http_response> admin_page(app& a, http_request& req, const auth_state& auth,
                                         const boost::urls::url_view& url) {
    if (auth.who->who != role::admin) {
        log_security(security_event::permission_denied, {{"user", auth.who->login}, {"reason", "admin page"}});
        co_return error_page(a, auth, http::status::forbidden, tr(auth.lang, "Diese Seite ist der Administration vorbehalten."));
    }
    const std::string path = url.path();
    const bool is_get = req.method() == http::verb::get || req.method() == http::verb::head;
    const new_account nothing_entered;
    const std::vector<field_error> no_errors;
    if (is_get) {
        if (path == "/admin") co_return redirect("/admin/benutzer");
        if (path == "/admin/benutzer") co_return co_await users_page(a, auth, url, http::status::ok, nothing_entered, no_errors);
        if (path == "/admin/schulen") co_return co_await schools_page(a, auth, http::status::ok, "", "");
        if (path == "/admin/konfiguration") co_return config_page(a, auth);
        if (path.starts_with("/admin/benutzer/"))
            if (const auto id = parse_id(std::string_view(path).substr(16)))
                co_return co_await show_user(a, auth, *id, http::status::ok, "", "", "");
        co_return not_found_page(a, auth);
    }
    if (req.method() != http::verb::post) co_return not_found_page(a, auth);
    auto form = is_form(req) ? parse_form(req.body()) : std::nullopt;
    if (!form) co_return error_page(a, auth, http::status::bad_request, tr(auth.lang, "Das Formular ist beschädigt."));
    if (!csrf_ok(auth, field_or_empty(*form, "csrf"))) {
        log_security(security_event::csrf_rejected, {{"user", auth.who->login}, {"path", path}});
        co_return error_page(a, auth, http::status::forbidden,
                             tr(auth.lang, "Das Formular ist abgelaufen. Bitte die Seite neu laden und erneut senden."));
    }
    if (path == "/admin/benutzer") co_return co_await add_account(a, auth, url, *form);
    if (path.starts_with("/admin/benutzer/")) {
        const auto rest = std::string_view(path).substr(16);
        const auto slash = rest.find('/');
        const auto id = slash == std::string_view::npos ? std::nullopt : parse_id(rest.substr(0, slash));
        if (id) {
            const std::string action(rest.substr(slash + 1));
            co_return co_await account_action(a, auth, *id, action, *form);
        }
    }
    if (path.starts_with("/admin/schulen/")) {
        const std::string number(std::string_view(path).substr(15));
        co_return co_await move_school_page(a, auth, number, *form);
    }
    co_return not_found_page(a, auth);
}

} // namespace campusdesk
