#include "ui/headatlasview.h"

#include "ui/labresources.h"
#include "ui/translationdocument.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <numeric>

namespace sf::ui {

namespace {

constexpr uint64_t kBatchSeed = 20261202;  // held-out sentences, the same every run

double share(const AlignmentHits& a, int i)
{
    return a.words > 0 && i < int(a.hits.size()) ? double(a.hits[size_t(i)]) / double(a.words) : -1.0;
}

QString percent(double x) { return x < 0 ? QString("—") : QString("%1 %").arg(100 * x, 0, 'f', 1); }

}  // namespace

HeadAtlasView::HeadAtlasView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    auto* h = new QHBoxLayout;
    mBatch = new QSpinBox(this);
    mBatch->setRange(1, 2000);
    mBatch->setValue(200);
    mAblationBatch = new QSpinBox(this);
    mAblationBatch->setRange(0, 2000);
    mAblationBatch->setValue(kDefaultAblationSentences);
    mRankBy = new QComboBox(this);
    mRankBy->addItems({QString(), QString()});
    mRun = new QPushButton(this);
    mCancelButton = new QPushButton(this);
    mCancelButton->setEnabled(false);
    mProgress = new QProgressBar(this);
    mProgress->setRange(0, 1);
    mProgress->setValue(0);
    mGold = new QCheckBox(this);
    h->addWidget(mBatch), h->addWidget(mAblationBatch), h->addWidget(mRun);
    h->addWidget(mCancelButton), h->addWidget(mProgress, 1);
    v->addLayout(h);
    auto* h2 = new QHBoxLayout;
    h2->addWidget(mRankBy), h2->addWidget(mGold), h2->addStretch(1);
    v->addLayout(h2);
    auto* body = new QHBoxLayout;
    mTable = new QTableWidget(this);
    mTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    mTable->verticalHeader()->hide();
    mTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    mTable->horizontalHeader()->setDefaultAlignment(Qt::AlignCenter);
    mTable->setMinimumHeight(100);
    mTable->setMinimumWidth(200);  // the dock never scrolls sideways: the table does
    mSummary = new QLabel(this);
    mSummary->setWordWrap(true);
    mSummary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    mSummary->setTextFormat(Qt::RichText);
    mSummary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto* scroll = new QScrollArea(this);  // the definitions below the findings may need more room
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(mSummary);
    scroll->setMinimumWidth(260);
    body->addWidget(mTable, 3), body->addWidget(scroll, 2);
    v->addLayout(body, 1);
    connect(mRun, &QPushButton::clicked, this, &HeadAtlasView::run);
    connect(mCancelButton, &QPushButton::clicked, this, &HeadAtlasView::cancel);
    connect(mRankBy, &QComboBox::currentIndexChanged, this, [this] { fill(); });
    connect(mGold, &QCheckBox::toggled, this, &HeadAtlasView::goldAlignmentToggled);
    connect(&mWatcher, &QFutureWatcher<Result>::finished, this, [this] {
        mRun->setEnabled(true);
        mCancelButton->setEnabled(false);
        mResult = std::make_shared<Result>(mWatcher.result());
        fill();
        emit finished();
    });
    retranslate();
}

HeadAtlasView::~HeadAtlasView()
{
    *mCancel = true;
    mWatcher.waitForFinished();
}

void HeadAtlasView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) retranslate();
}

void HeadAtlasView::setGoldAlignment(bool on)
{
    const QSignalBlocker block(mGold);
    mGold->setChecked(on);
}

void HeadAtlasView::cancel() { *mCancel = true; }

QString HeadAtlasView::summary() const { return mSummary->text(); }

