// The devices' pages (issue 18): /geraete (the inventory a user sees, problem devices, tickets per 100 devices by
// kind), /geraete/import (the help desk's CSV upload) and /geraete/{id} (a device with its history); the device
// parts of the ticket form, the ticket page, the board and the visit plan.
#pragma once

#include "server/accounts/auth.hpp"
#include "server/devices/device_service.hpp"
#include "server/views/page_renderer.hpp"

#include <boost/url.hpp>

#include <string>
#include <string_view>

namespace campusdesk {

// `rest`: the path after /geraete ("", "/import", "/17").
net::awaitable<http_response> devices_page(app& a, http_request& req, const auth_state& auth,
                                           const boost::urls::url_view& url, std::string_view rest);

// The ticket form's list of the school's devices (a <datalist> for the inventory number field): value the
// inventory number (or the serial), label kind, model, room and serial, so that typing a room finds its devices.
net::awaitable<void> add_device_choices(app& a, const std::string& school_number, language lang, page_data& d);

// The ticket page's device: facts, warranty, earlier tickets; returns the partner an escalation should suggest
// (the warranty partner while the device is in warranty), or "".
net::awaitable<std::string> add_ticket_device(app& a, const auth_state& auth, const ticket& t, page_data& d);

// The problem devices as rows of a page list (the board's box, the visit plan).
page_list problem_device_rows(const app& a, const std::vector<problem_device>& list, language lang);

} // namespace campusdesk
