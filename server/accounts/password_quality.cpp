#include "server/accounts/password_quality.hpp"

#include "server/accounts/credentials.hpp"

#include <pwquality.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace campusdesk {
namespace {

// libpwquality with only the checks that find guessable passwords. Its defaults are not read from
// /etc/security/pwquality.conf (that file is the system's policy for PAM, not campusdesk's), and every setting
// that would be a composition rule (ASVS 6.2.5) is off: no character classes or credits, no limits on repeated
// characters or sequences. The minimum length is pwquality's lowest (6) since core/password_policy already
// counts characters, where pwquality counts bytes. What remains: cracklib's FascistCheck against the Debian
// dictionary (/var/cache/cracklib, built by cracklib-runtime from cracklib-small: dictionary words with their
// usual manglings such as `Passwort1` or `Passw0rd`, and "simplistic/systematic" strings such as `12345678`),
// palindromes, and the login (from four characters on) inside the password. Long passphrases of ordinary words
// pass: cracklib compares the whole password, not its words. pwquality_check rather than FascistCheck directly,
// because pwquality adds the login check and ships the settings in one library (pkg-config `pwquality`).
class password_checker {
public:
    password_checker() : settings_(pwquality_default_settings(), &pwquality_free_settings) {
        if (!settings_) throw std::runtime_error("libpwquality could not allocate its settings");
        const std::pair<int, int> values[] = {
            {PWQ_SETTING_MIN_LENGTH, 6},      {PWQ_SETTING_DIFF_OK, 0},        {PWQ_SETTING_DIG_CREDIT, 0},
            {PWQ_SETTING_UP_CREDIT, 0},       {PWQ_SETTING_LOW_CREDIT, 0},     {PWQ_SETTING_OTH_CREDIT, 0},
            {PWQ_SETTING_MIN_CLASS, 0},       {PWQ_SETTING_MAX_REPEAT, 0},     {PWQ_SETTING_MAX_CLASS_REPEAT, 0},
            {PWQ_SETTING_MAX_SEQUENCE, 0},    {PWQ_SETTING_GECOS_CHECK, 0},    {PWQ_SETTING_DICT_CHECK, 1},
            {PWQ_SETTING_USER_CHECK, 1},
        };
        for (const auto& [setting, value] : values)
            if (pwquality_set_int_value(settings_.get(), setting, value) != 0)
                throw std::runtime_error("libpwquality refused a setting");
        // A passphrase no dictionary holds fails the dictionary check only when the dictionary cannot be loaded.
        if (score("Tafelkreide-Beamer-Fenster-Kaffeetasse", "") == PWQ_ERROR_CRACKLIB_CHECK)
            throw std::runtime_error("the cracklib dictionary cannot be read (is cracklib-runtime installed?)");
    }

    std::optional<password_rejection> check(std::string_view password, std::string_view login) {
        const int result = score(password, login);
        if (result >= 0) return std::nullopt;
        switch (result) {
        case PWQ_ERROR_MEM_ALLOC:
        case PWQ_ERROR_FATAL_FAILURE: throw std::runtime_error("libpwquality failed to check a password");
        case PWQ_ERROR_USER_CHECK:
            return password_rejection{password_problem::contains_login,
                                      "Das Passwort darf den Benutzernamen nicht enthalten."};
        default:
            return password_rejection{password_problem::common,
                                      "Dieses Passwort ist zu verbreitet oder zu leicht zu erraten. Bitte ein "
                                      "anderes wählen, zum Beispiel einen Satz aus mehreren Wörtern."};
        }
    }

private:
    int score(std::string_view password, std::string_view login) {
        // cracklib keeps its mangled words in static buffers: one check at a time.
        std::lock_guard lock(mutex_);
        const std::string pw(password), user(login);
        // No auxiliary error: it would have to be freed through pwquality_strerror, and the code says enough.
        return pwquality_check(settings_.get(), pw.c_str(), nullptr, user.empty() ? nullptr : user.c_str(), nullptr);
    }

    std::unique_ptr<pwquality_settings_t, decltype(&pwquality_free_settings)> settings_;
    std::mutex mutex_;
};

password_checker& checker() {
    static password_checker instance;
    return instance;
}

} // namespace

std::optional<password_rejection> check_new_password(std::string_view password, std::string_view login) {
    if (auto rejected = check_password_length(password)) return rejected;
    return checker().check(password, login);
}

std::string generate_initial_password(std::string_view login) {
    // 20 hex digits pass almost always; the loop covers the rare one that holds the login or looks systematic.
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate = random_token().substr(0, 20);
        if (!check_new_password(candidate, login)) return candidate;
    }
    throw std::runtime_error("no random password passed the password check");
}

} // namespace campusdesk
