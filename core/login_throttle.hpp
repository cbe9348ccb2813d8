// Slowing password guessing without letting a stranger lock anyone out (ASVS 5.0 6.3.1, 6.1.1).
//
// Instead of a hard lock-out after N failures (which anyone who knows a login can trigger), failures earn a
// delay before the next attempt is even checked: a few free ones, then 1 s, 2 s, 4 s … up to `max_delay`.
// At the default cap of 60 s an attacker gets at most ~60 guesses an hour at one login (ASVS: fewer than 100),
// while the owner waits a minute at worst. Three independent keys are counted:
//   - the login (lower-cased), for guesses spread over many addresses;
//   - the client address, for one address trying many logins (a password spray; its free allowance is larger,
//     since a whole school sits behind one address);
//   - a known device: a browser in which this login succeeded before (a long-lived device cookie, OWASP's
//     "device cookies"). An attempt from a known device skips the login's and the address's delays — so the
//     right password on the teacher's own iPad works during an attack — and is throttled on its own key only.
#pragma once

#include "core/ticket.hpp"

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace campusdesk {

struct login_throttle_policy {
    int free_failures_per_login = 5;
    int free_failures_per_address = 50;
    time_ms max_delay = 60 * 1000;
    time_ms window = 15 * 60 * 1000;  // the count starts afresh after this long without a failure
};

// Who is trying: the login typed, the client address and, if the browser presented a device cookie known for
// this login, its digest (empty otherwise).
struct login_attempt {
    std::string_view login;
    std::string_view address;
    std::string_view known_device;
};

class login_throttle {
public:
    explicit login_throttle(login_throttle_policy policy = {});

    void set_policy(const login_throttle_policy& policy);
    // How long the attempt must wait before it may be checked (0: check it now).
    time_ms wait_before(const login_attempt& attempt, time_ms now);
    void failed(const login_attempt& attempt, time_ms now);
    // A success clears the login's (and the device's) failures; the address keeps its count, so that an attacker
    // cannot reset it by logging into an account of their own between guesses.
    void succeeded(const login_attempt& attempt);

    // Entries kept (for tests and the memory bound).
    std::size_t tracked() const;

private:
    // Failures since the count last started afresh; it does so only after a whole window without a failure, so
    // a steady attacker never gets the free attempts back.
    struct failures {
        int count = 0;
        time_ms last = 0;
    };
    using table = std::unordered_map<std::string, failures>;

    time_ms wait_for(const table& t, const std::string& key, int free, time_ms now) const;
    void record(table& t, const std::string& key, time_ms now);

    login_throttle_policy policy_;
    mutable std::mutex mutex_;
    table logins_, addresses_, devices_;
};

// The delay after `failures` failures of which `free` cost nothing: 0, then 1 s doubling up to `max_delay`.
time_ms login_delay(int failures, int free, time_ms max_delay);

} // namespace campusdesk
