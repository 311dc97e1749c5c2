#include "ui/trainingworker.h"

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
}

TrainingWorker::~TrainingWorker() { stop(); }

bool TrainingWorker::begin(const TrainingSetup& setup, bool paused, QString* error)
{
    stop();
    mSetup = setup;
    if (!train::isAlgorithmicTask(setup.task)) {
        *error = tr("the studio trains copy, reverse and sort; %1 is trained with `stepformer train`")
                     .arg(QString::fromStdString(setup.task));
        return false;
    }
    if (setup.arch.dModel % setup.arch.heads != 0) {
        *error = tr("the number of heads (%1) must divide d_model (%2)").arg(setup.arch.heads).arg(setup.arch.dModel);
        return false;
    }
    train::TrainOptions o = setup.options;
    o.logEvery = 0, o.saveEvery = 0, o.outDir.clear();  // the worker reports and saves itself
    const Config c = train::architectureConfig(setup.arch, setup.vocab);
    auto t = setup.resume ? train::Trainer::resume(setup.runDir.toStdString(), o) : train::Trainer::create(c, o);
    if (!t) {
        *error = QString::fromStdString(t.message());
        return false;
    }
    Status st = t->setData(train::algorithmicExamples(setup.task, size_t(setup.trainSize), setup.vocab, o.seed));
    if (!st) {
        *error = QString::fromStdString(st.message());
        return false;
    }
    mTrainer = std::make_unique<train::Trainer>(std::move(*t));
    mHeldOut = train::heldOutExamples(setup.task, size_t(setup.evalSize), setup.vocab, o.seed);
    mFixed = train::heldOutExamples(setup.task, 3, setup.vocab, o.seed + 1000);
    mStop = false, mPaused = paused, mStepsRequested = 0, mSaveRequested = false;
    mThread = std::thread([this] { loop(); });
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

EvalPoint TrainingWorker::evaluate()
{
    EvalPoint e;
    e.step = mTrainer->stepCount();
    e.heldOutLoss = mTrainer->evaluate(mHeldOut).loss;
    auto model = mTrainer->model();
    if (!model) return e;
    if (auto score = train::scoreFreeRunning(*model, mHeldOut)) e.exactMatch = score->exactMatch, e.bleu = score->bleu;
    const int eos = (*model)->config().eosId;
    if (auto fixed = train::scoreFreeRunning(*model, mFixed))
        for (size_t i = 0; i < mFixed.size(); ++i)
            e.examples << QString("%1  →  %2%3")
                              .arg(idsText(mFixed[i].src, eos), idsText(fixed->outputs[i], eos),
                                   fixed->outputs[i] == mFixed[i].tgt
                                       ? QString("  ✓")
                                       : tr("   (expected %1)").arg(idsText(mFixed[i].tgt, eos)));
    if (auto snap = train::crossAttentionSnapshot(*model, mFixed.front())) {
        e.rows = snap->rows, e.cols = snap->cols, e.attention = snap->weights;
        for (int id : mFixed.front().src) e.colLabels << (id == eos ? QString("</s>") : QString::number(id));
        e.rowLabels << QString("<s>");
        for (size_t i = 0; i + 1 < mFixed.front().tgt.size(); ++i) e.rowLabels << QString::number(mFixed.front().tgt[i]);
    }
    return e;
}

void TrainingWorker::loop()
{
    using clock = std::chrono::steady_clock;
    TrainingPoint acc;
    int accSteps = 0;
    long accTokens = 0;
    auto since = clock::now();
    auto emitPoint = [&] {
        if (accSteps == 0) return;
        const double s = std::chrono::duration<double>(clock::now() - since).count();
        acc.loss /= accSteps, acc.gradNorm /= accSteps;
        acc.stepsPerSecond = s > 0 ? accSteps / s : 0.0;
        acc.tokensPerSecond = s > 0 ? double(accTokens) / s : 0.0;
        acc.totalSteps = mTrainer->options().steps;
        acc.layerNorms = train::layerGradientNorms(mTrainer->layout(), mTrainer->gradients().data());
        QMetaObject::invokeMethod(this, [this, p = acc] { emit progress(p); }, Qt::QueuedConnection);
        acc = TrainingPoint{}, accSteps = 0, accTokens = 0, since = clock::now();
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
        ++accSteps, accTokens += st.targetTokens;
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
