// Password hashing on its own small, bounded pool. An argon2id verification costs tens of milliseconds of CPU and
// 64 MiB; run on the request threads, a flood of wrong passwords made every logged-in user's request wait behind
// it (16 clients: an authenticated list from 1 ms to a median of 1 s). Here at most `threads` hashes run at once,
// at a lower CPU priority than request handling, and at most `max_waiting` wait; beyond that a login is
// answered "busy" at once instead of queueing without bound.
#pragma once

#include "server/http/net.hpp"

#include <atomic>
#include <optional>
#include <string>

namespace campusdesk {

class password_hasher {
public:
    password_hasher(std::size_t threads, std::size_t max_waiting);
    ~password_hasher();

    // Arguments by reference: the caller awaits at once, and temporaries around a co_await are destroyed twice by
    // GCC 12 (see storage_service.hpp).
    // Whether `password` matches `hash` (an empty hash matches nothing, in the same time as a real one, so the
    // answer time does not tell which logins exist); nullopt when the pool is saturated.
    net::awaitable<std::optional<bool>> verify(const std::string& hash, const std::string& password);
    // A new argon2id hash; nullopt when the pool is saturated.
    net::awaitable<std::optional<std::string>> hash(const std::string& password);

    std::size_t waiting() const { return waiting_; }
    std::uint64_t refused() const { return refused_; }

private:
    template <class F>
    net::awaitable<std::optional<std::invoke_result_t<F&>>> run(F fn);

    net::thread_pool pool_;
    std::size_t max_waiting_;
    std::atomic<std::size_t> waiting_{0};
    std::atomic<std::uint64_t> refused_{0};
};

} // namespace campusdesk
