#include "core/signal_table.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>

using namespace siagent;

namespace {

std::atomic<int> agent_calls{0};
std::atomic<int> application_calls{0};
std::atomic<bool> saw_info{false};
std::atomic<bool> mask_applied{false};

// Every delivery is "foreign" here: the agent's handler hands each one on.
void agent_handler(int signal_number, siginfo_t* info, void* ucontext) {
    ++agent_calls;
    chain_to_application(signal_number, info, ucontext);
}

void application_info_handler(int, siginfo_t* info, void*) {
    ++application_calls;
    saw_info = info != nullptr && info->si_signo == SIGUSR1;
    sigset_t current;
    pthread_sigmask(SIG_BLOCK, nullptr, &current);
    mask_applied = sigismember(&current, SIGUSR2) == 1 && sigismember(&current, SIGUSR1) == 1;
}

void application_plain_handler(int) { ++application_calls; }

struct sigaction action_with(void (*handler)(int, siginfo_t*, void*), int flags) {
    struct sigaction action = {};
    action.sa_sigaction = handler;
    action.sa_flags = flags | SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    return action;
}

}  // namespace

TEST_CASE("the agent keeps its handler; the application reads back exactly what it installed",
          "[signal_table]") {
    REQUIRE(install_agent_handler(SIGUSR1, agent_handler) == 0);
    CHECK(agent_handles(SIGUSR1));
    CHECK_FALSE(agent_handles(SIGUSR2));
    CHECK_FALSE(application_takes(SIGUSR1));  // the default was there before

    struct sigaction mine = action_with(application_info_handler, SA_RESTART);
    sigaddset(&mine.sa_mask, SIGUSR2);
    struct sigaction previous = {}, seen = {}, kernel = {};
    REQUIRE(exchange_application_action(SIGUSR1, &mine, &previous));
    CHECK(previous.sa_handler == SIG_DFL);
    REQUIRE(exchange_application_action(SIGUSR1, nullptr, &seen));
    CHECK(seen.sa_sigaction == application_info_handler);
    CHECK(seen.sa_flags == mine.sa_flags);
    CHECK(sigismember(&seen.sa_mask, SIGUSR2) == 1);
    CHECK(application_takes(SIGUSR1));
    sigaction(SIGUSR1, nullptr, &kernel);  // not interposed in this program: the kernel's
    CHECK(kernel.sa_sigaction == agent_handler);
    CHECK_FALSE(exchange_application_action(SIGUSR2, &mine, nullptr));

    agent_calls = application_calls = 0;
    raise(SIGUSR1);
    CHECK(agent_calls == 1);
    CHECK(application_calls == 1);
    CHECK(saw_info);
    CHECK(mask_applied);  // its sa_mask, and the signal itself, blocked while it ran
}

TEST_CASE("SA_RESETHAND, SIG_IGN and a plain handler are honoured", "[signal_table]") {
    REQUIRE(install_agent_handler(SIGUSR1, agent_handler) == 0);
    struct sigaction once = {};
    once.sa_handler = application_plain_handler;
    once.sa_flags = SA_RESETHAND;
    sigemptyset(&once.sa_mask);
    exchange_application_action(SIGUSR1, &once, nullptr);
    application_calls = 0;
    raise(SIGUSR1);
    CHECK(application_calls == 1);
    struct sigaction seen = {};
    exchange_application_action(SIGUSR1, nullptr, &seen);
    CHECK(seen.sa_handler == SIG_DFL);

    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    exchange_application_action(SIGUSR1, &ignore, nullptr);
    agent_calls = application_calls = 0;
    raise(SIGUSR1);
    CHECK(agent_calls == 1);
    CHECK(application_calls == 0);
}

TEST_CASE("SIG_DFL ends the process as the default would, or ignores as the default would",
          "[signal_table]") {
    REQUIRE(install_agent_handler(SIGWINCH, agent_handler) == 0);
    agent_calls = 0;
    raise(SIGWINCH);  // default: ignored
    CHECK(agent_calls == 1);

    pid_t child = fork();
    if (child == 0) {
        install_agent_handler(SIGUSR2, agent_handler);  // the application's: SIG_DFL
        raise(SIGUSR2);
        _exit(0);  // only if the default action did not end the process
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGUSR2);
}

namespace {

std::atomic<bool> segv_blocked_in_handler{false};
std::atomic<bool> usr2_blocked_in_handler{false};

void application_mask_handler(int, siginfo_t*, void*) {
    sigset_t current;
    pthread_sigmask(SIG_BLOCK, nullptr, &current);
    usr2_blocked_in_handler = sigismember(&current, SIGUSR2) == 1;
    segv_blocked_in_handler = sigismember(&current, SIGSEGV) == 1;
}

}  // namespace

TEST_CASE("the agent's handler is installed with the application's mask, less the fault signals",
          "[signal_table]") {
    REQUIRE(install_agent_handler(SIGUSR1, agent_handler) == 0);
    struct sigaction mine = action_with(application_mask_handler, 0);
    sigaddset(&mine.sa_mask, SIGUSR2);
    REQUIRE(exchange_application_action(SIGUSR1, &mine, nullptr));
    struct sigaction kernel = {};
    sigaction(SIGUSR1, nullptr, &kernel);  // not interposed in this program: the kernel's
    CHECK(kernel.sa_sigaction == agent_handler);
    // What the application's handler expects is blocked by the kernel itself on delivery:
    // no mask to change in chain_to_application.
    CHECK(sigismember(&kernel.sa_mask, SIGUSR2) == 1);
    usr2_blocked_in_handler = false;
    raise(SIGUSR1);
    CHECK(usr2_blocked_in_handler);

    SECTION("a mask with a fault signal: the kernel's lacks it, the application's handler still has it") {
        sigaddset(&mine.sa_mask, SIGSEGV);
        REQUIRE(exchange_application_action(SIGUSR1, &mine, nullptr));
        sigaction(SIGUSR1, nullptr, &kernel);
        CHECK(sigismember(&kernel.sa_mask, SIGUSR2) == 1);
        CHECK(sigismember(&kernel.sa_mask, SIGSEGV) == 0);
        usr2_blocked_in_handler = segv_blocked_in_handler = false;
        raise(SIGUSR1);
        CHECK(usr2_blocked_in_handler);
        CHECK(segv_blocked_in_handler);
    }
    SECTION("the application's later disposition brings its own mask") {
        struct sigaction other = action_with(application_mask_handler, 0);
        REQUIRE(exchange_application_action(SIGUSR1, &other, nullptr));
        sigaction(SIGUSR1, nullptr, &kernel);
        CHECK(sigismember(&kernel.sa_mask, SIGUSR2) == 0);
        usr2_blocked_in_handler = true;
        raise(SIGUSR1);
        CHECK_FALSE(usr2_blocked_in_handler);
    }
    struct sigaction reset = {};
    reset.sa_handler = SIG_IGN;
    exchange_application_action(SIGUSR1, &reset, nullptr);
}
