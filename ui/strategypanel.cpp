#include "ui/strategypanel.h"

#include <algorithm>
#include <cmath>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSlider>
#include <QSpinBox>

namespace sf::ui {

StrategyPanel::StrategyPanel(QWidget* parent) : QWidget(parent)
{
    auto* g = new QGridLayout(this);
    g->setContentsMargins(6, 4, 6, 4);
    mMode = new QComboBox(this);
    mMode->addItems({QString(), QString(), QString()});
    mWidthLabel = new QLabel(this);
    mWidth = new QSpinBox(this);
    mWidth->setRange(1, kMaxBeamWidth);  // as --beam: a session file or an export shows its own width
    mWidth->setValue(4);
    mLpLabel = new QLabel(this);
    mLengthPenalty = new QDoubleSpinBox(this);
    mLengthPenalty->setRange(-10.0, 10.0);
    mLengthPenalty->setSingleStep(0.1);
    mLengthPenalty->setDecimals(2);
    mLengthPenalty->setValue(1.0);
    mTLabel = new QLabel(this);
    mTemperature = new QSlider(Qt::Horizontal, this);
    mTemperature->setRange(5, 300);
    mTemperature->setValue(100);
    mTemperature->setMinimumWidth(140);
    mTemperatureLabel = new QLabel(this);
    mTemperatureLabel->setMinimumWidth(40);
    mKLabel = new QLabel(this);
    mTopK = new QSpinBox(this);
    mTopK->setRange(0, 1000);
    mPLabel = new QLabel(this);
    mTopP = new QDoubleSpinBox(this);
    mTopP->setRange(0.01, 1.0);
    mTopP->setSingleStep(0.05);
    mTopP->setValue(1.0);
    mSeedLabel = new QLabel(this);
    mSeed = new QLineEdit(this);
    mSeed->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,20}")), mSeed));
    mSeed->setFixedWidth(mSeed->fontMetrics().horizontalAdvance(QString(20, QLatin1Char('0'))) + 16);  // 2^64 - 1 whole
    showSeed(0);
    mApply = new QPushButton(this);
    mAgain = new QPushButton(this);
    int col = 0;
    g->addWidget(mMode, 0, col++);
    g->addWidget(mWidthLabel, 0, col++);
    g->addWidget(mWidth, 0, col++);
    g->addWidget(mLpLabel, 0, col++);
    g->addWidget(mLengthPenalty, 0, col++);
    g->addWidget(mTLabel, 0, col++);
    g->addWidget(mTemperature, 0, col++);
    g->addWidget(mTemperatureLabel, 0, col++);
    g->addWidget(mKLabel, 0, col++);
    g->addWidget(mTopK, 0, col++);
    g->addWidget(mPLabel, 0, col++);
    g->addWidget(mTopP, 0, col++);
    g->addWidget(mSeedLabel, 0, col++);
    g->addWidget(mSeed, 0, col++);
    g->addWidget(mApply, 0, col++);
    g->addWidget(mAgain, 0, col++);
    g->setColumnStretch(col, 1);

    auto samplingMoved = [this] {
        mTemperatureLabel->setText(QString::number(temperature(), 'f', 2));
        emit samplingChanged(sampling());
    };
    connect(mTemperature, &QSlider::valueChanged, this, samplingMoved);
    connect(mTopK, &QSpinBox::valueChanged, this, samplingMoved);
    connect(mTopP, &QDoubleSpinBox::valueChanged, this, samplingMoved);
    // The toolbar's beam box shows the width under beam search, 1 otherwise.
    connect(mMode, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        emit beamWidthChanged(mode() == BeamMode ? mWidth->value() : 1);
    });
    connect(mWidth, &QSpinBox::valueChanged, this, [this](int w) {
        if (mode() == BeamMode) emit beamWidthChanged(w);
    });
    // A typed seed is taken when it is a uint64; anything else (past 2^64 - 1, empty) goes
    // back to the last valid one.
    connect(mSeed, &QLineEdit::editingFinished, this, [this] { showSeed(typedSeed()); });
    connect(mApply, &QPushButton::clicked, this, &StrategyPanel::applyRequested);
    connect(mAgain, &QPushButton::clicked, this, [this] {
        setMode(SampleMode);
        showSeed(mSeedValue + 1);  // a new draw, still reproducible from its seed (wraps at 2^64)
        emit applyRequested();
    });
    mTemperatureLabel->setText(QString::number(temperature(), 'f', 2));
    retranslate();
    updateEnabled();
}

