#include "core/app_config.hpp"

#include "core/business_calendar.hpp"
#include "core/german_holidays.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <optional>
#include <set>

namespace campusdesk {

std::string format_config_error(const config_error& e) {
    return fmt::format("{}:{}: {}: {}", e.file, e.line, e.field.empty() ? "-" : e.field, e.message);
}

const school* app_config::find_school(std::string_view number) const {
    auto it = std::lower_bound(schools.begin(), schools.end(), number,
                               [](const school& s, std::string_view n) { return s.number < n; });
    return it != schools.end() && it->number == number ? &*it : nullptr;
}

const manager_entry* app_config::find_manager(std::string_view login) const {
    auto it = std::find_if(managers.begin(), managers.end(), [&](const manager_entry& m) { return m.login == login; });
    return it != managers.end() ? &*it : nullptr;
}

bool app_config::has_category(std::string_view id) const {
    return std::any_of(categories.begin(), categories.end(), [&](const category& c) { return c.id == id; });
}

const partner* app_config::warranty_partner() const {
    auto it = std::find_if(partners.begin(), partners.end(), [](const partner& p) { return p.warranty; });
    return it != partners.end() ? &*it : nullptr;
}

const partner* app_config::find_partner(std::string_view id) const {
    auto it = std::find_if(partners.begin(), partners.end(), [&](const partner& p) { return p.id == id; });
    return it != partners.end() ? &*it : nullptr;
}

std::vector<category> app_config::default_categories() {
    return {{"ipad", "iPad"},
            {"notebook", "Notebook"},
            {"pc", "PC / Computerraum"},
            {"presentation", "Präsentation (Tafel, Beamer, Display)"},
            {"network", "Netzwerk (WLAN, LAN, Internet)"},
            {"printer", "Drucker / Kopierer"},
            {"software", "Software / Apps"},
            {"account", "Zugang / Konto (Anmeldung, Lernplattform)"},
            {"other", "Sonstiges"}};
}

bool is_email(std::string_view text) {
    const auto at = text.find('@');
    if (at == 0 || at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) return false;
    const auto domain = text.substr(at + 1);
    const auto dot = domain.rfind('.');
    return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
           text.find_first_of(" \t,;<>\"") == std::string_view::npos;
}

namespace {

// Collects the errors of one file, with the line of the TOML node they concern.
struct reporter {
    const std::string& file;
    std::vector<config_error>& errors;

    void add(int line, std::string field, std::string message) const {
        errors.push_back({file, line, std::move(field), std::move(message)});
    }
    void add(const toml::node& node, std::string field, std::string message) const {
        add(static_cast<int>(node.source().begin.line), std::move(field), std::move(message));
    }
};

// Only ASCII digits (no sign, no spaces) that fit an int.
std::optional<int> parse_digits(std::string_view text) {
    int value = 0;
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc{}) return std::nullopt;
    return value;
}

// "YYYY-MM-DD", a real calendar date.
std::optional<local_date> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    auto y = parse_digits(text.substr(0, 4)), m = parse_digits(text.substr(5, 2)), d = parse_digits(text.substr(8, 2));
    if (!y || !m || !d) return std::nullopt;
    const local_date result{*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d)};
    if (!date::year_month_day(date::year(result.year), date::month(result.month), date::day(result.day)).ok())
        return std::nullopt;
    return result;
}

// A date written as a string or as a TOML local date (2026-05-15 without quotes).
std::optional<local_date> date_of(const toml::node& node) {
    if (const auto* d = node.as_date()) {
        const auto v = d->get();
        const local_date result{v.year, v.month, v.day};
        if (!date::year_month_day(date::year(result.year), date::month(result.month), date::day(result.day)).ok())
            return std::nullopt;
        return result;
    }
    if (auto text = node.value<std::string>()) return parse_date(*text);
    return std::nullopt;
}

std::optional<int> parse_clock(std::string_view text) {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    auto h = parse_digits(text.substr(0, 2)), m = parse_digits(text.substr(3, 2));
    if (!h || !m || *m > 59 || *h * 60 + *m > 24 * 60) return std::nullopt;
    return *h * 60 + *m;
}

// "HH:MM-HH:MM" with the end after the begin; "24:00" is the end of the day.
std::optional<working_interval> parse_interval(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto begin = parse_clock(text.substr(0, dash)), end = parse_clock(text.substr(dash + 1));
    if (!begin || !end || *begin >= *end) return std::nullopt;
    return working_interval{*begin, *end};
}

// Ids appear in URLs, JSON and exports, so they stay plain.
bool is_plain_id(std::string_view id) {
    return !id.empty() && id.size() <= 40 && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
           });
}

bool is_blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

