// The why-lab's experiments as tabs of one dock: decoding choices (the strategy control, the
// temperature bars and the beam tree), teacher forcing vs free running, positions, scaling,
// the head atlas. Layout only: each tab is its own view.
#pragma once

#include <QTabWidget>

namespace sf::ui {

class BeamTreeView;
class ForcingView;
class HeadAtlasView;
class PositionsView;
class ScalingView;
class StrategyPanel;
class TemperatureView;
class TranslationDocument;

class LabView : public QTabWidget {
    Q_OBJECT
public:
    enum Tab { DecodingTab, ForcingTab, PositionsTab, ScalingTab, AtlasTab };
    explicit LabView(TranslationDocument* doc, QWidget* parent = nullptr);

    StrategyPanel* strategy() const { return mStrategy; }
    TemperatureView* temperature() const { return mTemperature; }
    BeamTreeView* beamTree() const { return mBeamTree; }
    ForcingView* forcing() const { return mForcing; }
    PositionsView* positions() const { return mPositions; }
    ScalingView* scaling() const { return mScaling; }
    HeadAtlasView* atlas() const { return mAtlas; }
    // Test hook: every experiment runs in the calling thread.
    void setSynchronous(bool on);

protected:
    void changeEvent(QEvent* e) override;

private:
    void retranslate();

    StrategyPanel* mStrategy;
    TemperatureView* mTemperature;
    BeamTreeView* mBeamTree;
    ForcingView* mForcing;
    PositionsView* mPositions;
    ScalingView* mScaling;
    HeadAtlasView* mAtlas;
};

}  // namespace sf::ui
