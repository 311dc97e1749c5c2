// The why-lab's experiment tabs, offscreen, on the bundled En->Fr model: decoding choices
// (beam tree = the trace's beams, clicking a node selects its step; the temperature slider
// changes the bars and not the logits; sampling again), teacher forcing vs free running
// (equal rows where the prefixes are equal; the unmasked "cheat", measured, and shown on the
// bundled model trained without the mask), positions
// (PE similarity depends on the distance only; reordered sentences equal up to the
// permutation without positions) and scaling (entropy with and without 1/sqrt(dk)).
// Screenshots go to build/screenshots/lab/.
#include "core/run/lab.h"
#include "ui/beamtreeview.h"
#include "ui/explainview.h"
#include "ui/forcingview.h"
#include "ui/headatlasview.h"
#include "ui/heatmapview.h"
#include "ui/labview.h"
#include "ui/language.h"
#include "ui/mainwindow.h"
#include "ui/positionsview.h"
#include "ui/scalingview.h"
#include "ui/stageview.h"
#include "ui/strategypanel.h"
#include "ui/temperatureview.h"
#include "ui/texttable.h"

#include <qcustomplot.h>

#include <QAction>
#include <QCheckBox>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QProgressBar>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>
#include <QTableWidget>
#include <QSpinBox>
#include <QTest>

#include <cmath>

using namespace sf;
using namespace sf::ui;

namespace {

int findStep(const std::vector<Step>& steps, Stage stage, int t)
{
    for (size_t i = 0; i < steps.size(); ++i)
        if (steps[i].decoder && steps[i].stage == stage && steps[i].t == t) return int(i);
    return -1;
}

// The Weights step of decoder layer `layer` (0-based) cross-attention at output step t.
int findCrossWeights(const std::vector<Step>& steps, int layer, int t)
{
    for (size_t i = 0; i < steps.size(); ++i)
        if (steps[i].decoder && steps[i].layer == layer && steps[i].sublayer == Sublayer::CrossAttention &&
            steps[i].stage == Stage::Weights && steps[i].t == t)
            return int(i);
    return -1;
}

// The lab's plots whose axis label is longer than its axis (cut at both ends).
QStringList cutAxisLabels(const QWidget* lab)
{
    QStringList bad;
    for (const QCustomPlot* plot : lab->findChildren<QCustomPlot*>()) {
        if (!plot->isVisibleTo(lab) || !plot->axisRect()) continue;
        const QRect r = plot->axisRect()->rect();
        for (const QCPAxis* a : {plot->xAxis, plot->yAxis}) {
            const int need = QFontMetrics(a->labelFont()).horizontalAdvance(a->label());
            const int room = a == plot->yAxis ? r.height() : r.width();
            if (!a->label().isEmpty() && need > room)
                bad << QString("the axis label '%1' needs %2 px, its axis has %3").arg(a->label()).arg(need).arg(room);
        }
    }
    return bad;
}

}  // namespace

class TestLabs : public QObject {
    Q_OBJECT
private:
    QString mShots = QString(SF_BUILD_DIR) + "/screenshots/lab";

    void open(MainWindow& w, const QString& sentence)
    {
        w.setAnimationsEnabled(false);
        w.resize(1280, 720);
        w.show();
        w.lab()->setSynchronous(true);
        TranslationDocument* doc = w.document();
        doc->setSynchronous(true);
        QString error;
        QVERIFY2(doc->loadModelNow(QString(SF_SOURCE_DIR) + "/resources/models/en-fr", &error), qPrintable(error));
        w.sentenceBox()->setText(sentence);
        w.translateSentence();
        QVERIFY(doc->translation());
    }

    // `show`: the Lab menu action that opened the tab, triggered again at each size (as a
    // student opening the lab in a window of that size).
    void shoot(MainWindow& w, const QString& name, const char* show)
    {
        for (QSize size : {QSize(1280, 720), QSize(1920, 1080)}) {
            w.resize(size);
            QApplication::processEvents();
            w.labAction(show)->trigger();
            QApplication::processEvents();
            QVERIFY(w.grab().save(QString("%1/%2-%3x%4.png").arg(mShots, name).arg(size.width()).arg(size.height())));
            QVERIFY(w.lab()->grab().save(QString("%1/%2-dock-%3x%4.png").arg(mShots, name).arg(size.width()).arg(size.height())));
        }
        w.resize(1280, 720);
        QApplication::processEvents();
    }

