/// \file report/renderer.h — the report formats. Renderers read the model only.
#pragma once

#include "core/model.h"

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::report {

/// What the report says about the run as a whole.
struct RunInfo {
    std::string version;        ///< mamori's version
    std::string generated;      ///< RFC 3339, when the report was made
    std::string now;            ///< RFC 3339, the validation clock used
    std::string profile;        ///< profile name
    std::vector<std::string> checks;  ///< check ids selected for the run
};

struct RenderOptions {
    bool colour = false;        ///< ANSI colours (text, on a TTY)
};

/// Streaming interface: begin(), then target() once per target as each finishes (the
/// renderer may write at once or buffer), then end() with the run's summary
/// (SummaryBuilder::to_json()).
class Renderer {
public:
    virtual ~Renderer() = default;
    virtual void begin(const RunInfo& run) = 0;
    virtual void target(const TargetReport& report) = 0;
    virtual void end(const Json& summary) = 0;
};

/// "text", "json", "ndjson", "csv"; nullptr for an unknown name.
std::unique_ptr<Renderer> make_renderer(std::string_view format, std::ostream& out, const RenderOptions& options);
/// The names make_renderer accepts.
std::vector<std::string> formats();

/// The JSON form of one target (the objects of "targets" in mamori/report/v1).
Json target_to_json(const TargetReport& report);

}  // namespace mamori::report
