#include "server/mail/incoming_mail.hpp"

#include "core/text.hpp"
#include "server/mail/message_ids.hpp"

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <mutex>

namespace campusdesk {
namespace {

void init_libraries() {
    static std::once_flag once;
    std::call_once(once, [] {
        g_mime_init();
        xmlInitParser();
    });
}

struct gobject_unref {
    void operator()(gpointer p) const {
        if (p) g_object_unref(p);
    }
};
template <class T>
using gptr = std::unique_ptr<T, gobject_unref>;

struct gfree {
    void operator()(gpointer p) const { g_free(p); }
};
using gstring = std::unique_ptr<char, gfree>;

// Without surrounding blanks and line breaks (core's trim keeps line breaks).
std::string_view trim_blank(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

// Windows-1252's 0x80–0x9F (0 where it has no character: those bytes are dropped).
constexpr std::array<char32_t, 32> cp1252_high = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void append_utf8(std::string& out, char32_t c) {
    char buffer[6];
    const auto n = g_unichar_to_utf8(static_cast<gunichar>(c), buffer);
    out.append(buffer, static_cast<std::size_t>(n));
}

bool is_utf8_or_ascii(std::string_view charset) {
    const auto c = ascii_lower(charset);
    return c.empty() || c == "utf-8" || c == "utf8" || c == "us-ascii" || c == "ascii";
}

// Bytes in a declared charset as UTF-8; what the charset cannot explain is left to clean_mail_text.
std::string to_utf8(std::string_view bytes, std::string_view charset) {
    if (is_utf8_or_ascii(charset)) return std::string(bytes);
    auto name = ascii_lower(charset);
    // Mail labelled Latin-1 is almost always Windows-1252 (Outlook's "€", quotes and dashes); WHATWG reads it so.
    if (name == "iso-8859-1" || name == "latin1" || name == "iso_8859-1" || name == "iso8859-1") name = "windows-1252";
    const char* iconv_name = g_mime_charset_iconv_name(name.c_str());
    gsize written = 0;
    GError* error = nullptr;
    gstring converted(g_convert(bytes.data(), static_cast<gssize>(bytes.size()), "UTF-8", iconv_name, nullptr,
                                &written, &error));
    if (error) g_error_free(error);
    if (!converted) return std::string(bytes);  // unknown charset or bytes it cannot hold: read as found
    return std::string(converted.get(), written);
}

mail_address address_of(InternetAddress* ia) {
    mail_address a;
    if (!ia) return a;
    if (const char* name = internet_address_get_name(ia)) a.name = clean_mail_text(name);
    if (INTERNET_ADDRESS_IS_MAILBOX(ia))
        if (const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)))
            a.address = clean_mail_text(addr);
    return a;
}

// Every mailbox of a list, group members included.
void collect_addresses(InternetAddressList* list, std::vector<std::string>& out, int depth = 0) {
    if (!list || depth > 4) return;
    const int n = internet_address_list_length(list);
    for (int i = 0; i < n && out.size() < 200; ++i) {
        auto* ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            collect_addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), out, depth + 1);
        } else if (auto a = address_of(ia); !a.address.empty()) {
            out.push_back(std::move(a.address));
        }
    }
}

std::vector<std::string> message_ids_of(GMimeParserOptions* options, const char* value) {
    std::vector<std::string> ids;
    if (!value) return ids;
    GMimeReferences* refs = g_mime_references_parse(options, value);
    if (!refs) return ids;
    const int n = g_mime_references_length(refs);
    for (int i = 0; i < n && ids.size() < 100; ++i)
        if (const char* id = g_mime_references_get_message_id(refs, i)) ids.push_back(clean_mail_text(id));
    g_mime_references_free(refs);
    return ids;
}

std::string stream_bytes(GMimeStream* stream) {
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
    return bytes ? std::string(reinterpret_cast<const char*>(bytes->data), bytes->len) : std::string();
}

// A part's content with the transfer encoding removed.
std::string decoded_content(GMimePart* part) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (!content) return {};
    gptr<GMimeStream> stream(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(content, stream.get());
    return stream_bytes(stream.get());
}

std::string mime_type_of(GMimeObject* object) {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    if (!type) return "application/octet-stream";
    gstring mime(g_mime_content_type_get_mime_type(type));
    return mime ? ascii_lower(mime.get()) : "application/octet-stream";
}

