// Live updates: every committed change bumps a version; open Server-Sent-Events streams look at it five times a
// second and tell their page to refresh, so boards update within a second. Polling a counter keeps every timer
// owned by its own connection (no cross-thread cancellation) and costs nothing measurable.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <variant>

namespace campusdesk {

class live_updates {
public:
    // Records that a change was committed (lock-free: every write calls it).
    void publish() { ++version_; }
    std::uint64_t version() const { return version_; }
    // Streams open now (/metrics).
    std::size_t open_streams() const {
        std::lock_guard lock(mutex_);
        return open_streams_;
    }

    // Open streams are counted per session and in total, so that neither one session nor many can hold every
    // file descriptor of the server.
    class stream_slot {
    public:
        stream_slot(live_updates& owner, std::string session) : owner_(&owner), session_(std::move(session)) {}
        stream_slot(stream_slot&& other) noexcept
            : owner_(std::exchange(other.owner_, nullptr)), session_(std::move(other.session_)) {}
        stream_slot& operator=(stream_slot&&) = delete;
        ~stream_slot() {
            if (owner_) owner_->close_stream(session_);
        }

    private:
        live_updates* owner_;
        std::string session_;
    };
    enum class stream_refusal { session_full, server_full };

    std::variant<stream_slot, stream_refusal> open_stream(std::string session, std::size_t per_session,
                                                          std::size_t total) {
        std::lock_guard lock(mutex_);
        const auto it = streams_.find(session);
        if (it != streams_.end() && it->second >= per_session) return stream_refusal::session_full;
        if (open_streams_ >= total) return stream_refusal::server_full;
        ++streams_[session];
        ++open_streams_;
        return stream_slot(*this, std::move(session));
    }

private:
    void close_stream(const std::string& session) {
        std::lock_guard lock(mutex_);
        --open_streams_;
        if (auto it = streams_.find(session); it != streams_.end() && --it->second == 0) streams_.erase(it);
    }

    std::atomic<std::uint64_t> version_{0};
    mutable std::mutex mutex_;
    std::map<std::string, std::size_t> streams_;  // open streams per session
    std::size_t open_streams_ = 0;
};

} // namespace campusdesk
