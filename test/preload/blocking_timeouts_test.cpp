// The resumption of waits interrupted by the agent's own signal (preload/
// blocking_timeouts.cpp), linked into this test program so that its poll, nanosleep,
// sem_wait... are the interposed ones. A SIGUSR1 handler stands for the agent's (it counts
// agent_signals, as the CPU profiler's handler does); a SIGUSR2 handler is the
// application's. Another thread sends the signal 20 ms into a 100 ms wait.
//
// (Under LD_PRELOAD on Linux >= 5.x with POSIX_CPU_TIMERS_TASK_WORK, the CPU timers' own
// signals are generated on the way back to user space and practically never find a thread
// inside a wait, so this is where the resumption is seen working and failing.)
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <ctime>
#include <functional>

#include "core/interruptions.h"

namespace {

void on_agent_signal(int) { ++siagent::agent_signals; }
void on_application_signal(int) {}
void on_both(int) {  // the agent's handler chaining an application's delivery
    ++siagent::agent_signals;
    ++siagent::application_signals;
}

int64_t now_ms() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

struct Delivery {
    pthread_t target;
    int signal_number;
};

void* send_later(void* opaque) {
    auto* delivery = static_cast<Delivery*>(opaque);
    usleep(20'000);
    pthread_kill(delivery->target, delivery->signal_number);
    return nullptr;
}

struct Outcome {
    int result;
    int error;
    int64_t elapsed_ms;
};

// Runs `wait` on this thread while another sends `signal_number` (handled by `handler`,
// without SA_RESTART) 20 ms in.
Outcome interrupt(void (*handler)(int), int signal_number, const std::function<int()>& wait) {
    struct sigaction action = {};
    action.sa_handler = handler;
    sigaction(signal_number, &action, nullptr);
    Delivery delivery{pthread_self(), signal_number};
    pthread_t sender;
    pthread_create(&sender, nullptr, send_later, &delivery);
    int64_t started = now_ms();
    errno = 0;
    int result = wait();
    Outcome outcome{result, errno, now_ms() - started};
    pthread_join(sender, nullptr);
    return outcome;
}

std::function<int()> nanosleep_100ms = [] {
    timespec duration = {0, 100'000'000};
    return nanosleep(&duration, nullptr);
};

}  // namespace

TEST_CASE("waits the agent's signal interrupts go on for their whole time", "[resume]") {
    std::pair<const char*, std::function<int()>> waits[] = {
        {"nanosleep", nanosleep_100ms},
        {"poll", [] { return poll(nullptr, 0, 100); }},
        {"usleep", [] { return usleep(100'000); }},
        {"clock_nanosleep", [] {
             timespec duration = {0, 100'000'000};
             return clock_nanosleep(CLOCK_MONOTONIC, 0, &duration, nullptr);
         }},
        {"select", [] {
             timeval timeout = {0, 100'000};
             return select(0, nullptr, nullptr, nullptr, &timeout);
         }},
        {"epoll_wait", [] {
             int epoll = epoll_create1(0);
             epoll_event event;
             int result = epoll_wait(epoll, &event, 1, 100);
             close(epoll);
             return result;
         }},
        {"sem_timedwait", [] {
             sem_t semaphore;
             sem_init(&semaphore, 0, 0);
             timespec deadline;
             clock_gettime(CLOCK_REALTIME, &deadline);
             deadline.tv_nsec += 100'000'000;
             if (deadline.tv_nsec >= 1'000'000'000) {
                 deadline.tv_nsec -= 1'000'000'000;
                 ++deadline.tv_sec;
             }
             int result = sem_timedwait(&semaphore, &deadline);
             return result == -1 && errno == ETIMEDOUT ? 0 : -1;
         }},
    };
    for (auto& [name, wait] : waits) {
        Outcome outcome = interrupt(on_agent_signal, SIGUSR1, wait);
        INFO(name << ": result " << outcome.result << ", errno " << outcome.error << ", "
                  << outcome.elapsed_ms << " ms");
        CHECK(outcome.result == 0);
        CHECK(outcome.elapsed_ms >= 99);
        CHECK(outcome.elapsed_ms < 400);
    }
}

TEST_CASE("sleep resumes after the agent's signal and returns 0", "[resume]") {
    Outcome outcome = interrupt(on_agent_signal, SIGUSR1, [] { return static_cast<int>(sleep(1)); });
    CHECK(outcome.result == 0);
    CHECK(outcome.elapsed_ms >= 999);
}

TEST_CASE("an application's signal still ends a wait with EINTR", "[resume]") {
    for (auto handler : {on_application_signal, on_both}) {
        Outcome outcome = interrupt(handler, SIGUSR2, nanosleep_100ms);
        CHECK(outcome.result == -1);
        CHECK(outcome.error == EINTR);
        CHECK(outcome.elapsed_ms < 90);
        outcome = interrupt(handler, SIGUSR2, [] { return poll(nullptr, 0, 100); });
        CHECK(outcome.result == -1);
        CHECK(outcome.error == EINTR);
    }
}

TEST_CASE("the application's errno survives a resumed call that succeeds", "[resume]") {
    Outcome outcome = interrupt(on_agent_signal, SIGUSR1, [] {
        errno = ENOTTY;
        int result = poll(nullptr, 0, 60);
        return result == 0 && errno == ENOTTY ? 0 : -1;
    });
    CHECK(outcome.result == 0);
}
