// The why-lab in the window, offscreen, on the bundled En->Fr model: switch a head off by
// Ctrl+clicking its tile, see both outputs in the comparison view and the head's context
// all zeros in the new trace; undo and redo; the difference heatmap of a tensor the
// intervention cannot reach is all zero; positions, scaling, the teacher-forcing demo.
// Screenshots of each lab state go to build/screenshots/lab/.
#include "core/run/steps.h"
#include "core/text/tokenizer.h"
#include "ui/comparisonview.h"
#include "ui/heatmapview.h"
#include "ui/explainview.h"
#include "ui/mainwindow.h"
#include "ui/stageview.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QTest>

#include <algorithm>

using namespace sf;
using namespace sf::ui;

namespace {

// Index of the first step matching, or -1.
int findStep(const std::vector<Step>& steps, bool decoder, int layer, Sublayer sub, Stage stage, int t = -1)
{
    for (size_t i = 0; i < steps.size(); ++i) {
        const Step& s = steps[i];
        if (s.decoder == decoder && s.layer == layer && s.sublayer == sub && s.stage == stage && (t < 0 || s.t == t))
            return int(i);
    }
    return -1;
}

// max |x| over head h of an [H, T, dk] trace tensor.
float headMax(const Translation& t, const std::string& name, int h)
{
    const Tensor x = t.trace->get(name);
    const int64_t per = x.dim(1) * x.dim(2);
    float m = 0;
    for (int64_t i = 0; i < per; ++i) m = std::max(m, std::abs(x.data[size_t(h * per + i)]));
    return m;
}

QStringList piecesOf(const Translation& t)
{
    QStringList l;
    for (const std::string& p : t.outputPieces) l << QString::fromStdString(p);
    return l;
}

}  // namespace

class TestLab : public QObject {
    Q_OBJECT
private:
    QString mShots = QString(SF_BUILD_DIR) + "/screenshots/lab";

    void shoot(MainWindow& w, const QString& name)
    {
        for (QSize size : {QSize(1280, 720), QSize(1920, 1080)}) {
            w.resize(size);
            QApplication::processEvents();
            w.stage()->refresh();
            QVERIFY(w.grab().save(QString("%1/%2-%3x%4.png").arg(mShots, name).arg(size.width()).arg(size.height())));
        }
    }

    // The window at 1280x720, animations off, its document synchronous, on a bundled model.
    void open(MainWindow& w, const char* model)
    {
        w.setAnimationsEnabled(false);
        w.resize(1280, 720);
        w.show();
        w.document()->setSynchronous(true);
        QString error;
        QVERIFY2(w.document()->loadModelNow(QString(SF_SOURCE_DIR) + "/resources/models/" + model, &error),
                 qPrintable(error));
    }

private slots:
    void initTestCase() { QDir().mkpath(mShots); }