struct walk_state {
    incoming_mail* mail;
    std::string plain, html;
    bool have_plain = false, have_html = false;
    bool delivery_status = false;
};

void visit_part(GMimeObject* /*parent*/, GMimeObject* part, gpointer data) {
    auto& s = *static_cast<walk_state*>(data);
    if (GMIME_IS_MULTIPART(part)) {
        const char* report = g_mime_object_get_content_type_parameter(part, "report-type");
        if (report && ascii_lower(report) == "delivery-status") s.delivery_status = true;
        return;
    }
    const auto type = mime_type_of(part);
    if (type == "message/delivery-status" || type == "message/global-delivery-status") s.delivery_status = true;
    if (GMIME_IS_MESSAGE_PART(part)) {
        // A forwarded mail: kept whole as an .eml attachment.
        GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
        mail_attachment a{"weitergeleitete-nachricht.eml", "message/rfc822", {}};
        if (inner) {
            gptr<GMimeStream> stream(g_mime_stream_mem_new());
            g_mime_object_write_to_stream(GMIME_OBJECT(inner), nullptr, stream.get());
            a.data = stream_bytes(stream.get());
        }
        if (s.mail->attachments.size() < 100) s.mail->attachments.push_back(std::move(a));
        return;
    }
    if (!GMIME_IS_PART(part)) return;
    auto* p = GMIME_PART(part);
    const char* filename = g_mime_part_get_filename(p);
    const bool is_text = type == "text/plain" || type == "text/html";
    if (is_text && !g_mime_part_is_attachment(p) && !(filename && *filename)) {
        // The first plain and the first HTML body; a second one of a kind is an inline piece we do not join.
        auto& target = type == "text/plain" ? s.plain : s.html;
        auto& have = type == "text/plain" ? s.have_plain : s.have_html;
        if (have) return;
        have = true;
        const char* charset = g_mime_object_get_content_type_parameter(part, "charset");
        target = to_utf8(decoded_content(p), charset ? charset : "");
        return;
    }
    if (type == "message/delivery-status") return;  // the report itself is no attachment
    if (s.mail->attachments.size() >= 100) return;
    mail_attachment a;
    a.filename = filename ? clean_mail_text(filename) : std::string();
    a.content_type = type;
    a.data = decoded_content(p);
    s.mail->attachments.push_back(std::move(a));
}

const char* header(GMimeObject* object, const char* name) { return g_mime_object_get_header(object, name); }

bool header_present(GMimeObject* object, const char* name) { return header(object, name) != nullptr; }

// The local part of an address, lower case.
std::string local_part(std::string_view address) {
    const auto at = address.rfind('@');
    return ascii_lower(at == std::string_view::npos ? address : address.substr(0, at));
}

void classify(GMimeMessage* message, incoming_mail& m, const own_mail_identity& own, bool delivery_status) {
    auto* object = GMIME_OBJECT(message);
    auto decide = [&](sender_kind k, std::string reason) {
        m.kind = k;
        m.kind_reason = std::move(reason);
    };
    // Ours first: a bounce or auto-reply of our own mail is still about our mail, but our own mail coming back
    // (a loop through a forward) must be recognised as such.
    if (!own.domain.empty() && !m.message_id.empty() && parse_own_message_id(m.message_id, own.domain))
        return decide(sender_kind::own, "Message-ID: <" + m.message_id + ">");
    if (!own.address.empty() && ascii_lower(m.from.address) == ascii_lower(own.address))
        return decide(sender_kind::own, "From: " + m.from.address);
    const auto sender = local_part(m.from.address);
    if (sender == "mailer-daemon" || sender == "postmaster")
        return decide(sender_kind::bounce, "From: " + m.from.address);
    if (const char* rp = header(object, "Return-Path"); rp && (trim_blank(rp) == "<>" || trim_blank(rp).empty()))
        return decide(sender_kind::bounce, "Return-Path: <>");
    if (delivery_status) return decide(sender_kind::bounce, "Content-Type: multipart/report; report-type=delivery-status");
    if (const char* as = header(object, "Auto-Submitted"); as && ascii_lower(trim_blank(as)) != "no" &&
                                                           !ascii_lower(trim_blank(as)).starts_with("no "))
        return decide(sender_kind::auto_reply, "Auto-Submitted: " + clean_mail_text(trim_blank(as)));
    for (const char* name : {"X-Autoreply", "X-Autorespond", "X-Autoresponder"})
        if (header_present(object, name)) return decide(sender_kind::auto_reply, name);
    if (const char* precedence = header(object, "Precedence")) {
        const auto p = ascii_lower(trim_blank(precedence));
        if (p == "auto_reply") return decide(sender_kind::auto_reply, "Precedence: auto_reply");
        if (p == "bulk" || p == "list" || p == "junk") return decide(sender_kind::list, "Precedence: " + p);
    }
    if (header_present(object, "List-Id")) return decide(sender_kind::list, "List-Id");
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && ascii_lower(text.substr(0, prefix.size())) == prefix;
}

