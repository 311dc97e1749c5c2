// The Weights view: what the open checkpoint holds. A summary panel (architecture
// variant, parameters per block, NaN / Inf warnings), a sortable, filterable table of
// every tensor with its statistics, and for the selected tensor its histogram, its
// matrix as a heatmap (mean-pooled to at most 512 x 512 when larger) and, for the
// attention projections, one head's slice. Every number comes from core/model/summary;
// the summary is computed on a worker thread whenever the model changes.
#pragma once

#include "core/model/summary.h"
#include "ui/heatmapview.h"

#include <QFutureWatcher>
#include <QString>
#include <QWidget>

#include <memory>

class QCustomPlot;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSpinBox;
class QSplitter;
class QTableView;

namespace sf::ui {

class TranslationDocument;
class WeightsTableModel;

class WeightsView : public QWidget {
    Q_OBJECT
public:
    explicit WeightsView(TranslationDocument* doc, QWidget* parent = nullptr);
    ~WeightsView() override;

    // True from a model change until its summary arrives ("computing…" is shown).
    bool computing() const { return mComputing; }
    const ModelSummary* summary() const { return mSummary.get(); }
    double summaryMilliseconds() const { return mMilliseconds; }
    QString overviewText() const;  // the summary panel, as plain text
    QString warningText() const;   // empty when there are no warnings

    // Selects a tensor by its checkpoint name (clearing a filter that hides it).
    bool selectTensor(const QString& name);
    QString selectedTensor() const { return mSelected; }
    void setFilter(const QString& text);

    QTableView* table() const { return mTable; }
    int shownRows() const;  // rows after the filter
    QCustomPlot* histogramPlot() const { return mHistogram; }
    int64_t histogramTotal() const { return mHistogramTotal; }  // values counted in the shown bins
    HeatmapView* heatmap() const { return mHeatmap; }
    HeatmapView* headHeatmap() const { return mHeadHeatmap; }
    QSpinBox* headSelector() const { return mHead; }
    // The head shown for an attention projection (0-based; the spin box shows it 1-based).
    int head() const;
    void setHead(int head);

signals:
    void summaryReady();

protected:
    void changeEvent(QEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;

private:
    void retranslate();
    struct Computed {
        std::shared_ptr<const Model> model;  // the instance that was measured
        std::shared_ptr<const ModelSummary> summary;
        QString error;
        double milliseconds = 0;
    };
    static Computed compute(std::shared_ptr<const Model> model);
    void onModelChanged();
    void acceptSummary(const Computed& r);
    void showOverview();
    void showTensor(const QString& name);
    void showHead();
    void styleHistogram();
    void clearDetail(const QString& message);

    TranslationDocument* mDoc;
    std::shared_ptr<const Model> mModel;
    std::shared_ptr<const ModelSummary> mSummary;
    QFutureWatcher<Computed> mWatcher;
    bool mComputing = false;
    bool mRestart = false;  // the model changed again while computing
    QString mError;
    double mMilliseconds = 0;
    QString mSelected;
    int64_t mHistogramTotal = 0;

    QSplitter* mSplit = nullptr;        // overview + table | detail
    QSplitter* mLeft = nullptr;         // overview above the table
    bool mPlaced = false;               // mSplit has had its first sizes
    QLabel* mOverview = nullptr;
    QLabel* mWarnings = nullptr;
    QLineEdit* mFilter = nullptr;
    QTableView* mTable = nullptr;
    WeightsTableModel* mTableModel = nullptr;
    QSortFilterProxyModel* mProxy = nullptr;
    QLabel* mTensorTitle = nullptr;
    QCustomPlot* mHistogram = nullptr;
    HeatmapView* mHeatmap = nullptr;
    QWidget* mHeadPane = nullptr;
    QSpinBox* mHead = nullptr;
    QLabel* mHeadLabel = nullptr;
    HeatmapView* mHeadHeatmap = nullptr;
};

}  // namespace sf::ui
