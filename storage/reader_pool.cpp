#include "storage/reader_pool.hpp"

#include "storage/database.hpp"

namespace campusdesk {

reader_pool::reader_pool(const std::filesystem::path& file, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
        free_.push_back(std::make_unique<SQLite::Database>(open_reader_database(file)));
        reuse_.push_back(std::make_unique<statement_reuse>(*free_.back()));
    }
}

reader_pool::lease reader_pool::acquire() {
    std::unique_lock lock(mutex_);
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
