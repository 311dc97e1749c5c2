#include "ui/predictview.h"

#include "ui/revealcover.h"
#include "ui/texttable.h"
#include "ui/translationdocument.h"

#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QTimer>
#include <QToolButton>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace sf::ui {

namespace {

const char* kRight = "background:#2e7d32; color:white; font-weight:bold;";
const char* kWrong = "background:#c62828; color:white; font-weight:bold;";
const char* kHidden = "background:#37474f; color:white;";
const char* kMissed = "background:#ef6c00; color:white; font-weight:bold;";

// The decoder input at position i: the start token, then the outputs shifted right.
QString decoderInputLabel(const Translation& t, int i)
{
    if (i == 0) return "<start>";
    return i - 1 < int(t.outputPieces.size()) ? QString::fromStdString(t.outputPieces[size_t(i - 1)]) : "?";
}

}  // namespace

void fitWrappedLabel(QLabel* label, int width)
{
    // A word-wrapped label in a scroll area is otherwise squeezed below its text's height.
    label->setMinimumHeight(label->text().isEmpty() || width <= 0 ? 0 : label->heightForWidth(width));
}

std::string PredictView::pieceOf(int id) const
{
    const text::Tokenizer* tok = mDoc->model() ? mDoc->model()->tokenizer() : nullptr;
    return tok ? tok->targetPiece(id) : std::to_string(id);
}

PredictView::PredictView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    auto* layout = new QVBoxLayout(this);
    mHeading = new QLabel(this);
    QFont bold = mHeading->font();
    bold.setBold(true);
    mHeading->setFont(bold);
    mHeading->setWordWrap(true);
    auto* top = new QHBoxLayout;
    top->addWidget(mHeading, 1);
    mScoreLabel = new QLabel(this);
    mScoreLabel->setObjectName("predict.score");
    mScoreLabel->setFont(bold);
    top->addWidget(mScoreLabel);
    layout->addLayout(top);
    mPrompt = new QLabel(this);
    mPrompt->setWordWrap(true);
    mPrompt->setObjectName("predict.prompt");
    layout->addWidget(mPrompt);
    // The explanation right under the question: in a short dock it is what stays in view.
    mFeedback = new QLabel(this);
    mFeedback->setWordWrap(true);
    mFeedback->setObjectName("predict.feedback");
    mFeedback->setTextFormat(Qt::PlainText);
    mFeedback->setMargin(6);
    layout->addWidget(mFeedback);
    mOptions = new QWidget(this);
    mGrid = new QGridLayout(mOptions);
    mGrid->setSpacing(3);
    mGrid->setContentsMargins(0, 0, 0, 0);
    // No scroll area of its own: the dock scrolls the whole panel when it is too small.
    layout->addWidget(mOptions);
    mCheck = new QPushButton(this);
    mCheck->setObjectName("predict.check");
    mCheck->hide();
    layout->addWidget(mCheck);
    layout->addStretch(1);
    connect(mCheck, &QPushButton::clicked, this, [this] {
        if (!mPending) return;
        if (mQuestion.kind == QuestionKind::Mask) answerMask();
        else if (mQuestion.kind == QuestionKind::Quiz) {
            mPending = false;
            cover(false);
            mCheck->hide();
            setFeedback(rendered(Text("quiz." + mQuestion.quizId + ".answer")));
        }
    });
    connect(mDoc, &TranslationDocument::stepChanged, this, &PredictView::onStepChanged);
    connect(mDoc, &TranslationDocument::translationChanged, this, [this] { mAsked.clear(); });
    connect(&mAblation, &QFutureWatcher<AblationRun>::finished, this, [this] {
        const AblationRun r = mAblation.result();
        if (!mPending || mQuestion.kind != QuestionKind::Ablation) return;
        if (!r.error.isEmpty()) {
            setFeedback(r.error);
            mPending = false;
            cover(false);
            return;
        }
        reveal(gradeAblation(r.answer, mAblationGuess, mHead));
    });
    retranslate();
}

