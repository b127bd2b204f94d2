// AnomalyRules against a real SQLite storage: the leak rule names the growing allocation
// site from the stored heap profiles, the regression rule compares versions and reports
// once, the error rule knows the app's stored past. Times are synthetic.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "dashboard/server/anomaly/anomaly_rules.h"
#include "dashboard/server/sqlite/sqlite_storage.h"
#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;
using namespace siagent::testing;

namespace {

constexpr double kMiB = 1 << 20;

struct RulesFixture {
    TempDatabase db;
    Storage& storage = db.storage();
    int64_t account = storage.create_account("rules", kNow).value();
    anomaly::RuleSettings settings;
    anomaly::AnomalyRules rules;

    // Stores one upload of `process` at `now` and returns what the rules found.
    std::vector<AnomalyRow> upload(const Envelope& process, const std::vector<ReportToStore>& reports, int64_t now) {
        const ProcessKey key = storage.record_process(account, process, now);
        storage.store_reports(key, reports);
        return rules.observe(storage, settings, account, key, process, reports, now);
    }

    // Regression checks over 600 s periods every `interval`, after 1.0 ran for 500 s with
    // burn at 20 % of its CPU (no anomaly: there is nothing to compare it with yet).
    Envelope version_one_history(int64_t interval) {
        settings.regression_period = 600;
        settings.regression_interval = interval;
        const Envelope v1 = envelope("svc", "h1", 1, "1.0");
        for (int i = 0; i < 6; ++i) CHECK(upload(v1, {cpu_report(kNow + 100 * i, 20, 80)}, kNow + 100 * i).empty());
        return v1;
    }
};

ReportToStore heap_metric(int64_t time, double bytes, const std::string& name = "Heap in use") {
    ReportToStore report;
    report.series = SeriesKey{"state", "memory", name, "byte"};
    report.timestamp = time;
    report.value = bytes;
    return report;
}

ReportToStore heap_profile(int64_t time, double leaking, double stable, const std::string& name = "Heap in use") {
    return profile_report(SeriesKey{"profile", "memory-profile", name, "byte"}, time,
                          {{"leak_here (leak.cpp:5)", leaking}, {"stable (stable.cpp:9)", stable}});
}

ReportToStore exceptions(int64_t time, const std::vector<std::pair<std::string, std::string>>& type_sites) {
    ReportToStore report;
    report.series = SeriesKey{"profile", "error-profile", "Exceptions", ""};
    report.timestamp = time;
    report.blob = CallTree().encode();
    for (const auto& [type, site] : type_sites) {
        report.errors.push_back(ErrorEvent{type, type + ": oops", site, {site, "main (demo.cpp:3)"}, 2});
        report.value += 2;
    }
    return report;
}

rapidjson::Document detail_of(const AnomalyRow& row) {
    rapidjson::Document detail;
    detail.Parse(row.detail.c_str());
    REQUIRE(detail.IsObject());
    return detail;
}

}  // namespace

