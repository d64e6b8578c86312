/// \file rpki/input.cpp — file reading through zlib, which passes plain files through unchanged.
#include "rpki/input.h"
#include "rpki/error.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace mamori::rpki {

std::string read_input(const std::string& path, std::size_t padding) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw DataError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
    if (S_ISDIR(st.st_mode)) throw DataError(fmt::format("{}: is a directory, not a data file", path));
    std::unique_ptr<gzFile_s, decltype(&gzclose)> in(gzopen(path.c_str(), "rb"), &gzclose);
    if (!in) throw DataError(fmt::format("{}: cannot read: {}", path, std::strerror(errno ? errno : ENOMEM)));
    gzbuffer(in.get(), 1 << 17);
    std::string data;
    std::size_t used = 0;
    data.resize(static_cast<std::size_t>(st.st_size) + 4096);
    for (;;) {
        if (data.size() - used < 65536) data.resize(data.size() * 2);
        const auto want = static_cast<unsigned>(std::min<std::size_t>(data.size() - used, 1u << 30));
        const int got = gzread(in.get(), data.data() + used, want);
        if (got < 0) {
            int code = 0;
            const char* what = gzerror(in.get(), &code);
            throw DataError(fmt::format("{}: read error: {}", path,
                                        code == Z_ERRNO ? std::strerror(errno) : std::string(what)));
        }
        if (got == 0) break;
        used += static_cast<std::size_t>(got);
    }
    data.resize(used + padding, '\0');
    data.resize(used);  // the padding stays allocated (capacity) and zeroed
    return data;
}

std::size_t line_of(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

std::string printable(std::string_view text, std::size_t max) {
    std::string out;
    for (unsigned char c : text.substr(0, max)) {
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
    if (text.size() > max) out += "...";
    return out;
}

}  // namespace mamori::rpki
