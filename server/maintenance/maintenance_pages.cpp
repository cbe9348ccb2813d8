#include "server/maintenance/maintenance_pages.hpp"

#include "core/local_time.hpp"
#include "server/http/form_body.hpp"
#include "server/http/responses.hpp"
#include "server/maintenance/maintenance_service.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"
#include "server/views/page_frame.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace campusdesk {
namespace {

std::string school_name(const app& a, const std::string& number) {
    const auto* s = a.dir.school(number);
    return s ? s->name : number;
}

// A field of a row the visit plan made (its school's number, whether it has no open tickets).
std::string text_of(const page_data& d, std::string_view name) {
    const auto* v = d.find(name);
    return v ? v->text : std::string();
}
bool flag_of(const page_data& d, std::string_view name) {
    const auto* v = d.find(name);
    return v && v->truthy();
}

local_date today_of(const app& a) { return local_date_of(now_ms(), a.calendar.zone()); }

// Where a task's forms go back to: the visit plan or a maintenance page of this site, nothing else (no open
// redirect).
std::string safe_return(std::string_view target) {
    const bool ours = (target.starts_with("/visits") || target.starts_with("/wartung")) &&
                      target.find("//") == std::string_view::npos && target.find('\\') == std::string_view::npos &&
                      target.find_first_of("\r\n") == std::string_view::npos;
    return ours ? std::string(target) : std::string();
}

page_data task_row(const app& a, const maintenance_task& t, local_date today, const std::string& back, language lang) {
    page_data row;
    row.set("id", std::to_string(t.id));
    row.set("plan", t.plan_title);
    row.set("school", school_name(a, t.school_number));
    row.set("school_number", t.school_number);
    row.set("due", format_date(t.due, lang));
    const bool done = t.state == task_status::done;
    row.set("done", done);
    row.set("overdue", !done && t.due < today);
    row.set("due_today", !done && t.due == today);
    row.set("postponed", t.postponements > 0);
    if (done && t.done_on) row.set("done_on", format_date(*t.done_on, lang));
    const auto* m = t.assignee_id ? a.dir.manager(t.assignee_id) : nullptr;
    row.set("manager", m ? m->name : std::string());
    if (t.kind) row.set("kind", std::string(device_kind_label(*t.kind, lang)));
    std::string link = "/wartung/aufgaben/" + std::to_string(t.id);
    if (!back.empty()) {
        boost::urls::url u(link);
        u.params().append({"zurueck", back});
        link = std::string(u.buffer());
    }
    row.set("link", link);
    return row;
}

page_list task_rows(const app& a, const std::vector<maintenance_task>& tasks, const std::string& back, language lang) {
    const auto today = today_of(a);
    page_list rows;
    for (const auto& t : tasks) rows.push_back(task_row(a, t, today, back, lang));
    return rows;
}

page_data plan_fields(const app& a, const maintenance_plan& p, language lang) {
    page_data row;
    row.set("id", std::to_string(p.id));
    row.set("title", p.title);
    row.set("description", p.description);
    row.set("scope", describe_scope(a, p, lang));
    row.set("schedule", describe_schedule(p, lang));
    row.set("active", p.active);
    return row;
}

http_response stale_form(const app& a, const auth_state& auth) {
    return error_page(a, auth, http::status::forbidden,
                      tr(auth.lang, "Das Formular ist abgelaufen. Bitte die Seite neu laden und erneut senden."));
}

// Every field's error at the field (message, aria-invalid), the first one focused, and a summary linking them.
void set_field_errors(page_data& d, const std::vector<field_error>& errors) {
    page_list summary;
    for (std::size_t i = 0; i < errors.size(); ++i) {
        const auto& e = errors[i];
        const auto field = e.field.empty() ? std::string("title") : e.field;
        page_data item;
        item.set("target", field);
        item.set("message", e.message);
        summary.push_back(std::move(item));
        d.set(field + "_error", e.message);
        if (i == 0) d.set(field + "_focus", true);
    }
    d.set("has_errors", !errors.empty());
    d.set("error_summary", std::move(summary));
}

std::vector<field_error> errors_of(const request_error& e) {
    auto errors = e.fields;
    if (errors.empty()) errors.push_back({e.field, e.code, e.message});
    return errors;
}

// GET /wartung: the open (or done) tasks the user sees, and the plans.
net::awaitable<http_response> overview_page(app& a, const auth_state& auth, const boost::urls::url_view& url) {
    const auto& u = *auth.who;
    const auto school = query_value(url, "schule");
    const auto state = query_value(url, "status");
    task_query q;
    q.limit = 300;
    if (!school.empty()) {
        if (!a.dir.school(school)) co_return error_page(a, auth, http::status::bad_request, tr(auth.lang, "Unbekannte Schule."));
        q.schools = {school};
    }
    if (state.empty() || state == "offen") q.state = task_status::open;
    else if (state == "erledigt") q.state = task_status::done;
    else if (state != "alle") co_return error_page(a, auth, http::status::bad_request, tr(auth.lang, "Unbekannter Status."));
    const auto tasks = co_await visible_tasks(a, u, q);
    auto plans = co_await a.storage->read([](SQLite::Database& db) { return list_maintenance_plans(db, false); });
    auto d = base_data(a, auth, std::string(tr(auth.lang, "Wartung")));
    d.set("tasks", task_rows(a, tasks, "", auth.lang));
    d.set("task_count", std::to_string(tasks.size()));
    page_list plan_rows;
    for (const auto& p : plans) plan_rows.push_back(plan_fields(a, p, auth.lang));
    d.set("plans", std::move(plan_rows));
    d.set("can_plan", may_plan_maintenance(u.who));
    d.set("statuses", select_options({{"offen", std::string(tr(auth.lang, "offen"))},
                                      {"erledigt", std::string(tr(auth.lang, "erledigt"))},
                                      {"alle", std::string(tr(auth.lang, "alle"))}},
                                     state.empty() ? std::string("offen") : state));
    const time_ms now = now_ms();
    const auto mine = co_await a.storage->read(
        [&](SQLite::Database& db) { return maintenance_schools_of(a, current_viewer(a, db, u, now)); });
    std::vector<std::pair<std::string, std::string>> schools{{"", std::string(mine ? tr(auth.lang, "alle meine Schulen") : tr(auth.lang, "alle Schulen"))}};
    for (const auto& s : a.dir.current().schools)
        if (!mine || std::find(mine->begin(), mine->end(), s.number) != mine->end())
            schools.emplace_back(s.number, s.name + " (" + s.number + ")");
    d.set("schools", select_options(schools, school));
    co_return html_response(http::status::ok, a.pages.page("maintenance", std::move(d)));
}

http_response plan_form(const app& a, const auth_state& auth, const plan_input& in, const std::string& weeks,
                        const std::vector<field_error>& errors) {
    auto d = base_data(a, auth, std::string(errors.empty() ? tr(auth.lang, "Neuer Wartungsplan")
                                                          : tr(auth.lang, "Fehler: Neuer Wartungsplan")));
    d.set("form_title", in.title);
    d.set("form_description", in.description);
    d.set("form_weeks", weeks);
    d.set("form_holiday_name", in.holiday_name);
    d.set("form_start_date", in.start_date.empty() ? format_iso_date(today_of(a)) : in.start_date);
    std::vector<std::pair<std::string, std::string>> schools{{"", std::string(tr(auth.lang, "alle Schulen"))}};
    for (const auto& s : a.dir.current().schools) schools.emplace_back(s.number, s.name + " (" + s.number + ")");
    d.set("school_options", select_options(schools, in.school_number));
    std::vector<std::pair<std::string, std::string>> kinds{{"", std::string(tr(auth.lang, "keine bestimmte (die Schule als Ganzes)"))}};
    for (auto k : all_device_kinds)
        kinds.emplace_back(std::string(to_string(k)), std::string(device_kind_label(k, auth.lang)));
    d.set("kind_options", select_options(kinds, in.device_kind));
    d.set("rule_every", in.rule != "before_holidays");
    d.set("rule_before", in.rule == "before_holidays");
    page_list holidays;
    std::vector<std::string> seen;
    for (const auto& p : a.school_weeks.holiday_periods()) {
        // "Sommerferien 2027" → "Sommerferien": the names a plan can follow, once each.
        const auto name = p.name.substr(0, p.name.find(' '));
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
        seen.push_back(name);
        page_data item;
        item.set("name", name);
        holidays.push_back(std::move(item));
    }
    d.set("holiday_names", std::move(holidays));
    set_field_errors(d, errors);
    return html_response(errors.empty() ? http::status::ok : http::status::unprocessable_entity,
                         a.pages.page("maintenance_plan_form", std::move(d)));
}

net::awaitable<http_response> post_plan_form(app& a, http_request& req, const auth_state& auth) {
    auto form = parse_form(req.body());
    if (!form || !csrf_ok(auth, field_or_empty(*form, "csrf"))) co_return stale_form(a, auth);
    plan_input in;
    in.title = field_or_empty(*form, "title");
    in.description = field_or_empty(*form, "description");
    in.school_number = field_or_empty(*form, "school_number");
    in.device_kind = field_or_empty(*form, "device_kind");
    in.rule = field_or_empty(*form, "rule");
    in.holiday_name = field_or_empty(*form, "holiday_name");
    in.start_date = field_or_empty(*form, "start_date");
    const auto weeks = field_or_empty(*form, "weeks");
    if (const auto n = parse_id(weeks); n && *n <= 1000) in.weeks = static_cast<int>(*n);
    auto result = co_await create_maintenance_plan(a, *auth.who, in);
    if (auto* e = std::get_if<request_error>(&result)) {
        if (e->status == http::status::forbidden) co_return error_page(a, auth, e->status, e->message);
        co_return plan_form(a, auth, in, weeks, errors_of(*e));
    }
    co_return redirect(fmt::format("/wartung/plaene/{}?angelegt=1", std::get<maintenance_plan>(result).id));
}

net::awaitable<http_response> plan_page(app& a, const auth_state& auth, std::int64_t id, const boost::urls::url_view& url) {
    const auto plan = co_await find_visible_plan(a, *auth.who, id);
    if (!plan) co_return not_found_page(a, auth);
    task_query q;
    q.plan_id = id;
    q.limit = 500;
    const auto tasks = co_await visible_tasks(a, *auth.who, q);
    auto d = base_data(a, auth, fmt::format(tf(auth.lang, "Wartungsplan: {}"), plan->title));
    d.set("plan", plan_fields(a, *plan, auth.lang));
    d.set("tasks", task_rows(a, tasks, "", auth.lang));
    d.set("created", query_value(url, "angelegt") == "1");
    d.set("ended", query_value(url, "beendet") == "1");
    d.set("can_end", plan->active && may_plan_maintenance(auth.who->who));
    co_return html_response(http::status::ok, a.pages.page("maintenance_plan", std::move(d)));
}

net::awaitable<http_response> post_end_plan(app& a, http_request& req, const auth_state& auth, std::int64_t id) {
    auto form = parse_form(req.body());
    if (!form || !csrf_ok(auth, field_or_empty(*form, "csrf"))) co_return stale_form(a, auth);
    auto result = co_await end_maintenance_plan_as(a, *auth.who, id);
    if (auto* e = std::get_if<request_error>(&result)) {
        if (e->status == http::status::not_found) co_return not_found_page(a, auth);
        co_return error_page(a, auth, e->status, e->message);
    }
    co_return redirect(fmt::format("/wartung/plaene/{}?beendet=1", id));
}

struct task_form {
    std::string note, due_date, reason, action;
};

net::awaitable<http_response> task_page(app& a, const auth_state& auth, std::int64_t id, const std::string& back,
                                        const task_form& form, const std::vector<field_error>& errors) {
    const auto view = co_await find_visible_task(a, *auth.who, id);
    if (!view) co_return not_found_page(a, auth);
    const auto& t = view->task;
    auto d = base_data(a, auth, fmt::format(errors.empty() ? tf(auth.lang, "Wartung: {}") : tf(auth.lang, "Fehler: Wartung: {}"),
                                             t.plan_title));
    d.set("task", task_row(a, t, today_of(a), "", auth.lang));
    d.set("planned_due", t.planned_due == t.due ? std::string() : format_date(t.planned_due, auth.lang));
    d.set("note", t.note);
    page_list history;
    for (const auto& p : view->history) {
        page_data item;
        item.set("from", format_date(p.from, auth.lang));
        item.set("to", format_date(p.to, auth.lang));
        item.set("reason", p.reason);
        item.set("at", format_datetime(p.at, a.calendar.zone(), auth.lang));
        history.push_back(std::move(item));
    }
    d.set("history", std::move(history));
    const auto plan = co_await find_visible_plan(a, *auth.who, t.plan_id);
    if (plan) {
        d.set("plan_description", plan->description);
        d.set("plan_schedule", describe_schedule(*plan, auth.lang));
    }
    d.set("plan_id", std::to_string(t.plan_id));
    d.set("can_work", t.state == task_status::open && may_work_on_tasks(auth.who->who));
    d.set("form_note", form.note);
    d.set("form_due_date", form.due_date);
    d.set("form_reason", form.reason);
    // After a redirect here: what was just done (the form's own fields are empty then).
    if (errors.empty()) {
        d.set("notice_done", form.action == "erledigt");
        d.set("notice_postponed", form.action == "verschoben");
    }
    d.set("back", back);
    d.set("back_to_visits", back.starts_with("/visits"));
    d.set("action", std::string("/wartung/aufgaben/") + std::to_string(id));
    set_field_errors(d, errors);
    co_return html_response(errors.empty() ? http::status::ok : http::status::unprocessable_entity,
                            a.pages.page("maintenance_task", std::move(d)));
}

net::awaitable<http_response> post_task(app& a, http_request& req, const auth_state& auth, std::int64_t id) {
    auto parsed = parse_form(req.body());
    if (!parsed || !csrf_ok(auth, field_or_empty(*parsed, "csrf"))) co_return stale_form(a, auth);
    task_form form{field_or_empty(*parsed, "note"), field_or_empty(*parsed, "due_date"),
                   field_or_empty(*parsed, "reason"), field_or_empty(*parsed, "action")};
    const auto back = safe_return(field_or_empty(*parsed, "return_to"));
    outcome<maintenance_task> result;
    if (form.action == "erledigt") result = co_await complete_task(a, *auth.who, id, form.note);
    else if (form.action == "verschieben") result = co_await postpone_task(a, *auth.who, id, form.due_date, form.reason);
    else co_return error_page(a, auth, http::status::bad_request, tr(auth.lang, "Unbekannte Aktion."));
    if (auto* e = std::get_if<request_error>(&result)) {
        if (e->status == http::status::not_found) co_return not_found_page(a, auth);
        if (e->status != http::status::unprocessable_entity) co_return error_page(a, auth, e->status, e->message);
        co_return co_await task_page(a, auth, id, back, form, errors_of(*e));
    }
    const auto outcome_word = form.action == "erledigt" ? "erledigt" : "verschoben";
    if (!back.empty()) {
        boost::urls::url u(back);
        u.params().set("wartung", outcome_word);
        co_return redirect(std::string(u.buffer()) + "#aufgabe-" + std::to_string(id));
    }
    co_return redirect(fmt::format("/wartung/aufgaben/{}?{}=1", id, outcome_word));
}

} // namespace