void PredictView::addCovered(QWidget* view) { mCovers << new RevealCover(view); }

void PredictView::setPredictMode(bool on)
{
    mMode = on;
    if (!on && mPending) {
        mPending = false;
        cover(false);
        clearOptions();
        setPrompt(Text());
    }
    if (on) onStepChanged();
}

bool PredictView::covering() const
{
    return std::any_of(mCovers.begin(), mCovers.end(), [](const RevealCover* c) { return c->covering(); });
}

void PredictView::resetScore()
{
    mScore = {};
    retranslate();
    emit scoreChanged();
}

void PredictView::onStepChanged()
{
    if (mPending && mDoc->currentIndex() != mStep) {
        // Stepping away cancels the question (it is not counted).
        mPending = false;
        cover(false);
        clearOptions();
        setPrompt(Text());
        setFeedback(QString());
    }
    const Step* s = mDoc->currentStep();
    if (!mMode || !mAutomatic || !s || !mDoc->model() || mPending) return;
    const QuestionKind k = defaultQuestion(*s, mDoc->model()->config());
    if (k == QuestionKind::None || mAsked.contains(mDoc->currentIndex())) return;
    mAsked.insert(mDoc->currentIndex());
    ask(Question{k, {}});
}

void PredictView::clearOptions()
{
    while (QLayoutItem* item = mGrid->takeAt(0)) {
        if (QWidget* w = item->widget()) {
            // Later: this may run inside a click of one of them. Unnamed at once, so that
            // the next question's controls are the only ones with their names.
            w->hide();
            w->setObjectName(QString());
            w->deleteLater();
        }
        delete item;
    }
    for (int i = 0; i < mGrid->columnCount(); ++i) mGrid->setColumnStretch(i, 0);
    for (int i = 0; i < mGrid->rowCount(); ++i) mGrid->setRowStretch(i, 0);
    mCheck->hide();
}

void PredictView::cover(bool on)
{
    for (RevealCover* c : mCovers) c->setCovering(on);
}

void PredictView::setPrompt(const Text& t)
{
    mPromptText = t;
    mPrompt->setText(t.empty() ? QString() : rendered(t));
    fitLabels();
}

void PredictView::setFeedback(const QString& text)
{
    mFeedback->setText(text);
    mFeedback->setVisible(!text.isEmpty());
    fitLabels();
}

QString PredictView::promptText() const { return mPrompt->text(); }
QString PredictView::feedbackText() const { return mFeedback->text(); }

QPushButton* PredictView::optionButton(const QString& text, const QString& name)
{
    auto* b = new QPushButton(text, mOptions);
    b->setObjectName(name);
    b->setToolTip(text);
    // Narrow docks: buttons share the width rather than widen the panel past it.
    b->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    b->setMinimumHeight(b->fontMetrics().height() + 10);
    return b;
}

bool PredictView::ask(const Question& q, int head)
{
    const Step* s = mDoc->currentStep();
    const Translation* t = mDoc->translation();
    if (!s || !t || !t->trace || q.kind == QuestionKind::None || !questionFits(q.kind, *s)) return false;
    if (head < 0) head = mDoc->selectedHead();
    clearOptions();
    setFeedback(QString());
    mGraded = false;
    mFeedback->setAutoFillBackground(false);
    mQuestion = q;
    mStep = mDoc->currentIndex();
    mPending = true;
    switch (q.kind) {
    case QuestionKind::CrossAttention: askCross(*s, head); break;
    case QuestionKind::Mask: askMask(*s); break;
    case QuestionKind::NextToken: askNext(*s); break;
    case QuestionKind::Ablation: askAblation(*s, head); break;
    case QuestionKind::Quiz: askQuiz(q.quizId); break;
    case QuestionKind::None: break;
    }
    if (!mPending) return false;  // the trace lacked the facts
    cover(q.kind != QuestionKind::Quiz);
    emit asked();
    scrollIntoView(mOptions);
    return true;
}

