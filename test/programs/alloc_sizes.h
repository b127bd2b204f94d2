// Deterministic mixed allocation sizes for the allocation test programs: log-uniform from
// 16 bytes to 64 KiB, from a small per-caller generator (no shared state, no allocation).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

// Makes `block` escape, so the compiler cannot pair a malloc with its free and remove both.
inline void keep(void* block) { asm volatile("" : : "r"(block) : "memory"); }

struct SizeGenerator {
    uint64_t state;
    explicit SizeGenerator(uint64_t seed) : state(seed * 2654435761u + 1) {}
    uint64_t next_random() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
    // 16 B .. 64 KiB, log-uniform: 2^(4 + 12 u).
    size_t next_size() {
        double u = static_cast<double>(next_random() >> 11) / 9007199254740992.0;
        return static_cast<size_t>(std::exp2(4.0 + 12.0 * u));
    }
};
