#include "ui/trainingworker.h"

#include "core/model/parallel.h"
#include "core/run/lab.h"

#include <QDir>
#include <QMetaObject>

#include <chrono>

namespace sf::ui {

namespace {

QString idsText(const std::vector<int>& ids, int eos)
{
    QStringList parts;
    for (int id : ids)
        if (id != eos) parts << QString::number(id);
    return parts.join(' ');
}


}  // namespace

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<sf::ui::TrainingPoint>();
    qRegisterMetaType<sf::ui::EvalPoint>();
    qRegisterMetaType<sf::ui::RunInfo>();
}

TrainingWorker::~TrainingWorker() { stop(); }

bool TrainingWorker::begin(const TrainingSetup& setup, bool paused, QString* error)
{
    stop();
    mSetup = setup;
    if (!train::isAlgorithmicTask(setup.task) && !train::isTextTask(setup.task)) {
        *error = tr("unknown task %1").arg(QString::fromStdString(setup.task));
        return false;
    }
    if (setup.arch.dModel % setup.arch.heads != 0) {
        *error = tr("the number of heads (%1) must divide d_model (%2)").arg(setup.arch.heads).arg(setup.arch.dModel);
        return false;
    }
    mTrainer.reset();
    mStop = false, mPaused = paused, mStepsRequested = 0, mSaveRequested = false;
    mThread = std::thread([this] {
        // The trainer yields to the window: on two cores the GUI thread shares a core with
        // the trainer's threads, and at the same priority a replot can wait a whole time
        // slice for them. At nice 10 the waking GUI thread runs first; the trainer still
        // gets every cycle the GUI does not use.
        setTrainingNice(10);
        QString why;
        if (!prepare(&why)) {
            QMetaObject::invokeMethod(this, [this, why] { emit failed(why); }, Qt::QueuedConnection);
            return;
        }
        loop();
    });
    return true;
}

// The data and the trainer, on the worker thread: a text task trains its SentencePiece
// model on 100 000 sentences or more, which takes seconds.
bool TrainingWorker::prepare(QString* error)
{
    const TrainingSetup& setup = mSetup;
    // A new run starts in an empty directory: a text run's spm.model or examples.json left
    // there would be read as this run's tokenizer.
    if (!setup.resume && !setup.runDir.isEmpty()) QDir(setup.runDir).removeRecursively();
    train::TrainOptions o = setup.options;
    o.logEvery = 0, o.saveEvery = 0, o.outDir.clear();  // the worker reports and saves itself
    Config c = train::architectureConfig(setup.arch, setup.vocab);
    std::vector<train::Example> examples;
    mTokenizer.reset();
    if (train::isTextTask(setup.task)) {
        QMetaObject::invokeMethod(
            this,
            [this, task = QString::fromStdString(setup.task), n = setup.trainSize] {
                emit preparing(tr("Preparing %1: %2 sentence pairs and their SentencePiece vocabulary…").arg(task).arg(n));
            },
            Qt::QueuedConnection);
        train::TextTaskRequest r;
        r.task = setup.task, r.lexiconPath = setup.lexiconPath, r.outDir = setup.runDir.toStdString();
        r.trainSize = setup.trainSize, r.heldOutSize = std::max(3, setup.evalSize), r.vocab = setup.vocab;
        r.anchorCopies = setup.anchorCopies, r.seed = o.seed, r.resume = setup.resume;
        auto data = train::prepareTextTask(r, c);
        if (!data) {
            *error = QString::fromStdString(data.message());
            return false;
        }
        examples = std::move(data->train);
        mHeldOut = std::move(data->heldOut);
        mFixed.assign(mHeldOut.begin(), mHeldOut.begin() + 3);
        mFixedInHeldOut = true;
        mTokenizer = data->tokenizer;
    } else {
        examples = train::algorithmicExamples(setup.task, size_t(setup.trainSize), setup.vocab, o.seed);
        mHeldOut = train::heldOutExamples(setup.task, size_t(setup.evalSize), setup.vocab, o.seed);
        mFixed = train::heldOutExamples(setup.task, 3, setup.vocab, o.seed + 1000);
        mFixedInHeldOut = false;
    }
    auto t = setup.resume ? train::Trainer::resume(setup.runDir.toStdString(), o) : train::Trainer::create(c, o);
    if (!t) {
        *error = QString::fromStdString(t.message());
        return false;
    }
    const int pairs = int(examples.size());
    if (Status st = t->setData(std::move(examples)); !st) {
        *error = QString::fromStdString(st.message());
        return false;
    }
    mTrainer = std::make_unique<train::Trainer>(std::move(*t));

    RunInfo info;
    const Config& mc = mTrainer->config();
    info.description = QString::fromStdString(mc.describe());
    info.trainPairs = pairs, info.vocab = mc.vocabSize;
    info.positions = 16;
    info.hasPositions = mc.positions != PositionLayout::None;
    info.similarity = positionSimilarity(positionTable(mc, info.positions)).data;
    QMetaObject::invokeMethod(this, [this, info] { emit ready(info); }, Qt::QueuedConnection);
    return true;
}

