#include "server/tickets/ticket_json.hpp"

#include "core/local_time.hpp"
#include "server/http/json_writer.hpp"

namespace campusdesk {

json::object user_to_json(const user& u) {
    json::object o{{"id", u.id}, {"login", u.login}, {"name", u.name}, {"role", to_string(u.who)}};
    o["school_number"] = u.who == role::teacher ? json::value(u.school_number) : json::value(nullptr);
    o["manager_id"] = u.who == role::campus_manager ? json::value(u.manager_id) : json::value(nullptr);
    return o;
}

namespace {

void time_member(json_writer& w, const app& a, json_key name, std::optional<time_ms> t) {
    w.key(name);
    if (!t) {
        w.null();
        return;
    }
    // Written in place: an ISO 8601 time never needs escaping, and no comma follows a key.
    w.raw() += '"';
    append_iso8601(w.raw(), *t, a.calendar.zone());
    w.raw() += '"';
}

void write_clock(json_writer& w, const app& a, const sla_clock& c) {
    w.begin_object();
    w.key("target_minutes").value(c.target_minutes);
    w.key("used_minutes").value(c.used_minutes());
    time_member(w, a, "due_at", c.due_at);
    w.key("verdict").value(to_string(c.verdict));
    time_member(w, a, "breached_at", c.breached_at);
    w.end_object();
}

void write_person(json_writer& w, std::int64_t id, std::string_view name) {
    w.begin_object().key("id").value(id).key("name").value(name).end_object();
}

std::string_view name_of(std::int64_t id, const std::map<std::int64_t, std::string>& names) {
    auto it = names.find(id);
    return it == names.end() ? std::string_view() : std::string_view(it->second);
}

// The members of the ticket object up to and including `sla`; the caller closes it.
void write_ticket_members(json_writer& w, const app& a, const ticket& t, const sla_result& sla,
                          std::string_view requester_name) {
    const auto* school = a.dir.school(t.school_number);
    const auto* manager = a.dir.manager(t.assignee_id);
    w.begin_object();
    w.key("number").value(t.number);
    w.key("school_number").value(t.school_number);
    w.key("school_name").value(school ? std::string_view(school->name) : std::string_view());
    w.key("category").value(t.category);
    w.key("priority").value(to_string(t.prio));
    w.key("status").value(to_string(t.state));
    w.key("title").value(t.title);
    w.key("description").value(t.description);
    w.key("room").value(t.room);
    w.key("asset_tag").value(t.asset_tag);
    w.key("requester");
    write_person(w, t.requester_id, requester_name);
    time_member(w, a, "created_at", t.created_at);
    time_member(w, a, "updated_at", t.updated_at);
    w.key("assignee");
    if (manager) w.begin_object().key("id").value(manager->id).key("name").value(manager->name).end_object();
    else w.null();
    w.member("partner", t.partner.empty() ? std::nullopt : std::optional<std::string_view>(t.partner));
    w.key("sla").begin_object();
    w.key("first_response");
    write_clock(w, a, sla.first_response);
    w.key("resolution");
    write_clock(w, a, sla.resolution);
    w.key("at_risk").value(sla.at_risk);
    w.key("paused_minutes").value(sla.paused_minutes());
    w.end_object();
}

} // namespace

std::string ticket_list_json(const app& a, const ticket_list& list) {
    json_writer w;
    w.raw().reserve(1024 * (list.page.tickets.size() + 1));  // a row is about 750 bytes: no regrowth, no copies
    w.begin_object().key("tickets").begin_array();
    for (const auto& item : list.page.tickets) {
        write_ticket_members(w, a, item.t, item.sla, item.requester_name);
        w.end_object();
    }
    w.end_array();
    w.member("next_cursor", list.page.next_cursor.empty() ? std::nullopt
                                                          : std::optional<std::string_view>(list.page.next_cursor));
    return w.end_object().take();
}

std::string ticket_details_json(const app& a, const ticket_details& d, const user& viewer, time_ms now) {
    json_writer w;
    write_ticket_members(w, a, d.t, evaluate_sla(d.events, a.config.sla, a.calendar, now),
                         name_of(d.t.requester_id, d.user_names));
    w.key("events").begin_array();
    for (const auto& e : d.events) {
        if (e.kind == event_kind::internal_note && !is_staff(viewer.who)) continue;
        w.begin_object();
        w.key("seq").value(e.seq);
        time_member(w, a, "at", e.at);
        w.key("actor");
        write_person(w, e.actor_id, name_of(e.actor_id, d.user_names));
        w.key("kind").value(to_string(e.kind));
        if (!e.body.empty()) w.key("body").value(e.body);
        if (e.to_status) w.key("status").value(to_string(*e.to_status));
        if (e.to_priority) w.key("priority").value(to_string(*e.to_priority));
        if (e.manager_id) w.key("manager_id").value(*e.manager_id);
        if (!e.partner.empty()) w.key("partner").value(e.partner);
        w.end_object();
    }
    w.end_array();
    w.key("attachments").begin_array();
    for (const auto& f : d.attachments) {
        w.begin_object();
        w.key("id").value(f.id);
        w.key("filename").value(f.filename);
        w.key("content_type").value(f.content_type);
        w.key("size").value(f.size);
        w.key("url").value(fmt::format("/attachments/{}", f.id));
        time_member(w, a, "uploaded_at", f.uploaded_at);
        w.end_object();
    }
    w.end_array();
    // Only on tickets taken on the phone (docs/api-desk.md), so every other answer stays as API.md has it.
    if (d.intake) {
        w.key("phone_intake").begin_object();
        w.key("taken_by");
        write_person(w, d.intake->taken_by, name_of(d.intake->taken_by, d.user_names));
        if (!d.intake->caller_name.empty()) w.key("caller_name").value(d.intake->caller_name);
        if (!d.intake->caller_phone.empty()) w.key("caller_phone").value(d.intake->caller_phone);
        w.end_object();
    }
    return w.end_object().take();
}

} // namespace campusdesk
