// The training studio's worker: owns one Trainer on its own thread and reports by value.
// The GUI never touches the Trainer; it sends commands (start, pause, step, stop, save)
// and receives TrainingPoints (every few steps) and EvalPoints (every evalEvery steps).
#pragma once

#include "core/train/studio.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sf::ui {

// One run's settings, as the studio's form gives them.
struct TrainingSetup {
    std::string task = "reverse";  // copy, reverse, sort
    train::Architecture arch;
    train::TrainOptions options;
    int vocab = 16;
    int trainSize = 20000;
    int evalEvery = 100;  // steps between held-out scores and attention snapshots
    int evalSize = 100;   // held-out examples scored free-running
    QString label;        // the curve's name in the plots ("with PE")
    QString runDir;       // checkpoints go here (every saveEvery steps, on stop, on pause-and-open, at the end)
    int saveEvery = 250;
    bool resume = false;  // continue the checkpoint in runDir (its architecture; these options)
};

// Loss, learning rate and gradient norms, averaged over the steps since the last point.
struct TrainingPoint {
    int step = 0, totalSteps = 0;
    double loss = 0.0, learningRate = 0.0, gradNorm = 0.0;
    double stepsPerSecond = 0.0, tokensPerSecond = 0.0;
    std::vector<train::NamedNorm> layerNorms;  // of the last step
};

// A held-out score and a snapshot of the fixed sentence's cross-attention (last layer,
// head-averaged: rows = output positions, columns = source positions).
struct EvalPoint {
    int step = 0;
    double heldOutLoss = 0.0, exactMatch = 0.0, bleu = 0.0;
    QStringList examples;  // "5 9 7 -> 7 9 5" for the three fixed sentences
    std::vector<float> attention;
    int rows = 0, cols = 0;
    QStringList rowLabels, colLabels;
};

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override;  // stops and joins; the last checkpoint is saved

    // Builds the trainer and starts the thread, paused when `paused`. False with *error
    // set when the setup is refused (bad architecture, ...).
    bool begin(const TrainingSetup& setup, bool paused, QString* error);
    void resume();
    void pause();
    void stepOnce();
    void stop();               // saves the checkpoint, ends the thread
    void saveAndReport();      // saves now (paused or running) and emits saved(dir)
    bool running() const { return mThread.joinable(); }
    bool paused() const { return mPaused; }
    const TrainingSetup& setup() const { return mSetup; }

signals:
    void progress(const sf::ui::TrainingPoint& point);
    void evaluated(const sf::ui::EvalPoint& point);
    void saved(const QString& dir);
    void finished(const QString& message);  // the run ended (done, stopped or failed)

private:
    void loop();
    EvalPoint evaluate();

    TrainingSetup mSetup;
    std::unique_ptr<train::Trainer> mTrainer;  // touched only by the worker thread once started
    std::vector<train::Example> mHeldOut, mFixed;
    std::thread mThread;
    std::mutex mMutex;
    std::condition_variable mWake;
    std::atomic<bool> mPaused{false}, mStop{false}, mSaveRequested{false};
    std::atomic<int> mStepsRequested{0};
};

}  // namespace sf::ui

Q_DECLARE_METATYPE(sf::ui::TrainingPoint)
Q_DECLARE_METATYPE(sf::ui::EvalPoint)
