#include "ui/forcingview.h"

#include "core/model/model.h"
#include "core/text/corpus.h"
#include "core/text/grammar.h"
#include "ui/labresources.h"
#include "ui/translationdocument.h"

#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace sf::ui {

namespace {
constexpr double kIdentical = 1e-3;  // |logit| difference under which two rows are "identical"
}

ForcingView::ForcingView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    auto* h = new QHBoxLayout;
    mTarget = new QLineEdit(this);
    mTarget->setClearButtonEnabled(true);
    mReference = new QPushButton(this);
    mRun = new QPushButton(this);
    mStep = new QPushButton(this);
    mNoMask = new QPushButton(this);
    mNoMask->setCheckable(true);
    h->addWidget(mTarget, 1);
    h->addWidget(mReference);
    h->addWidget(mRun);
    h->addWidget(mStep);
    h->addWidget(mNoMask);
    v->addLayout(h);
    auto* body = new QHBoxLayout;
    mSummary = new QLabel(this);
    mSummary->setWordWrap(true);
    mSummary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // wrap to the width given
    mSummary->setTextFormat(Qt::RichText);
    mSummary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    mSummary->setMinimumWidth(280);
    mTable = new QTableWidget(this);
    mTable->setMinimumHeight(100);
    mTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    mTable->verticalHeader()->hide();
    mTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    mTable->horizontalHeader()->setStretchLastSection(true);
    // The summary scrolls when the dock is short (the no-mask comparison adds a paragraph).
    auto* summaryScroll = new QScrollArea(this);
    summaryScroll->setWidget(mSummary);
    summaryScroll->setWidgetResizable(true);
    summaryScroll->setFrameShape(QFrame::NoFrame);
    summaryScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    summaryScroll->setMinimumWidth(280);
    body->addWidget(mTable, 3);
    body->addWidget(summaryScroll, 2);
    v->addLayout(body, 1);
    connect(mRun, &QPushButton::clicked, this, &ForcingView::run);
    connect(mTarget, &QLineEdit::returnPressed, this, &ForcingView::run);
    connect(mReference, &QPushButton::clicked, this, &ForcingView::useReference);
    // The model trained without the mask: run the lab on it beside the current model's.
    connect(mNoMask, &QPushButton::toggled, this, [this](bool on) {
        if (!on) {
            mNoMaskLab.reset();
            mNoMaskError.clear();
            fill();
        } else {
            // Switched on before the tab was ever shown (a session file opening): the
            // reference is the target the lab runs on.
            if (mTarget->text().trimmed().isEmpty()) useReference();
            run();
        }
    });
    connect(mDoc, &TranslationDocument::modelChanged, this, &ForcingView::updateNoMaskButton);
    // The whole masked matrix at once, as in training: the forced pass becomes the document's
    // translation (undoable), so every stage shows it.
    connect(mStep, &QPushButton::clicked, this, [this] {
        const text::Tokenizer* tok = mDoc->model() ? mDoc->model()->tokenizer() : nullptr;
        if (!tok || !mDoc->translation() || mTarget->text().trimmed().isEmpty()) return;
        DecodeOptions o = mDoc->options();
        o.strategy = Forced{tok->encodeTarget(mTarget->text().trimmed().toStdString()).ids};
        o.interventions.noCausalMask = false;
        mDoc->setOptions(o);
    });
    connect(&mWatcher, &QFutureWatcher<Outcome>::finished, this, [this] {
        mRun->setEnabled(true);
        show(mWatcher.result());
    });
    connect(mDoc, &TranslationDocument::translationChanged, this, [this] {
        // A new sentence: offer its reference (the student may still type any target).
        const Translation* t = mDoc->translation();
        if (!t || t->decoding == "forced") return;
        if (isVisible()) useReference();
        else mStale = true;
    });
    updateNoMaskButton();
    fill();
}

QString ForcingView::noMaskModelPath() { return resourceFile("models/" + noMaskModelName()); }

