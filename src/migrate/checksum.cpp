#include <openssl/evp.h>

#include <stdexcept>

#include "schema/migrate.hpp"

namespace schema::migrate {

std::string sha256_hex(std::string_view data) {
    // Fetched once: looking the algorithm up is most of the cost for small files.
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!sha256 || EVP_Digest(data.data(), data.size(), digest, &len, sha256, nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

}  // namespace schema::migrate
