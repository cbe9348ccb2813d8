#include "server/mail/smtp_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

namespace campusdesk {
namespace {

struct upload {
    std::string_view data;
    std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* u = static_cast<upload*>(user);
    const std::size_t n = std::min(size * count, u->data.size() - u->offset);
    std::memcpy(buffer, u->data.data() + u->offset, n);
    u->offset += n;
    return n;
}

bool is_unreachable(CURLcode code) {
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_USE_SSL_FAILED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_LOGIN_DENIED:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_WEIRD_SERVER_REPLY:
        return true;
    default:
        return false;
    }
}

} // namespace

smtp_client::smtp_client(smtp_config config) : config_(std::move(config)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
    if (!curl_) throw std::runtime_error("smtp: curl_easy_init failed");
}

smtp_client::~smtp_client() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

smtp_result smtp_client::send(std::string_view envelope_from, std::string_view to, std::string_view message) {
    auto* curl = static_cast<CURL*>(curl_);
    curl_easy_reset(curl);  // keeps the open connection; clears the previous mail's options
    char error[CURL_ERROR_SIZE] = {};
    upload body{message, 0};
    const std::string from = fmt::format("<{}>", envelope_from);
    curl_slist* recipients = curl_slist_append(nullptr, fmt::format("<{}>", to).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, config_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &body);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(config_.timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(config_.timeout_seconds, 10)));
    // smtps:// is TLS from the start whatever this says; on smtp:// it is STARTTLS.
    const long use_ssl = config_.tls == "required" ? CURLUSESSL_ALL
                         : config_.tls == "opportunistic" ? CURLUSESSL_TRY
                                                          : CURLUSESSL_NONE;
    curl_easy_setopt(curl, CURLOPT_USE_SSL, use_ssl);
    if (!config_.user.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, config_.user.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.password.c_str());
    }
    const CURLcode code = curl_easy_perform(curl);
    curl_slist_free_all(recipients);
    if (code == CURLE_OK) return {true, false, ""};
    long response = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response);
    smtp_result r;
    r.server_unreachable = is_unreachable(code);
    r.error = fmt::format("{}{}{}", *error ? error : curl_easy_strerror(code),
                          response ? fmt::format(" (SMTP {})", response) : "", "");
    return r;
}

} // namespace campusdesk