bool ForcingView::noMaskAvailable(QString* why) const
{
    auto fail = [why](const QString& m) {
        if (why) *why = m;
        return false;
    };
    if (!QFileInfo::exists(noMaskModelPath() + "/model.safetensors"))
        return fail(tr("the bundled model %1 is not installed (%2)").arg(noMaskModelName(), noMaskModelPath()));
    if (mDoc->modelPath().isEmpty()) return fail(tr("no model is loaded"));
    auto examples = text::readModelExamples(mDoc->modelPath().toStdString());
    if (!examples || examples->task != "en-fr")
        return fail(tr("%1 translates English to French, and the current model's task is not en-fr")
                        .arg(noMaskModelName()));
    return true;
}

void ForcingView::updateNoMaskButton()
{
    QString why;
    const bool ok = noMaskAvailable(&why);
    mNoMask->setEnabled(ok);
    if (!ok && mNoMask->isChecked()) mNoMask->setChecked(false);
    mNoMask->setToolTip(ok ? tr("Run the same comparison on the bundled model %1, trained without the causal mask: "
                                "teacher-forced it can read the next reference token, free running it cannot")
                                 .arg(noMaskModelName())
                           : tr("Not available: %1").arg(why));
}

void ForcingView::showEvent(QShowEvent* e)
{
    QWidget::showEvent(e);
    if (mStale) {
        mStale = false;
        useReference();
    }
}

ForcingView::~ForcingView() { mWatcher.waitForFinished(); }

void ForcingView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) fill();
}

QString ForcingView::referenceFor(const QString& source, QString* why) const
{
    const QString path = lexiconPath(mDoc->modelPath());
    if (!mGrammar || path != mGrammarPath) {
        auto grammar = text::EnFrGrammar::load(path.toStdString());
        if (!grammar) {
            if (why) *why = TranslationDocument::reasonText(grammar.message(), grammar.reason());
            return {};
        }
        mGrammar = std::make_shared<const text::EnFrGrammar>(std::move(*grammar));
        mGrammarPath = path;
    }
    auto pair = mGrammar->translate(source.trimmed().toStdString());
    if (!pair) {
        if (why) *why = TranslationDocument::reasonText(pair.message(), pair.reason());
        return {};
    }
    return QString::fromStdString(pair->target);
}

void ForcingView::useReference()
{
    const Translation* t = mDoc->translation();
    if (!t) return;
    QString why;
    const QString ref = referenceFor(QString::fromStdString(t->sourceText), &why);
    if (!ref.isEmpty()) {
        mTarget->setText(ref);
        mNote = tr("the toy grammar's reference translation");
    } else {
        // Not a sentence of the grammar: the model's own output is a target the student can check.
        mTarget->setText(QString::fromStdString(t->outputText));
        mNote = tr("the model's own output (the sentence is not in the toy grammar: %1)").arg(why);
    }
    fill();
}

void ForcingView::run()
{
    const Translation* t = mDoc->translation();
    const text::Tokenizer* tok = mDoc->model() ? mDoc->model()->tokenizer() : nullptr;
    if (!t || !tok || mTarget->text().trimmed().isEmpty()) return;
    const std::vector<int> target = tok->encodeTarget(mTarget->text().trimmed().toStdString()).ids;
    Interventions iv = mDoc->interventions();
    const bool noMask = mNoMask->isChecked() && noMaskAvailable();
    auto job = [model = mDoc->sharedModel(), source = t->sourceText, target, iv, noMask,
                targetText = mTarget->text().trimmed().toStdString(), noMaskModel = mNoMaskModel,
                noMaskPath = noMaskModelPath().toStdString()]() {
        Outcome o;
        auto r = runForcingLab(model, source, target, iv);
        if (r) o.lab = std::make_shared<ForcingLab>(std::move(*r));
        else o.error = TranslationDocument::reasonText(r.message(), r.reason());
        if (!noMask) return o;
        // The model trained without the mask, on the same sentence and the same target text
        // (its own pieces; the interventions belong to the current model's heads and stay there).
        o.noMaskModel = noMaskModel;
        if (!o.noMaskModel) {
            auto loaded = Model::load(noMaskPath);
            if (!loaded) {
                o.noMaskError = TranslationDocument::reasonText(loaded.message(), loaded.reason());
                return o;
            }
            o.noMaskModel = *loaded;
        }
        const text::Tokenizer* tk = o.noMaskModel->tokenizer();
        if (!tk) {
            o.noMaskError = QString::fromStdString(noMaskPath + ": no tokenizer");
            return o;
        }
        auto n = runForcingLab(o.noMaskModel, source, tk->encodeTarget(targetText).ids);
        if (n) o.noMaskLab = std::make_shared<ForcingLab>(std::move(*n));
        else o.noMaskError = TranslationDocument::reasonText(n.message(), n.reason());
        return o;
    };
    if (mSynchronous) {
        show(job());
        return;
    }
    mRun->setEnabled(false);
    mSummary->setText(noMask ? tr("Running three passes on each model…") : tr("Running three passes…"));
    mWatcher.setFuture(QtConcurrent::run(job));
}

