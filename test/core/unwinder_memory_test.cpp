#include "core/unwinder_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include <catch2/catch.hpp>

using namespace siagent;

TEST_CASE("libunwind's pipe is two numbers no descriptor can have, always empty") {
    int ends[2] = {-1, -1};
    give_unwinder_pipe(ends);
    CHECK(is_unwinder_pipe(ends[0]));
    CHECK(is_unwinder_pipe(ends[1]));
    CHECK_FALSE(is_unwinder_pipe(3));
    CHECK(fcntl(ends[0], F_GETFD) == -1);  // not a real descriptor
    CHECK(read_unwinder_pipe() == -1);
    CHECK(errno == EAGAIN);
}

TEST_CASE("writing to libunwind's pipe tells readable memory from unreadable") {
    long page = sysconf(_SC_PAGESIZE);
    char* pages = static_cast<char*>(mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE,
                                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    REQUIRE(pages != MAP_FAILED);
    REQUIRE(mprotect(pages + page, page, PROT_NONE) == 0);

    CHECK(write_unwinder_pipe(pages, 1) == 1);
    errno = 0;
    CHECK(write_unwinder_pipe(pages + page, 1) == -1);  // mapped, but not readable
    CHECK(errno == EFAULT);
    CHECK(write_unwinder_pipe(nullptr, 1) == -1);
    munmap(pages, 2 * page);
    CHECK(write_unwinder_pipe(pages, 1) == -1);  // unmapped
}

TEST_CASE("only calls marked as libunwind's are given the pipe") {
    CHECK_FALSE(inside_unwinder_call());
    {
        UnwinderCall outer;
        UnwinderCall inner;
        CHECK(inside_unwinder_call());
    }
    CHECK_FALSE(inside_unwinder_call());
}
