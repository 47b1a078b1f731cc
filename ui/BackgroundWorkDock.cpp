#include "BackgroundWorkDock.h"

#include "BackgroundJobs.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace morph::ui {

BackgroundWorkDock::BackgroundWorkDock(BackgroundJobs* jobs, QWidget* parent)
    : QDockWidget(tr("Background work"), parent), jobs_(jobs)
{
    setObjectName(QStringLiteral("BackgroundWorkDock"));
    auto* content = new QWidget;
    layout_ = new QVBoxLayout(content);
    layout_->setContentsMargins(6, 6, 6, 6);
    empty_ = new QLabel(tr("No background work running."));
    empty_->setEnabled(false);
    layout_->addWidget(empty_);
    layout_->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    setWidget(scroll);

    connect(jobs_, &BackgroundJobs::jobAdded, this, &BackgroundWorkDock::addRow);
    connect(jobs_, &BackgroundJobs::jobChanged, this, &BackgroundWorkDock::updateRow);
    connect(jobs_, &BackgroundJobs::jobFinished, this, &BackgroundWorkDock::removeRow);
}

void BackgroundWorkDock::addRow(int id)
{
    const BackgroundJobs::Job* job = jobs_->job(id);
    if (!job) return;
    Row row;
    row.widget = new QWidget;
    auto* grid = new QHBoxLayout(row.widget);
    grid->setContentsMargins(0, 0, 0, 0);
    row.title = new QLabel(job->title);
    row.bar = new QProgressBar;
    row.bar->setMinimumWidth(160);
    row.status = new QLabel;
    row.cancel = new QPushButton(tr("Cancel"));
    row.cancel->setEnabled(job->cancel.has_value());
    connect(row.cancel, &QPushButton::clicked, this, [this, id] { jobs_->cancel(id); });
    grid->addWidget(row.title);
    grid->addWidget(row.bar, 1);
    grid->addWidget(row.status);
    grid->addWidget(row.cancel);
    layout_->insertWidget(layout_->count() - 1, row.widget);
    rows_[id] = row;
    updateRow(id);
    updateEmptyLabel();
}

void BackgroundWorkDock::updateRow(int id)
{
    auto it = rows_.find(id);
    const BackgroundJobs::Job* job = jobs_->job(id);
    if (it == rows_.end() || !job) return;
    Row& row = it->second;
    if (job->progress < 0) {
        row.bar->setRange(0, 0); // busy indicator
    } else {
        row.bar->setRange(0, 1000);
        row.bar->setValue(static_cast<int>(job->progress * 1000.0));
    }
    row.status->setText(job->status);
    row.cancel->setEnabled(job->cancel.has_value() && !job->cancelRequested);
}

void BackgroundWorkDock::removeRow(int id)
{
    auto it = rows_.find(id);
    if (it == rows_.end()) return;
    it->second.widget->deleteLater();
    rows_.erase(it);
    updateEmptyLabel();
}

void BackgroundWorkDock::updateEmptyLabel() { empty_->setVisible(rows_.empty()); }

} // namespace morph::ui
