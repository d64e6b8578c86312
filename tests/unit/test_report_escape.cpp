/// \file tests/unit/test_report_escape.cpp — escaping hostile DNS text for terminals and UTF-8 formats.
#include "report/escape.h"

#include <doctest/doctest.h>

#include <string>

using mamori::report::terminal_safe;
using mamori::report::valid_utf8;

TEST_CASE("terminal_safe: C0 controls, DEL and ESC become \\xNN") {
    CHECK(terminal_safe("a\x1b[31mb") == "a\\x1b[31mb");
    CHECK(terminal_safe("\x1b]0;owned\x07") == "\\x1b]0;owned\\x07");
    CHECK(terminal_safe(std::string("a\0b", 3)) == "a\\x00b");
    CHECK(terminal_safe("line\nnext\r\t") == "line\\x0anext\\x0d\\x09");
    CHECK(terminal_safe("\x7f") == "\\x7f");
}

TEST_CASE("terminal_safe: C1 controls show their UTF-8 bytes") {
    CHECK(terminal_safe("\xc2\x9b" "2J") == "\\xc2\\x9b2J");  // CSI, the one-byte ESC [
    CHECK(terminal_safe("\xc2\x85") == "\\xc2\\x85");        // NEL
    CHECK(terminal_safe("\xc2\xa0") == "\xc2\xa0");          // NBSP is not a control
}

TEST_CASE("terminal_safe: invalid UTF-8 bytes become \\xNN, one by one") {
    CHECK(terminal_safe("\xff\xfe") == "\\xff\\xfe");
    CHECK(terminal_safe("\xc0\xaf") == "\\xc0\\xaf");                 // overlong '/'
    CHECK(terminal_safe("\xed\xa0\x80") == "\\xed\\xa0\\x80");         // a surrogate
    CHECK(terminal_safe("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
    CHECK(terminal_safe("ok\xe3\x81") == "ok\\xe3\\x81");               // truncated at the end
    CHECK(terminal_safe("\xe3\x81" "a") == "\\xe3\\x81a");
}

TEST_CASE("terminal_safe: bidi overrides and line separators are shown, not obeyed") {
    CHECK(terminal_safe("abc\xe2\x80\xae" "def") == "abc\\u202edef");
    CHECK(terminal_safe("\xe2\x81\xa6x\xe2\x81\xa9") == "\\u2066x\\u2069");
    CHECK(terminal_safe("a\xe2\x80\xa8" "b") == "a\\u2028b");
}

TEST_CASE("terminal_safe: ordinary text, Japanese and emoji pass unchanged") {
    const std::string text = "総務省 example.go.jp \"v=spf1 -all\" \xf0\x9f\x98\x80 \\x41";
    CHECK(terminal_safe(text) == text);
    CHECK(terminal_safe("") == "");
}

TEST_CASE("valid_utf8: invalid bytes become U+FFFD, valid text is kept") {
    CHECK(valid_utf8("a\xff" "b") == "a\xef\xbf\xbd" "b");
    CHECK(valid_utf8("\xe3\x81") == "\xef\xbf\xbd\xef\xbf\xbd");
    CHECK(valid_utf8("日本\x1b") == "日本\x1b");  // controls are not its business
}
