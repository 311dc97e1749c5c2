// The scaling lab (issue 10): attention with and without the 1/sqrt(dk) factor on the same
// decoder inputs (core's runScalingLab). For one attention and head: the entropy of every
// row in bits, before and after (core's attentionEntropy over the recorded weights), with
// log2(keys) as the "spread evenly" ceiling, and how many rows collapse onto one key
// (largest weight above 0.99, core's attentionPeak). Runs off the GUI thread.
#pragma once

#include "core/run/lab.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSpinBox;

namespace sf::ui {

class TranslationDocument;

class ScalingView : public QWidget {
    Q_OBJECT
public:
    explicit ScalingView(TranslationDocument* doc, QWidget* parent = nullptr);
    ~ScalingView() override;

    const ScalingLab* lab() const { return mLab.get(); }
    // What is drawn (tests): entropy per row (bits) with and without scaling, rows collapsed.
    const std::vector<double>& entropyBefore() const { return mBefore; }
    const std::vector<double>& entropyAfter() const { return mAfter; }
    int collapsedBefore() const { return mCollapsedBefore; }
    int collapsedAfter() const { return mCollapsedAfter; }
    QComboBox* attentionBox() const { return mAttention; }
    QString summary() const;
    QString lastError() const { return mError; }
    void setSynchronous(bool on) { mSynchronous = on; }

    static constexpr double kCollapsed = 0.99;  // largest weight of a row "collapsed onto one key"

public slots:
    void run();
    void refresh();

protected:
    void changeEvent(QEvent* e) override;

private:
    struct Outcome {
        std::shared_ptr<ScalingLab> lab;
        QString error;
    };
    void rebuildAttentions();

    TranslationDocument* mDoc;
    QComboBox* mAttention;
    QSpinBox* mHead;
    QPushButton* mRun;
    QCustomPlot* mPlot;
    QLabel* mSummary;
    std::shared_ptr<ScalingLab> mLab;
    QString mError;
    std::vector<double> mBefore, mAfter;
    int mCollapsedBefore = 0, mCollapsedAfter = 0;
    bool mSynchronous = false;
    QFutureWatcher<Outcome> mWatcher;
};

}  // namespace sf::ui