void PredictView::askCross(const Step& s, int head)
{
    const Translation& t = *mDoc->translation();
    Result<CrossAttentionAnswer> a = crossAttentionAnswer(t, s.layer, head, s.t);
    if (!a) {
        mPending = false;
        setFeedback(QString::fromStdString(a.message()));
        return;
    }
    mCross = *a;
    mRow = s.t;
    mHead = {Stack::Decoder, s.layer, AttentionKind::Cross, head};
    mDoc->setSelectedHead(head);  // the revealed stage shows this head enlarged
    setPrompt(Text("predict.cross.prompt").count("step", s.t + 1).count("head", head + 1).str("token",
                                                                                             decoderInputLabel(t, s.t).toStdString()));
    for (int j = 0; j < int(mCross.weights.size()); ++j) {
        const QString piece = j < int(t.sourcePieces.size()) ? QString::fromStdString(t.sourcePieces[size_t(j)]) : "?";
        QPushButton* b = optionButton(piece, QString("predict.option.%1").arg(j));
        connect(b, &QPushButton::clicked, this, [this, j] { answerCross(j); });
        mGrid->addWidget(b, j / 3, j % 3);  // in reading order, three to a row
    }
}

void PredictView::answerCross(int position)
{
    if (!mPending || mQuestion.kind != QuestionKind::CrossAttention) return;
    const Translation& t = *mDoc->translation();
    for (int j = 0; j < int(mCross.weights.size()); ++j) {
        auto* b = mOptions->findChild<QPushButton*>(QString("predict.option.%1").arg(j));
        if (!b) continue;
        b->setText(QString("%1  %2%").arg(b->text()).arg(double(mCross.weights[size_t(j)]) * 100, 0, 'f', 0));
        b->setStyleSheet(j == mCross.argmax ? kRight : j == position ? kWrong : "");
        b->setEnabled(false);
    }
    reveal(gradeCrossAttention(mCross, position, mRow, t.sourcePieces));
}

void PredictView::askMask(const Step& s)
{
    const Translation& t = *mDoc->translation();
    Result<MaskAnswer> a = maskAnswer(mDoc->model()->config(), t, s.layer, s.t);
    if (!a) {
        mPending = false;
        setFeedback(QString::fromStdString(a.message()));
        return;
    }
    mMask = *a;
    setPrompt(Text("predict.mask.prompt").count("step", s.t + 1));
    const int n = mMask.n;
    const int cell = std::max(30, fontMetrics().height() * 2);
    for (int i = 0; i < n; ++i) {
        auto* row = new QLabel(decoderInputLabel(t, i), mOptions);
        row->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        mGrid->addWidget(row, i + 1, 0);
        // Column labels fit their cell (elided; the whole piece in the tooltip).
        auto* col = new QLabel(fontMetrics().elidedText(decoderInputLabel(t, i), Qt::ElideRight, cell + 2), mOptions);
        col->setToolTip(decoderInputLabel(t, i));
        col->setAlignment(Qt::AlignCenter);
        mGrid->addWidget(col, 0, i + 1);
        for (int j = 0; j < n; ++j) {
            auto* b = new QToolButton(mOptions);
            b->setObjectName(QString("predict.cell.%1.%2").arg(i).arg(j));
            b->setCheckable(true);
            b->setFixedSize(cell, cell);
            connect(b, &QToolButton::toggled, b, [b](bool on) { b->setText(on ? "−∞" : ""); });
            mGrid->addWidget(b, i + 1, j + 1);
        }
    }
    mGrid->setColumnStretch(n + 1, 1);
    mGrid->setRowStretch(n + 1, 1);
    mCheck->show();
}