// Lines of the Outlook header block that follow "Von:"/"From:".
bool outlook_header_follows(const std::vector<std::string_view>& lines, std::size_t from) {
    for (std::size_t j = from + 1; j < lines.size() && j <= from + 5; ++j) {
        auto l = trim_blank(lines[j]);
        while (!l.empty() && l.front() == '*') l.remove_prefix(1);
        for (std::string_view field : {"gesendet:", "sent:", "datum:", "date:"})
            if (starts_with_ci(l, field)) return true;
    }
    return false;
}

bool is_attribution(std::string_view line, std::string_view next) {
    const auto joined = ascii_lower(trim_blank(std::string(trim_blank(line)) + " " + std::string(trim_blank(next))));
    const auto single = ascii_lower(trim_blank(line));
    for (const auto& text : {single, joined}) {
        if (text.starts_with("am ") && text.find(" schrieb") != std::string::npos && text.ends_with(":")) return true;
        if (text.starts_with("on ") && (text.ends_with("wrote:") || text.ends_with("wrote :"))) return true;
    }
    return false;
}

bool is_mobile_signature(std::string_view line) {
    const auto l = ascii_lower(trim_blank(line));
    return (l.starts_with("von meinem ") && l.ends_with("gesendet")) || l.starts_with("gesendet von meinem ") ||
           l.starts_with("sent from my ") || l.starts_with("gesendet mit der ") || l.starts_with("get outlook for ") ||
           l.starts_with("outlook für ");
}

} // namespace

std::string_view to_string(sender_kind k) {
    switch (k) {
        case sender_kind::person: return "person";
        case sender_kind::auto_reply: return "auto_reply";
        case sender_kind::bounce: return "bounce";
        case sender_kind::list: return "list";
        case sender_kind::own: return "own";
    }
    return "person";
}

std::string clean_mail_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
        const auto c = static_cast<unsigned char>(*p);
        char32_t ch = 0;
        if (c < 0x80) {
            ch = c;
            ++p;
        } else {
            const gunichar u = g_utf8_get_char_validated(p, end - p);
            if (u == static_cast<gunichar>(-1) || u == static_cast<gunichar>(-2)) {
                ch = c < 0xA0 ? cp1252_high[c - 0x80] : char32_t(c);  // not UTF-8: a Windows-1252 byte
                ++p;
            } else {
                ch = u;
                p = g_utf8_next_char(p);
            }
        }
        if (ch == '\r') {
            out += '\n';
            if (p < end && *p == '\n') ++p;
            continue;
        }
        if (ch == 0 || (ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7F || (ch >= 0x80 && ch < 0xA0) ||
            ch == 0xFEFF)
            continue;
        append_utf8(out, ch);
    }
    return out;
}

