#include "ui/labview.h"

#include "ui/beamtreeview.h"
#include "ui/forcingview.h"
#include "ui/headatlasview.h"
#include "ui/positionsview.h"
#include "ui/scalingview.h"
#include "ui/strategypanel.h"
#include "ui/temperatureview.h"

#include <QEvent>
#include <QScrollArea>
#include <QSplitter>
#include <QVBoxLayout>

namespace sf::ui {

LabView::LabView(TranslationDocument* doc, QWidget* parent) : QTabWidget(parent)
{
    auto* decoding = new QWidget(this);
    auto* v = new QVBoxLayout(decoding);
    v->setContentsMargins(0, 0, 0, 0);
    mStrategy = new StrategyPanel(decoding);
    v->addWidget(mStrategy);
    auto* split = new QSplitter(Qt::Horizontal, decoding);
    mTemperature = new TemperatureView(doc, split);
    auto* scroll = new QScrollArea(split);
    scroll->setWidgetResizable(false);
    mBeamTree = new BeamTreeView(doc, scroll);
    scroll->setWidget(mBeamTree);
    split->addWidget(mTemperature);
    split->addWidget(scroll);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({520, 780});  // scaled to the dock's width when first shown
    v->addWidget(split, 1);
    connect(mStrategy, &StrategyPanel::samplingChanged, mTemperature, &TemperatureView::setSampling);
    mTemperature->setSampling(mStrategy->sampling());
    auto page = [this](QWidget* w) { addTab(w, QString()); };
    page(decoding);
    mForcing = new ForcingView(doc, this);
    page(mForcing);
    mPositions = new PositionsView(doc, this);
    page(mPositions);
    mScaling = new ScalingView(doc, this);
    page(mScaling);
    mAtlas = new HeadAtlasView(doc, this);
    page(mAtlas);
    retranslate();
}

void LabView::setSynchronous(bool on)
{
    mForcing->setSynchronous(on);
    mPositions->setSynchronous(on);
    mScaling->setSynchronous(on);
    mAtlas->setSynchronous(on);
}

void LabView::changeEvent(QEvent* e)
{
    QTabWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) retranslate();
}

void LabView::retranslate()
{
    setTabText(DecodingTab, tr("Decoding choices"));
    setTabText(ForcingTab, tr("Teacher forcing"));
    setTabText(PositionsTab, tr("Positions"));
    setTabText(ScalingTab, tr("Scaling"));
    setTabText(AtlasTab, tr("Head atlas"));
}

}  // namespace sf::ui
