// Live updates: every committed change bumps a version; open Server-Sent-Events streams look at it five times a
// second and tell their page to refresh, so boards update within a second. Polling a counter keeps every timer
// owned by its own connection (no cross-thread cancellation) and costs nothing measurable.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace campusdesk {

class live_updates {
public:
    // Records a change (e.g. the ticket number) after it is committed.
    void publish(std::string what) {
        std::lock_guard lock(mutex_);
        last_change_ = std::move(what);
        ++version_;
    }
    std::uint64_t version() const { return version_; }
    std::string last_change() const {
        std::lock_guard lock(mutex_);
        return last_change_;
    }

private:
    std::atomic<std::uint64_t> version_{0};
    mutable std::mutex mutex_;
    std::string last_change_;
};

} // namespace campusdesk
