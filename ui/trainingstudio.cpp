#include "ui/trainingstudio.h"

#include "core/train/optimizer.h"
#include "ui/heatmapview.h"
#include "ui/labresources.h"
#include "ui/plotstyle.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace sf::ui {

namespace {

// Okabe-Ito: distinguishable for colour-blind students, one per run of an experiment.
const QColor kRunColors[] = {QColor(0, 114, 178), QColor(213, 94, 0), QColor(0, 158, 115), QColor(204, 121, 167),
                             QColor(230, 159, 0), QColor(86, 180, 233)};

QColor runColor(int i) { return kRunColors[i % 6]; }

// train::layerGradientNorms' block names ("embeddings", "encoder 2", "final norms") in
// the window's language.
QString blockLabel(const QString& name)
{
    const QStringList parts = name.split(' ');
    if (parts.size() == 2 && parts[0] == "encoder") return QObject::tr("encoder %1").arg(parts[1]);
    if (parts.size() == 2 && parts[0] == "decoder") return QObject::tr("decoder %1").arg(parts[1]);
    if (name == "embeddings") return QObject::tr("embeddings");
    if (name == "final norms") return QObject::tr("final norms");
    return name;
}

QCustomPlot* makePlot(QWidget* parent, const QString& title, const QString& yLabel)
{
    auto* p = new QCustomPlot(parent);
    p->plotLayout()->insertRow(0);
    p->plotLayout()->addElement(0, 0, new QCPTextElement(p, title, QFont(p->font().family(), -1, QFont::Bold)));
    p->xAxis->setLabel(QObject::tr("step"));
    p->yAxis->setLabel(yLabel);
    p->legend->setVisible(false);
    p->setMinimumSize(240, 150);
    stylePlot(p, parent);
    return p;
}

// The text tasks' starting point (train::preset("studio-text")): data sizes and schedule.
void useTextPreset(TrainingSetup& s)
{
    const train::Preset p = *train::preset("studio-text");
    s.task = p.task, s.arch = p.arch;
    s.vocab = p.vocab, s.trainSize = p.trainSize;
    s.options.steps = p.options.steps, s.options.batchSize = p.options.batchSize, s.options.warmup = p.options.warmup;
}

struct Experiment {
    const char* name;
    const char* note;
    std::vector<std::pair<const char*, void (*)(TrainingSetup&)>> runs;
};

const std::vector<Experiment>& experiments()
{
    static const std::vector<Experiment> list{
        {QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "Positional encoding: with vs without (reverse)"),
         QT_TRANSLATE_NOOP("sf::ui::TrainingStudio",
                           "Without positions the encoder sees a bag of tokens: every row of its output is the same "
                           "function of the same set, whatever the order. It can copy what is there but cannot say "
                           "where it was, so it cannot reverse. Expect the run with positions to reach nearly 100% "
                           "held-out exact match and the run without to stay below 30%."),
         {{QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "with positions"), [](TrainingSetup&) {}},
          {QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "without positions"),
           [](TrainingSetup& s) { s.arch.positions = false; }}}},
        {QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "Causal mask: on vs off (reverse)"),
         QT_TRANSLATE_NOOP("sf::ui::TrainingStudio",
                           "Without the mask, position t of the decoder sees the target token it must predict (the "
                           "input is the target shifted right, so token t is the input at t + 1). It learns to copy "
                           "it: its training loss falls below the masked run's. Used on its own, token by token, "
                           "there is no next token to copy, and its held-out exact match stays near 0."),
         {{QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "masked"), [](TrainingSetup&) {}},
          {QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "unmasked"),
           [](TrainingSetup& s) { s.arch.causalMask = false; }}}},
        {QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "Heads: 1 vs 4 (en-fr)"),
         QT_TRANSLATE_NOOP("sf::ui::TrainingStudio",
                           "The same d_model split into 1 or 4 heads: the same number of parameters. With 4 heads one "
                           "decoder position can look at several source words at once (the noun and its article for "
                           "le/la, the subject for the verb's ending). Watch the held-out exact match and the "
                           "cross-attention map: which run's alignment is sharper, and which learns sooner."),
         {{QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "1 head"),
           [](TrainingSetup& s) { useTextPreset(s), s.arch.heads = 1; }},
          {QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "4 heads"),
           [](TrainingSetup& s) { useTextPreset(s), s.arch.heads = 4; }}}},
        {QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "Layers: 1 vs 3 (en-fr)"),
         QT_TRANSLATE_NOOP("sf::ui::TrainingStudio",
                           "One layer per stack can look once; three can look, combine and look again (agreement "
                           "needs the subject found first, then the verb's form chosen). More layers cost more time "
                           "per step: compare the curves against the step axis and the steps per second in the "
                           "status line."),
         {{QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "1 layer"),
           [](TrainingSetup& s) { useTextPreset(s), s.arch.layers = 1; }},
          {QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "3 layers"),
           [](TrainingSetup& s) { useTextPreset(s), s.arch.layers = 3; }}}},
        {QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "Scaling: with vs without 1/√d_k (d_model 256)"),
         QT_TRANSLATE_NOOP("sf::ui::TrainingStudio",
                           "With d_k = 64 the dot products q·k grow like √64 = 8 times the typical entry. Without "
                           "the 1/√d_k factor the softmax saturates: one key takes all the weight and the gradient "
                           "through the others vanishes, so learning is slower and less stable."),
         {{QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "scaled"),
           [](TrainingSetup& s) { s.arch.dModel = 256, s.arch.ffn = 512; }},
          {QT_TRANSLATE_NOOP("sf::ui::TrainingStudio", "unscaled"),
           [](TrainingSetup& s) { s.arch.dModel = 256, s.arch.ffn = 512, s.arch.scale = false; }}}},
    };
    return list;
}

}  // namespace

