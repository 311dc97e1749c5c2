// The document: the loaded model, the current translation with its Trace, the teaching
// steps over it and the current step. Views subscribe to its signals and redraw; they
// never compute model math. Loading and translating run on a worker thread and come
// back by value (a failed load keeps the previous model).
#pragma once

#include "core/model/model.h"
#include "core/run/session.h"
#include "core/run/steps.h"
#include "core/text/grammar.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace sf::ui {

// How a TranslationDocument finds a grammar by task ("en-fr"): set by the app.
using GrammarResolver = std::function<std::shared_ptr<const text::Grammar>(const std::string& task)>;

class TranslationDocument : public QObject {
    Q_OBJECT
public:
    struct LoadResult {
        std::shared_ptr<const Model> model;
        QString path, error;  // error: in the window's language
        QString detail;       // core's English message, when it failed
    };
    struct TranslateResult {
        std::shared_ptr<const Translation> translation;
        std::shared_ptr<const Translation> baseline;  // the same decoding without interventions
        QString error, detail;  // as in LoadResult
        double milliseconds = 0;
    };

    explicit TranslationDocument(QObject* parent = nullptr);
    ~TranslationDocument() override;

    // Asynchronous: modelChanged / translationChanged or failed() follow.
    void loadModel(const QString& path);
    // The decoding strategy and the interventions travel as one value down to the Session;
    // options.maxLength 0 takes setMaxLength's.
    void translate(const QString& text, const DecodeOptions& options = {});
    // The why-lab: the decoding options of the current translation, interventions included.
    // setOptions redoes the translation at once with them (undoable); the document keeps
    // the baseline (the same sentence and strategy without interventions) beside it.
    const DecodeOptions& options() const { return mOptions; }
    const Interventions& interventions() const { return mOptions.interventions; }
    void setOptions(const DecodeOptions& options);
    void setInterventions(const Interventions& interventions);
    // Null when no intervention is active (then the translation is its own baseline).
    const Translation* baseline() const { return mOptions.interventions.empty() ? nullptr : mBaseline.get(); }
    bool canUndo() const { return !mUndo.empty(); }
    bool canRedo() const { return !mRedo.empty(); }
    void undo();
    void redo();
    // Run translations in the calling thread (export, tests).
    void setSynchronous(bool on) { mSynchronous = on; }

    // Synchronous (export, tests): false with *error set on failure.
    bool loadModelNow(const QString& path, QString* error = nullptr);
    bool translateNow(const QString& text, QString* error = nullptr, const DecodeOptions& options = {});

    const Model* model() const { return mModel.get(); }
    // The model itself, for work that must keep it alive off the GUI thread.
    std::shared_ptr<const Model> sharedModel() const { return mModel; }
    QString modelPath() const { return mModelPath; }
    const Translation* translation() const { return mTranslation.get(); }
    const std::vector<Step>& steps() const { return mSteps; }
    int currentIndex() const { return mCurrent; }
    const Step* currentStep() const;
    bool coarse() const { return mCoarse; }
    bool busy() const { return mBusy; }
    double lastTranslateMs() const { return mLastMs; }

    // Output tokens at most (0 = automatic: the session's default).
    void setMaxLength(int tokens) { mMaxLength = tokens; }
    int maxLength() const { return mMaxLength; }

    // The head shown enlarged by the attention stages (0-based).
    int selectedHead() const { return mHead; }
    void setSelectedHead(int head);

public slots:
    void setCurrentIndex(int index);
    void next();
    void previous();
    void first();
    void last();
    void setCoarse(bool coarse);

    // A warning of core (a fact: key and arguments) in the window's language.
    static QString warningText(const Text& warning);
    // Core's errors in the window's language: the reason when it is of a known kind (a
    // key of resources/texts/<lang>/errors.json), else core's English message; loading
    // puts it in a translated frame that names the model's path.
    static QString reasonText(const std::string& message, const Text& reason);
    static QString loadErrorText(const QString& path, const std::string& message, const Text& reason);
    static QString translateErrorText(const std::string& message, const Text& reason);
    // Core's English message of the last failure (for a "details" section), or empty.
    QString lastErrorDetail() const { return mLastErrorDetail; }
    // Warnings about the sentence, found before the walk starts (translate() sets them):
    // words with <unk> pieces, and for a model whose examples.json names a grammar, a
    // sentence outside it. The walk still runs.
    const std::vector<text::InputWarning>& inputWarnings() const { return mInputWarnings; }
    static QString inputWarningText(const text::InputWarning& warning);
    // How the document finds a grammar by task ("en-fr"); the app sets it (the lexicons
    // live under its resources). Without one, only the <unk> warning is given.
    void setGrammarResolver(GrammarResolver resolver) { mGrammarResolver = std::move(resolver); }

signals:
    void modelChanged();
    void translationChanged();
    void stepChanged(int index);
    void headChanged(int head);
    void busyChanged(bool busy);
    void optionsChanged();  // interventions, strategy, undo/redo availability
    void failed(const QString& message);

private:
    static LoadResult load(const QString& path);
    static TranslateResult run(std::shared_ptr<const Model> model, const QString& text, DecodeOptions options,
                               std::shared_ptr<const Translation> baseline = nullptr);
    // The baseline of `text` under `options` may be reused when this key is unchanged.
    static QString baselineKey(const QString& text, const DecodeOptions& options);
    void applyOptions(const DecodeOptions& options);
    static TranslateResult runUnguarded(std::shared_ptr<const Model> model, const QString& text, DecodeOptions options);
    void acceptModel(const LoadResult& r);
    void acceptTranslation(const TranslateResult& r);
    void setBusy(bool busy);

    std::shared_ptr<const Model> mModel;
    QString mModelPath;
    QString mLastErrorDetail;
    GrammarResolver mGrammarResolver;
    void findInputWarnings(const QString& text);
    std::vector<text::InputWarning> mInputWarnings;
    std::shared_ptr<const Translation> mTranslation;
    std::shared_ptr<const Translation> mBaseline;
    QString mBaselineKey;
    QString mText;                     // the sentence of the current translation
    DecodeOptions mOptions;            // its options, interventions included
    std::vector<DecodeOptions> mUndo, mRedo;
    bool mSynchronous = false;
    std::vector<Step> mSteps;
    int mCurrent = 0;
    int mHead = 0;
    int mMaxLength = 0;
    bool mCoarse = false;
    bool mBusy = false;
    double mLastMs = 0;
    QFutureWatcher<LoadResult> mLoadWatcher;
    QFutureWatcher<TranslateResult> mTranslateWatcher;
};

}  // namespace sf::ui
