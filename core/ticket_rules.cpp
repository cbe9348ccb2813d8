#include "core/ticket_rules.hpp"

#include "core/app_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace campusdesk {

std::string format_ticket_number(int year, std::int64_t sequence) {
    return fmt::format("CD-{:04}-{:06}", year, sequence);
}

bool is_valid_ticket_number(std::string_view n) {
    if (n.size() < 14 || n.substr(0, 3) != "CD-" || n[7] != '-') return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
        if (i < 3 || i == 7) continue;
        if (!std::isdigit(static_cast<unsigned char>(n[i]))) return false;
    }
    return n.size() <= 20;
}

bool transition_allowed(status from, status to) {
    if (from == to) return false;
    switch (from) {
    case status::new_: return to != status::new_;
    case status::open:
    case status::waiting_on_requester:
    case status::waiting_on_third_party: return to != status::new_;
    case status::resolved: return to == status::open || to == status::closed;
    case status::closed: return false;
    }
    return false;
}

bool can_see(const viewer& v, const ticket& t, std::int64_t school_manager_id, bool teachers_see_school_tickets) {
    switch (v.who) {
    case role::teacher:
        return t.requester_id == v.user_id ||
               (teachers_see_school_tickets && !v.school_number.empty() && t.school_number == v.school_number);
    case role::campus_manager: return v.looks_after(school_manager_id) || v.looks_after(t.assignee_id);
    case role::dispatcher:
    case role::admin: return true;
    }
    return false;
}

std::size_t utf8_length(std::string_view text) {
    std::size_t n = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte (no overlongs, no surrogates)
        if (c < 0x80) extra = 0;
        else if (c >= 0xC2 && c <= 0xDF) extra = 1;
        else if (c >= 0xE0 && c <= 0xEF) { extra = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
        else if (c >= 0xF0 && c <= 0xF4) { extra = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
        else return false;
        if (i + extra >= text.size() && extra > 0) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return false;
        }
        i += extra + 1;
    }
    return true;
}

namespace {

bool is_blank(std::string_view s) {
    for (unsigned char c : s)
        if (!std::isspace(c)) return false;
    return true;
}

void check_text(std::vector<field_error>& errors, std::string_view field, std::string_view label,
                const std::string& value, std::size_t max, bool required) {
    if (!is_valid_utf8(value)) {
        errors.push_back({std::string(field), "invalid_encoding", fmt::format("{}: ungültige Zeichen.", label)});
    } else if (required && is_blank(value)) {
        errors.push_back({std::string(field), "required", fmt::format("Bitte {} angeben.", label)});
    } else if (utf8_length(value) > max) {
        errors.push_back({std::string(field), "too_long",
                          fmt::format("{} ist zu lang (höchstens {} Zeichen).", label, max)});
    }
}

} // namespace

std::vector<field_error> validate_draft(const ticket_draft& d, const viewer& filer, const app_config& config) {
    std::vector<field_error> errors;
    if (d.school_number.empty()) {
        errors.push_back({"school_number", "required", "Bitte die Schule angeben."});
    } else if (!config.find_school(d.school_number)) {
        errors.push_back({"school_number", "unknown_school", "Diese Schule ist nicht bekannt."});
    } else if (filer.who == role::teacher && d.school_number != filer.school_number) {
        errors.push_back({"school_number", "not_your_school", "Sie können nur für Ihre eigene Schule melden."});
    }
    if (!config.has_category(d.category))
        errors.push_back({"category", "unknown_category", "Bitte eine Kategorie auswählen."});
    if (!parse_priority(d.priority))
        errors.push_back({"priority", "unknown_priority", "Bitte die Dringlichkeit auswählen."});
    const auto& l = config.limits;
    check_text(errors, "title", "Kurzbeschreibung", d.title, l.title_max, true);
    check_text(errors, "description", "Beschreibung", d.description, l.description_max, false);
    check_text(errors, "room", "Raum", d.room, l.room_max, false);
    check_text(errors, "asset_tag", "Inventarnummer", d.asset_tag, l.asset_tag_max, false);
    return errors;
}

} // namespace campusdesk

namespace campusdesk {

void apply_event(ticket& t, const ticket_event& e) {
    if (auto s = status_set_by(e)) t.state = *s;
    if (e.to_priority) t.prio = *e.to_priority;
    if ((e.kind == event_kind::assigned || e.kind == event_kind::created) && e.manager_id) t.assignee_id = *e.manager_id;
    if (e.kind == event_kind::escalated) t.partner = e.partner;
    else if (status_set_by(e) && t.state != status::waiting_on_third_party) t.partner.clear();
    if (e.at > t.updated_at) t.updated_at = e.at;
}

} // namespace campusdesk