    // The window with the bottom docks closed (the stage gets their room), then reopened.
    void shootStage(MainWindow& w, const QString& name)
    {
        QList<QDockWidget*> bottom;
        for (QDockWidget* d : w.findChildren<QDockWidget*>())
            if (w.dockWidgetArea(d) == Qt::BottomDockWidgetArea && d->isVisible()) bottom << d;
        QVERIFY(!bottom.isEmpty());
        for (QDockWidget* d : bottom) d->hide();
        for (QSize size : {QSize(1280, 720), QSize(1920, 1080)}) {
            w.resize(size);
            QApplication::processEvents();
            QVERIFY(w.grab().save(QString("%1/%2-%3x%4.png").arg(mShots, name).arg(size.width()).arg(size.height())));
        }
        w.resize(1280, 720);
        for (QDockWidget* d : bottom) d->show();
        QApplication::processEvents();
    }

private slots:
    void initTestCase() { QDir().mkpath(mShots); }

    void beamTree()
    {
        MainWindow w(false);
        open(w, "the little black cat sleeps");
        TranslationDocument* doc = w.document();
        w.labAction("lab.showDecoding")->trigger();
        QVERIFY(w.lab()->isVisibleTo(&w));
        // The lab must not make the window taller than a 720p screen by itself.
        QVERIFY2(w.lab()->minimumSizeHint().height() < 260, qPrintable(QString::number(w.lab()->minimumSizeHint().height())));
        StrategyPanel* panel = w.lab()->strategy();
        panel->setMode(StrategyPanel::BeamMode);
        panel->setBeamWidth(3);
        QTest::mouseClick(panel->applyButton(), Qt::LeftButton);
        const Translation* t = doc->translation();
        QCOMPARE(t->decoding, std::string("beam"));
        QVERIFY(!t->beams.empty());
        // The toolbar's beam box follows the Lab's control.
        const QList<QSpinBox*> boxes = w.findChildren<QSpinBox*>();
        const auto beamBox = std::find_if(boxes.begin(), boxes.end(), [](QSpinBox* b) { return b->toolTip().startsWith("Beam width"); });
        QVERIFY(beamBox != boxes.end());
        QCOMPARE((*beamBox)->value(), 3);

        // Every node of every step, in order, and the winner's prefix at each step of the output.
        const std::vector<BeamTreeView::Item>& items = w.lab()->beamTree()->items();
        size_t n = 0, winners = 0, pruned = 0;
        for (const auto& step : t->beams) n += step.size();
        QCOMPARE(items.size(), n);
        size_t k = 0;
        for (size_t s = 0; s < t->beams.size(); ++s)
            for (size_t i = 0; i < t->beams[s].size(); ++i, ++k) {
                QCOMPARE(items[k].step, int(s));
                QCOMPARE(items[k].index, int(i));
                const BeamNode& node = t->beams[s][i];
                const bool prefix = node.tokens.size() <= t->outputIds.size() &&
                                    std::equal(node.tokens.begin(), node.tokens.end(), t->outputIds.begin());
                QCOMPARE(items[k].winner, prefix);
                winners += items[k].winner;
                pruned += node.state == BeamNode::Pruned;
                if (s > 0 && node.parent >= 0) QVERIFY(node.parent < int(t->beams[s - 1].size()));
            }
        QCOMPARE(winners, t->outputIds.size());  // one node per output token
        QVERIFY(pruned > 0);
        // Clicking a node of step 3 selects decoding step 3.
        auto it = std::find_if(items.begin(), items.end(), [](const auto& x) { return x.step == 2 && !x.winner; });
        QVERIFY(it != items.end());
        QTest::mouseClick(w.lab()->beamTree(), Qt::LeftButton, {}, it->rect.center().toPoint());
        QVERIFY(doc->currentStep());
        QCOMPARE(doc->currentStep()->t, 2);
        QCOMPARE(doc->currentStep()->stage, Stage::ChooseToken);
        // The explanation names beam search, the strategy that ran.
        QVERIFY2(w.explanation()->toPlainText().contains("Beam search"), qPrintable(w.explanation()->toPlainText()));
        shoot(w, "beam-tree", "lab.showDecoding");

        // The length penalty reaches the search: every finished node is scored
        // log P / length^A with the A set here, and the toolbar's translate keeps it.
        for (double a : {0.0, 2.0}) {
            panel->setLengthPenalty(a);
            w.translateSentence();
            const Translation* tr = doc->translation();
            QCOMPARE(tr->decoding, std::string("beam"));
            int finished = 0;
            for (const auto& step : tr->beams)
                for (const BeamNode& node : step)
                    if (node.state == BeamNode::Finished) {
                        const double want = node.logProb / std::pow(double(node.tokens.size()), a);
                        QVERIFY2(std::fabs(node.score - want) <= 1e-9 * (1 + std::fabs(want)),
                                 qPrintable(QString("A %1: score %2, want %3").arg(a).arg(node.score).arg(want)));
                        ++finished;
                    }
            QVERIFY(finished > 0);
        }
        shoot(w, "beam-tree-length-penalty-2", "lab.showDecoding");

        // setStrategy shows what a translation ran with (session files, exports), and
        // strategy() gives it back.
        panel->setStrategy(Beam{5, 0.6});
        const Strategy beam = panel->strategy();
        const auto* b = std::get_if<Beam>(&beam);
        QVERIFY(b && b->width == 5 && b->lengthPenalty == 0.6);
        // The widest beam --beam takes (the panel stopped at 8 and showed 8 for --beam 12).
        panel->setStrategy(Beam{kMaxBeamWidth, 1.0});
        QCOMPARE(std::get<Beam>(panel->strategy()).width, kMaxBeamWidth);
        panel->setStrategy(Sampling{0.7, 5, 0.9, 11});
        const Strategy sampled = panel->strategy();
        const auto* sp = std::get_if<Sampling>(&sampled);
        QVERIFY(sp && sp->temperature == 0.7 && sp->topK == 5 && sp->topP == 0.9 && sp->seed == 11);
        // Every 64-bit seed, as the command line draws them (the panel held ints up to 2^30
        // and gave a clamped seed back: another sample than the one recorded).
        for (const uint64_t seed : {uint64_t(5000000000ULL), uint64_t(18446744073709551615ULL)}) {
            panel->setStrategy(Sampling{1.0, 0, 1.0, seed});
            const Strategy big = panel->strategy();
            QCOMPARE(std::get_if<Sampling>(&big)->seed, seed);
        }
        auto* seedField = panel->findChild<QLineEdit*>();
        QVERIFY(seedField);
        seedField->setText(QStringLiteral("123456789012"));
        QCOMPARE(std::get<Sampling>(panel->strategy()).seed, uint64_t(123456789012ULL));  // typed, not yet confirmed
        emit seedField->editingFinished();
        seedField->setText(QStringLiteral("99999999999999999999"));  // past 2^64 - 1: the last valid seed
        emit seedField->editingFinished();
        QCOMPARE(seedField->text(), QStringLiteral("123456789012"));
        QCOMPARE(std::get<Sampling>(panel->strategy()).seed, uint64_t(123456789012ULL));
        panel->setStrategy(Greedy{});
        QVERIFY(std::holds_alternative<Greedy>(panel->strategy()));
    }

