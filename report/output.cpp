/// \file report/output.cpp — writing a report file atomically: temp file, fsync, rename.
#include "report/output.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mamori::report {
namespace {

[[noreturn]] void fail(std::string_view what, const std::string& path, int error) {
    throw OutputError(fmt::format("{} {}: {}", what, path, std::strerror(error)));
}

/// The process umask without umask(2), which would briefly change it for every thread.
mode_t current_umask() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
    return 022;
}

/// mkstemp makes 0600 files; a report replacing an existing file keeps that file's mode,
/// a new one gets what open(2) would have given it.
mode_t report_mode(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return st.st_mode & 07777;
    return 0666 & ~current_umask();
}

std::string directory_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

class AtomicFile::FileBuffer final : public std::streambuf {
public:
    explicit FileBuffer(int fd) : fd_(fd), buffer_(64 * 1024) { reset(); }
    FileBuffer(const FileBuffer&) = delete;
    FileBuffer& operator=(const FileBuffer&) = delete;
    ~FileBuffer() override {
        if (fd_ >= 0) ::close(fd_);
    }

    int fd() const { return fd_; }
    /// errno of the first failed write, 0 when none failed.
    int error() const { return error_; }

    /// close(2) can be the first to report a failed write (NFS, say): 0 or its errno.
    int close() {
        const int result = ::close(fd_);
        fd_ = -1;
        return result == 0 ? 0 : errno;
    }

protected:
    int_type overflow(int_type ch) override {
        if (!drain()) return traits_type::eof();
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }

    int sync() override { return drain() ? 0 : -1; }

private:
    void reset() { setp(buffer_.data(), buffer_.data() + buffer_.size()); }

    bool drain() {
        if (error_ != 0) return false;
        const char* data = pbase();
        auto left = static_cast<std::size_t>(pptr() - pbase());
        while (left > 0) {
            const ssize_t written = ::write(fd_, data, left);
            if (written < 0 && errno == EINTR) continue;
            if (written <= 0) {
                error_ = written < 0 ? errno : EIO;
                return false;
            }
            data += written;
            left -= static_cast<std::size_t>(written);
        }
        reset();
        return true;
    }

    int fd_;
    int error_ = 0;
    std::vector<char> buffer_;
};

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    // Same directory as the target, so that rename(2) is atomic (one filesystem).
    std::string name = path_ + ".XXXXXX";
    const int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) fail("cannot create a temporary file beside", path_, errno);
    temp_ = name;
    if (::fchmod(fd, report_mode(path_)) != 0) {
        const int error = errno;
        ::close(fd);
        ::unlink(temp_.c_str());
        fail("cannot set the mode of", temp_, error);
    }
    buffer_ = std::make_unique<FileBuffer>(fd);
    stream_.rdbuf(buffer_.get());
}

AtomicFile::~AtomicFile() {
    if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFile::commit() {
    if (committed_) return;
    stream_.flush();
    if (buffer_->error() != 0 || !stream_) fail("cannot write", path_, buffer_->error() ? buffer_->error() : EIO);
    // Data first, then the name: after a crash the path holds the old report or the whole
    // new one, never a truncated file.
    if (::fsync(buffer_->fd()) != 0) fail("cannot write", path_, errno);
    if (const int error = buffer_->close(); error != 0) fail("cannot write", path_, error);
    if (::rename(temp_.c_str(), path_.c_str()) != 0) fail("cannot replace", path_, errno);
    committed_ = true;

    // Make the rename itself durable; a failure here cannot undo it, so it is not an error.
    const int dir = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace mamori::report
