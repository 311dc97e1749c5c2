// The decoding choice (issue 10, "Decoding choices"): greedy, beam (width 1-8, length
// penalty) or sampling (temperature slider, top-k, top-p, seed, "sample again"). A
// control only: it builds the sf::Strategy value the window hands to the document; the
// temperature slider also drives the TemperatureView's bars live, before anything is
// re-translated.
#pragma once

#include "core/run/decoding.h"

#include <QWidget>

#include <cstdint>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSlider;
class QSpinBox;

namespace sf::ui {

class StrategyPanel : public QWidget {
    Q_OBJECT
public:
    enum Mode { GreedyMode, BeamMode, SampleMode };
    explicit StrategyPanel(QWidget* parent = nullptr);

    Mode mode() const;
    void setMode(Mode m);
    // The strategy asked for: Greedy, Beam{width, length penalty} or Sampling{T, k, p, seed}.
    Strategy strategy() const;
    // The sampling parameters shown (whatever the mode): what the bars are drawn with.
    Sampling sampling() const;
    int beamWidth() const;
    void setBeamWidth(int width);
    // Beam search's A in log P / length^A, from -10 to 10 (a lesson's range).
    double lengthPenalty() const;
    void setLengthPenalty(double a);
    // Shows all of s (temperature, top-k, top-p, seed), whatever the mode.
    void setSampling(const Sampling& s);
    // Shows the strategy a translation ran with (a session file, an export): greedy, beam
    // (width up to 8, its length penalty) or sampling; forcing leaves the panel as it is
    // (the Lab's teacher-forcing tab runs it).
    void setStrategy(const Strategy& s);
    // The slider: T = value / 100, from 0.05 to 3.
    void setTemperature(double t);
    double temperature() const;
    QSlider* temperatureSlider() const { return mTemperature; }
    QPushButton* applyButton() const { return mApply; }
    QPushButton* sampleAgainButton() const { return mAgain; }

signals:
    // The sampling parameters moved (the bars follow at once; nothing is re-translated).
    void samplingChanged(const sf::Sampling& s);
    void beamWidthChanged(int width);
    // Translate again with strategy() (Apply, or "sample again" after a new seed).
    void applyRequested();

protected:
    void changeEvent(QEvent* e) override;

private:
    void retranslate();
    void updateEnabled();

    QComboBox* mMode;
    QSpinBox* mWidth;
    QDoubleSpinBox* mLengthPenalty;
    QSlider* mTemperature;
    QLabel* mTemperatureLabel;
    QSpinBox* mTopK;
    QDoubleSpinBox* mTopP;
    // The seed as typed: every uint64 (a command-line run's random seed is 64 bits; a spin
    // box holds an int). mSeedValue is the last valid one.
    QLineEdit* mSeed;
    uint64_t mSeedValue = 0;
    void showSeed(uint64_t seed);
    // The field's text as a seed when it is a uint64, else mSeedValue.
    uint64_t typedSeed() const;
    QPushButton* mApply;
    QPushButton* mAgain;
    QLabel *mWidthLabel, *mLpLabel, *mTLabel, *mKLabel, *mPLabel, *mSeedLabel;
};

}  // namespace sf::ui