void TrainingWorker::resume()
{
    mPaused = false;
    mWake.notify_all();
}

void TrainingWorker::pause() { mPaused = true; }

void TrainingWorker::stepOnce()
{
    mPaused = true;
    ++mStepsRequested;
    mWake.notify_all();
}

void TrainingWorker::saveAndReport()
{
    mSaveRequested = true;
    mWake.notify_all();
}

void TrainingWorker::stop()
{
    if (!mThread.joinable()) return;
    mStop = true;
    mWake.notify_all();
    mThread.join();
}

// "5 9 7" (ids) or the text (a text task), without </s>.
QString TrainingWorker::exampleText(const std::vector<int>& ids, bool target) const
{
    const int eos = mTrainer->config().eosId;
    if (mTokenizer) {
        std::vector<int> body;
        for (int id : ids)
            if (id != eos) body.push_back(id);
        (void)target;  // the text tasks share one SentencePiece model between the two sides
        return QString::fromStdString(mTokenizer->decodeTarget(body));
    }
    return idsText(ids, eos);
}

EvalPoint TrainingWorker::evaluate()
{
    EvalPoint e;
    e.step = mTrainer->stepCount();
    const train::LossStats held = mTrainer->evaluate(mHeldOut);
    e.heldOutLoss = held.loss;
    e.tokenAccuracy = held.targetTokens > 0 ? double(held.correctTokens) / held.targetTokens : 0.0;
    auto model = Model::fromTensors(mTrainer->config(), mTrainer->tensors(), mTokenizer);
    if (!model) return e;
    std::vector<std::vector<int>> fixedOutputs;  // what the model says for mFixed
    if (auto score = train::scoreFreeRunning(*model, mHeldOut)) {
        e.exactMatch = score->exactMatch, e.bleu = score->bleu;
        if (mFixedInHeldOut)  // the text tasks' fixed examples are the held-out set's first three
            fixedOutputs.assign(score->outputs.begin(), score->outputs.begin() + long(mFixed.size()));
    }
    if (!mFixedInHeldOut)
        if (auto fixed = train::scoreFreeRunning(*model, mFixed)) fixedOutputs = std::move(fixed->outputs);
    const int eos = (*model)->config().eosId;
    for (size_t i = 0; i < fixedOutputs.size(); ++i)
        e.examples << QString("%1  →  %2%3")
                          .arg(exampleText(mFixed[i].src, false), exampleText(fixedOutputs[i], true),
                               fixedOutputs[i] == mFixed[i].tgt
                                   ? QString("  ✓")
                                   : tr("   (expected %1)").arg(exampleText(mFixed[i].tgt, true)));
    if (auto snap = train::crossAttentionSnapshot(*model, mFixed.front())) {
        e.rows = snap->rows, e.cols = snap->cols, e.attention = snap->weights;
        auto label = [&](int id, bool target) {
            if (id == eos) return QString("</s>");
            if (!mTokenizer) return QString::number(id);
            return QString::fromStdString(target ? mTokenizer->targetPiece(id) : mTokenizer->sourcePiece(id));
        };
        for (int id : mFixed.front().src) e.colLabels << label(id, false);
        e.rowLabels << QString("<s>");
        for (size_t i = 0; i + 1 < mFixed.front().tgt.size(); ++i) e.rowLabels << label(mFixed.front().tgt[i], true);
    }
    return e;
}