template <class List>
bool is_one_of(std::string_view value, const List& list) {
    return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

// A misspelt key would otherwise be ignored silently and its default used.
void check_keys(const toml::table& t, std::initializer_list<std::string_view> known, const std::string& prefix,
                const reporter& r) {
    for (const auto& [key, value] : t)
        if (std::find(known.begin(), known.end(), key.str()) == known.end())
            r.add(value, prefix + std::string(key.str()), "unknown key");
}

template <class T>
void read_positive(const toml::table& t, std::string_view key, T& out, const std::string& prefix, const reporter& r) {
    const auto* node = t.get(key);
    if (!node) return;
    auto v = node->value_exact<std::int64_t>();
    if (!v || *v <= 0 || static_cast<std::uint64_t>(*v) > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
        return r.add(*node, prefix + std::string(key), "must be a positive whole number");
    out = static_cast<T>(*v);
}

void read_string(const toml::table& t, std::string_view key, std::string& out, const std::string& prefix,
                 const reporter& r, bool required_non_empty = true) {
    const auto* node = t.get(key);
    if (!node) return;
    auto v = node->value_exact<std::string>();
    if (!v) return r.add(*node, prefix + std::string(key), "must be a string");
    if (required_non_empty && is_blank(*v)) return r.add(*node, prefix + std::string(key), "must not be empty");
    out = *v;
}

void read_bool(const toml::table& t, std::string_view key, bool& out, const std::string& prefix, const reporter& r) {
    const auto* node = t.get(key);
    if (!node) return;
    if (auto v = node->value_exact<bool>()) out = *v;
    else r.add(*node, prefix + std::string(key), "must be true or false");
}

void read_dates(const toml::node& node, const std::string& field, std::vector<local_date>& out, const reporter& r) {
    const auto* list = node.as_array();
    if (!list) return r.add(node, field, "must be a list of dates like [\"2026-05-15\"]");
    for (const auto& item : *list) {
        if (auto d = date_of(item)) out.push_back(*d);
        else r.add(item, field, "dates are written \"YYYY-MM-DD\"");
    }
}

// A section given as a table, or nullptr (absent, or reported as not a table).
const toml::table* section(const toml::table& root, std::string_view name, const reporter& r) {
    const auto* node = root.get(name);
    if (!node) return nullptr;
    if (!node->as_table()) r.add(*node, std::string(name), "must be a table");
    return node->as_table();
}

void parse_server(const toml::table& t, app_config& c, const reporter& r) {
    check_keys(t, {"listen", "data_dir", "threads", "public_url", "trusted_proxies", "forwarded_header"}, "server.", r);
    read_string(t, "listen", c.listen, "server.", r);
    if (const auto* node = t.get("listen"); node && node->is_string()) {
        // The port is checked here; the address when the server binds it.
        const auto colon = c.listen.rfind(':');
        const auto port = colon == std::string::npos ? std::nullopt : parse_digits(std::string_view(c.listen).substr(colon + 1));
        if (colon == 0 || !port || *port > 65535 || c.listen.size() - colon > 6)
            r.add(*node, "server.listen", "must be ADDRESS:PORT, e.g. \"127.0.0.1:8080\"");
    }
    read_string(t, "data_dir", c.data_dir, "server.", r);
    if (const auto* node = t.get("threads")) {
        auto v = node->value_exact<std::int64_t>();
        if (!v || *v < 0 || *v > 256) r.add(*node, "server.threads", "must be 0 (one per hardware thread) to 256");
        else c.threads = static_cast<int>(*v);
    }
    read_string(t, "public_url", c.public_url, "server.", r, false);
    if (const auto* node = t.get("public_url"); node && !c.public_url.empty() &&
                                                 !c.public_url.starts_with("https://") &&
                                                 !c.public_url.starts_with("http://"))
        r.add(*node, "server.public_url", "must start with https:// or http://");
    if (const auto* node = t.get("trusted_proxies")) {
        const auto* list = node->as_array();
        if (!list) return r.add(*node, "server.trusted_proxies", "must be a list of addresses like [\"127.0.0.1\"]");
        for (const auto& item : *list) {
            if (auto v = item.value_exact<std::string>()) c.trusted_proxies.push_back(*v);
            else r.add(item, "server.trusted_proxies", "must be a list of addresses like [\"127.0.0.1\"]");
        }
    }
    if (const auto* node = t.get("forwarded_header")) {
        const auto v = node->value_exact<std::string>();
        if (v == "X-Forwarded-For") c.forwarded = forwarded_header::x_forwarded_for;
        else if (v == "Forwarded") c.forwarded = forwarded_header::forwarded;
        else r.add(*node, "server.forwarded_header", "must be \"X-Forwarded-For\" or \"Forwarded\"");
    }
}

// Whole minutes, hours or days in config, as milliseconds.
void read_duration(const toml::table& t, std::string_view key, time_ms unit, time_ms& out, const std::string& prefix,
                   const reporter& r) {
    std::int64_t value = 0;
    read_positive(t, key, value, prefix, r);
    if (value > 0) out = value * unit;
}

void parse_sessions(const toml::table& t, session_policy& s, const reporter& r) {
    constexpr time_ms minute = 60 * 1000, hour = 60 * minute, day = 24 * hour;
    check_keys(t, {"teacher_idle_minutes", "teacher_lifetime_hours", "staff_idle_minutes", "staff_lifetime_hours",
                   "token_lifetime_days"}, "sessions.", r);
    read_duration(t, "teacher_idle_minutes", minute, s.teacher.idle, "sessions.", r);
    read_duration(t, "teacher_lifetime_hours", hour, s.teacher.lifetime, "sessions.", r);
    read_duration(t, "staff_idle_minutes", minute, s.staff.idle, "sessions.", r);
    read_duration(t, "staff_lifetime_hours", hour, s.staff.lifetime, "sessions.", r);
    read_duration(t, "token_lifetime_days", day, s.token_lifetime, "sessions.", r);
}

void parse_login(const toml::table& t, login_throttle_policy& l, const reporter& r) {
    check_keys(t, {"free_failures_per_login", "free_failures_per_address", "max_delay_seconds",
                   "failure_window_minutes"}, "login.", r);
    read_positive(t, "free_failures_per_login", l.free_failures_per_login, "login.", r);
    read_positive(t, "free_failures_per_address", l.free_failures_per_address, "login.", r);
    read_duration(t, "max_delay_seconds", 1000, l.max_delay, "login.", r);
    read_duration(t, "failure_window_minutes", 60 * 1000, l.window, "login.", r);
}

void parse_limits(const toml::table& t, limits_config& l, const reporter& r) {
    const std::pair<std::string_view, std::size_t*> fields[] = {
        {"max_body_bytes", &l.max_body_bytes}, {"max_upload_bytes", &l.max_upload_bytes},
        {"max_files_per_upload", &l.max_files_per_upload}, {"title_max", &l.title_max},
        {"description_max", &l.description_max}, {"room_max", &l.room_max}, {"asset_tag_max", &l.asset_tag_max},
        {"reply_max", &l.reply_max}, {"write_queue_max", &l.write_queue_max},
        {"max_unauthenticated_body_bytes", &l.max_unauthenticated_body_bytes},
        {"min_body_bytes_per_second", &l.min_body_bytes_per_second},
        {"live_streams_per_session", &l.live_streams_per_session}, {"live_streams_total", &l.live_streams_total},
        {"live_stream_seconds", &l.live_stream_seconds}};
    for (const auto& [key, target] : fields) read_positive(t, key, *target, "limits.", r);
    for (const auto& [key, value] : t)
        if (std::none_of(std::begin(fields), std::end(fields), [&](const auto& f) { return f.first == key.str(); }))
            r.add(value, fmt::format("limits.{}", key.str()), "unknown key");
}

void parse_security(const toml::table& t, security_config& s, const reporter& r) {
    check_keys(t, {"metrics_token"}, "security.", r);
    read_string(t, "metrics_token", s.metrics_token, "security.", r, false);
    // A guessable token would open /metrics to anyone who can reach the server.
    if (const auto* node = t.get("metrics_token"); node && !s.metrics_token.empty() && s.metrics_token.size() < 16)
        r.add(*node, "security.metrics_token", "must be empty or have at least 16 characters");
}

void read_choice(const toml::table& t, std::string_view key, std::string& out,
                 std::initializer_list<std::string_view> choices, const std::string& prefix, const reporter& r) {
    read_string(t, key, out, prefix, r);
    const auto* node = t.get(key);
    if (node && node->is_string() && std::find(choices.begin(), choices.end(), out) == choices.end())
        r.add(*node, prefix + std::string(key), fmt::format("must be one of {}", fmt::join(choices, ", ")));
}

void read_url(const toml::table& t, std::string_view key, std::string& out,
              std::initializer_list<std::string_view> schemes, const std::string& prefix, const reporter& r) {
    read_string(t, key, out, prefix, r, false);
    const auto* node = t.get(key);
    if (!node || !node->is_string() || out.empty()) return;
    if (std::none_of(schemes.begin(), schemes.end(), [&](std::string_view s) { return out.starts_with(s); }) ||
        out.find_first_of(" \t\r\n") != std::string::npos)
        r.add(*node, prefix + std::string(key), fmt::format("must start with {}", fmt::join(schemes, " or ")));
}

void parse_smtp(const toml::table& t, smtp_config& s, const reporter& r) {
    const std::string prefix = "mail.smtp.";
    check_keys(t, {"url", "tls", "user", "password", "timeout_seconds"}, prefix, r);
    read_url(t, "url", s.url, {"smtp://", "smtps://"}, prefix, r);
    read_choice(t, "tls", s.tls, {"required", "opportunistic", "off"}, prefix, r);
    read_string(t, "user", s.user, prefix, r, false);
    read_string(t, "password", s.password, prefix, r, false);
    read_positive(t, "timeout_seconds", s.timeout_seconds, prefix, r);
}

void parse_imap(const toml::table& t, imap_config& i, const app_config& c, const reporter& r) {
    const std::string prefix = "mail.imap.";
    check_keys(t, {"url", "tls", "user", "password", "mode", "poll_seconds", "done_mailbox", "default_category",
                   "unknown_senders"}, prefix, r);
    read_url(t, "url", i.url, {"imap://", "imaps://"}, prefix, r);
    read_choice(t, "tls", i.tls, {"required", "opportunistic", "off"}, prefix, r);
    read_string(t, "user", i.user, prefix, r, false);
    read_string(t, "password", i.password, prefix, r, false);
    read_choice(t, "mode", i.mode, {"poll", "idle"}, prefix, r);
    read_positive(t, "poll_seconds", i.poll_seconds, prefix, r);
    read_string(t, "done_mailbox", i.done_mailbox, prefix, r);
    // IMAP names beyond ASCII need modified UTF-7 (RFC 3501), which the fetcher does not write.
    if (const auto* node = t.get("done_mailbox");
        node && node->is_string() &&
        std::any_of(i.done_mailbox.begin(), i.done_mailbox.end(), [](char c) { return c < 0x20 || c > 0x7E; }))
        r.add(*node, prefix + "done_mailbox", "must be ASCII letters, digits and punctuation (no umlauts)");
    read_string(t, "default_category", i.default_category, prefix, r);
    // [tickets] is parsed before [mail], so the categories are known here.
    if (const auto* node = t.get("default_category"); node && node->is_string() && !c.has_category(i.default_category))
        r.add(*node, prefix + "default_category", fmt::format("unknown category \"{}\"", i.default_category));
    read_choice(t, "unknown_senders", i.unknown_senders, {"triage", "answer"}, prefix, r);
}

void parse_mail(const toml::table& t, app_config& c, const reporter& r) {
    auto& m = c.mail;
    check_keys(t, {"enabled", "from", "reply_address", "unseen_minutes", "digest_hour", "smtp", "imap", "retry"}, "mail.",
               r);
    read_bool(t, "enabled", m.enabled, "mail.", r);
    read_string(t, "from", m.from, "mail.", r, false);
    read_string(t, "reply_address", m.reply_address, "mail.", r, false);
    read_positive(t, "unseen_minutes", m.unseen_minutes, "mail.", r);
    if (const auto* node = t.get("digest_hour")) {
        const auto hour = node->value_exact<std::int64_t>();
        if (!hour || *hour < 0 || *hour > 23) r.add(*node, "mail.digest_hour", "must be an hour from 0 to 23");
        else m.digest_hour = static_cast<int>(*hour);
    }
    if (const auto* node = t.get("smtp")) {
        if (const auto* smtp = node->as_table()) parse_smtp(*smtp, m.smtp, r);
        else r.add(*node, "mail.smtp", "must be a table");
    }
    if (const auto* node = t.get("imap")) {
        if (const auto* imap = node->as_table()) parse_imap(*imap, m.imap, c, r);
        else r.add(*node, "mail.imap", "must be a table");
    }
    if (const auto* node = t.get("retry")) {
        if (const auto* retry = node->as_table()) {
            check_keys(*retry, {"max_attempts", "first_delay_seconds", "max_delay_seconds"}, "mail.retry.", r);
            read_positive(*retry, "max_attempts", m.retry.max_attempts, "mail.retry.", r);
            read_positive(*retry, "first_delay_seconds", m.retry.first_delay_seconds, "mail.retry.", r);
            read_positive(*retry, "max_delay_seconds", m.retry.max_delay_seconds, "mail.retry.", r);
        } else {
            r.add(*node, "mail.retry", "must be a table");
        }
    }
    if (!m.reply_address.empty()) {
        const auto token = m.reply_address.find("{token}");
        if (token == std::string::npos || m.reply_address.find("{token}", token + 1) != std::string::npos ||
            !is_email(std::string(m.reply_address).replace(token, 7, "t")))
            r.add(*t.get("reply_address"), "mail.reply_address",
                  "must be an e-mail address with \"{token}\" once, e.g. \"helpdesk+{token}@schulen.example.de\"");
    }
    // Enabled mail needs somewhere to send from and to.
    if (m.enabled) {
        if (is_blank(m.from)) r.add(t.source().begin.line, "mail.from", "required when mail is enabled");
        if (m.smtp.url.empty()) r.add(t.source().begin.line, "mail.smtp.url", "required when mail is enabled");
        if (m.reply_address.empty())
            r.add(t.source().begin.line, "mail.reply_address", "required when mail is enabled");
    }
}

void parse_retention(const toml::table& t, retention_config& k, const reporter& r) {
    const std::string prefix = "retention.";
    check_keys(t, {"anonymise_closed_after_days", "attachments_after_days", "audit_log_days", "mail_days", "hour"},
               prefix, r);
    for (auto [key, field] : {std::pair{"anonymise_closed_after_days", &k.anonymise_closed_after_days},
                              std::pair{"attachments_after_days", &k.attachments_after_days},
                              std::pair{"audit_log_days", &k.audit_log_days}, std::pair{"mail_days", &k.mail_days}}) {
        const auto* node = t.get(key);
        if (!node) continue;
        const auto days = node->value_exact<std::int64_t>();
        if (!days || *days < 0 || *days > 36500)
            r.add(*node, prefix + key, "must be a number of days from 0 (keep for ever) to 36500");
        else *field = static_cast<int>(*days);
    }
    if (const auto* node = t.get("hour")) {
        const auto hour = node->value_exact<std::int64_t>();
        if (!hour || *hour < 0 || *hour > 23) r.add(*node, prefix + "hour", "must be an hour from 0 to 23");
        else k.hour = static_cast<int>(*hour);
    }
}

void parse_files(const toml::table& t, config_file_names& files, const reporter& r) {
    check_keys(t, {"schools", "managers", "holidays"}, "files.", r);
    read_string(t, "schools", files.schools, "files.", r);
    read_string(t, "managers", files.managers, "files.", r);
    read_string(t, "holidays", files.holidays, "files.", r, false);
}

void parse_working_hours(const toml::node& node, business_calendar_config& cal, const reporter& r) {
    const auto* hours = node.as_table();
    if (!hours) return r.add(node, "calendar.working_hours", "must be a table of weekdays");
    static constexpr std::string_view days[] = {"monday", "tuesday",  "wednesday", "thursday",
                                                "friday", "saturday", "sunday"};
    // The table replaces the whole default week: a weekday left out has no business time.
    cal.working_hours = {};
    for (const auto& [key, value] : *hours) {
        const std::string field = fmt::format("calendar.working_hours.{}", key.str());
        const auto* day = std::find(std::begin(days), std::end(days), key.str());
        if (day == std::end(days)) {
            r.add(value, field, "unknown weekday (monday … sunday)");
            continue;
        }
        const auto* list = value.as_array();
        if (!list) {
            r.add(value, field, "must be a list like [\"07:30-16:30\"]");
            continue;
        }
        auto& intervals = cal.working_hours[static_cast<std::size_t>(day - std::begin(days))];
        for (const auto& item : *list) {
            auto text = item.value_exact<std::string>();
            auto w = text ? parse_interval(*text) : std::nullopt;
            if (!w) {
                r.add(item, field, "intervals are written \"HH:MM-HH:MM\" with the end after the begin");
                continue;
            }
            const bool overlaps = std::any_of(intervals.begin(), intervals.end(), [&](const working_interval& o) {
                return w->begin_minute < o.end_minute && o.begin_minute < w->end_minute;
            });
            if (overlaps) r.add(item, field, fmt::format("\"{}\" overlaps another interval of the day", *text));
            else intervals.push_back(*w);
        }
        std::sort(intervals.begin(), intervals.end(),
                  [](const working_interval& a, const working_interval& b) { return a.begin_minute < b.begin_minute; });
    }
    if (std::all_of(cal.working_hours.begin(), cal.working_hours.end(), [](const auto& d) { return d.empty(); }))
        r.add(node, "calendar.working_hours", "no working hours on any day: no SLA clock could ever run");
}

void parse_calendar(const toml::table& t, business_calendar_config& cal, const reporter& r) {
    check_keys(t, {"time_zone", "holiday_state", "school_holidays_are_business_days", "closure_days", "working_hours"},
               "calendar.", r);
    if (const auto* node = t.get("time_zone")) {
        read_string(t, "time_zone", cal.time_zone, "calendar.", r);
        try {
            date::locate_zone(cal.time_zone);
        } catch (const std::exception&) {
            if (node->is_string())
                r.add(*node, "calendar.time_zone", fmt::format("unknown time zone \"{}\" (e.g. \"Europe/Berlin\")", cal.time_zone));
        }
    }
    if (const auto* node = t.get("holiday_state")) {
        read_string(t, "holiday_state", cal.holiday_state, "calendar.", r);
        if (node->is_string() && !is_known_state(cal.holiday_state))
            r.add(*node, "calendar.holiday_state",
                  fmt::format("unknown German state \"{}\" (two letters, e.g. NW, BY)", cal.holiday_state));
    }
    read_bool(t, "school_holidays_are_business_days", cal.school_holidays_are_business_days, "calendar.", r);
    if (const auto* node = t.get("closure_days")) read_dates(*node, "calendar.closure_days", cal.closure_days, r);
    if (const auto* node = t.get("working_hours")) parse_working_hours(*node, cal, r);
}

void parse_sla(const toml::table& t, sla_policy& sla, const reporter& r) {
    check_keys(t, {"warning_threshold", "pause_statuses", "targets"}, "sla.", r);
    if (const auto* node = t.get("warning_threshold")) {
        auto v = node->value<double>();  // an integer 1 is fine too
        if (!v || !(*v > 0 && *v <= 1)) r.add(*node, "sla.warning_threshold", "must be a number above 0 and at most 1");
        else sla.warning_threshold = *v;
    }
    if (const auto* node = t.get("pause_statuses")) {
        const auto* list = node->as_array();
        if (!list) {
            r.add(*node, "sla.pause_statuses", "must be a list of statuses");
        } else {
            sla.pause_statuses.clear();
            for (const auto& item : *list) {
                auto text = item.value_exact<std::string>();
                auto s = text ? parse_status(*text) : std::nullopt;
                if (!s || (*s != status::waiting_on_requester && *s != status::waiting_on_third_party))
                    r.add(item, "sla.pause_statuses", "only waiting_on_requester and waiting_on_third_party can pause");
                else if (!sla.pauses(*s))
                    sla.pause_statuses.push_back(*s);
            }
        }
    }
    if (const auto* node = t.get("targets")) {
        const auto* targets = node->as_table();
        if (!targets) return r.add(*node, "sla.targets", "must be a table per priority");
        for (const auto& [key, value] : *targets) {
            const std::string field = fmt::format("sla.targets.{}", key.str());
            auto p = parse_priority(key.str());
            if (!p) {
                r.add(value, field, "unknown priority (critical, high, normal, low)");
                continue;
            }
            const auto* entry = value.as_table();
            if (!entry) {
                r.add(value, field, "must be { first_response = MINUTES, resolution = MINUTES }");
                continue;
            }
            check_keys(*entry, {"first_response", "resolution"}, field + ".", r);
            auto& target = sla.targets[static_cast<std::size_t>(*p)];
            read_positive(*entry, "first_response", target.first_response_minutes, field + ".", r);
            read_positive(*entry, "resolution", target.resolution_minutes, field + ".", r);
        }
    }
}

// [[name]] entries of { id, <text_key> } with plain, unique ids.
template <class T>
std::vector<T> read_id_list(const toml::node& node, const std::string& field, const char* text_key, const reporter& r) {
    std::vector<T> out;
    const auto* list = node.as_array();
    if (!list) {
        r.add(node, field, fmt::format("must be a list of {{ id, {} }}", text_key));
        return out;
    }
    std::set<std::string> seen;
    for (const auto& item : *list) {
        const auto* entry = item.as_table();
        if (!entry) {
            r.add(item, field, fmt::format("must be {{ id, {} }}", text_key));
            continue;
        }
        if constexpr (std::is_same_v<T, partner>) check_keys(*entry, {"id", text_key, "warranty"}, field + ".", r);
        else check_keys(*entry, {"id", text_key}, field + ".", r);
        auto id = entry->get_as<std::string>("id");
        auto text = entry->get_as<std::string>(text_key);
        if (!id || !is_plain_id(id->get())) {
            r.add(id ? static_cast<const toml::node&>(*id) : item, field + ".id",
                  "an id of lower-case letters, digits and \"_\" is required");
            continue;
        }
        if (!text || is_blank(text->get())) {
            r.add(text ? static_cast<const toml::node&>(*text) : item, fmt::format("{}.{}", field, text_key), "required");
            continue;
        }
        if (!seen.insert(id->get()).second) {
            r.add(*id, field + ".id", fmt::format("duplicate id \"{}\"", id->get()));
            continue;
        }
        out.push_back({id->get(), text->get()});
        if constexpr (std::is_same_v<T, partner>) read_bool(*entry, "warranty", out.back().warranty, field + ".", r);
    }
    return out;
}

// A non-empty list of distinct, non-blank names.
void read_names(const toml::table& t, std::string_view key, std::vector<std::string>& out, const std::string& prefix,
                const reporter& r) {
    const auto* node = t.get(key);
    if (!node) return;
    const std::string field = prefix + std::string(key);
    const auto* list = node->as_array();
    if (!list || list->empty()) return r.add(*node, field, "must be a non-empty list of names like [\"Pirna\"]");
    std::vector<std::string> names;
    for (const auto& item : *list) {
        const auto v = item.value_exact<std::string>();
        if (!v || is_blank(*v)) return r.add(item, field, "must be a non-empty list of names like [\"Pirna\"]");
        if (is_one_of(*v, names)) return r.add(item, field, fmt::format("\"{}\" is listed twice", *v));
        names.push_back(*v);
    }
    out = std::move(names);
}

void parse_schools_section(const toml::table& t, app_config& c, const reporter& r) {
    check_keys(t, {"kinds", "districts"}, "schools.", r);
    read_names(t, "kinds", c.school_kinds, "schools.", r);
    read_names(t, "districts", c.districts, "schools.", r);
}

void parse_tickets(const toml::table& t, app_config& c, const reporter& r) {
    check_keys(t, {"categories", "reopen_window_days", "teachers_see_school_tickets"}, "tickets.", r);
    if (const auto* node = t.get("reopen_window_days")) {
        auto v = node->value_exact<std::int64_t>();
        if (!v || *v < 0 || *v > 365) r.add(*node, "tickets.reopen_window_days", "must be 0 to 365");
        else c.reopen_window_days = static_cast<int>(*v);
    }
    read_bool(t, "teachers_see_school_tickets", c.teachers_see_school_tickets, "tickets.", r);
    if (const auto* node = t.get("categories")) {
        c.categories = read_id_list<category>(*node, "tickets.categories", "label", r);
        if (const auto* list = node->as_array(); list && list->empty())
            r.add(*node, "tickets.categories", "at least one category is needed");
    }
}

// [oidc]'s string lists (scopes, password logins): non-empty strings without blanks.
std::optional<std::vector<std::string>> read_words(const toml::table& t, std::string_view key, const std::string& prefix,
                                                   const reporter& r) {
    const auto* node = t.get(key);
    if (!node) return std::nullopt;
    const std::string field = prefix + std::string(key);
    const auto* list = node->as_array();
    if (!list) return r.add(*node, field, "must be a list of strings like [\"admin\"]"), std::nullopt;
    std::vector<std::string> out;
    for (const auto& item : *list) {
        const auto v = item.value_exact<std::string>();
        if (!v || v->empty() || v->find_first_of(" \t\r\n") != std::string::npos)
            return r.add(item, field, "must be a list of strings without blanks like [\"admin\"]"), std::nullopt;
        out.push_back(*v);
    }
    return out;
}

// An issuer is reached over HTTPS; plain HTTP only on the machine itself (tests, a provider next door).
bool is_issuer_url(std::string_view url) {
    if (url.find_first_of(" \t\r\n?#") != std::string_view::npos) return false;
    if (url.starts_with("https://")) return url.size() > 8;
    for (std::string_view local : {"http://127.0.0.1", "http://localhost", "http://[::1]"})
        if (url.starts_with(local) && (url.size() == local.size() || url[local.size()] == ':' || url[local.size()] == '/'))
            return true;
    return false;
}

void parse_oidc_provider(const toml::table& t, oidc_provider& p, const reporter& r) {
    const std::string prefix = "oidc.providers.";
    check_keys(t, {"id", "label", "issuer", "client_id", "client_secret", "token_auth", "scopes", "claims", "roles",
                   "logout", "link_existing_accounts"}, prefix, r);
    const int line = static_cast<int>(t.source().begin.line);
    read_string(t, "id", p.id, prefix, r);
    if (const auto* node = t.get("id"); node && node->is_string() && !is_plain_id(p.id))
        r.add(*node, prefix + "id", "must be lower-case letters, digits and _ (it is part of the callback URL)");
    read_string(t, "label", p.label, prefix, r);
    read_string(t, "issuer", p.issuer, prefix, r);
    if (const auto* node = t.get("issuer"); node && node->is_string() && !p.issuer.empty() && !is_issuer_url(p.issuer))
        r.add(*node, prefix + "issuer", "must be an https:// URL (http:// only for 127.0.0.1 or localhost)");
    read_string(t, "client_id", p.client_id, prefix, r);
    read_string(t, "client_secret", p.client_secret, prefix, r);
    read_choice(t, "token_auth", p.token_auth, {"client_secret_basic", "client_secret_post"}, prefix, r);
    if (auto scopes = read_words(t, "scopes", prefix, r)) {
        if (!is_one_of("openid", *scopes)) r.add(*t.get("scopes"), prefix + "scopes", "must contain \"openid\"");
        p.scopes = std::move(*scopes);
    }
    read_bool(t, "logout", p.logout, prefix, r);
    read_bool(t, "link_existing_accounts", p.link_existing_accounts, prefix, r);
    for (const std::string key : {"id", "label", "issuer", "client_id", "client_secret"})
        if (!t.get(key)) r.add(line, prefix + key, "required");
    if (const auto* node = t.get("claims")) {
        if (const auto* claims = node->as_table()) {
            check_keys(*claims, {"login", "name", "email", "groups", "school"}, prefix + "claims.", r);
            read_string(*claims, "login", p.claims.login, prefix + "claims.", r);
            read_string(*claims, "name", p.claims.name, prefix + "claims.", r, false);
            read_string(*claims, "email", p.claims.email, prefix + "claims.", r, false);
            read_string(*claims, "groups", p.claims.groups, prefix + "claims.", r, false);
            read_string(*claims, "school", p.claims.school, prefix + "claims.", r, false);
        } else {
            r.add(*node, prefix + "claims", "must be a table like { login = \"preferred_username\" }");
        }
    }
    const auto* roles = t.get("roles");
    const auto* list = roles ? roles->as_array() : nullptr;
    if (!list || list->empty())
        return r.add(roles ? static_cast<int>(roles->source().begin.line) : line, prefix + "roles",
                     "required: a list like [{ value = \"lehrkraefte\", role = \"teacher\" }]");
    for (const auto& item : *list) {
        const auto* rule = item.as_table();
        if (!rule) {
            r.add(item, prefix + "roles", "each rule is a table like { value = \"lehrkraefte\", role = \"teacher\" }");
            continue;
        }
        check_keys(*rule, {"claim", "value", "role"}, prefix + "roles.", r);
        oidc_role_rule parsed;
        read_string(*rule, "claim", parsed.claim, prefix + "roles.", r);
        read_string(*rule, "value", parsed.value, prefix + "roles.", r);
        std::string role_name;
        read_string(*rule, "role", role_name, prefix + "roles.", r);
        const auto who = parse_role(role_name);
        if (!rule->get("value")) r.add(item, prefix + "roles.value", "required");
        if (!who) r.add(rule->get("role") ? *rule->get("role") : item, prefix + "roles.role",
                        "must be teacher, campus_manager, dispatcher or admin");
        else parsed.who = *who;
        if (parsed.claim.empty() && p.claims.groups.empty())
            r.add(item, prefix + "roles.claim", "required when claims.groups is empty");
        if (parsed.who == role::teacher && who && p.claims.school.empty())
            r.add(item, prefix + "claims.school", "required when a rule gives the role teacher (a teacher's school)");
        p.roles.push_back(std::move(parsed));
    }
}

void parse_oidc(const toml::table& t, oidc_config& o, const reporter& r) {
    check_keys(t, {"providers", "password_logins", "clock_skew_seconds", "jwks_refresh_min_seconds",
                   "http_timeout_seconds", "login_timeout_seconds", "discovery_cache_seconds"}, "oidc.", r);
    if (auto logins = read_words(t, "password_logins", "oidc.", r)) o.password_logins = std::move(*logins);
    read_positive(t, "clock_skew_seconds", o.clock_skew_seconds, "oidc.", r);
    if (const auto* node = t.get("clock_skew_seconds"); node && o.clock_skew_seconds > 600)
        r.add(*node, "oidc.clock_skew_seconds", "must be at most 600 (ten minutes)");
    read_positive(t, "jwks_refresh_min_seconds", o.jwks_refresh_min_seconds, "oidc.", r);
    read_positive(t, "http_timeout_seconds", o.http_timeout_seconds, "oidc.", r);
    read_positive(t, "login_timeout_seconds", o.login_timeout_seconds, "oidc.", r);
    read_positive(t, "discovery_cache_seconds", o.discovery_cache_seconds, "oidc.", r);
    const auto* node = t.get("providers");
    if (!node) return;
    const auto* list = node->as_array();
    if (!list) return r.add(*node, "oidc.providers", "must be a list of tables ([[oidc.providers]])");
    for (const auto& item : *list) {
        const auto* table = item.as_table();
        if (!table) {
            r.add(item, "oidc.providers", "must be a list of tables ([[oidc.providers]])");
            continue;
        }
        oidc_provider p;
        parse_oidc_provider(*table, p, r);
        if (!p.id.empty() && o.find(p.id)) r.add(item, "oidc.providers.id", fmt::format("\"{}\" is used twice", p.id));
        o.providers.push_back(std::move(p));
    }
}

// [devices] (issue 18): the problem-device rule, the default import format, and formats of the city's own exports
// ([devices.formats.NAME]: a label, the column of each field, the kind and owner group when a row does not say).
void parse_devices(const toml::table& t, devices_config& d, const reporter& r) {
    check_keys(t, {"problem_tickets", "problem_days", "default_format", "formats"}, "devices.", r);
    read_positive(t, "problem_tickets", d.problem_tickets, "devices.", r);
    read_positive(t, "problem_days", d.problem_days, "devices.", r);
    if (const auto* node = t.get("formats")) {
        const auto* formats = node->as_table();
        if (!formats) return r.add(*node, "devices.formats", "must be a table of formats");
        for (const auto& [key, value] : *formats) {
            const std::string prefix = fmt::format("devices.formats.{}.", key.str());
            const auto* f = value.as_table();
            if (!is_plain_id(key.str()) || !f) {
                r.add(value, prefix, "a format is a table named with lower-case letters, digits and \"_\"");
                continue;
            }
            device_csv_format format;
            format.name = std::string(key.str());
            format.label = format.name;
            read_string(*f, "label", format.label, prefix, r);
            for (const auto& [name, column] : *f) {
                if (name.str() == "label" || name.str() == "default_kind" || name.str() == "default_owner") continue;
                const auto field = parse_device_field(name.str());
                const auto text = column.value_exact<std::string>();
                if (!field) r.add(column, prefix + std::string(name.str()), "unknown key (a field: school_number, kind, "
                                                                             "model, serial_number, inventory_number, "
                                                                             "room, owner_group, purchase_date, "
                                                                             "warranty_end, status)");
                else if (!text || is_blank(*text)) r.add(column, prefix + std::string(name.str()), "must be a column name");
                else format.columns[*field] = *text;
            }
            for (auto required : {device_field::school, device_field::serial})
                if (!format.columns.contains(required))
                    r.add(value, prefix + std::string(to_string(required)), "required: the column that holds it");
            if (const auto* k = f->get("default_kind")) {
                const auto v = k->value_exact<std::string>();
                const auto kind = v ? parse_device_kind(*v) : std::nullopt;
                if (!kind) r.add(*k, prefix + "default_kind", "must be a device kind such as \"ipad\" or \"other\"");
                else format.default_kind = *kind;
            }
            if (const auto* o = f->get("default_owner")) {
                const auto v = o->value_exact<std::string>();
                const auto owner = v ? parse_owner_group(*v) : std::nullopt;
                if (!owner) r.add(*o, prefix + "default_owner", "must be pupils, teachers or admin");
                else format.default_owner = *owner;
            }
            auto same = std::find_if(d.formats.begin(), d.formats.end(),
                                     [&](const device_csv_format& x) { return x.name == format.name; });
            if (same != d.formats.end()) *same = std::move(format);
            else d.formats.push_back(std::move(format));
        }
    }
    read_string(t, "default_format", d.default_format, "devices.", r);
    if (const auto* node = t.get("default_format"); node && !d.find_format(d.default_format))
        r.add(*node, "devices.default_format", fmt::format("unknown format \"{}\"", d.default_format));
}

// Parses the text; a syntax error is reported with its line.
std::optional<toml::table> parse_toml(std::string_view text, const std::string& path, const reporter& r) {
    try {
        return toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        r.add(static_cast<int>(e.source().begin.line), "syntax", std::string(e.description()));
        return std::nullopt;
    }
}

void parse_main_toml(const toml::table& root, app_config& c, config_file_names& files, const reporter& r) {
    check_keys(root, {"server", "limits", "files", "calendar", "sla", "tickets", "partners", "sessions", "login",
                       "security", "mail", "schools", "retention", "oidc", "devices"}, "",
               r);
    if (const auto* t = section(root, "server", r)) parse_server(*t, c, r);
    if (const auto* t = section(root, "limits", r)) parse_limits(*t, c.limits, r);
    if (const auto* t = section(root, "security", r)) parse_security(*t, c.security, r);
    if (const auto* t = section(root, "sessions", r)) parse_sessions(*t, c.sessions, r);
    if (const auto* t = section(root, "login", r)) parse_login(*t, c.login, r);
    if (const auto* t = section(root, "files", r)) parse_files(*t, files, r);
    if (const auto* t = section(root, "calendar", r)) parse_calendar(*t, c.calendar, r);
    if (const auto* t = section(root, "sla", r)) parse_sla(*t, c.sla, r);
    if (const auto* t = section(root, "tickets", r)) parse_tickets(*t, c, r);
    if (const auto* t = section(root, "schools", r)) parse_schools_section(*t, c, r);
    if (const auto* node = root.get("partners")) c.partners = read_id_list<partner>(*node, "partners", "name", r);
    if (const auto* t = section(root, "mail", r)) parse_mail(*t, c, r);
    if (const auto* t = section(root, "retention", r)) parse_retention(*t, c.retention, r);
    if (const auto* t = section(root, "oidc", r)) parse_oidc(*t, c.oidc, r);
    if (const auto* t = section(root, "devices", r)) parse_devices(*t, c.devices, r);
}

// The rows after a fixed header line; rows with the wrong number of fields are reported and left out.
std::vector<csv_row> read_table(std::string_view text, const std::string& path,
                                const std::vector<std::string>& header, std::vector<config_error>& errors) {
    auto parsed = parse_csv(text, path);
    if (auto* error = std::get_if<config_error>(&parsed)) {
        errors.push_back(std::move(*error));
        return {};
    }
    auto rows = std::get<std::vector<csv_row>>(std::move(parsed));
    if (rows.empty() || rows.front().fields != header) {
        errors.push_back({path, rows.empty() ? 1 : rows.front().line, "header",
                          fmt::format("the first line must be {}", fmt::join(header, ","))});
        return {};
    }
    std::vector<csv_row> valid;
    for (auto& row : rows) {
        if (&row == &rows.front()) continue;
        if (row.fields.size() != header.size())
            errors.push_back({path, row.line, "csv",
                              fmt::format("expected {} fields, found {}", header.size(), row.fields.size())});
        else
            valid.push_back(std::move(row));
    }
    return valid;
}

void parse_managers(std::string_view text, const std::string& path, app_config& c, std::vector<config_error>& errors) {
    const auto errors_before = errors.size();
    for (auto& row : read_table(text, path, {"login", "name", "email", "phone"}, errors)) {
        manager_entry m{row.fields[0], row.fields[1], row.fields[2], row.fields[3]};
        auto add = [&](const char* field, std::string message) {
            errors.push_back({path, row.line, field, std::move(message)});
        };
        const bool login_ok = !m.login.empty() && m.login.size() <= 64 &&
                              std::all_of(m.login.begin(), m.login.end(), [](char ch) {
                                  return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                                         ch == '_' || ch == '-';
                              });
        if (!login_ok) add("login", fmt::format("\"{}\": lower-case letters, digits, '.', '_' or '-'", m.login));
        else if (c.find_manager(m.login)) add("login", fmt::format("duplicate login \"{}\"", m.login));
        if (is_blank(m.name)) add("name", "required");
        if (!is_email(m.email)) add("email", fmt::format("\"{}\" is not an e-mail address", m.email));
        if (login_ok) c.managers.push_back(std::move(m));
    }
    if (c.managers.empty() && errors.size() == errors_before) errors.push_back({path, 0, "login", "no campus managers listed"});
}

void parse_schools(std::string_view text, const std::string& path, app_config& c, std::vector<config_error>& errors) {
    std::map<std::string, std::size_t> per_manager;
    std::set<std::string> numbers;
    const auto errors_before = errors.size();
    for (auto& row : read_table(text, path, {"school_number", "name", "kind", "district", "address", "campus_manager"},
                                errors)) {
        school s{row.fields[0], row.fields[1], row.fields[2], row.fields[3], row.fields[4], row.fields[5]};
        auto add = [&](const char* field, std::string message) {
            errors.push_back({path, row.line, field, std::move(message)});
        };
        const bool number_ok = s.number.size() == 6 && parse_digits(s.number).has_value();
        if (!number_ok) add("school_number", fmt::format("\"{}\": six digits (the NRW Schulnummer)", s.number));
        else if (!numbers.insert(s.number).second) add("school_number", fmt::format("duplicate school number {}", s.number));
        if (is_blank(s.name)) add("name", "required");
        if (!is_one_of(s.kind, c.school_kinds))
            add("kind", fmt::format("\"{}\" is not one of {} ([schools] kinds)", s.kind, fmt::join(c.school_kinds, ", ")));
        if (!is_one_of(s.district, c.districts))
            add("district", fmt::format("\"{}\" is not one of the districts ([schools] districts: {})", s.district,
                                        fmt::join(c.districts, ", ")));
        if (is_blank(s.address)) add("address", "required");
        if (!c.find_manager(s.manager_login))
            add("campus_manager", fmt::format("unknown manager login \"{}\"", s.manager_login));
        else if (++per_manager[s.manager_login] == max_schools_per_manager + 1)
            add("campus_manager", fmt::format("{} would look after more than {} schools", s.manager_login,
                                              max_schools_per_manager));
        if (number_ok) c.schools.push_back(std::move(s));
    }
    std::sort(c.schools.begin(), c.schools.end(), [](const school& a, const school& b) { return a.number < b.number; });
    if (c.schools.empty() && errors.size() == errors_before)
        errors.push_back({path, 0, "school_number", "no schools listed"});
}

void parse_holidays(std::string_view text, const std::string& path, business_calendar_config& cal,
                    std::vector<config_error>& errors) {
    const reporter r{path, errors};
    const auto root = parse_toml(text, path, r);
    if (!root) return;
    check_keys(*root, {"school_holidays", "closure_days"}, "", r);
    if (const auto* node = root->get("school_holidays")) {
        const auto* list = node->as_array();
        if (!list) return r.add(*node, "school_holidays", "must be a list of { name, first, last }");
        for (const auto& item : *list) {
            const auto* entry = item.as_table();
            if (!entry) {
                r.add(item, "school_holidays", "must be { name, first, last }");
                continue;
            }
            check_keys(*entry, {"name", "first", "last"}, "school_holidays.", r);
            const auto* name = entry->get_as<std::string>("name");
            const auto* first_node = entry->get("first");
            const auto* last_node = entry->get("last");
            auto first = first_node ? date_of(*first_node) : std::nullopt;
            auto last = last_node ? date_of(*last_node) : std::nullopt;
            if (!name || is_blank(name->get())) r.add(name ? static_cast<const toml::node&>(*name) : item, "school_holidays.name", "required");
            if (!first) r.add(first_node ? *first_node : item, "school_holidays.first", "a date \"YYYY-MM-DD\" is required");
            if (!last) r.add(last_node ? *last_node : item, "school_holidays.last", "a date \"YYYY-MM-DD\" is required");
            if (!name || is_blank(name->get()) || !first || !last) continue;
            if (*last < *first) {
                r.add(*last_node, "school_holidays.last", "ends before it begins");
                continue;
            }
            cal.school_holidays.push_back({*first, *last, name->get()});
        }
    }
    if (const auto* node = root->get("closure_days")) read_dates(*node, "closure_days", cal.closure_days, r);
}

} // namespace

config_result<config_file_names> parse_config_file_names(std::string_view toml_text, const std::string& toml_path) {
    std::vector<config_error> errors;
    const reporter r{toml_path, errors};
    config_file_names files;
    if (const auto root = parse_toml(toml_text, toml_path, r))
        if (const auto* t = section(*root, "files", r)) parse_files(*t, files, r);
    if (!errors.empty()) return errors;
    return files;
}

config_result<app_config> parse_config(const config_texts& texts) {
    std::vector<config_error> errors;
    app_config c;
    const reporter r{texts.toml_path, errors};
    config_file_names files;
    if (const auto root = parse_toml(texts.toml, texts.toml_path, r)) parse_main_toml(*root, c, files, r);
    // Managers first: the schools refer to them.
    parse_managers(texts.managers_csv, texts.managers_path, c, errors);
    parse_schools(texts.schools_csv, texts.schools_path, c, errors);
    if (!texts.holidays_path.empty()) parse_holidays(texts.holidays_toml, texts.holidays_path, c.calendar, errors);
    if (errors.empty()) {
        // Belt and braces: the calendar's own checks, on a one-year table so that this stays cheap.
        try {
            const business_calendar check(c.calendar, 2026, 2026);
        } catch (const std::exception& e) {
            errors.push_back({texts.toml_path, 0, "calendar", e.what()});
        }
    }
    if (!errors.empty()) return errors;
    return c;
}

std::variant<std::vector<csv_row>, config_error> parse_csv(std::string_view text, const std::string& path,
                                                           char separator) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::vector<csv_row> rows;
    csv_row row{1, {}};
    std::string field;
    int line = 1;
    bool quoted = false;       // inside "..."
    bool was_quoted = false;   // the current field was quoted; only a separator may follow the closing quote
    bool row_has_data = false;
    int quote_line = 0;        // where the current quoted field opened
    auto end_field = [&] {
        row.fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
    };
    auto end_row = [&] {
        end_field();
        if (row_has_data) rows.push_back(std::move(row));  // blank lines are skipped
        row = csv_row{line, {}};
        row_has_data = false;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (quoted) {
            if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
                was_quoted = true;
            } else {
                if (ch == '\n') ++line;
                field += ch;
            }
            continue;
        }
        if (ch == separator) {
            end_field();
            row_has_data = true;
        } else if (ch == '\n' || (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
            if (ch == '\r') ++i;
            ++line;
            end_row();
        } else if (was_quoted) {
            // Text after a quote that closed lines later: most likely a closing quote is missing up there.
            if (quote_line != line)
                return config_error{path, quote_line, "csv",
                                    fmt::format("the quote opened here only closes on line {}: a quote is missing", line)};
            return config_error{path, line, "csv", "only a separator or the end of the line may follow a closing quote"};
        } else if (ch == '"') {
            if (!field.empty()) return config_error{path, line, "csv", "a quote inside an unquoted field"};
            quoted = true;
            quote_line = line;
            row_has_data = true;
        } else {
            field += ch;
            row_has_data = true;
        }
    }
    if (quoted) return config_error{path, row.line, "csv", "a quoted field is not closed"};
    end_row();
    return rows;
}

} // namespace campusdesk
