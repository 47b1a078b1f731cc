#include "ModelPanel.h"

#include "ModelService.h"
#include "model/ModelRunner.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace morph::ui {

ModelPanel::ModelPanel(ModelService* service, QWidget* parent) : QWidget(parent), service_(service)
{
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    title_ = new QLabel(tr("<b>No model loaded</b>"));
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    open_ = new QPushButton(tr("Open Model…"));
    open_->setToolTip(tr("Choose a checkpoint (.pt) written by the trainer (Ctrl+M)"));
    connect(open_, &QPushButton::clicked, this, &ModelPanel::openRequested);
    precision_ = new QComboBox;
    precision_->setObjectName(QStringLiteral("modelPrecision"));
    const bool native = nativeInferencePrecision() == InferencePrecision::BFloat16;
    precision_->addItem(native ? tr("Automatic (bfloat16 on this CPU)") : tr("Automatic (float32 on this CPU)"),
                        QStringLiteral("auto"));
    precision_->addItem(tr("float32 (exact)"), QStringLiteral("float32"));
    precision_->addItem(native ? tr("bfloat16 (fast)") : tr("bfloat16 (emulated here: slower)"),
                        QStringLiteral("bfloat16"));
    precision_->setToolTip(tr("Arithmetic of the model's hidden layers on the CPU. bfloat16 renders the "
                              "16-32-32-32 default ~2x faster where the CPU has AVX512-BF16/AMX and moves "
                              "the reconstruction MSE by ~0.01 dB² (docs/MODELS.md)"));
    precision_->setCurrentIndex(std::max(0, precision_->findData(service_->precisionChoice())));
    connect(precision_, &QComboBox::currentIndexChanged, this,
            [this] { service_->setPrecisionChoice(precision_->currentData().toString()); });
    top->addWidget(title_, 1);
    top->addWidget(new QLabel(tr("Arithmetic:")));
    top->addWidget(precision_);
    top->addWidget(open_);
    layout->addLayout(top);

    status_ = new QLabel(tr("Open a checkpoint with File › Open Model…, or train one in the Training tab."));
    status_->setObjectName(QStringLiteral("modelStatus"));
    status_->setWordWrap(true);
    layout->addWidget(status_);

    description_ = new QPlainTextEdit;
    description_->setObjectName(QStringLiteral("modelDescription"));
    description_->setReadOnly(true);
    description_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    description_->setPlaceholderText(tr("Architecture, pre-processing and metrics of the model appear here."));
    layout->addWidget(description_, 1);

    connect(service_, &ModelService::loadStarted, this, &ModelPanel::onStarted);
    connect(service_, &ModelService::modelChanged, this, &ModelPanel::onChanged);
    connect(service_, &ModelService::loadFailed, this, &ModelPanel::onFailed);
    if (service_->current()) onChanged();
}

QString ModelPanel::statusText() const { return status_->text(); }
QString ModelPanel::descriptionText() const { return description_->toPlainText(); }

void ModelPanel::onStarted(const QString& path)
{
    status_->setText(tr("Loading %1…").arg(path));
    status_->setStyleSheet({});
    // The header is small and needs no LibTorch: show what the file is at once.
    try {
        description_->setPlainText(ModelService::describeFile(path));
    } catch (const std::exception& e) {
        description_->setPlainText(QString::fromStdString(e.what()));
    }
}

void ModelPanel::onChanged()
{
    const LoadedModel* m = service_->current();
    if (!m) return;
    title_->setText(QStringLiteral("<b>%1</b>").arg(m->summary.toHtmlEscaped()));
    title_->setToolTip(m->path);
    status_->setText(tr("In use: %1").arg(m->path));
    status_->setStyleSheet({});
    description_->setPlainText(m->description);
}

void ModelPanel::onFailed(const QString& path, const QString& message)
{
    status_->setText(tr("Could not load %1: %2").arg(QFileInfo(path).fileName(), message));
    status_->setStyleSheet(QStringLiteral("color: #b00020;"));
    if (const LoadedModel* m = service_->current())
        description_->setPlainText(m->description + tr("\n\n(Still using this model: the new one failed to load.)"));
}

} // namespace morph::ui
