// A plausible inventory for the demo and the benchmark generator (issue 18): iPads for pupils and teachers, digital
// boards, projectors, printers, access points, switches, notebooks and PCs per school, sized by the kind of school,
// with purchase years and warranty ends spread so that some devices are in warranty and some are not.
#pragma once

#include "core/devices.hpp"

#include <random>
#include <string>
#include <vector>

namespace campusdesk {

struct inventory_school {
    std::string number;
    std::string kind;  // "Grundschule", "Gymnasium", … (bigger schools get more devices)
};

// About `ipads` iPads and `others` other devices over `schools` in all (each school at least a few), numbered
// "<school>-IP-0001" etc., serials unique, `today` the reference for purchase and warranty dates.
std::vector<device> generate_inventory(const std::vector<inventory_school>& schools, int ipads, int others,
                                       local_date today, std::mt19937& rng);

} // namespace campusdesk
