#include "ui/lessonview.h"

#include "ui/language.h"
#include "ui/predictview.h"
#include "ui/texttable.h"
#include "ui/translationdocument.h"

#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace sf::ui {

namespace {

// The quiz questions the texts have: "quiz.<id>.question" -> id.
std::vector<std::string> quizIds()
{
    std::vector<std::string> ids;
    for (const QString& key : currentTexts().keys())
        if (key.startsWith("quiz.") && key.endsWith(".question")) ids.push_back(key.mid(5, key.size() - 14).toStdString());
    return ids;
}

bool sameOptions(const DecodeOptions& a, const DecodeOptions& b)
{
    return std::string(strategyName(a.strategy)) == strategyName(b.strategy) && a.interventions.specs() == b.interventions.specs();
}

}  // namespace

LessonView::LessonView(TranslationDocument* doc, PredictView* predict, QWidget* parent)
    : QWidget(parent), mDoc(doc), mPredict(predict)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    mTitle = new QLabel(this);
    QFont bold = mTitle->font();
    bold.setBold(true);
    mTitle->setFont(bold);
    mTitle->setWordWrap(true);
    layout->addWidget(mTitle);
    auto* top = new QHBoxLayout;
    mCounter = new QLabel(this);
    mCounter->setObjectName("lesson.counter");
    top->addWidget(mCounter, 1);
    mClose = new QPushButton(this);
    mClose->setFlat(true);
    top->addWidget(mClose);
    layout->addLayout(top);
    mNote = new QLabel(this);
    mNote->setObjectName("lesson.note");
    mNote->setWordWrap(true);
    mNote->setTextFormat(Qt::PlainText);
    mNote->setFrameShape(QFrame::StyledPanel);
    mNote->setMargin(6);
    layout->addWidget(mNote);
    auto* buttons = new QHBoxLayout;
    mPrevious = new QPushButton(this);
    mNext = new QPushButton(this);
    for (QPushButton* b : {mPrevious, mNext}) {
        b->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);  // halves of a narrow dock
        buttons->addWidget(b);
    }
    for (QPushButton* b : {mPrevious, mNext, mClose}) b->setFocusPolicy(Qt::NoFocus);  // the clicker keys stay with the window
    layout->addLayout(buttons);
    connect(mPrevious, &QPushButton::clicked, this, &LessonView::previous);
    connect(mNext, &QPushButton::clicked, this, &LessonView::next);
    connect(mClose, &QPushButton::clicked, this, &LessonView::closeLesson);
    connect(mDoc, &TranslationDocument::translationChanged, this, [this] {
        if (mPendingSlide < 0 || !mDoc->translation()) return;
        const int s = mPendingSlide;
        mPendingSlide = -1;
        apply(s);
    });
    retranslate();
    hide();
}

QString LessonView::modelDirectory(const Lesson& l, const QString& lessonPath) const
{
    const QString model = QString::fromStdString(l.model);
    for (const auto& [name, dir] : mBundled)
        if (name == model) return dir;
    if (QDir::isAbsolutePath(model)) return model;
    return QFileInfo(lessonPath).dir().filePath(model);
}

bool LessonView::open(const QString& path, QString* error)
{
    Result<Lesson> l = readLesson(path.toStdString());
    if (!l) {
        if (error) *error = QString::fromStdString(l.message());
        return false;
    }
    if (Status st = checkQuizQuestions(*l, quizIds(), path.toStdString()); !st) {
        if (error) *error = QString::fromStdString(st.message());
        return false;
    }
    const QString dir = modelDirectory(*l, path);
    if (!QFileInfo(dir).isDir()) {
        if (error) *error = tr("%1: the model '%2' is not a bundled model or a directory").arg(path, QString::fromStdString(l->model));
        return false;
    }
    mLesson = std::move(*l);
    mPath = path;
    mSlide = -1;
    mPendingSlide = -1;
    if (mDoc->model() && QFileInfo(mDoc->modelPath()).canonicalFilePath() == QFileInfo(dir).canonicalFilePath()) {
        start();
        return true;
    }
    connect(mDoc, &TranslationDocument::modelChanged, this, &LessonView::start, Qt::SingleShotConnection);
    mDoc->loadModel(dir);
    return true;
}

