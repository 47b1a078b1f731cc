#pragma once
// Runs a function on Qt's global thread pool and delivers its outcome to a callback on the
// thread of `context` (the GUI thread for widgets). Errors thrown by the work (morph::Error or
// any std::exception) arrive as a message, never as a swallowed exception. If `context` is
// destroyed first, the callback is not called.
//
// Thread contract: call runAsync() from the thread that owns `context`; `work` runs on a pool
// thread and must only touch data it owns or immutable shared data (e.g. an NSynthDataset).
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace morph::ui {

template <typename T>
struct Outcome {
    std::optional<T> value; // set on success
    QString error;          // set on failure
    bool ok() const { return value.has_value(); }
};

template <typename Work, typename Done>
void runAsync(QObject* context, Work work, Done done)
{
    using T = std::invoke_result_t<Work>;
    auto* watcher = new QFutureWatcher<Outcome<T>>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, done = std::move(done)]() mutable {
        Outcome<T> outcome = watcher->result();
        watcher->deleteLater();
        done(std::move(outcome));
    });
    watcher->setFuture(QtConcurrent::run([work = std::move(work)]() mutable {
        Outcome<T> outcome;
        try {
            outcome.value.emplace(work());
        } catch (const std::exception& e) { // typed morph errors included: reported to the user
            outcome.error = QString::fromStdString(e.what());
        }
        return outcome;
    }));
}

} // namespace morph::ui
