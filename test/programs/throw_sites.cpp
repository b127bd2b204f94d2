// Known truth: three exception types thrown from three sites, every one caught.
// Usage: throw_sites ROUNDS
// Each round, in this order: parse_site throws ParseError 3 times (directly); lookup_site
// throws std::out_of_range 2 times (from libstdc++'s vector::at) and Code once (through
// throw_code); code_site throws Code 2 times (through throw_code). So per round:
//   ParseError 3, std::out_of_range 2, Code 3; parse_site 3, lookup_site 3, code_site 2.
// The very first ParseError carries a 300-byte message (what() is cut at 256 bytes).
// Prints "truth <name> <count>" for every type and site, then "caught <n>".
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct ParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Code {  // not a std::exception: no message
    int value;
};

long caught = 0;
std::vector<int> small_table(4, 0);

__attribute__((noinline)) void throw_code(int value) { throw Code{value}; }

__attribute__((noinline)) void parse_site(long round, int i) {
    if (round == 0 && i == 0) throw ParseError(std::string(300, 'x'));
    throw ParseError("bad token");
}

__attribute__((noinline)) void lookup_site(int index, bool code) {
    if (code) throw_code(index);
    small_table.at(static_cast<size_t>(index));  // index >= 4: throws std::out_of_range
}

__attribute__((noinline)) void code_site(int value) { throw_code(value); }

template <typename Call>
void caught_call(Call call) {
    try {
        call();
    } catch (const std::exception&) {
        ++caught;
    } catch (const Code&) {
        ++caught;
    }
}

}  // namespace

int main(int argc, char** argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 10;
    for (long round = 0; round < rounds; ++round) {
        for (int i = 0; i < 3; ++i) caught_call([&] { parse_site(round, i); });
        for (int i = 0; i < 2; ++i) caught_call([&] { lookup_site(10 + i, false); });
        caught_call([&] { lookup_site(7, true); });
        for (int i = 0; i < 2; ++i) caught_call([&] { code_site(i); });
    }
    printf("truth ParseError %ld\ntruth out_of_range %ld\ntruth Code %ld\n", 3 * rounds,
           2 * rounds, 3 * rounds);
    printf("truth parse_site %ld\ntruth lookup_site %ld\ntruth code_site %ld\n", 3 * rounds,
           3 * rounds, 2 * rounds);
    printf("caught %ld\n", caught);
    return caught == 8 * rounds ? 0 : 1;
}
