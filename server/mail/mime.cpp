#include "server/mail/mime.hpp"

#include <gmime/gmime.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace campusdesk {
namespace {

void init_gmime_once() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

struct gobject_unref {
    void operator()(void* p) const {
        if (p) g_object_unref(p);
    }
};
template <class T>
using gptr = std::unique_ptr<T, gobject_unref>;

std::string without_brackets(const std::string& id) {
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>') return id.substr(1, id.size() - 2);
    return id;
}

GMimeObject* text_part(const char* subtype, const std::string& text) {
    GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
    // Always UTF-8: g_mime_text_part_set_text would pick the smallest charset that fits (ISO-8859-1 for German),
    // and the HTML part says <meta charset="utf-8">.
    gptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(text.data(), text.size()));
    gptr<GMimeDataWrapper> content(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
    g_mime_part_set_content(GMIME_PART(part), content.get());
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
    g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    return GMIME_OBJECT(part);
}

} // namespace

std::optional<std::string> mailbox_address(const std::string& text) {
    init_gmime_once();
    gptr<InternetAddressList> list(internet_address_list_parse(nullptr, text.c_str()));
    if (!list || internet_address_list_length(list.get()) != 1) return std::nullopt;
    auto* address = internet_address_list_get_address(list.get(), 0);
    if (!INTERNET_ADDRESS_IS_MAILBOX(address)) return std::nullopt;
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
    if (!addr || !*addr) return std::nullopt;
    return std::string(addr);
}

std::string compose_mime(const mail_message& m) {
    init_gmime_once();
    gptr<GMimeMessage> msg(g_mime_message_new(TRUE));
    auto* object = GMIME_OBJECT(msg.get());

    gptr<InternetAddressList> from(internet_address_list_parse(nullptr, m.from.c_str()));
    if (!from || internet_address_list_length(from.get()) == 0) throw std::invalid_argument("mail: bad sender " + m.from);
    internet_address_list_append(g_mime_message_get_from(msg.get()), from.get());
    g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_TO, m.to_name.empty() ? nullptr : m.to_name.c_str(),
                               m.to_address.c_str());
    if (!m.reply_to.empty())
        g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_REPLY_TO, nullptr, m.reply_to.c_str());
    g_mime_message_set_subject(msg.get(), m.subject.c_str(), "utf-8");
    g_mime_message_set_message_id(msg.get(), without_brackets(m.message_id).c_str());
    GDateTime* date = g_date_time_new_from_unix_utc(m.date / 1000);
    g_mime_message_set_date(msg.get(), date);
    g_date_time_unref(date);
    if (!m.thread_id.empty()) {
        g_mime_object_set_header(object, "In-Reply-To", m.thread_id.c_str(), nullptr);
        g_mime_object_set_header(object, "References", m.thread_id.c_str(), nullptr);
    }
    // RFC 3834: a machine wrote this; well-behaved responders neither answer it nor start a loop with it.
    g_mime_object_set_header(object, "Auto-Submitted", m.auto_submitted.c_str(), nullptr);
    if (!m.unsubscribe_url.empty())
        g_mime_object_set_header(object, "List-Unsubscribe", ("<" + m.unsubscribe_url + ">").c_str(), nullptr);

    gptr<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
    gptr<GMimeObject> plain(text_part("plain", m.text));
    gptr<GMimeObject> html(text_part("html", m.html));
    g_mime_multipart_add(alternative.get(), plain.get());  // the simplest first (RFC 2046 §5.1.4)
    g_mime_multipart_add(alternative.get(), html.get());
    g_mime_message_set_mime_part(msg.get(), GMIME_OBJECT(alternative.get()));

    GMimeFormatOptions* options = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
    char* bytes = g_mime_object_to_string(object, options);
    g_mime_format_options_free(options);
    std::string out(bytes ? bytes : "");
    g_free(bytes);
    return out;
}

} // namespace campusdesk