void LessonView::start()
{
    if (!mLesson || !mDoc->model()) return;
    if (Status st = checkLesson(*mLesson, mDoc->model()->config(), mPath.toStdString()); !st) {
        refuse(QString::fromStdString(st.message()));
        return;
    }
    mActive = true;
    show();
    mPredict->setAutomatic(false);
    mPredict->setPredictMode(true);
    mPredict->resetScore();
    emit sentenceChosen(QString::fromStdString(mLesson->sentence));
    emit activeChanged(true);
    goTo(0);
}

void LessonView::refuse(const QString& message)
{
    closeLesson();
    emit failed(message);
}

void LessonView::closeLesson()
{
    const bool was = mActive;
    mActive = false;
    mLesson.reset();
    mSlide = mPendingSlide = -1;
    mPredict->setAutomatic(true);
    hide();
    if (was) emit activeChanged(false);
}

void LessonView::next()
{
    if (mActive && mSlide + 1 < slideCount()) goTo(mSlide + 1);
}

void LessonView::previous()
{
    if (mActive && mSlide > 0) goTo(mSlide - 1);
}

void LessonView::goTo(int slide)
{
    if (!mActive || slide < 0 || slide >= slideCount() || !mDoc->model()) return;
    Result<DecodeOptions> o = slideOptions(*mLesson, size_t(slide), mDoc->model()->config());
    if (!o) {
        refuse(QString::fromStdString(mPath.toStdString() + ": slide " + std::to_string(slide + 1) + ": " + o.message()));
        return;
    }
    const Translation* t = mDoc->translation();
    if (t && t->sourceText == mLesson->sentence && sameOptions(mDoc->options(), *o)) {
        apply(slide);
        return;
    }
    // Translate first (off the GUI thread): the slide's step exists in that walk.
    mPendingSlide = slide;
    mDoc->translate(QString::fromStdString(mLesson->sentence), *o);
}

void LessonView::apply(int slide)
{
    const LessonSlide& s = mLesson->slides[size_t(slide)];
    Result<int> step = resolveSlideStep(s, size_t(slide), mDoc->steps(), mPath.toStdString());
    if (!step) {
        refuse(QString::fromStdString(step.message()));
        return;
    }
    mSlide = slide;
    mDoc->setCoarse(s.coarse);
    if (s.head >= 0) mDoc->setSelectedHead(s.head);
    mDoc->setCurrentIndex(*step);
    retranslate();
    if (s.question.kind != QuestionKind::None) mPredict->ask(s.question, s.head);
    emit slideShown(slide);
}

QString LessonView::noteText() const { return mNote->text(); }

void LessonView::retranslate()
{
    mPrevious->setText(tr("◀ Previous slide"));
    mNext->setText(tr("Next slide ▶"));
    mClose->setText(tr("✕ Close lesson"));
    mPrevious->setToolTip(tr("PageUp or ←"));
    mNext->setToolTip(tr("PageDown or →"));
    if (!mLesson) return;
    const std::string language = currentLanguage().toStdString();
    mTitle->setText(tr("Lesson: %1").arg(QString::fromStdString(mLesson->title.in(language))));
    mCounter->setText(tr("Slide %1 of %2").arg(mSlide + 1).arg(slideCount()));
    mNote->setText(mSlide >= 0 ? QString::fromStdString(mLesson->slides[size_t(mSlide)].note.in(language)) : QString());
    mPrevious->setEnabled(mSlide > 0);
    mNext->setEnabled(mSlide + 1 < slideCount());
    fitWrappedLabel(mTitle, width());
    fitWrappedLabel(mNote, width());
}

void LessonView::resizeEvent(QResizeEvent* e)
{
    QWidget::resizeEvent(e);
    fitWrappedLabel(mTitle, width());
    fitWrappedLabel(mNote, width());
}

void LessonView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) retranslate();
}

}  // namespace sf::ui
