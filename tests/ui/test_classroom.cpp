// Lessons and predict-then-reveal in the window, offscreen, on the bundled En->Fr model:
// open a shipped lesson, move through every slide with the clicker keys, answer one
// question right and one wrong and check the score and that each answer was checked
// against the real trace (and an ablation against a real second translation); predict
// mode asking by itself; a bad lesson refused with its problem; the quiz in both
// languages. Screenshots go to build/screenshots/classroom/.
#include "core/model/trace_names.h"
#include "core/run/lesson.h"
#include "core/run/session.h"
#include "ui/classroompanel.h"
#include "ui/language.h"
#include "ui/lessonview.h"
#include "ui/mainwindow.h"
#include "ui/predictview.h"
#include "ui/quizdialog.h"
#include "ui/stageview.h"
#include "ui/texttable.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QFontInfo>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>

#include <algorithm>

using namespace sf;
using namespace sf::ui;

namespace {

const QString kModel = QString(SF_SOURCE_DIR) + "/resources/models/en-fr";
const QString kAttention = QString(SF_SOURCE_DIR) + "/resources/lessons/attention-in-one-sentence.json";
const QString kMask = QString(SF_SOURCE_DIR) + "/resources/lessons/why-the-decoder-is-masked.json";

// The argmax over the source of row t of head h, read off the trace tensor here.
int crossArgmax(const Translation& t, int layer, int head, int row)
{
    const Tensor w = t.trace->get(trace_names::attention(Stack::Decoder, layer, AttentionKind::Cross, "weights"));
    int best = 0;
    for (int j = 1; j < int(w.dim(2)); ++j)
        if (w.at(head, row, j) > w.at(head, row, best)) best = j;
    return best;
}

QAbstractButton* button(QWidget* in, const QString& name) { return in->findChild<QAbstractButton*>(name); }

}  // namespace

class TestClassroom : public QObject {
    Q_OBJECT
private:
    QString mShots = QString(SF_BUILD_DIR) + "/screenshots/classroom";

    void window(MainWindow& w)
    {
        w.setAnimationsEnabled(false);
        w.resize(1280, 720);
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));  // the clicker keys are window shortcuts
        w.document()->setSynchronous(true);
        w.setBundledModels({{"en-fr", kModel}});
        QString error;
        QVERIFY2(w.document()->loadModelNow(kModel, &error), qPrintable(error));
    }
    void shoot(MainWindow& w, const QString& name)
    {
        QTest::qWait(30);  // posted layout requests (labels that grew) settle
        w.stage()->refresh();
        QApplication::processEvents();
        QVERIFY(w.grab().save(QString("%1/%2-%3.png").arg(mShots, name, currentLanguage())));
    }

