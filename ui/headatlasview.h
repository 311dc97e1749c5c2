// The head atlas (issue 10): the decoder's cross-attention heads ranked by agreement with the
// gold word alignment of the toy grammar — on the current sentence and on a batch of grammar
// sentences — beside the number of output tokens that change when each head alone is
// switched off. core's alignmentAgreement / ablationEffect do the work, off the GUI thread,
// with a progress bar.
#pragma once

#include "core/run/lab.h"

#include <QFutureWatcher>
#include <QWidget>

#include <atomic>
#include <memory>

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
    struct Result {
        AlignmentHits sentence, batch;
        std::vector<int> ablation;  // tokens changed per head (layer-major)
        QString error;
    };
    explicit HeadAtlasView(TranslationDocument* doc, QWidget* parent = nullptr);
    ~HeadAtlasView() override;

    QTableWidget* table() const { return mTable; }
    QSpinBox* batchSize() const { return mBatch; }
    QProgressBar* progress() const { return mProgress; }
    const Result* result() const { return mResult.get(); }
    // Heads in table order (layer-major indices), best batch agreement first.
    const std::vector<int>& ranking() const { return mRanking; }
    void setSynchronous(bool on) { mSynchronous = on; }

public slots:
    void run();

protected:
    void changeEvent(QEvent* e) override;

private:
    void fill();

    TranslationDocument* mDoc;
    QSpinBox* mBatch;
    QPushButton* mRun;
    QProgressBar* mProgress;
    QLabel* mSummary;
    QTableWidget* mTable;
    std::shared_ptr<Result> mResult;
    std::vector<int> mRanking;
    bool mSynchronous = false;
    std::shared_ptr<std::atomic<bool>> mCancel = std::make_shared<std::atomic<bool>>(false);
    QFutureWatcher<Result> mWatcher;
};

}  // namespace sf::ui
