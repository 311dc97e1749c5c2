// The live training studio (issue 14): pick a task and an architecture, train in front of
// the class, watch the curves and the attention of one fixed sentence, and run the
// "why" experiments that train two configurations one after the other and overlay them.
// Training runs on a TrainingWorker thread; this window only plots what it reports.
#pragma once

#include "ui/trainingworker.h"

#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;

namespace sf::ui {

class HeatmapView;

class TrainingStudio : public QWidget {
    Q_OBJECT
public:
    explicit TrainingStudio(QWidget* parent = nullptr);
    ~TrainingStudio() override;

    // The form's settings as a run setup (also what tests drive).
    TrainingSetup currentSetup() const;
    void applySetup(const TrainingSetup& s);  // fills the form
    TrainingWorker* worker() { return mWorker; }
    // Names of the experiments, in the combo's order.
    static QStringList experimentNames();
    int runCount() const { return int(mRuns.size()); }
    // Last reported figures of the current run (tests).
    double lastExactMatch() const;
    double lastTokenAccuracy() const { return mLastTokenAccuracy; }
    int lastStep() const;
    int snapshotCount() const { return int(mSnapshots.size()); }
    const RunInfo& runInfo() const { return mInfo; }  // of the current run, once its data are ready
    QTabWidget* panels() const { return mPanels; }

public slots:
    void start();
    void togglePause();
    void stepOnce();
    void stop();
    void resumeLast();    // continues the last run's checkpoint (after a stop, a close or a kill)
    void openInWindow();  // saves the current (paused) model and asks the app to open it
    void saveModelTo(const QString& dir);  // the run's model directory, copied (a running run pauses first)
    void runExperiment(int index);

signals:
    void openModelRequested(const QString& dir);
    void runFinished(const QString& message);
    void modelSaved(const QString& dir, bool ok);

protected:
    void closeEvent(QCloseEvent*) override;

private:
    struct Run {
        QString label;
        int graphLoss = -1, graphHeldOut = -1, graphExact = -1, graphTokens = -1, graphBleu = -1, graphLr = -1;
    };
    void buildForm(QWidget* form);
    void plotSchedule();
    void beginRun(TrainingSetup s);
    void onReady(const RunInfo& info);
    void onProgress(const TrainingPoint& p);
    void onEvaluated(const EvalPoint& e);
    void onFinished(const QString& message);
    void showSnapshot(int index);
    void updateButtons();
    QString runDirFor(int run) const;

    TrainingWorker* mWorker;
    std::vector<Run> mRuns;
    std::vector<EvalPoint> mSnapshots;  // of the current run
    std::vector<TrainingSetup> mQueue;  // the experiment's runs still to come
    QString mExperimentNote;
    double mLastExact = -1.0, mLastTokenAccuracy = -1.0;
    bool mTextDefaults = false;  // the form holds the text tasks' schedule
    int mLastStep = 0;

    QComboBox *mTask, *mExperiment;
    QSpinBox *mTrainSize, *mVocab, *mLayers, *mHeads, *mDModel, *mFfn, *mWarmup, *mBatch, *mSteps, *mSeed, *mEvalEvery;
    QDoubleSpinBox *mLrScale, *mSmoothing, *mDropout;
    QCheckBox *mPositions, *mMask, *mScale, *mPreNorm;
    QPushButton *mStart, *mPause, *mStep, *mStop, *mResume, *mOpen, *mSaveAs, *mRunExperiment;
    QCustomPlot *mSchedule, *mLoss, *mExact, *mLr, *mNorms;
    QLabel *mStatus, *mNote;
    QPlainTextEdit* mExamples;
    HeatmapView *mAttention, *mSimilarity;
    QTabWidget* mPanels;
    RunInfo mInfo;
    QSlider* mScrub;
};

}  // namespace sf::ui