void StrategyPanel::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) retranslate();
}

void StrategyPanel::retranslate()
{
    mMode->setItemText(GreedyMode, tr("greedy"));
    mMode->setItemText(BeamMode, tr("beam search"));
    mMode->setItemText(SampleMode, tr("sampling"));
    mMode->setToolTip(tr("How the next token is chosen from the probabilities"));
    mWidthLabel->setText(tr("width"));
    mLpLabel->setText(tr("length penalty"));
    mLengthPenalty->setToolTip(tr("Beam search scores a finished output log P / length^A. A = 0 compares total "
                                  "log-probabilities (short outputs win); A > 0 favours longer ones."));
    mTLabel->setText(tr("temperature"));
    mTemperature->setToolTip(tr("Sampling draws from softmax(logits / T): T < 1 sharpens, T > 1 flattens. "
                                "The bars follow at once; the logits do not change."));
    mKLabel->setText(tr("top-k"));
    mTopK->setToolTip(tr("Keep only the k most probable tokens (0 = all)"));
    mPLabel->setText(tr("top-p"));
    mTopP->setToolTip(tr("Keep the most probable tokens until their mass reaches p (1 = all)"));
    mSeedLabel->setText(tr("seed"));
    mApply->setText(tr("Decode"));
    mApply->setToolTip(tr("Translate again with this decoding"));
    mAgain->setText(tr("Sample again"));
    mAgain->setToolTip(tr("Sampling with the next seed"));
}

void StrategyPanel::updateEnabled()
{
    const Mode m = mode();
    mWidth->setEnabled(m == BeamMode);
    mLengthPenalty->setEnabled(m == BeamMode);
    mAgain->setEnabled(m == SampleMode);
    mSeed->setEnabled(m == SampleMode);
}

StrategyPanel::Mode StrategyPanel::mode() const { return Mode(mMode->currentIndex()); }
void StrategyPanel::setMode(Mode m) { mMode->setCurrentIndex(int(m)); }
int StrategyPanel::beamWidth() const { return mWidth->value(); }

void StrategyPanel::setBeamWidth(int width)
{
    if (mode() == BeamMode ? width == mWidth->value() : width == 1) return;  // already so
    if (width > 1) mWidth->setValue(width);
    setMode(width > 1 ? BeamMode : GreedyMode);
}

double StrategyPanel::lengthPenalty() const { return mLengthPenalty->value(); }
void StrategyPanel::setLengthPenalty(double a) { mLengthPenalty->setValue(a); }

void StrategyPanel::setSampling(const Sampling& s)
{
    setTemperature(s.temperature);
    mTopK->setValue(s.topK);
    mTopP->setValue(s.topP);
    showSeed(s.seed);
}

uint64_t StrategyPanel::typedSeed() const
{
    bool ok = false;
    const qulonglong v = mSeed->text().toULongLong(&ok);
    return ok ? uint64_t(v) : mSeedValue;
}

void StrategyPanel::showSeed(uint64_t seed)
{
    mSeedValue = seed;
    mSeed->setText(QString::number(qulonglong(seed)));
}

void StrategyPanel::setStrategy(const Strategy& s)
{
    if (const auto* b = std::get_if<Beam>(&s)) {
        setMode(BeamMode);
        setBeamWidth(b->width);
        setLengthPenalty(b->lengthPenalty);
    } else if (const auto* p = std::get_if<Sampling>(&s)) {
        setMode(SampleMode);
        setSampling(*p);
    } else if (std::holds_alternative<Greedy>(s)) {
        setMode(GreedyMode);
    }
}

void StrategyPanel::setTemperature(double t) { mTemperature->setValue(int(std::lround(t * 100))); }
double StrategyPanel::temperature() const { return mTemperature->value() / 100.0; }

Sampling StrategyPanel::sampling() const
{
    Sampling s;
    s.temperature = temperature();
    s.topK = mTopK->value();
    s.topP = mTopP->value();
    s.seed = typedSeed();  // text typed but not yet confirmed counts when valid
    return s;
}

Strategy StrategyPanel::strategy() const
{
    switch (mode()) {
    case BeamMode: return Beam{mWidth->value(), mLengthPenalty->value()};
    case SampleMode: return sampling();
    case GreedyMode: break;
    }
    return Greedy{};
}

}  // namespace sf::ui