std::string html_to_text(std::string_view html) {
    init_libraries();
    const auto source = clean_mail_text(html);  // libxml2 is told UTF-8: make it so
    if (source.empty()) return {};
    const int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
    std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(
        htmlReadMemory(source.data(), static_cast<int>(std::min<std::size_t>(source.size(), INT32_MAX)), nullptr, "UTF-8",
                       options),
        xmlFreeDoc);
    if (!doc) return {};
    std::string out;
    int quote_depth = 0;
    bool pending_space = false;
    auto at_line_start = [&] { return out.empty() || out.back() == '\n'; };
    auto newline = [&] {
        pending_space = false;
        if (out.empty()) return;
        if (out.size() >= 2 && out.ends_with("\n\n")) return;
        out += '\n';
    };
    auto text = [&](std::string_view t) {
        for (char c : t) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pending_space = !at_line_start();
                continue;
            }
            if (at_line_start()) {
                for (int i = 0; i < quote_depth; ++i) out += "> ";
            } else if (pending_space) {
                out += ' ';
            }
            pending_space = false;
            out += c;
        }
    };
    auto walk = [&](auto& self, xmlNode* node, int depth) -> void {
        for (; node; node = node->next) {
            if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
                if (node->content) text(reinterpret_cast<const char*>(node->content));
                continue;
            }
            if (node->type != XML_ELEMENT_NODE || !node->name) continue;
            const std::string name = ascii_lower(reinterpret_cast<const char*>(node->name));
            if (name == "script" || name == "style" || name == "head" || name == "title") continue;
            if (name == "br") {
                out += '\n';
                pending_space = false;
                continue;
            }
            const bool block = name == "p" || name == "div" || name == "tr" || name == "table" || name == "ul" ||
                               name == "ol" || name == "li" || name == "blockquote" || name == "pre" ||
                               name == "hr" || (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6');
            if (block && !at_line_start()) out += '\n';
            if (name == "p" || name == "blockquote") newline();
            if (name == "blockquote") ++quote_depth;
            if (name == "li") text("- ");
            if (name == "td" || name == "th") pending_space = !at_line_start();
            if (depth < 200) self(self, node->children, depth + 1);
            if (name == "blockquote") --quote_depth;
            if (name == "a") {
                // A link's address after its text, unless the text is the address.
                if (xmlChar* href = xmlGetProp(node, reinterpret_cast<const xmlChar*>("href"))) {
                    const std::string target = reinterpret_cast<const char*>(href);
                    xmlFree(href);
                    if ((target.starts_with("http://") || target.starts_with("https://")) &&
                        !out.ends_with(target)) {
                        text(" <" + target + ">");
                    }
                }
            }
            if (block) newline();
            if (name == "p" || name == "blockquote") newline();
        }
    };
    walk(walk, xmlDocGetRootElement(doc.get()), 0);
    std::string trimmed(trim_blank(out));
    return clean_mail_text(trimmed);
}

std::string cut_quoted_text(std::string_view text) {
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start <= text.size();) {
        const auto end = text.find('\n', start);
        lines.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    std::vector<std::string_view> kept;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto line = lines[i];
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto t = trim_blank(line);
        auto bare = t;
        while (!bare.empty() && bare.front() == '*') bare.remove_prefix(1);
        const auto l = ascii_lower(t);
        const bool cut =
            line == "-- " || line == "--" || is_mobile_signature(t) ||
            (l.starts_with("-----") && (l.find("ursprüngliche nachricht") != std::string::npos ||
                                        l.find("original message") != std::string::npos ||
                                        l.find("original-nachricht") != std::string::npos)) ||
            (t.size() >= 20 && t.find_first_not_of('_') == std::string_view::npos) ||
            ((starts_with_ci(bare, "von:") || starts_with_ci(bare, "from:")) && outlook_header_follows(lines, i)) ||
            is_attribution(t, i + 1 < lines.size() ? lines[i + 1] : std::string_view());
        if (cut) break;
        if (t.starts_with('>')) continue;
        kept.push_back(line);
    }
    std::string out;
    for (const auto& line : kept) {
        out.append(line);
        out += '\n';
    }
    const auto result = trim_blank(out);
    return std::string(result.empty() ? trim_blank(text) : result);
}

std::string clean_subject(std::string_view subject) {
    std::string s(trim_blank(subject));
    for (bool again = true; again;) {
        again = false;
        const auto l = ascii_lower(s);
        for (std::string_view prefix : {"re:", "aw:", "wg:", "fw:", "fwd:", "antw:", "antwort:", "wtr:", "re :",
                                        "aw :", "wg :"}) {
            if (l.starts_with(prefix)) {
                s = std::string(trim_blank(std::string_view(s).substr(prefix.size())));
                again = true;
                break;
            }
        }
    }
    return s;
}

