#include "server/views/labels.hpp"

#include "core/local_time.hpp"

#include <fmt/format.h>

namespace campusdesk {

std::string_view status_label(status s) {
    switch (s) {
    case status::new_: return "Neu";
    case status::open: return "In Bearbeitung";
    case status::waiting_on_requester: return "Rückfrage – wartet auf Antwort der Lehrkraft";
    case status::waiting_on_third_party: return "Wartet auf externen Dienstleister";
    case status::resolved: return "Gelöst";
    case status::closed: return "Geschlossen";
    }
    return "";
}

std::string_view status_label_for(status s, role reader) {
    if (s == status::waiting_on_requester && !is_staff(reader)) return "Rückfrage – wartet auf Ihre Antwort";
    return status_label(s);
}

std::string_view priority_label(priority p) {
    switch (p) {
    case priority::critical: return "Kritisch";
    case priority::high: return "Hoch";
    case priority::normal: return "Normal";
    case priority::low: return "Niedrig";
    }
    return "";
}

std::string_view priority_explanation(priority p) {
    switch (p) {
    case priority::critical:
        return "Unterricht ist für eine ganze Klasse oder die ganze Schule unmöglich (z. B. kein Internet, alle "
               "Tafeln aus).";
    case priority::high: return "Ein Raum oder mehrere Geräte sind nicht nutzbar.";
    case priority::normal: return "Ein Gerät oder eine Person ist betroffen, es gibt eine Ausweichmöglichkeit.";
    case priority::low: return "Frage, Wunsch oder geplante Änderung – es eilt nicht.";
    }
    return "";
}

std::string_view event_label(event_kind k) {
    switch (k) {
    case event_kind::created: return "Gemeldet";
    case event_kind::public_reply: return "Antwort";
    case event_kind::internal_note: return "Interne Notiz";
    case event_kind::status_changed: return "Status geändert";
    case event_kind::priority_changed: return "Priorität geändert";
    case event_kind::assigned: return "Zugewiesen";
    case event_kind::escalated: return "Eskaliert";
    case event_kind::resolved: return "Gelöst";
    case event_kind::reopened: return "Wieder geöffnet";
    case event_kind::closed: return "Geschlossen";
    }
    return "";
}

std::string_view mail_kind_label(mail_kind k) {
    switch (k) {
    case mail_kind::question: return "einer Rückfrage zu meinem Ticket";
    case mail_kind::staff_reply: return "einer Antwort auf mein Ticket";
    case mail_kind::resolved: return "der Lösung meines Tickets (mit Bestätigen und Wiederöffnen)";
    case mail_kind::closed: return "dem Schließen meines Tickets";
    case mail_kind::new_ticket: return "einem neuen Ticket an meinen Schulen (auch in Vertretung)";
    case mail_kind::assigned: return "einem Ticket, das mir zugewiesen wird";
    case mail_kind::requester_reply: return "einer Antwort der Lehrkraft";
    case mail_kind::reopened: return "einem wieder geöffneten Ticket";
    case mail_kind::sla_warning: return "einer bald erreichten Frist (75 %)";
    case mail_kind::sla_breach: return "einer überschrittenen Frist";
    case mail_kind::unseen: return "einem neuen Ticket, das noch niemand angesehen hat";
    case mail_kind::outage: return "einem möglichen Ausfall an einer Schule";
    case mail_kind::digest: return "der täglichen Zusammenfassung";
    case mail_kind::test: return "einer Testnachricht";
    case mail_kind::unknown_sender: return "einer Antwort an eine unbekannte Absenderadresse";
    case mail_kind::problem_resolved: return "dem Ende einer bekannten Störung, von der ich betroffen bin";
    }
    return "";
}

std::string_view role_label(role r) {
    switch (r) {
    case role::teacher: return "Lehrkraft";
    case role::campus_manager: return "IT-Campus-Manager/in";
    case role::dispatcher: return "Help-Desk";
    case role::admin: return "Administration";
    }
    return "";
}

std::string_view clock_label(sla_clock_kind k) {
    return k == sla_clock_kind::first_response ? "Erste Reaktion" : "Lösung";
}

std::string clock_sentence(sla_clock_kind kind, const sla_clock& c, time_ms now, const date::time_zone* zone,
                           std::string_view pause_reason) {
    const auto name = clock_label(kind);
    switch (c.verdict) {
    case sla_verdict::met: return fmt::format("{}: eingehalten", name);
    case sla_verdict::paused: return fmt::format("{}: pausiert — {}", name, pause_reason);
    case sla_verdict::breached:
        if (c.ended_at || !c.breached_at) return fmt::format("{}: Frist überschritten", name);
        return fmt::format("{} überfällig seit {}", name, format_german_datetime(*c.breached_at, zone));
    case sla_verdict::running:
        if (!c.due_at) return fmt::format("{} läuft", name);
        if (const auto left = time_left_ms(c, now))
            return fmt::format("{} fällig bis {} – noch {}", name, format_german_datetime(*c.due_at, zone),
                               format_business_remainder(*left));
        return fmt::format("{} fällig seit {}", name, format_german_datetime(*c.due_at, zone));
    }
    return std::string(name);
}

std::string due_line(const sla_result& r, time_ms now, const date::time_zone* zone) {
    const auto kind = earliest_due_clock(r);
    if (!kind) return "—";
    const auto& c = clock_of(r, *kind);
    const auto when = format_german_datetime(*c.due_at, zone);
    if (c.verdict == sla_verdict::breached) return fmt::format("{} fällig: {} (überschritten)", clock_label(*kind), when);
    if (const auto left = time_left_ms(c, now))
        return fmt::format("{} fällig: {} (noch {})", clock_label(*kind), when, format_business_remainder(*left));
    return fmt::format("{} fällig: {}", clock_label(*kind), when);
}

std::vector<std::string> requester_expectations(const sla_result& r, status state, time_ms now,
                                                const date::time_zone* zone) {
    std::vector<std::string> out;
    const auto& first = r.first_response;
    if (first.due_at && !first.ended_at) {
        if (first.verdict == sla_verdict::breached)
            out.push_back(fmt::format("Eine erste Antwort hätten Sie bis {} erhalten sollen. Das tut uns leid – "
                                      "wir melden uns so schnell wie möglich.",
                                      format_german_long_datetime(*first.due_at, zone, now)));
        else
            out.push_back(fmt::format("Eine erste Antwort erhalten Sie bis {}.",
                                      format_german_long_datetime(*first.due_at, zone, now)));
    }
    const auto& solution = r.resolution;
    if (solution.ended_at) return out;
    if (solution.verdict == sla_verdict::paused) {
        out.push_back(state == status::waiting_on_requester
                          ? "Wir warten auf Ihre Antwort auf unsere Rückfrage. Solange ist die Frist für die Lösung "
                            "angehalten; sobald Sie antworten, läuft sie weiter."
                          : "Die Frist für die Lösung ist angehalten, solange wir auf eine Rückmeldung warten.");
        if (const auto left = solution.target_ms() - solution.used_ms; left > 0)
            out.push_back(fmt::format("Danach bleiben für die Lösung noch {}.", format_business_remainder(left)));
    } else if (solution.due_at) {
        if (solution.verdict == sla_verdict::breached)
            out.push_back(fmt::format("Die Lösung war bis {} vorgesehen. Wir arbeiten daran und bitten um Geduld.",
                                      format_german_long_datetime(*solution.due_at, zone, now)));
        else
            out.push_back(fmt::format("Die Lösung ist vorgesehen bis {}.",
                                      format_german_long_datetime(*solution.due_at, zone, now)));
    }
    return out;
}

std::string requester_expectation_short(const sla_result& r, status state, time_ms now, const date::time_zone* zone) {
    if (state == status::waiting_on_requester && r.resolution.verdict == sla_verdict::paused)
        return "Wartet auf Ihre Antwort – die Frist ist so lange angehalten";
    const auto kind = earliest_due_clock(r);
    if (!kind) return "";
    const auto& c = clock_of(r, *kind);
    const auto when = format_german_long_datetime(*c.due_at, zone, now);
    if (c.verdict == sla_verdict::breached)
        return *kind == sla_clock_kind::first_response ? "Erste Antwort verspätet – wir melden uns so bald wie möglich"
                                                       : "Lösung verspätet – wir arbeiten daran";
    return *kind == sla_clock_kind::first_response ? fmt::format("Erste Antwort bis {}", when)
                                                   : fmt::format("Lösung vorgesehen bis {}", when);
}

std::string_view verdict_label(sla_verdict v) {
    switch (v) {
    case sla_verdict::met: return "eingehalten";
    case sla_verdict::breached: return "überschritten";
    case sla_verdict::running: return "läuft";
    case sla_verdict::paused: return "pausiert";
    }
    return "";
}

std::string format_german_count(std::int64_t n) {
    auto digits = std::to_string(n < 0 ? -n : n);
    for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ".");
    return n < 0 ? "-" + digits : digits;
}

} // namespace campusdesk
