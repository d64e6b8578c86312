/// \file report/output.h — where the report goes: stdout, or a file written atomically.
#pragma once

#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

namespace mamori::report {

class OutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Writes to a temporary file beside `path`; commit() flushes, fsyncs and renames it over
/// `path`. Destroyed without commit() (an exception, say), the temporary file is removed
/// and `path` is left as it was.
class AtomicFile {
public:
    explicit AtomicFile(std::string path);  ///< throws OutputError naming the path
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    std::ostream& stream() { return stream_; }
    void commit();  ///< throws OutputError naming the path

private:
    /// Writes straight to the temporary file's descriptor and keeps the errno of the first
    /// failed write, so "No space left on device" reaches the user (std::ofstream loses it).
    class FileBuffer;

    std::string path_;
    std::string temp_;
    std::unique_ptr<FileBuffer> buffer_;
    std::ostream stream_{nullptr};
    bool committed_ = false;
};

}  // namespace mamori::report
