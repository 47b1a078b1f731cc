#pragma once
// The "Style" tab: audio style transfer (core/style, METHOD §7). The content and the style note
// come from the browser ("Use selected as content / style", Alt+C / Alt+S; MainWindow answers
// assignRequested with setNote), the weights alpha (content), beta (style), gamma (energy
// envelope), delta (frequency envelope), iterations, features (random convolution or the
// loaded model's encoder), optimiser, start (noise / content) and the network size are set in
// the form; Run starts the transfer in StyleTransferService (never on the GUI thread; progress and
// Cancel also in the Background work dock), the loss plot (log y axis: total and every term)
// fills in live, and the result shows as three spectrograms side by side (content | style |
// result), with play buttons and Export WAV.
// Thread contract: GUI thread only.
#include "style/StyleTransfer.h"

#include <QWidget>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace morph::ui {

class AudioController;
class SpectrogramView;
class StyleTransferService;
struct StyleTransferOutcome;

class StyleTransferPanel : public QWidget {
    Q_OBJECT
public:
    enum Role { Content = 0, Style = 1 };

    StyleTransferPanel(StyleTransferService* service, AudioController* audio, QWidget* parent = nullptr);
    ~StyleTransferPanel() override;

    /// Makes a dataset note the content or the style (MainWindow, after assignRequested).
    void setNote(Role role, std::size_t index, const QString& name);
    std::optional<std::size_t> note(Role role) const { return notes_[std::size_t(role)]; }
    /// The checkpoint the "encoder" features use ("" = none loaded).
    void setModelPath(const QString& path);

    /// The options the form describes.
    style::StyleTransferOptions options() const;
    void setOptions(const style::StyleTransferOptions& options);

    /// Run (the button): false when a note is missing or a run is going.
    bool run();
    void stop();
    /// Writes the result to `file` (no dialog); false when there is no result.
    bool exportTo(const QString& file);
    /// Play buttons: 0 content, 1 style, 2 result.
    bool play(int which);

    QCustomPlot* lossPlot() const { return plot_; }
    SpectrogramView* view(int which) const { return views_[std::size_t(which)]; }
    QPushButton* runButton() const { return run_; }
    QPushButton* assignButton(Role role) const { return assign_[std::size_t(role)]; }
    QString statusText() const;

signals:
    void assignRequested(int role); ///< "use the browser's selected note" for Content (0) / Style (1)
    void statusMessage(const QString& text);

private:
    void onStarted(int iterations);
    void onProgress(int iteration, int iterations, const style::LossTerms& loss);
    void onResult(std::shared_ptr<const StyleTransferOutcome> outcome);
    void onFinished(bool ok, bool cancelled, const QString& message);
    void exportWithDialog();
    void updateButtons();
    void resetPlot(int iterations);

    StyleTransferService* service_;
    AudioController* audio_;
    std::array<std::optional<std::size_t>, 2> notes_;
    std::array<QLabel*, 2> noteLabels_{};
    std::array<QPushButton*, 2> assign_{};
    QString modelPath_;
    QDoubleSpinBox* alpha_ = nullptr;
    QDoubleSpinBox* beta_ = nullptr;
    QDoubleSpinBox* gamma_ = nullptr;
    QDoubleSpinBox* delta_ = nullptr;
    QSpinBox* iterations_ = nullptr;
    QComboBox* features_ = nullptr;
    QComboBox* optimizer_ = nullptr;
    QComboBox* init_ = nullptr;
    QComboBox* nFft_ = nullptr;
    QSpinBox* filters_ = nullptr;
    QSpinBox* kernel_ = nullptr;
    QSpinBox* glIterations_ = nullptr;
    QPushButton* run_ = nullptr;
    QPushButton* stop_ = nullptr;
    QPushButton* export_ = nullptr;
    std::array<QPushButton*, 3> play_{};
    QLabel* status_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    std::array<SpectrogramView*, 3> views_{};
    double yMin_ = 0, yMax_ = 0;
};

} // namespace morph::ui