void HeadAtlasView::run()
{
    const Translation* t = mDoc->translation();
    if (!t || !mDoc->model() || mWatcher.isRunning()) return;
    const int n = mBatch->value(), m = std::min(mAblationBatch->value(), n);
    mShownBatch = n, mShownAblation = m;
    QString why;
    auto grammar = alignmentGrammar(mDoc->modelPath(), &why);
    if (!grammar) {
        mResult = std::make_shared<Result>();
        mResult->error = why;
        fill();
        emit finished();
        return;
    }
    *mCancel = false;
    QPointer<QProgressBar> bar = mProgress;
    mProgress->setRange(0, n + m + 2);
    mProgress->setValue(0);
    // Everything the job reads is captured by value; it runs on a worker thread.
    auto job = [model = mDoc->sharedModel(), source = t->sourceText, grammar, n, m, bar, cancel = mCancel,
                sync = mSynchronous] {
        Result r;
        auto report = [bar, sync](int done) {
            if (sync) return;
            QMetaObject::invokeMethod(bar, [bar, done] {
                if (bar) bar->setValue(done);
            }, Qt::QueuedConnection);
        };
        auto fail = [&r](const auto& failed) {
            r.error = TranslationDocument::reasonText(failed.message(), failed.reason());
            return r;
        };
        // The current sentence: its agreement when the grammar has it, its ablation always.
        if (auto readings = grammar->translations(source); readings && !readings->empty()) {
            auto one = alignmentAgreement(model, {readings->front()});
            if (!one) return fail(one);
            r.sentence = *one;
            r.sentenceInGrammar = true;
        }
        auto impact = ablationImpact(model, {source});
        if (!impact) return fail(impact);
        r.sentenceImpact = *impact;
        report(1);
        if (*cancel) {
            r.error = "cancelled";
            return r;
        }
        auto split = grammar->split(0, size_t(n), kBatchSeed);
        if (!split) return fail(split);
        QElapsedTimer clock;
        clock.start();
        auto batch = alignmentAgreement(model, split->test, [&](int done, int) {
            if (done % 10 == 0 || done == n) report(1 + done);
            return !*cancel;
        });
        if (!batch) return fail(batch);
        r.batch = *batch;
        r.agreementMs = double(clock.nsecsElapsed()) / 1e6;
        std::vector<std::string> sources;
        for (size_t i = 0; i < size_t(m) && i < split->test.size(); ++i) sources.push_back(split->test[i].source);
        clock.restart();
        auto batchImpact = ablationImpact(model, sources, [&](int done, int) {
            report(2 + n + done);
            return !*cancel;
        });
        if (!batchImpact) return fail(batchImpact);
        r.batchImpact = *batchImpact;
        r.ablationMs = double(clock.nsecsElapsed()) / 1e6;
        report(n + m + 2);
        return r;
    };
    if (mSynchronous) {
        mResult = std::make_shared<Result>(job());
        mProgress->setValue(mProgress->maximum());
        fill();
        emit finished();
        return;
    }
    mRun->setEnabled(false);
    mCancelButton->setEnabled(true);
    mWatcher.setFuture(QtConcurrent::run(job));
}

void HeadAtlasView::retranslate()
{
    mBatch->setPrefix(tr("agreement over "));
    mBatch->setSuffix(tr(" sentences"));
    mBatch->setToolTip(tr("Held-out sentences of the toy grammar scored against its gold word alignment"));
    mAblationBatch->setPrefix(tr("switched off over "));
    mAblationBatch->setSuffix(tr(" sentences"));
    mAblationBatch->setToolTip(tr("Sentences translated again with each head switched off (the first ones of the "
                                  "batch; 2 + 2 × heads translations each, the source encoded once)"));
    mRankBy->setItemText(ByAgreement, tr("rank by agreement"));
    mRankBy->setItemText(ByAblation, tr("rank by log p lost when off"));
    mRun->setText(tr("Rank the heads"));
    mRun->setToolTip(tr("Score every cross-attention head against the gold word alignment and switch each off in turn"));
    mCancelButton->setText(tr("Cancel"));
    mGold->setText(tr("Outline the gold alignment on cross-attention maps"));
    fill();
}

