#include "storage/sso_repository.hpp"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

namespace campusdesk {
namespace {

void add_identity(SQLite::Database& db, const sso_login& login, std::int64_t user_id, time_ms now) {
    SQLite::Statement s(db, "INSERT INTO external_identities (provider, subject, user_id, created_at, last_login_at) "
                            "VALUES (?, ?, ?, ?, ?)");
    s.bind(1, login.provider);
    s.bind(2, login.subject);
    s.bind(3, user_id);
    s.bind(4, now);
    s.bind(5, now);
    s.exec();
}

// The account as the provider describes it now. The e-mail of a campus manager stays the managers row's (as
// insert_user does), since managers.csv is where the city keeps it.
void update_account(SQLite::Database& db, const user& before, const sso_login& login, time_ms now) {
    const auto& id = login.identity;
    SQLite::Statement s(db, "UPDATE users SET name = ?, role = ?, school_number = ?, manager_id = ?, "
                            "email = COALESCE((SELECT email FROM managers WHERE id = ?4), ?5) WHERE id = ?6");
    s.bind(1, id.name);
    s.bind(2, std::string(to_string(id.who)));
    if (id.school_number.empty()) s.bind(3);
    else s.bind(3, id.school_number);
    if (login.manager_id == 0) s.bind(4);
    else s.bind(4, login.manager_id);
    s.bind(5, id.email);
    s.bind(6, before.id);
    s.exec();
    if (before.who != id.who || before.school_number != id.school_number || before.manager_id != login.manager_id)
        append_audit(db, now, 0, "sso_update", before.login,
                     fmt::format("{} {} -> {} {} ({})", to_string(before.who), before.school_number,
                                 to_string(id.who), id.school_number, login.provider));
}

} // namespace

std::string_view to_string(sso_refusal r) {
    switch (r) {
    case sso_refusal::disabled: return "disabled";
    case sso_refusal::login_taken: return "login_taken";
    }
    return "unknown";
}

std::variant<user, sso_refusal> provision_sso_user(SQLite::Database& db, const sso_login& login, time_ms now) {
    SQLite::Statement known(db, "SELECT user_id FROM external_identities WHERE provider = ? AND subject = ?");
    known.bind(1, login.provider);
    known.bind(2, login.subject);
    std::optional<user> account;
    if (known.executeStep()) {
        account = find_user(db, known.getColumn(0).getInt64());
        if (!account) throw std::runtime_error("external identity without its account");
        if (account->disabled) return sso_refusal::disabled;
        SQLite::Statement seen(db, "UPDATE external_identities SET last_login_at = ? WHERE provider = ? AND subject = ?");
        seen.bind(1, now);
        seen.bind(2, login.provider);
        seen.bind(3, login.subject);
        seen.exec();
    } else if (auto existing = find_user_by_login(db, login.identity.login)) {
        // Someone else's account, unless the config lets a provider take over local accounts that have no identity.
        SQLite::Statement linked(db, "SELECT 1 FROM external_identities WHERE user_id = ?");
        linked.bind(1, existing->id);
        if (!login.link_existing_accounts || linked.executeStep()) return sso_refusal::login_taken;
        if (existing->disabled) return sso_refusal::disabled;
        add_identity(db, login, existing->id, now);
        append_audit(db, now, 0, "sso_link", existing->login, login.provider);
        account = std::move(existing);
    } else {
        user fresh;
        fresh.login = login.identity.login;
        fresh.name = login.identity.name;
        fresh.who = login.identity.who;
        fresh.school_number = login.identity.school_number;
        fresh.manager_id = login.manager_id;
        const auto id = insert_user(db, fresh, now, login.identity.email);
        add_identity(db, login, id, now);
        append_audit(db, now, 0, "sso_provision", fresh.login, fmt::format("{} ({})", to_string(fresh.who), login.provider));
        return *find_user(db, id);
    }
    update_account(db, *account, login, now);
    return *find_user(db, account->id);
}

void insert_sso_session(SQLite::Database& db, const std::string& token_hash, std::string_view provider,
                        std::string_view id_token) {
    SQLite::Statement s(db, "INSERT INTO sso_sessions (token_hash, provider, id_token) VALUES (?, ?, ?)");
    s.bind(1, token_hash);
    s.bind(2, std::string(provider));
    s.bind(3, std::string(id_token));
    s.exec();
}

std::optional<sso_session> find_sso_session(SQLite::Database& db, const std::string& token_hash) {
    SQLite::Statement s(db, "SELECT provider, id_token FROM sso_sessions WHERE token_hash = ?");
    s.bind(1, token_hash);
    if (!s.executeStep()) return std::nullopt;
    return sso_session{s.getColumn(0).getString(), s.getColumn(1).getString()};
}

std::vector<external_identity> external_identities_of(SQLite::Database& db, std::int64_t user_id) {
    SQLite::Statement s(db, "SELECT provider, subject, created_at, last_login_at FROM external_identities "
                            "WHERE user_id = ? ORDER BY provider, subject");
    s.bind(1, user_id);
    std::vector<external_identity> out;
    while (s.executeStep())
        out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getInt64(),
                       s.getColumn(3).getInt64()});
    return out;
}

} // namespace campusdesk
