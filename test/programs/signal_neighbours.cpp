// Programs that use signals the way real ones do, to be run with and without the agent:
// each must print the same and end the same way. Usage: signal_neighbours MODE
//   usr2    a SIGUSR2 handler (no SA_RESTART) fed by another thread: every signal is
//           counted, and a poll with no timeout ends with EINTR because of it
//   dfl     installs handlers and resets them to SIG_DFL over and over (SIGPROF among
//           them) while burning CPU, checks each query, then raises SIGPROF under
//           SIG_DFL: the process ends by SIGPROF
//   sigfd   SIGCHLD blocked and read from a signalfd while children exit with codes
//   query   sigaction queries of SIGPROF answer what the program installed, flags and all
#include <poll.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "burn.h"

namespace {

std::atomic<int> usr2_count{0};
void on_usr2(int) { ++usr2_count; }
void on_anything(int) {}
void on_info(int, siginfo_t*, void*) {}

void* send_usr2(void* target) {
    for (int i = 0; i < 50; ++i) {
        usleep(2000);
        pthread_kill(*static_cast<pthread_t*>(target), SIGUSR2);
    }
    return nullptr;
}

int usr2_mode() {
    struct sigaction action = {};
    action.sa_handler = on_usr2;  // no SA_RESTART: the poll below must see EINTR
    sigaction(SIGUSR2, &action, nullptr);
    pthread_t self = pthread_self(), sender;
    pthread_create(&sender, nullptr, send_usr2, &self);
    int interrupted = 0;
    while (usr2_count < 50) {
        BURN_UNITS(1);
        if (poll(nullptr, 0, -1) == -1 && errno == EINTR) ++interrupted;
    }
    pthread_join(sender, nullptr);
    printf("usr2 %d, polls ended by EINTR %s\n", usr2_count.load(), interrupted > 0 ? "yes" : "no");
    return 0;
}

int dfl_mode() {
    const int signals[] = {SIGPROF, SIGUSR1, SIGTERM, SIGHUP};
    int wrong = 0;
    for (int round = 0; round < 200; ++round) {
        for (int signal_number : signals) {
            signal(signal_number, on_anything);
            BURN_UNITS(0.2);
            struct sigaction reset = {}, seen = {};
            reset.sa_handler = SIG_DFL;
            sigaction(signal_number, &reset, nullptr);
            sigaction(signal_number, nullptr, &seen);
            if (seen.sa_handler != SIG_DFL) ++wrong;
            BURN_UNITS(0.2);
        }
    }
    printf("dfl wrong %d\n", wrong);
    fflush(stdout);
    raise(SIGPROF);  // the default action ends the process
    printf("still alive\n");
    return 3;
}

int sigfd_mode() {
    sigset_t child_signal;
    sigemptyset(&child_signal);
    sigaddset(&child_signal, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child_signal, nullptr);
    int fd = signalfd(-1, &child_signal, SFD_CLOEXEC);
    int sum = 0;
    for (int code = 1; code <= 5; ++code) {
        pid_t child = fork();
        if (child == 0) _exit(code);
        signalfd_siginfo info;
        if (read(fd, &info, sizeof info) != sizeof info || info.ssi_signo != SIGCHLD) return 2;
        int status = 0;
        waitpid(child, &status, 0);
        sum += WEXITSTATUS(status);
        printf("child exited %d\n", WEXITSTATUS(status));
    }
    return sum == 15 ? 0 : 1;
}

int query_mode() {
    struct sigaction before = {}, mine = {}, seen = {};
    sigaction(SIGPROF, nullptr, &before);
    mine.sa_sigaction = on_info;
    mine.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
    sigemptyset(&mine.sa_mask);
    sigaddset(&mine.sa_mask, SIGUSR1);
    sigaction(SIGPROF, &mine, nullptr);
    sigaction(SIGPROF, nullptr, &seen);
    bool same = seen.sa_sigaction == on_info && (seen.sa_flags & mine.sa_flags) == mine.sa_flags &&
                sigismember(&seen.sa_mask, SIGUSR1) == 1;
    sighandler_t previous = signal(SIGPROF, SIG_IGN);
    printf("initially %s, reads back its own %s, signal() returns it %s\n",
           before.sa_handler == SIG_DFL ? "SIG_DFL" : "other", same ? "yes" : "no",
           reinterpret_cast<void*>(previous) == reinterpret_cast<void*>(on_info) ? "yes" : "no");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "usr2") == 0) return usr2_mode();
    if (strcmp(mode, "dfl") == 0) return dfl_mode();
    if (strcmp(mode, "sigfd") == 0) return sigfd_mode();
    if (strcmp(mode, "query") == 0) return query_mode();
    fprintf(stderr, "usage: signal_neighbours usr2|dfl|sigfd|query\n");
    return 64;
}
