// The head atlas (issue 10): the decoder's cross-attention heads ranked, on the current
// sentence and on a batch of held-out sentences of the model's toy grammar, by two
// measures: agreement with the gold word alignment (core's alignmentAgreement) and what
// switching the head off does to the output (core's ablationImpact: outputs changed, and
// the log-probability of the unablated output lost per token). Both run off the GUI thread
// with a progress bar and a Cancel button. A check box outlines the gold alignment on every
// cross-attention map (the Lab menu's action of the same name).
#pragma once

#include "core/run/lab.h"

#include <QFutureWatcher>
#include <QWidget>

#include <atomic>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace sf::ui {

class TranslationDocument;

class HeadAtlasView : public QWidget {
    Q_OBJECT
public:
    enum RankBy { ByAgreement, ByAblation };
    struct Result {
        AlignmentHits sentence, batch;            // agreement: this sentence (when in the grammar), the batch
        AblationImpact sentenceImpact, batchImpact;  // ablation: this sentence, the first sentences of the batch
        bool sentenceInGrammar = false;
        double agreementMs = 0, ablationMs = 0;   // the batch parts, wall clock
        QString error;                            // "cancelled" when the student stopped it
    };
    explicit HeadAtlasView(TranslationDocument* doc, QWidget* parent = nullptr);
    ~HeadAtlasView() override;

    QTableWidget* table() const { return mTable; }
    QSpinBox* batchSize() const { return mBatch; }
    QSpinBox* ablationSize() const { return mAblationBatch; }
    QComboBox* rankBy() const { return mRankBy; }
    QProgressBar* progress() const { return mProgress; }
    QPushButton* runButton() const { return mRun; }
    QPushButton* cancelButton() const { return mCancelButton; }
    QCheckBox* goldBox() const { return mGold; }
    QString summary() const;
    const Result* result() const { return mResult.get(); }
    bool running() const { return mWatcher.isRunning(); }
    // Heads in table order (layer-major indices), best first by the chosen measure.
    const std::vector<int>& ranking() const { return mRanking; }
    void setSynchronous(bool on) { mSynchronous = on; }
    // The default batch for the ablation ranking: the agreement's 200 (it costs one encoder
    // pass and 2 + 2 L H decoder passes a sentence, split over the cores).
    static constexpr int kDefaultAblationSentences = 200;

public slots:
    void run();
    void cancel();
    void setGoldAlignment(bool on);  // the check box, without emitting goldAlignmentToggled

signals:
    void goldAlignmentToggled(bool on);
    void finished();  // a run ended (done, cancelled or failed) and the table shows it

protected:
    void changeEvent(QEvent* e) override;

private:
    void fill();
    void retranslate();

    TranslationDocument* mDoc;
    QSpinBox* mBatch;
    QSpinBox* mAblationBatch;
    QPushButton* mRun;
    QPushButton* mCancelButton;
    QProgressBar* mProgress;
    QComboBox* mRankBy;
    QCheckBox* mGold;
    QLabel* mSummary;
    QTableWidget* mTable;
    std::shared_ptr<Result> mResult;
    std::vector<int> mRanking;
    int mShownBatch = 0, mShownAblation = 0;  // the sizes of the run shown
    bool mSynchronous = false;
    std::shared_ptr<std::atomic<bool>> mCancel = std::make_shared<std::atomic<bool>>(false);
    QFutureWatcher<Result> mWatcher;
};

}  // namespace sf::ui
