// Password hashing (argon2id) and random tokens, all through libsodium.
#pragma once

#include <string>
#include <string_view>

namespace campusdesk {

// Must be called once before any other function here.
void init_credentials();

std::string hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);

// 256 random bits, hex-encoded: session ids, CSRF and API tokens.
std::string random_token();
// What is stored for a token: its SHA-256, so a leaked database grants no sessions.
std::string token_digest(std::string_view token);
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace campusdesk
