// Slices of Trace tensors prepared for display: the first n rows of a [T, C] tensor, one
// head of an [H, T, K] tensor, heads laid side by side. Copies and layout only — the
// numbers are the Trace's, unchanged.
#pragma once

#include "core/io/trace.h"
#include "core/run/session.h"
#include "core/run/steps.h"
#include "core/text/tokenizer.h"
#include "ui/heatmapview.h"

#include <QStringList>

namespace sf::ui {

// Token labels: source pieces; decoder inputs (kStartLabel "<start>", then the outputs so far).
QStringList sourceLabels(const Translation& t);
// Under teacher forcing the decoder read the target, not the outputs: give the tokenizer
// to label those positions with the target's pieces.
QStringList decoderInputLabels(const Translation& t, int n, const text::Tokenizer* tok = nullptr);
QStringList indexLabels(int n, const QString& prefix = QString());

// Rows [0, n) of a [T, C] tensor.
HeatmapView::Data rowsOf(const Tensor& t, int n);
// Head h of an [H, T, K] tensor: rows [0, n), columns [0, k).
HeatmapView::Data headOf(const Tensor& t, int h, int n, int k);
// Rows [0, n) of an [H, T, dk] tensor with the heads side by side: [n, H * dk].
HeatmapView::Data headsSideBySide(const Tensor& t, int n);

// The rows shown at a step: all source tokens on the encoder, t + 1 decoder positions
// at decoding step t; and the keys: source tokens (encoder, cross-attention) or t + 1
// (all T under teacher forcing with no-causal-mask: the forward saw them all).
int queryCount(const Step& s, const Translation& t);
int keyCount(const Step& s, const Translation& t);
QStringList queryLabels(const Step& s, const Translation& t, const text::Tokenizer* tok = nullptr);
QStringList keyLabels(const Step& s, const Translation& t, const text::Tokenizer* tok = nullptr);

// after - before, element by element, when both tensors have the same shape (the
// why-lab's difference mode subtracts two recorded traces); false and *out untouched if not.
bool difference(const Tensor& after, const Tensor& before, Tensor* out);

// Indices of the k largest of n values, largest first (ties: lower index first).
std::vector<int> topK(const float* values, int n, int k);

// Row `row` of a [T, C] trace tensor, or head h's row `row` of an [H, T, K] one, as a
// one-row heatmap of its first `cols` entries (no copy of the rest of the tensor).
HeatmapView::Data traceRow(const TraceTensor& t, int row, int cols, int head = -1);

}  // namespace sf::ui
