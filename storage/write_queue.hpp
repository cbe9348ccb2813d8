// The single writer: one thread owns the write connection and commits waiting commands together (group commit).
#pragma once

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>

namespace campusdesk {

// The queue is full: the caller answers 503 with Retry-After instead of buffering without bound.
struct write_queue_full : std::runtime_error {
    write_queue_full() : std::runtime_error("write queue full") {}
};

class write_queue {
public:
    struct command {
        std::function<void(SQLite::Database&)> work;       // runs inside a savepoint on the writer thread
        std::function<void(std::exception_ptr)> done;      // called after the commit (or failure), writer thread
    };

    write_queue(const std::filesystem::path& file, std::size_t max_waiting);
    ~write_queue();
    write_queue(const write_queue&) = delete;
    write_queue& operator=(const write_queue&) = delete;

    // Throws write_queue_full when max_waiting commands are waiting already.
    void submit(command c);

    // Runs `fn` on the writer and blocks until it is committed; for the CLI and tests, never on an io thread.
    template <class F>
    auto run(F&& fn) -> std::invoke_result_t<F&, SQLite::Database&> {
        using result_t = std::invoke_result_t<F&, SQLite::Database&>;
        std::promise<void> committed;
        auto future = committed.get_future();
        std::conditional_t<std::is_void_v<result_t>, int, std::optional<result_t>> result{};
        submit({[&](SQLite::Database& db) {
                    if constexpr (std::is_void_v<result_t>) fn(db);
                    else result.emplace(fn(db));
                },
                [&](std::exception_ptr error) {
                    if (error) committed.set_exception(error);
                    else committed.set_value();
                }});
        future.get();
        if constexpr (!std::is_void_v<result_t>) return std::move(*result);
    }

    // Finishes the waiting commands and stops the writer thread.
    void stop();

    std::size_t waiting() const;
    std::uint64_t batches_committed() const { return batches_; }

private:
    void run_loop();
    void commit_batch(std::deque<command>& batch);

    SQLite::Database db_;
    statement_reuse reuse_{db_};  // after db_: its statements are finalized before the connection closes
    std::size_t max_waiting_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<command> waiting_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> batches_{0};
    std::thread thread_;
};

} // namespace campusdesk