TrainingStudio::TrainingStudio(QWidget* parent) : QWidget(parent), mWorker(new TrainingWorker(this))
{
    setWindowTitle(tr("Training studio — Stepformer"));
    auto* outer = new QHBoxLayout(this);
    auto* split = new QSplitter(Qt::Horizontal, this);
    outer->addWidget(split);

    // Left: the run's buttons, always visible, and below them the form, scrollable so it
    // fits 720 px.
    auto* left = new QWidget(split);
    auto* lv = new QVBoxLayout(left);
    lv->setContentsMargins(0, 0, 0, 0);
    auto* buttons = new QGridLayout;
    mStart = new QPushButton(tr("Start"), left);
    mPause = new QPushButton(tr("Pause"), left);
    mStep = new QPushButton(tr("Step"), left);
    mStop = new QPushButton(tr("Stop"), left);
    mResume = new QPushButton(tr("Resume last run"), left);
    mResume->setToolTip(tr("Continue the last run's saved checkpoint up to Steps"));
    mOpen = new QPushButton(tr("Open in the step-through window"), left);
    mOpen->setToolTip(tr("Pauses, saves and opens the model in the main window"));
    mStart->setToolTip(tr("Ctrl+Return")), mPause->setToolTip(tr("Space")), mStep->setToolTip(tr("Period (.)"));
    mStop->setToolTip(tr("Esc: stops and saves the checkpoint"));
    buttons->addWidget(mStart, 0, 0), buttons->addWidget(mPause, 0, 1);
    buttons->addWidget(mStep, 0, 2), buttons->addWidget(mStop, 0, 3);
    mSaveAs = new QPushButton(tr("Save model as…"), left);
    mSaveAs->setToolTip(tr("Ctrl+S: copies the run's model directory (weights, config, vocabulary) to a folder you choose"));
    buttons->addWidget(mResume, 1, 0, 1, 2);
    buttons->addWidget(mOpen, 1, 2, 1, 2);
    buttons->addWidget(mSaveAs, 2, 0, 1, 4);
    lv->addLayout(buttons);
    connect(mStart, &QPushButton::clicked, this, &TrainingStudio::start);
    connect(mPause, &QPushButton::clicked, this, &TrainingStudio::togglePause);
    connect(mStep, &QPushButton::clicked, this, &TrainingStudio::stepOnce);
    connect(mStop, &QPushButton::clicked, this, &TrainingStudio::stop);
    connect(mResume, &QPushButton::clicked, this, &TrainingStudio::resumeLast);
    connect(mOpen, &QPushButton::clicked, this, &TrainingStudio::openInWindow);
    connect(mSaveAs, &QPushButton::clicked, this, [this] {
        QSettings settings;
        const QString start = settings.value("studio/saveDir", QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)).toString();
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Save the model in a folder"), start);
        if (dir.isEmpty()) return;
        settings.setValue("studio/saveDir", dir);
        saveModelTo(dir);
    });
    auto* scroll = new QScrollArea(left);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* form = new QWidget(scroll);
    buildForm(form);
    scroll->setWidget(form);
    scroll->setMinimumWidth(form->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() + 4);
    lv->addWidget(scroll, 1);
    split->addWidget(left);

    // Right: the curves, the examples and the attention snapshot.
    auto* right = new QWidget(split);
    auto* rv = new QVBoxLayout(right);
    mStatus = new QLabel(tr("Pick a task and an architecture, then Start (Ctrl+Return)."), right);
    mStatus->setWordWrap(true);
    rv->addWidget(mStatus);
    mNote = new QLabel(right);  // the running experiment: what to expect and why
    mNote->setWordWrap(true);
    mNote->setVisible(false);
    rv->addWidget(mNote);
    auto* grid = new QGridLayout;
    mLoss = makePlot(right, tr("Loss (solid: training, dashed: held-out)"), tr("loss / token"));
    mExact = makePlot(right, tr("Held-out exact match (solid), token accuracy (dotted),\nBLEU ÷ 100 (dash-dot)"),
                      tr("fraction"));
    mExact->setToolTip(tr("Exact match: the whole sentence right when the model decodes on its own (free-running). "
                          "Token accuracy: the next token right when it is given the reference so far (teacher "
                          "forcing, as in training)."));
    mExact->yAxis->setRange(0, 1);
    // The curves rise to the right: the legend goes where they start, top left.
    mExact->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    mLr = makePlot(right, tr("Learning rate"), tr("lrate"));
    mNorms = makePlot(right, tr("Gradient norm per layer (last step)"), tr("‖g‖"));
    grid->addWidget(mLoss, 0, 0);
    grid->addWidget(mExact, 0, 1);
    grid->addWidget(mLr, 1, 0);
    grid->addWidget(mNorms, 1, 1);
    grid->setColumnStretch(0, 1), grid->setColumnStretch(1, 1);
    rv->addLayout(grid, 3);
    auto* bottom = new QHBoxLayout;
    mExamples = new QPlainTextEdit(right);
    mExamples->setReadOnly(true);
    mExamples->setPlaceholderText(tr("Three fixed held-out inputs and what the model says, every evaluation."));
    bottom->addWidget(mExamples, 1);
    mPanels = new QTabWidget(right);
    auto* attPage = new QWidget(mPanels);
    auto* attBox = new QVBoxLayout(attPage);
    attBox->setContentsMargins(0, 0, 0, 0);
    mAttention = new HeatmapView(attPage);
    mAttention->setMinimumSize(220, 150);
    attBox->addWidget(mAttention, 1);
    mScrub = new QSlider(Qt::Horizontal, attPage);
    mScrub->setEnabled(false);
    mScrub->setToolTip(tr("Scrub through the saved snapshots: watch the alignment emerge."));
    attBox->addWidget(mScrub);
    mPanels->addTab(attPage, tr("Cross-attention"));
    mSimilarity = new HeatmapView(mPanels);
    mSimilarity->setMinimumSize(220, 150);
    mPanels->addTab(mSimilarity, tr("Positional encoding"));
    bottom->addWidget(mPanels, 1);
    rv->addLayout(bottom, 2);
    split->addWidget(right);
    split->setStretchFactor(1, 1);

    connect(mWorker, &TrainingWorker::progress, this, &TrainingStudio::onProgress);
    connect(mWorker, &TrainingWorker::evaluated, this, &TrainingStudio::onEvaluated);
    connect(mWorker, &TrainingWorker::finished, this, &TrainingStudio::onFinished);
    connect(mWorker, &TrainingWorker::preparing, this, [this](const QString& m) { mStatus->setText(m); });
    connect(mWorker, &TrainingWorker::ready, this, &TrainingStudio::onReady);
    connect(mWorker, &TrainingWorker::failed, this, [this](const QString& why) {
        mWorker->stop();  // joins the ended thread
        mQueue.clear();
        mStatus->setText(tr("Cannot start: %1").arg(why));
        updateButtons();
    });
    connect(mWorker, &TrainingWorker::saved, this, [this](const QString& dir) {
        mStatus->setText(tr("Saved to %1").arg(QDir::toNativeSeparators(dir)));
    });
    connect(mScrub, &QSlider::valueChanged, this, &TrainingStudio::showSnapshot);
    new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this, [this] { start(); });
    new QShortcut(QKeySequence(Qt::Key_Space), this, [this] { togglePause(); });
    new QShortcut(QKeySequence(Qt::Key_Period), this, [this] { stepOnce(); });
    new QShortcut(QKeySequence(Qt::Key_Escape), this, [this] { stop(); });
    new QShortcut(QKeySequence::Save, this, [this] { mSaveAs->click(); });
    plotSchedule();
    updateButtons();
    resize(1280, 720);
}

