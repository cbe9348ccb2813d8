#include "storage/reader_pool.hpp"

#include "storage/database.hpp"

#include <algorithm>

namespace campusdesk {

reader_pool::reader_pool(const std::filesystem::path& file, std::size_t size, std::size_t opened_now)
    : file_(file), size_(std::max<std::size_t>(size, 1)) {
    for (std::size_t i = 0; i < std::clamp<std::size_t>(opened_now, 1, size_); ++i) open_one();
}

// Called with mutex_ held (or before the pool is shared): opening takes a millisecond, and only the first few
// requests of a quiet tenant ever wait for it.
void reader_pool::open_one() {
    free_.push_back(std::make_unique<SQLite::Database>(open_reader_database(file_)));
    reuse_.push_back(std::make_unique<statement_reuse>(*free_.back()));
}

reader_pool::lease reader_pool::acquire() {
    std::unique_lock lock(mutex_);
    if (free_.empty() && reuse_.size() < size_) open_one();
    available_.wait(lock, [this] { return !free_.empty(); });
    auto db = std::move(free_.back());
    free_.pop_back();
    return lease(*this, std::move(db));
}

void reader_pool::give_back(std::unique_ptr<SQLite::Database> db) {
    {
        std::lock_guard lock(mutex_);
        free_.push_back(std::move(db));
    }
    available_.notify_one();
}

} // namespace campusdesk
