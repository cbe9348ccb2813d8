#include "server/views/labels.hpp"

#include "core/local_time.hpp"
#include "server/views/i18n.hpp"

#include <fmt/format.h>

namespace campusdesk {

std::string_view status_label(status s, language lang) {
    switch (s) {
    case status::new_: return tr(lang, "Neu");
    case status::open: return tr(lang, "In Bearbeitung");
    case status::waiting_on_requester: return tr(lang, "Rückfrage – wartet auf Antwort der Lehrkraft");
    case status::waiting_on_third_party: return tr(lang, "Wartet auf externen Dienstleister");
    case status::resolved: return tr(lang, "Gelöst");
    case status::closed: return tr(lang, "Geschlossen");
    }
    return "";
}

std::string_view status_label_for(status s, role reader, language lang) {
    if (s == status::waiting_on_requester && !is_staff(reader))
        return tr(lang, "Rückfrage – wartet auf Ihre Antwort");
    return status_label(s, lang);
}

std::string_view priority_label(priority p, language lang) {
    switch (p) {
    case priority::critical: return tr(lang, "Kritisch");
    case priority::high: return tr(lang, "Hoch");
    case priority::normal: return tr(lang, "Normal");
    case priority::low: return tr(lang, "Niedrig");
    }
    return "";
}

std::string_view priority_explanation(priority p, language lang) {
    switch (p) {
    case priority::critical:
        return tr(lang, "Unterricht ist für eine ganze Klasse oder die ganze Schule unmöglich (z. B. kein Internet, "
                        "alle Tafeln aus).");
    case priority::high: return tr(lang, "Ein Raum oder mehrere Geräte sind nicht nutzbar.");
    case priority::normal:
        return tr(lang, "Ein Gerät oder eine Person ist betroffen, es gibt eine Ausweichmöglichkeit.");
    case priority::low: return tr(lang, "Frage, Wunsch oder geplante Änderung – es eilt nicht.");
    }
    return "";
}

std::string_view event_label(event_kind k, language lang) {
    switch (k) {
    case event_kind::created: return tr(lang, "Gemeldet");
    case event_kind::public_reply: return tr(lang, "Antwort");
    case event_kind::internal_note: return tr(lang, "Interne Notiz");
    case event_kind::status_changed: return tr(lang, "Status geändert");
    case event_kind::priority_changed: return tr(lang, "Priorität geändert");
    case event_kind::assigned: return tr(lang, "Zugewiesen");
    case event_kind::escalated: return tr(lang, "Eskaliert");
    case event_kind::resolved: return tr(lang, "Gelöst");
    case event_kind::reopened: return tr(lang, "Wieder geöffnet");
    case event_kind::closed: return tr(lang, "Geschlossen");
    }
    return "";
}

std::string_view mail_kind_label(mail_kind k, language lang) {
    switch (k) {
    case mail_kind::question: return tr(lang, "einer Rückfrage zu meinem Ticket");
    case mail_kind::staff_reply: return tr(lang, "einer Antwort auf mein Ticket");
    case mail_kind::resolved: return tr(lang, "der Lösung meines Tickets (mit Bestätigen und Wiederöffnen)");
    case mail_kind::closed: return tr(lang, "dem Schließen meines Tickets");
    case mail_kind::new_ticket: return tr(lang, "einem neuen Ticket an meinen Schulen (auch in Vertretung)");
    case mail_kind::assigned: return tr(lang, "einem Ticket, das mir zugewiesen wird");
    case mail_kind::requester_reply: return tr(lang, "einer Antwort der Lehrkraft");
    case mail_kind::reopened: return tr(lang, "einem wieder geöffneten Ticket");
    case mail_kind::sla_warning: return tr(lang, "einer bald erreichten Frist (75 %)");
    case mail_kind::sla_breach: return tr(lang, "einer überschrittenen Frist");
    case mail_kind::unseen: return tr(lang, "einem neuen Ticket, das noch niemand angesehen hat");
    case mail_kind::outage: return tr(lang, "einem möglichen Ausfall an einer Schule");
    case mail_kind::digest: return tr(lang, "der täglichen Zusammenfassung");
    case mail_kind::test: return tr(lang, "einer Testnachricht");
    case mail_kind::unknown_sender: return tr(lang, "einer Antwort an eine unbekannte Absenderadresse");
    case mail_kind::problem_resolved: return tr(lang, "dem Ende einer bekannten Störung, von der ich betroffen bin");
    }
    return "";
}

std::string_view role_label(role r, language lang) {
    switch (r) {
    case role::teacher: return tr(lang, "Lehrkraft");
    case role::campus_manager: return tr(lang, "IT-Campus-Manager/in");
    case role::dispatcher: return tr(lang, "Help-Desk");
    case role::admin: return tr(lang, "Administration");
    }
    return "";
}

std::string_view clock_label(sla_clock_kind k, language lang) {
    return k == sla_clock_kind::first_response ? tr(lang, "Erste Reaktion") : tr(lang, "Lösung");
}

std::string clock_sentence(sla_clock_kind kind, const sla_clock& c, time_ms now, const date::time_zone* zone,
                           std::string_view pause_reason, language lang) {
    const auto name = clock_label(kind, lang);
    switch (c.verdict) {
    case sla_verdict::met: return fmt::format(tf(lang, "{}: eingehalten"), name);
    case sla_verdict::paused: return fmt::format(tf(lang, "{}: pausiert — {}"), name, pause_reason);
    case sla_verdict::breached:
        if (c.ended_at || !c.breached_at) return fmt::format(tf(lang, "{}: Frist überschritten"), name);
        return fmt::format(tf(lang, "{} überfällig seit {}"), name, format_datetime(*c.breached_at, zone, lang));
    case sla_verdict::running:
        if (!c.due_at) return fmt::format(tf(lang, "{} läuft"), name);
        if (const auto left = time_left_ms(c, now))
            return fmt::format(tf(lang, "{} fällig bis {} – noch {}"), name, format_datetime(*c.due_at, zone, lang),
                               format_business_remainder(*left, 540, lang));
        return fmt::format(tf(lang, "{} fällig seit {}"), name, format_datetime(*c.due_at, zone, lang));
    }
    return std::string(name);
}

std::string due_line(const sla_result& r, time_ms now, const date::time_zone* zone, language lang) {
    const auto kind = earliest_due_clock(r);
    if (!kind) return "—";
    const auto& c = clock_of(r, *kind);
    const auto when = format_datetime(*c.due_at, zone, lang);
    const auto name = clock_label(*kind, lang);
    if (c.verdict == sla_verdict::breached) return fmt::format(tf(lang, "{} fällig: {} (überschritten)"), name, when);
    if (const auto left = time_left_ms(c, now))
        return fmt::format(tf(lang, "{} fällig: {} (noch {})"), name, when,
                           format_business_remainder(*left, 540, lang));
    return fmt::format(tf(lang, "{} fällig: {}"), name, when);
}

std::vector<std::string> requester_expectations(const sla_result& r, status state, time_ms now,
                                                const date::time_zone* zone, language lang) {
    std::vector<std::string> out;
    const auto& first = r.first_response;
    if (first.due_at && !first.ended_at) {
        if (first.verdict == sla_verdict::breached)
            out.push_back(fmt::format(tf(lang, "Eine erste Antwort hätten Sie bis {} erhalten sollen. Das tut uns "
                                               "leid – wir melden uns so schnell wie möglich."),
                                      format_long_datetime(*first.due_at, zone, now, lang)));
        else
            out.push_back(fmt::format(tf(lang, "Eine erste Antwort erhalten Sie bis {}."),
                                      format_long_datetime(*first.due_at, zone, now, lang)));
    }
    const auto& solution = r.resolution;
    if (solution.ended_at) return out;
    if (solution.verdict == sla_verdict::paused) {
        out.emplace_back(state == status::waiting_on_requester
                             ? tr(lang, "Wir warten auf Ihre Antwort auf unsere Rückfrage. Solange ist die Frist für "
                                        "die Lösung angehalten; sobald Sie antworten, läuft sie weiter.")
                             : tr(lang, "Die Frist für die Lösung ist angehalten, solange wir auf eine Rückmeldung "
                                        "warten."));
        if (const auto left = solution.target_ms() - solution.used_ms; left > 0)
            out.push_back(fmt::format(tf(lang, "Danach bleiben für die Lösung noch {}."),
                                      format_business_remainder(left, 540, lang)));
    } else if (solution.due_at) {
        if (solution.verdict == sla_verdict::breached)
            out.push_back(fmt::format(tf(lang, "Die Lösung war bis {} vorgesehen. Wir arbeiten daran und bitten um "
                                               "Geduld."),
                                      format_long_datetime(*solution.due_at, zone, now, lang)));
        else
            out.push_back(fmt::format(tf(lang, "Die Lösung ist vorgesehen bis {}."),
                                      format_long_datetime(*solution.due_at, zone, now, lang)));
    }
    return out;
}

std::string requester_expectation_short(const sla_result& r, status state, time_ms now, const date::time_zone* zone,
                                        language lang) {
    if (state == status::waiting_on_requester && r.resolution.verdict == sla_verdict::paused)
        return std::string(tr(lang, "Wartet auf Ihre Antwort – die Frist ist so lange angehalten"));
    const auto kind = earliest_due_clock(r);
    if (!kind) return "";
    const auto& c = clock_of(r, *kind);
    const auto when = format_long_datetime(*c.due_at, zone, now, lang);
    if (c.verdict == sla_verdict::breached)
        return std::string(*kind == sla_clock_kind::first_response
                               ? tr(lang, "Erste Antwort verspätet – wir melden uns so bald wie möglich")
                               : tr(lang, "Lösung verspätet – wir arbeiten daran"));
    return *kind == sla_clock_kind::first_response ? fmt::format(tf(lang, "Erste Antwort bis {}"), when)
                                                   : fmt::format(tf(lang, "Lösung vorgesehen bis {}"), when);
}

std::string_view verdict_label(sla_verdict v, language lang) {
    switch (v) {
    case sla_verdict::met: return tr(lang, "eingehalten");
    case sla_verdict::breached: return tr(lang, "überschritten");
    case sla_verdict::running: return tr(lang, "läuft");
    case sla_verdict::paused: return tr(lang, "pausiert");
    }
    return "";
}

// core/devices' German labels are the catalog's keys (tests/server/i18n.tests.cpp and tools/i18n-missing know them).
std::string_view device_kind_label(device_kind k, language lang) { return tr(lang, device_kind_label(k)); }
std::string_view owner_group_label(owner_group g, language lang) { return tr(lang, owner_group_label(g)); }
std::string_view device_status_label(device_status s, language lang) { return tr(lang, device_status_label(s)); }
std::string_view device_field_label(device_field f, language lang) { return tr(lang, device_field_label(f)); }

std::string format_count(std::int64_t n, language lang) {
    auto digits = std::to_string(n < 0 ? -n : n);
    const char separator = lang == language::de ? '.' : ',';
    for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<std::size_t>(i), 1, separator);
    return n < 0 ? "-" + digits : digits;
}

} // namespace campusdesk