TrainingStudio::~TrainingStudio() { mWorker->stop(); }

void TrainingStudio::buildForm(QWidget* form)
{
    auto* v = new QVBoxLayout(form);
    auto* f = new QFormLayout;
    auto spin = [&](int lo, int hi, int value, int step = 1) {
        auto* s = new QSpinBox(form);
        s->setRange(lo, hi), s->setValue(value), s->setSingleStep(step);
        return s;
    };
    auto dspin = [&](double lo, double hi, double value, double step) {
        auto* s = new QDoubleSpinBox(form);
        s->setRange(lo, hi), s->setValue(value), s->setSingleStep(step), s->setDecimals(2);
        return s;
    };
    const train::Preset p = *train::preset("studio");
    mTask = new QComboBox(form);
    mTask->addItem(tr("reverse"), "reverse");
    mTask->addItem(tr("copy"), "copy");
    mTask->addItem(tr("sort"), "sort");
    mTask->addItem(tr("English → French (en-fr)"), "en-fr");
    mTask->addItem(tr("French → English (fr-en)"), "fr-en");
    mTask->addItem(tr("English → Chinese (en-zh)"), "en-zh");
    mTask->addItem(tr("Chinese → English (zh-en)"), "zh-en");
    mTask->addItem(tr("Chatbot (chat)"), "chat");
    mTask->setToolTip(tr("copy, reverse and sort train on ids in a few seconds; the text tasks train their own "
                         "SentencePiece vocabulary first and take a minute or two"));
    f->addRow(tr("Task"), mTask);
    f->addRow(tr("Layers"), mLayers = spin(1, 6, p.arch.layers));
    f->addRow(tr("Heads"), mHeads = spin(1, 8, p.arch.heads));
    f->addRow(tr("d_model"), mDModel = spin(16, 256, p.arch.dModel, 16));
    f->addRow(tr("Feed-forward size"), mFfn = spin(16, 1024, p.arch.ffn, 16));
    mPositions = new QCheckBox(tr("Positional encoding"), form);
    mMask = new QCheckBox(tr("Causal mask in the decoder"), form);
    mScale = new QCheckBox(tr("Scale scores by 1/√d_k"), form);
    mPreNorm = new QCheckBox(tr("Pre-norm (LayerNorm before each sublayer)"), form);
    for (QCheckBox* c : {mPositions, mMask, mScale}) c->setChecked(true);
    for (QCheckBox* c : {mPositions, mMask, mScale, mPreNorm}) f->addRow(c);
    f->addRow(tr("Warmup steps"), mWarmup = spin(1, 20000, p.options.warmup, 50));
    f->addRow(tr("Learning-rate scale"), mLrScale = dspin(0.05, 10, p.options.lrScale, 0.1));
    f->addRow(tr("Label smoothing"), mSmoothing = dspin(0, 0.5, p.options.labelSmoothing, 0.05));
    f->addRow(tr("Dropout"), mDropout = dspin(0, 0.5, p.options.dropout, 0.05));
    f->addRow(tr("Batch size"), mBatch = spin(1, 512, p.options.batchSize, 8));
    f->addRow(tr("Steps"), mSteps = spin(10, 100000, p.options.steps, 100));
    f->addRow(tr("Training examples"), mTrainSize = spin(100, 500000, p.trainSize, 1000));
    f->addRow(tr("Vocabulary"), mVocab = spin(8, 4000, p.vocab, 8));
    mVocab->setToolTip(tr("copy, reverse, sort: the ids 4 .. N-1; text tasks: SentencePiece pieces, at most"));
    f->addRow(tr("Evaluate every"), mEvalEvery = spin(10, 10000, 100, 10));
    f->addRow(tr("Seed"), mSeed = spin(0, 1 << 30, 1));
    v->addLayout(f);
    // Switching between the id tasks and the text tasks loads that kind's schedule.
    connect(mTask, &QComboBox::currentIndexChanged, this, [this] {
        const bool text = train::isTextTask(mTask->currentData().toString().toStdString());
        if (text == mTextDefaults) return;
        mTextDefaults = text;
        const train::Preset kind = *train::preset(text ? "studio-text" : "studio");
        mSteps->setValue(kind.options.steps), mBatch->setValue(kind.options.batchSize);
        mWarmup->setValue(kind.options.warmup);
        mTrainSize->setValue(kind.trainSize), mVocab->setValue(kind.vocab);
    });
    mSchedule = makePlot(form, tr("The schedule you will train with"), tr("lrate"));
    mSchedule->setMinimumHeight(150);
    v->addWidget(mSchedule);
    for (QSpinBox* s : {mDModel, mWarmup, mSteps}) connect(s, &QSpinBox::valueChanged, this, [this] { plotSchedule(); });
    connect(mLrScale, &QDoubleSpinBox::valueChanged, this, [this] { plotSchedule(); });

    auto* ex = new QLabel(tr("<b>Experiments</b>: two runs that differ in one thing, curves overlaid."), form);
    ex->setWordWrap(true);
    v->addWidget(ex);
    mExperiment = new QComboBox(form);
    for (const QString& n : experimentNames()) mExperiment->addItem(n);
    v->addWidget(mExperiment);
    mRunExperiment = new QPushButton(tr("Run experiment"), form);
    v->addWidget(mRunExperiment);
    connect(mRunExperiment, &QPushButton::clicked, this, [this] { runExperiment(mExperiment->currentIndex()); });
    v->addStretch(1);
}

