#include "ui/tracedata.h"

#include <algorithm>
#include <numeric>

namespace sf::ui {

QStringList sourceLabels(const Translation& t)
{
    QStringList l;
    for (const std::string& p : t.sourcePieces) l << QString::fromStdString(p);
    return l;
}

QStringList decoderInputLabels(const Translation& t, int n, const text::Tokenizer* tok)
{
    QStringList l;
    if (t.decoding == "forced" && tok) {
        for (int i = 0; i < n; ++i)
            l << (i == 0 ? QString::fromUtf8(kStartLabel)
                         : i < int(t.decoderInputIds.size()) ? QString::fromStdString(tok->targetPiece(t.decoderInputIds[size_t(i)]))
                                                             : QStringLiteral("?"));
        return l;
    }
    for (int i = 0; i < n; ++i)
        l << (i == 0 ? QString::fromUtf8(kStartLabel)
                     : (i - 1 < int(t.outputPieces.size()) ? QString::fromStdString(t.outputPieces[size_t(i - 1)]) : "?"));
    return l;
}

QStringList indexLabels(int n, const QString& prefix)
{
    QStringList l;
    for (int i = 0; i < n; ++i) l << prefix + QString::number(i);
    return l;
}

HeatmapView::Data rowsOf(const Tensor& t, int n)
{
    HeatmapView::Data d;
    if (t.shape.size() != 2) return d;
    d.rows = std::min<int>(n, int(t.dim(0)));
    d.cols = int(t.dim(1));
    d.values.assign(t.data.begin(), t.data.begin() + long(d.rows) * d.cols);
    return d;
}

HeatmapView::Data headOf(const Tensor& t, int h, int n, int k)
{
    HeatmapView::Data d;
    if (t.shape.size() != 3 || h >= t.dim(0)) return d;
    d.rows = std::min<int>(n, int(t.dim(1)));
    d.cols = std::min<int>(k, int(t.dim(2)));
    d.values.resize(size_t(d.rows) * size_t(d.cols));
    for (int r = 0; r < d.rows; ++r)
        for (int c = 0; c < d.cols; ++c) d.values[size_t(r) * size_t(d.cols) + size_t(c)] = t.at(h, r, c);
    return d;
}

HeatmapView::Data headsSideBySide(const Tensor& t, int n)
{
    HeatmapView::Data d;
    if (t.shape.size() != 3) return d;
    const int H = int(t.dim(0)), dk = int(t.dim(2));
    d.rows = std::min<int>(n, int(t.dim(1)));
    d.cols = H * dk;
    d.values.resize(size_t(d.rows) * size_t(d.cols));
    for (int r = 0; r < d.rows; ++r)
        for (int h = 0; h < H; ++h)
            for (int j = 0; j < dk; ++j) d.values[size_t(r) * size_t(d.cols) + size_t(h * dk + j)] = t.at(h, r, j);
    return d;
}

int queryCount(const Step& s, const Translation& t)
{
    return s.decoder ? s.t + 1 : int(t.sourceIds.size());
}

int keyCount(const Step& s, const Translation& t)
{
    const bool source = !s.decoder || s.sublayer == Sublayer::CrossAttention;
    if (source) return int(t.sourceIds.size());
    return t.decoderSawLaterKeys() ? int(t.decoderInputIds.size()) : s.t + 1;
}

QStringList queryLabels(const Step& s, const Translation& t, const text::Tokenizer* tok)
{
    return s.decoder ? decoderInputLabels(t, s.t + 1, tok) : sourceLabels(t);
}

QStringList keyLabels(const Step& s, const Translation& t, const text::Tokenizer* tok)
{
    const bool source = !s.decoder || s.sublayer == Sublayer::CrossAttention;
    return source ? sourceLabels(t) : decoderInputLabels(t, keyCount(s, t), tok);
}

std::vector<int> topK(const float* values, int n, int k)
{
    k = std::max(0, std::min(k, n));
    std::vector<int> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                      [&](int a, int b) { return values[a] > values[b] || (values[a] == values[b] && a < b); });
    idx.resize(size_t(k));
    return idx;
}

HeatmapView::Data traceRow(const TraceTensor& t, int row, int cols, int head)
{
    const float* r = head < 0 ? t.row(row) : t.row(head, row);
    HeatmapView::Data d;
    d.rows = 1;
    d.cols = cols;
    d.values.assign(r, r + cols);
    return d;
}

bool difference(const Tensor& after, const Tensor& before, Tensor* out)
{
    if (after.shape != before.shape || after.data.size() != before.data.size() || after.shape.empty()) return false;
    out->shape = after.shape;
    out->data.resize(after.data.size());
    for (size_t i = 0; i < after.data.size(); ++i) out->data[i] = after.data[i] - before.data[i];
    return true;
}

}  // namespace sf::ui