    void temperatureAndSampling()
    {
        MainWindow w(false);
        open(w, "the little black cat sleeps");
        TranslationDocument* doc = w.document();
        w.labAction("lab.showDecoding")->trigger();
        doc->setCurrentIndex(findStep(doc->steps(), Stage::Probabilities, 1));
        TemperatureView* bars = w.lab()->temperature();
        StrategyPanel* panel = w.lab()->strategy();
        QCOMPARE(bars->row(), 1);
        const Tensor logits = doc->translation()->trace->get("decoder.logits");
        const Tensor probs = doc->translation()->trace->get("decoder.probs");
        const int V = int(logits.dim(1));
        auto sameLogits = [&] {
            QCOMPARE(int(bars->logits().size()), V);
            for (int j = 0; j < V; ++j) QCOMPARE(bars->logits()[size_t(j)], logits.at(1, j));
        };
        // T = 1: the bars are the recorded softmax.
        QCOMPARE(panel->temperature(), 1.0);
        sameLogits();
        constexpr double kP = 1e-5;  // float rounding of two softmaxes of the same row
        for (size_t i = 0; i < bars->tokens().size(); ++i)
            QVERIFY(std::abs(bars->reshapedProbabilities()[i] - probs.at(1, bars->tokens()[i])) < kP);
        const std::vector<double> atOne = bars->reshapedProbabilities();
        // T = 0.5 sharpens, T = 2.5 flattens; the logits, the tokens and the model's p stay.
        const std::vector<int> tokens = bars->tokens();
        const std::vector<double> model = bars->modelProbabilities();
        panel->temperatureSlider()->setValue(50);
        sameLogits();
        QCOMPARE(bars->tokens(), tokens);
        QCOMPARE(bars->modelProbabilities(), model);
        QVERIFY(bars->reshapedProbabilities()[0] > atOne[0]);
        // Against core's distribution computed here from the trace's row.
        std::vector<float> expect(static_cast<size_t>(V));
        Sampling s;
        s.temperature = 0.5;
        samplingDistribution(expect.data(), &logits.data[size_t(V)], V, s);
        for (size_t i = 0; i < tokens.size(); ++i)
            QVERIFY(std::abs(bars->reshapedProbabilities()[i] - expect[size_t(tokens[i])]) < 1e-6);
        panel->temperatureSlider()->setValue(250);
        sameLogits();
        QVERIFY(bars->reshapedProbabilities()[0] < atOne[0]);
        QVERIFY(doc->translation()->decoding == "greedy");  // nothing was re-translated
        shoot(w, "temperature", "lab.showDecoding");
        // At 1280x720 no axis label of the lab's plots is cut, in English and Chinese.
        for (const QString lang : {"en", "zh_CN"}) {
            QVERIFY(setLanguage(lang));
            QApplication::processEvents();
            bars->grab();  // replotted at its size
            const QStringList cut = cutAxisLabels(w.lab());
            QVERIFY2(cut.isEmpty(), qPrintable(lang + ": " + cut.join("; ")));
        }
        QVERIFY(setLanguage("en"));

        // Sampling at T = 2.5, then again with the next seed: recorded parameters, the explanation.
        panel->setMode(StrategyPanel::SampleMode);
        QTest::mouseClick(panel->applyButton(), Qt::LeftButton);
        const Translation* t = doc->translation();
        QCOMPARE(t->decoding, std::string("sample"));
        QCOMPARE(t->sampling.temperature, 2.5);
        const uint64_t seed = t->sampling.seed;
        QVERIFY(t->trace->has("decoder.sample_probs"));
        // The bars under sampling are the distribution the Session drew from (decoder.sample_probs).
        doc->setCurrentIndex(findStep(doc->steps(), Stage::Probabilities, 0));
        const Tensor drawn = t->trace->get("decoder.sample_probs");
        for (size_t i = 0; i < bars->tokens().size(); ++i)
            QVERIFY(std::abs(bars->reshapedProbabilities()[i] - drawn.at(0, bars->tokens()[i])) < 1e-6);
        QTest::mouseClick(panel->sampleAgainButton(), Qt::LeftButton);
        QCOMPARE(doc->translation()->sampling.seed, seed + 1);
        doc->setCurrentIndex(findStep(doc->steps(), Stage::ChooseToken, 0));
        QVERIFY2(w.explanation()->toPlainText().contains("Sampling draws"), qPrintable(w.explanation()->toPlainText()));
        QVERIFY(!w.explanation()->toPlainText().contains("Greedy decoding"));
    }