QStringList TrainingStudio::experimentNames()
{
    QStringList names;
    for (const Experiment& e : experiments()) names << tr(e.name);
    return names;
}

TrainingSetup TrainingStudio::currentSetup() const
{
    TrainingSetup s;
    s.task = mTask->currentData().toString().toStdString();
    s.arch.layers = mLayers->value(), s.arch.heads = mHeads->value();
    s.arch.dModel = mDModel->value(), s.arch.ffn = mFfn->value();
    s.arch.positions = mPositions->isChecked(), s.arch.causalMask = mMask->isChecked();
    s.arch.scale = mScale->isChecked(), s.arch.preNorm = mPreNorm->isChecked();
    const train::Preset p = *train::preset("studio");
    s.options = p.options;
    s.options.warmup = mWarmup->value(), s.options.lrScale = float(mLrScale->value());
    s.options.labelSmoothing = float(mSmoothing->value()), s.options.dropout = float(mDropout->value());
    s.options.batchSize = mBatch->value(), s.options.steps = mSteps->value();
    s.options.seed = uint64_t(mSeed->value());
    s.vocab = mVocab->value(), s.trainSize = mTrainSize->value();
    s.evalEvery = mEvalEvery->value();
    return s;
}

void TrainingStudio::applySetup(const TrainingSetup& s)
{
    mTask->setCurrentIndex(std::max(0, mTask->findData(QString::fromStdString(s.task))));
    mLayers->setValue(s.arch.layers), mHeads->setValue(s.arch.heads);
    mDModel->setValue(s.arch.dModel), mFfn->setValue(s.arch.ffn);
    mPositions->setChecked(s.arch.positions), mMask->setChecked(s.arch.causalMask);
    mScale->setChecked(s.arch.scale), mPreNorm->setChecked(s.arch.preNorm);
    mWarmup->setValue(s.options.warmup), mLrScale->setValue(s.options.lrScale);
    mSmoothing->setValue(s.options.labelSmoothing), mDropout->setValue(s.options.dropout);
    mBatch->setValue(s.options.batchSize), mSteps->setValue(s.options.steps);
    mSeed->setValue(int(s.options.seed)), mEvalEvery->setValue(s.evalEvery);
    mTrainSize->setValue(s.trainSize), mVocab->setValue(s.vocab);
}