    void ablateUndoDifference()
    {
        MainWindow w(false);
        open(w, "en-fr");
        if (QTest::currentTestFailed()) return;
        TranslationDocument* doc = w.document();
        QString error;
        QVERIFY2(doc->translateNow("the little black cat sleeps", &error), qPrintable(error));
        QVERIFY(!doc->baseline());
        QVERIFY(w.comparison()->afterTokens().isEmpty());
        const QStringList plain = piecesOf(*doc->translation());

        // Decoder layer 1's cross-attention weights at step 1: the selected head and every head.
        const int H = doc->model()->config().decoderHeads;
        QVERIFY(H > 1);
        const int at = findStep(doc->steps(), true, 0, Sublayer::CrossAttention, Stage::Weights, 0);
        QVERIFY(at >= 0);
        doc->setCurrentIndex(at);
        QApplication::processEvents();
        QVERIFY(w.labAction("lab.ablateHead")->isEnabled());
        QCOMPARE(w.stage()->heatmaps().size(), 1 + H);
        HeatmapView* tile = w.stage()->heatmaps().at(1 + 1);  // head 2
        QTest::mouseClick(tile, Qt::LeftButton, Qt::ControlModifier, tile->rect().center());
        QApplication::processEvents();

        const std::string context = "decoder.layers.0.cross_attn.context";
        QCOMPARE(int(doc->interventions().ablated.size()), 1);
        QCOMPARE(doc->interventions().specs().front(), std::string("ablate:decoder.0.cross_attn.1"));
        QVERIFY(doc->baseline());
        QCOMPARE(headMax(*doc->translation(), context, 1), 0.0f);
        QVERIFY(headMax(*doc->baseline(), context, 1) > 0.0f);
        QVERIFY(headMax(*doc->translation(), context, 0) > 0.0f);
        QCOMPARE(w.comparison()->beforeTokens(), plain);
        QCOMPARE(w.comparison()->afterTokens(), piecesOf(*doc->translation()));
        QVERIFY(!w.comparison()->afterTokens().isEmpty());
        QCOMPARE(w.comparison()->beforeProbabilities().size(), size_t(plain.size()));
        QVERIFY(w.comparison()->isVisibleTo(&w));
        // The student stays on the step they were looking at; the tile says the head is off.
        QCOMPARE(doc->currentStep()->stage, Stage::Weights);
        QVERIFY(w.stage()->heatmaps().at(2)->data().title.contains("off"));
        shoot(w, "ablate-head");

        // Undo: back to no intervention; redo: the head is off again.
        w.labAction("lab.undo")->trigger();
        QVERIFY(doc->interventions().empty());
        QVERIFY(!doc->baseline());
        QVERIFY(headMax(*doc->translation(), context, 1) > 0.0f);
        QVERIFY(w.comparison()->afterTokens().isEmpty());
        QVERIFY(w.labAction("lab.redo")->isEnabled());
        w.labAction("lab.redo")->trigger();
        QCOMPARE(int(doc->interventions().ablated.size()), 1);
        QCOMPARE(headMax(*doc->translation(), context, 1), 0.0f);

        // Difference mode: the encoder cannot see a decoder head, so its output's
        // difference is all zero; the context of the ablated head is minus the baseline's.
        w.labAction("lab.difference")->trigger();
        QVERIFY(w.stage()->difference());
        const int enc = findStep(doc->steps(), false, -1, Sublayer::None, Stage::EncoderOutput);
        QVERIFY(enc >= 0);
        doc->setCurrentIndex(enc);
        const HeatmapView::Data& d = w.stage()->primaryHeatmap()->data();
        QVERIFY2(d.title.contains("after − before"), qPrintable(d.title));
        QVERIFY(!d.values.empty());
        QVERIFY(std::all_of(d.values.begin(), d.values.end(), [](float v) { return v == 0.0f; }));
        QCOMPARE(d.scale, HeatmapView::Scale::Symmetric);
        const int ctx = findStep(doc->steps(), true, 0, Sublayer::CrossAttention, Stage::Context, 0);
        QVERIFY(ctx >= 0);
        doc->setCurrentIndex(ctx);
        const Tensor shown = w.stage()->shownTensor(context);
        const Tensor base = doc->baseline()->trace->get(context);
        const int64_t per = shown.dim(1) * shown.dim(2);
        for (int64_t i = 0; i < per; ++i) QCOMPARE(shown.data[size_t(per + i)], -base.data[size_t(per + i)]);
        shoot(w, "difference-context");
        w.labAction("lab.difference")->trigger();

        // Every head of decoder layer 2's cross-attention (layer 1 barely matters on this
        // model: the output keeps its tokens): the output loses a word.
        w.labAction("lab.clear")->trigger();
        const int at2 = findStep(doc->steps(), true, 1, Sublayer::CrossAttention, Stage::Weights, 0);
        QVERIFY(at2 >= 0);
        doc->setCurrentIndex(at2);
        w.labAction("lab.ablateLayer")->trigger();
        QCOMPARE(int(doc->interventions().ablated.size()), H);
        for (int h = 0; h < H; ++h) QCOMPARE(headMax(*doc->translation(), "decoder.layers.1.cross_attn.context", h), 0.0f);
        QVERIFY(!w.comparison()->changedPositions().empty());
        QVERIFY(w.comparison()->afterTokens() != w.comparison()->beforeTokens());
        shoot(w, "ablate-layer");
        w.labAction("lab.clear")->trigger();
        QVERIFY(doc->interventions().empty());
        w.labAction("lab.undo")->trigger();
        QCOMPARE(int(doc->interventions().ablated.size()), H);
        w.labAction("lab.clear")->trigger();
    }

