// German words for statuses, priorities and events, as teachers and staff read them on the pages.
#pragma once

#include "core/notifications.hpp"
#include "core/sla.hpp"
#include "core/ticket.hpp"

#include <string>
#include <string_view>

namespace campusdesk {

std::string_view status_label(status s);
// What a notification tells, as the account page's mail settings list it.
std::string_view mail_kind_label(mail_kind k);
std::string_view priority_label(priority p);
// What a priority means for a school, in teachers' words (the urgency choice on the form).
std::string_view priority_explanation(priority p);
std::string_view event_label(event_kind k);
std::string_view role_label(role r);
// An SLA verdict as the report and the XLSX export name it.
std::string_view verdict_label(sla_verdict v);

// One clock in plain German: "Erste Reaktion fällig in 2 Std. 10 Min.", "Lösung überfällig seit …".
std::string clock_sentence(std::string_view clock_name, const sla_clock& c, time_ms now, std::string_view due_text,
                           std::string_view breached_text, std::string_view pause_reason);

} // namespace campusdesk
