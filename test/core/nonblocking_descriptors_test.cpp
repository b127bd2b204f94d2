#include "core/block/nonblocking_descriptors.h"

#include <catch2/catch.hpp>

using namespace siagent;

TEST_CASE("descriptor modes: noted per descriptor, blocking by default, forgotten by range", "[descriptors]") {
    forget_descriptor_modes(0, kTrackedDescriptors);
    CHECK_FALSE(known_nonblocking(5));
    note_descriptor_mode(5, true);
    note_descriptor_mode(64, true);
    note_descriptor_mode(200, true);
    CHECK(known_nonblocking(5));
    CHECK_FALSE(known_nonblocking(4));
    CHECK_FALSE(known_nonblocking(6));
    note_descriptor_mode(5, false);
    CHECK_FALSE(known_nonblocking(5));
    note_descriptor_mode(-1, true);  // a failed call's result
    note_descriptor_mode(kTrackedDescriptors, true);
    CHECK_FALSE(known_nonblocking(-1));
    CHECK_FALSE(known_nonblocking(kTrackedDescriptors));
    // A range across words, inclusive at both ends.
    for (int fd : {63, 64, 65, 127, 128, 199, 200, 201}) note_descriptor_mode(fd, true);
    forget_descriptor_modes(64, 200);
    for (int fd : {64, 65, 127, 128, 199, 200}) CHECK_FALSE(known_nonblocking(fd));
    CHECK(known_nonblocking(63));
    CHECK(known_nonblocking(201));
    forget_descriptor_modes(201, 201);
    CHECK_FALSE(known_nonblocking(201));
    forget_descriptor_modes(0, 0xffffffffu);  // closefrom(0)
    CHECK_FALSE(known_nonblocking(63));
}
