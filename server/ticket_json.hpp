// The ticket object of API.md and the other JSON shapes of the API.
#pragma once

#include "server/ticket_service.hpp"

#include <boost/json.hpp>

namespace campusdesk {

namespace json = boost::json;

// A ticket as lists show it: the ticket object of API.md without `events`, with its SLA figures `sla`.
json::object ticket_to_json(const app& a, const ticket& t, const sla_result& sla,
                            const std::map<std::int64_t, std::string>& names);
// The single-ticket view: the ticket object with `events` (internal notes left out for teachers) and
// `attachments`, its SLA figures evaluated from its events at `now`.
json::object ticket_details_to_json(const app& a, const ticket_details& d, const user& viewer, time_ms now);
json::object user_to_json(const user& u);
json::object sla_to_json(const app& a, const sla_result& r);
json::value time_or_null(const app& a, std::optional<time_ms> t);

} // namespace campusdesk
