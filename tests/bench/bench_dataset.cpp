// Dataset benchmarks (figures, not pass/fail):
//  1. Indexing a full-NSynth-sized split: a generated examples.json with 305,979 entries in
//     NSynth's exact pretty-printed format (~210 MB) and an audio/ folder holding 305,979 EMPTY
//     .wav files (the index only lists audio/, it never opens the WAVs, so empty files measure
//     the real cost of the existence check). Generated once under $MORPH_BENCH_DIR (default
//     /tmp/morph-bench-nsynth) and reused.
//     Cold (no cache; parse + validate + audio listing + cache write) and cached opens each run
//     in a fresh child process, which prints its wall time and peak RSS (VmHWM) before/after.
//  2. render-dataset throughput: the default dataset (GM programs 0-119, pitches 36..84 step 4,
//     velocities 75 and 127) rendered from FluidR3_GM.sf2 into $MORPH_BENCH_DIR/render.
#include "dataset/NSynthDataset.h"
#include "render/DatasetRenderer.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace morph;

namespace {

constexpr std::size_t kNotes = 305979;

long statusKb(const char* field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::size_t n = std::strlen(field);
    while (std::getline(in, line))
        if (line.compare(0, n, field) == 0)
            return std::atol(line.c_str() + n + 1);
    return -1;
}

/// User + system CPU seconds of this process so far.
double cpuSeconds()
{
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
           + 1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

std::string loadAverage()
{
    std::ifstream in("/proc/loadavg");
    std::string a;
    in >> a;
    return a;
}

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string entry(const std::string& instrumentStr, int family, int source, int instrument, int pitch, int velocity,
                  int note)
{
    const std::string noteStr = formatNoteStr(instrumentStr, pitch, velocity);
    const bool fast = (note % 7) == 0, dark = (note % 5) == 0;
    std::string s;
    s.reserve(700);
    s += "    \"" + noteStr + "\": {\n        \"qualities\": [\n";
    const int q[10] = {0, dark, 0, fast, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 10; ++i)
        s += "            " + std::to_string(q[i]) + (i < 9 ? ",\n" : "\n");
    s += "        ],\n        \"pitch\": " + std::to_string(pitch) + ",\n        \"note\": " + std::to_string(note)
         + ",\n        \"instrument_source_str\": \"" + sourceName(source) + "\",\n        \"velocity\": "
         + std::to_string(velocity) + ",\n        \"instrument_str\": \"" + instrumentStr
         + "\",\n        \"instrument\": " + std::to_string(instrument) + ",\n        \"sample_rate\": 16000,\n";
    if (!dark && !fast) {
        s += "        \"qualities_str\": [],\n";
    } else {
        s += "        \"qualities_str\": [\n";
        if (dark)
            s += std::string("            \"dark\"") + (fast ? ",\n" : "\n");
        if (fast)
            s += "            \"fast_decay\"\n";
        s += "        ],\n";
    }
    s += "        \"instrument_source\": " + std::to_string(source) + ",\n        \"note_str\": \"" + noteStr
         + "\",\n        \"instrument_family\": " + std::to_string(family) + ",\n        \"instrument_family_str\": \""
         + familyName(family) + "\"\n    }";
    return s;
}

void generate(const fs::path& split)
{
    std::printf("generating %zu entries + %zu empty WAVs in %s (once)...\n", kNotes, kNotes, split.c_str());
    std::fflush(stdout);
    const double t0 = now();
    fs::create_directories(split / "audio");
    const fs::path tmp = split / "examples.json.tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    std::fputs("{\n", f);
    int counters[11][3] = {};
    std::size_t note = 0;
    const int velocities[5] = {25, 50, 75, 100, 127};
    for (int inst = 0; note < kNotes; ++inst) {
        const int family = inst % 11, source = (inst / 11) % 3;
        char num[16];
        std::snprintf(num, sizeof num, "%03d", counters[family][source]++);
        const std::string instrumentStr = std::string(familyName(family)) + "_" + sourceName(source) + "_" + num;
        for (int pitch = 21; pitch <= 108 && note < kNotes; ++pitch)
            for (int v = 0; v < 5 && note < kNotes; ++v) {
                const std::string e = entry(instrumentStr, family, source, inst, pitch, velocities[v], static_cast<int>(note));
                std::fputs(e.c_str(), f);
                std::fputs(note + 1 < kNotes ? ",\n" : "\n", f);
                const std::string wav = (split / "audio" / (formatNoteStr(instrumentStr, pitch, velocities[v]) + ".wav")).string();
                const int fd = ::open(wav.c_str(), O_CREAT | O_WRONLY, 0644);
                if (fd >= 0)
                    ::close(fd);
                ++note;
            }
    }
    std::fputs("}\n", f);
    std::fclose(f);
    fs::rename(tmp, split / "examples.json");
    std::printf("generated in %.1f s\n", now() - t0);
}

int child(const std::string& mode, const fs::path& root)
{
    DatasetOpenOptions o;
    if (mode == "cold") {
        std::error_code ec;
        fs::remove(root / "nsynth-train" / ".morph-index.bin", ec);
    }
    if (mode == "nocache")
        o.useCache = false;
    const long hwmBefore = statusKb("VmHWM:");
    const long rssBefore = statusKb("VmRSS:");
    const double t0 = now();
    const double c0 = cpuSeconds();
    const NSynthDataset ds = NSynthDataset::open(root, o);
    const double t1 = now();
    const double cpu = cpuSeconds() - c0;
    NoteQuery q;
    q.family = 3;
    q.pitchMin = 60;
    q.pitchMax = 72;
    const std::size_t hits = ds.query(q).size();
    const double t2 = now();
    const DatasetCounts c = ds.counts();
    const double t3 = now();
    std::printf("  %-8s open %.3f s wall, %.3f s CPU (%s), %zu notes, %zu problems | query %.1f ms (%zu hits), counts %.1f ms | "
                "VmRSS before %ld MB, VmHWM before %ld MB, after %ld MB (delta %ld MB)\n",
                mode.c_str(), t1 - t0, cpu, ds.sources()[0].fromCache ? "from cache" : "parsed", ds.size(), ds.problems().size(),
                (t2 - t1) * 1e3, hits, (t3 - t2) * 1e3, rssBefore / 1024, hwmBefore / 1024, statusKb("VmHWM:") / 1024,
                (statusKb("VmHWM:") - rssBefore) / 1024);
    return c.notes == kNotes ? 0 : 1;
}

void runChild(const char* self, const std::string& mode, const fs::path& root)
{
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execl(self, self, "--child", mode.c_str(), root.c_str(), static_cast<char*>(nullptr));
        std::_Exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 4 && std::string(argv[1]) == "--child")
        return child(argv[2], argv[3]);

    const char* env = std::getenv("MORPH_BENCH_DIR");
    const fs::path base = env && *env ? fs::path(env) : fs::path("/tmp/morph-bench-nsynth");
    const fs::path root = base / "index";
    const fs::path split = root / "nsynth-train";
    if (!fs::exists(split / "examples.json"))
        generate(split);
    std::printf("bench_dataset: index of %zu notes, examples.json %.1f MB, audio/ with %zu empty files; %u cores, load average %s\n",
                kNotes, static_cast<double>(fs::file_size(split / "examples.json")) / 1e6, kNotes,
                std::thread::hardware_concurrency(), loadAverage().c_str());
    std::fflush(stdout);
    const fs::path self = fs::read_symlink("/proc/self/exe");
    // Warm the page cache first so that "cold" measures parsing, not the disk.
    runChild(self.c_str(), "nocache", root);
    runChild(self.c_str(), "nocache", root);
    runChild(self.c_str(), "cold", root);
    runChild(self.c_str(), "cached", root);
    runChild(self.c_str(), "cached", root);

    const fs::path sf = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
    if (!fs::exists(sf)) {
        std::printf("render: skipped (no %s)\n", sf.c_str());
        return 0;
    }
    render::RenderOptions ro;
    ro.soundfont = sf;
    ro.outDir = base / "render";
    ro.force = true;
    double c0 = cpuSeconds();
    const render::RenderReport r = render::renderDataset(ro);
    std::printf("render-dataset (default options, load average %s): %s; %.1f s CPU\n", loadAverage().c_str(),
                r.summary().c_str(), cpuSeconds() - c0);
    ro.jobs = 1;
    c0 = cpuSeconds();
    const render::RenderReport r1 = render::renderDataset(ro);
    std::printf("render-dataset (--jobs 1): %.1f notes/s (%.1f s wall, %.1f s CPU)\n", r1.notesPerSecond, r1.seconds,
                cpuSeconds() - c0);
    return 0;
}
