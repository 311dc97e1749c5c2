// Teacher forcing vs free running (issue 10): for the current sentence and a target (the
// toy grammar's reference translation by default), the parallel teacher-forced pass (as in
// training) beside the token-by-token pass with the KV cache (as in use), row by row:
// identical rows marked identical with the largest logit difference, the position where the
// model's own choice leaves the reference, and the same forced pass without the causal mask
// ("cheat"): does the model copy the next reference token it can now see? A model trained
// with the mask does not; "Trained without the mask" runs the same lab on the bundled
// en-fr-nomask model (trained with decoder_causal_mask false, resources/models/en-fr-nomask),
// which does copy, and whose free-running output breaks. All numbers come from core's
// runForcingLab (core/run/lab.h), run off the GUI thread.
#pragma once

#include "core/run/lab.h"
#include "core/text/corpus.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace sf::ui {

class TranslationDocument;

class ForcingView : public QWidget {
    Q_OBJECT
public:
    explicit ForcingView(TranslationDocument* doc, QWidget* parent = nullptr);
    ~ForcingView() override;

    QLineEdit* targetBox() const { return mTarget; }
    QTableWidget* table() const { return mTable; }
    QPushButton* stepButton() const { return mStep; }
    // Checkable: also run the lab on the bundled model trained without the mask.
    QPushButton* noMaskButton() const { return mNoMask; }
    // The last result (null before the first run or after a failure).
    const ForcingLab* lab() const { return mLab.get(); }
    // The same lab on the model trained without the mask (null unless noMaskButton is on).
    const ForcingLab* noMaskLab() const { return mNoMaskLab.get(); }
    QString noMaskError() const { return mNoMaskError; }
    // The bundled model trained without the causal mask: its name and directory.
    static QString noMaskModelName() { return QStringLiteral("en-fr-nomask"); }
    static QString noMaskModelPath();
    QString verdict() const;
    QString lastError() const { return mError; }
    // Run in the calling thread (tests).
    void setSynchronous(bool on) { mSynchronous = on; }

    // The default target for `source`: the grammar's reference (empty + *why if none).
    QString referenceFor(const QString& source, QString* why = nullptr) const;

public slots:
    void run();
    // Fills the target with the reference of the current sentence.
    void useReference();

protected:
    // A new sentence while hidden: its reference is filled in when the view is shown.
    void showEvent(QShowEvent* e) override;
    void changeEvent(QEvent* e) override;

private:
    struct Outcome {
        std::shared_ptr<ForcingLab> lab;
        QString error;
        // The model trained without the mask, when asked for: its lab, or why there is none.
        std::shared_ptr<const Model> noMaskModel;
        std::shared_ptr<ForcingLab> noMaskLab;
        QString noMaskError;
    };
    void show(const Outcome& o);
    void fill();
    // Whether the no-mask model fits the current model (an English -> French one); *why if not.
    bool noMaskAvailable(QString* why = nullptr) const;
    void updateNoMaskButton();
    QString noMaskSummary() const;

    TranslationDocument* mDoc;
    QLineEdit* mTarget;
    QPushButton* mRun;
    QPushButton* mReference;
    QPushButton* mStep;  // the forced pass into the stage, to step through
    QPushButton* mNoMask;  // checkable: the same lab on the model trained without the mask
    QLabel* mSummary;
    QTableWidget* mTable;
    std::shared_ptr<ForcingLab> mLab;
    QString mError;
    std::shared_ptr<const Model> mNoMaskModel;  // loaded once, off the GUI thread
    std::shared_ptr<ForcingLab> mNoMaskLab;
    QString mNoMaskError;
    QString mNote;  // where the target came from
    // The toy grammar, read once per lexicon file (every new translation asks for a reference).
    mutable std::shared_ptr<const text::EnFrGrammar> mGrammar;
    mutable QString mGrammarPath;
    bool mSynchronous = false;
    bool mStale = false;
    QFutureWatcher<Outcome> mWatcher;
};

}  // namespace sf::ui