    void teacherForcing()
    {
        MainWindow w(false);
        open(w, "the little black cat sleeps");
        w.labAction("lab.showForcing")->trigger();
        ForcingView* f = w.lab()->forcing();
        // The default target: the grammar's reference.
        QCOMPARE(f->targetBox()->text(), QString("le petit chat noir dort"));
        // A target that leaves the model's own choice: "blanc" where the model says "noir".
        for (const QString& target : {QString("le petit chat noir dort"), QString("le petit chat blanc dort")}) {
            f->targetBox()->setText(target);
            f->run();
            QVERIFY2(f->lab(), qPrintable(f->lastError()));
            const ForcingLab& L = *f->lab();
            QCOMPARE(f->table()->rowCount(), int(L.target.size()));
            // Row t reads target[0 .. t-1]: the prefixes agree exactly up to the divergence.
            constexpr double kRow = 1e-3;  // max |logit| difference, one pass vs the KV cache
            for (size_t r = 0; r < L.rows.size(); ++r) {
                const bool expectSame = L.divergence < 0 || int(r) <= L.divergence;
                QCOMPARE(L.rows[r].samePrefix, expectSame);
                if (expectSame) QVERIFY2(L.rows[r].maxAbsDiff < kRow, qPrintable(QString::number(L.rows[r].maxAbsDiff)));
                QVERIFY(f->table()->item(int(r), 5)->text().contains(expectSame ? "identical" : "differ"));
            }
            if (target.contains("blanc")) {
                QVERIFY(L.divergence > 0);
                QVERIFY(f->verdict().contains("leaves the reference"));
            }
            // The cheat, measured: the text says what happened.
            QString line;
            for (size_t r = 0; r < L.target.size(); ++r)
                line += QString(" %1->%2").arg(L.pTarget[r], 0, 'f', 3).arg(L.pTargetCheat[r], 0, 'f', 3);
            qInfo("%s: p(next reference token), masked -> unmasked:%s; copies %d of %d", qPrintable(target),
                  qPrintable(line), L.cheatCopies, int(L.target.size()));
            QVERIFY(f->verdict().contains(L.cheatCopies == int(L.target.size()) ? "it cheats" : "does not copy"));
        }
        f->targetBox()->setText("le petit chat noir dort");
        f->run();
        shoot(w, "forcing", "lab.showForcing");
        // Step through the forced pass: it becomes the document's translation, masked.
        QTest::mouseClick(f->stepButton(), Qt::LeftButton);
        QCOMPARE(w.document()->translation()->decoding, std::string("forced"));
        QVERIFY(!w.document()->translation()->interventions.noCausalMask);
        QCOMPARE(w.document()->translation()->forcedIds, f->lab()->target);
        // The forced trace's logits are the ones the comparison used.
        const Tensor a = w.document()->translation()->trace->get("decoder.logits");
        const Tensor b = f->lab()->forced.trace->get("decoder.logits");
        QCOMPARE(a.data, b.data);
        w.labAction("lab.freeRunning")->trigger();
        QCOMPARE(w.document()->translation()->decoding, std::string("greedy"));
        // In Simplified Chinese: the verdict is rebuilt in the new language.
        QVERIFY(setLanguage("zh_CN"));
        QApplication::processEvents();
        QVERIFY2(f->verdict().contains("去掉因果掩码"), qPrintable(f->verdict()));
        shoot(w, "forcing-zh_CN", "lab.showForcing");
        QVERIFY(setLanguage("en"));
    }

