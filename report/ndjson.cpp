/// \file report/ndjson.cpp — one target object per line, written as each target finishes.
#include "report/renderer_detail.h"

namespace mamori::report {
namespace {

/// Each line is flushed at once: a batch that is interrupted (Ctrl-C, a crash, a killed CI
/// job) leaves a file whose every line is a complete target, readable line by line.
class NdjsonRenderer final : public Renderer {
public:
    explicit NdjsonRenderer(std::ostream& out) : out_(out) {}

    void begin(const RunInfo&) override {}

    void target(const TargetReport& report) override {
        out_ << detail::dump_json(target_to_json(report)) << '\n';
        out_.flush();
    }

    void end(const Json& summary) override {
        Json last = Json::object();
        last["summary"] = summary;
        last["schema"] = detail::schema_name;
        out_ << detail::dump_json(last) << '\n';
        out_.flush();
    }

private:
    std::ostream& out_;
};

}  // namespace

namespace detail {

std::unique_ptr<Renderer> make_ndjson_renderer(std::ostream& out, const RenderOptions&) {
    return std::make_unique<NdjsonRenderer>(out);
}

}  // namespace detail
}  // namespace mamori::report
