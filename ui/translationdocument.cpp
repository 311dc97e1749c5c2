#include "ui/translationdocument.h"

#include "ui/texttable.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <exception>
#include <new>

namespace sf::ui {

TranslationDocument::TranslationDocument(QObject* parent) : QObject(parent)
{
    connect(&mLoadWatcher, &QFutureWatcher<LoadResult>::finished, this, [this] {
        setBusy(false);
        acceptModel(mLoadWatcher.result());
    });
    connect(&mTranslateWatcher, &QFutureWatcher<TranslateResult>::finished, this, [this] {
        setBusy(false);
        acceptTranslation(mTranslateWatcher.result());
    });
}

TranslationDocument::~TranslationDocument()
{
    mLoadWatcher.waitForFinished();
    mTranslateWatcher.waitForFinished();
}

QString TranslationDocument::warningText(const Text& warning) { return rendered(warning); }

QString TranslationDocument::reasonText(const std::string& message, const Text& reason)
{
    // A known kind in the window's language; otherwise core's English message as it is.
    return reason.empty() ? QString::fromStdString(message) : rendered(reason);
}

QString TranslationDocument::loadErrorText(const QString& path, const std::string& message, const Text& reason)
{
    return tr("Cannot open the model: %1").arg(path) + "\n" + reasonText(message, reason);
}

QString TranslationDocument::translateErrorText(const std::string& message, const Text& reason)
{
    // A reason of a known kind says it all ("The sentence is empty: ..."); core's English
    // message gets a translated frame.
    return reason.empty() ? tr("The translation failed: %1").arg(QString::fromStdString(message)) : rendered(reason);
}

TranslationDocument::LoadResult TranslationDocument::load(const QString& path)
{
    LoadResult r;
    r.path = path;
    try {  // an exception must not escape the worker thread (QUnhandledException)
        auto m = Model::load(path.toStdString());
        if (!m) r.error = loadErrorText(path, m.message(), m.reason()), r.detail = QString::fromStdString(m.message());
        else r.model = *m;
    } catch (const std::bad_alloc&) {
        r.error = tr("Cannot open the model: %1").arg(path) + "\n" + tr("out of memory while loading it");
    } catch (const std::exception& e) {
        r.error = loadErrorText(path, e.what(), {});
    }
    return r;
}

TranslationDocument::TranslateResult TranslationDocument::run(std::shared_ptr<const Model> model, const QString& text,
                                                              DecodeOptions o, std::shared_ptr<const Translation> baseline)
{
    try {  // an exception must not escape the worker thread (QUnhandledException)
        if (o.interventions.empty()) {
            TranslateResult r = runUnguarded(std::move(model), text, std::move(o));
            r.baseline = r.translation;
            return r;
        }
        TranslateResult r = runUnguarded(model, text, o);
        if (!r.error.isEmpty()) return r;
        if (!baseline) {
            DecodeOptions plain = o;
            plain.interventions = Interventions{};
            const TranslateResult b = runUnguarded(std::move(model), text, plain);
            if (!b.error.isEmpty()) return b;
            baseline = b.translation;
        }
        r.baseline = std::move(baseline);
        return r;
    } catch (const std::bad_alloc&) {
        TranslateResult r;
        r.error = tr("Out of memory while translating.");
        return r;
    } catch (const std::exception& e) {
        TranslateResult r;
        r.error = tr("The translation failed: %1").arg(QString::fromStdString(e.what()));
        return r;
    }
}

TranslationDocument::TranslateResult TranslationDocument::runUnguarded(std::shared_ptr<const Model> model,
                                                                       const QString& text, DecodeOptions o)
{
    TranslateResult r;
    QElapsedTimer timer;
    timer.start();
    if (!model) {
        r.error = tr("No model is loaded.");
        return r;
    }
    Session s(model);
    Status st = s.setSourceText(text.toStdString());
    if (!st) {
        r.error = translateErrorText(st.message(), st.reason());
        r.detail = QString::fromStdString(st.message());
        return r;
    }
    auto t = s.translate(o);
    if (!t) {
        r.error = translateErrorText(t.message(), t.reason());
        r.detail = QString::fromStdString(t.message());
        return r;
    }
    r.translation = std::make_shared<const Translation>(std::move(t).value());
    r.milliseconds = double(timer.nsecsElapsed()) / 1e6;
    return r;
}

void TranslationDocument::loadModel(const QString& path)
{
    if (mBusy) return;
    setBusy(true);
    mLoadWatcher.setFuture(QtConcurrent::run(&TranslationDocument::load, path));
}

QString TranslationDocument::baselineKey(const QString& text, const DecodeOptions& o)
{
    QString key = text + '|' + strategyName(o.strategy) + QString("|%1|%2").arg(o.minLength).arg(o.maxLength);
    if (const auto* b = std::get_if<Beam>(&o.strategy)) key += QString("|%1|%2").arg(b->width).arg(b->lengthPenalty);
    if (const auto* p = std::get_if<Sampling>(&o.strategy))
        key += QString("|%1|%2|%3|%4").arg(p->temperature).arg(p->topK).arg(p->topP).arg(p->seed);
    if (const auto* f = std::get_if<Forced>(&o.strategy))
        for (int id : f->targetIds) key += QString(",%1").arg(id);
    return key;
}

QString TranslationDocument::inputWarningText(const text::InputWarning& w)
{
    if (w.kind == text::InputWarning::Kind::UnknownWords) {
        QStringList words;
        for (const std::string& a : w.args) words << "'" + QString::fromStdString(a) + "'";
        return tr("words the model's vocabulary lacks (<unk> pieces): %1").arg(words.join(", "));
    }
    return tr("this model never saw sentences like this; expect a wrong translation (%1)")
        .arg(w.args.size() > 1 ? QString::fromStdString(w.args[1]) : QString());
}

void TranslationDocument::findInputWarnings(const QString& text)
{
    mInputWarnings.clear();
    if (!mModel) return;
    std::shared_ptr<const text::Grammar> grammar;
    std::string task;
    if (auto examples = text::readModelExamples(mModelPath.toStdString()); examples && mGrammarResolver) {
        task = examples->task;
        if (!task.empty()) grammar = mGrammarResolver(task);
    }
    mInputWarnings = text::inputWarnings(mModel->tokenizer(), grammar.get(), task, text.toStdString());
}

void TranslationDocument::translate(const QString& text, const DecodeOptions& options)
{
    if (mBusy) return;
    findInputWarnings(text);
    DecodeOptions o = options;
    if (o.maxLength <= 0) o.maxLength = mMaxLength;
    mText = text;
    mOptions = o;
    const QString key = baselineKey(text, o);
    std::shared_ptr<const Translation> reuse = key == mBaselineKey ? mBaseline : nullptr;
    mBaselineKey = key;
    emit optionsChanged();
    if (mSynchronous) {
        acceptTranslation(run(mModel, text, o, reuse));
        return;
    }
    setBusy(true);
    mTranslateWatcher.setFuture(QtConcurrent::run(&TranslationDocument::run, mModel, text, o, reuse));
}

void TranslationDocument::applyOptions(const DecodeOptions& options)
{
    if (!mTranslation) {  // nothing translated yet: the options wait for the next sentence
        mOptions = options;
        emit optionsChanged();
        return;
    }
    translate(mText, options);
}

void TranslationDocument::setOptions(const DecodeOptions& options)
{
    if (mBusy) return;
    mUndo.push_back(mOptions);
    mRedo.clear();
    applyOptions(options);
}

void TranslationDocument::setInterventions(const Interventions& interventions)
{
    if (interventions.specs() == mOptions.interventions.specs()) return;
    DecodeOptions o = mOptions;
    o.interventions = interventions;
    setOptions(o);
}

void TranslationDocument::undo()
{
    if (mBusy || mUndo.empty()) return;
    mRedo.push_back(mOptions);
    const DecodeOptions o = mUndo.back();
    mUndo.pop_back();
    applyOptions(o);
}

void TranslationDocument::redo()
{
    if (mBusy || mRedo.empty()) return;
    mUndo.push_back(mOptions);
    const DecodeOptions o = mRedo.back();
    mRedo.pop_back();
    applyOptions(o);
}

bool TranslationDocument::loadModelNow(const QString& path, QString* error)
{
    const LoadResult r = load(path);
    if (error) *error = r.error;
    acceptModel(r);
    return r.error.isEmpty();
}

bool TranslationDocument::translateNow(const QString& text, QString* error, const DecodeOptions& options)
{
    findInputWarnings(text);
    DecodeOptions o = options;
    if (o.maxLength <= 0) o.maxLength = mMaxLength;
    mText = text;
    mOptions = o;
    const QString key = baselineKey(text, o);
    const TranslateResult r = run(mModel, text, o, key == mBaselineKey ? mBaseline : nullptr);
    mBaselineKey = key;
    if (error) *error = r.error;
    acceptTranslation(r);
    return r.error.isEmpty();
}

void TranslationDocument::acceptModel(const LoadResult& r)
{
    if (!r.error.isEmpty()) {
        mLastErrorDetail = r.detail;
        emit failed(r.error);  // the previous model stays loaded
        return;
    }
    mModel = r.model;
    mModelPath = r.path;
    mTranslation.reset();
    mBaseline.reset();
    mBaselineKey.clear();
    mUndo.clear();
    mRedo.clear();
    mSteps.clear();
    mCurrent = 0;
    emit modelChanged();
    emit translationChanged();
    emit stepChanged(mCurrent);
}

void TranslationDocument::acceptTranslation(const TranslateResult& r)
{
    if (!r.error.isEmpty()) {
        mLastErrorDetail = r.detail;
        emit failed(r.error);
        return;
    }
    // A lab change (same sentence) keeps the student on the same step where it still exists.
    const bool sameSentence = mTranslation && r.translation && mTranslation->sourceText == r.translation->sourceText;
    const Step* before = sameSentence ? currentStep() : nullptr;
    const Step keep = before ? *before : Step{};
    mTranslation = r.translation;
    mBaseline = r.baseline;
    mLastMs = r.milliseconds;
    mSteps = buildSteps(mModel->config(), int(mTranslation->outputIds.size()));
    mCurrent = 0;
    if (before)
        for (size_t i = 0; i < mSteps.size(); ++i) {
            const Step& s = mSteps[i];
            if (s.stage == keep.stage && s.decoder == keep.decoder && s.layer == keep.layer &&
                s.sublayer == keep.sublayer && s.t == keep.t) {
                mCurrent = int(i);
                break;
            }
        }
    mHead = std::min(mHead, mModel->config().encoderHeads - 1);
    emit translationChanged();
    emit optionsChanged();
    emit stepChanged(mCurrent);
}

const Step* TranslationDocument::currentStep() const
{
    return mCurrent < int(mSteps.size()) ? &mSteps[size_t(mCurrent)] : nullptr;
}

void TranslationDocument::setSelectedHead(int head)
{
    if (!mModel || head == mHead || head < 0) return;
    mHead = std::min(head, std::max(mModel->config().encoderHeads, mModel->config().decoderHeads) - 1);
    emit headChanged(mHead);
}

void TranslationDocument::setCurrentIndex(int index)
{
    if (mSteps.empty()) return;
    index = std::clamp(index, 0, int(mSteps.size()) - 1);
    if (index == mCurrent) return;
    mCurrent = index;
    emit stepChanged(mCurrent);
}

void TranslationDocument::next()
{
    setCurrentIndex(mCoarse ? nextCoarse(mSteps, mCurrent) : mCurrent + 1);
}

void TranslationDocument::previous()
{
    setCurrentIndex(mCoarse ? previousCoarse(mSteps, mCurrent) : mCurrent - 1);
}

void TranslationDocument::first() { setCurrentIndex(0); }
void TranslationDocument::last() { setCurrentIndex(int(mSteps.size()) - 1); }

void TranslationDocument::setCoarse(bool coarse)
{
    mCoarse = coarse;
}

void TranslationDocument::setBusy(bool busy)
{
    if (busy == mBusy) return;
    mBusy = busy;
    emit busyChanged(busy);
}

}  // namespace sf::ui
