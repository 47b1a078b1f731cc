// UI benchmark (figures, not pass/fail): time from "open this dataset" to a usable browser on a
// full-NSynth-sized index (305,979 notes), and the cost of browsing it.
// Dataset: $MORPH_BENCH_DIR/index (default /tmp/morph-bench-nsynth/index, made by bench_dataset)
// when present; otherwise a compact NSynth-format split with the same number of entries and
// empty WAV files is generated once under $MORPH_BENCH_DIR/ui-index (the index never opens
// the WAVs). Runs offscreen.
#include "DatasetBrowser.h"
#include "DatasetLoader.h"
#include "NoteFilterBar.h"
#include "NoteTableModel.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace morph;
using namespace morph::ui;

namespace {

constexpr int kInstruments = 1006;

void generate(const fs::path& split, std::size_t notes)
{
    std::printf("generating %zu entries + empty WAVs in %s (once)...\n", notes, split.c_str());
    fs::create_directories(split / "audio");
    std::ofstream json(split / "examples.json.tmp");
    json << "{";
    std::size_t n = 0;
    const int velocities[] = {25, 50, 75, 100, 127};
    for (int i = 0; i < kInstruments && n < notes; ++i) {
        const int family = i % kFamilyCount, source = i % kSourceCount;
        char inst[64];
        std::snprintf(inst, sizeof inst, "%s_%s_%03d", familyName(family), sourceName(source), i);
        for (int pitch = 9; pitch <= 120 && n < notes; ++pitch)
            for (int v : velocities) {
                if (n >= notes) break;
                const std::string noteStr = formatNoteStr(inst, pitch, v);
                json << (n ? "," : "") << "\"" << noteStr << "\":{\"qualities\":[" << (n % 3 == 0) << ",0,0,"
                     << (n % 7 == 0) << ",0,0,0,0,0,0],\"pitch\":" << pitch << ",\"note\":" << n
                     << ",\"instrument_source_str\":\"" << sourceName(source) << "\",\"velocity\":" << v
                     << ",\"instrument_str\":\"" << inst << "\",\"instrument\":" << i
                     << ",\"sample_rate\":16000,\"qualities_str\":[" << (n % 3 == 0 ? "\"bright\"" : "")
                     << (n % 3 == 0 && n % 7 == 0 ? "," : "") << (n % 7 == 0 ? "\"fast_decay\"" : "")
                     << "],\"instrument_source\":" << source << ",\"note_str\":\"" << noteStr
                     << "\",\"instrument_family\":" << family << ",\"instrument_family_str\":\"" << familyName(family)
                     << "\"}";
                std::ofstream(split / "audio" / (noteStr + ".wav"));
                ++n;
            }
    }
    json << "}";
    json.close();
    fs::rename(split / "examples.json.tmp", split / "examples.json");
}

double ms(const QElapsedTimer& t) { return t.nsecsElapsed() / 1e6; }

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const char* env = std::getenv("MORPH_BENCH_DIR");
    const fs::path base = env && *env ? fs::path(env) : fs::path("/tmp/morph-bench-nsynth");
    fs::path root = base / "index";
    if (!fs::exists(root / "nsynth-train" / "examples.json")) {
        root = base / "ui-index";
        if (!fs::exists(root / "nsynth-train" / "examples.json")) generate(root / "nsynth-train", 305979);
    }
    const QString path = QString::fromStdString(root.string());
    std::printf("dataset: %s\n", root.c_str());

    // 1. Open (index cache as it is on disk: run twice to see cold and cached) + outline.
    for (int run = 0; run < 2; ++run) {
        QElapsedTimer t;
        t.start();
        LoadedDataset loaded = DatasetLoader::load(path);
        const double openMs = ms(t);
        DatasetBrowser browser;
        browser.resize(1200, 700);
        browser.show();
        QElapsedTimer t2;
        t2.start();
        browser.setDataset(loaded.dataset, loaded.outline);
        const double setMs = ms(t2);
        browser.repaint();
        QCoreApplication::processEvents();
        const double paintMs = ms(t2);
        std::printf("run %d: %zu notes; open+outline %.0f ms; browser.setDataset %.1f ms; + first paint %.1f ms; "
                    "total to usable browser %.0f ms\n",
                    run + 1, loaded.dataset.size(), openMs, setMs, paintMs, openMs + paintMs);
        if (run == 1) {
            QSignalSpy finished(&browser, &DatasetBrowser::queryFinished);
            auto timeQuery = [&](const char* what, auto change) {
                QElapsedTimer q;
                q.start();
                change();
                if (!finished.wait(30000)) std::printf("  %s: no result\n", what);
                std::printf("  filter %-28s -> %7d rows in %6.1f ms (query on pool + model reset)\n", what,
                            browser.model()->rowCount(), ms(q));
            };
            timeQuery("velocity 127", [&] {
                browser.filterBar()->velocityBox()->setCurrentIndex(browser.filterBar()->velocityBox()->findData(127));
            });
            timeQuery("+ search \"keyboard\" (200 ms debounce)", [&] { browser.filterBar()->searchBox()->setText("keyboard"); });
            timeQuery("reset (all notes)", [&] {
                browser.filterBar()->reset();
                browser.filterBar()->searchBox()->setText(" ");
            });
            QSignalSpy sorted(browser.model(), &NoteTableModel::sortingFinished);
            auto timeSort = [&](const char* what, int column, Qt::SortOrder order) {
                QElapsedTimer t;
                t.start();
                browser.model()->sort(column, order);
                const double blocked = ms(t);
                if (browser.model()->isSorting() && !sorted.wait(30000)) std::printf("  sort: no result\n");
                std::printf("  sort %d rows by %-10s: GUI thread busy %.1f ms, sorted rows shown after %.1f ms\n",
                            browser.model()->rowCount(), what, blocked, ms(t));
            };
            timeSort("pitch", NoteTableModel::Pitch, Qt::DescendingOrder);
            timeSort("note name", NoteTableModel::NoteStr, Qt::AscendingOrder);
            QElapsedTimer s;
            s.start();
            browser.table()->scrollToBottom();
            browser.repaint();
            QCoreApplication::processEvents();
            std::printf("  scroll to the last row + paint: %.1f ms\n", ms(s));
        }
    }
    return 0;
}
