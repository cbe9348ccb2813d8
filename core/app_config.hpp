// The configuration: campusdesk.toml plus the schools, managers and holidays files it names, parsed and checked.
// Pure: takes the files' texts; reading them from disk is server/config_loader's job.
#pragma once

#include "core/business_calendar_config.hpp"
#include "core/devices.hpp"
#include "core/login_throttle.hpp"
#include "core/session_policy.hpp"
#include "core/sla_policy.hpp"
#include "core/sso.hpp"

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace campusdesk {

struct school {
    std::string number, name, kind, district, address, manager_login;
};

struct manager_entry {
    std::string login, name, email, phone;
};

// A second-level partner a ticket can be escalated to.
struct partner {
    std::string id, name;
    // The vendor or dealer who repairs devices under warranty: escalating a ticket about a device in warranty
    // suggests it (issue 18).
    bool warranty = false;
};

struct category {
    std::string id, label;
};

struct limits_config {
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_upload_bytes = 10 * 1024 * 1024;
    std::size_t max_files_per_upload = 5;
    std::size_t title_max = 200;
    std::size_t description_max = 10000;
    std::size_t room_max = 40;
    std::size_t asset_tag_max = 40;
    std::size_t reply_max = 10000;
    std::size_t write_queue_max = 10000;
    // Denial of service (ASVS 5.0 V13/V15): what a request without a session may send, how slowly a body may
    // arrive, and how many live-update streams may stay open and for how long.
    std::size_t max_unauthenticated_body_bytes = 8 * 1024;
    std::size_t min_body_bytes_per_second = 4 * 1024;
    std::size_t live_streams_per_session = 6;
    std::size_t live_streams_total = 256;
    std::size_t live_stream_seconds = 300;
};

// Who may read the operations endpoints.
struct security_config {
    std::string metrics_token;  // empty: /metrics only on direct loopback connections
};

// [mail] (issue 17): notifications out over SMTP, mail to tickets in over IMAP, both through libcurl.
struct smtp_config {
    std::string url;  // "smtp://host:587" (STARTTLS per `tls`) or "smtps://host:465" (TLS from the start)
    std::string tls = "required";  // STARTTLS on smtp://: "required", "opportunistic" or "off" (loopback tests)
    std::string user, password;    // AUTH; both empty: no AUTH
    int timeout_seconds = 30;
};

struct imap_config {
    std::string url;  // "imaps://host/INBOX" or "imap://host:143/INBOX"; empty: no incoming mail
    std::string tls = "required";  // as smtp_config::tls, for imap://
    std::string user, password;
    std::string mode = "poll";      // "poll" or "idle"
    int poll_seconds = 60;          // poll interval; with idle, the longest wait before a new IDLE
    std::string done_mailbox = "campusdesk-verarbeitet";  // taken mails are moved here (created if missing)
    std::string default_category = "other";               // tickets opened by mail
    std::string unknown_senders = "triage";               // "triage", or "answer" (one polite reply per day)
};

struct mail_retry_policy {
    int max_attempts = 12;
    int first_delay_seconds = 60;  // doubled after each failure, up to max_delay_seconds
    int max_delay_seconds = 3600;
};

struct mail_config {
    bool enabled = false;  // off: nothing is queued, sent or fetched
    // The sender of notifications, e.g. "IT-Schulcampus Dortmund <helpdesk@schulen.example.de>".
    std::string from;
    // Reply address with "{token}" once, e.g. "helpdesk+{token}@schulen.example.de" (sub-addressing) or
    // "{token}@antwort.schulen.example.de" (a catch-all domain): the token names the ticket and the person.
    std::string reply_address;
    smtp_config smtp;
    imap_config imap;
    mail_retry_policy retry;
    // The help desk hears of a new ticket nobody has opened after this many minutes.
    int unseen_minutes = 30;
    // Managers who chose a daily digest get it at this local hour (0-23) instead of single mails.
    int digest_hour = 7;
};

// The defaults of [schools] kinds and districts: NRW's kinds of school, Dortmund's 12 Stadtbezirke.
inline constexpr std::string_view default_school_kinds[] = {"Grundschule", "Hauptschule",  "Realschule",  "Gesamtschule",
                                                            "Gymnasium",   "Förderschule", "Berufskolleg"};
// Dortmund's 12 Stadtbezirke; "neighbouring schools" are found through them.
inline constexpr std::string_view dortmund_districts[] = {
    "Innenstadt-West", "Innenstadt-Nord", "Innenstadt-Ost", "Eving",          "Scharnhorst", "Brackel",
    "Aplerbeck",       "Hörde",           "Hombruch",       "Lütgendortmund", "Huckarde",    "Mengede"};
// A plausible e-mail address (one '@', a dotted domain, no blanks, commas or angle brackets): for managers.csv,
// people's addresses and the reply address.
bool is_email(std::string_view text);

// [retention] (issue 20, docs/datenschutz.md): how long personal data is kept; 0 days: for ever. Applied by a
// daily job at `hour` (local) and by `campusdesk retention apply`.
struct retention_config {
    int anonymise_closed_after_days = 1095;  // requester and free texts of closed tickets; their figures stay
    int attachments_after_days = 365;        // files of closed tickets
    int audit_log_days = 730;                // the audit and security log
    int mail_days = 90;                      // notifications delivered or given up, incoming mail settled
    int hour = 3;
};

// The header a trusted proxy names the client in: X-Forwarded-For, or Forwarded (RFC 7239).
enum class forwarded_header { x_forwarded_for, forwarded };

// Default-constructed: the built-in defaults with the API's nine categories and no schools, managers or partners.
struct app_config {
    std::string listen = "127.0.0.1:8080";
    std::string data_dir = "data";
    int threads = 0;  // 0: one per hardware thread
    // Where people reach campusdesk, e.g. "https://helpdesk.schulen.example.de"; with https the session cookie
    // is `__Host-` prefixed and Secure, and answers carry HSTS. Empty: plain HTTP on a trusted network.
    std::string public_url;
    // Reverse proxies whose forwarding header names the client (the login throttle, the security log), and which
    // header they write (server/http/client_address.hpp).
    std::vector<std::string> trusted_proxies;
    forwarded_header forwarded = forwarded_header::x_forwarded_for;
    session_policy sessions;
    login_throttle_policy login;
    limits_config limits;
    security_config security;
    mail_config mail;
    retention_config retention;
    oidc_config oidc;  // [oidc]: single sign-on (issue 19, docs/sso.md)
    sla_policy sla;
    business_calendar_config calendar = business_calendar_config::defaults();
    std::vector<category> categories = default_categories();
    std::vector<partner> partners;
    devices_config devices;
    int reopen_window_days = 14;
    bool teachers_see_school_tickets = false;
    // What schools.csv may name as a school's kind and district ([schools] kinds, districts). Districts group
    // neighbouring schools (the help desk suggests a stand-in from the same district): Dortmund's Stadtbezirke
    // by default, the municipalities of a Landkreis elsewhere.
    std::vector<std::string> school_kinds{std::begin(default_school_kinds), std::end(default_school_kinds)};
    std::vector<std::string> districts{std::begin(dortmund_districts), std::end(dortmund_districts)};
    std::vector<school> schools;          // sorted by number
    std::vector<manager_entry> managers;  // in file order

    const school* find_school(std::string_view number) const;
    const manager_entry* find_manager(std::string_view login) const;
    bool has_category(std::string_view id) const;
    const partner* find_partner(std::string_view id) const;
    // The first partner marked `warranty = true`, if any.
    const partner* warranty_partner() const;
    bool served_over_https() const { return public_url.starts_with("https://"); }

    // API.md's categories with German labels.
    static std::vector<category> default_categories();
};

inline constexpr std::size_t max_schools_per_manager = 17;

// One problem in one file. Line 0: the file as a whole (e.g. it cannot be read).
struct config_error {
    std::string file;
    int line = 0;
    std::string field;  // e.g. "sla.targets.high.resolution", "campus_manager"; "-" when printed empty
    std::string message;
};
// "file:line: field: message"
std::string format_config_error(const config_error& e);

// Either the value or every error found, not just the first.
template <class T>
using config_result = std::variant<T, std::vector<config_error>>;

// The other files as written in campusdesk.toml's [files]: relative to its directory, or absolute.
struct config_file_names {
    std::string schools = "schools.csv";
    std::string managers = "managers.csv";
    std::string holidays;  // empty: no holidays file
};

// Every file's path (used in error messages only) and text.
struct config_texts {
    std::string toml_path;
    std::string toml;
    std::string schools_path;
    std::string schools_csv;
    std::string managers_path;
    std::string managers_csv;
    std::string holidays_path;  // empty: no holidays file
    std::string holidays_toml;
};

// Phase 1: campusdesk.toml's [files] only, to learn which files to read. Errors: TOML syntax, a bad [files].
config_result<config_file_names> parse_config_file_names(std::string_view toml_text, const std::string& toml_path);

// Phase 2: all files, each value and the references between files checked.
config_result<app_config> parse_config(const config_texts& texts);

// RFC 4180: quoted fields, doubled quotes, CRLF or LF, a leading UTF-8 BOM ignored, blank lines skipped. Each row
// carries the line it starts on.
struct csv_row {
    int line = 0;
    std::vector<std::string> fields;
};
// `separator`: ',' for the config's files; device exports may use ';' (core/devices.hpp).
std::variant<std::vector<csv_row>, config_error> parse_csv(std::string_view text, const std::string& path,
                                                           char separator = ',');

} // namespace campusdesk
