#include "storage/phone_intake_repository.hpp"

#include "storage/ticket_repository.hpp"

#include <SQLiteCpp/Statement.h>

namespace campusdesk {

void insert_phone_intake(SQLite::Database& db, const phone_intake& intake) {
    unindex_ticket_search(db, intake.ticket_id);  // a caller without an account is searched for by name
    SQLite::Statement s(db, "INSERT INTO phone_intakes (ticket_id, taken_by, caller_name, caller_phone) VALUES (?,?,?,?)");
    s.bind(1, intake.ticket_id);
    s.bind(2, intake.taken_by);
    s.bind(3, intake.caller_name);
    s.bind(4, intake.caller_phone);
    s.exec();
    reindex_ticket_search(db, intake.ticket_id);
}

std::optional<phone_intake> find_phone_intake(SQLite::Database& db, std::int64_t ticket_id) {
    SQLite::Statement s(db, "SELECT taken_by, caller_name, caller_phone FROM phone_intakes WHERE ticket_id = ?");
    s.bind(1, ticket_id);
    if (!s.executeStep()) return std::nullopt;
    return phone_intake{ticket_id, s.getColumn(0).getInt64(), s.getColumn(1).getString(), s.getColumn(2).getString()};
}

} // namespace campusdesk