    // Removing the mask, shown on the model that was trained without it: the bundled
    // en-fr-nomask copies the next reference token at every position, and free running breaks.
    void teacherForcingNoMask()
    {
        MainWindow w(false);
        open(w, "the little black cat sleeps");
        w.labAction("lab.showForcing")->trigger();
        ForcingView* f = w.lab()->forcing();
        QVERIFY2(f->noMaskButton()->isEnabled(), qPrintable(f->noMaskButton()->toolTip()));
        QVERIFY(!f->noMaskButton()->isChecked());
        f->run();
        QVERIFY(f->lab());
        QCOMPARE(f->table()->columnCount(), 7);
        QVERIFY2(f->verdict().contains("trained without the mask"), qPrintable(f->verdict()));
        // The button runs the same lab on the no-mask model (synchronous here), beside this one.
        QTest::mouseClick(f->noMaskButton(), Qt::LeftButton);
        QVERIFY(f->noMaskButton()->isChecked());
        QVERIFY2(f->noMaskLab(), qPrintable(f->noMaskError()));
        const ForcingLab& L = *f->lab();
        const ForcingLab& N = *f->noMaskLab();
        QCOMPARE(N.target, L.target);  // the same SentencePiece vocabulary
        QCOMPARE(f->table()->columnCount(), 9);
        QCOMPARE(f->table()->rowCount(), int(L.target.size()));
        // Every position: the largest probability on the next reference token, as the table shows it.
        QCOMPARE(N.cheatCopies, int(N.target.size()));
        for (int r = 0; r < int(N.target.size()); ++r) {
            const QString shown = f->table()->item(r, 7)->text();
            QCOMPARE(shown, QString("%1  %2").arg(N.pTargetCheat[size_t(r)], 0, 'f', 3).arg(f->table()->item(r, 2)->text()));
        }
        // The numbers come from real forward passes of that model: an independent Session on it.
        auto loaded = Model::load(ForcingView::noMaskModelPath().toStdString());
        QVERIFY2(loaded.ok(), loaded.message().c_str());
        QVERIFY(!(*loaded)->config().decoderCausalMask);
        Session s(*loaded);
        QVERIFY(s.setSourceText("the little black cat sleeps").ok());
        DecodeOptions forced;
        forced.strategy = Forced{N.target};
        auto t = s.translate(forced);
        QVERIFY2(t.ok(), t.message().c_str());
        // The column shows the lab's pass run with no-causal-mask, which this model has no mask
        // for: the same probabilities as a plain forced pass, up to float rounding.
        const Tensor independent = t->trace->get("decoder.probs");
        constexpr double kRounding = 1e-5;  // |p|, the same pass, sums possibly in another order
        for (const Translation* lab : {&N.forced, &N.cheat}) {
            const Tensor shownProbs = lab->trace->get("decoder.probs");
            QCOMPARE(shownProbs.data.size(), independent.data.size());
            double worst = 0;
            for (size_t i = 0; i < independent.data.size(); ++i)
                worst = std::max(worst, double(std::abs(shownProbs.data[i] - independent.data[i])));
            QVERIFY2(worst < kRounding, qPrintable(QString("max |p lab - p session| %1").arg(worst)));
        }
        auto greedy = s.translate(DecodeOptions{});
        QVERIFY2(greedy.ok(), greedy.message().c_str());
        QCOMPARE(greedy->outputIds, N.free.outputIds);
        // Free running has no later token to copy: it leaves the reference, and the text says where.
        QVERIFY(N.divergence >= 0);
        qInfo("no-mask model: copies %d of %d; free running: \"%s\" (leaves the reference at position %d)", N.cheatCopies,
              int(N.target.size()), N.free.outputText.c_str(), N.divergence + 1);
        const QString v = f->verdict();
        QVERIFY2(v.contains("en-fr-nomask") && v.contains("copies the answer it can see") &&
                     v.contains("leaves the reference") && v.contains("does not copy"),
                 qPrintable(v));
        // What it said, as said: here </s> at once (an empty translation).
        QVERIFY(N.free.outputText.empty() ? v.contains("&lt;/s&gt; at once")
                                          : v.contains(QString::fromStdString(N.free.outputText).toHtmlEscaped()));
        shoot(w, "forcing-nomask", "lab.showForcing");
        QVERIFY(setLanguage("zh_CN"));
        QApplication::processEvents();
        QVERIFY2(f->verdict().contains("en-fr-nomask") && f->verdict().contains("未使用掩码训练"), qPrintable(f->verdict()));
        shoot(w, "forcing-nomask-zh_CN", "lab.showForcing");
        QVERIFY(setLanguage("en"));
        // Off again: back to the current model's lab alone.
        QTest::mouseClick(f->noMaskButton(), Qt::LeftButton);
        QVERIFY(!f->noMaskLab());
        QCOMPARE(f->table()->columnCount(), 7);
        QVERIFY(!f->verdict().contains("en-fr-nomask"));
        // A model of another task: the button is off and says why.
        QString error;
        QVERIFY2(w.document()->loadModelNow(QString(SF_SOURCE_DIR) + "/resources/models/en-zh", &error), qPrintable(error));
        QVERIFY(!f->noMaskButton()->isEnabled());
        QVERIFY2(f->noMaskButton()->toolTip().contains("en-fr"), qPrintable(f->noMaskButton()->toolTip()));
    }