// lrate = d^-0.5 min(step^-0.5, step warmup^-1.5) (sec 5.3), from the trainer's own function.
void TrainingStudio::plotSchedule()
{
    const int steps = mSteps->value(), d = mDModel->value(), warmup = mWarmup->value();
    QVector<double> x, y;
    const int n = std::min(steps, 400);
    for (int i = 1; i <= n; ++i) {
        const int step = std::max(1, int(double(i) / n * steps));
        x << step, y << train::learningRate(step, d, warmup, mLrScale->value());
    }
    mSchedule->clearGraphs();
    QCPGraph* g = mSchedule->addGraph();
    g->setData(x, y, true);
    g->setPen(QPen(runColor(0), 2));
    mSchedule->rescaleAxes();
    mSchedule->replot();
}

QString TrainingStudio::runDirFor(int run) const
{
    QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (base.isEmpty()) base = QDir::tempPath();
    return QDir(base).filePath(QString("studio/run-%1").arg(run + 1));
}

void TrainingStudio::start()
{
    mQueue.clear();
    mExperimentNote.clear();
    mNote->clear();
    mNote->setVisible(false);
    for (QCustomPlot* p : {mLoss, mExact, mLr, mNorms}) p->clearGraphs(), p->replot();
    mRuns.clear();
    beginRun(currentSetup());
}

