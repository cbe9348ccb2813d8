// Words for statuses, priorities and events, as teachers and staff read them on the pages: German, or English
// through the catalog (tr). `lang` defaults to German for the texts that stay German: the XLSX export, mails, and
// pages not yet translated.
#pragma once

#include "core/language.hpp"
#include "core/devices.hpp"
#include "core/notifications.hpp"
#include "core/sla.hpp"
#include "core/ticket.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace campusdesk {

// A status as staff read it ("Rückfrage – wartet auf Antwort der Lehrkraft").
std::string_view status_label(status s, language lang = language::de);
// A status as `reader` reads it: a teacher is the one asked ("Rückfrage – wartet auf Ihre Antwort").
std::string_view status_label_for(status s, role reader, language lang = language::de);
// What a notification tells, as the account page's mail settings list it.
std::string_view mail_kind_label(mail_kind k, language lang = language::de);
std::string_view priority_label(priority p, language lang = language::de);
// What a priority means for a school, in teachers' words (the urgency choice on the form).
std::string_view priority_explanation(priority p, language lang = language::de);
std::string_view event_label(event_kind k, language lang = language::de);
std::string_view role_label(role r, language lang = language::de);
// An SLA verdict as the report and the XLSX export name it.
std::string_view verdict_label(sla_verdict v, language lang = language::de);

// The device words of core/devices (German there: the import reads them) in the page's language.
std::string_view device_kind_label(device_kind k, language lang);
std::string_view owner_group_label(owner_group g, language lang);
std::string_view device_status_label(device_status s, language lang);
std::string_view device_field_label(device_field f, language lang);

// A count as the language writes it: German 5.000, 1.234.567; English 5,000, 1,234,567.
std::string format_count(std::int64_t n, language lang = language::de);

// The name of a clock as staff read it: "Erste Reaktion", "Lösung".
std::string_view clock_label(sla_clock_kind k, language lang = language::de);

// One clock in plain German, the date first and the remainder as business time: "Erste Reaktion fällig bis
// 02.12.2026, 10:30 – noch 4 Geschäftsstunden", "Lösung überfällig seit …", "Lösung: pausiert — …".
std::string clock_sentence(sla_clock_kind kind, const sla_clock& c, time_ms now, const date::time_zone* zone,
                           std::string_view pause_reason, language lang = language::de);

// What a list says about a ticket's next deadline (queue, board): which clock, when, and how much business time
// is left: "Erste Reaktion fällig: 02.12.2026, 10:30 (noch 4 Geschäftsstunden)"; "—" when no clock runs.
std::string due_line(const sla_result& r, time_ms now, const date::time_zone* zone, language lang = language::de);

// What a teacher may expect, in whole sentences, from the same SLA evaluation as the staff's figures: when the
// first answer and the solution are due, or that the clock waits for their answer. Ended clocks say nothing.
std::vector<std::string> requester_expectations(const sla_result& r, status state, time_ms now,
                                                const date::time_zone* zone, language lang = language::de);
// The same, short, for a row of "Meine Tickets".
std::string requester_expectation_short(const sla_result& r, status state, time_ms now, const date::time_zone* zone,
                                        language lang = language::de);

} // namespace campusdesk
