#include "ui/temperatureview.h"

#include "ui/plotstyle.h"
#include "ui/tracedata.h"
#include "ui/translationdocument.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QLabel>
#include <QVBoxLayout>

namespace sf::ui {

TemperatureView::TemperatureView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(4, 2, 4, 2);
    mCaption = new QLabel(this);
    mCaption->setWordWrap(true);
    mCaption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // wrap to the width given
    mPlot = new QCustomPlot(this);
    mPlot->setMinimumHeight(100);
    v->addWidget(mCaption);
    v->addWidget(mPlot, 1);
    connect(mDoc, &TranslationDocument::translationChanged, this, &TemperatureView::refresh);
    connect(mDoc, &TranslationDocument::stepChanged, this, &TemperatureView::refresh);
    refresh();
}

void TemperatureView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) refresh();
}

void TemperatureView::setSampling(const Sampling& s)
{
    mSampling = s;
    refresh();
}

void TemperatureView::showEvent(QShowEvent* e)
{
    QWidget::showEvent(e);
    if (mStale) refresh();
}

void TemperatureView::refresh()
{
    mStale = !isVisible();
    if (mStale) return;
    mTokens.clear(), mModelP.clear(), mReshaped.clear(), mLogits.clear();
    mRow = -1;
    mPlot->clearPlottables();
    const Translation* t = mDoc->translation();
    const TraceTensor* logits = t && t->trace ? t->trace->find(trace_names::logits()) : nullptr;
    const TraceTensor* probs = t && t->trace ? t->trace->find(trace_names::probs()) : nullptr;
    if (!logits || !probs || logits->shape()[0] == 0) {
        mCaption->setText(tr("Translate a sentence to see its next-token distributions."));
        mPlot->replot();
        return;
    }
    const Step* s = mDoc->currentStep();
    const int T = int(logits->shape()[0]), V = int(logits->shape()[1]);
    mRow = std::clamp(s && s->decoder && s->t >= 0 ? s->t : 0, 0, T - 1);
    mLogits.assign(logits->row(mRow), logits->row(mRow) + V);
    // The distribution sampling would draw from: core's, the very function the Session samples with.
    std::vector<float> reshaped(static_cast<size_t>(V));
    samplingDistribution(reshaped.data(), mLogits.data(), V, mSampling);
    const float* p = probs->row(mRow);
    mTokens = topK(p, V, 10);

    auto* model = new QCPBars(mPlot->xAxis, mPlot->yAxis);
    auto* shaped = new QCPBars(mPlot->xAxis, mPlot->yAxis);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const text::Tokenizer* tok = mDoc->model() ? mDoc->model()->tokenizer() : nullptr;
    double top = 0.0;
    for (size_t i = 0; i < mTokens.size(); ++i) {
        const int id = mTokens[i];
        mModelP.push_back(p[id]);
        mReshaped.push_back(reshaped[size_t(id)]);
        top = std::max({top, mModelP.back(), mReshaped.back()});
        ticker->addTick(double(i), tok ? QString::fromStdString(tok->targetPiece(id)) : QString::number(id));
        model->addData(double(i) - 0.2, mModelP.back());
        shaped->addData(double(i) + 0.2, mReshaped.back());
    }
    model->setWidth(0.38), shaped->setWidth(0.38);
    model->setBrush(QColor(160, 160, 160)), shaped->setBrush(QColor(0, 158, 115));
    model->setPen(Qt::NoPen), shaped->setPen(Qt::NoPen);
    model->setName(tr("p = softmax(logits)"));
    shaped->setName(tr("sampled from: T = %1, top-k %2, top-p %3")
                        .arg(mSampling.temperature, 0, 'f', 2)
                        .arg(mSampling.topK ? QString::number(mSampling.topK) : tr("all"))
                        .arg(mSampling.topP, 0, 'f', 2));
    stylePlot(mPlot, this);
    mPlot->legend->setVisible(false);  // the caption names the colours
    mPlot->xAxis->setTicker(ticker);
    mPlot->xAxis->setTickLabelRotation(35);
    mPlot->xAxis->setRange(-0.7, 9.7);
    mPlot->yAxis->setRange(0, std::min(1.05, top * 1.15 + 0.02));
    mPlot->yAxis->setLabel(tr("probability"));  // the caption names the step
    mPlot->replot();
    mCaption->setText(tr("Step %1: grey = the model's probabilities, green = the distribution sampling draws from "
                         "at temperature %2, p = softmax(logits / T). The logits are the same for every T: "
                         "only the shape changes (T → 0 is greedy).")
                          .arg(mRow + 1)
                          .arg(mSampling.temperature, 0, 'f', 2));
}

}  // namespace sf::ui
