// The positions lab (issue 10): PE(pos) . PE(pos + k) as a heatmap over positions (the
// similarity depends on the distance only), the PE curves of chosen dimensions, and the
// no-positions experiment: two reorderings of the same words give encoder outputs equal up
// to the permutation once positions are off, and the same (broken) translation. The table,
// the dot products and the experiment are core's (core/run/lab.h); the experiment runs off
// the GUI thread.
#pragma once

#include "core/run/lab.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>

class QCustomPlot;
class QLabel;
class QLineEdit;
class QPushButton;

namespace sf::ui {

class HeatmapView;
class TranslationDocument;

class PositionsView : public QWidget {
    Q_OBJECT
public:
    explicit PositionsView(TranslationDocument* doc, QWidget* parent = nullptr);
    ~PositionsView() override;

    HeatmapView* similarity() const { return mSimilarity; }
    QLineEdit* dimensionsBox() const { return mDims; }
    QLineEdit* firstBox() const { return mA; }
    QLineEdit* secondBox() const { return mB; }
    const ReorderLab* reorder() const { return mLab.get(); }
    QString reorderText() const;
    QString lastError() const { return mError; }
    std::vector<int> dimensions() const;  // parsed from the box, in range
    int curveCount() const;
    void setSynchronous(bool on) { mSynchronous = on; }

    static constexpr int kPositions = 48;  // positions shown in the heatmap and the curves

public slots:
    void refresh();
    void runReorder();

protected:
    void changeEvent(QEvent* e) override;

private:
    struct Outcome {
        std::shared_ptr<ReorderLab> lab;
        QString error;
    };
    void showReorder();

    TranslationDocument* mDoc;
    HeatmapView* mSimilarity;
    QCustomPlot* mCurves;
    QLineEdit* mDims;
    QLabel* mCaption;
    QLineEdit *mA, *mB;
    QPushButton* mRun;
    QLabel* mResult;
    std::shared_ptr<ReorderLab> mLab;
    QString mError;
    bool mSynchronous = false;
    QFutureWatcher<Outcome> mWatcher;
};

}  // namespace sf::ui
