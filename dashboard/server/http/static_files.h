// The built web UI, served from one directory. A request path is percent-decoded and
// resolved inside that directory only (no "..", no links leading out); unknown paths get
// index.html so client-side routes load the app.
#pragma once

#include <filesystem>

#include "dashboard/server/http/http_message.h"

namespace siagent::dashboard {

Response serve_static(const std::filesystem::path& root, const Request& request);

// The Content-Type for a file name's extension.
const char* content_type_of(const std::filesystem::path& file);

}  // namespace siagent::dashboard
