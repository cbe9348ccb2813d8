#include "server/privacy/personal_export.hpp"

#include "core/local_time.hpp"
#include "storage/attachment_repository.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <fstream>
#include <sstream>

namespace campusdesk {
namespace {

boost::json::value time_of(time_ms t, const date::time_zone* zone) {
    if (t <= 0) return nullptr;
    return boost::json::string(format_iso8601(t, zone));
}

// The file's bytes in base64; null if the file is gone (removed by retention meanwhile).
boost::json::value base64_of(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return nullptr;
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const auto data = std::move(bytes).str();
    std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.pop_back();  // the terminating NUL
    return boost::json::string(out);
}

} // namespace

std::string personal_export_json(const personal_data& p, const std::filesystem::path& attachments_dir,
                                 const date::time_zone* zone) {
    boost::json::array tickets, events, attachments, sessions, audit, identities, maintenance;
    for (const auto& t : p.tickets)
        tickets.push_back({{"number", t.number}, {"school_number", t.school_number}, {"status", t.status},
                           {"title", t.title}, {"description", t.description}, {"room", t.room},
                           {"created_at", time_of(t.created_at, zone)}});
    for (const auto& e : p.events)
        events.push_back({{"ticket", e.ticket_number}, {"kind", e.kind}, {"at", time_of(e.at, zone)}, {"body", e.body}});
    for (const auto& a : p.attachments)
        attachments.push_back({{"ticket", a.ticket_number}, {"filename", a.filename}, {"content_type", a.content_type},
                               {"size", a.size}, {"sha256", a.sha256}, {"uploaded_at", time_of(a.uploaded_at, zone)},
                               {"data_base64", base64_of(blob_path(attachments_dir, a.sha256))}});
    for (const auto& s : p.sessions)
        sessions.push_back({{"kind", s.kind}, {"created_at", time_of(s.created_at, zone)},
                            {"expires_at", time_of(s.expires_at, zone)}, {"last_used_at", time_of(s.last_used_at, zone)},
                            {"client_or_label", s.client}});
    for (const auto& i : p.identities)
        identities.push_back({{"provider", i.provider}, {"subject", i.subject}, {"created_at", time_of(i.created_at, zone)},
                              {"last_login_at", time_of(i.last_login_at, zone)}});
    for (const auto& m : p.maintenance)
        maintenance.push_back({{"action", m.action}, {"plan", m.plan_title}, {"school_number", m.school_number},
                               {"dates", m.dates}, {"text", m.text}, {"at", time_of(m.at, zone)}});
    for (const auto& a : p.audit)
        audit.push_back({{"at", time_of(a.at, zone)}, {"action", a.action}, {"subject", a.subject}, {"detail", a.detail}});
    const boost::json::object doc{
        {"export", "campusdesk: alle gespeicherten Daten einer Person (DSGVO Art. 15, 20)"},
        {"account",
         {{"login", p.login}, {"name", p.name}, {"role", p.role}, {"school_number", p.school_number},
          {"email", p.email}, {"language", p.locale}, {"disabled", p.disabled}, {"created_at", time_of(p.created_at, zone)}}},
        {"tickets_filed", std::move(tickets)},
        {"texts_and_actions", std::move(events)},
        {"attachments_uploaded", std::move(attachments)},
        {"sessions_and_tokens", std::move(sessions)},
        {"single_sign_on_identities", std::move(identities)},
        {"maintenance_work", std::move(maintenance)},
        {"audit_log", std::move(audit)}};
    return boost::json::serialize(doc) + "\n";
}

} // namespace campusdesk
