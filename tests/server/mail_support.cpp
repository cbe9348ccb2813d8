#include "mail_support.hpp"
#include "test_server.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace campusdesk::testing {

smtp_sink::smtp_sink(const std::filesystem::path& dir, unsigned short port) {
    const auto script = std::string(CAMPUSDESK_SOURCE_DIR) + "/tests/mail/smtp_sink.py";
    std::vector<std::string> args{"/usr/bin/python3", script, "--dir", dir.string(), "--port", std::to_string(port)};
    const auto line = spawn_announcing(std::move(args), pid_);
    if (!line.starts_with("listening on 127.0.0.1:")) {
        stop();
        throw std::runtime_error("SMTP sink did not start: '" + line + "'");
    }
    port_ = static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1)));
}

smtp_sink::~smtp_sink() { stop(); }

void smtp_sink::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

namespace {

std::string content_type_of(GMimeObject* o) {
    char* s = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(o));
    std::string type(s);
    g_free(s);
    const char* charset = g_mime_object_get_content_type_parameter(o, "charset");
    if (charset) type += std::string("; charset=") + charset;
    return type;
}

received_mail parse(const std::string& raw) {
    static const bool initialised = [] {
        g_mime_init();
        return true;
    }();
    (void)initialised;
    received_mail m;
    m.raw = raw;
    GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
    GMimeParser* parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage* msg = g_mime_parser_construct_message(parser, nullptr);
    g_object_unref(parser);
    g_object_unref(stream);
    if (!msg) throw std::runtime_error("GMime could not parse a received mail");
    auto* object = GMIME_OBJECT(msg);
    GMimeHeaderList* list = g_mime_object_get_header_list(object);
    for (int i = 0; i < g_mime_header_list_get_count(list); ++i) {
        GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
        std::string name = g_mime_header_get_name(h);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = g_mime_header_get_raw_value(h);
        std::erase(value, '\r');
        std::erase(value, '\n');
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        m.headers[name] = value;
    }
    m.envelope_to = m.headers["x-envelope-to"];
    m.subject = g_mime_message_get_subject(msg) ? g_mime_message_get_subject(msg) : "";
    m.message_id = "<" + std::string(g_mime_message_get_message_id(msg) ? g_mime_message_get_message_id(msg) : "") + ">";
    if (auto* reply = g_mime_message_get_reply_to(msg); reply && internet_address_list_length(reply) > 0)
        m.reply_to = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(reply, 0)));
    if (auto* to = g_mime_message_get_to(msg); to && internet_address_list_length(to) > 0) {
        const char* name = internet_address_get_name(internet_address_list_get_address(to, 0));
        m.to_name = name ? name : "";
    }
    GMimeObject* body = g_mime_message_get_mime_part(msg);
    m.part_types.push_back(content_type_of(body));
    if (GMIME_IS_MULTIPART(body)) {
        auto* multipart = GMIME_MULTIPART(body);
        for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
            GMimeObject* part = g_mime_multipart_get_part(multipart, i);
            m.part_types.push_back(content_type_of(part));
            if (!GMIME_IS_TEXT_PART(part)) continue;
            char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
            std::string decoded = text ? text : "";
            std::erase(decoded, '\r');  // CRLF on the wire
            (content_type_of(part).starts_with("text/html") ? m.html : m.text) = decoded;
            g_free(text);
        }
    }
    g_object_unref(msg);
    return m;
}

} // namespace

std::vector<received_mail> read_mailbox(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    if (std::filesystem::exists(dir))
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.path().extension() == ".eml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<received_mail> mails;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        mails.push_back(parse(ss.str()));
    }
    return mails;
}

std::vector<received_mail> wait_for_mail(const std::filesystem::path& dir, std::size_t count, std::chrono::seconds at_most) {
    const auto until = std::chrono::steady_clock::now() + at_most;
    for (;;) {
        auto mails = read_mailbox(dir);
        if (mails.size() >= count || std::chrono::steady_clock::now() > until) return mails;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

} // namespace campusdesk::testing
