// Merged profiles, their timelines and the kinds with data, for /api/apps/{id}/profile[/kinds].
#pragma once

#include "dashboard/server/http/http_message.h"
#include "dashboard/server/api/server_context.h"

namespace siagent::dashboard {

Response profile_response(ServerContext& context, const Request& request, const AppScope& scope,
                          const QueryFilter& filter);
Response kinds_response(ServerContext& context, const AppScope& scope, const QueryFilter& filter);
// GET /api/kinds: how the UI shows each known kind (model/profile_kinds.h, kind_views).
Response kind_views_response();
// The profile's total per time bucket (profile_timeline.h), for /api/apps/{id}/profile/timeline.
Response timeline_response(ServerContext& context, const Request& request, const AppScope& scope,
                           const QueryFilter& filter);
// The same merged profile as a gzipped pprof file (pprof_export.h), for
// /api/apps/{id}/profile/pprof.
Response pprof_response(ServerContext& context, const Request& request, const AppScope& scope,
                        const QueryFilter& filter);

// Metric time series and errors, for /api/apps/{id}/metrics and /errors (ui_series.cpp).
// With group=process, one series per process (metric_points.h); 400 for another group.
Response metrics_response(ServerContext& context, const Request& request, const AppScope& scope,
                          const QueryFilter& filter);
Response errors_response(ServerContext& context, const AppScope& scope, const QueryFilter& filter);

// Span latency per name, merged over the range, with series and the previous period's
// p95, for /api/apps/{id}/spans (ui_spans.cpp).
Response spans_response(ServerContext& context, const AppScope& scope, const QueryFilter& filter);

}  // namespace siagent::dashboard