TEST_CASE("anomaly rules: a growing heap is a leak naming the growing allocation site", "[dashboard][anomaly]") {
    RulesFixture f;
    f.settings.leak_window = 600;
    const Envelope process = envelope("leaky", "h1", 10);
    // A working set larger than the leak that turns over without a trend: not a leaking site.
    auto churn = [](int i) { return 8 * kMiB + ((i * 7) % 5) * 2 * kMiB; };
    std::vector<AnomalyRow> leaks;
    for (int i = 0; i < 30; ++i) {
        const int64_t t = kNow + 60 * i;
        for (AnomalyRow& row : f.upload(process, {heap_metric(t, 8 * kMiB + 0.5 * kMiB * i),
                                                  heap_profile(t, 0.5 * kMiB * i, churn(i))}, t)) {
            leaks.push_back(row);
        }
    }
    REQUIRE(leaks.size() == 1);
    const AnomalyRow& leak = leaks[0];
    CHECK(leak.kind == "leak");
    CHECK(leak.name == "Heap in use");
    CHECK(leak.host == "h1");
    CHECK(leak.environment == "prod");
    CHECK(leak.value == Approx(30 * kMiB).epsilon(0.01));  // per hour
    CHECK(leak.message.find("leak_here (leak.cpp:5)") != std::string::npos);
    CHECK(leak.message.find("stable") == std::string::npos);
    auto detail = detail_of(leak);
    REQUIRE(detail["sites"].Size() >= 1);
    CHECK(std::string(detail["sites"][0]["function"].GetString()) == "leak_here");
    CHECK(detail["sites"][0]["line"].GetInt() == 5);
    CHECK(detail["sites"][0]["growth_bytes_per_second"].GetDouble() == Approx(0.5 * kMiB / 60).epsilon(0.05));
    CHECK(std::string(detail["profile"]["kind"].GetString()) == "inuse");
    CHECK(detail["profile"]["to"].GetInt64() == leak.time);

    // Stored and listed with its detail.
    const ProcessKey key = f.storage.record_process(f.account, process, kNow);
    f.storage.add_anomalies(key.app_id, leaks);
    auto listed = f.storage.anomalies(AppScope{f.account, key.app_id}, 0, kNow + 10'000, 10);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].detail == leak.detail);
}

// The names the original agents send (recorded: test/dashboard/api/recorded): Go's live heap
// is the metric "Allocated memory" and the profile "Heap allocation"; Node.js's resident
// memory is "RSS" in bytes, with no heap-in-use profile.
TEST_CASE("anomaly rules: the leak rule reads the Go and Node.js agents' memory names", "[dashboard][anomaly]") {
    RulesFixture f;
    f.settings.leak_window = 600;
    std::vector<AnomalyRow> go, node;
    for (int i = 0; i < 40; ++i) {
        const int64_t t = kNow + 60 * i;
        for (AnomalyRow& row : f.upload(envelope("go-svc", "h1", 10),
                                        {heap_metric(t, 8 * kMiB + 0.5 * kMiB * i, "Allocated memory"),
                                         heap_profile(t, 0.5 * kMiB * i, 8 * kMiB, "Heap allocation")}, t)) {
            go.push_back(row);
        }
        for (AnomalyRow& row : f.upload(envelope("node-svc", "h1", 11), {heap_metric(t, 40 * kMiB + kMiB * i, "RSS")}, t)) {
            node.push_back(row);
        }
    }
    REQUIRE(go.size() == 1);
    CHECK(go[0].name == "Allocated memory");
    CHECK(go[0].message.find("leak_here (leak.cpp:5)") != std::string::npos);
    REQUIRE(node.size() == 1);
    CHECK(node[0].name == "RSS");
    CHECK(node[0].value == Approx(60 * kMiB).epsilon(0.01));  // per hour
}

TEST_CASE("anomaly rules: a leak found before its heap profiles waits for them, then gives up", "[dashboard][anomaly]") {
    RulesFixture f;
    f.settings.leak_window = 600;  // patience: a quarter of the window judged on
    auto leak_of = [&](const std::string& app, int first_profile) {
        const Envelope process = envelope(app, "h1", 10);
        std::vector<std::pair<int, AnomalyRow>> found;
        for (int i = 0; i < 40; ++i) {
            const int64_t t = kNow + 60 * i;
            std::vector<ReportToStore> reports = {heap_metric(t, 8 * kMiB + 0.5 * kMiB * i)};
            if (i >= first_profile) reports.push_back(heap_profile(t, 0.5 * kMiB * i, 8 * kMiB));
            for (AnomalyRow& row : f.upload(process, reports, t)) found.push_back({i, row});
        }
        return found;
    };
    // Heap profiles from the 6th point on: the trend is found at the 7th (a young window of
    // 420 s: 8 points clear of its bar), when 2 profiles are stored; the anomaly comes at the
    // 9th, when 4 name the site, with the time it was found.
    auto late = leak_of("late", 6);
    REQUIRE(late.size() == 1);
    CHECK(late[0].first == 9);
    CHECK(late[0].second.message.find("leak_here (leak.cpp:5)") != std::string::npos);
    CHECK(late[0].second.time == kNow + 60 * 7);
    // No heap profile at all: reported without sites once the patience is spent, a quarter
    // of the 420 s window.
    auto never = leak_of("never", 1000);
    REQUIRE(never.size() == 1);
    CHECK(never[0].second.message.find("no heap-in-use profile") != std::string::npos);
    CHECK(kNow + 60 * never[0].first - never[0].second.time >= 105);
    CHECK(kNow + 60 * never[0].first - never[0].second.time < 105 + 60);
}

TEST_CASE("anomaly rules: a function slower in the new version is a regression, reported once", "[dashboard][anomaly]") {
    RulesFixture f;
    f.version_one_history(1);
    const Envelope v2 = envelope("svc", "h1", 2, "2.0");
    std::vector<AnomalyRow> found;
    for (int i = 0; i < 6; ++i) {
        const int64_t t = kNow + 1000 + 100 * i;
        for (AnomalyRow& row : f.upload(v2, {cpu_report(t, 50, 50)}, t)) found.push_back(row);
    }
    REQUIRE(found.size() == 1);
    const AnomalyRow& regression = found[0];
    CHECK(regression.kind == "regression");
    CHECK(regression.category == "cpu-profile");
    CHECK(regression.name == "burn");
    CHECK(regression.value == Approx(0.5));
    CHECK(regression.message.find("burn (demo.cpp:10): 20.0 % → 50.0 %") != std::string::npos);
    CHECK(regression.message.find("version 2.0 against 1.0") != std::string::npos);
    auto detail = detail_of(regression);
    CHECK(std::string(detail["basis"].GetString()) == "version");
    CHECK(std::string(detail["profile_kind"].GetString()) == "cpu");
    CHECK(detail["before_share"].GetDouble() == Approx(0.2));
    CHECK(std::string(detail["before"]["version"].GetString()) == "1.0");
    CHECK(std::string(detail["after"]["version"].GetString()) == "2.0");
    CHECK(detail["before"]["to"].GetInt64() == kNow + 500);
}

TEST_CASE("anomaly rules: a new version running beside the old one gets its own checks", "[dashboard][anomaly]") {
    RulesFixture f;
    const Envelope v1 = f.version_one_history(300);
    const Envelope v2 = envelope("svc", "h2", 2, "2.0");
    // Then both, the old one first each time: with one schedule per app it would take every
    // check, and 1.0 has no previous version to compare with.
    size_t found = 0;
    for (int i = 0; i < 12; ++i) {
        const int64_t t = kNow + 1000 + 60 * i;
        found += f.upload(v1, {cpu_report(t, 20, 80)}, t).size();
        found += f.upload(v2, {cpu_report(t, 50, 50)}, t).size();
    }
    CHECK(found == 1);
}

TEST_CASE("anomaly rules: one report a side is too little to call a regression", "[dashboard][anomaly]") {
    RulesFixture f;
    f.settings.regression_period = 600;
    f.settings.regression_interval = 1;
    CHECK(f.upload(envelope("svc", "h1", 1, "1.0"), {cpu_report(kNow, 20, 80)}, kNow).empty());
    CHECK(f.upload(envelope("svc", "h1", 2, "2.0"), {cpu_report(kNow + 700, 90, 10)}, kNow + 700).empty());
}

TEST_CASE("anomaly rules: a period regression needs the previous period, and checks are spaced", "[dashboard][anomaly]") {
    RulesFixture f;
    f.settings.regression_period = 600;
    f.settings.regression_interval = 300;
    const Envelope process = envelope("svc", "h1", 1, "");  // no version: periods only
    int found = 0;
    for (int i = 0; i < 24; ++i) {
        const int64_t t = kNow + 60 * i;
        const bool slower = i >= 12;  // the second period's function costs more
        found += static_cast<int>(f.upload(process, {cpu_report(t, slower ? 60 : 20, slower ? 40 : 80)}, t).size());
    }
    CHECK(found == 1);
}

TEST_CASE("anomaly rules: new exception types after warm-up, known from storage after a restart", "[dashboard][anomaly]") {
    RulesFixture f;
    f.settings.error_warmup = 60;
    const Envelope process = envelope("svc", "h1", 1);
    CHECK(f.upload(process, {exceptions(kNow + 10, {{"Startup", "boot (b.cpp:1)"}})}, kNow + 10).empty());
    CHECK(f.upload(process, {exceptions(kNow + 100, {{"Startup", "boot (b.cpp:1)"}})}, kNow + 100).empty());
    auto found = f.upload(process, {exceptions(kNow + 160, {{"Startup", "boot (b.cpp:1)"}, {"Timeout", "wait (w.cpp:7)"}})},
                          kNow + 160);
    REQUIRE(found.size() == 1);
    CHECK(found[0].kind == "error");
    CHECK(found[0].name == "Timeout");
    CHECK(found[0].value == 2);
    CHECK(found[0].message == "New exception type Timeout at wait (w.cpp:7), 2 times");
    CHECK(std::string(detail_of(found[0])["rule"].GetString()) == "new_type");
    CHECK(f.upload(process, {exceptions(kNow + 220, {{"Timeout", "wait (w.cpp:7)"}})}, kNow + 220).empty());

    // A restarted server knows the stored past: nothing seen before is new again.
    anomaly::AnomalyRules restarted;
    const ProcessKey key = f.storage.record_process(f.account, process, kNow + 280);
    const std::vector<ReportToStore> again{exceptions(kNow + 280, {{"Timeout", "wait (w.cpp:7)"}, {"Startup", "boot (b.cpp:1)"}})};
    f.storage.store_reports(key, again);
    CHECK(restarted.observe(f.storage, f.settings, f.account, key, process, again, kNow + 280).empty());
    const std::vector<ReportToStore> other_site{exceptions(kNow + 340, {{"Timeout", "poll (p.cpp:3)"}})};
    f.storage.store_reports(key, other_site);
    auto site = restarted.observe(f.storage, f.settings, f.account, key, process, other_site, kNow + 340);
    REQUIRE(site.size() == 1);
    CHECK(std::string(detail_of(site[0])["rule"].GetString()) == "new_site");
}
