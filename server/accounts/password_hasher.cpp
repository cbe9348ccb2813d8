#include "server/accounts/password_hasher.hpp"

#include "server/accounts/credentials.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace campusdesk {
namespace {

// Request threads run at the default priority; hashing yields to them when both want the CPU.
void lower_this_threads_priority() {
    thread_local bool lowered = [] {
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);  // Linux: per thread; failure is harmless
        return true;
    }();
    (void)lowered;
}

} // namespace

password_hasher::password_hasher(std::size_t threads, std::size_t max_waiting)
    : pool_(threads == 0 ? 1 : threads), max_waiting_(max_waiting) {}

password_hasher::~password_hasher() { pool_.join(); }

template <class F>
net::awaitable<std::optional<std::invoke_result_t<F&>>> password_hasher::run(F fn) {
    // As storage_service::read: lambdas capture by reference only (GCC PR 99576), see storage_service.hpp.
    static_assert(std::is_trivially_destructible_v<F>, "capture by reference");
    using result_t = std::invoke_result_t<F&>;
    if (waiting_.fetch_add(1) >= max_waiting_) {
        --waiting_;
        ++refused_;
        co_return std::nullopt;
    }
    auto work = [&fn]() -> net::awaitable<result_t> {
        lower_this_threads_priority();
        co_return fn();
    };
    std::optional<result_t> result;
    try {
        // On a strand of its own, as every coroutine on a pool of threads (see storage_service::handle).
        auto operation = net::co_spawn(net::make_strand(pool_.get_executor()), work, net::use_awaitable);
        result = co_await std::move(operation);
    } catch (...) {
        --waiting_;
        throw;
    }
    --waiting_;
    co_return result;
}

net::awaitable<std::optional<bool>> password_hasher::verify(const std::string& hash, const std::string& password) {
    co_return co_await run([&] {
        static const std::string dummy_hash = hash_password("campusdesk-timing-equaliser");
        const bool matches = verify_password(hash.empty() ? dummy_hash : hash, password);
        return matches && !hash.empty();
    });
}

net::awaitable<std::optional<std::string>> password_hasher::hash(const std::string& password) {
    co_return co_await run([&] { return hash_password(password); });
}

} // namespace campusdesk
