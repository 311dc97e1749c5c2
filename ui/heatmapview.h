// A matrix drawn as coloured cells with token labels on both axes. Masked cells are
// drawn hatched grey ("−∞"), never as a colour of the scale. Hovering a cell shows its
// exact value, its row and column labels and, for attention weights, the score it came
// from. Reads numbers only; computes none.
#pragma once

#include "ui/colormap.h"

#include <QImage>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <vector>

namespace sf::ui {

class HeatmapView : public QWidget {
    Q_OBJECT
public:
    enum class Scale {
        Unit,      // [0, 1]: weights, probabilities
        Range,     // [min, max] of the data
        Symmetric, // [-m, m], diverging colours: embeddings, activations
        Positive   // [0, max], sequential colours: values that are never negative (ReLU's output)
    };
    struct Data {
        QString title;
        int rows = 0, cols = 0;
        std::vector<float> values;      // [rows, cols]
        std::vector<float> scores;      // optional [rows, cols]: the pre-softmax score of each weight
        std::vector<uint8_t> masked;    // optional [rows, cols]: 1 = masked
        // optional [rows, cols]: 1 = the cell is outlined (the gold word alignment on a
        // cross-attention map); `outlineName` says what the outline means in the tooltip.
        std::vector<uint8_t> outlined;
        QString outlineName;
        QStringList rowLabels, colLabels;
        QString rowAxis, colAxis;       // "query", "key", "dimension", ...
        QString valueName = "value";    // "weight", "score", ...
        Scale scale = Scale::Unit;
        bool showNumbers = false;       // print values in cells when they fit
        bool square = false;            // square cells (attention: queries x keys)
        // Every row and column label drawn (token axes): the label font shrinks down to the
        // minimum text size, then the view asks for more room (its scroll area scrolls).
        // False for index axes (weight matrices), which may label every n-th row.
        bool allLabels = true;
        bool colorbar = true;           // false: the scale is shown beside another map
        // > 0: the scale's bound is fixed instead of read off these values (Symmetric:
        // ±limit, Positive: [0, limit]), so that panels to compare share one scale.
        float limit = 0;
        // The hover text numbers a labelled (token) axis from 1, as people count tokens and
        // steps ("query 4" at decoding step 4); an axis without labels is a tensor index
        // and counts from 0, as the formulas do. False where the labels are indices.
        bool countTokensFromOne = true;
        int firstRow = 0;  // the number of row 0 when the map is rows of a larger one (a strip of row t)
    };

    explicit HeatmapView(QWidget* parent = nullptr);

    void setData(Data d);
    const Data& data() const { return mData; }
    int rows() const { return mData.rows; }
    int cols() const { return mData.cols; }
    bool isMasked(int r, int c) const;
    bool isOutlined(int r, int c) const;
    int outlinedCount() const;
    // Fraction of the mask drawn so far (animation); 1 = all masked cells covered.
    void setMaskProgress(double p);
    double maskProgress() const { return mMaskProgress; }
    // Fraction of rows drawn so far (animation: positions being added row by row).
    void setReveal(double p);
    void setColormap(Colormap m);
    void setDark(bool dark);
    void setHighlightRow(int row);  // -1 for none
    QRect cellRect(int r, int c) const;
    QString describeCell(int r, int c) const;  // the tooltip text
    // The colour cell (r, c) is drawn in (its value on the map's scale; exports reuse it).
    QColor cellColor(int r, int c) const { return colorOf(mData.values[size_t(r) * size_t(mData.cols) + size_t(c)]); }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    // The smallest text drawn, in pixels (labels and numbers shrink to fit, never below it).
    void setMinimumTextPixels(int px);
    int minimumTextPixels() const { return mMinTextPx; }
    // What the last layout chose: every n-th row / column labelled (1 = all), the pixel
    // sizes of the label fonts, whether the column labels are rotated, the cells' rectangle.
    int rowLabelStep() const { return mRowLabelStep; }
    int colLabelStep() const { return mColLabelStep; }
    int rowLabelPixels() const { return mRowFont.pixelSize(); }
    int colLabelPixels() const { return mColFont.pixelSize(); }
    int numberPixels() const { return mNumberFont.pixelSize(); }
    bool colLabelsRotated() const { return mColRotated; }
    QRect gridRect() const { return mGrid; }
    // The colour scale as set: its ends, and the text beside the colour bar. A map whose
    // values are all one number (a 1x1 map) has no range: both ends are that number and
    // the text is the number alone.
    float scaleLow() const { return mLo; }
    float scaleHigh() const { return mHi; }
    bool singleValue() const { return mSingle; }
    QString scaleText() const;
    // The largest |value| over several maps (masked and non-finite cells left out): the
    // `limit` that makes them share one scale.
    static float sharedLimit(const std::vector<const Data*>& maps);

signals:
    void clicked();
    // The same click with its keyboard modifiers (Ctrl+click switches a head off).
    void clickedWith(Qt::KeyboardModifiers modifiers);

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void changeEvent(QEvent*) override;  // FontChange: labels measured again

private:
    void layoutCells();
    // The widget's font at `px` pixels, and the largest size from the widget's down to the
    // minimum at which `fits` holds (the minimum when none does).
    QFont fontAt(int px) const;
    int fontPixels() const;
    template <typename Fits> QFont fittedFont(Fits fits) const;
    void renderImages();  // the cells, one pixel each, and the colour bar
    QColor colorOf(float v) const;

    Data mData;
    Colormap mColormap = Colormap::Viridis;
    bool mDark = false;
    double mMaskProgress = 1.0;
    double mReveal = 1.0;
    int mHighlightRow = -1;
    float mLo = 0, mHi = 1;
    bool mSingle = false;  // every shown value is the same number: no range to draw
    float mSingleValue = 0;
    QImage mCells;     // [cols x rows]: one pixel per cell, masked cells in their score colour
    QImage mColorbar;  // 1 x 256, top = high
    // Layout
    QRect mGrid;
    double mCellW = 10, mCellH = 10;
    int mRowLabelStep = 1, mColLabelStep = 1;
    int mMinTextPx = 9;
    QFont mRowFont, mColFont, mNumberFont;
    bool mColRotated = true;
    bool mNumbersFit = false;
};

}  // namespace sf::ui
