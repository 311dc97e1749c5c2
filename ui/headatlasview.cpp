#include "ui/headatlasview.h"

#include "ui/labresources.h"
#include "ui/translationdocument.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <numeric>

namespace sf::ui {

HeadAtlasView::HeadAtlasView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    auto* h = new QHBoxLayout;
    mBatch = new QSpinBox(this);
    mBatch->setRange(1, 2000);
    mBatch->setValue(200);
    mRun = new QPushButton(this);
    mProgress = new QProgressBar(this);
    mProgress->setRange(0, 1);
    mProgress->setValue(0);
    h->addWidget(mBatch), h->addWidget(mRun), h->addWidget(mProgress, 1);
    v->addLayout(h);
    auto* body = new QHBoxLayout;
    mTable = new QTableWidget(this);
    mTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    mTable->verticalHeader()->hide();
    mTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    mTable->horizontalHeader()->setStretchLastSection(true);
    mTable->setMinimumHeight(100);
    mSummary = new QLabel(this);
    mSummary->setWordWrap(true);
    mSummary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    mSummary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    mSummary->setMinimumWidth(260);
    body->addWidget(mTable, 3), body->addWidget(mSummary, 2);
    v->addLayout(body, 1);
    connect(mRun, &QPushButton::clicked, this, &HeadAtlasView::run);
    connect(&mWatcher, &QFutureWatcher<Result>::finished, this, [this] {
        mRun->setEnabled(true);
        mResult = std::make_shared<Result>(mWatcher.result());
        fill();
    });
    fill();
}

HeadAtlasView::~HeadAtlasView()
{
    *mCancel = true;
    mWatcher.waitForFinished();
}

void HeadAtlasView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) fill();
}

void HeadAtlasView::run()
{
    const Translation* t = mDoc->translation();
    if (!t || !mDoc->model()) return;
    const int n = mBatch->value();
    QPointer<QProgressBar> bar = mProgress;
    mProgress->setRange(0, n + 1);
    mProgress->setValue(0);
    auto job = [model = mDoc->sharedModel(), source = t->sourceText, lexicon = lexiconPath(mDoc->modelPath()).toStdString(),
                n, bar, cancel = mCancel, sync = mSynchronous] {
        Result r;
        auto grammar = text::EnFrGrammar::load(lexicon);
        if (!grammar) {
            r.error = QString::fromStdString(grammar.message());
            return r;
        }
        // The current sentence, when the grammar has it (its gold alignment comes from there).
        if (auto pair = grammar->translate(source)) {
            auto one = alignmentAgreement(model, {*pair});
            if (one) r.sentence = *one;
        }
        auto split = grammar->split(0, size_t(n), 20261202);  // held-out sentences, the same every run
        if (!split) {
            r.error = QString::fromStdString(split.message());
            return r;
        }
        auto report = [bar, sync](int done) {
            if (sync) return;
            QMetaObject::invokeMethod(bar, [bar, done] {
                if (bar) bar->setValue(done);
            }, Qt::QueuedConnection);
        };
        auto batch = alignmentAgreement(model, split->test, [&](int done, int) {
            if (done % 10 == 0) report(done);
            return !*cancel;
        });
        if (!batch) {
            r.error = QString::fromStdString(batch.message());
            return r;
        }
        r.batch = *batch;
        auto effect = ablationEffect(model, source);
        if (effect) r.ablation = *effect;
        report(n + 1);
        return r;
    };
    if (mSynchronous) {
        mResult = std::make_shared<Result>(job());
        mProgress->setValue(mProgress->maximum());
        fill();
        return;
    }
    mRun->setEnabled(false);
    mWatcher.setFuture(QtConcurrent::run(job));
}

void HeadAtlasView::fill()
{
    mBatch->setPrefix(tr("sentences: "));
    mRun->setText(tr("Rank the heads"));
    mRun->setToolTip(tr("Score every cross-attention head against the toy grammar's gold word alignment"));
    const QStringList headers{tr("rank"), tr("cross-attention head"), tr("this sentence"), tr("batch"),
                              tr("tokens changed when off")};
    mTable->setColumnCount(int(headers.size()));
    mTable->setHorizontalHeaderLabels(headers);
    mRanking.clear();
    if (!mResult || !mDoc->model()) {
        mTable->setRowCount(0);
        mSummary->setText(tr("A head agrees with the alignment on a target word when the source piece it weighs "
                             "most belongs to an English word aligned with that French word (teacher-forced on the "
                             "reference, as in training)."));
        return;
    }
    if (!mResult->error.isEmpty()) {
        mTable->setRowCount(0);
        mSummary->setText(tr("This did not work: %1").arg(mResult->error));
        return;
    }
    const Config& c = mDoc->model()->config();
    const Result& r = *mResult;
    const int heads = c.decoderLayers * c.decoderHeads;
    mRanking.resize(size_t(heads));
    std::iota(mRanking.begin(), mRanking.end(), 0);
    auto share = [](const AlignmentHits& a, int i) {
        return a.words > 0 && i < int(a.hits.size()) ? double(a.hits[size_t(i)]) / double(a.words) : -1.0;
    };
    std::stable_sort(mRanking.begin(), mRanking.end(), [&](int a, int b) { return share(r.batch, a) > share(r.batch, b); });
    mTable->setRowCount(heads);
    for (int row = 0; row < heads; ++row) {
        const int i = mRanking[size_t(row)];
        auto set = [&](int col, const QString& s) { mTable->setItem(row, col, new QTableWidgetItem(s)); };
        auto percent = [](double x) { return x < 0 ? QString("—") : QString("%1 %").arg(100 * x, 0, 'f', 1); };
        set(0, QString::number(row + 1));
        set(1, tr("decoder layer %1, head %2").arg(i / c.decoderHeads + 1).arg(i % c.decoderHeads + 1));
        set(2, percent(share(r.sentence, i)));
        set(3, percent(share(r.batch, i)));
        set(4, i < int(r.ablation.size()) ? QString::number(r.ablation[size_t(i)]) : QString("—"));
    }
    const int best = mRanking.front();
    mSummary->setText(tr("Over %1 target words of %2 held-out grammar sentences, decoder layer %3 head %4 points at "
                         "the aligned English word %5 of the time. %6")
                          .arg(r.batch.words)
                          .arg(mBatch->value())
                          .arg(best / c.decoderHeads + 1)
                          .arg(best % c.decoderHeads + 1)
                          .arg(QString("%1 %").arg(100 * share(r.batch, best), 0, 'f', 1))
                          .arg(r.sentence.words > 0 ? tr("The current sentence has %1 target words.").arg(r.sentence.words)
                                                    : tr("The current sentence is not in the toy grammar: no gold "
                                                         "alignment for it.")));
}

}  // namespace sf::ui
