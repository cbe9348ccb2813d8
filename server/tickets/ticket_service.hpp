// The ticket operations that pages and the JSON API share: they translate a user's request into core rules
// and storage calls, and report refusals as request_error.
#pragma once

#include "core/notifications.hpp"
#include "core/ticket_actions.hpp"
#include "server/app.hpp"
#include "storage/attachment_repository.hpp"
#include "storage/phone_intake_repository.hpp"

#include <functional>

#include <map>
#include <optional>
#include <variant>

namespace campusdesk {

// A refusal: the HTTP status, a machine code, a (German) message and the field it concerns.
struct request_error {
    http::status status = http::status::bad_request;
    std::string code;
    std::string message;
    std::string field;
    std::vector<field_error> fields;  // every invalid field, for forms
};

template <class T>
using outcome = std::variant<T, request_error>;

request_error not_found_error();
// A refusal of the rules as an HTTP answer: forbidden 403, conflict 409, invalid 422.
request_error to_request_error(const action_error& e);

// A ticket with its history and the names of everyone who appears in it.
struct ticket_details {
    ticket t;
    std::vector<ticket_event> events;
    std::map<std::int64_t, std::string> user_names;
    std::vector<attachment_record> attachments;
    std::optional<phone_intake> intake;  // a ticket the help desk took on the phone
};

// Why a ticket drafted by `filer` cannot be filed (422 with every invalid field), or nothing; fills in a
// teacher's own school. create_ticket checks the same; callers with files check first and store them after.
std::optional<request_error> check_new_ticket(const app& a, const user& filer, ticket_draft& draft);

// A ticket the help desk takes on the phone (issue 16): for a teacher's account of the ticket's school (the
// teacher is its requester and finds it in "Meine Tickets"), or for a caller without one (name and number; the
// help-desk member is the requester). Who took the call is recorded with the ticket and in the audit log.
struct phone_call {
    std::int64_t requester_id = 0;  // the teacher; 0: a caller without an account
    std::string caller_name;
    std::string caller_phone;
};

// Why `filer` may not file `call` for `draft`'s school: 403 for anyone but the help desk (dispatchers and admins),
// 422 naming the field (`requester`, `caller_name`, `caller_phone`) for an unknown, disabled or other school's
// teacher or a bad name or number. Nothing if it may.
net::awaitable<std::optional<request_error>> check_phone_call(app& a, const user& filer, const ticket_draft& draft,
                                                              const phone_call& call);

// Files a ticket; `files` (already stored as blobs) are attached in the same transaction; with `call`, on the
// phone for someone else (check_phone_call).
net::awaitable<outcome<ticket>> create_ticket(app& a, const user& filer, ticket_draft draft,
                                              std::vector<attachment_record> files = {},
                                              std::optional<phone_call> call = std::nullopt);

// Why `who` may not attach files to the ticket (404 absent or invisible, 409 closed), or nothing: checked
// before the files are stored, and again by attach_files.
net::awaitable<std::optional<request_error>> check_attach(app& a, const user& who, const std::string& number);

// Attaches stored blobs to a ticket the user may see (and that is not closed).
net::awaitable<outcome<ticket>> attach_files(app& a, const user& who, std::string number,
                                             std::vector<attachment_record> files);

// The ticket if `who` may see it; nullopt for absent and invisible alike (both answer 404).
net::awaitable<std::optional<ticket_details>> find_visible_ticket(app& a, const user& who, std::string number);

struct ticket_list {
    ticket_page page;
    viewer who;  // as the visibility rules saw the user, including whom a campus manager covers for
    std::optional<ticket_count> count;  // with_count: how many the whole list has (bounded, count_tickets)
};
// The API lists without a count (shared/API.md has none, and it costs a second query); pages ask for it.
net::awaitable<ticket_list> list_visible_tickets(app& a, const user& who, ticket_query query, bool with_count = false);

// The rules' view of an action by `v` on `t` at `now`, with the configured reopen window and text limit.
action_context action_context_for(const app& a, const viewer& v, const ticket& t,
                                  std::span<const ticket_event> history, time_ms now);

// Checks and records one action on a ticket inside one write transaction: the ticket is read, its visibility
// and the action's rules are checked against the current state, and the planned events are appended.
using action_planner = std::function<action_outcome(const action_context&)>;
net::awaitable<outcome<ticket>> perform_action(app& a, const user& who, std::string number, action_planner plan);
// The same inside a write transaction the caller holds, for actions that change several tickets at once (a merge,
// a known problem): `v` is who acts as the rules see them, `actor` who is not told by mail; `mails` grows by the
// notifications queued. Nothing is written when it is refused.
outcome<ticket> apply_action(app& a, SQLite::Database& db, const viewer& v, const notice_actor& actor,
                             const std::string& number, const action_planner& plan, time_ms now, std::size_t& mails);

// Closes at most `at_most` resolved tickets whose reopen window has passed (a system `closed` event). Returns
// how many; `queued` grows by the notifications queued with them.
std::size_t close_expired_resolutions(app& a, SQLite::Database& db, time_ms now, std::size_t at_most,
                                      std::size_t& queued);

// Runs close_expired_resolutions now and then every `period` until `timer` is cancelled (server shutdown).
net::awaitable<void> close_expired_resolutions_periodically(app& a, net::steady_timer& timer,
                                                            std::chrono::milliseconds period);

// The user as the visibility rules see them at `now`, including whom a campus manager is covering for.
viewer current_viewer(const app& a, SQLite::Database& db, const user& u, time_ms now);

} // namespace campusdesk
