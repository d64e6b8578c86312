/// \file report/renderer.cpp — the one list of report formats.
#include "report/renderer_detail.h"

namespace mamori::report {
namespace {

struct Format {
    std::string_view name;
    std::unique_ptr<Renderer> (*make)(std::ostream&, const RenderOptions&);
};

// Adding a format = its source file, its factory in renderer_detail.h, and one line here.
// The order is the order `--help` shows.
constexpr Format format_list[] = {
    {"text", detail::make_text_renderer},
    {"json", detail::make_json_renderer},
    {"ndjson", detail::make_ndjson_renderer},
    {"csv", detail::make_csv_renderer},
};

}  // namespace

std::unique_ptr<Renderer> make_renderer(std::string_view format, std::ostream& out, const RenderOptions& options) {
    for (const auto& f : format_list)
        if (f.name == format) return f.make(out, options);
    return nullptr;
}

std::vector<std::string> formats() {
    std::vector<std::string> names;
    for (const auto& f : format_list) names.emplace_back(f.name);
    return names;
}

}  // namespace mamori::report