void TrainingStudio::beginRun(TrainingSetup s)
{
    if (s.label.isEmpty()) s.label = tr("run %1").arg(mRuns.size() + 1);
    s.runDir = runDirFor(int(mRuns.size()));
    if (train::isTextTask(s.task) && s.lexiconPath.empty())
        s.lexiconPath = resourceFile(QString::fromStdString(train::textTaskLexicon(s.task))).toStdString();
    QString error;
    if (!mWorker->begin(s, false, &error)) {
        mStatus->setText(tr("Cannot start: %1").arg(error));
        updateButtons();
        return;
    }
    Run r;
    r.label = s.label;
    const QColor c = runColor(int(mRuns.size()));
    auto graph = [&](QCustomPlot* p, Qt::PenStyle style) {
        QCPGraph* g = p->addGraph();
        g->setName(s.label);
        g->setPen(QPen(c, 2, style));
        return p->graphCount() - 1;
    };
    r.graphLoss = graph(mLoss, Qt::SolidLine);
    r.graphHeldOut = graph(mLoss, Qt::DashLine);
    mLoss->graph(r.graphHeldOut)->removeFromLegend();
    r.graphExact = graph(mExact, Qt::SolidLine);
    mExact->graph(r.graphExact)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    r.graphTokens = graph(mExact, Qt::DotLine);
    mExact->graph(r.graphTokens)->removeFromLegend();
    r.graphBleu = graph(mExact, Qt::DashDotLine);
    mExact->graph(r.graphBleu)->removeFromLegend();
    r.graphLr = graph(mLr, Qt::SolidLine);
    mRuns.push_back(r);
    for (QCustomPlot* p : {mLoss, mExact}) p->legend->setVisible(mRuns.size() > 1);
    mSnapshots.clear();
    mScrub->setEnabled(false);
    mExamples->clear();
    mLastExact = -1.0, mLastStep = 0;
    mStatus->setText(tr("Training %1…").arg(s.label));
    updateButtons();
}

void TrainingStudio::resumeLast()
{
    if (mWorker->running() || !QFile::exists(runDirFor(0) + "/config.json")) return;
    mQueue.clear();
    for (QCustomPlot* p : {mLoss, mExact, mLr, mNorms}) p->clearGraphs(), p->replot();
    mRuns.clear();
    TrainingSetup s = currentSetup();
    s.resume = true;
    s.label = tr("resumed run");
    beginRun(s);
}

void TrainingStudio::togglePause()
{
    if (!mWorker->running()) return;
    if (mWorker->paused()) mWorker->resume();
    else mWorker->pause();
    mStatus->setText(mWorker->paused() ? tr("Paused at step %1. Step (.) trains one step.").arg(mLastStep)
                                       : tr("Training…"));
    updateButtons();
}

void TrainingStudio::stepOnce()
{
    if (!mWorker->running()) return;
    mWorker->stepOnce();
    updateButtons();
}

void TrainingStudio::stop()
{
    mQueue.clear();
    if (!mWorker->running()) return;
    mWorker->stop();
    updateButtons();
}

void TrainingStudio::openInWindow()
{
    if (mWorker->running()) {
        mWorker->pause();
        // The model is saved by the worker; open it when the save is reported.
        auto* once = new QObject(this);
        connect(mWorker, &TrainingWorker::saved, once, [this, once](const QString& dir) {
            delete once;
            emit openModelRequested(dir);
        });
        mWorker->saveAndReport();
        updateButtons();
        return;
    }
    if (!mRuns.empty()) emit openModelRequested(runDirFor(int(mRuns.size()) - 1));
}

void TrainingStudio::saveModelTo(const QString& dir)
{
    auto copyRun = [this, dir](const QString& from) {
        QDir().mkpath(dir);
        QStringList failed;
        for (const QFileInfo& f : QDir(from).entryInfoList(QDir::Files)) {
            const QString to = QDir(dir).filePath(f.fileName());
            QFile::remove(to);
            if (!QFile::copy(f.filePath(), to)) failed << f.fileName();
        }
        const bool ok = failed.isEmpty() && QFile::exists(QDir(dir).filePath("config.json"));
        mStatus->setText(ok ? tr("Model saved in %1: open it with File > Open model or stepformer --model").arg(QDir::toNativeSeparators(dir))
                            : tr("Cannot save in %1 (%2)").arg(QDir::toNativeSeparators(dir), failed.join(", ")));
        emit modelSaved(dir, ok);
    };
    if (mWorker->running()) {  // pause, let the worker write the checkpoint, then copy it
        mWorker->pause();
        auto* once = new QObject(this);
        connect(mWorker, &TrainingWorker::saved, once, [once, copyRun](const QString& from) {
            delete once;
            copyRun(from);
        });
        mWorker->saveAndReport();
        updateButtons();
        return;
    }
    if (mRuns.empty()) return;
    copyRun(runDirFor(int(mRuns.size()) - 1));
}