incoming_mail parse_incoming_mail(std::string_view raw, const own_mail_identity& own) {
    init_libraries();
    incoming_mail m;
    gptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
    gptr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    std::unique_ptr<GMimeParserOptions, void (*)(GMimeParserOptions*)> options(g_mime_parser_options_new(),
                                                                               g_mime_parser_options_free);
    // Raw 8-bit headers: UTF-8 if they are, else Windows-1252 (Outlook's and old German clients' default).
    const char* fallback[] = {"UTF-8", "windows-1252", nullptr};
    g_mime_parser_options_set_fallback_charsets(options.get(), fallback);
    g_mime_parser_options_set_rfc2047_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
    gptr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options.get()));
    if (!message) {
        // Not even a header block: what there is counts as the text.
        m.text = clean_mail_text(raw.substr(0, 1024 * 1024));
        m.reply_text = cut_quoted_text(m.text);
        return m;
    }
    auto* object = GMIME_OBJECT(message.get());
    if (InternetAddressList* from = g_mime_message_get_from(message.get());
        from && internet_address_list_length(from) > 0) {
        for (int i = 0; i < internet_address_list_length(from) && m.from.address.empty(); ++i)
            m.from = address_of(internet_address_list_get_address(from, i));
    }
    if (m.from.address.empty())
        if (InternetAddressList* sender = g_mime_message_get_sender(message.get());
            sender && internet_address_list_length(sender) > 0)
            m.from = address_of(internet_address_list_get_address(sender, 0));
    if (const char* subject = g_mime_message_get_subject(message.get())) {
        m.subject = clean_mail_text(subject);
        std::replace_if(m.subject.begin(), m.subject.end(), [](char c) { return c == '\n' || c == '\t'; }, ' ');
        m.subject = std::string(trim_blank(m.subject));
    }
    if (const char* id = g_mime_message_get_message_id(message.get())) m.message_id = clean_mail_text(id);
    m.in_reply_to = message_ids_of(options.get(), header(object, "In-Reply-To"));
    m.references = message_ids_of(options.get(), header(object, "References"));
    collect_addresses(g_mime_message_get_to(message.get()), m.recipients);
    collect_addresses(g_mime_message_get_cc(message.get()), m.recipients);
    GMimeHeaderList* headers = g_mime_object_get_header_list(object);
    const int count = headers ? g_mime_header_list_get_count(headers) : 0;
    for (int i = 0; i < count; ++i) {
        GMimeHeader* h = g_mime_header_list_get_header_at(headers, i);
        const char* name = h ? g_mime_header_get_name(h) : nullptr;
        if (!name || (g_ascii_strcasecmp(name, "Delivered-To") != 0 && g_ascii_strcasecmp(name, "X-Original-To") != 0))
            continue;
        const char* value = g_mime_header_get_raw_value(h);
        if (!value) continue;
        std::unique_ptr<InternetAddressList, gobject_unref> list(internet_address_list_parse(options.get(), value));
        collect_addresses(list.get(), m.recipients);
    }

    // The same address in To and Delivered-To once.
    std::vector<std::string> unique;
    for (auto& r : m.recipients)
        if (std::none_of(unique.begin(), unique.end(), [&](const std::string& u) { return ascii_lower(u) == ascii_lower(r); }))
            unique.push_back(std::move(r));
    m.recipients = std::move(unique);

    walk_state state{&m, {}, {}, false, false, false};
    g_mime_message_foreach(message.get(), visit_part, &state);
    if (state.have_plain && !trim_blank(state.plain).empty()) {
        m.text = std::string(trim_blank(clean_mail_text(state.plain)));
    } else if (state.have_html) {
        m.text = html_to_text(state.html);
        m.html_only = true;
    }
    if (m.text.empty() && m.attachments.empty()) {
        // MIME too broken to find a body (e.g. a multipart without boundary): the bytes after the header block.
        auto body_at = raw.find("\r\n\r\n");
        body_at = body_at == std::string_view::npos ? raw.find("\n\n") : body_at;
        if (body_at != std::string_view::npos)
            m.text = std::string(trim_blank(clean_mail_text(raw.substr(body_at, 1024 * 1024))));
    }
    m.reply_text = cut_quoted_text(m.text);
    classify(message.get(), m, own, state.delivery_status);
    return m;
}

} // namespace campusdesk