void ForcingView::show(const Outcome& o)
{
    mLab = o.lab;
    mError = o.error;
    if (o.noMaskModel) mNoMaskModel = o.noMaskModel;
    mNoMaskLab = o.noMaskLab;
    mNoMaskError = o.noMaskError;
    fill();
}

QString ForcingView::verdict() const { return mSummary->text(); }

QString ForcingView::noMaskSummary() const
{
    if (!mNoMask->isChecked()) return {};
    const QString head = "<br><b>" + tr("Trained without the mask:") + "</b> ";
    if (!mNoMaskError.isEmpty()) return head + tr("this did not work: %1").arg(mNoMaskError.toHtmlEscaped());
    if (!mNoMaskLab || !mNoMaskModel) return {};
    const ForcingLab& N = *mNoMaskLab;
    const Config& c = mNoMaskModel->config();
    const int T = int(N.target.size());
    double pn = 0;
    for (int r = 0; r < T; ++r) pn += N.pTargetCheat[size_t(r)];
    pn /= std::max(1, T);
    QString s = head + tr("the bundled model %1 (d_model %2, %3 + %4 layers) saw the whole target in training, the "
                          "next token included (decoder_causal_mask false), so its forced pass is always unmasked.")
                           .arg(noMaskModelName())
                           .arg(c.dModel)
                           .arg(c.encoderLayers)
                           .arg(c.decoderLayers);
    s += " ";
    if (N.cheatCopies == T)
        s += tr("Teacher-forced, the next reference token gets the largest probability at every position (mean p "
                "%1): it copies the answer it can see.")
                 .arg(pn, 0, 'f', 3);
    else
        s += tr("Teacher-forced, the next reference token gets the largest probability at %1 of %2 positions (mean "
                "p %3).")
                 .arg(N.cheatCopies)
                 .arg(T)
                 .arg(pn, 0, 'f', 3);
    const text::Tokenizer* tok = mNoMaskModel->tokenizer();
    auto piece = [&](int id) { return tok ? QString::fromStdString(tok->targetPiece(id)) : QString::number(id); };
    const QString said = N.free.outputText.empty() && !N.free.outputIds.empty()
                             ? tr("%1 at once (an empty translation)").arg(piece(N.free.outputIds.front()).toHtmlEscaped())
                             : tr("“%1”").arg(QString::fromStdString(N.free.outputText).toHtmlEscaped());
    if (N.divergence >= 0)
        s += " " + tr("Free running, token by token, it says %1 and leaves the reference at position %2 (“%3” "
                      "instead of “%4”): in use no later token is there to copy.")
                       .arg(said)
                       .arg(N.divergence + 1)
                       .arg(piece(N.free.outputIds[size_t(N.divergence)]).toHtmlEscaped(),
                            piece(N.target[size_t(N.divergence)]).toHtmlEscaped());
    else
        s += " " + tr("Free running, token by token, it says %1: the reference itself.").arg(said);
    return s;
}

