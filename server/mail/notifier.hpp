// Queues notifications in the transaction of the events that cause them (issue 17): no event without its mail, no
// mail without its event. Runs on the writer thread and stays cheap there: it stores intents (kind, ticket,
// event, recipient) and renders nothing; the sender renders when it sends.
#pragma once

#include "core/app_config.hpp"
#include "core/business_calendar.hpp"
#include "core/notifications.hpp"

#include <SQLiteCpp/Database.h>

#include <span>

namespace campusdesk {

// Queues each notice for the accounts it reaches that have an address and have not switched its kind off (a
// manager with a digest: held for it). Returns how many mails were queued; nothing when mail is disabled.
std::size_t queue_notices(const mail_config& mail, SQLite::Database& db, std::span<const notice> notices,
                          std::int64_t ticket_id, time_ms now);

// The notices of the events one action appended to `t` (core's notices_for_events), queued.
std::size_t notify_events(const mail_config& mail, SQLite::Database& db, const ticket& t,
                          std::span<const ticket_event> events, const notice_actor& actor,
                          std::span<const absence> absences, time_ms now);

// The time-driven notices (SLA warnings and breaches, tickets nobody opened, possible outages) of tickets that
// crossed their threshold since the last run, each queued once per ticket; at most `at_most` tickets per kind and
// call. The first run after mail is switched on only notes what is already past (no flood of old news). Also
// queues the daily digests once the configured hour has come. Returns how many mails were queued.
std::size_t queue_time_notices(const mail_config& mail, const business_calendar& calendar, SQLite::Database& db,
                               time_ms now, int at_most);

} // namespace campusdesk
