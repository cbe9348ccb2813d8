#include "storage/write_queue.hpp"

#include "storage/database.hpp"
#include "storage/ticket_repository.hpp"

#include <sqlite3.h>

namespace campusdesk {

namespace {
constexpr std::size_t max_batch = 512;
}

write_queue::write_queue(const std::filesystem::path& file, std::size_t max_waiting)
    : db_(open_writer_database(file)), max_waiting_(max_waiting), thread_([this] { run_loop(); }) {}

write_queue::~write_queue() { stop(); }

void write_queue::submit(command c) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) throw std::runtime_error("writer stopped");
        if (waiting_.size() >= max_waiting_) throw write_queue_full();
        waiting_.push_back(std::move(c));
    }
    wake_.notify_one();
}

void write_queue::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

std::size_t write_queue::waiting() const {
    std::lock_guard lock(mutex_);
    return waiting_.size();
}

void write_queue::run_loop() {
    std::deque<command> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
            if (waiting_.empty()) return;  // stopping, and everything has been committed
            while (!waiting_.empty() && batch.size() < max_batch) {
                batch.push_back(std::move(waiting_.front()));
                waiting_.pop_front();
            }
        }
        commit_batch(batch);
        batch.clear();
    }
}

void write_queue::commit_batch(std::deque<command>& batch) {
    std::vector<std::exception_ptr> errors(batch.size());
    std::exception_ptr batch_error;
    try {
        db_.exec("BEGIN IMMEDIATE");
        // FTS5 writes the terms it holds as a new index segment at every savepoint, so inserting each command's
        // search rows in its own savepoint wrote (and later merged) a segment per create: a fifth more CPU per
        // create in a batch (docs/lists.md "What search costs the writes"). The commands keep their new rows in
        // `search` instead, and they go into the index together after the last savepoint: one segment a batch.
        search_index_batch search(db_);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            // A failing command rolls back only itself (its search rows too); its neighbours still commit.
            const auto before = search.position();
            db_.exec("SAVEPOINT command");
            try {
                batch[i].work(db_);
                db_.exec("RELEASE command");
            } catch (...) {
                errors[i] = std::current_exception();
                db_.exec("ROLLBACK TO command");
                db_.exec("RELEASE command");
                search.roll_back_to(before);
            }
        }
        search.write();
        db_.exec("COMMIT");
        ++batches_;
    } catch (...) {
        // The transaction itself failed (disk full, I/O error): nothing of the batch is on disk.
        batch_error = std::current_exception();
        if (!db_.getHandle() || sqlite3_get_autocommit(db_.getHandle()) == 0) db_.tryExec("ROLLBACK");
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto error = batch_error ? batch_error : errors[i];
        if (batch[i].done) batch[i].done(error);
    }
}

} // namespace campusdesk
