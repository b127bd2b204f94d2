#include "dashboard/server/http/bounded_json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <cstring>
#include <string>

#include "transport/utf8.h"

namespace siagent::dashboard {
namespace {

using rapidjson::SizeType;

// Forwards SAX events to `Next` while counting; returning false stops the reader, and
// `failure` then says which bound was hit.
template <class Next>
class LimitingHandler {
public:
    // `check_surrogates`: false when the text has no \ud or \uD escape at all, so no
    // string can decode to a surrogate (surrogate_escape_possible).
    LimitingHandler(Next& next, const Limits& limits, bool check_surrogates)
        : next_(next), limits_(limits), check_surrogates_(check_surrogates) {}

    bool Null() { return value() && next_.Null(); }
    bool Bool(bool b) { return value() && next_.Bool(b); }
    bool Int(int i) { return value() && next_.Int(i); }
    bool Uint(unsigned u) { return value() && next_.Uint(u); }
    bool Int64(int64_t i) { return value() && next_.Int64(i); }
    bool Uint64(uint64_t u) { return value() && next_.Uint64(u); }
    bool Double(double d) { return value() && next_.Double(d); }
    bool RawNumber(const char* s, SizeType n, bool copy) { return value() && next_.RawNumber(s, n, copy); }
    bool String(const char* s, SizeType n, bool copy) { return string(s, n) && next_.String(s, n, copy); }
    bool Key(const char* s, SizeType n, bool copy) { return string(s, n) && next_.Key(s, n, copy); }
    bool StartObject() { return open() && next_.StartObject(); }
    bool EndObject(SizeType members) { --depth_; return next_.EndObject(members); }
    bool StartArray() { return open() && next_.StartArray(); }
    bool EndArray(SizeType elements) { --depth_; return next_.EndArray(elements); }

    std::optional<Failure> failure;

private:
    bool value() {
        if (++nodes_ <= limits_.json_nodes) return true;
        failure = Failure{413, "json: more than " + std::to_string(limits_.json_nodes) + " values"};
        return false;
    }
    bool string(const char* text, SizeType length) {
        if (length > limits_.string_bytes) {
            failure = Failure{413, "json: a string is longer than " +
                                       std::to_string(limits_.string_bytes) + " bytes"};
            return false;
        }
        if (check_surrogates_ && holds_surrogate(text, length)) {
            failure = Failure{400, "json: a string holds an unpaired UTF-16 surrogate (\\udXXX)"};
            return false;
        }
        return value();
    }
    // The raw input's UTF-8 is checked before parsing, but a \udcff escape decodes to the
    // three bytes of a surrogate code point (ED B3 BF), which is not UTF-8: a paired
    // escape decodes to a 4-byte sequence instead, so any ED A0..BF here is unpaired.
    static bool holds_surrogate(const char* text, SizeType length) {
        const char* end = text + length;
        for (const char* at = text; (at = static_cast<const char*>(std::memchr(at, 0xED, end - at))); ++at) {
            if (at + 1 == end) return false;
            const auto next = static_cast<unsigned char>(at[1]);
            if (next >= 0xA0 && next <= 0xBF) return true;
        }
        return false;
    }
    bool open() {
        if (++depth_ > limits_.json_depth) {
            failure = Failure{400, "json: nested deeper than " + std::to_string(limits_.json_depth)};
            return false;
        }
        return value();
    }

    Next& next_;
    const Limits& limits_;
    const bool check_surrogates_;
    size_t depth_ = 0;
    size_t nodes_ = 0;
};

// Whether the text holds a backslash followed by "ud" or "uD" anywhere: the only way a string
// can decode to a surrogate, since the raw UTF-8 is checked and holds none. One pass over
// the body instead of a search of every string (memchr per string was 3.5 % of an upload's
// ingest); an escaped backslash followed by "ud" counts too, which only turns the check on.
bool surrogate_escape_possible(const std::string& text) {
    const char* end = text.data() + text.size();
    for (const char* at = text.data(); (at = static_cast<const char*>(std::memchr(at, '\\', end - at))); ++at) {
        if (end - at >= 3 && at[1] == 'u' && (at[2] == 'd' || at[2] == 'D')) return true;
    }
    return false;
}

}  // namespace

std::optional<Failure> parse_bounded_json(const std::string& text, const Limits& limits,
                                          rapidjson::Document& document) {
    // The whole body's UTF-8 is checked up front, eight ASCII bytes at a time: the reader's
    // own check (kParseValidateEncodingFlag) goes byte by byte through its transcoder and was
    // the largest part of an upload's parsing. Bytes outside strings that are not ASCII are
    // a syntax error either way.
    if (!is_valid_utf8(text)) return Failure{400, "json: the body is not valid UTF-8"};
    // The reader's stream ends at the first NUL (c_str's terminator), and copies strings'
    // unescaped runs 16 bytes at a time (RAPIDJSON_SSE2, transport/meson.build). A NUL inside
    // the text would end it early and hide what follows: JSON allows none anywhere.
    if (text.find('\0') != std::string::npos) return Failure{400, "json: the body holds a NUL byte"};
    std::optional<Failure> failure;
    const bool check_surrogates = surrogate_escape_possible(text);
    auto generator = [&](rapidjson::Document& handler) {
        LimitingHandler<rapidjson::Document> limiting(handler, limits, check_surrogates);
        rapidjson::StringStream stream(text.c_str());
        rapidjson::Reader reader;
        const rapidjson::ParseResult parsed = reader.Parse<rapidjson::kParseIterativeFlag>(stream, limiting);
        if (parsed) return true;
        if (limiting.failure) {
            failure = limiting.failure;
        } else {
            failure = Failure{400, std::string("json: ") + rapidjson::GetParseError_En(parsed.Code()) +
                                       " at offset " + std::to_string(parsed.Offset())};
        }
        return false;
    };
    document.Populate(generator);
    return failure;
}

}  // namespace siagent::dashboard
