// The step-through window, offscreen: type a sentence, translate, walk every step to the
// end and back, asserting at each step what is shown; save a PNG per major stage.
#include "core/run/steps.h"
#include "ui/architectureview.h"
#include "ui/decodingview.h"
#include "ui/explainview.h"
#include "ui/heatmapview.h"
#include "ui/language.h"
#include "ui/mainwindow.h"
#include "ui/stageview.h"
#include "ui/texttable.h"
#include "ui/weightsview.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QMenuBar>
#include <QSpinBox>
#include <QToolBar>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QMimeData>
#include <QUrl>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <set>
#include <sys/stat.h>
#include <utility>
#include <unistd.h>

using namespace sf;
using namespace sf::ui;

class TestWindow : public QObject {
    Q_OBJECT
private:
    QString mModel;
    QString mShots;

    // The shown matrix of an attention step must be queries x keys.
    static void checkAttention(const Step& s, const Translation& t, const StageView* stage)
    {
        const int n = s.decoder ? s.t + 1 : int(t.sourceIds.size());
        const bool source = !s.decoder || s.sublayer == Sublayer::CrossAttention;
        const int keys = source ? int(t.sourceIds.size()) : s.t + 1;
        const HeatmapView* h = stage->primaryHeatmap();
        QVERIFY2(h, qPrintable(rendered(s.title())));
        switch (s.stage) {
        case Stage::Scores:
        case Stage::Mask:
        case Stage::Weights:
        case Stage::AllHeads:
            QCOMPARE(h->rows(), n);
            QCOMPARE(h->cols(), keys);
            for (const HeatmapView* v : stage->heatmaps()) {
                QCOMPARE(v->rows(), n);
                QCOMPARE(v->cols(), keys);
                // Token by token the upper triangle never existed: masked from Scores on;
                // under teacher forcing it is computed, then masked at the Mask step.
                const bool causal = s.decoder && s.sublayer == Sublayer::SelfAttention &&
                                    (s.stage != Stage::Scores || t.decoding != "forced");
                for (int r = 0; r < n; ++r)
                    for (int c = 0; c < keys; ++c) {
                        if (v->isMasked(r, c) != (causal && c > r))
                            QFAIL(qPrintable(QString("%1: cell (%2, %3) masked = %4")
                                                 .arg(rendered(s.title()))
                                                 .arg(r)
                                                 .arg(c)
                                                 .arg(v->isMasked(r, c))));
                    }
            }
            break;
        default: QCOMPARE(h->rows(), n);
        }
    }

    // Controls of the toolbars that are cut off: outside the window, hidden behind the
    // toolbar's extension button, or narrower than their text.
    static QStringList clippedControls(const MainWindow& w)
    {
        QStringList bad;
        for (const QToolBar* bar : w.findChildren<QToolBar*>()) {
            for (const QWidget* c : bar->findChildren<QWidget*>()) {
                if (c->objectName() == "qt_toolbar_ext_button") {
                    if (c->isVisible()) bad << bar->windowTitle() + ": controls hidden behind »";
                    continue;
                }
                if (!c->isVisible() || c->parentWidget() != bar) continue;
                const QRect r(c->mapTo(&w, QPoint(0, 0)), c->size());
                QString text;
                int need = 0;
                if (auto* l = qobject_cast<const QLabel*>(c)) text = l->text(), need = l->fontMetrics().horizontalAdvance(text);
                else if (auto* b = qobject_cast<const QPushButton*>(c)) text = b->text(), need = b->sizeHint().width();
                else if (auto* cb = qobject_cast<const QComboBox*>(c)) text = cb->currentText(), need = cb->sizeHint().width();
                if (!w.rect().contains(r)) bad << QString("'%1' outside the window (%2,%3 %4x%5)").arg(text).arg(r.x()).arg(r.y()).arg(r.width()).arg(r.height());
                if (need > c->width()) bad << QString("'%1' needs %2 px, has %3").arg(text).arg(need).arg(c->width());
            }
        }
        return bad;
    }

