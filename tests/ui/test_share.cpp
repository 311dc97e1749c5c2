// Sharing, offscreen, on the bundled En->Fr model: a session saved from one window and
// opened in a new one gives the same step, sentence, interventions and output; malformed
// session files are refused naming the file; the animated GIF (decoded back with giflib)
// has one frame per step at exactly the asked size, and frames differ where the steps do;
// a panel exports at its own size; the worksheet PDF has its pages and its answers come
// from the Trace; the window's export shows the comparison view and the lab as they are.
// Screenshots (a GIF frame, the worksheet's pages) go to build/screenshots/share/.
#include "core/run/steps.h"
#include "ui/animationexport.h"
#include "ui/comparisonview.h"
#include "ui/forcingview.h"
#include "ui/gifwriter.h"
#include "ui/heatmapview.h"
#include "ui/labview.h"
#include "ui/language.h"
#include "ui/mainwindow.h"
#include "ui/panelexport.h"
#include "ui/sessionfiles.h"
#include "ui/stageview.h"
#include "ui/worksheet.h"

#include <QAction>
#include <QComboBox>
#include <QLineEdit>
#include <QApplication>
#include <QContextMenuEvent>
#include <QDialog>
#include <QDir>
#include <QFileDialog>
#include <QProgressDialog>
#include <QDockWidget>
#include <QFile>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QStatusBar>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <qcustomplot.h>

#include <cmath>
#include <functional>

using namespace sf;
using namespace sf::ui;

namespace {

const QString kSentence = "the little black cat sleeps";

QString modelDir() { return QString(SF_SOURCE_DIR) + "/resources/models/en-fr"; }

int findStep(const std::vector<Step>& steps, bool decoder, int layer, Sublayer sub, Stage stage, int t = -1)
{
    for (size_t i = 0; i < steps.size(); ++i) {
        const Step& s = steps[i];
        if (s.decoder == decoder && s.layer == layer && s.sublayer == sub && s.stage == stage && (t < 0 || s.t == t))
            return int(i);
    }
    return -1;
}

// A shown window that knows the bundled model, translating synchronously, nothing loaded.
void showEmpty(MainWindow& w, QSize size = QSize(1280, 720))
{
    w.setAnimationsEnabled(false);
    w.setBundledModels({{"en-fr", modelDir()}});
    w.resize(size);
    w.show();
    w.document()->setSynchronous(true);
}

// A window with the bundled model and the sentence translated (synchronously).
void prepare(MainWindow& w, QSize size = QSize(1280, 720))
{
    showEmpty(w, size);
    QString error;
    QVERIFY2(w.document()->loadModelNow(modelDir(), &error), qPrintable(error));
    QVERIFY2(w.document()->translateNow(kSentence, &error), qPrintable(error));
    QApplication::processEvents();
}

// Mean absolute difference per channel, 0-255.
double meanDifference(const QImage& a, const QImage& b)
{
    const QImage x = a.convertToFormat(QImage::Format_RGB888), y = b.convertToFormat(QImage::Format_RGB888);
    double sum = 0;
    for (int r = 0; r < x.height(); ++r) {
        const uchar* p = x.constScanLine(r);
        const uchar* q = y.constScanLine(r);
        for (int i = 0; i < 3 * x.width(); ++i) sum += std::abs(int(p[i]) - int(q[i]));
    }
    return sum / (3.0 * x.width() * x.height());
}

bool write(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

}  // namespace

class TestShare : public QObject {
    Q_OBJECT
private:
    QString mShots = QString(SF_BUILD_DIR) + "/screenshots/share";
    QTemporaryDir mTmp;

private slots:
    void initTestCase()
    {
        QDir().mkpath(mShots);
        QVERIFY(mTmp.isValid());
    }

