/// \file tests/unit/test_report_output.cpp — AtomicFile: all of the new report or none of it.
#include "report/output.h"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/stat.h>

namespace fs = std::filesystem;
using mamori::report::AtomicFile;
using mamori::report::OutputError;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string name = (fs::temp_directory_path() / "mamori-output-test.XXXXXX").string();
        REQUIRE(::mkdtemp(name.data()) != nullptr);
        path = name;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

/// Names in `dir`, to see that no temporary file was left behind.
std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    return names;
}

mode_t mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("AtomicFile: commit puts the whole report at the path and leaves nothing else") {
    TempDir dir;
    const fs::path path = dir.path / "report.json";
    {
        AtomicFile file(path.string());
        file.stream() << "{\"schema\":\"mamori/report/v1\"}\n";
        CHECK_FALSE(fs::exists(path));  // nothing visible before commit
        file.commit();
    }
    CHECK(read_file(path) == "{\"schema\":\"mamori/report/v1\"}\n");
    CHECK(entries(dir.path) == std::vector<std::string>{"report.json"});
}

TEST_CASE("AtomicFile: a report larger than the buffer is written whole") {
    TempDir dir;
    const fs::path path = dir.path / "big.csv";
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "row," + std::to_string(i) + "\r\n";
    {
        AtomicFile file(path.string());
        file.stream() << text;
        file.commit();
    }
    CHECK(read_file(path) == text);
}

TEST_CASE("AtomicFile: without commit the old file is intact and the temporary file is gone") {
    TempDir dir;
    const fs::path path = dir.path / "report.csv";
    write_file(path, "old report\n");
    {
        AtomicFile file(path.string());
        file.stream() << "half a new rep";
        file.stream().flush();
        CHECK(entries(dir.path).size() == 2);  // the temporary file exists meanwhile…
    }
    CHECK(read_file(path) == "old report\n");
    CHECK(entries(dir.path) == std::vector<std::string>{"report.csv"});  // …and is removed
}

TEST_CASE("AtomicFile: an exception while rendering leaves the old file") {
    TempDir dir;
    const fs::path path = dir.path / "report.json";
    write_file(path, "old");
    try {
        AtomicFile file(path.string());
        file.stream() << "new";
        throw std::runtime_error("renderer failed");
    } catch (const std::runtime_error&) {
    }
    CHECK(read_file(path) == "old");
    CHECK(entries(dir.path).size() == 1);
}

TEST_CASE("AtomicFile: the mode of a replaced file is kept; a new file follows the umask") {
    TempDir dir;
    const fs::path existing = dir.path / "kept.txt";
    write_file(existing, "old");
    REQUIRE(::chmod(existing.c_str(), 0640) == 0);
    {
        AtomicFile file(existing.string());
        file.stream() << "new";
        file.commit();
    }
    CHECK(mode_of(existing) == 0640);

    const mode_t mask = ::umask(022);  // single-threaded here: reading the umask is safe
    ::umask(mask);
    const fs::path fresh = dir.path / "new.txt";
    {
        AtomicFile file(fresh.string());
        file.commit();
    }
    CHECK(mode_of(fresh) == (0666 & ~mask));
}

TEST_CASE("AtomicFile: a directory that does not exist is an OutputError naming the path") {
    TempDir dir;
    const std::string path = (dir.path / "no" / "such" / "report.json").string();
    try {
        AtomicFile file(path);
        FAIL("no exception");
    } catch (const OutputError& e) {
        const std::string message = e.what();
        CHECK(message.find(path) != std::string::npos);
        CHECK(message.find("No such file or directory") != std::string::npos);
    }
}

TEST_CASE("AtomicFile: a path that is a directory fails at commit, naming it") {
    TempDir dir;
    const fs::path path = dir.path / "a-directory";
    fs::create_directory(path);
    AtomicFile file(path.string());
    file.stream() << "x";
    try {
        file.commit();
        FAIL("no exception");
    } catch (const OutputError& e) {
        CHECK(std::string(e.what()).find(path.string()) != std::string::npos);
    }
}

TEST_CASE("AtomicFile: a write that fails (file too large, like a full disk) is an OutputError with the cause") {
    TempDir dir;
    const fs::path path = dir.path / "report.json";
    write_file(path, "old");
    // RLIMIT_FSIZE makes write(2) fail with EFBIG past the limit, the way a full disk fails
    // with ENOSPC, without needing a full filesystem; SIGXFSZ would otherwise kill the test.
    rlimit saved {};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    std::string message;
    {
        AtomicFile file(path.string());
        rlimit small = saved;
        small.rlim_cur = 1024;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        file.stream() << std::string(200000, 'x');
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &saved) == 0);
        try {
            file.commit();
        } catch (const OutputError& e) {
            message = e.what();
        }
    }
    std::signal(SIGXFSZ, old_handler);
    CHECK(message.find(path.string()) != std::string::npos);
    CHECK(message.find("File too large") != std::string::npos);
    CHECK(read_file(path) == "old");
    CHECK(entries(dir.path).size() == 1);
}
