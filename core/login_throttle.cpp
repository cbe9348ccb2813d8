#include "core/login_throttle.hpp"

#include <algorithm>
#include <cctype>

namespace campusdesk {
namespace {

// Beyond this many entries per table, forgotten ones are pruned; if a spray of made-up keys still fills it, the
// table starts afresh (bounded memory matters more than the delays of a flood that large).
constexpr std::size_t max_entries = 100000;

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

} // namespace

time_ms login_delay(int failures, int free, time_ms max_delay) {
    if (failures <= free) return 0;
    const int doublings = failures - free - 1;
    if (doublings >= 30) return max_delay;
    return std::min(max_delay, time_ms{1000} << doublings);
}

login_throttle::login_throttle(login_throttle_policy policy) : policy_(policy) {}

void login_throttle::set_policy(const login_throttle_policy& policy) {
    std::lock_guard lock(mutex_);
    policy_ = policy;
}

time_ms login_throttle::wait_for(const table& t, const std::string& key, int free, time_ms now) const {
    auto it = t.find(key);
    if (it == t.end() || it->second.last + policy_.window <= now) return 0;
    const time_ms ready = it->second.last + login_delay(it->second.count, free, policy_.max_delay);
    return std::max<time_ms>(0, ready - now);
}

void login_throttle::record(table& t, const std::string& key, time_ms now) {
    if (t.size() >= max_entries && !t.contains(key)) {
        std::erase_if(t, [&](const auto& entry) { return entry.second.last + policy_.window <= now; });
        if (t.size() >= max_entries) t.clear();
    }
    auto& f = t[key];
    if (f.last + policy_.window <= now) f.count = 0;
    ++f.count;
    f.last = now;
}

time_ms login_throttle::wait_before(const login_attempt& attempt, time_ms now) {
    std::lock_guard lock(mutex_);
    if (!attempt.known_device.empty())
        return wait_for(devices_, std::string(attempt.known_device), policy_.free_failures_per_login, now);
    return std::max(wait_for(logins_, lower(attempt.login), policy_.free_failures_per_login, now),
                    wait_for(addresses_, std::string(attempt.address), policy_.free_failures_per_address, now));
}

void login_throttle::failed(const login_attempt& attempt, time_ms now) {
    std::lock_guard lock(mutex_);
    if (!attempt.known_device.empty()) record(devices_, std::string(attempt.known_device), now);
    record(logins_, lower(attempt.login), now);
    record(addresses_, std::string(attempt.address), now);
}

void login_throttle::succeeded(const login_attempt& attempt) {
    std::lock_guard lock(mutex_);
    logins_.erase(lower(attempt.login));
    if (!attempt.known_device.empty()) devices_.erase(std::string(attempt.known_device));
}

std::size_t login_throttle::tracked() const {
    std::lock_guard lock(mutex_);
    return logins_.size() + addresses_.size() + devices_.size();
}

} // namespace campusdesk
