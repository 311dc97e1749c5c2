// The training studio's worker: owns one Trainer on its own thread and reports by value.
// The GUI never touches the Trainer; it sends commands (start, pause, step, stop, save)
// and receives TrainingPoints (every few steps) and EvalPoints (every evalEvery steps).
#pragma once

#include "core/train/studio.h"
#include "core/train/text_data.h"

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
    std::string task = "reverse";  // copy, reverse, sort, or a text task (en-fr, fr-en, en-zh, zh-en, chat)
    train::Architecture arch;
    train::TrainOptions options;
    int vocab = 16;                // id range (algorithmic tasks) or SentencePiece vocabulary, at most (text tasks)
    int trainSize = 20000;
    std::string lexiconPath;       // text tasks: the task's lexicon (train::textTaskLexicon, resolved)
    int anchorCopies = 20;         // text tasks: copies of the example sentences in training
    int evalEvery = 100;  // steps between held-out scores and attention snapshots
    int evalSize = 100;   // held-out examples scored free-running
    QString label;        // the curve's name in the plots ("with PE")
    QString runDir;       // the studio's own; a new run empties it. Checkpoints go here (every saveEvery steps, on stop, on pause-and-open, at the end)
    int saveEvery = 250;
    bool resume = false;  // continue the checkpoint in runDir (its architecture; these options)
};

// Loss, learning rate and gradient norms, averaged over the steps since the last point.
struct TrainingPoint {
    int step = 0, totalSteps = 0;
    double loss = 0.0, learningRate = 0.0, gradNorm = 0.0;
    double tokenAccuracy = 0.0;  // training batches' targets the argmax got right (with dropout)
    double stepsPerSecond = 0.0, tokensPerSecond = 0.0;
    std::vector<train::NamedNorm> layerNorms;  // of the last step
};

// A held-out score and a snapshot of the fixed sentence's cross-attention (last layer,
// head-averaged: rows = output positions, columns = source positions).
struct EvalPoint {
    int step = 0;
    double heldOutLoss = 0.0, exactMatch = 0.0, bleu = 0.0;
    double tokenAccuracy = 0.0;  // held-out, teacher-forced: targets the argmax gets right
    QStringList examples;  // "5 9 7 -> 7 9 5" for the three fixed sentences
    std::vector<float> attention;
    int rows = 0, cols = 0;
    QStringList rowLabels, colLabels;
};

// What a run trains, once its data are ready: the model, the data's size, and the
// positional encodings' similarity PE(i) . PE(j) (sec 3.5; fixed sinusoids, not trained;
// all zero without positions).
struct RunInfo {
    QString description;  // Config::describe()
    int trainPairs = 0, vocab = 0;
    int positions = 0;    // n of the n x n similarity
    bool hasPositions = true;
    std::vector<float> similarity;  // [n, n]
};

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override;  // stops and joins; the last checkpoint is saved

    // Starts the thread, paused when `paused`; the thread prepares the data (a text task
    // trains its SentencePiece model first, reported by preparing()) and builds the trainer.
    // False with *error set when the setup is refused at once (unknown task, heads that do
    // not divide d_model); a failure while preparing is reported by failed().
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
    void preparing(const QString& message);
    void ready(const sf::ui::RunInfo& info);  // the data and the trainer are made; steps follow  // what the thread is doing before the first step
    void failed(const QString& message);     // the data or the trainer could not be made; the thread ended
    void finished(const QString& message);   // the run ended (done or stopped)

private:
    bool prepare(QString* error);  // on the worker thread
    void loop();
    EvalPoint evaluate();
    QString exampleText(const std::vector<int>& ids, bool target) const;

    TrainingSetup mSetup;
    std::unique_ptr<train::Trainer> mTrainer;  // touched only by the worker thread once started
    std::vector<train::Example> mHeldOut, mFixed;
    bool mFixedInHeldOut = false;  // mFixed is mHeldOut's first three: scored with it, once
    std::shared_ptr<const text::Tokenizer> mTokenizer;  // text tasks
    std::thread mThread;
    std::mutex mMutex;
    std::condition_variable mWake;
    std::atomic<bool> mPaused{false}, mStop{false}, mSaveRequested{false};
    std::atomic<int> mStepsRequested{0};
};

}  // namespace sf::ui

Q_DECLARE_METATYPE(sf::ui::TrainingPoint)
Q_DECLARE_METATYPE(sf::ui::EvalPoint)
Q_DECLARE_METATYPE(sf::ui::RunInfo)
