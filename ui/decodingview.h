// The decoding strip along the bottom: the source tokens; the decoder input row (start
// token + outputs so far, shifted right); at the current decoding step its masked
// self-attention row, its cross-attention row over the source, the top-10 next-token
// probabilities, and the chosen token, which moves into the output and, shifted, into
// the next decoder input.
#pragma once

#include "ui/colormap.h"

#include <QWidget>

class QCustomPlot;
class QLabel;

namespace sf::ui {

class HeatmapView;
class TranslationDocument;

class DecodingView : public QWidget {
    Q_OBJECT
public:
    explicit DecodingView(TranslationDocument* doc, QWidget* parent = nullptr);
    void setColormap(Colormap map);
    void setAnimationProgress(double p);
    void setMinimumTextPixels(int px);  // of the attention rows' labels

    // What is on screen, for tests: the chosen token's id at this step (-1 before it is
    // chosen), and the attention rows' sizes.
    int shownChoice() const { return mChoice; }
    // Whether the next-token bars are drawn (from the Probabilities step of this decoding
    // step on: before it, no layer has produced them yet).
    bool barsShown() const { return mBarsShown; }
    QCustomPlot* topPlot() const { return mTop; }
    QString stepNote() const { return mStepNote; }  // "p(next token), step 3" across the bars' plot
    HeatmapView* selfRow() const { return mSelf; }
    HeatmapView* crossRow() const { return mCross; }
    QSize sizeHint() const override { return {900, 230}; }

public slots:
    void refresh();

protected:
    void changeEvent(QEvent* e) override;  // LanguageChange: row names and the plot's labels

private:
    void retranslate();

    TranslationDocument* mDoc;
    QLabel* mRowLabels[5] = {};
    QLabel* mSource;
    QLabel* mInput;
    QLabel* mOutput;
    HeatmapView* mSelf;
    HeatmapView* mCross;
    QCustomPlot* mTop;
    QLabel* mFlying;  // the chosen token moving into the next decoder input
    int mChoice = -1;
    bool mBarsShown = false;
    QString mStepNote;
};

}  // namespace sf::ui