void ForcingView::fill()
{
    mReference->setText(tr("Reference"));
    mReference->setToolTip(tr("The toy grammar's translation of the current sentence"));
    mRun->setText(tr("Compare"));
    mStep->setText(tr("Step through it"));
    mStep->setToolTip(tr("Make the teacher-forced pass the current translation: every stage then shows the whole "
                         "masked matrix, computed at once as in training (Lab ▸ Back to free running to return)"));
    mTarget->setPlaceholderText(tr("target sentence (French)"));
    mNoMask->setText(tr("Trained without the mask"));
    updateNoMaskButton();
    const ForcingLab* N = mNoMask->isChecked() ? mNoMaskLab.get() : nullptr;
    QStringList headers{tr("pos"),          tr("decoder reads"),      tr("reference next"),
                        tr("forced: p(ref), says"), tr("free running: says, p"), tr("rows t"),
                        tr("no mask: p(ref), says")};
    if (N) {
        // Two models side by side: each column names its model (two lines, to fit).
        const QString current = QFileInfo(mDoc->modelPath()).fileName();
        headers[3] = tr("%1, masked\np(ref), says").arg(current);
        headers[6] = tr("%1, no mask\np(ref), says").arg(current);
        headers << tr("%1\np(ref), says").arg(noMaskModelName()) << tr("%1, free running\nsays, p").arg(noMaskModelName());
    }
    mTable->setColumnCount(int(headers.size()));
    mTable->setHorizontalHeaderLabels(headers);
    // Beside the model trained without the mask, the current model's free-running and row
    // columns make way (they are about the KV cache, not the mask).
    mTable->setColumnHidden(4, N != nullptr);
    mTable->setColumnHidden(5, N != nullptr);
    if (!mError.isEmpty()) {
        mSummary->setText(tr("This did not work: %1").arg(mError.toHtmlEscaped()));
        mTable->setRowCount(0);
        return;
    }
    if (!mLab) {
        mSummary->setText(tr("Teacher forcing feeds the decoder the reference shifted right and computes every "
                             "position in one pass, as in training; free running feeds back the model's own "
                             "choices one token at a time, as in use. Target: %1. Press <b>Compare</b>.")
                              .arg(mNote.toHtmlEscaped()));
        mTable->setRowCount(0);
        return;
    }
    const ForcingLab& L = *mLab;
    const text::Tokenizer* tok = mDoc->model() ? mDoc->model()->tokenizer() : nullptr;
    auto piece = [&](int id) { return tok ? QString::fromStdString(tok->targetPiece(id)) : QString::number(id); };
    const int T = int(L.target.size());
    mTable->setRowCount(T);
    int identical = 0;
    double worst = 0;
    const QColor same(200, 235, 215), differ(250, 220, 200), off(235, 235, 235);
    for (int r = 0; r < T; ++r) {
        auto set = [&](int c, const QString& s, const QColor& bg = QColor()) {
            auto* item = new QTableWidgetItem(s);
            if (bg.isValid()) item->setBackground(bg), item->setForeground(Qt::black);
            mTable->setItem(r, c, item);
        };
        set(0, QString::number(r + 1));
        set(1, r == 0 ? QString::fromUtf8(kStartLabel) : piece(L.target[size_t(r - 1)]));
        set(2, piece(L.target[size_t(r)]));
        const int fa = L.forced.outputIds[size_t(r)];
        set(3, QString("%1  %2").arg(L.pTarget[size_t(r)], 0, 'f', 3).arg(piece(fa)),
            fa == L.target[size_t(r)] ? QColor() : differ);
        if (r < int(L.free.outputIds.size())) {
            const int own = L.free.outputIds[size_t(r)];
            const TraceTensor* fp = L.free.trace ? L.free.trace->find(trace_names::probs()) : nullptr;
            set(4, QString("%1  %2").arg(fp ? fp->row(r)[own] : 0.0f, 0, 'f', 3).arg(piece(own)),
                own == L.target[size_t(r)] ? QColor() : differ);
        } else {
            set(4, tr("(stopped)"), off);
        }
        if (r < int(L.rows.size())) {
            const RowAgreement& a = L.rows[size_t(r)];
            if (a.samePrefix && a.maxAbsDiff <= kIdentical) {
                ++identical;
                worst = std::max(worst, a.maxAbsDiff);
                set(5, tr("= identical (max |Δ logit| %1)").arg(a.maxAbsDiff, 0, 'g', 2), same);
            } else if (a.samePrefix) {
                set(5, tr("same inputs, but max |Δ logit| %1").arg(a.maxAbsDiff, 0, 'g', 3), differ);
            } else {
                set(5, tr("differ: free running read its own tokens (max |Δ logit| %1)").arg(a.maxAbsDiff, 0, 'f', 1), differ);
            }
        } else {
            set(5, QString(), off);
        }
        const int ca = L.cheat.outputIds[size_t(r)];
        set(6, QString("%1  %2").arg(L.pTargetCheat[size_t(r)], 0, 'f', 3).arg(piece(ca)),
            ca == L.target[size_t(r)] ? same : differ);
        if (!N) continue;
        // The model trained without the mask: its (always unmasked) forced pass, its free run.
        const text::Tokenizer* ntok = mNoMaskModel ? mNoMaskModel->tokenizer() : nullptr;
        auto npiece = [&](int id) { return ntok ? QString::fromStdString(ntok->targetPiece(id)) : QString::number(id); };
        if (r < int(N->target.size())) {
            const int na = N->cheat.outputIds[size_t(r)];
            set(7, QString("%1  %2").arg(N->pTargetCheat[size_t(r)], 0, 'f', 3).arg(npiece(na)),
                na == N->target[size_t(r)] ? same : differ);
        } else {
            set(7, QString(), off);
        }
        if (r < int(N->free.outputIds.size())) {
            const int own = N->free.outputIds[size_t(r)];
            const TraceTensor* fp = N->free.trace ? N->free.trace->find(trace_names::probs()) : nullptr;
            const bool follows = r < int(N->target.size()) && own == N->target[size_t(r)];
            set(8, QString("%1  %2").arg(fp ? fp->row(r)[own] : 0.0f, 0, 'f', 3).arg(npiece(own)),
                follows ? QColor() : differ);
        } else {
            set(8, tr("(stopped)"), off);
        }
    }
    double pm = 0, pc = 0;
    for (int r = 0; r < T; ++r) pm += L.pTarget[size_t(r)], pc += L.pTargetCheat[size_t(r)];
    pm /= std::max(1, T), pc /= std::max(1, T);
    QString s;
    if (!N) {
        s = tr("<b>Rows:</b> %1 of %2 positions are identical in both passes (largest logit difference %3, "
               "tolerance %4): where the decoder read the same tokens, one parallel masked pass computes "
               "what token-by-token decoding with the KV cache computes.")
                .arg(identical)
                .arg(std::min<int>(T, int(L.rows.size())))
                .arg(worst, 0, 'g', 2)
                .arg(kIdentical, 0, 'g', 1);
        if (L.divergence >= 0)
            s += " " + tr("At position %1 the model's own choice, “%2”, leaves the reference, “%3”: from then on "
                          "free running reads its own tokens and its rows differ.")
                           .arg(L.divergence + 1)
                           .arg(piece(L.free.outputIds[size_t(L.divergence)]), piece(L.target[size_t(L.divergence)]));
        else
            s += " " + tr("The model's own choices follow the target all the way.");
        s += "<br>";
    }
    s += "<b>" + tr("No causal mask:") + "</b> ";
    if (N) s += tr("(the current model, %1)").arg(QFileInfo(mDoc->modelPath()).fileName().toHtmlEscaped()) + " ";
    const bool trainedMasked = mDoc->model() && mDoc->model()->config().decoderCausalMask;
    if (L.cheatCopies == T)
        s += tr("the next reference token gets the largest probability at every position (mean p %1 → %2): the "
                "model reads the answer off the next position — it cheats.")
                 .arg(pm, 0, 'f', 3)
                 .arg(pc, 0, 'f', 3);
    else if (!trainedMasked)
        s += tr("the next reference token gets the largest probability at only %1 of %2 positions (mean p %3 → %4); "
                "this model was trained without the mask.")
                 .arg(L.cheatCopies)
                 .arg(T)
                 .arg(pm, 0, 'f', 3)
                 .arg(pc, 0, 'f', 3);
    else
        s += tr("the next reference token gets the largest probability at only %1 of %2 positions, and its mean "
                "probability goes from %3 to %4. The answer is in plain sight, yet this model does not copy it: it "
                "was trained with the mask and never learned to look ahead, so the later tokens disturb it instead.")
                 .arg(L.cheatCopies)
                 .arg(T)
                 .arg(pm, 0, 'f', 3)
                 .arg(pc, 0, 'f', 3);
    if (!mNoMask->isChecked() && mNoMask->isEnabled())
        s += " " + tr("Press <b>%1</b> to run this comparison on a model that was trained without the mask.")
                       .arg(mNoMask->text().toHtmlEscaped());
    s += noMaskSummary();
    mSummary->setText(s);
}

}  // namespace sf::ui