void TrainingStudio::runExperiment(int index)
{
    if (index < 0 || index >= int(experiments().size())) return;
    const Experiment& e = experiments()[size_t(index)];
    mWorker->stop();
    for (QCustomPlot* p : {mLoss, mExact, mLr, mNorms}) p->clearGraphs(), p->replot();
    mRuns.clear();
    mQueue.clear();
    for (const auto& [label, tweak] : e.runs) {
        TrainingSetup s = currentSetup();
        const train::Preset p = *train::preset("studio");  // every run starts from the studio preset
        s.task = p.task, s.arch = p.arch, s.options.steps = p.options.steps;
        s.options.seed = uint64_t(mSeed->value());
        tweak(s);
        s.label = tr(label);
        mQueue.push_back(s);
    }
    mExperimentNote = tr(e.note);
    mNote->setText(QString("<b>%1</b> %2").arg(tr(e.name).toHtmlEscaped(), mExperimentNote.toHtmlEscaped()));
    mNote->setVisible(true);
    const TrainingSetup first = mQueue.front();
    mQueue.erase(mQueue.begin());
    beginRun(first);
}

// PE(i) . PE(j) of the run's model: the similarity of two positions depends only on
// their distance |i - j| (sec 3.5); without positional encoding every entry is 0.
void TrainingStudio::onReady(const RunInfo& info)
{
    mInfo = info;
    HeatmapView::Data d;
    d.title = info.hasPositions ? tr("PE(i) · PE(j): fixed sinusoids, the same at every step; it depends on |i − j| only")
                                : tr("No positional encoding: PE(i) · PE(j) = 0, the model gets no order signal");
    d.rows = d.cols = info.positions;
    d.values = info.similarity;
    for (int i = 0; i < info.positions; ++i) d.rowLabels << QString::number(i + 1), d.colLabels << QString::number(i + 1);
    d.rowAxis = tr("position i"), d.colAxis = tr("position j");
    d.valueName = tr("PE(i) · PE(j)");
    // Range, not symmetric: at small d_model every PE(i) . PE(j) is positive.
    d.scale = info.hasPositions ? HeatmapView::Scale::Range : HeatmapView::Scale::Symmetric;
    mSimilarity->setData(d);
    if (!mRuns.empty())
        mStatus->setText(tr("Training %1: %2, %3 training pairs…").arg(mRuns.back().label, info.description).arg(info.trainPairs));
}

void TrainingStudio::onProgress(const TrainingPoint& p)
{
    if (mRuns.empty()) return;
    const Run& r = mRuns.back();
    mLoss->graph(r.graphLoss)->addData(p.step, p.loss);
    mLr->graph(r.graphLr)->addData(p.step, p.learningRate);
    mLastStep = p.step;
    // Per-layer gradient norms of the last step, as bars.
    mNorms->clearPlottables();
    auto* bars = new QCPBars(mNorms->xAxis, mNorms->yAxis);
    QVector<double> ticks, values;
    QVector<QString> labels;
    for (size_t i = 0; i < p.layerNorms.size(); ++i) {
        ticks << double(i + 1), values << p.layerNorms[i].norm;
        labels << blockLabel(QString::fromStdString(p.layerNorms[i].name));
    }
    bars->setData(ticks, values);
    bars->setBrush(runColor(int(mRuns.size()) - 1));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTicks(ticks, labels);
    mNorms->xAxis->setTicker(ticker);
    mNorms->xAxis->setTickLabelRotation(30);
    mNorms->xAxis->setLabel(QString());
    mNorms->rescaleAxes();
    mNorms->xAxis->setRange(0.3, double(p.layerNorms.size()) + 0.7);
    for (QCustomPlot* pl : {mLoss, mLr}) pl->rescaleAxes();
    mLoss->yAxis->setRangeLower(0);
    // Replot at most every ~50 ms: the window stays responsive at any training speed.
    for (QCustomPlot* pl : {mLoss, mLr, mNorms}) pl->replot(QCustomPlot::rpQueuedReplot);
    mStatus->setText(tr("%1: step %2 of %3 · loss %4 · token accuracy %7% · %5 steps/s · %6 target tokens/s")
                         .arg(r.label)
                         .arg(p.step)
                         .arg(p.totalSteps)
                         .arg(p.loss, 0, 'f', 3)
                         .arg(p.stepsPerSecond, 0, 'f', 1)
                         .arg(p.tokensPerSecond, 0, 'f', 0)
                         .arg(100 * p.tokenAccuracy, 0, 'f', 1));
}

