#include "dashboard/server/bootstrap.h"

#include "dashboard/server/secrets.h"
#include "dashboard/server/api/ui_account.h"

namespace siagent::dashboard {
namespace {

constexpr const char* kFirstAccount = "default";
constexpr const char* kFirstOwner = "admin@localhost";

// 20 hex digits: 80 bits, easy to copy from a terminal.
std::string new_password() { return random_hex(10); }

}  // namespace

std::optional<std::string> bootstrap_if_empty(Storage& storage, const std::string& url, int64_t now) {
    if (storage.has_accounts()) return std::nullopt;
    auto account = storage.create_account(kFirstAccount, now);
    if (!account) return std::nullopt;
    const std::string password = new_password();
    storage.add_user(account.value(), kFirstOwner, "owner", hash_password(password), now);
    const std::string key = new_agent_key();
    storage.add_agent_key(account.value(), "first key", sha256_hex(key), agent_key_prefix(key), now);
    return "siagent-dashboard: first start, created account \"" + std::string(kFirstAccount) + "\"\n" +
           "  URL:       " + url + "\n" +
           "  login:     " + kFirstOwner + "\n" +
           "  password:  " + password + "\n" +
           "  agent key: " + key + "\n" +
           "These are shown only now; keep them.\n";
}

Result<std::string> add_user(Storage& storage, const UserAddOptions& options, int64_t now) {
    if (!valid_role(options.role)) return Failure{2, "--role must be owner, member or viewer"};
    if (options.email.find('@') == std::string::npos) return Failure{2, "--email is not an address"};
    auto account = storage.account_id(options.account);
    if (!account) {
        auto created = storage.create_account(options.account, now);
        if (!created) return created.failure();
        account = created.value();
    }
    const std::string password = new_password();
    auto user = storage.add_user(*account, options.email, options.role, hash_password(password), now);
    if (!user) return user.failure();
    return "created " + options.role + " " + options.email + " in account \"" + options.account + "\"\n" +
           "  password: " + password + "\n";
}

}  // namespace siagent::dashboard
