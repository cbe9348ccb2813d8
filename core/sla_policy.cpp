#include "core/sla_policy.hpp"

#include <algorithm>

namespace campusdesk {

bool sla_policy::pauses(status s) const {
    return std::find(pause_statuses.begin(), pause_statuses.end(), s) != pause_statuses.end();
}

} // namespace campusdesk