    void sessionRoundTrip()
    {
        const QString path = mTmp.filePath("session.json");
        int step = -1;
        std::vector<std::string> specs;
        std::vector<int> output;
        QString title, stageTitle;
        std::vector<float> context;
        {
            MainWindow a(false);
            prepare(a);
            TranslationDocument* doc = a.document();
            Interventions iv;
            QVERIFY(addIntervention(iv, "ablate:decoder.0.cross_attn.1", doc->model()->config()).ok());
            QVERIFY(addIntervention(iv, "ablate:encoder.1.self_attn.2", doc->model()->config()).ok());
            doc->setInterventions(iv);
            QVERIFY(doc->baseline());
            step = findStep(doc->steps(), true, 0, Sublayer::CrossAttention, Stage::Weights, 1);
            QVERIFY(step > 0);
            doc->setCurrentIndex(step);
            a.findChild<QComboBox*>("granularity")->setCurrentIndex(1);
            showSessionView(a, SessionView::Comparison);
            QApplication::processEvents();
            QCOMPARE(shownSessionView(a), SessionView::Comparison);
            QString error;
            QVERIFY2(saveSessionFile(a, path, &error), qPrintable(error));
            specs = doc->interventions().specs();
            output = doc->translation()->outputIds;
            stageTitle = a.stage()->title();
            context = doc->translation()->trace->get("decoder.layers.0.cross_attn.context").data;
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY2(text.contains("\"format\": \"stepformer-session\""), text.constData());
        QVERIFY2(text.contains("\"model\": \"en-fr\""), text.constData());
        QVERIFY2(text.contains("\"view\": \"comparison\""), text.constData());

        MainWindow b(false);
        showEmpty(b);
        QString error;
        QVERIFY2(openSessionFile(b, path, &error), qPrintable(error));
        QApplication::processEvents();
        TranslationDocument* doc = b.document();
        QVERIFY(doc->translation());
        QCOMPARE(QString::fromStdString(doc->translation()->sourceText), kSentence);
        QCOMPARE(doc->currentIndex(), step);
        QCOMPARE(doc->interventions().specs(), specs);
        QCOMPARE(doc->translation()->outputIds, output);
        QVERIFY(doc->coarse());
        QCOMPARE(b.findChild<QComboBox*>("granularity")->currentIndex(), 1);
        QCOMPARE(b.stage()->title(), stageTitle);
        QCOMPARE(shownSessionView(b), SessionView::Comparison);
        // The same forward: the ablated head's context, bit for bit.
        QVERIFY(doc->translation()->trace->get("decoder.layers.0.cross_attn.context").data == context);
    }

    void sessionForcingNoMaskModel()
    {
        // The teacher-forcing lab beside the model trained without the mask is part of the
        // window's state: saved, and redone on open.
        const QString path = mTmp.filePath("nomask.json");
        {
            MainWindow a(false);
            prepare(a);
            a.lab()->setSynchronous(true);
            showSessionView(a, SessionView::LabForcing);
            QApplication::processEvents();
            QPushButton* noMask = a.lab()->forcing()->noMaskButton();
            QVERIFY(noMask->isEnabled());
            noMask->setChecked(true);
            QVERIFY2(a.lab()->forcing()->noMaskLab(), qPrintable(a.lab()->forcing()->noMaskError()));
            QString error;
            QVERIFY2(saveSessionFile(a, path, &error), qPrintable(error));
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY2(text.contains("\"forcing_no_mask_model\": true"), text.constData());
        QVERIFY2(text.contains("\"view\": \"lab.forcing\""), text.constData());

        MainWindow b(false);
        showEmpty(b);
        b.lab()->setSynchronous(true);
        QString error;
        QVERIFY2(openSessionFile(b, path, &error), qPrintable(error));
        QApplication::processEvents();
        QCOMPARE(shownSessionView(b), SessionView::LabForcing);
        QVERIFY(b.lab()->forcing()->noMaskButton()->isChecked());
        const ForcingLab* lab = b.lab()->forcing()->noMaskLab();
        QVERIFY2(lab, qPrintable(b.lab()->forcing()->noMaskError()));
        QVERIFY(lab->cheatCopies == int(lab->pTargetCheat.size()));  // it copies, as it did before saving
        QVERIFY(!captureSession(b).difference);
        QVERIFY(captureSession(b).forcingNoMaskModel);

        // As export opens it: the tab not shown yet, so no target typed; the lab still runs,
        // on the reference.
        MainWindow c(false);
        c.setAnimationsEnabled(false);
        c.setBundledModels({{"en-fr", modelDir()}});
        c.document()->setSynchronous(true);
        c.lab()->setSynchronous(true);
        QVERIFY2(openSessionFile(c, path, &error), qPrintable(error));
        QApplication::processEvents();
        QVERIFY2(c.lab()->forcing()->noMaskLab(), qPrintable(c.lab()->forcing()->noMaskError()));
    }

    void sessionAsync()
    {
        // The window's own path: the translation runs on a worker thread, the step follows.
        SessionFile s;
        s.model = "en-fr";
        s.sentence = "the dog sees the cat";
        s.decoding = Beam{3, 1.0};
        s.step = 40;
        s.view = SessionView::LabPositions;
        const QString path = mTmp.filePath("async.json");
        QVERIFY(write(path, QByteArray::fromStdString(sessionFileToJson(s))));
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.setBundledModels({{"en-fr", modelDir()}});
        w.resize(1280, 720);
        w.show();
        QString error;
        QVERIFY2(openSessionFile(w, path, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(w.document()->translation() && !w.document()->busy(), 20000);
        QApplication::processEvents();
        QCOMPARE(w.document()->translation()->decoding, std::string("beam"));
        QCOMPARE(w.document()->currentIndex(), 40);
        QCOMPARE(shownSessionView(w), SessionView::LabPositions);
        QCOMPARE(w.sentenceBox()->text(), QString("the dog sees the cat"));
    }

    void sessionRefused()
    {
        MainWindow w(false);
        prepare(w);
        const int before = 17;
        w.document()->setCurrentIndex(before);
        const auto bad = [&](const QString& name, const QByteArray& text, const QString& expected) {
            const QString path = mTmp.filePath(name);
            QVERIFY(write(path, text));
            QString error;
            QVERIFY2(!openSessionFile(w, path, &error), qPrintable(name));
            QVERIFY2(error.startsWith(path + ": "), qPrintable(error));
            QVERIFY2(error.contains(expected), qPrintable(error));
            QCOMPARE(w.document()->currentIndex(), before);  // the window is unchanged
            QCOMPARE(QString::fromStdString(w.document()->translation()->sourceText), kSentence);
        };
        bad("empty.json", "", "not valid JSON");
        bad("lesson.json", R"({"format": "stepformer-lesson", "version": 1, "model": "en-fr", "sentence": "x"})", "\"format\"");
        bad("step.json", R"({"format": "stepformer-session", "version": 1, "model": "en-fr", "sentence": "x", "step": "ten"})",
            "\"step\" must be an integer");
        // Needs the model: the decoder has 3 layers.
        bad("layer.json",
            R"({"format": "stepformer-session", "version": 1, "model": "en-fr", "sentence": "x", "interventions": ["ablate:decoder.7.self_attn.0"]})",
            "layer 7 is out of range");
        bad("model.json", R"({"format": "stepformer-session", "version": 1, "model": "no-such-model", "sentence": "x"})",
            "neither a bundled model nor a directory");
        QString error;
        QVERIFY(!openSessionFile(w, mTmp.filePath("missing.json"), &error));
        QVERIFY2(error.startsWith(mTmp.filePath("missing.json") + ": "), qPrintable(error));

        // The command line refuses it the same way: exit 1, the file named on stderr.
        QProcess cli;
        cli.start(SF_CLI, {"export", "--session", mTmp.filePath("layer.json"), "--out", mTmp.filePath("x.png")});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 1);
        QVERIFY2(cli.readAllStandardError().contains("layer.json: interventions:"), "stderr names the file");
        // And so does the window's `stepformer --session FILE` (before its event loop starts).
        QProcess gui;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        gui.setProcessEnvironment(env);
        gui.start(SF_CLI, {"--session", mTmp.filePath("step.json")});
        QVERIFY(gui.waitForFinished(60000));
        QCOMPARE(gui.exitCode(), 1);
        QVERIFY2(gui.readAllStandardError().contains("step.json: \"step\" must be an integer"), "stderr names the file");
    }

    void animatedGif()
    {
        MainWindow w(false);
        prepare(w, QSize(1024, 640));
        const int from = 10, to = 15;
        const QString path = mTmp.filePath("walk.gif");
        QString error;
        int calls = 0;
        QVERIFY2(exportAnimation(w, {from, to, 500}, path, &error, [&](int done, int total) {
                     ++calls;
                     return done <= total;
                 }),
                 qPrintable(error));
        QCOMPARE(calls, to - from + 1);
        DecodedGif gif;
        QVERIFY2(decodeGif(path, &gif, &error), qPrintable(error));
        QCOMPARE(gif.size, QSize(1024, 640));
        QCOMPARE(gif.frames.size(), to - from + 1);
        for (int i = 0; i < gif.frames.size(); ++i) {
            QCOMPARE(gif.frames[i].size(), QSize(1024, 640));
            QCOMPARE(gif.delaysCs[i], 50);
            QVERIFY(gif.paletteSizes[i] <= 256);
        }
        // Each frame is that step as the window shows it, up to the 256-colour palette.
        for (int i = from; i <= to; ++i) {
            w.document()->setCurrentIndex(i);
            QApplication::processEvents();
            const QImage now = w.grab().toImage();
            const double d = meanDifference(gif.frames[i - from], now);
            qInfo("frame %d: mean |GIF - window| = %.2f / 255 per channel", i - from, d);
            QVERIFY2(d < 2.0, qPrintable(QString("frame %1 differs from step %2 by %3 / 255 on average").arg(i - from).arg(i).arg(d)));
        }
        // Consecutive steps are different operations: their frames differ.
        for (int i = 1; i < gif.frames.size(); ++i)
            QVERIFY2(meanDifference(gif.frames[i - 1], gif.frames[i]) > 0.05, qPrintable(QString("frames %1 and %2").arg(i - 1).arg(i)));
        QCOMPARE(w.document()->currentIndex(), 15);  // as the test left it before the checks

        QVERIFY(!exportAnimation(w, {5, 2, 500}, path, &error));
        QVERIFY2(error.contains("not a range"), qPrintable(error));
    }

    void animatedGifCli()
    {
        const QString path = mTmp.filePath("cli.gif");
        QProcess cli;
        cli.start(SF_CLI, {"export", "--sentence", kSentence, "--steps", "20-23", "--size", "800x600", "--intervene",
                           "ablate:decoder.0.cross_attn.1", "--view", "comparison", "--out", path});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        DecodedGif gif;
        QString error;
        QVERIFY2(decodeGif(path, &gif, &error), qPrintable(error));
        QCOMPARE(gif.size, QSize(800, 600));
        QCOMPARE(gif.frames.size(), 4);
        for (const QImage& f : gif.frames) QCOMPARE(f.size(), QSize(800, 600));
        QProcess bad;
        bad.start(SF_CLI, {"export", "--sentence", kSentence, "--steps", "20-23", "--out", mTmp.filePath("x.png")});
        QVERIFY(bad.waitForFinished(60000));
        QCOMPARE(bad.exitCode(), 2);

        // A frame in each language for the screenshots: cross-attention with two heads off,
        // the comparison view beside it.
        for (const QString& language : {QString("en"), QString("zh_CN")}) {
            const QString one = mTmp.filePath("one-" + language + ".gif");
            cli.start(SF_CLI, {"export", "--sentence", kSentence, "--steps", "118-118", "--size", "1280x720", "--lang",
                               language, "--intervene", "ablate:decoder.0.cross_attn.0", "--intervene",
                               "ablate:decoder.0.cross_attn.1", "--view", "comparison", "--out", one});
            QVERIFY(cli.waitForFinished(120000));
            QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
            QVERIFY(decodeGif(one, &gif, &error));
            QCOMPARE(gif.frames.size(), 1);
            QCOMPARE(gif.frames[0].size(), QSize(1280, 720));
            QVERIFY(gif.frames[0].save(mShots + "/gif-frame-comparison-" + language + ".png"));
        }
    }

    void panelExport()
    {
        MainWindow w(false);
        prepare(w);
        TranslationDocument* doc = w.document();
        doc->setCurrentIndex(findStep(doc->steps(), false, 0, Sublayer::SelfAttention, Stage::Weights));
        QApplication::processEvents();
        HeatmapView* h = w.stage()->primaryHeatmap();
        QVERIFY(h && h->isVisible());
        QVERIFY(PanelExport::isPanel(h));
        QString error;
        const QString png = mTmp.filePath("panel.png"), svg = mTmp.filePath("panel.svg");
        QVERIFY2(PanelExport::exportPanel(h, png, &error), qPrintable(error));
        const QImage image(png);
        QCOMPARE(image.size(), h->size() * h->devicePixelRatio());
        QVERIFY(meanDifference(image, h->grab().toImage()) < 0.01);
        QVERIFY2(PanelExport::exportPanel(h, svg, &error), qPrintable(error));
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        const QRegularExpression viewBox(R"re(viewBox="0 0 (\d+) (\d+)")re");
        const auto m = viewBox.match(QString::fromUtf8(text));
        QVERIFY(m.hasMatch());
        QCOMPARE(QSize(m.captured(1).toInt(), m.captured(2).toInt()), h->size());
        QVERIFY(!PanelExport::exportPanel(h, mTmp.filePath("panel.bmp"), &error));

        // A plot: the probabilities step's bars.
        doc->setCurrentIndex(findStep(doc->steps(), true, -1, Sublayer::None, Stage::Probabilities, 0));
        QApplication::processEvents();
        QCustomPlot* plot = w.stage()->plot();
        QVERIFY(plot && plot->isVisible());
        QVERIFY(PanelExport::isPanel(plot));
        QVERIFY2(PanelExport::exportPanel(plot, png, &error), qPrintable(error));
        QCOMPARE(QImage(png).size(), plot->size() * plot->devicePixelRatio());

        // The context menu of a heatmap offers both exports.
        doc->setCurrentIndex(findStep(doc->steps(), false, 0, Sublayer::SelfAttention, Stage::Weights));
        QApplication::processEvents();
        h = w.stage()->primaryHeatmap();
        QStringList offered;
        QTimer::singleShot(200, [&] {
            if (auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget())) {
                for (QAction* a : menu->actions()) offered << a->text();
                menu->close();
            }
        });
        QContextMenuEvent e(QContextMenuEvent::Mouse, h->rect().center(), h->mapToGlobal(h->rect().center()));
        QApplication::sendEvent(h, &e);
        QCOMPARE(offered.size(), 2);
        QVERIFY2(offered[0].contains("PNG") && offered[1].contains("SVG"), qPrintable(offered.join(", ")));
    }

    void worksheet()
    {
        for (const QString& language : {QString("en"), QString("zh_CN")}) {
            QString error;
            QVERIFY2(setLanguage(language, &error), qPrintable(error));
            MainWindow w(false);
            prepare(w);
            TranslationDocument* doc = w.document();
            const int at = findStep(doc->steps(), true, 1, Sublayer::CrossAttention, Stage::Weights, 2);
            QVERIFY(at >= 0);
            doc->setCurrentIndex(at);
            QApplication::processEvents();
            Worksheet ws;
            QVERIFY2(buildWorksheet(w, &ws, &error), qPrintable(error));
            // The blanks are cells of the selected head's weights, as recorded.
            const Tensor weights = doc->translation()->trace->get("decoder.layers.1.cross_attn.weights");  // [H, T, S]
            const int head = doc->selectedHead();
            QCOMPARE(ws.rows, 3);  // decoding step 3 shows rows 0..2
            QCOMPARE(ws.cols, int(weights.dim(2)));
            QVERIFY(ws.blanks.size() >= 2);
            for (const Worksheet::Blank& b : ws.blanks) {
                QCOMPARE(b.value, weights.at(head, b.row, b.col));
                for (int c = 0; c < ws.cols; ++c) QVERIFY(weights.at(head, b.row, c) <= b.value);  // the row's largest
            }
            // The next token: the argmax of decoder.probs at decoding step 3.
            const Tensor probs = doc->translation()->trace->get("decoder.probs");
            QCOMPARE(ws.position, 2);
            int best = 0;
            for (int v = 0; v < int(probs.dim(1)); ++v)
                if (probs.at(2, v) > probs.at(2, best)) best = v;
            QCOMPARE(ws.tokenId, best);
            QCOMPARE(ws.tokenId, doc->translation()->outputIds[2]);  // greedy chose it
            QCOMPARE(float(ws.probability), probs.at(2, best));

            const QString pdf = mShots + "/worksheet-" + language + ".pdf";
            QVERIFY2(writeWorksheetPdf(ws, pdf, &error), qPrintable(error));
            QFile f(pdf);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            QVERIFY(bytes.startsWith("%PDF-"));
            const int pages = int(QString::fromLatin1(bytes).count(QRegularExpression(R"(/Type\s*/Page(?!s))")));
            QCOMPARE(pages, 2);
            // The answer key's text (poppler's pdftotext, where installed) holds the values.
            const QString pdftotext = QStandardPaths::findExecutable("pdftotext");
            const QString pdftoppm = QStandardPaths::findExecutable("pdftoppm");
            if (!pdftoppm.isEmpty()) {
                QProcess p;
                p.start(pdftoppm, {"-png", "-r", "60", pdf, mShots + "/worksheet-" + language});
                QVERIFY(p.waitForFinished(30000));
                QCOMPARE(p.exitCode(), 0);
            }
            if (!pdftotext.isEmpty() && language == "en") {  // poppler maps no digits of Noto CJK back to text
                QProcess p;
                p.start(pdftotext, {"-f", "2", "-l", "2", "-layout", pdf, "-"});
                QVERIFY(p.waitForFinished(30000));
                const QString key = QString::fromUtf8(p.readAllStandardOutput());
                for (const Worksheet::Blank& b : ws.blanks)
                    QVERIFY2(key.contains(QString::number(double(b.value), 'f', 4)), qPrintable(key));
                QVERIFY2(key.contains(QString::number(ws.probability, 'f', 4)), qPrintable(key));
                QProcess first;
                first.start(pdftotext, {"-f", "1", "-l", "1", "-layout", pdf, "-"});
                QVERIFY(first.waitForFinished(30000));
                const QString sheet = QString::fromUtf8(first.readAllStandardOutput());
                for (const Worksheet::Blank& b : ws.blanks)
                    QVERIFY2(!sheet.contains(QString::number(double(b.value), 'f', 2) + " "), "a blank's value is on the sheet");
            }
            // A step without a matrix: refused with a message.
            doc->setCurrentIndex(0);
            QApplication::processEvents();
            if (!w.stage()->primaryHeatmap()) QVERIFY(!buildWorksheet(w, &ws, &error) && !error.isEmpty());
        }
        QString error;
        QVERIFY(setLanguage("en", &error));
    }

    void fileMenuActions()
    {
        MainWindow w(false);
        prepare(w);
        QStringList names;
        for (QAction* a : w.findChildren<QAction*>())
            if (a->objectName().startsWith("share.")) names << a->objectName();
        names.sort();
        QCOMPARE(names, QStringList({"share.exportAnimation", "share.exportWorksheet", "share.openSession", "share.saveSession"}));
        auto* save = w.findChild<QAction*>("share.saveSession");
        QCOMPARE(save->shortcut(), QKeySequence(QKeySequence::Save));
        // Export animation asks for the range first: from the current step, 20 on.
        w.document()->setCurrentIndex(30);
        QList<int> values, maxima;
        QTimer::singleShot(300, [&] {
            if (QWidget* dialog = QApplication::activeModalWidget()) {
                for (QSpinBox* box : dialog->findChildren<QSpinBox*>()) values << box->value(), maxima << box->maximum();
                if (auto* d = qobject_cast<QDialog*>(dialog)) d->reject();
            }
        });
        w.findChild<QAction*>("share.exportAnimation")->trigger();
        QCOMPARE(values.size(), 3);
        QCOMPARE(values[0], 31);  // 1-based, as the step label counts
        QCOMPARE(values[1], 50);
        QCOMPARE(maxima[0], int(w.document()->steps().size()));

        // The whole path: the range (steps 31-33), the file dialog, the progress dialog.
        const QString path = mTmp.filePath("menu.gif");
        QString chosen;
        std::function<void()> answer = [&] {
            QWidget* modal = QApplication::activeModalWidget();
            if (auto* files = qobject_cast<QFileDialog*>(modal)) {
                files->selectFile(path);
                chosen = files->selectedFiles().value(0);  // the folder chosen, the offered name
                QMetaObject::invokeMethod(files, "accept");
                return;
            }
            if (auto* d = qobject_cast<QDialog*>(modal); d && !qobject_cast<QProgressDialog*>(modal)) {
                const QList<QSpinBox*> boxes = d->findChildren<QSpinBox*>();
                boxes[1]->setValue(33);
                d->accept();
            }
            QTimer::singleShot(300, answer);
        };
        QTimer::singleShot(300, answer);
        w.findChild<QAction*>("share.exportAnimation")->trigger();
        QVERIFY2(w.statusBar()->currentMessage().startsWith("Exported 3 frames"), qPrintable(w.statusBar()->currentMessage()));
        DecodedGif gif;
        QString error;
        QVERIFY2(decodeGif(chosen, &gif, &error), qPrintable(error));
        QCOMPARE(gif.frames.size(), 3);
        QCOMPARE(gif.size, w.size());
        QCOMPARE(w.document()->currentIndex(), 30);  // the window is back on its step
    }

    void exportShowsComparisonAndLab()
    {
        MainWindow w(false);
        prepare(w, QSize(1600, 1000));
        TranslationDocument* doc = w.document();
        Interventions iv;
        QVERIFY(addIntervention(iv, "ablate:decoder.0.cross_attn.0", doc->model()->config()).ok());
        QVERIFY(addIntervention(iv, "ablate:decoder.0.cross_attn.1", doc->model()->config()).ok());
        doc->setInterventions(iv);
        doc->setCurrentIndex(findStep(doc->steps(), true, 0, Sublayer::CrossAttention, Stage::Weights, 1));
        QApplication::processEvents();
        QCOMPARE(shownSessionView(w), SessionView::Comparison);
        QVERIFY(!w.comparison()->afterTokens().isEmpty());
        const auto region = [&](QWidget* part, const QImage& whole) {
            const QRect r(part->mapTo(&w, QPoint(0, 0)), part->size());
            return whole.copy(QRect(r.topLeft() * whole.devicePixelRatio(), r.size() * whole.devicePixelRatio()));
        };
        QString error;
        const QString png = mTmp.filePath("window.png");
        QVERIFY2(w.exportView(png, &error), qPrintable(error));
        QImage whole(png);
        QCOMPARE(whole.size(), w.size());
        QVERIFY2(meanDifference(region(w.comparison(), whole), w.comparison()->grab().toImage()) < 0.5,
                 "the comparison view in the export is the one shown");
        // The SVG holds the comparison's text.
        const QString svg = mTmp.filePath("window.svg");
        QVERIFY2(w.exportView(svg, &error), qPrintable(error));
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString svgText = QString::fromUtf8(f.readAll());
        QVERIFY(!w.comparison()->afterTokens().isEmpty());
        QVERIFY2(svgText.contains(w.comparison()->afterTokens().front().toHtmlEscaped()), "comparison tokens in the SVG");

        // A lab tab, shown: in the export as on screen.
        showSessionView(w, SessionView::LabScaling);
        QApplication::processEvents();
        QCOMPARE(shownSessionView(w), SessionView::LabScaling);
        QVERIFY2(w.exportView(png, &error), qPrintable(error));
        whole = QImage(png);
        QVERIFY2(meanDifference(region(w.lab(), whole), w.lab()->grab().toImage()) < 0.5,
                 "the lab in the export is the one shown");
        QVERIFY(whole.save(mShots + "/export-lab-scaling.png"));
    }
};

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestShare t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_share.moc"
