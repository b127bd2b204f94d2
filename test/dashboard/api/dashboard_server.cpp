#include "test/dashboard/api/dashboard_server.h"

#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace siagent::testing {
namespace {

// The word after `label` on the line that holds it.
std::string value_after(const std::string& text, const std::string& label) {
    const size_t at = text.find(label);
    if (at == std::string::npos) return {};
    std::istringstream line(text.substr(at + label.size(), text.find('\n', at) - at - label.size()));
    std::string value;
    line >> value;
    return value;
}

}  // namespace

std::string dashboard_binary() {
    const char* path = std::getenv("SIAGENT_DASHBOARD");
    REQUIRE(path != nullptr);
    return path;
}

DashboardServer::DashboardServer(const std::vector<std::string>& extra) {
    data_dir_ = directory_.path() + "/data";
    output_file_ = directory_.path() + "/output.txt";
    port_ = free_loopback_port();
    if (auto cluster = postgres_cluster()) database_ = std::make_unique<PostgresDatabase>(*cluster);
    std::vector<std::string> argv = {dashboard_binary(), "--listen", "127.0.0.1:" + std::to_string(port_)};
    for (const std::string& flag : store_flags()) argv.push_back(flag);
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv_ = argv;
    start();
    password_ = value_after(output(), "password:");
    agent_key_ = value_after(output(), "agent key:");
    REQUIRE(password_.size() == 20);
    REQUIRE(agent_key_.rfind("si_", 0) == 0);
}

void DashboardServer::start() {
    process_ = std::make_unique<BackgroundProcess>(argv_, std::map<std::string, std::string>{}, output_file_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (output().find("listening on") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    INFO(output());
    REQUIRE(wait_for_port(port_));
}

void DashboardServer::restart(int signal) {
    process_->stop(signal, 10);
    process_.reset();
    output_file_ += ".again";  // the first start's output keeps its secrets
    start();
}

DashboardServer::~DashboardServer() {
    if (process_) process_->stop(SIGTERM, 10);
}

std::vector<std::string> DashboardServer::store_flags() const {
    std::vector<std::string> flags = {"--data", data_dir_};
    if (database_) flags.insert(flags.end(), {"--database", database_->url()});
    return flags;
}

std::string DashboardServer::output() const {
    std::ifstream in(output_file_);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string DashboardServer::add_user(const std::string& email, const std::string& role, const std::string& account) {
    std::vector<std::string> argv = {dashboard_binary(), "user", "add"};
    for (const std::string& flag : store_flags()) argv.push_back(flag);
    argv.insert(argv.end(), {"--email", email, "--role", role, "--account", account});
    RunResult result = run(argv, {}, 60);
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    return value_after(result.out, "password:");
}

}  // namespace siagent::testing
