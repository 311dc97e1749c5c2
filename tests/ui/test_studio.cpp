// The training studio in the window, offscreen: start a small run, pause it (the step
// count stops), train exactly one step, resume, let it finish, open the paused model in
// the step-through window; an experiment queues its two runs and overlays them.
// Screenshots go to build/screenshots/studio/.
#include "ui/mainwindow.h"
#include "ui/translationdocument.h"
#include "ui/trainingstudio.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QStandardPaths>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <vector>

using namespace sf;
using namespace sf::ui;

namespace {

TrainingSetup smallRun(int steps)
{
    TrainingSetup s;
    s.task = "reverse";
    s.arch.layers = 1, s.arch.heads = 2, s.arch.dModel = 32, s.arch.ffn = 64;
    s.options = train::preset("studio")->options;
    s.options.steps = steps;
    s.options.batchSize = 32;
    s.evalEvery = 50;
    s.evalSize = 20;
    return s;
}

}  // namespace

class TestStudio : public QObject {
    Q_OBJECT
private:
    QString mShots = QString(SF_BUILD_DIR) + "/screenshots/studio";

private slots:
    void initTestCase()
    {
        QDir().mkpath(mShots);
        QStandardPaths::setTestModeEnabled(true);  // runs go to a test location
    }

    void startPauseStepResumeFinish()
    {
        TrainingStudio studio;
        studio.resize(1280, 720);
        studio.show();
        studio.applySetup(smallRun(400));
        QSignalSpy progress(studio.worker(), &TrainingWorker::progress);
        QSignalSpy finished(&studio, &TrainingStudio::runFinished);
        studio.start();
        QVERIFY(studio.worker()->running());
        QTRY_VERIFY_WITH_TIMEOUT(studio.lastStep() >= 20, 30000);

        studio.togglePause();
        QVERIFY(studio.worker()->paused());
        QTest::qWait(400);  // the point of the step in flight arrives
        const int pausedAt = studio.lastStep();
        QTest::qWait(500);
        QCOMPARE(studio.lastStep(), pausedAt);  // paused: no step is taken

        studio.stepOnce();
        QTRY_COMPARE_WITH_TIMEOUT(studio.lastStep(), pausedAt + 1, 5000);  // exactly one step
        QTest::qWait(300);
        QCOMPARE(studio.lastStep(), pausedAt + 1);

        studio.togglePause();  // resume
        QVERIFY(!studio.worker()->paused());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 120000);
        QCOMPARE(studio.lastStep(), 400);
        QVERIFY(studio.lastExactMatch() >= 0.0);
        QVERIFY(studio.snapshotCount() >= 8);  // step 0 and every 50 steps
        QVERIFY(!studio.worker()->running());
        studio.grab().save(mShots + "/finished.png");
    }

    void pausedModelOpensInTheWindow()
    {
        MainWindow w(false);
        w.document()->setSynchronous(true);
        TrainingStudio* studio = w.openStudio();
        studio->applySetup(smallRun(100000));
        studio->start();
        QTRY_VERIFY_WITH_TIMEOUT(studio->lastStep() >= 30, 30000);
        QSignalSpy open(studio, &TrainingStudio::openModelRequested);
        studio->openInWindow();
        QTRY_VERIFY_WITH_TIMEOUT(open.count() == 1, 10000);
        const QString dir = open.first().first().toString();
        QVERIFY(QFile::exists(dir + "/config.json"));
        QVERIFY(studio->worker()->paused());
        QTRY_VERIFY_WITH_TIMEOUT(w.document()->model() != nullptr, 10000);
        QCOMPARE(QString::fromStdString(w.document()->model()->directory()), dir);
        // A tokenizer-less model reads the sentence as ids.
        w.sentenceBox()->setText("5 9 7");
        w.translateSentence();
        QTRY_VERIFY_WITH_TIMEOUT(w.document()->translation() != nullptr, 10000);
        QCOMPARE(w.document()->translation()->sourceIds, (std::vector<int>{5, 9, 7, 3}));
        // Closing the window stops the run (and saves it).
        w.close();
        QVERIFY(!studio->worker()->running());
    }

    void stoppedRunResumesWhereItStopped()
    {
        int stoppedAt = 0;
        {
            TrainingStudio studio;
            studio.applySetup(smallRun(300));
            studio.start();
            QTRY_VERIFY_WITH_TIMEOUT(studio.lastStep() >= 40, 30000);
            studio.stop();  // saves the checkpoint
            QTest::qWait(200);
            stoppedAt = studio.lastStep();
        }
        TrainingStudio again;  // as after a restart of the app
        again.applySetup(smallRun(300));
        QSignalSpy progress(again.worker(), &TrainingWorker::progress);
        QSignalSpy finished(&again, &TrainingStudio::runFinished);
        again.resumeLast();
        QVERIFY(again.worker()->running());
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() > 0, 10000);
        const int first = progress.first().first().value<TrainingPoint>().step;
        QVERIFY2(first > stoppedAt && first <= stoppedAt + 10, qPrintable(QString("first step %1 after %2").arg(first).arg(stoppedAt)));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 120000);
        QCOMPARE(again.lastStep(), 300);
    }

    // Not a check: SF_STUDIO_FULL=1 runs the positional-encoding experiment to the end for
    // the README's screenshot, and times the studio against the bare trainer on the same
    // configuration (the studio's throughput goal: >= 90% while plotting).
    void fullExperimentAndThroughput()
    {
        if (qEnvironmentVariableIntValue("SF_STUDIO_FULL") != 1) QSKIP("set SF_STUDIO_FULL=1 to run");
        const train::Preset p = *train::preset("studio");
        QElapsedTimer bare;
        bare.start();
        {
            auto t = train::Trainer::create(train::architectureConfig(p.arch, p.vocab), p.options);
            QVERIFY(t.ok());
            QVERIFY(t->setData(train::algorithmicExamples(p.task, size_t(p.trainSize), p.vocab, p.options.seed)).ok());
            for (int i = 0; i < p.options.steps; ++i) t->step();
        }
        const double bareSeconds = bare.elapsed() / 1000.0;
        TrainingStudio studio;
        studio.resize(1280, 720);
        studio.show();
        QSignalSpy finished(&studio, &TrainingStudio::runFinished);
        QSignalSpy progress(studio.worker(), &TrainingWorker::progress);
        // Responsiveness: the gaps between ticks of a 5 ms timer on the GUI thread while
        // training and plotting (a gap is the longest the window could not repaint).
        std::vector<double> gaps;
        QElapsedTimer tick;
        tick.start();
        QTimer frame;
        QObject::connect(&frame, &QTimer::timeout, [&] {
            gaps.push_back(tick.nsecsElapsed() / 1e6);
            tick.restart();
        });
        frame.start(5);
        QElapsedTimer timer;
        timer.start();
        QList<double> runSeconds;
        studio.runExperiment(0);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 600000);
        runSeconds << timer.elapsed() / 1000.0;
        // Training speed while plotting: steps over the time between points (evaluations excluded).
        double steps = 0, seconds = 0;
        int lastStep = 0;
        for (const QList<QVariant>& args : progress) {
            const TrainingPoint pt = args.first().value<TrainingPoint>();
            if (pt.stepsPerSecond > 0) steps += pt.step - lastStep, seconds += (pt.step - lastStep) / pt.stepsPerSecond;
            lastStep = pt.step;
        }
        const double studioRate = steps / seconds, bareRate = p.options.steps / bareSeconds;
        qInfo("training speed: bare trainer %.1f steps/s, studio while plotting %.1f steps/s (%.0f%%)", bareRate,
              studioRate, 100 * studioRate / bareRate);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, 600000);
        runSeconds << timer.elapsed() / 1000.0 - runSeconds[0];
        frame.stop();
        std::sort(gaps.begin(), gaps.end());
        if (!gaps.empty())
            qInfo("GUI thread during training: %zu timer ticks of 5 ms, median gap %.1f ms, 99th percentile %.1f ms, "
                  "longest %.1f ms",
                  gaps.size(), gaps[gaps.size() / 2], gaps[gaps.size() * 99 / 100], gaps.back());
        QTest::qWait(300);
        studio.grab().save(mShots + "/experiment-positions.png");
        qInfo("bare trainer: %d steps in %.1f s; studio run 1 (with PE, evaluating every 100 steps): %.1f s "
              "(%.0f%% of the bare trainer's speed); run 2: %.1f s",
              p.options.steps, bareSeconds, runSeconds[0], 100 * bareSeconds / runSeconds[0], runSeconds[1]);
    }

    void experimentOverlaysTwoRuns()
    {
        TrainingStudio studio;
        studio.resize(1280, 720);
        studio.show();
        studio.applySetup(smallRun(300));
        QSignalSpy finished(&studio, &TrainingStudio::runFinished);
        studio.runExperiment(0);  // positional encoding: with vs without
        QCOMPARE(studio.runCount(), 1);
        studio.worker()->stop();  // the first run ends early; the second starts
        QTRY_VERIFY_WITH_TIMEOUT(studio.runCount() == 2, 10000);
        QVERIFY(!studio.worker()->setup().arch.positions);
        QCOMPARE(studio.worker()->setup().label, QString("without positions"));
        studio.stop();
        QVERIFY(!studio.worker()->running());
        QCOMPARE(studio.runCount(), 2);
    }
};

QTEST_MAIN(TestStudio)
#include "test_studio.moc"