void PredictView::answerMask()
{
    const int n = mMask.n;
    std::vector<char> guess(size_t(n) * size_t(n), 0);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            auto* b = mOptions->findChild<QToolButton*>(QString("predict.cell.%1.%2").arg(i).arg(j));
            if (!b) continue;
            const bool truth = mMask.hidden[size_t(i * n + j)] != 0;
            guess[size_t(i * n + j)] = b->isChecked() ? 1 : 0;
            b->setText(truth ? "−∞" : "");
            // Dark: hidden and found; orange: hidden but missed; red: visible but hidden by the guess.
            b->setStyleSheet(truth == b->isChecked() ? (truth ? kHidden : "") : truth ? kMissed : kWrong);
            b->setEnabled(false);
        }
    mCheck->hide();
    reveal(gradeMask(mMask, guess));
}

void PredictView::askNext(const Step& s)
{
    const Translation& t = *mDoc->translation();
    Result<NextTokenAnswer> a = nextTokenAnswer(t, s.t, 10);
    if (!a) {
        mPending = false;
        setFeedback(QString::fromStdString(a.message()));
        return;
    }
    mNext = *a;
    mRow = s.t;
    setPrompt(Text("predict.next.prompt").count("step", s.t + 1));
    // The candidates in alphabetical order: their rank would give the answer away.
    std::vector<int> order(mNext.ids.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
    auto piece = [this](int id) { return QString::fromStdString(pieceOf(id)); };
    std::sort(order.begin(), order.end(), [&](int a2, int b2) { return piece(mNext.ids[size_t(a2)]) < piece(mNext.ids[size_t(b2)]); });
    for (int row = 0; row < int(order.size()); ++row) {
        const int rank = order[size_t(row)];
        QPushButton* b = optionButton(piece(mNext.ids[size_t(rank)]), QString("predict.option.%1").arg(rank));
        connect(b, &QPushButton::clicked, this, [this, rank] { answerNext(rank); });
        mGrid->addWidget(b, row, 0);
        b->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        auto* bar = new QProgressBar(mOptions);
        bar->setObjectName(QString("predict.bar.%1").arg(rank));
        bar->setRange(0, 1000);
        bar->setValue(0);
        bar->setTextVisible(false);
        mGrid->addWidget(bar, row, 1);
    }
    mGrid->setColumnStretch(1, 1);
}

void PredictView::answerNext(int rank)
{
    if (!mPending || mQuestion.kind != QuestionKind::NextToken) return;
    for (int r = 0; r < int(mNext.ids.size()); ++r) {
        auto* b = mOptions->findChild<QPushButton*>(QString("predict.option.%1").arg(r));
        auto* bar = mOptions->findChild<QProgressBar*>(QString("predict.bar.%1").arg(r));
        if (!b || !bar) continue;
        const double p = mNext.probs[size_t(r)];
        bar->setValue(int(p * 1000));
        bar->setTextVisible(true);
        bar->setFormat(QString("%1%").arg(p * 100, 0, 'f', 1));
        b->setStyleSheet(mNext.ids[size_t(r)] == mNext.chosen ? kRight : r == rank ? kWrong : "");
        b->setEnabled(false);
    }
    const int guess = mNext.ids[size_t(rank)];
    reveal(gradeNextToken(mNext, guess, pieceOf(guess), pieceOf(mNext.chosen), mDoc->translation()->decoding));
}

void PredictView::askAblation(const Step& s, int head)
{
    const bool cross = s.sublayer == Sublayer::CrossAttention;
    mHead = {s.decoder ? Stack::Decoder : Stack::Encoder, s.layer, cross ? AttentionKind::Cross : AttentionKind::Self, head};
    mDoc->setSelectedHead(head);
    Text prompt("predict.ablation.prompt");
    setPrompt(addHeadArgs(prompt, mHead));
    QPushButton* yes = optionButton(tr("Yes, the output changes"), "predict.option.1");
    QPushButton* no = optionButton(tr("No, it stays the same"), "predict.option.0");
    connect(yes, &QPushButton::clicked, this, [this] { answerAblation(true); });
    connect(no, &QPushButton::clicked, this, [this] { answerAblation(false); });
    mGrid->addWidget(yes, 0, 0);
    mGrid->addWidget(no, 1, 0);
}

void PredictView::answerAblation(bool changes)
{
    if (!mPending || mQuestion.kind != QuestionKind::Ablation || mAblation.isRunning()) return;
    mAblationGuess = changes;
    for (const char* name : {"predict.option.0", "predict.option.1"})
        if (auto* b = mOptions->findChild<QPushButton*>(name)) {
            b->setEnabled(false);
            b->setStyleSheet((QString(name).endsWith('1') == changes) ? "font-weight:bold;" : "");
        }
    Text running("predict.ablation.running");
    setFeedback(rendered(addHeadArgs(running, mHead)));
    // A real translation with the head switched off, off the GUI thread.
    Translation source = *mDoc->translation();
    source.trace.reset();
    const DecodeOptions options = mDoc->options();
    const HeadRef head = mHead;
    mAblation.setFuture(QtConcurrent::run([model = mDoc->sharedModel(), source, options, head] {
        AblationRun r;
        Result<AblationAnswer> a = ablationAnswer(model, source, options, head);
        if (a) r.answer = *a;
        else r.error = QString::fromStdString(a.message());
        return r;
    }));
}

void PredictView::askQuiz(const std::string& id)
{
    setPrompt(Text("quiz." + id + ".question"));
    setFeedback(rendered(Text("predict.quiz.prompt")));
    mCheck->show();
}

void PredictView::reveal(const Grade& g)
{
    mGrade = g;
    mGraded = true;
    mPending = false;
    mScore.add(g.right);
    cover(false);
    retranslate();
    scrollIntoView(mFeedback);
    emit scoreChanged();
    emit answered(g.right);
}

void PredictView::retranslate()
{
    mHeading->setText(tr("Predict, then reveal"));
    mCheck->setText(mQuestion.kind == QuestionKind::Quiz ? tr("Show answer") : tr("Check"));
    if (!mPromptText.empty()) mPrompt->setText(rendered(mPromptText));
    if (mGraded) {
        // A palette, not a style sheet: style sheets stop the window's font (presentation
        // mode's larger text) from reaching the label.
        QPalette p = mFeedback->palette();
        p.setColor(QPalette::Window, mGrade.right ? QColor("#e8f5e9") : QColor("#ffebee"));
        p.setColor(QPalette::WindowText, QColor("#1b1b1b"));
        mFeedback->setPalette(p);
        mFeedback->setAutoFillBackground(true);
        setFeedback(rendered(mGrade.explanation));
    } else {
        mFeedback->setAutoFillBackground(false);
    }
    mScoreLabel->setText(rendered(Text("predict.score").count("right", mScore.right).count("asked", mScore.asked)));
    for (RevealCover* c : mCovers) c->update();
    fitLabels();
}

void PredictView::scrollIntoView(QWidget* w)
{
    // Once the layout has taken the new controls in: the dock's scroll area shows `w`.
    QTimer::singleShot(0, this, [this, w] {
        for (QWidget* p = parentWidget(); p; p = p->parentWidget())
            if (auto* scroll = qobject_cast<QScrollArea*>(p)) {
                if (QLayout* l = scroll->widget() ? scroll->widget()->layout() : nullptr) l->activate();
                scroll->ensureWidgetVisible(w, 0, 0);
                return;
            }
    });
}

void PredictView::fitLabels()
{
    const QMargins m = layout()->contentsMargins();
    for (QLabel* l : {mHeading, mPrompt, mFeedback}) fitWrappedLabel(l, width() - m.left() - m.right());
}

void PredictView::resizeEvent(QResizeEvent* e)
{
    QWidget::resizeEvent(e);
    fitLabels();
}

void PredictView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) retranslate();
    if (e->type() == QEvent::FontChange) {
        // Presentation mode toggled while a question shows: the answer buttons (a coloured
        // one has a style sheet, which stops the font reaching it) take the new size.
        for (QPushButton* b : mOptions->findChildren<QPushButton*>()) {
            b->setFont(font());
            b->setMinimumHeight(b->fontMetrics().height() + 10);
        }
    }
}

}  // namespace sf::ui