void TrainingWorker::loop()
{
    using clock = std::chrono::steady_clock;
    TrainingPoint acc;
    int accSteps = 0;
    long accTokens = 0, accCorrect = 0;
    auto since = clock::now();
    auto emitPoint = [&] {
        if (accSteps == 0) return;
        const double s = std::chrono::duration<double>(clock::now() - since).count();
        acc.loss /= accSteps, acc.gradNorm /= accSteps;
        acc.tokenAccuracy = accTokens > 0 ? double(accCorrect) / double(accTokens) : 0.0;
        acc.stepsPerSecond = s > 0 ? accSteps / s : 0.0;
        acc.tokensPerSecond = s > 0 ? double(accTokens) / s : 0.0;
        acc.totalSteps = mTrainer->options().steps;
        acc.layerNorms = train::layerGradientNorms(mTrainer->layout(), mTrainer->gradients().data());
        QMetaObject::invokeMethod(this, [this, p = acc] { emit progress(p); }, Qt::QueuedConnection);
        acc = TrainingPoint{}, accSteps = 0, accTokens = 0, accCorrect = 0, since = clock::now();
    };
    auto save = [&] {
        if (mSetup.runDir.isEmpty()) return;
        Status st = mTrainer->save(mSetup.runDir.toStdString());
        const QString dir = mSetup.runDir;
        if (st) QMetaObject::invokeMethod(this, [this, dir] { emit saved(dir); }, Qt::QueuedConnection);
    };
    if (mTrainer->stepCount() == 0) {
        EvalPoint e = evaluate();  // step 0: the untrained model, for the curves' start
        QMetaObject::invokeMethod(this, [this, e] { emit evaluated(e); }, Qt::QueuedConnection);
    }
    QString message;
    while (!mStop && mTrainer->stepCount() < mTrainer->options().steps) {
        if (mSaveRequested.exchange(false)) {
            emitPoint();
            save();
        }
        if (mPaused && mStepsRequested == 0) {
            emitPoint();
            std::unique_lock<std::mutex> lock(mMutex);
            mWake.wait_for(lock, std::chrono::milliseconds(200),
                           [this] { return mStop || !mPaused || mStepsRequested > 0 || mSaveRequested; });
            continue;
        }
        if (mStepsRequested > 0) --mStepsRequested;
        const train::StepStats st = mTrainer->step();
        acc.step = st.step, acc.learningRate = st.learningRate;
        acc.loss += st.loss, acc.gradNorm += st.gradNorm;
        ++accSteps, accTokens += st.targetTokens, accCorrect += st.correctTokens;
        // A point every 10 steps or 100 ms, whichever comes first: cheap enough to keep
        // the trainer at full speed, often enough for live curves.
        if (accSteps >= 10 || clock::now() - since > std::chrono::milliseconds(100) || mPaused) emitPoint();
        if (mSetup.saveEvery > 0 && st.step % mSetup.saveEvery == 0) save();  // what a kill would lose
        if (mSetup.evalEvery > 0 && st.step % mSetup.evalEvery == 0) {
            emitPoint();
            EvalPoint e = evaluate();
            QMetaObject::invokeMethod(this, [this, e] { emit evaluated(e); }, Qt::QueuedConnection);
            since = clock::now();  // steps per second measure training, not evaluation
        }
    }
    emitPoint();
    message = mStop ? tr("stopped at step %1").arg(mTrainer->stepCount())
                    : tr("finished at step %1").arg(mTrainer->stepCount());
    if (!mStop && (mSetup.evalEvery <= 0 || mTrainer->stepCount() % mSetup.evalEvery != 0)) {
        EvalPoint e = evaluate();
        QMetaObject::invokeMethod(this, [this, e] { emit evaluated(e); }, Qt::QueuedConnection);
    }
    save();
    QMetaObject::invokeMethod(this, [this, message] { emit finished(message); }, Qt::QueuedConnection);
}

}  // namespace sf::ui
