// The ticket object of API.md and the other JSON shapes of the API.
#pragma once

#include "server/tickets/ticket_service.hpp"

#include <boost/json.hpp>

namespace campusdesk {

namespace json = boost::json;

// `{"tickets": [...], "next_cursor": ...}` of GET /api/v1/tickets: the ticket objects of API.md without
// `events`, with the SLA figures the list was read with.
std::string ticket_list_json(const app& a, const ticket_list& list);
// The single-ticket view: the ticket object with `events` (internal notes left out for teachers) and
// `attachments`, its SLA figures evaluated from its events at `now`.
std::string ticket_details_json(const app& a, const ticket_details& d, const user& viewer, time_ms now);
json::object user_to_json(const user& u);

} // namespace campusdesk
