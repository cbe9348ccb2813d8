// Single sign-on's rows (issue 19): people's identities at OpenID providers and the ID tokens of sessions made
// through one. Just-in-time provisioning runs here, in one writer transaction.
#pragma once

#include "core/sso.hpp"
#include "storage/user_repository.hpp"

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <variant>

namespace campusdesk {

struct sso_login {
    std::string provider;  // the config's provider id
    std::string subject;   // the ID token's sub
    sso_identity identity;
    std::int64_t manager_id = 0;  // campus managers: their managers row
    bool link_existing_accounts = false;
};

// Why an authenticated, mapped person still gets no session.
enum class sso_refusal {
    disabled,     // the account was disabled in campusdesk
    login_taken,  // another account (local, or of another identity) has the login
};
std::string_view to_string(sso_refusal r);

// The account of (provider, subject): found and brought up to date with the claims (name, e-mail, role, school;
// the login stays the one of the first login), or created. Changes of role or school are written to the audit log.
std::variant<user, sso_refusal> provision_sso_user(SQLite::Database& db, const sso_login& login, time_ms now);

// The provider and ID token of a session made through single sign-on (RP-initiated logout); ends with the session.
void insert_sso_session(SQLite::Database& db, const std::string& token_hash, std::string_view provider,
                        std::string_view id_token);
struct sso_session {
    std::string provider;
    std::string id_token;
};
std::optional<sso_session> find_sso_session(SQLite::Database& db, const std::string& token_hash);

struct external_identity {
    std::string provider, subject;
    time_ms created_at = 0, last_login_at = 0;
};
// A person's identities (personal data export).
std::vector<external_identity> external_identities_of(SQLite::Database& db, std::int64_t user_id);

} // namespace campusdesk
