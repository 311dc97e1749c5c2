// The centre of the window: the current step's tensors with token labels on every axis.
// Rebuilt from the Trace on every step change; each matrix is a HeatmapView, curves and
// bars are QCustomPlot. Attention steps show the selected head enlarged beside all heads.
#pragma once

#include "ui/colormap.h"
#include "core/io/trace.h"
#include "core/run/lab.h"
#include "ui/heatmapview.h"

#include <QList>
#include <QWidget>

#include <string>

class QCustomPlot;
class QGridLayout;
class QLabel;
class QScrollArea;

namespace sf::ui {

class TranslationDocument;

class StageView : public QWidget {
    Q_OBJECT
public:
    explicit StageView(TranslationDocument* doc, QWidget* parent = nullptr);

    void setColormap(Colormap map);
    void setDark(bool dark);
    // The smallest text any plot may shrink its labels to (presentation: 18 px).
    void setMinimumTextPixels(int px);
    QScrollArea* scrollArea() const { return mScroll; }
    // The transition into the current step, 0 -> 1 (1 = settled; animations off = 1).
    void setAnimationProgress(double p);

    QList<HeatmapView*> heatmaps() const { return mHeatmaps; }
    HeatmapView* primaryHeatmap() const { return mPrimary; }
    QCustomPlot* plot() const { return mPlot; }
    QString title() const;
    QString warning() const;  // empty when none is shown

    // Difference mode (the why-lab): heatmaps show after minus before, on a diverging
    // scale centred at 0, wherever the baseline trace has the tensor with the same shape.
    void setDifference(bool on);
    bool difference() const { return mDifference; }
    // The tensor a heatmap of this step shows: the current trace's, or the difference.
    Tensor shownTensor(const std::string& name, bool* isDifference = nullptr) const;
    // Gold alignment mode (the why-lab): on cross-attention score and weight maps, the
    // cells of the toy grammar's gold word alignment are outlined (core's goldAlignment;
    // row t is the row that predicts output piece t). goldAlignmentNote() says why nothing
    // is outlined when the sentence has no alignment (empty otherwise).
    void setGoldAlignment(bool on);
    bool goldAlignment() const { return mGold; }
    QString goldAlignmentNote() const { return mGoldShown ? QString() : mGoldWhy; }

signals:
    // Ctrl+click on a head tile: switch that head off (or back on).
    void headToggled(int head);

public slots:
    void refresh();

protected:
    void changeEvent(QEvent* e) override;  // LanguageChange: rebuilt in the new language

private:
    void clear();
    void applyTitleFont();
    HeatmapView* addHeatmap(HeatmapView::Data d, int row, int col, int rowSpan = 1, int colSpan = 1);
    QLabel* addText(const QString& html, int row, int col, int rowSpan = 1, int colSpan = 1);
    QCustomPlot* addPlot(int row, int col, int rowSpan = 1, int colSpan = 1);
    void showTokens();
    void showEmbedding();
    void showPositions();
    void showAttention();
    void showMatrix(const QString& tensor, const QString& title, HeatmapView::Scale scale, int row, int col);
    void showAddNorm();
    void showDecoderInput();
    void showVocabulary();

    TranslationDocument* mDoc;
    QLabel* mTitle;
    QLabel* mWarning;  // e.g. the source was truncated to max positions
    QScrollArea* mScroll;
    QWidget* mCanvas;
    QGridLayout* mGrid;
    QList<HeatmapView*> mHeatmaps;      // shown at this step
    QList<HeatmapView*> mHeatmapPool;   // every heatmap made so far, reused from step to step
    QList<QLabel*> mLabelPool;
    int mLabelsUsed = 0;
    QCustomPlot* mPlotWidget = nullptr; // one plot, cleared and reused
    HeatmapView* mPrimary = nullptr;
    QCustomPlot* mPlot = nullptr;
    Colormap mColormap = Colormap::Viridis;
    bool mDark = false;
    bool mDifference = false;
    // Gold alignment: computed once per translation (its source, decoding and rows).
    bool mGold = false;
    bool mGoldShown = false;  // this step outlines cells
    std::string mGoldFor;
    bool mGoldOk = false;
    GoldCells mGoldCells;
    QString mGoldWhy;
    const GoldCells* goldCells();
    double mProgress = 1.0;
    int mMinTextPx = 9;
};

}  // namespace sf::ui
