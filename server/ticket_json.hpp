// The ticket object of API.md and the other JSON shapes of the API.
#pragma once

#include "server/ticket_service.hpp"

#include <boost/json.hpp>

namespace campusdesk {

namespace json = boost::json;

// `include_events`: the single-ticket view; internal notes are left out for teachers.
json::object ticket_to_json(const app& a, const ticket& t, const std::vector<ticket_event>& events,
                            const std::map<std::int64_t, std::string>& names, const user& viewer, bool include_events,
                            time_ms now, const std::vector<attachment_record>* attachments = nullptr);
json::object user_to_json(const user& u);
json::object sla_to_json(const app& a, const sla_result& r);
json::value time_or_null(const app& a, std::optional<time_ms> t);

} // namespace campusdesk
