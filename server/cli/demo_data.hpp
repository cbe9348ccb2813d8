// Demo accounts and a few hundred realistic tickets over the last 60 days (`serve --demo`, empty database only).
#pragma once

#include "server/app.hpp"

namespace campusdesk {

// Creates the demo accounts of API.md (password "demo") and tickets; does nothing if any user exists.
// Returns whether it loaded anything.
bool load_demo_data(app& a);

} // namespace campusdesk
