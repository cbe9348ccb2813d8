// One read transaction over several statements, so that they all see the same committed state (a change counter
// and the rows it stands for). Inside a transaction already, it joins that one.
#pragma once

#include <SQLiteCpp/Database.h>

namespace campusdesk {

class read_snapshot {
public:
    explicit read_snapshot(SQLite::Database& db);
    ~read_snapshot();
    read_snapshot(const read_snapshot&) = delete;
    read_snapshot& operator=(const read_snapshot&) = delete;

private:
    SQLite::Database& db_;
    bool own_;
};

} // namespace campusdesk
