// A small pool of read-only SQLite connections, used from the reader threads so that reads never wait on writes.
#pragma once

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace campusdesk {

class reader_pool {
public:
    // At most `size` connections, `opened_now` of them at once (at least one: it proves the file opens), the rest
    // when all open ones are lent out.
    reader_pool(const std::filesystem::path& file, std::size_t size, std::size_t opened_now);

    // A connection lent out until the lease goes out of scope.
    class lease {
    public:
        lease(reader_pool& pool, std::unique_ptr<SQLite::Database> db) : pool_(&pool), db_(std::move(db)) {}
        lease(lease&&) = default;
        ~lease() { if (db_) pool_->give_back(std::move(db_)); }
        SQLite::Database& db() { return *db_; }

    private:
        reader_pool* pool_;
        std::unique_ptr<SQLite::Database> db_;
    };

    lease acquire();

private:
    void give_back(std::unique_ptr<SQLite::Database> db);
    void open_one();

    std::filesystem::path file_;
    std::size_t size_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<SQLite::Database>> free_;
    std::vector<std::unique_ptr<statement_reuse>> reuse_;  // after free_: finalized before the connections close
};

} // namespace campusdesk
