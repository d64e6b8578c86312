/// \file report/renderer_detail.h — what the format implementations share; not for users of report/.
#pragma once

#include "report/renderer.h"

#include <memory>
#include <ostream>
#include <string>

namespace mamori::report::detail {

/// The schema name every JSON-based format carries.
inline constexpr const char* schema_name = "mamori/report/v1";

/// `j` as text; invalid UTF-8 (hostile DNS data) becomes U+FFFD instead of throwing.
/// `indent` < 0 gives the compact form.
std::string dump_json(const Json& j, int indent = -1);

// One factory per format; renderer.cpp lists them.
std::unique_ptr<Renderer> make_text_renderer(std::ostream& out, const RenderOptions& options);
std::unique_ptr<Renderer> make_json_renderer(std::ostream& out, const RenderOptions& options);
std::unique_ptr<Renderer> make_ndjson_renderer(std::ostream& out, const RenderOptions& options);
std::unique_ptr<Renderer> make_csv_renderer(std::ostream& out, const RenderOptions& options);

}  // namespace mamori::report::detail