void TrainingStudio::onEvaluated(const EvalPoint& e)
{
    if (mRuns.empty()) return;
    const Run& r = mRuns.back();
    mLoss->graph(r.graphHeldOut)->addData(e.step, e.heldOutLoss);
    mExact->graph(r.graphExact)->addData(e.step, e.exactMatch);
    mExact->graph(r.graphTokens)->addData(e.step, e.tokenAccuracy);
    mExact->graph(r.graphBleu)->addData(e.step, e.bleu / 100.0);
    mExact->xAxis->rescale();
    mExact->yAxis->setRange(0, 1.02);
    mLoss->replot(QCustomPlot::rpQueuedReplot);
    mExact->replot(QCustomPlot::rpQueuedReplot);
    mLastExact = e.exactMatch, mLastTokenAccuracy = e.tokenAccuracy;
    mExamples->setPlainText(tr("step %1 · held-out exact match %2% · token accuracy %3% · BLEU %4\n")
                                .arg(e.step)
                                .arg(100 * e.exactMatch, 0, 'f', 1)
                                .arg(100 * e.tokenAccuracy, 0, 'f', 1)
                                .arg(e.bleu, 0, 'f', 1) +
                            e.examples.join('\n'));
    mSnapshots.push_back(e);
    const bool follow = mScrub->value() == mScrub->maximum();
    mScrub->setRange(0, int(mSnapshots.size()) - 1);
    mScrub->setEnabled(mSnapshots.size() > 1);
    if (follow) mScrub->setValue(mScrub->maximum());
    showSnapshot(mScrub->value());
}

void TrainingStudio::showSnapshot(int index)
{
    if (index < 0 || index >= int(mSnapshots.size())) return;
    const EvalPoint& e = mSnapshots[size_t(index)];
    if (e.rows == 0) return;
    HeatmapView::Data d;
    d.title = tr("Cross-attention, last layer, mean of the heads — step %1").arg(e.step);
    d.rows = e.rows, d.cols = e.cols, d.values = e.attention;
    d.rowLabels = e.rowLabels, d.colLabels = e.colLabels;
    d.rowAxis = tr("decoder input"), d.colAxis = tr("source");
    d.valueName = tr("weight");
    d.scale = HeatmapView::Scale::Unit;
    mAttention->setData(d);
}

void TrainingStudio::onFinished(const QString& message)
{
    mWorker->stop();  // joins the finished thread
    const QString label = mRuns.empty() ? QString() : mRuns.back().label;
    emit runFinished(message);
    if (!mQueue.empty()) {
        const TrainingSetup next = mQueue.front();
        mQueue.erase(mQueue.begin());
        beginRun(next);
        return;
    }
    mStatus->setText(tr("%1: %2 · held-out exact match %3% · saved in %4")
                         .arg(label, message)
                         .arg(100 * std::max(0.0, mLastExact), 0, 'f', 1)
                         .arg(QDir::toNativeSeparators(runDirFor(int(mRuns.size()) - 1))));
    updateButtons();
}

void TrainingStudio::updateButtons()
{
    const bool running = mWorker->running();
    mStart->setEnabled(!running);
    mRunExperiment->setEnabled(!running);
    mPause->setEnabled(running);
    mPause->setText(running && mWorker->paused() ? tr("Resume") : tr("Pause"));
    mStep->setEnabled(running);
    mStop->setEnabled(running);
    mOpen->setEnabled(running || !mRuns.empty());
    mSaveAs->setEnabled(running || !mRuns.empty());
    mResume->setEnabled(!running && QFile::exists(runDirFor(0) + "/config.json"));
}

double TrainingStudio::lastExactMatch() const { return mLastExact; }
int TrainingStudio::lastStep() const { return mLastStep; }

void TrainingStudio::closeEvent(QCloseEvent* e)
{
    mQueue.clear();
    mWorker->stop();  // saves the run's last checkpoint
    e->accept();
}

}  // namespace sf::ui