void HeadAtlasView::fill()
{
    const QStringList headers{tr("rank"),
                              tr("cross-attention\nhead"),
                              tr("agrees:\nthis sentence"),
                              tr("agrees:\nbatch"),
                              tr("off: tokens\nchanged here"),
                              tr("off: outputs\nchanged"),
                              tr("off: log p lost\nper token")};
    mTable->setColumnCount(int(headers.size()));
    mTable->setHorizontalHeaderLabels(headers);
    mTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    mRanking.clear();
    const QString definitions =
        tr("<p><b>Agrees</b>: teacher-forced on the reference translation (as in training), at the first piece of "
           "every target word, the head agrees when the source piece it weighs most belongs to a source word "
           "gold-aligned with that target word; the share of target words where it does.</p>"
           "<p><b>Off</b>: the head alone is switched off (its context is zero) and the sentence is translated "
           "again, greedily. <i>Outputs changed</i>: the share of sentences whose translation y (without any "
           "intervention) changes. <i>Log p lost per token</i>: the mean over the sentences of "
           "(log p(y | x) − log p<sub>off</sub>(y | x)) / |y|, in nats, both teacher-forced on y; near 0: the "
           "head does not matter to this answer; negative: without it the model is surer of y.</p>");
    if (!mResult || !mDoc->model()) {
        mTable->setRowCount(0);
        mSummary->setText(definitions);
        return;
    }
    if (!mResult->error.isEmpty()) {
        mTable->setRowCount(0);
        mSummary->setText(mResult->error == "cancelled" ? tr("Cancelled: nothing ranked.") + definitions
                                                        : tr("This did not work: %1").arg(mResult->error.toHtmlEscaped()));
        return;
    }
    const Config& c = mDoc->model()->config();
    const Result& r = *mResult;
    const int heads = c.decoderLayers * c.decoderHeads;
    mRanking.resize(size_t(heads));
    std::iota(mRanking.begin(), mRanking.end(), 0);
    const bool byAblation = mRankBy->currentIndex() == ByAblation;
    auto cost = [&](int i) { return r.batchImpact.sentences > 0 ? r.batchImpact.meanDrop(i) : 0.0; };
    std::stable_sort(mRanking.begin(), mRanking.end(), [&](int a, int b) {
        return byAblation ? cost(a) > cost(b) : share(r.batch, a) > share(r.batch, b);
    });
    auto headName = [&](int i) {
        return tr("layer %1, head %2").arg(i / c.decoderHeads + 1).arg(i % c.decoderHeads + 1);
    };
    mTable->setRowCount(heads);
    const bool ablated = r.batchImpact.sentences > 0;
    for (int row = 0; row < heads; ++row) {
        const int i = mRanking[size_t(row)];
        auto set = [&](int col, const QString& s) {
            auto* item = new QTableWidgetItem(s);
            if (col >= 2) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            mTable->setItem(row, col, item);
        };
        set(0, QString::number(row + 1));
        set(1, headName(i));
        set(2, percent(r.sentenceInGrammar ? share(r.sentence, i) : -1.0));
        set(3, percent(share(r.batch, i)));
        set(4, r.sentenceImpact.sentences > 0 ? QString::number(r.sentenceImpact.tokens[size_t(i)]) : QString("—"));
        set(5, ablated ? percent(r.batchImpact.changedShare(i)) : QString("—"));
        set(6, ablated ? QString::number(r.batchImpact.meanDrop(i), 'f', 3) : QString("—"));
    }
    int agreeBest = 0, costBest = 0;
    for (int i = 1; i < heads; ++i) {
        if (share(r.batch, i) > share(r.batch, agreeBest)) agreeBest = i;
        if (cost(i) > cost(costBest)) costBest = i;
    }
    QString text = tr("<p>Over %1 target words of %2 held-out grammar sentences, cross-attention head <b>%3</b> "
                      "points at the aligned source word %4 of the time.</p>")
                       .arg(r.batch.words)
                       .arg(mShownBatch)
                       .arg(headName(agreeBest))
                       .arg(percent(share(r.batch, agreeBest)));
    if (ablated)
        text += tr("<p>Switched off, head <b>%1</b> costs the most: over %2 sentences it changes %3 of the translations "
                   "and takes %4 nats per token from the log-probability of the unablated translation.</p>")
                    .arg(headName(costBest))
                    .arg(r.batchImpact.sentences)
                    .arg(percent(r.batchImpact.changedShare(costBest)))
                    .arg(r.batchImpact.meanDrop(costBest), 0, 'f', 3);
    text += r.sentenceInGrammar ? tr("<p>The current sentence has %1 target words with a gold alignment.</p>").arg(r.sentence.words)
                                : tr("<p>The current sentence is not in the toy grammar: no gold alignment for it "
                                     "(its ablation column still counts).</p>");
    text += tr("<p>Time: agreement %1 s, switching off %2 s.</p>")
                .arg(r.agreementMs / 1000, 0, 'f', 2)
                .arg(r.ablationMs / 1000, 0, 'f', 2);
    mSummary->setText(text + definitions);
}

}  // namespace sf::ui