    // Pieces of the English step texts that a Chinese window must never show: the literal
    // parts of every template that the Chinese table translates (formulas are shared).
    static QStringList englishFragments()
    {
        TextTable zh;
        if (!zh.load("zh_CN")) return {};
        const TextTable& en = TextTable::english();
        QString allZh;
        for (const QString& k : zh.keys()) allZh += zh.templateOf(k) + "\n";
        QStringList out;
        for (const QString& k : en.keys()) {
            if (en.templateOf(k) == zh.templateOf(k)) continue;
            for (QString f : en.templateOf(k).split(QRegularExpression("\\{[^}]*\\}"))) {
                f = f.trimmed();
                if (f.size() >= 12 && f.contains(QRegularExpression("[a-z]{4}")) && !allZh.contains(f)) out << f;
            }
        }
        return out;
    }

private slots:
    void initTestCase()
    {
        const QString work = QString(SF_BUILD_DIR) + "/test_window/" + QString::number(::getpid());
        mModel = work + "/model";
        mShots = QString(SF_BUILD_DIR) + "/ui-shots";
        QDir().mkpath(work);
        QDir().mkpath(mShots);
        QProcess p;
        p.start(SF_CLI, {"make-random", mModel, "--preset", "tiny", "--seed", "5", "--corpus",
                         QString(SF_SOURCE_DIR) + "/resources/texts/demo_corpus.txt", "--vocab", "64"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
    }


    // The whole walk in Simplified Chinese at 1280x720 on the bundled model: every step's
    // explanation is Chinese (no English template text, not the English rendering of the
    // same facts), the toolbars' controls are not clipped, and a PNG of each main stage
    // goes to build/screenshots/zh_CN/. Then back to English at run time, and again.
    void chineseWalkAt720p()
    {
        QVERIFY(setLanguage("zh_CN"));
        QApplication::processEvents();
        const QStringList english = englishFragments();
        QVERIFY(english.size() > 50);
        const QString shots = QString(SF_BUILD_DIR) + "/screenshots/zh_CN";
        QDir().mkpath(shots);
        {
            MainWindow w(false);
            w.setAnimationsEnabled(false);
            w.resize(1280, 720);
            w.show();
            QString error;
            QVERIFY2(w.document()->loadModelNow(QString(SF_SOURCE_DIR) + "/resources/models/en-fr", &error), qPrintable(error));
            QVERIFY2(w.document()->translateNow("the little black cat sleeps", &error), qPrintable(error));
            QApplication::processEvents();
            qInfo("window at 1280x720 asked: %dx%d", w.width(), w.height());
            QStringList menus;
            for (QAction* a : w.menuBar()->actions()) menus << a->text();
            QVERIFY2(menus.contains(QString("视图(&V)")), qPrintable(menus.join(" ")));
            const QStringList clipped = clippedControls(w);
            QVERIFY2(clipped.isEmpty(), qPrintable(clipped.join("\n")));

            const Translation& t = *w.document()->translation();
            const Config& c = w.document()->model()->config();
            const std::vector<Step>& steps = w.document()->steps();
            std::set<Stage> saved;
            for (int i = 0; i < int(steps.size()); ++i) {
                w.document()->setCurrentIndex(i);
                const Step& s = steps[size_t(i)];
                const QString shown = w.explanation()->toPlainText() + "\n" + w.stage()->title();
                const StepText x = explain(s, c, t);
                QVERIFY(shown.contains(rendered(s.title())));
                for (const Text& part : {s.title(), x.explanation, x.notice, x.section}) {
                    const QString en = TextTable::english().render(part);
                    if (en == rendered(part)) continue;  // a bare symbol, the same in both
                    if (shown.contains(en)) QFAIL(qPrintable(QString("step %1 shows English: %2").arg(i).arg(en)));
                }
                for (const QString& f : english)
                    if (shown.contains(f)) QFAIL(qPrintable(QString("step %1 shows the English text '%2'").arg(i).arg(f)));
                if (!saved.count(s.stage) && (s.decoder || s.stage != Stage::Embedding)) {
                    saved.insert(s.stage);
                    QApplication::processEvents();
                    QVERIFY(w.grab().save(QString("%1/%2.png").arg(shots).arg(int(s.stage), 2, 10, QChar('0'))));
                    const QStringList clippedHere = clippedControls(w);
                    QVERIFY2(clippedHere.isEmpty(), qPrintable(clippedHere.join("\n")));
                }
            }

            // Back to English at run time: the same window retranslates; then Chinese again.
            w.document()->setCurrentIndex(5);
            const Step& s = steps[5];
            QVERIFY(setLanguage("en"));
            QApplication::processEvents();
            QCOMPARE(w.stage()->title(), TextTable::english().render(s.title()));
            QVERIFY(w.explanation()->toPlainText().contains(TextTable::english().render(explain(s, c, t).explanation)));
            menus.clear();
            for (QAction* a : w.menuBar()->actions()) menus << a->text();
            QVERIFY2(menus.contains(QString("&View")), qPrintable(menus.join(" ")));
            QCOMPARE(w.translateButton()->text(), QString("Translate"));
            QVERIFY(setLanguage("zh_CN"));
            QApplication::processEvents();
            QCOMPARE(w.translateButton()->text(), QString("翻译"));
            QVERIFY(w.stage()->title().startsWith("编码器第 1 层"));
        }
        QVERIFY(setLanguage("en"));
        QApplication::processEvents();
        QVERIFY(!setLanguage("fr"));
    }

    // CJK pieces stay whole: a label elided to any width keeps whole characters.
    void cjkLabelsAreNeverCutInsideACharacter()
    {
        const QString piece = QString::fromStdString("\xE2\x96\x81\xE6\x88\x91\xE7\x88\xB1\xE4\xBD\xA0\xF0\xA0\x80\x80");  // ▁我爱你𠀀
        QCOMPARE(piece.size(), 6);  // 𠀀 is a surrogate pair
        const QFontMetrics fm(QApplication::font());
        for (int width = 0; width < fm.horizontalAdvance(piece) + 8; ++width) {
            const QString e = fm.elidedText(piece, Qt::ElideRight, width);
            for (int i = 0; i < e.size(); ++i) {
                QVERIFY(e[i] != QChar::ReplacementCharacter);
                if (e[i].isHighSurrogate()) QVERIFY(i + 1 < e.size() && e[i + 1].isLowSurrogate());
                if (e[i].isLowSurrogate()) QVERIFY(i > 0 && e[i - 1].isHighSurrogate());
            }
            QString kept = e;
            kept.remove(QChar(0x2026));
            QVERIFY2(piece.startsWith(kept), qPrintable(e));
        }
    }

    void walkEveryStep()
    {
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.resize(1600, 1000);
        w.show();
        TranslationDocument* doc = w.document();
        doc->setMaxLength(4);
        QSignalSpy loaded(doc, &TranslationDocument::modelChanged);
        w.openModel(mModel);
        QVERIFY(loaded.wait(20000));

        w.sentenceBox()->clear();
        QTest::keyClicks(w.sentenceBox(), "the cat sleeps .");
        QSignalSpy translated(doc, &TranslationDocument::translationChanged);
        QTest::mouseClick(w.translateButton(), Qt::LeftButton);
        QVERIFY(translated.wait(20000));
        const Translation& t = *doc->translation();
        QCOMPARE(QString::fromStdString(t.sourceText), QString("the cat sleeps ."));
        const int T = int(t.outputIds.size());
        QVERIFY(T >= 1 && T <= 4);
        const std::vector<Step>& steps = doc->steps();
        QCOMPARE(int(steps.size()), 4 + 11 * 3 + T * (6 + 20 * 3));

        // Forward to the end with the keyboard, then back to the start.
        std::set<Stage> saved;
        int chosen = 0;
        for (int i = 0; i < int(steps.size()); ++i) {
            QCOMPARE(doc->currentIndex(), i);
            const Step& s = steps[size_t(i)];
            QCOMPARE(w.architecture()->highlighted(), int(s.block));
            QVERIFY(w.explanation()->toPlainText().contains(rendered(s.title())));
            QCOMPARE(w.stage()->title(), rendered(s.title()));
            if (s.stage != Stage::SourceTokens && s.stage != Stage::Logits && s.stage != Stage::Probabilities &&
                s.stage != Stage::ChooseToken)
                checkAttention(s, t, w.stage());
            if (s.decoder) {
                // Each row appears once the walk has computed it at this decoding step.
                const bool inStack = s.layer >= 0, after = s.stage == Stage::Logits || s.stage == Stage::Probabilities ||
                                                           s.stage == Stage::ChooseToken;
                const bool selfDone = after || (inStack && (s.sublayer != Sublayer::SelfAttention || int(s.stage) >= int(Stage::Weights)));
                const bool crossDone = after || (inStack && (s.sublayer == Sublayer::FeedForward ||
                                                             (s.sublayer == Sublayer::CrossAttention && int(s.stage) >= int(Stage::Weights))));
                QCOMPARE(w.decoding()->selfRow()->cols(), selfDone ? s.t + 1 : 0);
                QCOMPARE(w.decoding()->crossRow()->cols(), crossDone ? int(t.sourceIds.size()) : 0);
                QCOMPARE(w.decoding()->barsShown(), s.stage == Stage::Probabilities || s.stage == Stage::ChooseToken);
            }
            if (s.stage == Stage::ChooseToken) {
                QCOMPARE(w.decoding()->shownChoice(), t.outputIds[size_t(s.t)]);
                ++chosen;
            } else {
                QCOMPARE(w.decoding()->shownChoice(), -1);
            }
            if (!saved.count(s.stage) && (s.decoder || s.stage != Stage::Embedding)) {
                saved.insert(s.stage);
                const QString name = QString("%1/%2-%3.png")
                                         .arg(mShots)
                                         .arg(int(s.stage), 2, 10, QChar('0'))
                                         .arg(rendered(s.title()).replace(QRegularExpression("[^A-Za-z0-9]+"), "-"));
                QApplication::processEvents();
                QVERIFY(w.grab().save(name));
            }
            QTest::keyClick(&w, Qt::Key_Right);
        }
        QCOMPARE(chosen, T);
        QCOMPARE(doc->currentIndex(), int(steps.size()) - 1);  // stays at the end
        for (int i = int(steps.size()) - 1; i > 0; --i) {
            QTest::keyClick(&w, i % 2 ? Qt::Key_Left : Qt::Key_PageUp);
            QCOMPARE(doc->currentIndex(), i - 1);
        }
        QTest::keyClick(&w, Qt::Key_End);
        QCOMPARE(doc->currentIndex(), int(steps.size()) - 1);
        QTest::keyClick(&w, Qt::Key_Home);
        QCOMPARE(doc->currentIndex(), 0);
    }

    void coarseWalkAndBlocks()
    {
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.resize(1400, 900);
        w.show();
        TranslationDocument* doc = w.document();
        doc->setMaxLength(2);
        QString error;
        QVERIFY2(doc->loadModelNow(mModel, &error), qPrintable(error));
        QVERIFY2(doc->translateNow("the dog reads a book .", &error), qPrintable(error));
        doc->setCoarse(true);
        int visited = 0;
        while (doc->currentIndex() + 1 < int(doc->steps().size())) {
            doc->next();
            QVERIFY(doc->currentStep()->coarse);
            ++visited;
        }
        int coarse = 0;
        for (const Step& s : doc->steps()) coarse += s.coarse;
        QCOMPARE(visited, coarse - 1);  // step 0 is coarse too
        // Clicking a block jumps to it.
        doc->first();
        const QRect r = w.architecture()->blockRect(Block::EncoderFeedForward);
        QTest::mouseClick(w.architecture(), Qt::LeftButton, {}, r.center());
        QCOMPARE(int(doc->currentStep()->block), int(Block::EncoderFeedForward));
    }

    void maskAnimationCoversTheUpperTriangle()
    {
        MainWindow w(false);
        w.setAnimationsEnabled(true);
        w.resize(1400, 900);
        w.show();
        TranslationDocument* doc = w.document();
        doc->setMaxLength(3);
        QString error;
        QVERIFY(doc->loadModelNow(mModel, &error));
        QVERIFY(doc->translateNow("the cat sleeps .", &error));
        const std::vector<Step>& steps = doc->steps();
        int mask = -1;
        for (int i = 0; i < int(steps.size()); ++i)
            if (steps[size_t(i)].stage == Stage::Mask && steps[size_t(i)].t == 2) mask = i;
        QVERIFY(mask > 0);
        doc->setCurrentIndex(mask);
        QVERIFY(w.stage()->primaryHeatmap()->maskProgress() < 1.0);  // the mask is still moving in
        QTRY_COMPARE_WITH_TIMEOUT(w.stage()->primaryHeatmap()->maskProgress(), 1.0, 3000);
        QVERIFY(w.grab().save(mShots + "/animation-mask-settled.png"));

        // Hover text: the exact value, the row and column tokens, and for weights the
        // score each came from; masked cells say so.
        doc->setCurrentIndex(mask + 1);  // the softmax weights of the same head
        QCOMPARE(int(doc->currentStep()->stage), int(Stage::Weights));
        const HeatmapView* h = w.stage()->primaryHeatmap();
        const Tensor weights = doc->translation()->trace->get(doc->currentStep()->attentionTensor("weights"));
        const Tensor scores = doc->translation()->trace->get(doc->currentStep()->attentionTensor("scores"));
        const int head = doc->selectedHead();
        const QString tip = h->describeCell(2, 1);
        QVERIFY2(tip.contains(QString::number(double(weights.at(head, 2, 1)), 'g', 7)), qPrintable(tip));
        QVERIFY2(tip.contains("from score " + QString::number(double(scores.at(head, 2, 1)), 'g', 7)), qPrintable(tip));
        QVERIFY2(tip.contains(h->data().rowLabels[2]) && tip.contains(h->data().colLabels[1]), qPrintable(tip));
        QVERIFY(h->describeCell(0, 2).contains("masked"));
    }

    // Model menu: one submenu per bundled model, its example sentences one click away.
    void modelMenuListsBundledModelsAndExamples()
    {
        MainWindow w(false);
        w.resize(1280, 720);
        const QString models = QString(SF_SOURCE_DIR) + "/resources/models/";
        w.setBundledModels({{"en-fr", models + "en-fr"}, {"fr-en", models + "fr-en"}});
        QMenu* menu = w.modelMenu();
        QVERIFY(menu->menuAction()->isVisible());
        QList<QMenu*> subs;
        for (QAction* a : menu->actions())
            if (a->menu()) subs.append(a->menu());
        QCOMPARE(subs.size(), 2);
        QCOMPARE(subs[1]->title(), QString("fr-en"));
        QAction* example = nullptr;
        for (QAction* a : subs[1]->actions())
            if (a->text() == QString::fromUtf8("je suis étudiant")) example = a;
        QVERIFY(example != nullptr);
        example->trigger();
        QCOMPARE(w.sentenceBox()->text(), QString::fromUtf8("je suis étudiant"));
        QTRY_COMPARE_WITH_TIMEOUT(w.document()->modelPath(), models + "fr-en", 20000);
        w.show();
        subs[0]->popup(QPoint(0, 0));
        QVERIFY(subs[0]->grab().save(mShots + "/model-menu.png"));
        subs[0]->hide();
    }

    // Before the walk: <unk> words and out-of-grammar sentences warn; in-grammar ones do not.
    void inputWarningsBeforeTheWalk()
    {
        MainWindow w(false);
        w.resize(1280, 720);
        TranslationDocument* doc = w.document();
        doc->setGrammarResolver([](const std::string& task) -> std::shared_ptr<const text::Grammar> {
            const text::GrammarTask* t = text::findGrammarTask(task);
            if (!t) return nullptr;
            auto g = t->load(std::string(SF_SOURCE_DIR) + "/resources/" + t->lexicon);
            return g ? *g : nullptr;
        });
        QString error;
        QVERIFY2(doc->loadModelNow(QString(SF_SOURCE_DIR) + "/resources/models/en-fr", &error), qPrintable(error));
        QVERIFY(doc->translateNow("the teacher is happy", &error));
        QVERIFY(doc->inputWarnings().empty());
        QVERIFY(doc->translateNow("the cat flies", &error));  // the walk still runs
        QCOMPARE(int(doc->inputWarnings().size()), 1);
        QVERIFY(doc->inputWarnings()[0].kind == text::InputWarning::Kind::OutsideGrammar);
        QVERIFY(TranslationDocument::inputWarningText(doc->inputWarnings()[0]).contains("never saw sentences like this"));
        QVERIFY(doc->translation() != nullptr);
        QVERIFY(doc->translateNow(QString::fromUtf8("the cat is happy \u2606"), &error));
        bool unk = false;
        for (const auto& iw : doc->inputWarnings()) unk = unk || iw.kind == text::InputWarning::Kind::UnknownWords;
        QVERIFY(unk);
        w.show();
        QVERIFY(w.grab().save(mShots + "/input-warning.png"));
    }

    void failedLoadKeepsThePreviousModel()
    {
        MainWindow w(false);
        TranslationDocument* doc = w.document();
        QString error;
        QVERIFY(doc->loadModelNow(mModel, &error));
        QSignalSpy failed(doc, &TranslationDocument::failed);
        QVERIFY(!doc->loadModelNow(mModel + "-missing", &error));
        QCOMPARE(failed.count(), 1);
        QVERIFY(error.contains("-missing"));
        QVERIFY(doc->model() != nullptr);
        QCOMPARE(doc->modelPath(), mModel);
    }

    // Hostile model directories opened as File > Open does (asynchronously): config.json a
    // FIFO (must not block in open()), and spm.model with a 300 KB piece (spm_check refuses
    // it before SentencePiece's recursive trie builder sees it). Each shows an error, keeps
    // the previous model, and the window still closes promptly.
    void hostileModelsLeaveTheWindowUp()
    {
        const QString base = QString(SF_BUILD_DIR) + "/test_window/" + QString::number(::getpid());
        auto copyModel = [&](const QString& name) {
            const QString dir = base + "/" + name;
            QDir(dir).removeRecursively();
            QDir().mkpath(dir);
            for (const QString& f : QDir(mModel).entryList(QDir::Files)) QFile::copy(mModel + "/" + f, dir + "/" + f);
            return dir;
        };
        const QString fifo = copyModel("fifo-config");
        QFile::remove(fifo + "/config.json");
        QCOMPARE(::mkfifo(QFile::encodeName(fifo + "/config.json").constData(), 0600), 0);

        // ModelProto { pieces { piece: 300000 x "a", score: 0 } }, on the wire.
        auto varint = [](QByteArray& out, quint64 v) {
            for (; v >= 0x80; v >>= 7) out.append(char(0x80 | (v & 0x7f)));
            out.append(char(v));
        };
        QByteArray piece("\x0a");
        varint(piece, 300000);
        piece.append(QByteArray(300000, 'a'));
        piece.append(QByteArray("\x15\x00\x00\x00\x00", 5));
        QByteArray proto("\x0a");
        varint(proto, quint64(piece.size()));
        proto.append(piece);
        const QString spm = copyModel("long-piece-spm");
        QFile out(spm + "/spm.model");
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(out.write(proto), qint64(proto.size()));
        out.close();

        auto w = std::make_unique<MainWindow>(false);
        TranslationDocument* doc = w->document();
        QString error;
        QVERIFY(doc->loadModelNow(mModel, &error));
        w->show();
        for (const auto& [dir, expected] : {std::pair{fifo, QString("config.json")}, std::pair{spm, QString("spm.model")}}) {
            QSignalSpy failed(doc, &TranslationDocument::failed);
            doc->loadModel(dir);
            QVERIFY2(failed.count() == 1 || failed.wait(10000), qPrintable(dir));
            const QString message = failed.first().first().toString();
            QVERIFY2(message.contains(expected), qPrintable(message));
            QVERIFY(doc->model() != nullptr);
            QCOMPARE(doc->modelPath(), mModel);
            QVERIFY(!doc->busy());
        }
        QElapsedTimer quit;
        quit.start();
        QVERIFY(w->close());
        w.reset();
        QVERIFY2(quit.elapsed() < 5000, "closing the window took more than 5 s");
        QDir(fifo).removeRecursively();
        QDir(spm).removeRecursively();
    }

    void dropAModelAndTruncateALongSentence()
    {
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.resize(1400, 900);
        w.show();
        TranslationDocument* doc = w.document();
        // Dropping the model's safetensors file opens its directory (off the GUI thread).
        auto* mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(mModel + "/model.safetensors")});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy loaded(doc, &TranslationDocument::modelChanged);
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &drop);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(doc->modelPath(), mModel + "/model.safetensors");
        QVERIFY(w.windowTitle().contains("model"));
        delete mime;