net::awaitable<http_response> maintenance_page(app& a, http_request& req, const auth_state& auth,
                                               const boost::urls::url_view& url, std::string_view rest) {
    if (!is_staff(auth.who->who)) co_return not_found_page(a, auth);
    const auto method = req.method();
    const bool get = method == http::verb::get || method == http::verb::head;
    const bool post = method == http::verb::post;
    if (rest.empty() && get) co_return co_await overview_page(a, auth, url);
    if (rest == "/neu") {
        if (!may_plan_maintenance(auth.who->who))
            co_return error_page(a, auth, http::status::forbidden,
                                 tr(auth.lang, "Wartungspläne legen der IT-Support (Leitstand) und Administratoren an."));
        if (get) co_return plan_form(a, auth, {}, "12", {});
        if (post) co_return co_await post_plan_form(a, req, auth);
    }
    if (rest.starts_with("/aufgaben/")) {
        const auto id = parse_id(rest.substr(10));
        if (id && *id > 0) {
            if (get) {
                task_form none;
                none.action = query_value(url, "erledigt") == "1" ? "erledigt"
                              : query_value(url, "verschoben") == "1" ? "verschoben" : "";
                co_return co_await task_page(a, auth, *id, safe_return(query_value(url, "zurueck")), none, {});
            }
            if (post) co_return co_await post_task(a, req, auth, *id);
        }
    }
    if (rest.starts_with("/plaene/")) {
        const auto tail = rest.substr(8);
        const auto slash = tail.find('/');
        const auto id = parse_id(tail.substr(0, slash));
        if (id && *id > 0) {
            if (slash == std::string_view::npos && get) co_return co_await plan_page(a, auth, *id, url);
            if (slash != std::string_view::npos && tail.substr(slash) == "/beenden" && post)
                co_return co_await post_end_plan(a, req, auth, *id);
        }
    }
    co_return not_found_page(a, auth);
}

