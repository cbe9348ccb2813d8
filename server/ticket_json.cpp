#include "server/ticket_json.hpp"

#include "core/local_time.hpp"

namespace campusdesk {

json::value time_or_null(const app& a, std::optional<time_ms> t) {
    if (!t) return nullptr;
    return json::string(format_iso8601(*t, a.calendar.zone()));
}

json::object user_to_json(const user& u) {
    json::object o{{"id", u.id}, {"login", u.login}, {"name", u.name}, {"role", to_string(u.who)}};
    o["school_number"] = u.who == role::teacher ? json::value(u.school_number) : json::value(nullptr);
    o["manager_id"] = u.who == role::campus_manager ? json::value(u.manager_id) : json::value(nullptr);
    return o;
}

namespace {

json::object clock_to_json(const app& a, const sla_clock& c) {
    return {{"target_minutes", c.target_minutes},
            {"used_minutes", c.used_minutes()},
            {"due_at", time_or_null(a, c.due_at)},
            {"verdict", to_string(c.verdict)},
            {"breached_at", time_or_null(a, c.breached_at)}};
}

json::object person(std::int64_t id, const std::map<std::int64_t, std::string>& names) {
    auto it = names.find(id);
    return {{"id", id}, {"name", it == names.end() ? std::string() : it->second}};
}

} // namespace

json::object sla_to_json(const app& a, const sla_result& r) {
    return {{"first_response", clock_to_json(a, r.first_response)},
            {"resolution", clock_to_json(a, r.resolution)},
            {"at_risk", r.at_risk},
            {"paused_minutes", r.paused_ms / 60000}};
}

json::object ticket_to_json(const app& a, const ticket& t, const sla_result& sla,
                            const std::map<std::int64_t, std::string>& names) {
    const auto* school = a.dir.school(t.school_number);
    const auto* manager = a.dir.manager(t.assignee_id);
    json::object o{{"number", t.number},
                   {"school_number", t.school_number},
                   {"school_name", school ? school->name : std::string()},
                   {"category", t.category},
                   {"priority", to_string(t.prio)},
                   {"status", to_string(t.state)},
                   {"title", t.title},
                   {"description", t.description},
                   {"room", t.room},
                   {"asset_tag", t.asset_tag},
                   {"requester", person(t.requester_id, names)},
                   {"created_at", format_iso8601(t.created_at, a.calendar.zone())},
                   {"updated_at", format_iso8601(t.updated_at, a.calendar.zone())}};
    o["assignee"] = manager ? json::value(json::object{{"id", manager->id}, {"name", manager->name}})
                            : json::value(nullptr);
    o["partner"] = t.partner.empty() ? json::value(nullptr) : json::value(t.partner);
    o["sla"] = sla_to_json(a, sla);
    return o;
}

json::object ticket_details_to_json(const app& a, const ticket_details& d, const user& viewer, time_ms now) {
    auto o = ticket_to_json(a, d.t, evaluate_sla(d.events, a.config.sla, a.calendar, now), d.user_names);
    json::array list;
    for (const auto& e : d.events) {
        if (e.kind == event_kind::internal_note && !is_staff(viewer.who)) continue;
        json::object je{{"seq", e.seq},
                        {"at", format_iso8601(e.at, a.calendar.zone())},
                        {"actor", person(e.actor_id, d.user_names)},
                        {"kind", to_string(e.kind)}};
        if (!e.body.empty()) je["body"] = e.body;
        if (e.to_status) je["status"] = to_string(*e.to_status);
        if (e.to_priority) je["priority"] = to_string(*e.to_priority);
        if (e.manager_id) je["manager_id"] = *e.manager_id;
        if (!e.partner.empty()) je["partner"] = e.partner;
        list.push_back(std::move(je));
    }
    o["events"] = std::move(list);
    json::array files;
    for (const auto& f : d.attachments)
        files.push_back(json::object{{"id", f.id}, {"filename", f.filename}, {"content_type", f.content_type},
                                     {"size", f.size}, {"url", fmt::format("/attachments/{}", f.id)},
                                     {"uploaded_at", format_iso8601(f.uploaded_at, a.calendar.zone())}});
    o["attachments"] = std::move(files);
    return o;
}

} // namespace campusdesk