    void positions()
    {
        MainWindow w(false);
        open(w, "the dog sees the cat");
        w.labAction("lab.showPositions")->trigger();
        PositionsView* p = w.lab()->positions();
        const HeatmapView::Data& d = p->similarity()->data();
        const int P = PositionsView::kPositions;
        QCOMPARE(d.rows, P);
        // The distance only: every diagonal is constant.
        constexpr double kDot = 1e-3;  // float rounding of a d-term dot product
        for (int k = 0; k < 10; ++k)
            for (int i = 0; i + k < P; ++i) QVERIFY(std::abs(d.values[size_t(i * P + i + k)] - d.values[size_t(k)]) < kDot);
        // The table shown is the one the forward added: the recorded encoder.positions rows.
        const Tensor rec = w.document()->translation()->trace->get("encoder.positions");
        const Tensor table = positionTable(w.document()->model()->config(), P);
        for (int64_t i = 0; i < rec.dim(0); ++i)
            for (int64_t j = 0; j < rec.dim(1); ++j) QCOMPARE(rec.at(i, j), table.at(i, j));
        QCOMPARE(p->curveCount(), 4);
        p->runReorder();
        QVERIFY2(p->reorder(), qPrintable(p->lastError()));
        QVERIFY(p->reorder()->differenceWithoutPositions < 1e-4);
        QVERIFY(p->reorder()->differenceWithPositions > 0.1);
        QVERIFY(p->reorderText().contains("Without positions"));
        shoot(w, "positions", "lab.showPositions");
        // An error of a known kind in the window's language (core's English message otherwise),
        // in the frame the lab gives every error.
        QVERIFY(setLanguage("zh_CN"));
        p->firstBox()->setText("");
        p->runReorder();
        QCOMPARE(p->lastError(), rendered(Text("errors.empty_sentence")));
        QVERIFY2(!p->lastError().contains("sentence is empty"), qPrintable(p->lastError()));
        QVERIFY(p->reorderText().contains(p->lastError().toHtmlEscaped()));
        QVERIFY(setLanguage("en"));
    }

    void scaling()
    {
        MainWindow w(false);
        open(w, "the little black cat sleeps");
        w.labAction("lab.showScaling")->trigger();
        ScalingView* s = w.lab()->scaling();
        s->run();
        QVERIFY2(s->lab(), qPrintable(s->lastError()));
        s->attentionBox()->setCurrentIndex(0);  // encoder layer 1: the same inputs either way
        QVERIFY(!s->entropyBefore().empty());
        for (size_t r = 0; r < s->entropyBefore().size(); ++r) QVERIFY(s->entropyAfter()[r] <= s->entropyBefore()[r] + 1e-4);
        QVERIFY(s->collapsedAfter() >= s->collapsedBefore());
        qInfo("scaling, encoder layer 1 head 1: rows collapsed %d -> %d; %s", s->collapsedBefore(), s->collapsedAfter(),
              qPrintable(s->summary()));
        shoot(w, "scaling", "lab.showScaling");
    }

