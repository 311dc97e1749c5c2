// Temperature, top-k and top-p reshaping the next-token distribution, live: for the current
// decoding step, the ten most probable tokens with two bars each, the model's
// p = softmax(logits) (decoder.probs) and the distribution sampling would draw from,
// samplingDistribution(logits / T, top-k, top-p) (core, decoding.h). The logits are read
// from the Trace and never changed; moving the slider redraws, it does not re-translate.
#pragma once

#include "core/run/decoding.h"

#include <QWidget>

#include <vector>

class QCustomPlot;
class QLabel;

namespace sf::ui {

class TranslationDocument;

class TemperatureView : public QWidget {
    Q_OBJECT
public:
    explicit TemperatureView(TranslationDocument* doc, QWidget* parent = nullptr);

    // What is drawn (tests): the tokens' ids, p at T = 1 and the reshaped p, the logits row.
    const std::vector<int>& tokens() const { return mTokens; }
    const std::vector<double>& modelProbabilities() const { return mModelP; }
    const std::vector<double>& reshapedProbabilities() const { return mReshaped; }
    const std::vector<float>& logits() const { return mLogits; }
    int row() const { return mRow; }

public slots:
    void setSampling(const sf::Sampling& s);
    void refresh();

protected:
    // Hidden (another tab in front): refresh() only marks the view stale; shown, it catches up.
    void showEvent(QShowEvent* e) override;
    void changeEvent(QEvent* e) override;

private:
    bool mStale = false;
    TranslationDocument* mDoc;
    Sampling mSampling;
    QCustomPlot* mPlot;
    QLabel* mCaption;
    std::vector<int> mTokens;
    std::vector<double> mModelP, mReshaped;
    std::vector<float> mLogits;  // [V] the row read from decoder.logits
    int mRow = -1;
};

}  // namespace sf::ui
