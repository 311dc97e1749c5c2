// Every tensor of a model summary as a table: name, shape, dtype, min, max, mean, std,
// NaN / Inf. Display text is formatted here; Qt::UserRole holds the raw number of each
// cell so that a QSortFilterProxyModel sorts numerically. Reads the summary; computes
// nothing.
#pragma once

#include "core/model/summary.h"

#include <QAbstractTableModel>

#include <memory>

namespace sf::ui {

class WeightsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Shape, DType, Min, Max, Mean, Std, NonFinite, ColumnCount };
    static constexpr int SortRole = Qt::UserRole;

    explicit WeightsTableModel(QObject* parent = nullptr);

    // Null clears the table.
    void setSummary(std::shared_ptr<const ModelSummary> summary);
    const ModelSummary* summary() const { return mSummary.get(); }
    // The tensor of a (source) row; nullptr when out of range.
    const TensorStats* tensorAt(int row) const;
    int rowOf(const QString& name) const;  // -1 if absent

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const ModelSummary> mSummary;
};

}  // namespace sf::ui
