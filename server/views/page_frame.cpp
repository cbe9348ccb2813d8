#include "server/views/page_frame.hpp"

#include "server/http/responses.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"

namespace campusdesk {

namespace {

struct nav_entry {
    std::string_view href, label;
    bool primary;
};

// The main navigation of a role, in the order shown. The entry whose address is the longest prefix of `path` is
// the current one (aria-current="page"): /tickets/123 belongs to "Meine Tickets", /dispatch/telefon to its own.
page_list main_navigation(role who, std::string_view path, language lang) {
    std::vector<nav_entry> entries;
    if (who == role::teacher)
        entries.insert(entries.end(),
                       {{"/tickets/new", tr(lang, "Störung melden"), true}, {"/tickets", tr(lang, "Meine Tickets"), false}});
    if (is_help_desk(who))
        entries.insert(entries.end(), {{"/dispatch", tr(lang, "Leitstand"), true},
                                       {"/dispatch/telefon", tr(lang, "Telefonische Meldung"), false},
                                       {"/dispatch/absences", tr(lang, "Abwesenheiten"), false},
                                       {"/reports/sla", tr(lang, "SLA-Bericht"), false},
                                       {"/schulen", tr(lang, "Schulen"), false}});
    if (is_staff(who))
        entries.insert(entries.end(), {{"/queue", tr(lang, "Warteschlange"), false},
                                       {"/stoerungen", tr(lang, "Störungen"), false},
                                       {"/visits", tr(lang, "Besuchsplan"), false},
                                       {"/geraete", tr(lang, "Geräte"), false},
                                       {"/wartung", tr(lang, "Wartung"), false},
                                       {"/tickets/new", tr(lang, "Ticket anlegen"), false},
                                       {"/textbausteine", tr(lang, "Textbausteine"), false}});
    if (who == role::admin) entries.push_back({"/admin/benutzer", tr(lang, "Verwaltung"), false});
    auto matches = [&](std::string_view href) {
        if (href == "/admin/benutzer") href = "/admin";  // every admin page belongs to "Verwaltung"
        return path == href || (path.starts_with(href) && path.size() > href.size() && path[href.size()] == '/');
    };
    std::size_t current = entries.size(), best = 0;
    for (std::size_t i = 0; i < entries.size(); ++i)
        if (matches(entries[i].href) && entries[i].href.size() > best) {
            current = i;
            best = entries[i].href.size();
        }
    page_list out;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        page_data e;
        e.set("href", std::string(entries[i].href));
        e.set("label", std::string(entries[i].label));
        e.set("primary", entries[i].primary);
        e.set("current", i == current);
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace

page_data base_data(const app& a, const auth_state& auth, std::string title) {
    page_data d;
    d.set("title", std::move(title));
    d.set("lang", std::string(to_string(auth.lang)));
    d.set("demo", a.demo);
    // A provider's tenant (docs/tenants.md) shows its name beside campusdesk's, so every page says whose it is.
    if (!a.tenant_name.empty()) d.set("tenant_name", a.tenant_name);
    if (auth.who) {
        const auto& u = *auth.who;
        d.set("logged_in", true);
        d.set("user_name", u.name);
        d.set("user_role", std::string(role_label(u.who, auth.lang)));
        d.set("csrf", auth.csrf_token);
        d.set("is_teacher", u.who == role::teacher);
        d.set("is_staff", is_staff(u.who));
        d.set("is_help_desk", is_help_desk(u.who));
        d.set("is_admin", u.who == role::admin);
        d.set("nav", main_navigation(u.who, auth.page_path, auth.lang));
        d.set("page_path", auth.page_path);
        d.set("other_lang", std::string(to_string(auth.lang == language::de ? language::en : language::de)));
    }
    return d;
}

std::vector<std::pair<std::string, std::string>> partner_choices(const app& a, language lang) {
    std::vector<std::pair<std::string, std::string>> partners{{"", std::string(tr(lang, "– bitte wählen –"))}};
    for (const auto& p : a.config.partners) partners.emplace_back(p.id, p.name);
    return partners;
}

http_response error_page(const app& a, const auth_state& auth, http::status status, std::string_view message) {
    auto d = base_data(a, auth, std::string(tr(auth.lang, "Fehler")));
    d.set("message", std::string(message));
    return html_response(status, a.pages.page("error", d));
}

http_response not_found_page(const app& a, const auth_state& auth) {
    return error_page(a, auth, http::status::not_found, tr(auth.lang, "Diese Seite oder dieses Ticket gibt es nicht."));
}


std::string query_value(const boost::urls::url_view& url, std::string_view key) {
    auto params = url.params();
    auto it = params.find(key);
    return it == params.end() ? std::string() : std::string((*it).value);
}

page_list select_options(const std::vector<std::pair<std::string, std::string>>& choices, const std::string& current) {
    page_list list;
    for (const auto& [id, label] : choices) {
        page_data item;
        item.set("id", id);
        item.set("label", label);
        item.set("selected", id == current);
        list.push_back(item);
    }
    return list;
}

} // namespace campusdesk
