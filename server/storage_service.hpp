// Bridges coroutines to storage: reads on reader threads with pooled read-only connections, writes through the
// single group-committing writer. No SQLite call ever runs on an io thread.
//
// Request handlers run on the reader threads as a whole (handle()), so a request crosses from its io thread
// and back once, however many reads it makes; read() and compute() called there run in place.
#pragma once

#include "server/http/net.hpp"
#include "storage/reader_pool.hpp"
#include "storage/write_queue.hpp"

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <type_traits>

namespace campusdesk {

class storage_service {
public:
    // One school authority in the process: reader threads of its own, a connection for each, all opened now.
    storage_service(const std::filesystem::path& database_file, std::size_t reader_threads,
                    std::size_t write_queue_max)
        : writer_(database_file, write_queue_max), readers_(database_file, reader_threads, reader_threads),
          own_threads_(std::make_unique<net::thread_pool>(reader_threads)), reader_threads_(own_threads_.get()) {}

    // One tenant of a provider's process (docs/tenants.md): its handlers run on the reader threads every tenant
    // shares, with a connection of its own per thread (so a thread never waits for one), opened when first needed:
    // a quiet tenant holds one.
    storage_service(const std::filesystem::path& database_file, net::thread_pool& shared_reader_threads,
                    std::size_t reader_threads, std::size_t write_queue_max)
        : writer_(database_file, write_queue_max), readers_(database_file, reader_threads, 1),
          reader_threads_(&shared_reader_threads) {}

    ~storage_service() { stop(); }

    // Shared reader threads are joined by their owner before the tenants' storage stops.
    void stop() {
        if (own_threads_) own_threads_->join();
        writer_.stop();
    }

    // Runs a request handler on the reader threads and resumes the caller (an io thread) with its answer.
    //
    // Every coroutine spawned on the reader threads runs on a strand of its own: a coroutine's steps must never
    // overlap, and on a pool of several threads the completion of a write (posted by the writer thread) or
    // co_spawn's own first post could resume it on a second thread while the first is still leaving the step that
    // suspended it (asio issues 552 and 1362; ASan found it as a jump to a freed frame under create load).
    template <class T>
    net::awaitable<T> handle(net::awaitable<T> handler) {
        auto operation = net::co_spawn(reader_strand(), counted(std::move(handler)), net::use_awaitable);
        co_return co_await std::move(operation);
    }

    // Runs fn(db) on a reader thread and resumes the caller with its result (or its exception).
    //
    // GCC 12 destroys temporaries of a co_await full-expression twice (GCC PR 99576). So callers pass lambdas that
    // capture only by reference ([&]: the awaiting coroutine's frame outlives the call) and nothing with a
    // non-trivial destructor is created as a temporary around a co_await; the functions below follow the same rule.
    template <class F>
    auto read(F fn) -> net::awaitable<std::invoke_result_t<F&, SQLite::Database&>> {
        static_assert(std::is_trivially_destructible_v<F>, "capture by reference, see above");
        using result_t = std::invoke_result_t<F&, SQLite::Database&>;
        if (on_reader_thread()) {
            auto lease = readers_.acquire();  // free: a reader thread holds a lease only while it runs fn
            co_return fn(lease.db());
        }
        auto work = [this, &fn]() -> net::awaitable<result_t> {
            auto lease = readers_.acquire();
            co_return fn(lease.db());
        };
        auto operation = net::co_spawn(reader_strand(), counted(work()), net::use_awaitable);
        co_return co_await std::move(operation);
    }

    // Runs CPU-heavy work (password hashing) off the io threads.
    template <class F>
    auto compute(F fn) -> net::awaitable<std::invoke_result_t<F&>> {
        static_assert(std::is_trivially_destructible_v<F>, "capture by reference, see above");
        using result_t = std::invoke_result_t<F&>;
        if (on_reader_thread()) co_return fn();
        auto work = [&fn]() -> net::awaitable<result_t> { co_return fn(); };
        auto operation = net::co_spawn(reader_strand(), counted(work()), net::use_awaitable);
        co_return co_await std::move(operation);
    }

    // Submits fn(db) to the writer; resumes once it is committed to disk. Throws write_queue_full when the
    // writer is saturated (answered as 503).
    template <class F>
    auto write(F fn) -> net::awaitable<std::invoke_result_t<F&, SQLite::Database&>> {
        static_assert(std::is_trivially_destructible_v<F>, "capture by reference, see above");
        using result_t = std::invoke_result_t<F&, SQLite::Database&>;
        using stored_t = std::conditional_t<std::is_void_v<result_t>, bool, result_t>;
        std::optional<stored_t> result;
        auto initiation = [this, &result, &fn](auto handler) {
            auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
            auto complete = [shared_handler](std::exception_ptr error) {
                auto ex = net::get_associated_executor(*shared_handler);
                net::post(ex, [shared_handler, error]() mutable { (*shared_handler)(error); });
            };
            try {
                writer_.submit({[&result, &fn](SQLite::Database& db) {
                                    if constexpr (std::is_void_v<result_t>) {
                                        fn(db);
                                        result.emplace(true);
                                    } else {
                                        result.emplace(fn(db));
                                    }
                                },
                                complete});
            } catch (...) {
                complete(std::current_exception());  // queue full or writer stopped
            }
        };
        auto token = net::use_awaitable;
        co_await net::async_initiate<decltype(token), void(std::exception_ptr)>(std::move(initiation), token);
        if constexpr (!std::is_void_v<result_t>) co_return std::move(*result);
    }

    write_queue& writer() { return writer_; }
    reader_pool& readers() { return readers_; }
    // Handlers and reads posted to the reader threads that have not started yet (/metrics).
    std::size_t waiting_for_reader() const { return waiting_.load(std::memory_order_relaxed); }

private:
    // Counts `work` as waiting from now until a reader thread starts it (an awaitable starts only when resumed).
    template <class T>
    net::awaitable<T> counted(net::awaitable<T> work) {
        waiting_.fetch_add(1, std::memory_order_relaxed);
        return started(std::move(work));
    }
    template <class T>
    net::awaitable<T> started(net::awaitable<T> work) {
        waiting_.fetch_sub(1, std::memory_order_relaxed);
        co_return co_await std::move(work);
    }

    net::strand<net::thread_pool::executor_type> reader_strand() {
        return net::make_strand(reader_threads_->get_executor());
    }
    bool on_reader_thread() { return reader_threads_->get_executor().running_in_this_thread(); }

    write_queue writer_;
    reader_pool readers_;
    std::unique_ptr<net::thread_pool> own_threads_;  // last: joined (destroyed) before the connections close
    net::thread_pool* reader_threads_;
    std::atomic<std::size_t> waiting_{0};
};

} // namespace campusdesk
