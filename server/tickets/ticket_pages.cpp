#include "server/tickets/ticket_pages.hpp"

#include "core/local_time.hpp"
#include "core/text.hpp"
#include "server/http/form_body.hpp"
#include "server/http/responses.hpp"
#include "server/devices/device_pages.hpp"
#include "server/maintenance/maintenance_pages.hpp"
#include "server/problems/problem_pages.hpp"
#include "server/tickets/attachment_handlers.hpp"
#include "server/tickets/canned_reply_pages.hpp"
#include "server/views/i18n.hpp"
#include "server/views/labels.hpp"
#include "server/views/page_frame.hpp"
#include "storage/read_snapshot.hpp"
#include "storage/board_repository.hpp"
#include "storage/user_repository.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

namespace campusdesk {

// --- filing a ticket ---------------------------------------------------------------------------------------------

page_data ticket_form_data(const app& a, const auth_state& auth, const ticket_draft& draft,
                           const std::vector<field_error>& errors, const std::vector<std::string>& dropped_files) {
    auto d = base_data(a, auth, std::string(errors.empty() ? tr(auth.lang, "Störung melden")
                                                          : tr(auth.lang, "Fehler: Störung melden")));
    const auto& u = *auth.who;
    auto error_for = [&](std::string_view field) {
        for (const auto& e : errors)
            if (e.field == field) return e.message;
        return std::string();
    };
    std::vector<std::pair<std::string, std::string>> categories;
    for (const auto& c : a.config.categories) categories.emplace_back(c.id, c.label);
    d.set("categories", select_options(categories, draft.category));
    page_list priorities;
    for (auto p : {priority::critical, priority::high, priority::normal, priority::low}) {
        page_data item;
        item.set("id", std::string(to_string(p)));
        item.set("label", std::string(priority_label(p, auth.lang)));
        item.set("explanation", std::string(priority_explanation(p, auth.lang)));
        item.set("checked", draft.priority == to_string(p));
        priorities.push_back(item);
    }
    d.set("priorities", priorities);
    if (u.who == role::teacher) {
        const auto* school = a.dir.school(u.school_number);
        d.set("fixed_school", true);
        d.set("school_number", u.school_number);
        d.set("school_name", school ? school->name : u.school_number);
    } else {
        page_list schools;
        for (const auto& s : a.dir.current().schools) {
            page_data item;
            item.set("number", s.number);
            item.set("name", s.name);
            item.set("selected", s.number == draft.school_number);
            schools.push_back(item);
        }
        d.set("schools", schools);
    }
    for (auto [name, value] : {std::pair{"title", draft.title}, {"description", draft.description},
                               {"room", draft.room}, {"asset_tag", draft.asset_tag}}) {
        d.set(std::string("value_") + name, value);
        if (auto message = error_for(name); !message.empty()) d.set(std::string(name) + "_error", message);
    }
    for (auto name : {"school_number", "category", "priority", "requester", "caller_name", "caller_phone"})
        if (auto message = error_for(name); !message.empty()) d.set(std::string(name) + "_error", message);
    d.set("has_errors", !errors.empty());
    // The summary links to each field in the order of the form (the fixed school of a teacher has no field; the
    // caller's fields come first on the phone intake's form).
    static constexpr std::array<std::string_view, 10> order{"requester", "caller_name", "caller_phone",
                                                             "school_number", "category", "priority", "title",
                                                             "room", "asset_tag", "description"};
    page_list summary;
    for (auto field : order)
        if (auto message = error_for(field); !message.empty()) {
            page_data item;
            item.set("target", field == "priority" ? std::string("priority-") + std::string(to_string(priority::critical))
                                                   : std::string(field));
            item.set("message", message);
            summary.push_back(std::move(item));
        }
    d.set("error_summary", std::move(summary));
    if (!dropped_files.empty()) {
        std::string names;
        for (const auto& n : dropped_files) names += (names.empty() ? "" : ", ") + n;
        d.set("dropped_files", names);
    }
    d.set("title_max", std::to_string(a.config.limits.title_max));
    d.set("description_max", std::to_string(a.config.limits.description_max));
    d.set("room_max", std::to_string(a.config.limits.room_max));
    d.set("asset_tag_max", std::to_string(a.config.limits.asset_tag_max));
    d.set("max_files", std::to_string(a.config.limits.max_files_per_upload));
    d.set("max_file_mb", std::to_string(a.config.limits.max_upload_bytes / (1024 * 1024)));
    return d;
}

net::awaitable<page_data> phone_intake_data(app& a, const auth_state& auth, const ticket_draft& draft,
                                            const phone_call& call, const std::vector<field_error>& errors,
                                            const std::vector<std::string>& dropped_files) {
    auto d = ticket_form_data(a, auth, draft, errors, dropped_files);
    d.set("title", std::string(errors.empty() ? "" : "Fehler: ") + "Telefonische Meldung aufnehmen");
    d.set("phone_intake", true);
    d.set("caller_name_max", std::to_string(caller_name_max));
    d.set("caller_phone_max", std::to_string(caller_phone_max));
    d.set("value_caller_name", call.caller_name);
    d.set("value_caller_phone", call.caller_phone);
    const auto* school = a.dir.school(draft.school_number);
    if (!school || !school->active) co_return d;  // first the school: then its teachers are offered
    d.set("has_school", true);
    d.set("fixed_school", true);
    d.set("school_number", school->number);
    d.set("school_name", school->name);
    const auto teachers =
        co_await a.storage->read([&](SQLite::Database& db) { return teachers_of_school(db, school->number); });
    std::vector<std::pair<std::string, std::string>> choices{{"", std::string(tr(auth.lang, "Anrufer/in ohne Konto (Name und Nummer angeben)"))}};
    for (const auto& t : teachers) choices.emplace_back(std::to_string(t.id), t.name + " (" + t.login + ")");
    d.set("requesters", select_options(choices, call.requester_id ? std::to_string(call.requester_id) : std::string()));
    d.set("teacher_count", teachers.size() == 1 ? std::string(tr(auth.lang, "1 Konto"))
                                             : fmt::format(tf(auth.lang, "{} Konten"), teachers.size()));
    co_await add_device_choices(a, school->number, auth.lang, d);
    co_return d;
}

net::awaitable<http_response> phone_intake_page(app& a, const auth_state& auth, const boost::urls::url_view& url) {
    if (!is_help_desk(auth.who->who))
        co_return error_page(a, auth, http::status::forbidden, tr(auth.lang, "Nur für den IT-Support."));
    ticket_draft draft;
    draft.school_number = query_value(url, "school");
    draft.priority = "normal";
    const phone_call no_call;
    const std::vector<field_error> no_errors;
    const std::vector<std::string> no_files;
    auto d = co_await phone_intake_data(a, auth, draft, no_call, no_errors, no_files);
    if (!draft.school_number.empty() && !d.find("has_school")) {
        const std::vector<field_error> unknown{
            {"school_number", "unknown_school", std::string(tr(auth.lang, "Diese Schule ist nicht bekannt."))}};
        auto refused = co_await phone_intake_data(a, auth, draft, no_call, unknown, no_files);
        co_return html_response(http::status::unprocessable_entity, a.pages.page("ticket_form", std::move(refused)));
    }
    co_return html_response(http::status::ok, a.pages.page("ticket_form", std::move(d)));
}

net::awaitable<http_response> post_ticket_form(app& a, const http_request& req, const auth_state& auth, bool phone) {
    if (phone && !is_help_desk(auth.who->who))
        co_return error_page(a, auth, http::status::forbidden,
                             tr(auth.lang, "Nur der IT-Support nimmt Meldungen für andere auf."));
    // With photos the form comes as multipart/form-data, without JavaScript or files possibly urlencoded.
    std::optional<form_fields> form;
    std::vector<received_file> received;
    if (is_multipart(req)) {
        auto uploads = receive_uploads(a, req);
        if (auto* error = std::get_if<request_error>(&uploads)) co_return error_page(a, auth, error->status, error->message);
        form = std::move(std::get<upload_batch>(uploads).fields);
        received = std::move(std::get<upload_batch>(uploads).files);
    } else if (is_form(req)) {
        form = parse_form(req.body());
    } else {
        co_return error_page(a, auth, http::status::unsupported_media_type,
                             tr(auth.lang, "Das Formular wurde falsch gesendet."));
    }
    if (!form) co_return error_page(a, auth, http::status::bad_request, tr(auth.lang, "Das Formular ist beschädigt."));
    if (!csrf_ok(auth, field_or_empty(*form, "csrf")))
        co_return error_page(a, auth, http::status::forbidden,
                             "Das Formular ist abgelaufen. Bitte die Seite neu laden und erneut senden.");
    ticket_draft d{field_or_empty(*form, "school_number"), field_or_empty(*form, "category"),
                   field_or_empty(*form, "priority"),      field_or_empty(*form, "title"),
                   field_or_empty(*form, "description"),   field_or_empty(*form, "room"),
                   field_or_empty(*form, "asset_tag"),     std::nullopt};
    std::optional<phone_call> call;
    if (phone) {
        call.emplace();
        const auto requester = field_or_empty(*form, "requester");
        std::from_chars(requester.data(), requester.data() + requester.size(), call->requester_id);
        if (!requester.empty() && call->requester_id <= 0) call->requester_id = -1;  // not an account: refused
        call->caller_name = field_or_empty(*form, "caller_name");
        call->caller_phone = field_or_empty(*form, "caller_phone");
    }
    // Photos are stored only for a ticket that will be filed; after a refusal the page names them to pick again.
    std::vector<std::string> dropped;
    for (const auto& f : received) dropped.push_back(f.filename);
    // Every refused field at once: the ticket's and, on the phone, the caller's.
    auto refused = check_new_ticket(a, *auth.who, d);
    if (call) {
        auto call_refused = co_await check_phone_call(a, *auth.who, d, *call);
        if (call_refused && !refused) refused = std::move(call_refused);
        else if (call_refused) refused->fields.insert(refused->fields.end(), call_refused->fields.begin(),
                                                      call_refused->fields.end());
    }
    if (!refused) {
        auto files = co_await store_uploads(a, *auth.who, received);
        auto result = co_await create_ticket(a, *auth.who, d, std::move(files), call);
        if (auto* error = std::get_if<request_error>(&result)) refused = std::move(*error);
        else co_return redirect("/tickets/" + std::get<ticket>(result).number + (phone ? "?telefon=1" : "?neu=1"));
    }
    if (refused->fields.empty()) co_return error_page(a, auth, refused->status, refused->message);
    if (!phone) {
        auto data = ticket_form_data(a, auth, d, refused->fields, dropped);
        if (auth.who->who == role::teacher) co_await add_device_choices(a, auth.who->school_number, auth.lang, data);
        co_return html_response(http::status::unprocessable_entity, a.pages.page("ticket_form", std::move(data)));
    }
    auto data = co_await phone_intake_data(a, auth, d, *call, refused->fields, dropped);
    co_return html_response(http::status::unprocessable_entity, a.pages.page("ticket_form", std::move(data)));
}

// --- lists ---------------------------------------------------------------------------------------------------

namespace {

page_data ticket_row(const app& a, const listed_ticket& item, role reader, time_ms now, language lang) {
    const auto& t = item.t;
    const auto& r = item.sla;
    const auto* zone = a.calendar.zone();
    page_data row;
    row.reserve(13);
    row.set("number", t.number);
    row.set("title", t.title);
    row.set("status", std::string(status_label_for(t.state, reader, lang)));
    row.set("status_id", std::string(to_string(t.state)));
    row.set("priority", std::string(priority_label(t.prio, lang)));
    row.set("priority_id", std::string(to_string(t.prio)));
    const auto* school = a.dir.school(t.school_number);
    row.set("school", school ? school->name : t.school_number);
    row.set("room", t.room);
    row.set("created", format_datetime(t.created_at, zone, lang));
    // One state per ticket (state_of in core/sla.hpp): never both badges.
    row.set("breached", r.breached());
    row.set("at_risk", r.at_risk);
    if (is_staff(reader)) row.set("due", due_line(r, now, zone, lang));
    else row.set("expectation", requester_expectation_short(r, t.state, now, zone, lang));
    return row;
}


// The schools whose tickets `v` works on: a campus manager's own and those of colleagues they stand in for;
// every school for the help desk and admins.
std::vector<const school_record*> schools_of(const app& a, const viewer& v) {
    std::vector<const school_record*> schools;
    for (const auto& s : a.dir.current().schools)
        if (v.who != role::campus_manager || v.looks_after(s.manager_id)) schools.push_back(&s);
    return schools;
}

} // namespace



namespace {

// The sorts a list page offers, by their URL value. The first, "" (automatic), is relevance while searching and the
// page's own order otherwise, so that a search typed into a form that was sorted automatically comes back with the
// best matches first; relevance is not offered apart (without a text it means nothing).
struct sort_choice {
    ticket_sort sort;
    const char* id;
};
constexpr std::array<sort_choice, 4> sort_choices{{{ticket_sort::relevance, ""},
                                                   {ticket_sort::due, "due"},
                                                   {ticket_sort::created, "created"},
                                                   {ticket_sort::updated, "updated"}}};

std::string_view sort_label(ticket_sort s, language lang) {
    switch (s) {
    case ticket_sort::relevance: return tr(lang, "automatisch (Suche: beste Treffer zuerst)");
    case ticket_sort::due: return tr(lang, "nächste Frist zuerst");
    case ticket_sort::created: return tr(lang, "neueste zuerst");
    case ticket_sort::updated: return tr(lang, "zuletzt geändert zuerst");
    }
    return {};
}

// "123 Treffer", or where the count stopped at its bound (storage: count_tickets) a lower bound.
std::string count_text(const ticket_count& c, bool searching, language lang) {
    if (c.more && c.count == 0) return "";  // nothing found yet among those looked at: "Weiter suchen" says it
    const auto n = format_count(c.count, lang);
    if (!c.more) {
        if (c.count == 1) return std::string(searching ? tr(lang, "1 Treffer") : tr(lang, "1 Ticket"));
        return fmt::format(searching ? tf(lang, "{} Treffer") : tf(lang, "{} Tickets"), n);
    }
    // Looked at its whole bound: more may match than were counted.
    if (c.count >= list_walk_budget)
        return fmt::format(searching ? tf(lang, "mehr als {} Treffer") : tf(lang, "mehr als {} Tickets"), n);
    return fmt::format(searching ? tf(lang, "mindestens {} Treffer") : tf(lang, "mindestens {} Tickets"), n);
}

// The list's URL with one paging parameter set and the other removed.
std::string page_link(const boost::urls::url_view& url, std::string_view key, const std::string& position) {
    auto link = boost::urls::url(url);
    link.params().erase("cursor");
    link.params().erase("before");
    if (!position.empty()) link.params().set(key, position);
    return std::string(link.encoded_target());
}

} // namespace

net::awaitable<http_response> list_page(app& a, const auth_state& auth, const boost::urls::url_view& url,
                                        bool queue) {
    const auto& u = *auth.who;
    ticket_query q;
    q.limit = 50;  // as the API: the most urgent first, the rest a link away
    // Filters (queue): school, status, priority, category, at risk, breached, free text; "Meine Tickets": free text
    // and open or done. Unknown values are ignored rather than refused, so an old bookmark still opens.
    const auto school = query_value(url, "school"), state = query_value(url, "status"), prio = query_value(url, "priority"),
               category = query_value(url, "category"), text = query_value(url, "q"), sort = query_value(url, "sort");
    const bool at_risk = query_value(url, "at_risk") == "1", breached = query_value(url, "breached") == "1";
    // Unlike the other filters, a bad search text is refused: searching for something else would mislead.
    if (auto problem = check_search_text(text))
        co_return error_page(a, auth, http::status::unprocessable_entity, problem->message);
    q.text = text;
    const bool searching = !is_blank(text);
    q.sort = searching ? ticket_sort::relevance : queue ? ticket_sort::due : ticket_sort::created;
    std::string sort_id;  // as chosen: "" is automatic
    for (const auto& c : sort_choices)
        if (!sort.empty() && sort == c.id) {
            q.sort = c.sort;
            sort_id = c.id;
        }
    if (queue) {
        if (a.dir.school(school)) q.school = school;
        if (auto s = parse_status(state)) q.statuses = {*s};
        else if (state != "alle") q.open_only = true;
        if (auto p = parse_priority(prio)) q.prio = *p;
        if (a.config.has_category(category)) q.category = category;
        q.at_risk = at_risk;
        q.breached = breached;
    } else if (state == "offen") {
        q.open_only = true;
    } else if (state == "erledigt") {
        q.statuses = {status::resolved, status::closed};
    }
    // Paging both ways by keyset (docs/lists.md): `cursor` goes on after a row, `before` back before one.
    const auto before = query_value(url, "before");
    q.cursor = before.empty() ? query_value(url, "cursor") : before;
    q.backward = !before.empty();
    ticket_list list;
    try {
        // Counting is a second query over the whole filter: run with a search (bounded by its candidates) or when
        // the person asks for it ("Anzahl ermitteln"), not on every queue page (docs/lists.md).
        list = co_await list_visible_tickets(a, u, q, searching || query_value(url, "count") == "1");
    } catch (const cursor_error&) {
        co_return error_page(a, auth, http::status::bad_request,
                             tr(auth.lang, "Ungültiger Seitenverweis."));
    }
    auto d = base_data(a, auth, std::string(queue ? tr(auth.lang, "Warteschlange") : tr(auth.lang, "Meine Tickets")));
    page_list rows;
    rows.reserve(list.page.tickets.size());
    const time_ms now = now_ms();
    for (const auto& item : list.page.tickets) rows.push_back(ticket_row(a, item, u.who, now, auth.lang));
    const auto& page = list.page;
    // A list walks a bounded number of tickets per page (storage: list_walk_budget): a rare combination of filters
    // can come back without rows but with a link that searches on (backwards, when paging back).
    const bool searched_on = rows.empty() && !page.next_cursor.empty();
    d.set("empty", rows.empty() && page.next_cursor.empty() && q.cursor.empty());
    d.set("searched_on", searched_on);
    d.set("searched", searching);
    d.set("search_text", text);
    d.set("filtered", searching || !q.school.empty() || !q.statuses.empty() || q.prio || !q.category.empty() ||
                          q.at_risk || q.breached || (!queue && q.open_only));
    d.set("teacher", u.who == role::teacher);
    if (list.count) {
        d.set("count", count_text(*list.count, searching, auth.lang));
    } else if (q.cursor.empty() && page.next_cursor.empty()) {
        // The whole list is on this page: its count is free.
        d.set("count", count_text({static_cast<std::int64_t>(rows.size()), false}, searching, auth.lang));
    } else {
        auto counted = boost::urls::url(url);
        counted.params().set("count", "1");
        d.set("count_link", std::string(counted.encoded_target()));
    }
    d.set("tickets", std::move(rows));
    d.set("queue", queue);
    if (!queue) {
        std::string back = "/tickets";
        co_await add_problem_banner(a, auth, d, std::move(back));
    }
    d.set("list_path", queue ? "/queue" : "/tickets");
    // The queue refreshes itself when a ticket this person may see changes (static/live.js).
    d.set("live", queue);
    std::string next, previous;
    if (!q.backward) {
        if (!page.next_cursor.empty()) next = page_link(url, "cursor", page.next_cursor);
        if (!q.cursor.empty() && !page.first_position.empty()) previous = page_link(url, "before", page.first_position);
    } else {
        if (!page.next_cursor.empty()) previous = page_link(url, "before", page.next_cursor);
        if (!page.last_position.empty()) next = page_link(url, "cursor", page.last_position);
    }
    d.set("next_link", next);
    d.set("previous_link", previous);
    d.set("search_on_link", q.backward ? previous : next);
    // Paged away from the start where no link leads back (a walk's partial page): the first page.
    if (!q.cursor.empty() && previous.empty() && !(q.backward && page.next_cursor.empty()))
        d.set("first_link", page_link(url, "cursor", ""));
    d.set("paged", !next.empty() || !previous.empty());
    std::vector<std::pair<std::string, std::string>> sorts;
    for (const auto& c : sort_choices) sorts.emplace_back(c.id, sort_label(c.sort, auth.lang));
    d.set("sort_options", select_options(sorts, sort_id));
    if (!queue) {
        d.set("state_options", select_options({{"", std::string(tr(auth.lang, "alle"))},
                                               {"offen", std::string(tr(auth.lang, "offene"))},
                                               {"erledigt", std::string(tr(auth.lang, "erledigte"))}},
                                              state == "offen" || state == "erledigt" ? state : std::string()));
        d.set("filter_q", text);
    }
    if (queue) {
        const auto lang = auth.lang;
        const std::string all(tr(lang, "alle"));
        std::vector<std::pair<std::string, std::string>> schools{{"", std::string(tr(lang, "alle Schulen"))}},
            statuses{{"", std::string(tr(lang, "alle offenen"))}}, priorities{{"", all}}, categories{{"", all}};
        // Counts per school: the open tickets of the schools this person looks after (and covers for).
        const auto& v = list.who;
        const auto listed = schools_of(a, v);
        std::vector<std::string> numbers;  // a manager's; everyone else counts over all schools
        if (v.who == role::campus_manager)
            for (const auto* s : listed) numbers.push_back(s->number);
        // From the board's pass while it is current (open_loads_memo), else from the open tickets' school index.
        const time_ms counted_at = now_ms();
        auto open_counts = co_await a.storage->read([&](SQLite::Database& db) {
            read_snapshot snapshot(db);
            const auto open = a.open_tickets.current(db, a.calendar, counted_at);
            return open ? count_open_by_school(*open, numbers) : count_open_by_school(db, numbers);
        });
        page_list counts;
        for (const auto* s : listed) {
            const auto found = open_counts.find(s->number);
            const int open = found == open_counts.end() ? 0 : found->second;
            if (v.who != role::campus_manager && open == 0) continue;
            schools.emplace_back(s->number, s->name);
            page_data item;
            item.set("number", s->number);
            item.set("name", s->name);
            item.set("open", std::to_string(open));
            counts.push_back(std::move(item));
        }
        d.set("school_counts", std::move(counts));
        for (auto s : all_statuses)
            statuses.emplace_back(std::string(to_string(s)), std::string(status_label(s, lang)));
        statuses.emplace_back("alle", std::string(tr(lang, "alle, auch erledigte")));
        for (auto p : all_priorities)
            priorities.emplace_back(std::string(to_string(p)), std::string(priority_label(p, lang)));
        for (const auto& c : a.config.categories) categories.emplace_back(c.id, c.label);
        d.set("school_options", select_options(schools, school));
        d.set("status_options", select_options(statuses, state));
        d.set("priority_options", select_options(priorities, prio));
        d.set("category_options", select_options(categories, category));
        d.set("filter_q", text);
        d.set("filter_at_risk", at_risk);
        d.set("filter_breached", breached);
    }
    co_return html_response(http::status::ok, a.pages.page("ticket_list", std::move(d)));
}

namespace {

// What a campus manager takes along for each kind of fault (the visit plan's packing list).
std::string_view what_to_bring(std::string_view category, language lang) {
    if (category == "presentation")
        return tr(lang, "HDMI- und USB-C-Adapter, Ersatz-Fernbedienung, Stift für die Tafel");
    if (category == "network") return tr(lang, "Notebook mit LAN-Kabel, Ersatz-Access-Point, Patchkabel");
    if (category == "ipad") return tr(lang, "Ersatz-iPad, Lightning-/USB-C-Kabel, Netzteil");
    if (category == "notebook") return tr(lang, "Ersatz-Notebook, Netzteil, USB-Stick mit Wiederherstellung");
    if (category == "pc") return tr(lang, "Ersatz-PC oder -Netzteil, Tastatur, Maus");
    if (category == "printer") return tr(lang, "Toner, Wartungskit, USB-Kabel");
    if (category == "software") return tr(lang, "Installationsmedien, Lizenzschlüssel");
    if (category == "account") return tr(lang, "Liste der Zugangsdaten, Passwort-Rücksetzformular");
    return tr(lang, "Werkzeugtasche");
}

} // namespace

// GET /visits?school=…&school=…: the open tickets of the chosen schools grouped by school and room, with what
// to bring, for the manager's rounds (printable, readable on a phone).
net::awaitable<http_response> visit_plan_page(app& a, const auth_state& auth, const boost::urls::url_view& url) {
    const auto& u = *auth.who;
    std::vector<std::string> chosen;
    for (const auto& p : url.params())
        if (p.key == "school" && a.dir.school(p.value)) chosen.push_back(p.value);
    const time_ms now = now_ms();
    auto d = base_data(a, auth, std::string(tr(auth.lang, "Besuchsplan")));
    page_list choices;
    const auto v = co_await a.storage->read([&](SQLite::Database& db) { return current_viewer(a, db, u, now); });
    for (const auto* s : schools_of(a, v)) {
        page_data item;
        item.set("number", s->number);
        item.set("name", s->name);
        item.set("checked", std::find(chosen.begin(), chosen.end(), s->number) != chosen.end());
        choices.push_back(std::move(item));
    }
    d.set("choices", choices);
    // The chosen schools' problem devices in one statement, shown with each school (worth a look on the visit).
    const auto problems = co_await visible_problem_devices(a, u, 100, chosen);
    page_list schools;
    for (const auto& number : chosen) {
        ticket_query q;
        q.open_only = true;
        q.school = number;
        q.limit = 200;
        q.sort = ticket_sort::due;
        auto list = co_await list_visible_tickets(a, u, q);
        std::map<std::string, std::vector<const listed_ticket*>> by_room;
        std::set<std::string> categories;
        for (const auto& item : list.page.tickets) {
            by_room[item.t.room.empty() ? std::string(tr(auth.lang, "ohne Raumangabe")) : item.t.room].push_back(&item);
            categories.insert(item.t.category);
        }
        const auto* school = a.dir.school(number);
        page_data s;
        s.set("name", school->name);
        s.set("address", school->address);
        s.set("count", std::to_string(list.page.tickets.size()));
        page_list rooms;
        for (const auto& [room, tickets] : by_room) {
            page_data r;
            r.set("room", room);
            page_list rows;
            for (const auto* item : tickets) rows.push_back(ticket_row(a, *item, u.who, now, auth.lang));
            r.set("tickets", rows);
            rooms.push_back(r);
        }
        s.set("rooms", rooms);
        page_list bring;
        for (const auto& c : categories) {
            page_data b;
            std::string label = c;
            for (const auto& cat : a.config.categories)
                if (cat.id == c) label = cat.label;
            b.set("category", label);
            b.set("items", std::string(what_to_bring(c, auth.lang)));
            bring.push_back(b);
        }
        s.set("bring", bring);
        std::vector<problem_device> school_problems;
        for (const auto& p : problems)
            if (p.d.school_number == number) school_problems.push_back(p);
        s.set("has_problem_devices", !school_problems.empty());
        s.set("problem_devices", problem_device_rows(a, school_problems, auth.lang));
        s.set("devices_link", "/geraete?schule=" + number);
        s.set("school_link", "/schulen/" + number);
        s.set("empty", list.page.tickets.empty());
        schools.push_back(s);
    }
    // Due maintenance beside the tickets (issue 18): counts with the choices, tasks with each chosen school.
    std::string back(url.encoded_target());
    co_await add_visit_plan_maintenance(a, auth, chosen, choices, schools, back);
    d.set("choices", choices);
    d.set("schools", schools);
    d.set("has_plan", !chosen.empty());
    d.set("task_days", std::to_string(visit_plan_task_days));
    co_return html_response(http::status::ok, a.pages.page("visit_plan", std::move(d)));
}

// --- the ticket page ---------------------------------------------------------------------------------------------

namespace {

// The fields of each form on the ticket page: a refused field among them is marked at the field, any other
// refusal (a conflict, a closed ticket) at the top of its form.
bool form_has_field(std::string_view form, std::string_view field) {
    static const std::map<std::string_view, std::set<std::string_view>> fields{
        {"reply", {"body"}},          {"status", {"status", "note"}},
        {"reopen", {"note"}},         {"withdraw", {"sure"}},
        {"priority", {"priority", "note"}}, {"escalate", {"partner", "note"}},
        {"assign", {"manager_id", "note"}}, {"attachments", {"files"}}};
    const auto it = fields.find(form);
    return it != fields.end() && it->second.contains(field);
}

std::vector<std::pair<std::string, std::string>> status_choices(const ticket_action_set& allowed, language lang) {
    std::vector<std::pair<std::string, std::string>> targets;
    for (auto s : allowed.status_targets)
        targets.emplace_back(std::string(to_string(s)), std::string(status_label(s, lang)));
    return targets;
}

// The forms a user gets on the ticket page: those of the actions the rules allow them now (allowed_actions).
// After a refusal the refused form's choices stay as they were sent.
void add_action_forms(const app& a, const user& u, const ticket_details& details, time_ms now,
                      const refused_form* refused, const std::string& suggested_partner, language lang, page_data& d) {
    const auto& t = details.t;
    const bool staff = is_staff(u.who);
    const bool requester = u.id == t.requester_id;
    const auto allowed = allowed_actions(action_context_for(a, a.viewer_of(u), t, details.events, now));
    const auto sent = [&](std::string_view form, const char* field) {
        return refused && refused->form == form ? field_or_empty(refused->values, field) : std::string();
    };
    d.set("can_reply", allowed.reply);
    d.set("staff", staff);
    if (staff) {
        const auto targets = status_choices(allowed, lang);
        d.set("can_change_status", !targets.empty());
        d.set("status_targets", select_options(targets, sent("status", "status")));
    }
    if (allowed.change_priority) {
        std::vector<std::pair<std::string, std::string>> priorities;
        for (auto p : all_priorities)
            priorities.emplace_back(std::string(to_string(p)), std::string(priority_label(p, lang)));
        const auto chosen = sent("priority", "priority");
        d.set("priority_options", select_options(priorities, chosen.empty() ? std::string(to_string(t.prio)) : chosen));
        d.set("can_change_priority", true);
    }
    if (allowed.escalate) {
        // A device in warranty goes to its vendor first: the warranty partner is chosen unless the form came back.
        const auto chosen = refused && refused->form == "escalate" ? sent("escalate", "partner") : suggested_partner;
        d.set("partners", select_options(partner_choices(a, lang), chosen));
        d.set("can_escalate", true);
    }
    if (allowed.assign) {
        std::vector<std::pair<std::string, std::string>> managers;
        for (const auto& m : a.dir.current().managers) managers.emplace_back(std::to_string(m.id), m.name);
        const auto chosen = sent("assign", "manager_id");
        d.set("managers", select_options(managers, chosen.empty() ? std::to_string(t.assignee_id) : chosen));
        d.set("can_assign", true);
    }
    if (!staff && requester) {
        d.set("can_confirm", allowed.confirm);
        d.set("can_reopen", allowed.reopen);
        d.set("can_withdraw", allowed.withdraw);
        d.set("reopen_days", std::to_string(a.config.reopen_window_days));
    }
    if (t.state == status::waiting_on_requester && requester)
        d.set("question_for_you", true);
    // The jump links at the top of the page (on a phone the forms are screens further down): only when there is
    // something to do.
    d.set("has_actions", allowed.reply || allowed.change_priority || allowed.escalate || allowed.assign ||
                             (staff && !allowed.status_targets.empty()) ||
                             (!staff && requester && (allowed.confirm || allowed.withdraw)));
    if (refused && refused->error.message.empty()) {
        // Not a refusal: a canned reply went into the form ("Einfügen"); the entries come back with it.
        const auto& f = refused->form;
        d.set(f + "_inserted", true);
        d.set(f + "_note", field_or_empty(refused->values, "note"));
        d.set(f + "_body", field_or_empty(refused->values, "body"));
        d.set(f + "_internal", field_or_empty(refused->values, "internal") == "1");
    } else if (refused) {
        const auto& f = refused->form;
        // A form the page no longer offers (the ticket moved on meanwhile) cannot carry the error: the page's top does.
        const bool own = !staff && requester;
        const std::map<std::string_view, bool> shown{
            {"reply", allowed.reply},           {"status", staff && !allowed.status_targets.empty()},
            {"confirm", own && allowed.confirm}, {"reopen", own && allowed.reopen},
            {"withdraw", own && allowed.withdraw}, {"priority", allowed.change_priority},
            {"escalate", allowed.escalate},     {"assign", allowed.assign},
            {"attachments", t.state != status::closed}};
        if (const auto it = shown.find(f); it == shown.end() || !it->second) d.set("page_error", refused->error.message);
        d.set(f + "_error", refused->error.message);
        if (form_has_field(f, refused->error.field)) d.set(f + "_" + refused->error.field + "_invalid", true);
        else d.set(f + "_form_level", true);
        d.set(f + "_note", field_or_empty(refused->values, "note"));
        d.set(f + "_body", field_or_empty(refused->values, "body"));
        d.set(f + "_internal", field_or_empty(refused->values, "internal") == "1");
    }
}

} // namespace

net::awaitable<http_response> show_ticket_page(app& a, const auth_state& auth, const std::string& number,
                                               const boost::urls::url_view& url, const refused_form* refused) {
    auto details = co_await find_visible_ticket(a, *auth.who, number);
    if (!details) co_return not_found_page(a, auth);
    const auto& t = details->t;
    const auto& u = *auth.who;
    const time_ms now = now_ms();
    const auto* zone = a.calendar.zone();
    // A refused form says so in the title first, which is what a screen reader reads on arrival.
    const bool has_error = refused && !refused->error.message.empty();
    const auto lang = auth.lang;
    auto d = base_data(a, auth, std::string(has_error ? tr(lang, "Fehler: ") : "") + t.number + " – " + t.title);
    d.set("created_now", url.params().find("neu") != url.params().end());
    d.set("number", t.number);
    d.set("ticket_title", t.title);
    d.set("description", t.description);
    d.set("room", t.room);
    d.set("asset_tag", t.asset_tag);
    d.set("status", std::string(status_label_for(t.state, u.who, lang)));
    d.set("status_id", std::string(to_string(t.state)));
    d.set("priority", std::string(priority_label(t.prio, lang)));
    d.set("priority_id", std::string(to_string(t.prio)));
    std::string category = t.category;
    for (const auto& c : a.config.categories)
        if (c.id == t.category) category = c.label;
    d.set("category", category);
    const auto* school = a.dir.school(t.school_number);
    d.set("school", school ? school->name : t.school_number);
    d.set("school_number", t.school_number);
    const auto* manager = a.dir.manager(t.assignee_id);
    d.set("assignee", manager ? manager->name : std::string("—"));
    d.set("requester", details->user_names[t.requester_id]);
    d.set("created_by_phone", url.params().find("telefon") != url.params().end() && is_staff(u.who));
    if (const auto& intake = details->intake) {
        // A caller without an account is the requester in name; the help-desk member only filed it.
        if (!intake->caller_name.empty())
            d.set("requester", fmt::format(tf(lang, "{} (ohne Konto)"), intake->caller_name));
        d.set("phone_taken_by", details->user_names[intake->taken_by]);
        if (is_staff(u.who)) d.set("caller_phone", intake->caller_phone);
    }
    d.set("created", format_datetime(t.created_at, zone, lang));

    const auto r = evaluate_sla(details->events, a.config.sla, a.calendar, now);
    const std::string pause_reason(t.state == status::waiting_on_third_party
                                       ? tr(lang, "wartet auf Dienstleister")
                                       : tr(lang, "wartet auf Antwort der Lehrkraft"));
    page_list clocks;
    for (auto kind : {sla_clock_kind::first_response, sla_clock_kind::resolution}) {
        const auto& clock = clock_of(r, kind);
        page_data c;
        c.set("text", clock_sentence(kind, clock, now, zone, pause_reason, lang));
        c.set("verdict", std::string(to_string(clock.verdict)));
        c.set("at_risk", clock.at_risk(now));
        clocks.push_back(c);
    }
    d.set("clocks", clocks);
    d.set("show_sla", is_staff(u.who));
    if (!is_staff(u.who)) {
        page_list expectations;
        for (auto& sentence : requester_expectations(r, t.state, now, zone, lang)) {
            page_data item;
            item.set("text", std::move(sentence));
            expectations.push_back(std::move(item));
        }
        d.set("has_expectations", !expectations.empty());
        d.set("expectations", std::move(expectations));
    }

    if (t.state == status::waiting_on_requester && u.id == t.requester_id) {
        // The question the teacher is asked, at the top of their page: the note of the status change that made the
        // ticket wait on them, or else the staff's last reply before it.
        const ticket_event* question = nullptr;
        const ticket_event* last_staff_reply = nullptr;
        for (const auto& e : details->events) {
            if (e.kind == event_kind::public_reply && e.by_staff) last_staff_reply = &e;
            if (e.to_status == status::waiting_on_requester)
                question = !e.body.empty() ? &e : last_staff_reply;
        }
        if (question) {
            d.set("question_text", question->body);
            d.set("question_by", details->user_names[question->actor_id]);
            d.set("question_at", format_datetime(question->at, zone, lang));
        }
    }
    page_list timeline;
    for (const auto& e : details->events) {
        if (e.kind == event_kind::internal_note && !is_staff(u.who)) continue;
        page_data item;
        item.set("when", format_datetime(e.at, zone, lang));
        item.set("who", details->user_names[e.actor_id]);
        item.set("what", std::string(event_label(e.kind, lang)));
        item.set("internal", e.kind == event_kind::internal_note);
        item.set("body", e.body);
        std::string detail;
        if (e.to_status) detail = fmt::format("→ {}", status_label_for(*e.to_status, u.who, lang));
        if (e.to_priority && e.kind != event_kind::created)
            detail = fmt::format("→ {}", priority_label(*e.to_priority, lang));
        if (e.kind == event_kind::assigned && e.manager_id)
            if (const auto* m = a.dir.manager(*e.manager_id)) detail = "→ " + m->name;
        if (e.kind == event_kind::escalated)
            if (const auto* p = a.config.find_partner(e.partner)) detail = "→ " + p->name;
        item.set("detail", detail);
        timeline.push_back(item);
    }
    d.set("events", timeline);
    page_list files;
    for (const auto& f : details->attachments) {
        page_data item;
        item.set("id", std::to_string(f.id));
        item.set("filename", f.filename);
        item.set("image", f.content_type == "image/jpeg" || f.content_type == "image/png");
        item.set("size", decimal(static_cast<double>(f.size) / (1024.0 * 1024.0), 1, lang) + " MB");
        item.set("who", details->user_names[f.uploaded_by]);
        item.set("when", format_datetime(f.uploaded_at, zone, lang));
        files.push_back(item);
    }
    d.set("attachments", files);
    d.set("can_upload", t.state != status::closed);
    d.set("max_files", std::to_string(a.config.limits.max_files_per_upload));
    const auto suggested_partner = co_await add_ticket_device(a, auth, t, d);
    add_action_forms(a, u, *details, now, refused, suggested_partner, lang, d);
    if (is_staff(u.who)) {
        const auto chosen = refused ? field_or_empty(refused->values, "canned") : std::string();
        auto canned = co_await canned_reply_choices(a, u, t.category, chosen, lang);
        d.set("has_canned", !canned.empty());
        d.set("canned", std::move(canned));
    }
    co_await add_ticket_links(a, auth, t.number, t.state == status::closed, d);
    // Live refresh (static/live.js) of this ticket's changes, e.g. a teacher sees the manager's question at once;
    // not on a form that came back (an error, an inserted canned reply): a reload would drop what it shows.
    if (!refused) {
        d.set("live", true);
        d.set("live_ticket", t.number);
    }
    if (has_error) co_return html_response(refused->error.status, a.pages.page("ticket", std::move(d)));
    co_return html_response(http::status::ok, a.pages.page("ticket", std::move(d)));
}

namespace {

// Where a quick action of the board goes back to: the board, at the row the action came from (its id,
// "<section>-<number>"), with what happened in the query (board_notice reads it back).
std::optional<std::string> board_return(const form_fields& form) {
    if (field_or_empty(form, "return_to") != "/dispatch") return std::nullopt;
    auto anchor = field_or_empty(form, "anchor");
    const bool plain = std::all_of(anchor.begin(), anchor.end(), [](unsigned char c) { return std::isalnum(c) || c == '-'; });
    if (!plain || anchor.size() > 40) anchor.clear();
    return anchor;
}

std::string board_location(std::initializer_list<std::pair<std::string_view, std::string_view>> query,
                           const std::string& anchor) {
    boost::urls::url target("/dispatch");
    for (const auto& [key, value] : query) target.params().append({key, value});
    if (!anchor.empty()) target.set_fragment(anchor);
    return std::string(target.buffer());
}

// The confirmation step of an escalation from the board: the partner chosen there (or none), a note that the
// teacher will read, and the buttons to send it off or go back to the board's row.
net::awaitable<http_response> escalate_confirm_page(app& a, const auth_state& auth, const std::string& number,
                                                    const form_fields& form, const request_error* refused) {
    auto details = co_await find_visible_ticket(a, *auth.who, number);
    if (!details) co_return not_found_page(a, auth);
    const auto& t = details->t;
    auto d = base_data(a, auth, std::string(refused ? tr(auth.lang, "Fehler: ") : "") +
                                    std::string(tr(auth.lang, "Eskalieren: ")) + t.number);
    d.set("number", t.number);
    d.set("ticket_title", t.title);
    d.set("partners", select_options(partner_choices(a, auth.lang), field_or_empty(form, "partner")));
    d.set("note", field_or_empty(form, "note"));
    const auto anchor = board_return(form).value_or("");
    d.set("anchor", anchor);
    d.set("back", board_location({}, anchor));
    if (refused) {
        d.set("error", refused->message);
        d.set(refused->field == "partner" || refused->field == "note" ? refused->field + "_invalid" : "form_level", true);
    }
    co_return html_response(refused ? refused->status : http::status::ok, a.pages.page("escalate_confirm", std::move(d)));
}

} // namespace

net::awaitable<http_response> post_ticket_action_form(app& a, const http_request& req, const auth_state& auth,
                                                      const std::string& number, const std::string& path_action,
                                                      const boost::urls::url_view& url) {
    // Arguments by reference and named: no temporaries in a co_await full-expression (GCC PR 99576).
    const auto refuse = [&](const std::string& form, const request_error& error,
                            const form_fields& values) -> net::awaitable<http_response> {
        if (error.status == http::status::not_found) co_return not_found_page(a, auth);
        const refused_form refused{form, error, values};
        co_return co_await show_ticket_page(a, auth, number, url, &refused);
    };
    if (path_action == "attachments" || (path_action.empty() && is_multipart(req))) {
        const std::string attachments = "attachments";
        const form_fields no_values;
        auto uploads = receive_uploads(a, req);
        if (auto* error = std::get_if<request_error>(&uploads)) co_return co_await refuse(attachments, *error, no_values);
        auto& batch = std::get<upload_batch>(uploads);
        if (!csrf_ok(auth, field_or_empty(batch.fields, "csrf")))
            co_return error_page(a, auth, http::status::forbidden,
                                 "Das Formular ist abgelaufen. Bitte die Seite neu laden und erneut senden.");
        // Nothing is written for a request that is refused.
        if (auto refused = co_await check_attach(a, *auth.who, number))
            co_return co_await refuse(attachments, *refused, no_values);
        auto files = co_await store_uploads(a, *auth.who, batch.files);
        auto attached = co_await attach_files(a, *auth.who, number, std::move(files));
        if (auto* error = std::get_if<request_error>(&attached)) co_return co_await refuse(attachments, *error, no_values);
        co_return redirect("/tickets/" + number + "#dateien");
    }
    if (!is_form(req))
        co_return error_page(a, auth, http::status::unsupported_media_type,
                             tr(auth.lang, "Das Formular wurde falsch gesendet."));
    auto parsed = parse_form(req.body());
    if (!parsed)
        co_return error_page(a, auth, http::status::bad_request, tr(auth.lang, "Das Formular ist beschädigt."));
    const auto& form = *parsed;
    if (!csrf_ok(auth, field_or_empty(form, "csrf")))
        co_return error_page(a, auth, http::status::forbidden,
                             "Das Formular ist abgelaufen. Bitte die Seite neu laden und erneut senden.");
    // The ticket page's forms name their action and themselves (the teacher's three status forms are one action).
    const auto which = field_or_empty(form, "form");
    const std::string action = path_action.empty() ? field_or_empty(form, "action") : path_action;
    const std::string form_name = which.empty() ? action : which;
    const auto board = board_return(form);
    // "Einfügen" of a canned reply into the reply or the status note: nothing is done, the form comes back with
    // the text added to what was typed (works without JavaScript; static/canned.js does it in place).
    if (const auto into = field_or_empty(form, "insert"); (into == "reply" || into == "status") && is_staff(auth.who->who)) {
        const auto chosen = field_or_empty(form, "canned");
        const auto canned = co_await usable_canned_reply(a, *auth.who, chosen);
        if (!canned) {
            const request_error unknown{http::status::unprocessable_entity, "unknown_canned_reply",
                                        std::string(tr(auth.lang, "Bitte einen Textbaustein auswählen.")), "", {}};
            co_return co_await refuse(into, unknown, form);
        }
        form_fields kept = form;
        const std::string field = into == "reply" ? "body" : "note";
        kept[field] = with_inserted_text(field_or_empty(form, field), canned->body);
        const request_error none{http::status::ok, "", "", "", {}};
        co_return co_await refuse(into, none, kept);
    }
    const auto note = field_or_empty(form, action == "reply" ? "body" : "note");
    const auto invalid = [](const char* field, std::string_view message) {
        return request_error{http::status::unprocessable_entity, "invalid", std::string(message), field, {}};
    };
    action_planner plan;
    std::optional<request_error> refused;
    if (action == "reply") {
        const bool internal = field_or_empty(form, "internal") == "1";
        plan = [note, internal](const action_context& c) { return plan_reply(c, note, internal); };
    } else if (action == "status") {
        // Page rules on top of the API's: a teacher who reopens says why (the API's note stays optional), and
        // withdrawing a report is confirmed with a tick.
        if (which == "reopen" && is_blank(note))
            refused = invalid("note", tr(auth.lang, "Bitte beschreiben Sie kurz, was noch nicht funktioniert."));
        else if (which == "withdraw" && field_or_empty(form, "sure") != "1")
            refused =
                invalid("sure", tr(auth.lang, "Bitte bestätigen Sie, dass Sie die Meldung zurückziehen möchten."));
        else if (auto to = parse_status(field_or_empty(form, "status")))
            plan = [note, to = *to](const action_context& c) { return plan_status_change(c, to, note); };
        else refused = invalid("status", tr(auth.lang, "Bitte wählen Sie einen Status."));
    } else if (action == "priority") {
        if (auto to = parse_priority(field_or_empty(form, "priority")))
            plan = [note, to = *to](const action_context& c) { return plan_priority_change(c, to, note); };
        else refused = invalid("priority", tr(auth.lang, "Bitte wählen Sie eine Priorität."));
    } else if (action == "assign") {
        std::int64_t id = 0;
        const auto text = field_or_empty(form, "manager_id");
        std::from_chars(text.data(), text.data() + text.size(), id);
        const bool known = a.dir.current_manager(id) != nullptr;
        plan = [note, id, known](const action_context& c) { return plan_assign(c, id, known, note); };
    } else if (action == "escalate") {
        const auto partner = field_or_empty(form, "partner");
        // From the board an escalation is a step of its own: choose the partner and confirm.
        if (field_or_empty(form, "confirm") != "1")
            co_return co_await escalate_confirm_page(a, auth, number, form, nullptr);
        if (partner.empty())
            refused = invalid("partner", tr(auth.lang, "Bitte wählen Sie den Partner, an den das Ticket gehen soll."));
        const bool known = a.config.find_partner(partner) != nullptr;
        plan = [note, partner, known](const action_context& c) { return plan_escalate(c, partner, known, note); };
    } else if (action == "seen") {
        // "Gesichtet" on the board: a new ticket that someone has looked at is in progress (new -> open).
        plan = [](const action_context& c) { return plan_status_change(c, status::open, ""); };
    } else {
        co_return not_found_page(a, auth);
    }
    if (!refused) {
        auto result = co_await perform_action(a, *auth.who, number, std::move(plan));
        if (auto* error = std::get_if<request_error>(&result)) refused = *error;
    }
    if (refused) {
        if (refused->status == http::status::not_found) co_return not_found_page(a, auth);
        if (board && action == "escalate") co_return co_await escalate_confirm_page(a, auth, number, form, &*refused);
        if (board) co_return redirect(board_location({{"fehler", refused->code}, {"ticket", number}}, *board));
        co_return co_await refuse(form_name, *refused, form);
    }
    // Quick actions on the board go back to the ticket's row there, saying what happened.
    if (board) {
        if (action == "assign")
            co_return redirect(board_location({{"erledigt", "zugewiesen"}, {"ticket", number},
                                               {"an", field_or_empty(form, "manager_id")}}, *board));
        if (action == "escalate")
            co_return redirect(board_location({{"erledigt", "eskaliert"}, {"ticket", number},
                                               {"partner", field_or_empty(form, "partner")}}, *board));
        co_return redirect(board_location({{"erledigt", action == "seen" ? "gesichtet" : "geaendert"},
                                           {"ticket", number}}, "meldung"));
    }
    co_return redirect("/tickets/" + number + "#verlauf");
}

} // namespace campusdesk
