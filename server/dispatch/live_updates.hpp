// Live updates: every committed change bumps a version and is noted with the ticket it concerns; open
// Server-Sent-Events streams look at the version five times a second and tell their page to refresh when a change
// concerns them, so boards, queues and ticket pages update within a second. A stream is told only of changes to
// tickets its subscriber may see (and staff streams of changes that belong to no ticket: absences, school moves,
// known problems), so a teacher's stream says nothing about other people's tickets. Polling a counter keeps every
// timer owned by its own connection (no cross-thread cancellation) and costs nothing measurable.
#pragma once

#include "core/ticket_rules.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <variant>

namespace campusdesk {

class live_updates {
public:
    // What a stream needs to decide whether a change concerns its subscriber (core::can_see's fields of a ticket).
    struct change {
        std::uint64_t version = 0;
        std::int64_t ticket_id = 0;  // 0: no ticket's change (staff streams only)
        std::string school_number;
        std::int64_t requester_id = 0;
        std::int64_t assignee_id = 0;
    };

    // Records that a change to `t` was committed.
    void publish(const ticket& t) { note({0, t.id, t.school_number, t.requester_id, t.assignee_id}); }
    // Records a committed change that belongs to no one ticket.
    void publish() { note({}); }
    std::uint64_t version() const { return version_; }
    // Streams open now (/metrics).
    std::size_t open_streams() const {
        std::lock_guard lock(mutex_);
        return open_streams_;
    }

    // Calls `concerns` for each change after `seen` up to now, newest last, until it answers true; answers whether
    // one did, and sets `seen` to the version looked up to. More changes than the history keeps count as one that
    // concerns everyone: the page only reloads itself through its permission-checked URL.
    bool changed_since(std::uint64_t& seen, const std::function<bool(const change&)>& concerns) const {
        std::lock_guard lock(history_mutex_);
        const auto now = version_.load();
        const auto from = seen;
        seen = now;
        if (now == from) return false;
        if (now - from > history_size) return true;
        for (auto v = from + 1; v <= now; ++v)
            if (concerns(history_[v % history_size])) return true;
        return false;
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
    // A second of changes at the busiest write rate measured (issue 7) fits many times over.
    static constexpr std::uint64_t history_size = 4096;

    void note(change c) {
        std::lock_guard lock(history_mutex_);
        const auto v = version_ + 1;
        c.version = v;
        history_[v % history_size] = std::move(c);
        version_ = v;
    }

    void close_stream(const std::string& session) {
        std::lock_guard lock(mutex_);
        --open_streams_;
        if (auto it = streams_.find(session); it != streams_.end() && --it->second == 0) streams_.erase(it);
    }

    std::atomic<std::uint64_t> version_{0};
    mutable std::mutex history_mutex_;
    std::array<change, history_size> history_{};
    mutable std::mutex mutex_;
    std::map<std::string, std::size_t> streams_;  // open streams per session
    std::size_t open_streams_ = 0;
};

} // namespace campusdesk
