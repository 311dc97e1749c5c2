// Every step true (issue 11) and the window's errors and warnings in its language (issue
// 12), offscreen at 1280x720 on real models and traces: an empty sentence gets a message;
// the diagram of a pre-norm model draws a LayerNorm before each sublayer and the final
// stack norms; clicking a block keeps the layer; the positional-encoding panels share one
// colour scale, ReLU activations use a one-sided one, a 1x1 map shows its number and no
// range; the dark theme's toolbar icons are visible; formulas wrap only between parts;
// hover texts count tokens from 1; coarse mode counts coarse steps; recent models list a
// model once; exports default to the user's folders. PNGs go to build/ui-shots/truth/.
#include "core/model/random_model.h"
#include "core/run/steps.h"
#include "ui/architectureview.h"
#include "ui/decodingview.h"
#include "ui/explainview.h"
#include "ui/formulahtml.h"
#include "ui/heatmapview.h"
#include "ui/language.h"
#include "ui/mainwindow.h"
#include "ui/recentpaths.h"
#include "ui/stageview.h"
#include "ui/texttable.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QMessageBox>
#include <QStatusBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <QToolBar>

#include <cmath>
#include <unistd.h>

using namespace sf;
using namespace sf::ui;

namespace {

QString bundledModel() { return QString(SF_SOURCE_DIR) + "/resources/models/en-fr"; }
const char* kExample = "the little black cat sleeps";

int firstStep(const std::vector<Step>& steps, Stage stage, bool decoder, int t = -1, Sublayer sub = Sublayer::None)
{
    for (int i = 0; i < int(steps.size()); ++i) {
        const Step& s = steps[size_t(i)];
        if (s.stage == stage && s.decoder == decoder && (t < 0 || s.t == t) && (sub == Sublayer::None || s.sublayer == sub))
            return i;
    }
    return -1;
}

double luminance(QColor c) { return 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF(); }

}  // namespace

