#include "server/tickets/canned_reply_pages.hpp"

#include "core/ticket_rules.hpp"
#include "server/http/form_body.hpp"
#include "server/http/responses.hpp"
#include "server/views/i18n.hpp"
#include "server/views/page_frame.hpp"

#include <fmt/format.h>

namespace campusdesk {
namespace {

std::string category_label(const app& a, const std::string& id, language lang) {
    if (id.empty()) return std::string(tr(lang, "alle Kategorien"));
    for (const auto& c : a.config.categories)
        if (c.id == id) return c.label;
    return id;
}

// May `who` change or delete `r`: their own, or a shared one if they are the help desk.
bool may_edit(const user& who, const canned_reply& r) {
    return r.shared() ? is_help_desk(who.who) : r.owner_id == who.id;
}

struct page_state {
    canned_reply draft;           // the form's entries (id 0: a new one)
    std::string notice;           // what just happened
    std::vector<field_error> errors;
    std::string form_error;       // a refusal that concerns no field
};

net::awaitable<http_response> show(app& a, const auth_state& auth, http::status status, const page_state& state) {
    const auto& u = *auth.who;
    const auto replies = co_await a.storage->read([&](SQLite::Database& db) { return list_canned_replies(db, u.id); });
    const bool refused = !state.errors.empty() || !state.form_error.empty();
    auto d = base_data(a, auth, std::string(refused ? tr(auth.lang, "Fehler: ") : "") +
                                    std::string(tr(auth.lang, "Textbausteine")));
    page_list shared, own;
    for (const auto& r : replies) {
        page_data item;
        item.set("id", std::to_string(r.id));
        item.set("title", r.title);
        item.set("body", r.body);
        item.set("category", category_label(a, r.category, auth.lang));
        item.set("can_edit", may_edit(u, r));
        (r.shared() ? shared : own).push_back(std::move(item));
    }
    d.set("has_shared", !shared.empty());
    d.set("shared", std::move(shared));
    d.set("has_own", !own.empty());
    d.set("own", std::move(own));
    d.set("may_share", is_help_desk(u.who));
    d.set("notice", state.notice);
    d.set("form_error", state.form_error);
    const auto& r = state.draft;
    d.set("editing", r.id != 0);
    d.set("edit_id", r.id ? std::to_string(r.id) : std::string());
    d.set("value_title", r.title);
    d.set("value_body", r.body);
    d.set("value_shared", r.id == 0 ? false : r.shared());
    if (r.id == 0 && !state.errors.empty()) d.set("value_shared", r.owner_id == 0);
    std::vector<std::pair<std::string, std::string>> categories{{"", std::string(tr(auth.lang, "alle Kategorien"))}};
    for (const auto& c : a.config.categories) categories.emplace_back(c.id, c.label);
    d.set("categories", select_options(categories, r.category));
    d.set("title_max", std::to_string(canned_title_max));
    d.set("body_max", std::to_string(a.config.limits.reply_max));
    page_list summary;
    for (const auto& e : state.errors) {
        d.set(e.field + "_error", e.message);
        page_data item;
        item.set("target", e.field == "title" ? "tb-title" : "tb-body");
        item.set("message", e.message);
        summary.push_back(std::move(item));
    }
    d.set("has_errors", !summary.empty());
    d.set("error_summary", std::move(summary));
    co_return html_response(status, a.pages.page("canned_replies", std::move(d)));
}

net::awaitable<http_response> save(app& a, const auth_state& auth, const form_fields& form) {
    const auto& u = *auth.who;
    page_state state;
    auto& r = state.draft;
    const auto id_text = field_or_empty(form, "id");
    if (!id_text.empty()) {
        auto before = co_await usable_canned_reply(a, u, id_text);
        if (!before)
            co_return error_page(a, auth, http::status::not_found,
                                 tr(auth.lang, "Diesen Textbaustein gibt es nicht."));
        if (!may_edit(u, *before))
            co_return error_page(a, auth, http::status::forbidden,
                                 tr(auth.lang, "Geteilte Textbausteine pflegt der IT-Support (Leitstand)."));
        r = *before;
    }
    r.title = field_or_empty(form, "title");
    r.body = field_or_empty(form, "body");
    r.category = field_or_empty(form, "category");
    const bool shared = field_or_empty(form, "scope") == "shared";
    r.owner_id = shared ? 0 : u.id;
    if (shared && !is_help_desk(u.who)) {
        state.form_error = tr(auth.lang, "Geteilte Textbausteine pflegt der IT-Support (Leitstand).");
        co_return co_await show(a, auth, http::status::forbidden, state);
    }
    if (!r.category.empty() && !a.config.has_category(r.category)) {
        state.form_error = tr(auth.lang, "Unbekannte Kategorie.");
        co_return co_await show(a, auth, http::status::unprocessable_entity, state);
    }
    state.errors = validate_canned_reply(r.title, r.body, a.config.limits.reply_max);
    if (!state.errors.empty()) co_return co_await show(a, auth, http::status::unprocessable_entity, state);
    r.updated_by = u.id;
    r.updated_at = now_ms();
    const bool is_new = r.id == 0;
    co_await a.storage->write([&](SQLite::Database& db) {
        r.id = save_canned_reply(db, r);
        append_audit(db, r.updated_at, u.id, is_new ? "canned_reply_add" : "canned_reply_change",
                     std::to_string(r.id), fmt::format("{}: {}", r.shared() ? "geteilt" : "persönlich", r.title));
    });
    page_state done;
    done.notice = fmt::format(tf(auth.lang, "Der Textbaustein „{}“ ist gespeichert."), r.title);
    co_return co_await show(a, auth, http::status::ok, done);
}

net::awaitable<http_response> remove(app& a, const auth_state& auth, const form_fields& form) {
    const auto& u = *auth.who;
    const auto id_text = field_or_empty(form, "id");
    auto before = co_await usable_canned_reply(a, u, id_text);
    if (!before)
        co_return error_page(a, auth, http::status::not_found,
                             tr(auth.lang, "Diesen Textbaustein gibt es nicht."));
    if (!may_edit(u, *before))
        co_return error_page(a, auth, http::status::forbidden,
                             tr(auth.lang, "Geteilte Textbausteine pflegt der IT-Support (Leitstand)."));
    const time_ms now = now_ms();
    co_await a.storage->write([&](SQLite::Database& db) {
        delete_canned_reply(db, before->id);
        append_audit(db, now, u.id, "canned_reply_delete", std::to_string(before->id), before->title);
    });
    page_state done;
    done.notice = fmt::format(tf(auth.lang, "Der Textbaustein „{}“ ist gelöscht."), before->title);
    co_return co_await show(a, auth, http::status::ok, done);
}

} // namespace

std::string with_inserted_text(std::string typed, const std::string& inserted) {
    while (!typed.empty() && (typed.back() == ' ' || typed.back() == '\n' || typed.back() == '\r' || typed.back() == '\t'))
        typed.pop_back();
    return typed.empty() ? inserted : typed + "\n\n" + inserted;
}

net::awaitable<page_list> canned_reply_choices(app& a, const user& who, const std::string& category,
                                               const std::string& chosen, language lang) {
    const auto replies =
        co_await a.storage->read([&](SQLite::Database& db) { return list_canned_replies(db, who.id, category); });
    page_list choices;
    for (const auto& r : replies) {
        page_data item;
        item.set("id", std::to_string(r.id));
        item.set("label", std::string(r.shared() ? "" : tr(lang, "Eigener: ")) + r.title);
        item.set("text", r.body);
        item.set("selected", item.find("id")->text == chosen);
        choices.push_back(std::move(item));
    }
    co_return choices;
}

net::awaitable<std::optional<canned_reply>> usable_canned_reply(app& a, const user& who, std::string_view id_text) {
    const auto id = parse_id(id_text);
    if (!id) co_return std::nullopt;
    auto r = co_await a.storage->read([&](SQLite::Database& db) { return find_canned_reply(db, *id); });
    if (!r || (!r->shared() && r->owner_id != who.id)) co_return std::nullopt;
    co_return r;
}

net::awaitable<http_response> canned_replies_page(app& a, http_request& req, const auth_state& auth,
                                                  const boost::urls::url_view& url) {
    const auto& u = *auth.who;
    if (!is_staff(u.who))
        co_return error_page(a, auth, http::status::forbidden,
                             tr(auth.lang, "Textbausteine gibt es nur für Mitarbeitende des IT-Supports."));
    const std::string path = url.path();
    const bool is_get = req.method() == http::verb::get || req.method() == http::verb::head;
    if (path == "/textbausteine" && is_get) {
        page_state state;
        // ?bearbeiten=ID: the form holds that reply for changing.
        if (const auto edit = query_value(url, "bearbeiten"); !edit.empty()) {
            auto r = co_await usable_canned_reply(a, u, edit);
            if (!r)
                co_return error_page(a, auth, http::status::not_found,
                                     tr(auth.lang, "Diesen Textbaustein gibt es nicht."));
            if (!may_edit(u, *r))
                co_return error_page(a, auth, http::status::forbidden,
                                     tr(auth.lang, "Geteilte Textbausteine pflegt der IT-Support (Leitstand)."));
            state.draft = *r;
        }
        co_return co_await show(a, auth, http::status::ok, state);
    }
    if (req.method() != http::verb::post || (path != "/textbausteine" && path != "/textbausteine/loeschen"))
        co_return not_found_page(a, auth);
    auto form = is_form(req) ? parse_form(req.body()) : std::nullopt;
    if (!form) co_return error_page(a, auth, http::status::bad_request, tr(auth.lang, "Das Formular ist beschädigt."));
    if (!csrf_ok(auth, field_or_empty(*form, "csrf")))
        co_return error_page(a, auth, http::status::forbidden,
                             tr(auth.lang, "Das Formular ist abgelaufen. Bitte die Seite neu laden und erneut "
                                           "senden."));
    if (path == "/textbausteine/loeschen") co_return co_await remove(a, auth, *form);
    co_return co_await save(a, auth, *form);
}

} // namespace campusdesk
