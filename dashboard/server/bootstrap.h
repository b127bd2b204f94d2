// The two moments secrets are shown: the first start on an empty data directory (an
// account "default", an owner admin@localhost with a random password, one agent key) and
// `user add` (the new user's random password). Nothing else prints or logs them.
#pragma once

#include <optional>
#include <string>

#include "dashboard/server/command_line.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

// When the storage has no account yet, creates the first one and returns the text to
// print once (URL, login, password, agent key); nullopt otherwise.
std::optional<std::string> bootstrap_if_empty(Storage& storage, const std::string& url, int64_t now);

// `user add`: creates the account when missing, then the user; returns the text to print.
Result<std::string> add_user(Storage& storage, const UserAddOptions& options, int64_t now);

}  // namespace siagent::dashboard