    void headAtlas()
    {
        MainWindow w(false);
        open(w, "the little black cat sleeps");
        w.labAction("lab.showAtlas")->trigger();
        HeadAtlasView* a = w.lab()->atlas();
        const Config& c = w.document()->model()->config();
        const int heads = c.decoderLayers * c.decoderHeads;
        a->batchSize()->setValue(200);
        a->ablationSize()->setValue(8);
        QElapsedTimer timer;
        timer.start();
        a->run();  // synchronous here
        const qint64 ms = timer.elapsed();
        QVERIFY(a->result());
        QVERIFY2(a->result()->error.isEmpty(), qPrintable(a->result()->error));
        QCOMPARE(a->table()->rowCount(), heads);
        QCOMPARE(int(a->ranking().size()), heads);
        const HeadAtlasView::Result& r = *a->result();
        QVERIFY(r.batch.words > 200);
        QVERIFY(r.sentenceInGrammar);
        // Ranked by the batch share, best first; the table shows core's numbers.
        for (int row = 0; row + 1 < heads; ++row)
            QVERIFY(r.batch.hits[size_t(a->ranking()[size_t(row)])] >= r.batch.hits[size_t(a->ranking()[size_t(row + 1)])]);
        const int best = a->ranking().front();
        QCOMPARE(a->table()->item(0, 3)->text(),
                 QString("%1 %").arg(100.0 * double(r.batch.hits[size_t(best)]) / double(r.batch.words), 0, 'f', 1));
        // The current sentence's column: core's agreement on its grammar pair, recomputed here.
        auto grammar = text::EnFrGrammar::load(std::string(SF_SOURCE_DIR) + "/resources/lexicon/en-fr.json");
        QVERIFY(grammar.ok());
        auto pair = grammar->translate("the little black cat sleeps");
        QVERIFY(pair.ok());
        auto one = alignmentAgreement(w.document()->sharedModel(), {*pair});
        QVERIFY(one.ok());
        QCOMPARE(r.sentence.hits, one->hits);
        // The ablation columns: core's ablationImpact on the same sentences, recomputed here.
        QCOMPARE(r.batchImpact.sentences, 8);
        auto split = grammar->split(0, 200, 20261202, text::Direction::EnFr);
        QVERIFY(split.ok());
        std::vector<std::string> sources;
        for (int i = 0; i < 8; ++i) sources.push_back(split->test[size_t(i)].source);
        auto impact = ablationImpact(w.document()->sharedModel(), sources);
        QVERIFY(impact.ok());
        QCOMPARE(r.batchImpact.changed, impact->changed);
        QCOMPARE(r.batchImpact.tokens, impact->tokens);
        auto here = ablationImpact(w.document()->sharedModel(), {"the little black cat sleeps"});
        QVERIFY(here.ok());
        QCOMPARE(r.sentenceImpact.tokens, here->tokens);
        // Ranked by what switching off costs: the drop column falls from the top row down.
        a->rankBy()->setCurrentIndex(HeadAtlasView::ByAblation);
        for (int row = 0; row + 1 < heads; ++row)
            QVERIFY(impact->meanDrop(a->ranking()[size_t(row)]) >= impact->meanDrop(a->ranking()[size_t(row + 1)]) - 1e-12);
        const int costly = a->ranking().front();
        QCOMPARE(a->table()->item(0, 6)->text(), QString::number(impact->meanDrop(costly), 'f', 3));
        QCOMPARE(a->table()->item(0, 5)->text(), QString("%1 %").arg(100.0 * impact->changedShare(costly), 0, 'f', 1));
        QVERIFY2(a->summary().contains("log p"), qPrintable(a->summary()));
        qInfo("head atlas: agreement over 200 sentences (%ld target words) %.0f ms, ablation over 8 sentences %.0f ms "
              "(%.1f ms a sentence), %lld ms in all; best agreement: decoder layer %d head %d, %.1f %%; costliest: "
              "decoder layer %d head %d, %.3f nats/token, %.0f %% of outputs changed",
              r.batch.words, r.agreementMs, r.ablationMs, r.ablationMs / 8, ms, best / c.decoderHeads + 1,
              best % c.decoderHeads + 1, 100.0 * double(r.batch.hits[size_t(best)]) / double(r.batch.words),
              costly / c.decoderHeads + 1, costly % c.decoderHeads + 1, impact->meanDrop(costly),
              100.0 * impact->changedShare(costly));
        // The picture: the ranking below, decoder layer 3's cross-attention with the gold outline above.
        w.document()->setSelectedHead(2);
        w.document()->setCurrentIndex(findCrossWeights(w.document()->steps(), 2, 5));
        a->goldBox()->click();
        shoot(w, "head-atlas", "lab.showAtlas");
        QVERIFY(setLanguage("zh_CN"));
        QApplication::processEvents();
        shoot(w, "head-atlas-zh_CN", "lab.showAtlas");
        QVERIFY(setLanguage("en"));

        // Off the GUI thread: the window keeps running and the progress bar reaches its end.
        w.lab()->setSynchronous(false);
        a->batchSize()->setValue(30);
        a->ablationSize()->setValue(2);
        a->run();
        QVERIFY(a->running());
        QVERIFY(a->cancelButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!a->running(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(a->runButton()->isEnabled(), 30000);
        QCOMPARE(a->progress()->value(), a->progress()->maximum());
        QVERIFY(a->result() && a->result()->error.isEmpty());
        QCOMPARE(a->result()->batchImpact.sentences, 2);
        // Cancel: the run stops early with nothing ranked, and says so.
        a->batchSize()->setValue(2000);
        a->run();
        a->cancelButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!a->running(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(a->result() && a->result()->error == "cancelled", 5000);
        QCOMPARE(a->table()->rowCount(), 0);
        QVERIFY(a->summary().contains("Cancelled"));
    }

    // The gold alignment outlined on a cross-attention map, toggled from the atlas's check box
    // (the Lab menu's action follows): the outlined cells are the grammar's alignment.
    void goldOutline()
    {
        MainWindow w(false);
        open(w, "the little black cat sleeps");
        TranslationDocument* doc = w.document();
        // Decoder layer 3 (the best-agreeing heads), head 3, at the last step: every row.
        const int at = findCrossWeights(doc->steps(), 2, 5);
        QVERIFY(at >= 0);
        doc->setSelectedHead(2);
        doc->setCurrentIndex(at);
        QApplication::processEvents();
        QVERIFY(w.stage()->primaryHeatmap());
        QCOMPARE(w.stage()->primaryHeatmap()->outlinedCount(), 0);
        w.labAction("lab.showAtlas")->trigger();
        w.lab()->atlas()->goldBox()->click();
        QVERIFY(w.labAction("lab.goldAlignment")->isChecked());
        QVERIFY(w.stage()->goldAlignment());
        HeatmapView* map = w.stage()->primaryHeatmap();
        const HeatmapView::Data& d = map->data();
        // Expected cells from the grammar: row r predicts output piece r; a cell is outlined
        // when that piece's French word is gold-aligned with the source piece's English word.
        auto grammar = text::EnFrGrammar::load(std::string(SF_SOURCE_DIR) + "/resources/lexicon/en-fr.json");
        QVERIFY(grammar.ok());
        auto pair = grammar->translate("the little black cat sleeps");
        QVERIFY(pair.ok());
        const text::Tokenizer& tok = *doc->model()->tokenizer();
        const text::Encoded src = tok.encodeSource(pair->source), tgt = tok.encodeTarget(pair->target);
        QCOMPARE(doc->translation()->outputIds, tgt.ids);  // the model says the reference
        const std::vector<int> sw = wordOfPieces(pair->source, src), tw = wordOfPieces(pair->target, tgt);
        QCOMPARE(d.rows, 6);  // step 6: rows 0..5, the last predicting </s> (no word: never outlined)
        QCOMPARE(d.cols, int(src.ids.size()));
        int expected = 0;
        for (int r = 0; r < d.rows; ++r)
            for (int j = 0; j < d.cols; ++j) {
                const bool gold = tw[size_t(r)] >= 0 && sw[size_t(j)] >= 0 &&
                                  std::count(pair->alignment.begin(), pair->alignment.end(),
                                             std::make_pair(tw[size_t(r)], sw[size_t(j)])) > 0;
                expected += gold;
                QVERIFY2(map->isOutlined(r, j) == gold,
                         qPrintable(QString("row %1 (%2) column %3 (%4)")
                                        .arg(r)
                                        .arg(QString::fromStdString(tgt.pieces[size_t(r)]))
                                        .arg(j)
                                        .arg(QString::fromStdString(src.pieces[size_t(j)]))));
            }
        QCOMPARE(map->outlinedCount(), expected);
        QVERIFY(expected >= 5);
        // The alignment of the example in corpus.h: le->the petit->little chat->cat noir->black dort->sleeps.
        QCOMPARE(pair->alignment, (std::vector<std::pair<int, int>>{{0, 0}, {1, 1}, {2, 3}, {3, 2}, {4, 4}}));
        // Every small head map carries the same outline.
        for (HeatmapView* h : w.stage()->heatmaps()) QCOMPARE(h->outlinedCount(), expected);
        QVERIFY(w.stage()->warning().isEmpty());
        shootStage(w, "gold-alignment");
        QVERIFY(setLanguage("zh_CN"));
        QApplication::processEvents();
        QCOMPARE(w.stage()->primaryHeatmap()->outlinedCount(), expected);
        shootStage(w, "gold-alignment-zh_CN");
        QVERIFY(setLanguage("en"));

        // A sentence outside the grammar: nothing outlined, and the warning says why.
        w.sentenceBox()->setText("the cat sleeps quickly");
        w.translateSentence();
        doc->setCurrentIndex(findCrossWeights(doc->steps(), 0, 1));
        QApplication::processEvents();
        QCOMPARE(w.stage()->primaryHeatmap()->outlinedCount(), 0);
        QVERIFY2(w.stage()->warning().contains("No gold alignment"), qPrintable(w.stage()->warning()));
        // Off from the Lab menu: the atlas's box follows.
        w.labAction("lab.goldAlignment")->trigger();
        QVERIFY(!w.stage()->goldAlignment());
        QVERIFY(!w.lab()->atlas()->goldBox()->isChecked());
    }
};

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestLabs t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_labs.moc"