class TestTruth : public QObject {
    Q_OBJECT
    QString mWork, mShots, mPreNorm;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);  // settings of this test only
        QSettings().clear();
        mWork = QString(SF_BUILD_DIR) + "/test_truth_ui/" + QString::number(::getpid());
        mShots = QString(SF_BUILD_DIR) + "/ui-shots/truth";
        QDir().mkpath(mWork);
        QDir().mkpath(mShots);
        // A pre-norm model (normalize_before), 3 encoder and 2 decoder layers, ReLU, random weights.
        Config c = presetConfig("tiny");
        c.normalizeBefore = true;
        c.decoderLayers = 2;
        c.activation = Activation::Relu;
        mPreNorm = mWork + "/prenorm";
        const Status st = writeModel(mPreNorm.toStdString(), c, randomTensors(c, 7));
        QVERIFY2(st.ok(), st.message().c_str());
    }

    void cleanup() { setLanguage("en"); }

    // An empty sentence: a message in the window's language, no walk; the CLI's text stays English.
    void emptySentenceGetsAMessage()
    {
        for (const QString lang : {"en", "zh_CN"}) {
            QVERIFY(setLanguage(lang));
            MainWindow w(false);
            w.setAnimationsEnabled(false);
            w.resize(1280, 720);
            w.show();
            QString error;
            QVERIFY2(w.document()->loadModelNow(bundledModel(), &error), qPrintable(error));
            w.sentenceBox()->setText("   ");
            w.document()->setSynchronous(true);
            QTest::mouseClick(w.translateButton(), Qt::LeftButton);
            QApplication::processEvents();
            QVERIFY(!w.document()->translation());  // nothing walked
            QVERIFY(w.document()->steps().empty());
            const QString expected = rendered(Text("errors.empty_sentence"));
            QCOMPARE(w.lastError(), expected);
            if (lang == "zh_CN") QVERIFY2(expected.contains("句子是空的"), qPrintable(expected));
            else QVERIFY(expected.startsWith("The sentence is empty"));
            QCOMPARE(w.document()->lastErrorDetail(), QString("the sentence is empty: type at least one word"));
            // The message box says it; the status bar too.
            auto* box = w.findChild<QMessageBox*>();
            QVERIFY(box);
            QCOMPARE(box->informativeText(), expected);
            QVERIFY(w.statusBar()->currentMessage().contains(expected));
            QApplication::processEvents();
            QVERIFY(w.grab().save(QString("%1/empty-sentence-%2.png").arg(mShots, lang)));
            QVERIFY(box->grab().save(QString("%1/empty-sentence-box-%2.png").arg(mShots, lang)));
            box->close();
        }
    }

    // The pre-norm diagram: LayerNorm under each sublayer, "Add" above it, a final norm on
    // top of each stack; the paper's post-norm model has none of them.
    void preNormDiagram()
    {
        for (const QString lang : {"en", "zh_CN"}) {
            QVERIFY(setLanguage(lang));
            MainWindow w(false);
            w.setAnimationsEnabled(false);
            w.resize(1280, 720);
            w.show();
            QString error;
            QVERIFY2(w.document()->loadModelNow(mPreNorm, &error), qPrintable(error));
            w.sentenceBox()->setText("5 9 7 12");  // a model without a tokenizer reads ids
            QVERIFY2(w.document()->translateNow("5 9 7 12", &error), qPrintable(error));
            QApplication::processEvents();
            ArchitectureView* a = w.architecture();
            QVERIFY(a->preNorm());
            using B = Block;
            const std::pair<B, B> pairs[] = {{B::EncoderAttention, B::EncoderAddNorm1}, {B::EncoderFeedForward, B::EncoderAddNorm2},
                                             {B::DecoderMaskedAttention, B::DecoderAddNorm1},
                                             {B::DecoderCrossAttention, B::DecoderAddNorm2}, {B::DecoderFeedForward, B::DecoderAddNorm3}};
            for (const auto& [sub, add] : pairs) {
                const QRect norm = a->normBefore(sub), block = a->blockRect(sub), residual = a->blockRect(add);
                QVERIFY(!norm.isEmpty());
                QVERIFY2(norm.top() > block.bottom(), "the LayerNorm is drawn below (before) its sublayer");
                QVERIFY2(residual.bottom() < block.top(), "the residual add comes after the sublayer");
                QVERIFY(a->rect().contains(norm));
                QCOMPARE(a->blockLabel(add), ArchitectureView::tr("Add"));
            }
            for (const bool decoder : {false, true}) {
                const QRect final = a->finalNorm(decoder);
                QVERIFY(!final.isEmpty());
                QVERIFY(a->rect().contains(final));
                QVERIFY(final.bottom() < a->blockRect(decoder ? B::DecoderAddNorm3 : B::EncoderAddNorm2).top());
            }
            QVERIFY2(a->blockRect(B::Linear).bottom() < a->finalNorm(true).top(), "Linear reads the decoder's final norm");
            // The walk's pre-norm formula beside it.
            const int add = firstStep(w.document()->steps(), Stage::AddNorm, false);
            w.document()->setCurrentIndex(add);
            QApplication::processEvents();
            QVERIFY(w.explanation()->toPlainText().contains("LayerNorm"));
            QVERIFY(w.grab().save(QString("%1/prenorm-diagram-%2.png").arg(mShots, lang)));
            QVERIFY(a->grab().save(QString("%1/prenorm-diagram-only-%2.png").arg(mShots, lang)));
            // The "layer N" badge of an encoder and a decoder step covers no block or norm
            // (it once sat on the highlighted block's label).
            for (const bool decoder : {false, true}) {
                w.document()->setCurrentIndex(firstStep(w.document()->steps(), Stage::AddNorm, decoder));
                QApplication::processEvents();
                a->grab();  // paints: the badge as drawn
                const QRect badge = a->layerBadgeRect();
                QVERIFY2(!badge.isEmpty() && a->rect().contains(badge), decoder ? "decoder" : "encoder");
                QStringList covered;
                for (int i = 0; i < kBlockCount; ++i) {
                    if (a->blockRect(Block(i)).intersects(badge)) covered << QString("block %1").arg(i);
                    if (a->normBefore(Block(i)).intersects(badge)) covered << QString("the norm before block %1").arg(i);
                }
                for (const bool d : {false, true})
                    if (a->finalNorm(d).intersects(badge)) covered << "a final norm";
                QVERIFY2(covered.isEmpty(), qPrintable(lang + ": the layer badge covers " + covered.join(", ")));
            }
        }
        QVERIFY(setLanguage("en"));
        MainWindow w(false);
        w.resize(1280, 720);
        w.show();
        QString error;
        QVERIFY2(w.document()->loadModelNow(bundledModel(), &error), qPrintable(error));
        QVERIFY(!w.architecture()->preNorm());
        QVERIFY(w.architecture()->normBefore(Block::EncoderAttention).isEmpty());
        QVERIFY(w.architecture()->finalNorm(true).isEmpty());
        QCOMPARE(w.architecture()->blockLabel(Block::EncoderAddNorm1), rendered(Text("blocks.add_norm")));
    }

    // Clicking a block keeps the layer the student is on (and falls back to layer 1 where
    // the other stack is shallower: 3 encoder layers, 2 decoder layers).
    void clickingABlockKeepsTheLayer()
    {
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.resize(1280, 720);
        w.show();
        QString error;
        QVERIFY2(w.document()->loadModelNow(mPreNorm, &error), qPrintable(error));
        QVERIFY2(w.document()->translateNow("5 9 7 12", &error), qPrintable(error));
        QApplication::processEvents();
        const std::vector<Step>& steps = w.document()->steps();
        auto click = [&](Block b) {
            QTest::mouseClick(w.architecture(), Qt::LeftButton, {}, w.architecture()->blockRect(b).center());
            QApplication::processEvents();
            return steps[size_t(w.document()->currentIndex())];
        };
        // Encoder layer 2 (0-based 1), feed-forward; click the encoder's attention: layer 2.
        int from = -1;
        for (int i = 0; i < int(steps.size()); ++i)
            if (steps[size_t(i)].stage == Stage::FfnHidden && !steps[size_t(i)].decoder && steps[size_t(i)].layer == 1) from = i;
        QVERIFY(from >= 0);
        w.document()->setCurrentIndex(from);
        Step s = click(Block::EncoderAttention);
        QCOMPARE(s.block, Block::EncoderAttention);
        QCOMPARE(s.layer, 1);
        s = click(Block::DecoderCrossAttention);
        QCOMPARE(s.block, Block::DecoderCrossAttention);
        QCOMPARE(s.layer, 1);
        // Encoder layer 3: the decoder has no layer 3, so its layer 1.
        for (int i = 0; i < int(steps.size()); ++i)
            if (steps[size_t(i)].stage == Stage::FfnHidden && !steps[size_t(i)].decoder && steps[size_t(i)].layer == 2) from = i;
        w.document()->setCurrentIndex(from);
        s = click(Block::DecoderFeedForward);
        QCOMPARE(s.block, Block::DecoderFeedForward);
        QCOMPARE(s.layer, 0);
    }

    // The three positional-encoding panels share one scale: max |value| over all three,
    // read off the trace; the English and Chinese pages are saved.
    void positionalPanelsShareOneScale()
    {
        for (const QString lang : {"en", "zh_CN"}) {
            QVERIFY(setLanguage(lang));
            MainWindow w(false);
            w.setAnimationsEnabled(false);
            w.resize(1280, 720);
            w.show();
            QString error;
            QVERIFY2(w.document()->loadModelNow(bundledModel(), &error), qPrintable(error));
            QVERIFY2(w.document()->translateNow(kExample, &error), qPrintable(error));
            const std::vector<Step>& steps = w.document()->steps();
            for (const bool decoder : {false, true}) {
                const int i = firstStep(steps, Stage::Positions, decoder, decoder ? 2 : -1);
                QVERIFY(i >= 0);
                w.document()->setCurrentIndex(i);
                QApplication::processEvents();
                const QList<HeatmapView*> maps = w.stage()->heatmaps();
                QCOMPARE(maps.size(), 3);
                const Translation& t = *w.document()->translation();
                const int n = decoder ? steps[size_t(i)].t + 1 : int(t.sourceIds.size());
                float m = 0;
                for (const std::string& name : steps[size_t(i)].tensors()) {
                    const Tensor x = t.trace->get(name);
                    for (int r = 0; r < n; ++r)
                        for (int c = 0; c < int(x.dim(1)); ++c) m = std::max(m, std::fabs(x.at(r, c)));
                }
                for (const HeatmapView* h : maps) {
                    QCOMPARE(h->data().scale, HeatmapView::Scale::Symmetric);
                    QVERIFY2(std::fabs(h->scaleHigh() - m) <= 1e-6f * m,  // tolerance: float max, exact
                             qPrintable(QString("%1: scale ±%2, the three panels' max |v| %3").arg(h->data().title).arg(h->scaleHigh()).arg(m)));
                    QCOMPARE(h->scaleLow(), -h->scaleHigh());
                }
                if (!decoder) QVERIFY(w.grab().save(QString("%1/positions-shared-scale-%2.png").arg(mShots, lang)));
            }
        }
    }

    // ReLU's hidden units use a one-sided scale [0, max]; a 1x1 map shows its number.
    void reluIsOneSidedAndOneCellHasNoRange()
    {
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.resize(1280, 720);
        w.show();
        QString error;
        QVERIFY2(w.document()->loadModelNow(mPreNorm, &error), qPrintable(error));
        QVERIFY2(w.document()->translateNow("5 9 7 12", &error), qPrintable(error));
        QCOMPARE(w.document()->model()->config().activation, Activation::Relu);
        const std::vector<Step>& steps = w.document()->steps();
        const Translation& t = *w.document()->translation();
        const int ffn = firstStep(steps, Stage::FfnHidden, false);
        w.document()->setCurrentIndex(ffn);
        QApplication::processEvents();
        const HeatmapView* h = w.stage()->primaryHeatmap();
        QVERIFY(h);
        QCOMPARE(h->data().scale, HeatmapView::Scale::Positive);
        const Tensor hidden = t.trace->get(steps[size_t(ffn)].tensor());
        float lo = 0, hi = 0;
        for (float v : hidden.data) lo = std::min(lo, v), hi = std::max(hi, v);
        QCOMPARE(lo, 0.0f);  // ReLU: nothing below 0 in the trace
        QCOMPARE(h->scaleLow(), 0.0f);
        QCOMPARE(h->scaleHigh(), hi);

        // Decoder self-attention scores at step 1: one query, one key, one number.
        const int scores = firstStep(steps, Stage::Scores, true, 0, Sublayer::SelfAttention);
        w.document()->setCurrentIndex(scores);
        QApplication::processEvents();
        h = w.stage()->primaryHeatmap();
        QCOMPARE(h->rows(), 1);
        QCOMPARE(h->cols(), 1);
        QVERIFY(h->singleValue());
        const float v = h->data().values[0];
        QCOMPARE(h->scaleText(), QString::number(double(v), 'g', 3));
        QVERIFY(!h->scaleText().contains("–"));
        // A shared limit is a real range again (the same map among others).
        HeatmapView one;
        HeatmapView::Data d = h->data();
        d.scale = HeatmapView::Scale::Symmetric;
        d.limit = 2.5f;
        one.setData(d);
        QVERIFY(!one.singleValue());
        QCOMPARE(one.scaleHigh(), 2.5f);
    }

    // Dark theme: the step toolbar's icons are drawn in the palette's light ink.
    void darkToolbarIconsAreVisible()
    {
        MainWindow w(false);
        w.resize(1280, 720);
        w.show();
        w.setDark(true);
        QApplication::processEvents();
        QToolBar* bar = w.findChild<QToolBar*>("steps");
        QVERIFY(bar);
        const double background = luminance(w.palette().color(QPalette::Window));
        int icons = 0;
        for (QAction* a : bar->actions()) {
            if (a->icon().isNull()) continue;
            const QImage img = a->icon().pixmap(24, 24).toImage().convertToFormat(QImage::Format_ARGB32);
            double sum = 0;
            int n = 0;
            for (int y = 0; y < img.height(); ++y)
                for (int x = 0; x < img.width(); ++x) {
                    const QColor c = img.pixelColor(x, y);
                    if (c.alpha() > 200) sum += luminance(c), ++n;
                }
            QVERIFY2(n > 20, "the icon has ink");
            QVERIFY2(sum / n - background > 0.5, qPrintable(QString("icon luminance %1 on %2").arg(sum / n).arg(background)));
            ++icons;
        }
        QCOMPARE(icons, 5);
        QVERIFY(bar->grab().save(mShots + "/dark-toolbar.png"));
    }

    // Formulas wrap only between their parts, in both languages, at a narrow width.
    void formulasWrapBetweenParts()
    {
        const QStringList formulas = {"PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d))",
                                      "Q = X W_Q^T + b_Q,   K = X W_K^T + b_K,   V = X W_V^T + b_V",
                                      "decoder input = [<start>, y_1, …, y_t-1]"};
        QCOMPARE(formulaParts(formulas[0]),
                 QStringList({"PE(pos, 2i) =", "sin(pos / 10000^(2i/d)),", "PE(pos, 2i+1) =", "cos(pos / 10000^(2i/d))"}));
        QStringList all = formulas;
        for (const QString lang : {"en", "zh_CN"}) {
            TextTable table;
            QVERIFY(table.load(lang));
            for (const QString& k : table.keys())
                if (k.contains(".formula")) all << table.templateOf(k);
        }
        for (const QString& f : all) {
            const QStringList parts = formulaParts(f);
            QTextDocument doc;
            QFont mono("monospace");
            mono.setPixelSize(16);
            doc.setDefaultFont(mono);
            doc.setHtml("<p>" + formulaHtml(f) + "</p>");
            // As wide as the widest part (so no part has to be broken) and narrower than the
            // whole formula: the lines must start where parts start.
            const QFontMetrics fm(mono);
            int widest = 0;
            for (const QString& p : parts) widest = std::max(widest, fm.horizontalAdvance(p));
            doc.setDocumentMargin(0);
            doc.setTextWidth(widest + 6);
            // Where each part starts in the laid-out text (joined by single spaces).
            QSet<int> starts;
            int at = 0;
            for (const QString& p : parts) {
                starts << at;
                at += int(formulaHtml(p).size()) - int(QString(p).toHtmlEscaped().size()) + int(p.size()) + 1;
            }
            const QTextBlock block = doc.begin();
            doc.documentLayout();  // lays the text out
            const QTextLayout* layout = block.layout();
            QVERIFY(layout->lineCount() >= 1);
            for (int l = 0; l < layout->lineCount(); ++l) {
                const int start = layout->lineAt(l).textStart();
                QVERIFY2(starts.contains(start), qPrintable(QString("'%1' wraps inside a part at %2: '%3'")
                                                                .arg(f).arg(start).arg(block.text().mid(start, 20))));
            }
        }
    }

    // Hover texts count tokens from 1: at decoding step 4 the query is "query 4".
    void hoverCountsTokensFromOne()
    {
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.resize(1280, 720);
        w.show();
        QString error;
        QVERIFY2(w.document()->loadModelNow(bundledModel(), &error), qPrintable(error));
        QVERIFY2(w.document()->translateNow(kExample, &error), qPrintable(error));
        const int i = firstStep(w.document()->steps(), Stage::Weights, true, 3, Sublayer::SelfAttention);
        QVERIFY(i >= 0);
        w.document()->setCurrentIndex(i);
        QApplication::processEvents();
        const HeatmapView* h = w.stage()->primaryHeatmap();
        QVERIFY2(h->describeCell(3, 0).startsWith("query 4 "), qPrintable(h->describeCell(3, 0)));
        QVERIFY2(h->describeCell(3, 0).contains(QString("× key 1 ‘%1’").arg(QString::fromUtf8(kStartLabel))), qPrintable(h->describeCell(3, 0)));
        // The decoding strip's one row is the same query 4.
        QVERIFY2(w.decoding()->selfRow()->describeCell(0, 0).startsWith("query 4 "), qPrintable(w.decoding()->selfRow()->describeCell(0, 0)));
    }

    // Coarse mode counts coarse steps in the toolbar.
    void coarseModeCountsCoarseSteps()
    {
        MainWindow w(false);
        w.resize(1280, 720);
        w.show();
        QString error;
        QVERIFY2(w.document()->loadModelNow(bundledModel(), &error), qPrintable(error));
        QVERIFY2(w.document()->translateNow(kExample, &error), qPrintable(error));
        auto* granularity = w.findChild<QComboBox*>("granularity");
        auto* label = w.findChild<QLabel*>("stepLabel");
        QVERIFY(granularity && label);
        const std::vector<Step>& steps = w.document()->steps();
        granularity->setCurrentIndex(0);
        QApplication::processEvents();
        QVERIFY2(label->text().endsWith(QString("/ %1").arg(steps.size())), qPrintable(label->text()));
        granularity->setCurrentIndex(1);
        QApplication::processEvents();
        const int K = coarseCount(steps);
        QVERIFY(K < int(steps.size()));
        QVERIFY2(label->text().trimmed() == MainWindow::tr(" step %1 / %2").arg(1).arg(K).trimmed(), qPrintable(label->text()));
        w.document()->next();
        w.document()->next();
        QApplication::processEvents();
        QVERIFY2(label->text().trimmed() == MainWindow::tr(" step %1 / %2").arg(3).arg(K).trimmed(), qPrintable(label->text()));
        w.document()->last();
        QApplication::processEvents();
        QVERIFY2(label->text().trimmed() == MainWindow::tr(" step %1 / %2").arg(K).arg(K).trimmed(), qPrintable(label->text()));
        granularity->setCurrentIndex(0);
    }

    // The same model opened as "dir", "dir/", "dir/./" and through a link is listed once.
    void recentModelsListAModelOnce()
    {
        const QString link = mWork + "/link-to-prenorm";
        QFile::remove(link);
        QVERIFY(QFile::link(mPreNorm, link));
        MainWindow w(false);
        for (const QString& path : {mPreNorm, mPreNorm + "/", mPreNorm + "/./", link, mPreNorm + "/config.json"}) {
            QString error;
            QVERIFY2(w.document()->loadModelNow(path, &error), qPrintable(path + ": " + error));
            QApplication::processEvents();
        }
        QCOMPARE(w.recentModels(), QStringList{QFileInfo(mPreNorm).canonicalFilePath()});
        QVERIFY2(w.document()->loadModelNow(bundledModel()), "the bundled model");
        QApplication::processEvents();
        QCOMPARE(w.recentModels().size(), 2);
        QCOMPARE(w.recentModels().first(), QFileInfo(bundledModel()).canonicalFilePath());
        QCOMPARE(withRecent({"/a/b/", "/a/b"}, "/a/./b"), QStringList{"/a/b"});
    }

    // Export dialogs open in the last folder used, else Pictures / Documents / home; never
    // the working folder (the source tree when run from a build).
    void exportDefaultsToTheUsersFolders()
    {
        QSettings().remove("export/directory");
        const QString first = exportDirectory();
        const QStringList allowed = {QStandardPaths::writableLocation(QStandardPaths::PicturesLocation),
                                     QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation), QDir::homePath()};
        QVERIFY2(allowed.contains(first), qPrintable(first));
        QVERIFY2(!QDir(first).canonicalPath().startsWith(QDir(SF_SOURCE_DIR).canonicalPath() + "/") ||
                     QDir::homePath().startsWith(QString(SF_SOURCE_DIR)),
                 qPrintable(first));
        rememberExportDirectory(mWork + "/picture.png");
        QCOMPARE(exportDirectory(), mWork);
        rememberExportDirectory(mWork + "/gone/x.png");  // a folder that does not exist: back to the defaults
        QVERIFY(allowed.contains(exportDirectory()));
    }

    // Core's warnings and errors in the window's language: the truncation warning and a
    // failed load, framed and reasoned in Chinese; the English message only as the detail.
    void errorsAndWarningsAreTranslated()
    {
        QVERIFY(setLanguage("zh_CN"));
        MainWindow w(false);
        w.setAnimationsEnabled(false);
        w.resize(1280, 720);
        w.show();
        QString error;
        QVERIFY2(w.document()->loadModelNow(bundledModel(), &error), qPrintable(error));
        QString longText;
        while (longText.size() < 3000) longText += "the little black cat sleeps ";
        w.document()->setMaxLength(4);
        QVERIFY2(w.document()->translateNow(longText, &error), qPrintable(error));
        QApplication::processEvents();
        const QString warning = w.stage()->warning();
        QVERIFY2(warning.contains("已截断"), qPrintable(warning));
        QVERIFY2(!warning.contains("truncated"), qPrintable(warning));
        QVERIFY(w.grab().save(mShots + "/truncated-warning-zh_CN.png"));

        const QString nowhere = mWork + "/no-such-model";
        QVERIFY(!w.document()->loadModelNow(nowhere, &error));
        QVERIFY2(error.startsWith("无法打开模型：" + nowhere), qPrintable(error));
        QVERIFY2(error.contains("不存在"), qPrintable(error));
        QVERIFY(w.document()->lastErrorDetail().contains("not a model directory"));
        // An error of no known kind: the translated frame around core's English message.
        const QString file = mWork + "/weird/model.safetensors";
        QDir().mkpath(mWork + "/weird");
        QFile f(mWork + "/weird/config.json");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"d_model\": 3}");
        f.close();
        QFile g(file);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write("12345678");
        g.close();
        QVERIFY(!w.document()->loadModelNow(mWork + "/weird", &error));
        QVERIFY2(error.startsWith("无法打开模型："), qPrintable(error));
        // Input errors: words typed for a model that reads token ids, and an id too large.
        QVERIFY2(w.document()->loadModelNow(mPreNorm, &error), qPrintable(error));
        QVERIFY(!w.document()->translateNow("hello", &error));
        QVERIFY2(error.contains("没有分词器"), qPrintable(error));
        QVERIFY(!w.document()->translateNow("5 99999", &error));
        QVERIFY2(error.contains("99999") && error.contains("词表"), qPrintable(error));
        QVERIFY(setLanguage("en"));
        QVERIFY(!w.document()->loadModelNow(nowhere, &error));
        QVERIFY2(error.startsWith("Cannot open the model: " + nowhere), qPrintable(error));
    }
};

QTEST_MAIN(TestTruth)
#include "test_truth.moc"
