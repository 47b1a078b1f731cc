#include "CorrelationPanel.h"

#include "Async.h"
#include "CorrelationService.h"
#include "CorrelationView.h"
#include "PairList.h"
#include "train/TrainingData.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

namespace morph::ui {

CorrelationPanel::CorrelationPanel(CorrelationService* service, QWidget* parent) : QWidget(parent), service_(service)
{
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    noteSet_ = new QLabel(tr("Notes: open a dataset and select a note"));
    noteSet_->setObjectName(QStringLiteral("noteSet"));
    maxNotes_ = new QSpinBox;
    maxNotes_->setRange(2, 2000);
    maxNotes_->setValue(QSettings().value(QStringLiteral("correlation/maxNotes"), 120).toInt());
    maxNotes_->setPrefix(tr("at most "));
    maxNotes_->setSuffix(tr(" notes"));
    maxNotes_->setToolTip(tr("Larger sets are thinned evenly (every k-th note of the sorted set)"));
    connect(maxNotes_, &QSpinBox::valueChanged, this,
            [](int v) { QSettings().setValue(QStringLiteral("correlation/maxNotes"), v); });
    compute_ = new QPushButton(tr("&Compute"));
    compute_->setObjectName(QStringLiteral("computeCorrelation"));
    compute_->setToolTip(tr("Encode the notes with the model and correlate their embeddings (Ctrl+R)"));
    compute_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setToolTip(tr("Stop encoding (what is encoded stays cached)"));
    top->addWidget(noteSet_, 1);
    top->addWidget(maxNotes_);
    top->addWidget(compute_);
    top->addWidget(cancel_);
    layout->addLayout(top);

    auto* splitter = new QSplitter(Qt::Horizontal);
    view_ = new CorrelationView;
    view_->setToolTip(QString()); // the view shows its own per-cell tooltips
    pairs_ = new PairList;
    splitter->addWidget(view_);
    splitter->addWidget(pairs_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({800, 520});
    layout->addWidget(splitter, 1);
    status_ = new QLabel;
    status_->setObjectName(QStringLiteral("correlationStatus"));
    status_->setWordWrap(true);
    layout->addWidget(status_);

    connect(compute_, &QPushButton::clicked, this, &CorrelationPanel::compute);
    connect(cancel_, &QPushButton::clicked, service_, &CorrelationService::cancel);
    connect(view_, &CorrelationView::cellClicked, this, [this](int row, int column) {
        const auto result = service_->result();
        if (!result || row == column) return;
        emit pairChosen(result->notes[static_cast<std::size_t>(row)], result->notes[static_cast<std::size_t>(column)]);
    });
    connect(pairs_, &PairList::pairActivated, this, &CorrelationPanel::pairChosen);
    connect(service_, &CorrelationService::started, this, [this](int total) {
        status_->setText(tr("Encoding %1 notes…").arg(total));
        view_->clearMatrix(tr("Encoding %1 notes…").arg(total));
        pairs_->clear();
        updateButtons();
    });
    connect(service_, &CorrelationService::progress, this, [this](int done, int total) {
        status_->setText(tr("Encoding: %1 / %2 notes").arg(done).arg(total));
    });
    connect(service_, &CorrelationService::finished, this, &CorrelationPanel::onFinished);
    connect(service_, &CorrelationService::cancelled, this, [this] {
        status_->setText(tr("Cancelled (notes encoded so far stay cached)."));
        view_->clearMatrix(tr("Cancelled"));
        updateButtons();
    });
    connect(service_, &CorrelationService::failed, this, [this](const QString& message) {
        status_->setText(tr("Cannot correlate: %1").arg(message));
        view_->clearMatrix(tr("No matrix"));
        updateButtons();
    });
    updateButtons();
}

void CorrelationPanel::setDataset(std::shared_ptr<const NSynthDataset> dataset)
{
    dataset_ = std::move(dataset);
    lastNotes_.clear();
    pair_.reset();
    hasQuery_ = false;
    ++queryGeneration_;
    querying_ = false;
    view_->clearMatrix();
    pairs_->clear();
    noteSet_->setText(tr("Notes: select a note in the browser"));
    updateButtons();
}

void CorrelationPanel::setQuery(const NoteQuery& query, const QString& description)
{
    query_ = query;
    hasQuery_ = true;
    noteSet_->setText(tr("Notes: %1").arg(description));
    updateButtons();
}

void CorrelationPanel::setMaxNotes(int notes) { maxNotes_->setValue(notes); }

bool CorrelationPanel::busy() const { return querying_ || service_->busy(); }

QString CorrelationPanel::statusText() const { return status_->text(); }

void CorrelationPanel::compute()
{
    if (!dataset_ || !hasQuery_) return;
    if (!service_->ready()) {
        status_->setText(tr("Load a model first (File › Open Model…)."));
        return;
    }
    const std::uint64_t generation = ++queryGeneration_;
    querying_ = true;
    updateButtons();
    const std::size_t maxNotes = static_cast<std::size_t>(maxNotes_->value());
    runAsync(
        this, [dataset = dataset_, query = query_, maxNotes] { return spreadSubset(dataset->query(query), maxNotes); },
        [this, generation](Outcome<std::vector<std::size_t>> outcome) {
            if (generation != queryGeneration_) return;
            querying_ = false;
            if (!outcome.ok()) {
                status_->setText(tr("Cannot list the notes: %1").arg(outcome.error));
            } else if (outcome.value->size() < 2) {
                status_->setText(tr("Fewer than two notes match: widen the browser's filters."));
            } else {
                start(std::move(*outcome.value));
            }
            updateButtons();
        });
}

void CorrelationPanel::recompute()
{
    if (!lastNotes_.empty() && service_->ready()) start(lastNotes_);
}

void CorrelationPanel::start(std::vector<std::size_t> notes)
{
    lastNotes_ = notes;
    service_->compute(std::move(notes));
    updateButtons();
}

void CorrelationPanel::onFinished(std::shared_ptr<const CorrelationResult> result)
{
    view_->setMatrix(result->matrix, result->labels);
    pairs_->setResult(result);
    if (pair_) showPair(pair_->first, pair_->second);
    float lo = 1.f, hi = -1.f;
    const std::size_t n = result->matrix.size;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            lo = std::min(lo, result->matrix.at(i, j));
            hi = std::max(hi, result->matrix.at(i, j));
        }
    QString text = tr("%1 notes in %2 s (%3 from the cache); r from %4 to %5. Click a cell or double-click a pair "
                      "to morph it.")
                       .arg(n)
                       .arg(result->seconds, 0, 'f', 1)
                       .arg(result->fromCache)
                       .arg(lo, 0, 'f', 3)
                       .arg(hi, 0, 'f', 3);
    if (result->failed > 0)
        text += tr(" %1 notes could not be encoded: %2").arg(result->failed).arg(result->lastError);
    status_->setText(text);
    updateButtons();
}

void CorrelationPanel::showPair(std::size_t noteA, std::size_t noteB)
{
    pair_ = std::make_pair(noteA, noteB);
    const auto result = service_->result();
    if (!result) return;
    const auto a = std::find(result->notes.begin(), result->notes.end(), noteA);
    const auto b = std::find(result->notes.begin(), result->notes.end(), noteB);
    if (a == result->notes.end() || b == result->notes.end()) {
        view_->setSelectedCell(-1, -1);
        return;
    }
    view_->setSelectedCell(static_cast<int>(a - result->notes.begin()), static_cast<int>(b - result->notes.begin()));
}

void CorrelationPanel::updateButtons()
{
    const bool running = busy();
    compute_->setEnabled(dataset_ && hasQuery_ && !querying_);
    cancel_->setEnabled(running);
}

} // namespace morph::ui
