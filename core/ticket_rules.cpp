#include "core/ticket_rules.hpp"

#include "core/app_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace campusdesk {

std::string format_ticket_number(int year, std::int64_t sequence) {
    if (year < min_ticket_year || year > max_ticket_year || sequence < 1 || sequence > max_ticket_sequence)
        throw std::out_of_range(fmt::format("no ticket number for year {} and sequence {}", year, sequence));
    return fmt::format("CD-{:04}-{:06}", year, sequence);
}

namespace {

constexpr std::size_t sequence_digits_min = 6;
constexpr std::size_t sequence_digits_max = 10;  // the digits of max_ticket_sequence

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::optional<ticket_number_parts> parse_ticket_number(std::string_view n) {
    if (ticket_number_problem(n).empty()) {
        ticket_number_parts p;
        std::from_chars(n.data() + 3, n.data() + 7, p.year);
        std::from_chars(n.data() + 8, n.data() + n.size(), p.sequence);
        return p;
    }
    return std::nullopt;
}

bool is_valid_ticket_number(std::string_view number) { return parse_ticket_number(number).has_value(); }

std::string ticket_number_problem(std::string_view n) {
    const auto example = "is not a ticket number like CD-2026-000123";
    if (n.size() < 8 + sequence_digits_min || n.substr(0, 3) != "CD-" || n[7] != '-' || !all_digits(n.substr(3, 4)) ||
        !all_digits(n.substr(8)))
        return example;
    const auto digits = n.substr(8);
    if (digits.size() > sequence_digits_max)
        return fmt::format("the sequence {} is out of range (at most {})", digits, max_ticket_sequence);
    int year = 0;
    std::int64_t sequence = 0;
    std::from_chars(n.data() + 3, n.data() + 7, year);
    std::from_chars(digits.data(), digits.data() + digits.size(), sequence);
    if (year < min_ticket_year)
        return fmt::format("the year {} is out of range ({} to {})", n.substr(3, 4), min_ticket_year, max_ticket_year);
    if (sequence < 1 || sequence > max_ticket_sequence)
        return fmt::format("the sequence {} is out of range (1 to {})", digits, max_ticket_sequence);
    if (digits.size() > sequence_digits_min && digits.front() == '0')
        return fmt::format("is not canonical: the sequence has leading zeros beyond six digits (write {})",
                           format_ticket_number(year, sequence));
    return {};
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
    case role::campus_manager:
        return v.looks_after(school_manager_id) || v.looks_after(t.assignee_id) || t.requester_id == v.user_id;
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

std::string utf8_prefix(std::string_view text, std::size_t max_characters) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && n++ == max_characters)
            return std::string(text.substr(0, i));
    return std::string(text);
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

bool has_control_characters(std::string_view text, text_lines lines) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20) {
            if (lines == text_lines::multi && (c == '\n' || c == '\r' || c == '\t')) continue;
            return true;
        }
        if (c == 0x7F) return true;
        // C1 controls U+0080–U+009F are C2 80 … C2 9F in UTF-8.
        if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) return true;
    }
    return false;
}

std::optional<field_error> check_search_text(std::string_view text) {
    if (!is_valid_utf8(text) || has_control_characters(text, text_lines::single))
        return field_error{"q", "invalid_characters", "Der Suchtext enthält ungültige Zeichen oder Steuerzeichen."};
    if (utf8_length(text) > max_search_characters)
        return field_error{"q", "too_long", fmt::format("Der Suchtext ist zu lang (höchstens {} Zeichen).",
                                                        max_search_characters)};
    return std::nullopt;
}

namespace {

bool is_blank(std::string_view s) {
    for (unsigned char c : s)
        if (!std::isspace(c)) return false;
    return true;
}

void check_text(std::vector<field_error>& errors, std::string_view field, std::string_view label,
                const std::string& value, std::size_t max, bool required, text_lines lines) {
    if (!is_valid_utf8(value)) {
        errors.push_back({std::string(field), "invalid_encoding", fmt::format("{}: ungültige Zeichen.", label)});
    } else if (has_control_characters(value, lines)) {
        errors.push_back({std::string(field), "control_characters",
                          fmt::format("{}: Steuerzeichen sind nicht erlaubt.", label)});
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
    check_text(errors, "title", "Kurzbeschreibung", d.title, l.title_max, true, text_lines::single);
    check_text(errors, "description", "Beschreibung", d.description, l.description_max, false, text_lines::multi);
    check_text(errors, "room", "Raum", d.room, l.room_max, false, text_lines::single);
    check_text(errors, "asset_tag", "Inventarnummer", d.asset_tag, l.asset_tag_max, false, text_lines::single);
    return errors;
}

std::vector<field_error> validate_caller(bool has_account, const std::string& name, const std::string& phone) {
    std::vector<field_error> errors;
    check_text(errors, "caller_name", "Name des Anrufers", name, caller_name_max, !has_account, text_lines::single);
    if (phone.empty()) {
        if (!has_account)
            errors.push_back({"caller_phone", "required", "Bitte eine Rückrufnummer angeben."});
        return errors;
    }
    std::size_t digits = 0;
    bool plain = phone.size() <= caller_phone_max;
    for (unsigned char c : phone) {
        if (std::isdigit(c)) ++digits;
        else if (c != ' ' && c != '+' && c != '-' && c != '/' && c != '(' && c != ')') plain = false;
    }
    if (!plain || digits < 3)
        errors.push_back({"caller_phone", "invalid_phone",
                          fmt::format("Die Rückrufnummer darf nur Ziffern, Leerzeichen und + - / ( ) enthalten "
                                      "(höchstens {} Zeichen).",
                                      caller_phone_max)});
    return errors;
}

std::vector<field_error> validate_canned_reply(const std::string& title, const std::string& body, std::size_t body_max) {
    std::vector<field_error> errors;
    check_text(errors, "title", "Titel", title, canned_title_max, true, text_lines::single);
    check_text(errors, "body", "Text", body, body_max, true, text_lines::multi);
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
