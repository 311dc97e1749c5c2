#include "ui/weightstablemodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include <cmath>

namespace sf::ui {

namespace {

QString number(double v)
{
    return std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'g', 4);
}

QString shapeText(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t s : shape) parts << QString::number(s);
    return "[" + parts.join(" × ") + "]";
}

}  // namespace

WeightsTableModel::WeightsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void WeightsTableModel::setSummary(std::shared_ptr<const ModelSummary> summary)
{
    beginResetModel();
    mSummary = std::move(summary);
    endResetModel();
}

const TensorStats* WeightsTableModel::tensorAt(int row) const
{
    if (!mSummary || row < 0 || row >= int(mSummary->tensors.size())) return nullptr;
    return &mSummary->tensors[size_t(row)];
}

int WeightsTableModel::rowOf(const QString& name) const
{
    if (!mSummary) return -1;
    const std::string n = name.toStdString();
    for (size_t i = 0; i < mSummary->tensors.size(); ++i)
        if (mSummary->tensors[i].name == n) return int(i);
    return -1;
}

int WeightsTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !mSummary ? 0 : int(mSummary->tensors.size());
}

int WeightsTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant WeightsTableModel::data(const QModelIndex& index, int role) const
{
    const TensorStats* t = index.isValid() ? tensorAt(index.row()) : nullptr;
    if (!t) return {};
    const int col = index.column();
    const bool broken = t->nan || t->inf;
    switch (role) {
    case Qt::DisplayRole:
        switch (col) {
        case Name:
            return (broken ? QStringLiteral("⚠ ") : QString()) + QString::fromStdString(t->name) +
                   (t->used ? QString() : tr("  (unused)"));
        case Shape: return shapeText(t->shape);
        case DType: return QString::fromStdString(t->dtype);
        case Min: return number(t->min);
        case Max: return number(t->max);
        case Mean: return number(t->mean);
        case Std: return number(t->std);
        case NonFinite: return broken ? tr("%1 NaN, %2 Inf").arg(t->nan).arg(t->inf) : QStringLiteral("0");
        }
        break;
    case SortRole:
        switch (col) {
        case Name: return QString::fromStdString(t->name);
        case Shape: return qlonglong(t->count);
        case DType: return QString::fromStdString(t->dtype);
        case Min: return t->min;
        case Max: return t->max;
        case Mean: return t->mean;
        case Std: return t->std;
        case NonFinite: return qlonglong(t->nan + t->inf);
        }
        break;
    case Qt::TextAlignmentRole:
        return col >= Min ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (col == NonFinite && broken) return QBrush(QColor(255, 255, 255));
        if (col == Name && broken) return QBrush(QColor(192, 57, 43));
        if (!t->used) return QBrush(QColor(128, 128, 128));
        break;
    case Qt::BackgroundRole:
        if (col == NonFinite && broken) return QBrush(QColor(192, 57, 43));
        break;
    case Qt::FontRole:
        if (!t->used) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        break;
    case Qt::ToolTipRole: {
        QString tip = QString::fromStdString(t->name) + "\n" + shapeText(t->shape) + " " +
                      QString::fromStdString(t->dtype) + ", " + tr("%1 values").arg(t->count);
        if (!t->used) tip += "\n" + tr("In the file, but not used by this config.");
        if (!t->numeric) tip += "\n" + tr("Not a float dtype: not measured.");
        if (broken) tip += "\n" + tr("%1 NaN and %2 Inf values (not counted in min/max/mean/std).").arg(t->nan).arg(t->inf);
        return tip;
    }
    default: break;
    }
    return {};
}

QVariant WeightsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Name: return tr("tensor");
        case Shape: return tr("shape");
        case DType: return tr("dtype");
        case Min: return tr("min");
        case Max: return tr("max");
        case Mean: return tr("mean");
        case Std: return tr("std");
        case NonFinite: return tr("NaN / Inf");
        }
    }
    if (role == Qt::ToolTipRole && section == Std) return tr("Population standard deviation over the finite values");
    return {};
}

}  // namespace sf::ui
