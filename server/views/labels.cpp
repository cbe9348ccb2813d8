#include "server/views/labels.hpp"

#include "core/local_time.hpp"

#include <fmt/format.h>

namespace campusdesk {

std::string_view status_label(status s) {
    switch (s) {
    case status::new_: return "Neu";
    case status::open: return "In Bearbeitung";
    case status::waiting_on_requester: return "Rückfrage – wartet auf Ihre Antwort";
    case status::waiting_on_third_party: return "Wartet auf externen Dienstleister";
    case status::resolved: return "Gelöst";
    case status::closed: return "Geschlossen";
    }
    return "";
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

std::string clock_sentence(std::string_view clock_name, const sla_clock& c, time_ms now, std::string_view due_text,
                           std::string_view breached_text, std::string_view pause_reason) {
    switch (c.verdict) {
    case sla_verdict::met: return fmt::format("{}: eingehalten", clock_name);
    case sla_verdict::paused: return fmt::format("{}: pausiert — {}", clock_name, pause_reason);
    case sla_verdict::breached:
        if (c.ended_at) return fmt::format("{}: Frist überschritten", clock_name);
        return fmt::format("{} überfällig seit {}", clock_name, breached_text);
    case sla_verdict::running:
        if (const auto left = time_left_ms(c, now))
            return fmt::format("{} fällig in {} (bis {})", clock_name, format_german_duration(*left), due_text);
        return fmt::format("{} fällig", clock_name);
    }
    return std::string(clock_name);
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

} // namespace campusdesk