private slots:
    void initTestCase()
    {
        QDir().mkpath(mShots);
        QVERIFY(setLanguage("en"));
    }

    void lessonWithClickerKeys()
    {
        MainWindow w(false);
        window(w);
        TranslationDocument* doc = w.document();
        ClassroomPanel* room = w.classroom();
        LessonView* lesson = room->lesson();
        PredictView* predict = room->predict();
        QVERIFY(!predict->predictMode());  // off by default
        QString error;
        QVERIFY2(room->openLesson(kAttention, &error), qPrintable(error));
        QVERIFY(lesson->active());
        QVERIFY(predict->predictMode());  // on while a lesson runs
        const Lesson& l = *lesson->lesson();
        QCOMPARE(w.sentenceBox()->text(), QString::fromStdString(l.sentence));
        const int slides = lesson->slideCount();
        QVERIFY(slides >= 8);
        const std::vector<int> plain = doc->translation()->outputIds;

        int answered = 0;
        for (int i = 0; i < slides; ++i) {
            QCOMPARE(lesson->slide(), i);
            const LessonSlide& s = l.slides[size_t(i)];
            QCOMPARE(QString::fromStdString(stepId(*doc->currentStep())), QString::fromStdString(s.stepId));
            QCOMPARE(lesson->noteText(), QString::fromStdString(s.note.in("en")));
            QCOMPARE(doc->interventions().specs(), s.interventions);
            if (s.interventions.size() == 4) QVERIFY(doc->translation()->outputIds != plain);  // all heads of a layer off
            const Translation& t = *doc->translation();
            const Step& step = *doc->currentStep();
            if (s.question.kind == QuestionKind::CrossAttention) {
                QVERIFY(predict->pending());
                QVERIFY(predict->covering());  // the stage is hidden until the answer
                const int truth = crossArgmax(t, step.layer, s.head, step.t);
                if (answered == 0) {
                    // Right: the argmax of the recorded row.
                    QTest::mouseClick(button(predict, QString("predict.option.%1").arg(truth)), Qt::LeftButton);
                    QVERIFY(predict->lastGrade().right);
                    QCOMPARE(predict->score().right, 1);
                    QCOMPARE(predict->score().asked, 1);
                } else if (answered == 1) {
                    // Wrong: the word at the same position ("cat" while "noir" is said), not the argmax.
                    const int same = step.t;
                    QVERIFY(same != truth);
                    QCOMPARE(t.sourcePieces[size_t(truth)], std::string("▁black"));
                    QTest::mouseClick(button(predict, QString("predict.option.%1").arg(same)), Qt::LeftButton);
                    QVERIFY(!predict->lastGrade().right);
                    QCOMPARE(QString::fromStdString(predict->lastGrade().misconception), QString("same_position"));
                    QVERIFY2(predict->feedbackText().contains("▁black"), qPrintable(predict->feedbackText()));
                    QCOMPARE(predict->score().right, 1);
                    QCOMPARE(predict->score().asked, 2);
                }
                QVERIFY(!predict->covering());
                ++answered;
            } else if (s.question.kind == QuestionKind::Ablation) {
                // "Yes, it changes": checked against a real translation with the head off, run here.
                QSignalSpy spy(predict, &PredictView::answered);
                QTest::mouseClick(button(predict, "predict.option.1"), Qt::LeftButton);
                QVERIFY(spy.wait(60000));
                DecodeOptions o = doc->options();
                QVERIFY(addIntervention(o.interventions, "ablate:decoder.2.cross_attn." + std::to_string(s.head),
                                        doc->model()->config()).ok());
                o.capture = false;
                Session session(doc->sharedModel());
                QVERIFY(session.setSourceText(l.sentence).ok());
                Result<Translation> off = session.translate(o);
                QVERIFY(off.ok());
                const bool changes = off->outputIds != t.outputIds;
                QCOMPARE(predict->lastGrade().right, changes);
                QCOMPARE(predict->score().asked, 3);
            } else if (s.question.kind != QuestionKind::None) {
                QVERIFY(predict->pending());  // left unanswered: moving on cancels it
            }
            // The clicker: PageDown and Right alternate.
            QTest::keyClick(&w, i % 2 ? Qt::Key_Right : Qt::Key_PageDown);
            QApplication::processEvents();
        }
        QCOMPARE(lesson->slide(), slides - 1);  // the last key press stays on the last slide
        QCOMPARE(predict->score().asked, 3);
        QTest::keyClick(&w, Qt::Key_PageUp);
        QCOMPARE(lesson->slide(), slides - 2);
        QTest::keyClick(&w, Qt::Key_Left);
        QCOMPARE(lesson->slide(), slides - 3);
        // Closed, the keys move by steps again and predict mode is as the menu says.
        const int at = doc->currentIndex();
        lesson->closeLesson();
        QVERIFY(!predict->predictMode());
        QTest::keyClick(&w, Qt::Key_Right);
        QCOMPARE(doc->currentIndex(), at + 1);
    }

    void predictModeAsksByItself()
    {
        MainWindow w(false);
        window(w);
        TranslationDocument* doc = w.document();
        PredictView* predict = w.classroom()->predict();
        QString error;
        QVERIFY2(doc->translateNow("the teacher is happy", &error), qPrintable(error));
        w.classroom()->predictAction()->trigger();
        QVERIFY(predict->predictMode());
        const Translation& t = *doc->translation();
        // The mask of decoder layer 1 at step 3: click the cells above the diagonal.
        int maskAt = -1;
        for (int i = 0; i < int(doc->steps().size()) && maskAt < 0; ++i)
            if (stepId(doc->steps()[size_t(i)]) == "decoder.0.self_attn.mask@2") maskAt = i;
        QVERIFY(maskAt >= 0);
        doc->setCurrentIndex(maskAt);
        QVERIFY(predict->pending());
        QCOMPARE(predict->question().kind, QuestionKind::Mask);
        QVERIFY(predict->covering());
        const Tensor weights = t.trace->get("decoder.layers.0.self_attn.weights");
        for (int i = 0; i < 3; ++i)
            for (int j = i + 1; j < 3; ++j) {
                for (int h = 0; h < int(weights.dim(0)); ++h) QCOMPARE(weights.at(h, i, j), 0.0f);  // what the mask did
                QTest::mouseClick(button(predict, QString("predict.cell.%1.%2").arg(i).arg(j)), Qt::LeftButton);
            }
        QTest::mouseClick(button(predict, "predict.check"), Qt::LeftButton);
        QVERIFY(predict->lastGrade().right);
        QCOMPARE(predict->score().right, 1);
        // Back and forth: a question already asked is not asked again.
        doc->previous();
        doc->next();
        QVERIFY(!predict->pending());

        // The next token at step 2: click the bar of the token the decoding chose.
        int probsAt = -1;
        for (int i = 0; i < int(doc->steps().size()) && probsAt < 0; ++i)
            if (stepId(doc->steps()[size_t(i)]) == "decoder.probabilities@1") probsAt = i;
        doc->setCurrentIndex(probsAt);
        QCOMPARE(predict->question().kind, QuestionKind::NextToken);
        const QString chosen = QString::fromStdString(t.outputPieces[1]);
        QAbstractButton* pick = nullptr;
        QAbstractButton* other = nullptr;
        for (QPushButton* b : predict->findChildren<QPushButton*>())
            if (b->objectName().startsWith("predict.option.")) {
                if (b->text() == chosen) pick = b;
                else if (!other) other = b;
            }
        QVERIFY(pick && other);
        QTest::mouseClick(pick, Qt::LeftButton);
        QVERIFY(predict->lastGrade().right);
        QCOMPARE(predict->score().right, 2);
        QCOMPARE(predict->score().asked, 2);
        QVERIFY(pick->text().startsWith(chosen));

        // Off: nothing is asked or covered.
        w.classroom()->predictAction()->trigger();
        doc->setCurrentIndex(maskAt + 1);
        doc->setCurrentIndex(maskAt);
        QVERIFY(!predict->pending());
        QVERIFY(!predict->covering());
    }

    void lessonLoadsItsModelOffTheGuiThread()
    {
        // As `stepformer --lesson FILE` runs it: no model open, loading and translating on
        // worker threads, each slide waiting for its translation.
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.resize(1280, 720);
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        w.setBundledModels({{"en-fr", kModel}});
        QString error;
        QVERIFY2(w.classroom()->openLesson(kMask, &error), qPrintable(error));
        LessonView* lesson = w.classroom()->lesson();
        QTRY_COMPARE_WITH_TIMEOUT(lesson->slide(), 0, 30000);
        QCOMPARE(QString::fromStdString(stepId(*w.document()->currentStep())), QString("decoder.decoder_input@0"));
        QTest::keyClick(&w, Qt::Key_PageDown);
        QTRY_COMPARE_WITH_TIMEOUT(lesson->slide(), 1, 30000);
        QCOMPARE(QString::fromStdString(stepId(*w.document()->currentStep())), QString("decoder.decoder_input@3"));
        QCOMPARE(w.classroom()->predict()->question().kind, QuestionKind::Quiz);
    }

    void badLessonsAreRefused()
    {
        MainWindow w(false);
        window(w);
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& text) {
            QFile f(dir.filePath(name));
            f.open(QIODevice::WriteOnly);
            f.write(text);
            return dir.filePath(name);
        };
        QString error;
        const QString broken = write("broken.json", R"({"format": "stepformer-lesson", "version": 1, "title": "t"})");
        QVERIFY(!w.classroom()->openLesson(broken, &error));
        QVERIFY2(error.startsWith(broken + ": missing 'model'"), qPrintable(error));
        QVERIFY(!w.classroom()->lesson()->active());

        // An unknown step shows once the sentence is translated.
        QFile good(kMask);
        QVERIFY(good.open(QIODevice::ReadOnly));
        QByteArray text = good.readAll();
        text.replace("decoder.0.self_attn.mask@3", "decoder.0.self_attn.mask@9");
        const QString late = write("late.json", text);
        QSignalSpy failed(w.classroom()->lesson(), &LessonView::failed);
        QVERIFY(w.classroom()->openLesson(late, &error));
        for (int i = 0; i < 8 && failed.isEmpty(); ++i) QTest::keyClick(&w, Qt::Key_PageDown);
        QCOMPARE(failed.size(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains("late.json: slide 4: unknown step 'decoder.0.self_attn.mask@9'"), qPrintable(message));
        QVERIFY(!w.classroom()->lesson()->active());
    }

    void quizInBothLanguages()
    {
        TextTable en, zh;
        QVERIFY(en.load("en"));
        QVERIFY(zh.load("zh_CN"));
        QStringList enKeys, zhKeys;
        for (const QString& k : en.keys())
            if (k.startsWith("quiz.")) enKeys << k;
        for (const QString& k : zh.keys())
            if (k.startsWith("quiz.")) zhKeys << k;
        QCOMPARE(enKeys, zhKeys);
        QCOMPARE(enKeys.size(), 18);  // nine questions with their answers
        for (const QString& k : enKeys) QVERIFY(en.templateOf(k) != zh.templateOf(k));  // translated
        for (const char* id : {"encoder_io", "decoder_io", "heads", "ffn", "residual", "layer_norm", "autoregressive",
                               "shifted_right", "bleu"})
            QVERIFY(QuizDialog::questionIds().contains(id));

        MainWindow w(false);
        window(w);
        QuizDialog* quiz = w.classroom()->openQuiz();
        const QString heads = en.templateOf("quiz.heads.answer");
        QVERIFY(quiz->text()->toPlainText().contains(en.templateOf("quiz.heads.question")));
        QVERIFY(!quiz->text()->toPlainText().contains(heads));  // hidden until asked for
        QVERIFY(quiz->text()->toHtml().contains("show:heads"));
        quiz->showAnswer("heads");  // what its "Show answer" link does
        QVERIFY(quiz->text()->toPlainText().contains(heads));
        QVERIFY(!quiz->text()->toPlainText().contains(en.templateOf("quiz.bleu.answer")));
        QVERIFY(setLanguage("zh_CN"));
        QApplication::processEvents();
        QVERIFY(quiz->text()->toPlainText().contains(zh.templateOf("quiz.heads.answer")));  // still shown, in Chinese
        QVERIFY(quiz->text()->toPlainText().contains(zh.templateOf("quiz.bleu.question")));
        QVERIFY(!quiz->text()->toPlainText().contains(zh.templateOf("quiz.bleu.answer")));
        QVERIFY(quiz->grab().save(mShots + "/quiz-zh_CN.png"));
        QVERIFY(setLanguage("en"));
    }

    void screenshots()
    {
        for (const char* language : {"en", "zh_CN"}) {
            QVERIFY(setLanguage(language));
            MainWindow w(false);
            window(w);
            LessonView* lesson = w.classroom()->lesson();
            PredictView* predict = w.classroom()->predict();
            QString error;
            QVERIFY2(w.classroom()->openLesson(kAttention, &error), qPrintable(error));
            shoot(w, "lesson-slide1");
            lesson->goTo(3);  // the word-order question
            QVERIFY(predict->pending());
            shoot(w, "predict-cross-before");
            QTest::mouseClick(button(predict, "predict.option.3"), Qt::LeftButton);
            shoot(w, "predict-cross-after");
            QVERIFY2(w.classroom()->openLesson(kMask, &error), qPrintable(error));
            lesson->goTo(3);
            QVERIFY(predict->pending());
            QTest::mouseClick(button(predict, "predict.cell.0.1"), Qt::LeftButton);
            QTest::mouseClick(button(predict, "predict.cell.1.1"), Qt::LeftButton);
            shoot(w, "predict-mask-before");
            QTest::mouseClick(button(predict, "predict.check"), Qt::LeftButton);
            shoot(w, "predict-mask-after");
            // Presentation mode (F5) at 720p: the question at projector size.
            w.setPresentationMode(true);
            w.showNormal();
            w.resize(1280, 720);
            lesson->goTo(6);  // the next-token question
            QVERIFY(predict->pending());
            shoot(w, "presentation-next-token-before");
            QTest::mouseClick(button(predict, "predict.option.0"), Qt::LeftButton);
            shoot(w, "presentation-next-token-after");
            // Leaving presentation with the answer showing: the answer buttons (coloured ones
            // included) take the window's font back, as the rest of the panel does.
            const int big = QFontInfo(button(predict, "predict.option.0")->font()).pixelSize();
            w.setPresentationMode(false);
            QApplication::processEvents();
            const int px = QFontInfo(predict->font()).pixelSize();
            QVERIFY2(px < big, qPrintable(QString("%1 px after presentation's %2").arg(px).arg(big)));
            for (const char* name : {"predict.option.0", "predict.option.1"})
                QCOMPARE(QFontInfo(button(predict, name)->font()).pixelSize(), px);
        }
        QVERIFY(setLanguage("en"));
    }
};

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestClassroom t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_classroom.moc"