    void positionsScalingAndCheating()
    {
        MainWindow w(false);
        open(w, "en-fr");
        if (QTest::currentTestFailed()) return;
        TranslationDocument* doc = w.document();
        QString error;
        QVERIFY2(doc->translateNow("the dog sees the cat", &error), qPrintable(error));
        const std::vector<int> greedy = doc->translation()->outputIds;

        w.labAction("lab.noPositions")->trigger();
        QVERIFY(doc->interventions().noPositions);
        QVERIFY(w.labAction("lab.noPositions")->isChecked());
        const Tensor pe = doc->translation()->trace->get("encoder.positions");
        QVERIFY(std::all_of(pe.data.begin(), pe.data.end(), [](float v) { return v == 0.0f; }));
        doc->setCurrentIndex(findStep(doc->steps(), false, -1, Sublayer::None, Stage::Positions));
        shoot(w, "no-positions");
        w.labAction("lab.noScale")->trigger();
        QVERIFY(doc->interventions().noScale && doc->interventions().noPositions);
        QCOMPARE(doc->translation()->interventions.specs(), doc->interventions().specs());
        w.labAction("lab.clear")->trigger();
        QVERIFY(doc->interventions().empty());

        // The cheating demo: teacher forcing on the model's own output, with and without the mask.
        w.labAction("lab.cheat")->trigger();
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        const Translation* after = doc->translation();
        const Translation* before = doc->baseline();
        QVERIFY(before && after);
        QCOMPARE(after->decoding, std::string("forced"));
        QCOMPARE(before->decoding, std::string("forced"));
        QVERIFY(after->interventions.noCausalMask);
        QVERIFY(!before->interventions.noCausalMask);
        QVERIFY(after->forcedIds == greedy);
        const std::vector<double> pb = w.comparison()->beforeProbabilities(), pa = w.comparison()->afterProbabilities();
        QCOMPARE(pb.size(), greedy.size());
        QCOMPARE(pa.size(), greedy.size());
        QString line;
        for (size_t i = 0; i < pa.size(); ++i) line += QString(" %1->%2").arg(pb[i], 0, 'f', 3).arg(pa[i], 0, 'f', 3);
        qInfo("p(next reference token), masked -> unmasked:%s", qPrintable(line));
        // The masked teacher-forced pass on the model's own greedy output puts the largest
        // probability on that output (free running and forcing agree where prefixes agree).
        for (size_t i = 0; i < greedy.size(); ++i) QCOMPARE(before->outputIds[i], greedy[i]);
        doc->setCurrentIndex(findStep(doc->steps(), true, 0, Sublayer::SelfAttention, Stage::Weights, 0));
        // Unmasked, position 1 attended to every target position: all of them are shown,
        // labelled with the target's pieces, and the row sums to 1.
        const HeatmapView::Data& row = w.stage()->primaryHeatmap()->data();
        QCOMPARE(row.cols, int(greedy.size()));
        QCOMPARE(row.colLabels.size(), int(greedy.size()));
        QCOMPARE(row.colLabels.at(1), QString::fromStdString(before->outputPieces.at(0)));
        double sum = 0;
        for (float v : row.values) sum += v;
        QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QString::number(sum)));
        shoot(w, "cheat");
        w.labAction("lab.freeRunning")->trigger();
        QCOMPARE(doc->translation()->decoding, std::string("greedy"));
    }

    // A model trained without the causal mask (en-fr-nomask), teacher-forced with no
    // intervention: its forward hid nothing, so the view hides nothing and the Mask step says
    // why, from the translation's record, not from the interventions alone.
    void modelWithoutMask()
    {
        MainWindow w(false);
        open(w, "en-fr-nomask");
        if (QTest::currentTestFailed()) return;
        TranslationDocument* doc = w.document();
        QVERIFY(!doc->model()->config().decoderCausalMask);
        w.sentenceBox()->setText("the cat sleeps");
        const std::vector<int> target = doc->model()->tokenizer()->encodeTarget("le chat dort").ids;
        QVERIFY(target.size() >= 3);
        DecodeOptions o;
        o.strategy = Forced{target};
        doc->translate("the cat sleeps", o);
        const Translation* t = doc->translation();
        QVERIFY(t && t->decoding == "forced" && t->interventions.empty());
        QVERIFY(!t->decoderCausal);
        doc->setCurrentIndex(findStep(doc->steps(), true, 0, Sublayer::SelfAttention, Stage::Weights, 0));
        const HeatmapView::Data& row = w.stage()->primaryHeatmap()->data();
        QCOMPARE(row.cols, int(t->decoderInputIds.size()));
        QVERIFY(std::none_of(row.masked.begin(), row.masked.end(), [](uint8_t m) { return m != 0; }));
        const Tensor wt = t->trace->get("decoder.layers.0.self_attn.weights");  // [H, T, T]
        QVERIFY(wt.at(0, 0, 1) > 0.0f);  // row 0 really saw key 1
        QCOMPARE(wt.dim(2), int64_t(target.size()));
        doc->setCurrentIndex(findStep(doc->steps(), true, 0, Sublayer::SelfAttention, Stage::Mask, 1));
        QVERIFY2(w.explanation()->toPlainText().contains("trained without the causal mask"),
                 qPrintable(w.explanation()->toPlainText()));
        QVERIFY2(w.explanation()->toPlainText().contains(QString("sees %1 tokens; no cell is masked").arg(target.size())),
                 qPrintable(w.explanation()->toPlainText()));
        QVERIFY(w.stage()->primaryHeatmap()->data().title.contains("unmasked"));
        shoot(w, "mask-step-model-without-mask");
    }
};

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestLab t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_lab.moc"
