// The pg_type oids of what the storage sends as typed parameters, and of their arrays
// (PostgreSQL's pg_type.dat: fixed for every server version).
#pragma once

#include <libpq-fe.h>

namespace siagent::dashboard::postgres::type_oid {

inline constexpr Oid int8 = 20, text = 25, bytea = 17, float8 = 701;
inline constexpr Oid int8_array = 1016, text_array = 1009, bytea_array = 1001, float8_array = 1022;

}  // namespace siagent::dashboard::postgres::type_oid