        // A sentence longer than max_position_embeddings is truncated, visibly.
        doc->setMaxLength(2);
        QString error, longText;
        for (int i = 0; i < 120; ++i) longText += "the cat sleeps . ";
        QVERIFY2(doc->translateNow(longText, &error), qPrintable(error));
        QCOMPARE(int(doc->translation()->sourceIds.size()), doc->model()->config().maxPositions);
        QVERIFY(w.stage()->warning().contains("truncated"));
        // Short again: the warning goes away.
        QVERIFY(doc->translateNow("the cat", &error));
        QVERIFY(w.stage()->warning().isEmpty());
    }

    void presentationZoomThemeExport()
    {
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.resize(1400, 900);
        w.show();
        QString error;
        QVERIFY(w.document()->loadModelNow(mModel, &error));
        w.document()->setMaxLength(2);
        QVERIFY(w.document()->translateNow("the cat sleeps .", &error));
        w.document()->setCurrentIndex(5);
        const double before = w.stage()->font().pointSizeF();
        w.setZoom(1.5);
        QVERIFY(w.stage()->font().pointSizeF() > before * 1.4);
        w.setPresentationMode(true);
        QVERIFY(w.stage()->font().pointSizeF() > before * 2.0);
        QVERIFY(!w.decoding()->isVisibleTo(&w));
        w.setPresentationMode(false);
        w.setZoom(1.0);
        w.setDark(true);
        w.setColormap(Colormap::Cividis);
        QVERIFY(w.exportView(mShots + "/dark-cividis.png", &error));
        QVERIFY(w.exportView(mShots + "/dark-cividis.svg", &error));
        QFile svg(mShots + "/dark-cividis.svg");
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));
        w.setDark(false);
        QVERIFY(!w.exportView("/nonexistent-dir/x.png", &error));
        QVERIFY(error.contains("/nonexistent-dir/x.png"));
        // A full disk: every write and the close are checked, so neither format "succeeds".
        // The names (links to /dev/full) pick the format; writes there fail with ENOSPC.
        if (QFileInfo::exists("/dev/full")) {
            for (const QString suffix : {"svg", "png"}) {
                const QString name = mShots + "/full." + suffix;
                QFile::remove(name);
                QVERIFY(QFile::link("/dev/full", name));
                error.clear();
                QVERIFY2(!w.exportView(name, &error), qPrintable(name));
                QVERIFY2(error.contains(name), qPrintable(error));
                QFile::remove(name);
            }
        }
    }

    // The Weights tab: the summary arrives off the GUI thread; the table lists every tensor
    // of the file; the selected tensor's histogram, heatmap and head slice are shown; NaN
    // weights are flagged; a matrix larger than 512 x 512 is shown downsampled.
    void weightsView()
    {
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.resize(1600, 1000);
        w.show();
        TranslationDocument* doc = w.document();
        WeightsView* v = w.weights();
        QVERIFY(v);
        QString error;
        QVERIFY2(doc->loadModelNow(mModel, &error), qPrintable(error));
        QVERIFY(v->computing());
        QVERIFY(v->overviewText().contains("computing…"));
        QTRY_VERIFY_WITH_TIMEOUT(!v->computing() && v->summary(), 20000);
        const Model& m = *doc->model();
        const Config& c = m.config();
        QCOMPARE(v->shownRows(), int(m.file()->tensors().size()));
        QVERIFY(v->overviewText().contains("post-norm"));
        QVERIFY(v->overviewText().contains("decoder layer 3"));
        QVERIFY(v->warningText().isEmpty());

        // A weight matrix: the histogram counts every value; the heatmap has its shape.
        const QString fc1 = "model.encoder.layers.0.fc1.weight";
        QVERIFY(v->selectTensor(fc1));
        QCOMPARE(v->selectedTensor(), fc1);
        const TensorStats* st = v->summary()->find(fc1.toStdString());
        QVERIFY(st);
        QCOMPARE(v->histogramTotal(), st->count);
        QCOMPARE(v->heatmap()->rows(), int(st->shape[0]));
        QCOMPARE(v->heatmap()->cols(), int(st->shape[1]));
        QVERIFY(!v->headHeatmap()->isVisibleTo(v));

        // A query projection: head 2's slice is dk rows of W_Q, unchanged.
        const QString q = "model.decoder.layers.2.self_attn.q_proj.weight";
        QVERIFY(v->selectTensor(q));
        QVERIFY(v->headHeatmap()->isVisibleTo(v));
        v->setHead(1);
        const int dk = c.dModel / c.decoderHeads;
        QCOMPARE(v->headHeatmap()->rows(), dk);
        QCOMPARE(v->headHeatmap()->cols(), c.dModel);
        auto W = tensorData(m, q.toStdString());
        QVERIFY(W.ok());
        QCOMPARE(v->headHeatmap()->data().values[0], W->data()[dk * c.dModel]);  // row dk, column 0

        // The filter keeps the q_proj weights and biases of all 3 + 2 * 3 attention blocks.
        v->setFilter("q_proj");
        QCOMPARE(v->shownRows(), 2 * (c.encoderLayers + 2 * c.decoderLayers));
        v->setFilter(QString());
        QCOMPARE(v->shownRows(), int(m.file()->tensors().size()));

        // Ctrl+Shift+W raises the Weights tab (behind Explain until then).
        QApplication::processEvents();
        QVERIFY(v->visibleRegion().isEmpty());  // a tab behind Explain
        QTest::keyClick(&w, Qt::Key_W, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(!v->visibleRegion().isEmpty());
        QVERIFY(v->selectTensor("model.shared.weight"));
        QVERIFY(v->selectTensor(q));
        QApplication::processEvents();
        QVERIFY(w.grab().save(mShots + "/weights-view.png"));

        // A model with NaN weights and a 1000-token vocabulary: flagged, and the [1000, 128]
        // embedding matrix is shown mean-pooled to 512 x 128.
        const QString broken = mModel + "-nan";
        QProcess p;
        p.start(SF_CLI, {"make-random", broken, "--preset", "tiny", "--seed", "8"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        {
            const std::string path = (broken + "/model.safetensors").toStdString();
            std::vector<io::TensorToWrite> tensors;
            {
                auto file = io::SafetensorsFile::open(path);
                QVERIFY(file.ok());
                for (const io::TensorInfo& t : (*file)->tensors()) {
                    auto values = (*file)->toFloat(t);
                    QVERIFY(values.ok());
                    if (t.name == "model.encoder.layers.1.fc2.weight") (*values)[3] = (*values)[5] = NAN;
                    tensors.push_back(io::tensorFromFloats(t.name, t.shape, values->data()));
                }
            }
            QVERIFY(io::writeSafetensors(path, tensors).ok());
        }
        w.openModel(broken);
        QTRY_VERIFY_WITH_TIMEOUT(v->summary() && doc->modelPath() == broken, 20000);
        QVERIFY2(v->warningText().contains("model.safetensors: tensor 'model.encoder.layers.1.fc2.weight' has 2 NaN "
                                           "and 0 Inf values"),
                 qPrintable(v->warningText()));
        QVERIFY(v->selectTensor("model.encoder.layers.1.fc2.weight"));
        QCOMPARE(v->histogramTotal(), v->summary()->find("model.encoder.layers.1.fc2.weight")->count - 2);
        QVERIFY(v->selectTensor("model.shared.weight"));
        QCOMPARE(v->heatmap()->rows(), 512);
        QCOMPARE(v->heatmap()->cols(), 128);
        QVERIFY(v->heatmap()->data().title.contains("downsampled"));
        QApplication::processEvents();
        QVERIFY(w.grab().save(mShots + "/weights-view-warnings.png"));
    }
};

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestWindow t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_window.moc"