net::awaitable<void> add_visit_plan_maintenance(app& a, const auth_state& auth, const std::vector<std::string>& chosen,
                                                page_list& choices, page_list& schools, const std::string& back) {
    const auto& u = *auth.who;
    const auto today = today_of(a);
    const auto horizon = date_of_day_number(day_number_of(today) + visit_plan_task_days);
    std::vector<std::string> offered;
    for (const auto& c : choices) offered.push_back(text_of(c, "number"));
    task_query q;
    q.schools = chosen;
    q.state = task_status::open;
    q.due_by = horizon;
    q.limit = 500;
    const time_ms now = now_ms();
    // Two statements for the whole page: the counts of the offered schools and the chosen schools' tasks.
    auto [counts, tasks] = co_await a.storage->read([&](SQLite::Database& db) {
        auto mine = maintenance_schools_of(a, current_viewer(a, db, u, now));
        auto visible = [&](const std::string& s) {
            return !mine || std::find(mine->begin(), mine->end(), s) != mine->end();
        };
        std::erase_if(offered, [&](const std::string& s) { return !visible(s); });
        std::erase_if(q.schools, [&](const std::string& s) { return !visible(s); });
        auto c = due_task_counts(db, offered, horizon);
        auto t = q.schools.empty() ? std::vector<maintenance_task>{} : list_maintenance_tasks(db, q);
        return std::pair{std::move(c), std::move(t)};
    });
    for (auto& c : choices)
        if (auto it = counts.find(text_of(c, "number")); it != counts.end())
            c.set("due_tasks", it->second == 1 ? std::string(tr(auth.lang, "1 Wartungsaufgabe fällig"))
                                               : fmt::format(tf(auth.lang, "{} Wartungsaufgaben fällig"), it->second));
    std::map<std::string, std::vector<maintenance_task>> by_school;
    for (auto& t : tasks) by_school[t.school_number].push_back(std::move(t));
    for (std::size_t i = 0; i < schools.size() && i < chosen.size(); ++i) {
        const auto& list = by_school[chosen[i]];
        auto& s = schools[i];
        s.set("has_tasks", !list.empty());
        s.set("tasks", task_rows(a, list, back, auth.lang));
        s.set("task_count", std::to_string(list.size()));
        if (!list.empty() && !flag_of(s, "empty")) {
            const auto tickets = text_of(s, "count");
            // Four sentences, not four words: the catalog translates whole sentences.
            const bool one_ticket = tickets == "1", one_task = list.size() == 1;
            const auto sentence =
                one_ticket ? (one_task ? tf(auth.lang, "Beim Besuch zusammen erledigen: {} offenes Ticket und {} Wartungsaufgabe.")
                                       : tf(auth.lang, "Beim Besuch zusammen erledigen: {} offenes Ticket und {} Wartungsaufgaben."))
                           : (one_task ? tf(auth.lang, "Beim Besuch zusammen erledigen: {} offene Tickets und {} Wartungsaufgabe.")
                                       : tf(auth.lang, "Beim Besuch zusammen erledigen: {} offene Tickets und {} Wartungsaufgaben."));
            s.set("combine", fmt::format(sentence, tickets, list.size()));
        }
    }
    co_return;
}

} // namespace campusdesk
