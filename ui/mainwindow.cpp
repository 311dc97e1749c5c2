#include "ui/mainwindow.h"

#include "ui/filewrite.h"

#include "core/text/grammar.h"

#include "ui/architectureview.h"
#include "ui/classroompanel.h"
#include "ui/comparisonview.h"
#include "ui/decodingview.h"
#include "ui/explainview.h"
#include "ui/headatlasview.h"
#include "ui/labview.h"
#include "ui/lessonview.h"
#include "ui/predictview.h"
#include "ui/language.h"
#include "ui/mediaicons.h"
#include "ui/recentpaths.h"
#include "ui/shareactions.h"
#include "ui/strategypanel.h"
#include "ui/stageview.h"
#include "ui/trainingstudio.h"
#include "ui/weightsview.h"

#include <QAction>
#include <QActionGroup>
#include <QBuffer>
#include <QFile>
#include <QImageWriter>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QProgressBar>
#include <QDockWidget>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QScreen>
#include <QScrollArea>
#include <QStatusBar>
#include <QStyleFactory>
#include <QSvgGenerator>
#include <QToolBar>

namespace sf::ui {

namespace {
const double kSpeeds[] = {0.5, 1, 2, 4, 8};  // steps per second
}

MainWindow::MainWindow(bool persistent, QWidget* parent) : QMainWindow(parent), mPersistent(persistent)
{
    setWindowTitle("Stepformer");
    mBaseFontSize = QApplication::font().pointSizeF() > 0 ? QApplication::font().pointSizeF() : 10.0;
    mStage = new StageView(&mDoc, this);
    mStage->setFocusPolicy(Qt::StrongFocus);
    setCentralWidget(mStage);
    buildDocks();
    buildActions();
    buildToolbars();

    connect(&mDoc, &TranslationDocument::stepChanged, this, &MainWindow::onStepChanged);
    connect(&mDoc, &TranslationDocument::translationChanged, this, [this] {
        updateControls();
        if (!mDoc.inputWarnings().empty())
            statusBar()->showMessage(tr("Warning: %1").arg(TranslationDocument::inputWarningText(mDoc.inputWarnings().front())));
        else if (const Translation* t = mDoc.translation(); t && !t->warnings.empty())
            statusBar()->showMessage(tr("Warning: %1").arg(TranslationDocument::warningText(t->warnings.front())));
        else if (const Translation* t2 = mDoc.translation())
            statusBar()->showMessage(tr("“%1” → “%2”   (%3 steps, translated in %4 ms)")
                                         .arg(QString::fromStdString(t2->sourceText), QString::fromStdString(t2->outputText))
                                         .arg(mDoc.steps().size())
                                         .arg(mDoc.lastTranslateMs(), 0, 'f', 1));
    });
    connect(&mDoc, &TranslationDocument::modelChanged, this, [this] {
        const Config& c = mDoc.model()->config();
        mArchitecture->setModelShape(c.encoderLayers, c.decoderLayers, c.normalizeBefore);
        setWindowTitle(tr("Stepformer — %1").arg(QFileInfo(mDoc.modelPath()).fileName()));
        statusBar()->showMessage(tr("Model %1: %2").arg(mDoc.modelPath(), QString::fromStdString(c.describe())));
        addRecent(mDoc.modelPath());
        updateControls();
    });
    connect(&mDoc, &TranslationDocument::failed, this, [this](const QString& m) {
        // Core's message names the file and the problem (in English); the frame is translated.
        mLastError = m;
        statusBar()->showMessage(tr("Error: %1").arg(m));
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Stepformer"), tr("This did not work:"), QMessageBox::Ok, this);
        box->setInformativeText(m);
        if (const QString detail = mDoc.lastErrorDetail(); !detail.isEmpty() && !m.contains(detail)) box->setDetailedText(detail);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();  // not modal-blocking: the window keeps running
    });
    mBusyBar = new QProgressBar(this);
    mBusyBar->setRange(0, 0);  // indeterminate: loading and translating report no fraction
    mBusyBar->setMaximumWidth(160);
    mBusyBar->hide();
    statusBar()->addPermanentWidget(mBusyBar);
    setAcceptDrops(true);
    connect(&mDoc, &TranslationDocument::busyChanged, this, [this](bool busy) {
        mTranslate->setEnabled(!busy);
        mBusyBar->setVisible(busy);
        if (busy) statusBar()->showMessage(tr("Working…"));
        QApplication::restoreOverrideCursor();
        if (busy) QApplication::setOverrideCursor(Qt::BusyCursor);
    });

    mPlayTimer.setInterval(1000);
    connect(&mPlayTimer, &QTimer::timeout, this, [this] {
        if (mDoc.currentIndex() + 1 >= int(mDoc.steps().size())) {
            mPlayAction->trigger();  // back to paused
            return;
        }
        mDoc.next();
    });
    mTransition.setStartValue(0.0);
    mTransition.setEndValue(1.0);
    mTransition.setDuration(350);
    mTransition.setEasingCurve(QEasingCurve::InOutQuad);
    connect(&mTransition, &QVariantAnimation::valueChanged, this, [this](const QVariant& v) {
        mStage->setAnimationProgress(v.toDouble());
        mDecoding->setAnimationProgress(v.toDouble());
    });

    if (mPersistent) loadSettings();
    else resize(1500, 950);
    fitToScreen();
    applyFonts();
    updateControls();
}

MainWindow::~MainWindow()
{
    // ~QWidget hides the docks; the Weights dock's resize-on-visibility must not run then.
    disconnect(mWeightsDock, &QDockWidget::visibilityChanged, this, nullptr);
    delete mStudio;  // stops its run and saves the last checkpoint
}

void MainWindow::translated(std::function<void()> apply)
{
    apply();
    mRetranslate.push_back(std::move(apply));
}

void MainWindow::changeEvent(QEvent* e)
{
    QMainWindow::changeEvent(e);
    if (e->type() != QEvent::LanguageChange) return;
    for (const std::function<void()>& apply : mRetranslate) apply();
    applyFonts();  // the language may bring its own font family
    updateControls();
    for (QAction* a : mLanguageActions) a->setChecked(a->data().toString() == currentLanguage());
    if (mDoc.model()) setWindowTitle(tr("Stepformer — %1").arg(QFileInfo(mDoc.modelPath()).fileName()));
    statusBar()->clearMessage();
}

void MainWindow::buildDocks()
{
    mArchitecture = new ArchitectureView(this);
    mExplain = new ExplainView(&mDoc, this);
    mDecoding = new DecodingView(&mDoc, this);
    // Docks whose content can need more room than a small screen has scroll it: the
    // window's minimum size never grows with the sentence.
    auto dock = [&](QWidget* w, const char* name, Qt::DockWidgetArea area, bool scrolls = false) {
        auto* d = new QDockWidget(this);
        d->setObjectName(name);
        if (scrolls) {
            auto* scroll = new QScrollArea(d);
            scroll->setWidgetResizable(true);
            scroll->setFrameShape(QFrame::NoFrame);
            scroll->setWidget(w);
            d->setWidget(scroll);
        } else {
            d->setWidget(w);
        }
        addDockWidget(area, d);
        return d;
    };
    mArchitectureDock = dock(mArchitecture, "architecture", Qt::LeftDockWidgetArea);
    mExplainDock = dock(mExplain, "explain", Qt::RightDockWidgetArea);
    mDecodingDock = dock(mDecoding, "decoding", Qt::BottomDockWidgetArea, true);
    resizeDocks({mArchitectureDock, mExplainDock}, {300, 330}, Qt::Horizontal);
    // Weights: the checkpoint's tensors and their statistics, a tab behind Explain.
    mWeights = new WeightsView(&mDoc, this);
    mWeightsDock = dock(mWeights, "weights", Qt::RightDockWidgetArea, true);
    translated([this] {
        mArchitectureDock->setWindowTitle(tr("Architecture"));
        mExplainDock->setWindowTitle(tr("Explain"));
        mDecodingDock->setWindowTitle(tr("Decoding"));
        mWeightsDock->setWindowTitle(tr("Weights"));
    });
    tabifyDockWidget(mExplainDock, mWeightsDock);
    // Comparison: the why-lab's before / after, a tab beside Decoding.
    mComparison = new ComparisonView(&mDoc, this);
    mComparisonDock = dock(mComparison, "comparison", Qt::BottomDockWidgetArea, true);
    translated([this] { mComparisonDock->setWindowTitle(tr("Comparison")); });
    tabifyDockWidget(mDecodingDock, mComparisonDock);
    // Lab: decoding choices, teacher forcing, positions, scaling; a tab beside Comparison.
    mLab = new LabView(&mDoc, this);
    mLabDock = dock(mLab, "lab", Qt::BottomDockWidgetArea, true);
    translated([this] { mLabDock->setWindowTitle(tr("Lab")); });
    tabifyDockWidget(mComparisonDock, mLabDock);
    // Classroom: the running lesson and the Predict panel, a tab beside Explain.
    mClassroom = new ClassroomPanel(&mDoc, {mStage, mExplain, mDecoding}, this);
    mClassroomDock = dock(mClassroom, "classroom", Qt::RightDockWidgetArea, true);
    translated([this] { mClassroomDock->setWindowTitle(tr("Predict")); });
    tabifyDockWidget(mWeightsDock, mClassroomDock);
    auto showClassroom = [this] {
        mClassroomDock->show();
        mClassroomDock->raise();
    };
    connect(mClassroom, &ClassroomPanel::lessonActive, this, [=](bool on) {
        if (on) showClassroom();
    });
    connect(mClassroom->predict(), &PredictView::asked, this, showClassroom);
    connect(mClassroom->lesson(), &LessonView::slideShown, this, [this] { mGranularity->setCurrentIndex(mDoc.coarse() ? 1 : 0); });
    // Raised, the classroom tab gets a third of the window (up to 440 px): a note, a
    // question and its answers side by side.
    connect(mClassroomDock, &QDockWidget::visibilityChanged, this, [this](bool shown) {
        if (shown && !mClassroomDock->isFloating() && mClassroomDock->width() < std::min(440, width() / 3))
            resizeDocks({mClassroomDock}, {std::min(440, width() / 3)}, Qt::Horizontal);
    });
    connect(mClassroom, &ClassroomPanel::sentenceChosen, this, [this](const QString& s) { mSentence->setText(s); });
    mDecodingDock->raise();
    mExplainDock->raise();
    // Raised, the Weights tab widens its dock area to 55 % of the window (a table, a histogram
    // and heatmaps need the room); back on Explain, the area gets its width back.
    connect(mWeightsDock, &QDockWidget::visibilityChanged, this, [this, narrow = 0](bool shown) mutable {
        if (mWeightsDock->isFloating()) return;
        if (shown) {
            if (!narrow) narrow = mExplainDock->width();
            resizeDocks({mWeightsDock}, {std::max(narrow, std::max(640, width() * 11 / 20))}, Qt::Horizontal);
        } else if (narrow) {
            resizeDocks({mExplainDock}, {narrow}, Qt::Horizontal);
            narrow = 0;
        }
    });
    connect(mArchitecture, &ArchitectureView::blockClicked, this, [this](Block b) { onBlockClicked(int(b)); });
}

void MainWindow::buildActions()
{
    // Every text below is set by translated(): now, and again on each LanguageChange.
    QMenu* file = menuBar()->addMenu(QString());
    QAction* open = file->addAction(QString(), QKeySequence::Open, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a model directory"), mDoc.modelPath());
        if (!dir.isEmpty()) openModel(dir);
    });
    mRecentMenu = file->addMenu(QString());
    file->addAction(mClassroom->openLessonAction());
    file->addSeparator();
    auto exportAs = [this](const QString& filter, const QString& suffix) {
        QString path = QFileDialog::getSaveFileName(this, tr("Export view"),
                                                    QDir(exportDirectory()).filePath("stepformer." + suffix), filter);
        if (path.isEmpty()) return;
        if (!path.endsWith("." + suffix)) path += "." + suffix;
        rememberExportDirectory(path);
        QString error;
        if (!exportView(path, &error)) QMessageBox::warning(this, tr("Export"), error);
        else statusBar()->showMessage(tr("Exported %1").arg(path));
    };
    QAction* png = file->addAction(QString(), QKeySequence(Qt::CTRL | Qt::Key_E), this,
                                   [=] { exportAs(tr("PNG image (*.png)"), "png"); });
    QAction* svg = file->addAction(QString(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this,
                                   [=] { exportAs(tr("SVG image (*.svg)"), "svg"); });
    file->addSeparator();
    QAction* quit = file->addAction(QString(), QKeySequence::Quit, this, &QWidget::close);
    new ShareActions(this, file, quit);  // sessions, animation, worksheet; per-panel export
    translated([=] {
        file->setTitle(tr("&File"));
        open->setText(tr("&Open model…"));
        mRecentMenu->setTitle(tr("Open &recent"));
        png->setText(tr("Export view as &PNG…"));
        svg->setText(tr("Export view as &SVG…"));
        quit->setText(tr("&Quit"));
    });

    mModelMenu = menuBar()->addMenu(QString());
    translated([this] { mModelMenu->setTitle(tr("&Model")); });

    QMenu* view = menuBar()->addMenu(QString());
    mPresentationAction = view->addAction(QString(), this, [this](bool on) { setPresentationMode(on); });
    mPresentationAction->setCheckable(true);
    mPresentationAction->setShortcut(Qt::Key_F5);
    QAction* zoomIn = view->addAction(QString(), QKeySequence::ZoomIn, this, [this] { setZoom(mZoom * 1.15); });
    QAction* zoomOut = view->addAction(QString(), QKeySequence::ZoomOut, this, [this] { setZoom(mZoom / 1.15); });
    QAction* zoomReset = view->addAction(QString(), QKeySequence(Qt::CTRL | Qt::Key_0), this, [this] { setZoom(1.0); });
    view->addSeparator();
    mDarkAction = view->addAction(QString(), this, [this](bool on) { setDark(on); });
    mDarkAction->setCheckable(true);
    mCividisAction = view->addAction(QString(), this,
                                     [this](bool on) { setColormap(on ? Colormap::Cividis : Colormap::Viridis); });
    mCividisAction->setCheckable(true);
    mAnimationsAction = view->addAction(QString(), this, [this](bool on) { setAnimationsEnabled(on); });
    mAnimationsAction->setCheckable(true);
    mAnimationsAction->setChecked(mAnimations);
    view->addAction(mClassroom->predictAction());
    // View > Language: each language named in itself, so that anyone can find their own.
    QMenu* language = view->addMenu(QString());
    auto* group = new QActionGroup(this);
    for (const QString& code : languages()) {
        QAction* a = language->addAction(languageName(code), this, [this, code] { setLanguage(code); });
        a->setCheckable(true);
        a->setData(code);
        a->setChecked(code == currentLanguage());
        group->addAction(a);
        mLanguageActions << a;
    }
    view->addSeparator();
    for (QDockWidget* d : {mArchitectureDock, mExplainDock, mDecodingDock, mWeightsDock, mComparisonDock, mClassroomDock})
        view->addAction(d->toggleViewAction());
    QAction* weights = view->addAction(QString(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W), this, [this] {
        mWeightsDock->show();
        mWeightsDock->raise();
    });
    translated([=] {
        view->setTitle(tr("&View"));
        mPresentationAction->setText(tr("&Presentation mode"));
        zoomIn->setText(tr("Zoom &in"));
        zoomOut->setText(tr("Zoom &out"));
        zoomReset->setText(tr("&Reset zoom"));
        mDarkAction->setText(tr("&Dark theme"));
        mCividisAction->setText(tr("&Colour-blind-safe colormap (cividis)"));
        mAnimationsAction->setText(tr("&Animations"));
        language->setTitle(tr("&Language"));
        weights->setText(tr("Show the &Weights tab"));
    });

    buildLabMenu();

    QMenu* trainMenu = menuBar()->addMenu(QString());
    QAction* studio = trainMenu->addAction(QString(), this, [this] { openStudio(); });
    studio->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    translated([=] {
        trainMenu->setTitle(tr("&Train"));
        studio->setText(tr("Training &studio…"));
    });

    QMenu* help = menuBar()->addMenu(QString());
    QAction* keys = help->addAction(QString(), this, [this] {
        QMessageBox::information(this, tr("Keyboard shortcuts"),
                                 tr("→ / PageDown: next step\n← / PageUp: previous step\nHome / End: first / last step\n"
                                    "Space: play / pause\nF5: presentation mode\nCtrl +/−/0: zoom\nCtrl+O: open a model\n"
                                    "Ctrl+E: export the view as PNG"));
    });
    help->addAction(mClassroom->quizAction());
    translated([=] {
        help->setTitle(tr("&Help"));
        keys->setText(tr("&Keyboard shortcuts"));
    });
}

void MainWindow::setLanguage(const QString& language)
{
    QString error;
    if (!ui::setLanguage(language, &error)) {
        statusBar()->showMessage(error);
        return;
    }
    if (mPersistent) QSettings().setValue("view/language", currentLanguage());
}

void MainWindow::buildToolbars()
{
    QToolBar* input = addToolBar(QString());
    input->setObjectName("sentence");
    input->setMovable(false);
    auto* sentenceLabel = new QLabel(this);
    input->addWidget(sentenceLabel);
    mSentence = new QLineEdit("the little black cat sleeps", this);
    mSentence->setClearButtonEnabled(true);
    mSentence->setMinimumWidth(380);
    input->addWidget(mSentence);
    auto* beamLabel = new QLabel(this);
    input->addWidget(beamLabel);
    mBeam = new QSpinBox(this);
    mBeam->setRange(1, kMaxBeamWidth);
    input->addWidget(mBeam);
    mTranslate = new QPushButton(this);
    mTranslate->setDefault(true);
    input->addWidget(mTranslate);
    connect(mTranslate, &QPushButton::clicked, this, &MainWindow::translateSentence);
    // The toolbar's beam width and the Lab's strategy control are one setting.
    connect(mBeam, &QSpinBox::valueChanged, mLab->strategy(), &StrategyPanel::setBeamWidth);
    connect(mLab->strategy(), &StrategyPanel::beamWidthChanged, mBeam, &QSpinBox::setValue);
    connect(mLab->strategy(), &StrategyPanel::applyRequested, this, &MainWindow::translateSentence);
    connect(mSentence, &QLineEdit::returnPressed, this, &MainWindow::translateSentence);

    addToolBarBreak();
    QToolBar* steps = addToolBar(QString());
    steps->setObjectName("steps");
    steps->setMovable(false);
    // Icons in the palette's ink (ui/mediaicons.h), drawn again when the theme changes.
    auto act = [&](MediaIcon icon, auto slot) {
        QAction* a = steps->addAction(mediaIcon(icon, palette().color(QPalette::ButtonText)), QString(), this, slot);
        a->setData(int(icon));
        return a;
    };
    QAction* first = act(MediaIcon::First, [this] { mDoc.first(); });
    QAction* previous = act(MediaIcon::Previous, [this] { mDoc.previous(); });
    mPlayAction = act(MediaIcon::Play, [this](bool on) {
        if (on) mPlayTimer.start();
        else mPlayTimer.stop();
        mPlayAction->setIcon(mediaIcon(on ? MediaIcon::Pause : MediaIcon::Play, palette().color(QPalette::ButtonText)));
    });
    mPlayAction->setCheckable(true);
    QAction* next = act(MediaIcon::Next, [this] { mDoc.next(); });
    QAction* last = act(MediaIcon::Last, [this] { mDoc.last(); });
    auto* speedLabel = new QLabel(this);
    steps->addWidget(speedLabel);
    mSpeed = new QComboBox(this);
    for (int i = 0; i < int(std::size(kSpeeds)); ++i) mSpeed->addItem(QString());
    mSpeed->setCurrentIndex(1);
    steps->addWidget(mSpeed);
    connect(mSpeed, &QComboBox::currentIndexChanged, this,
            [this](int i) { mPlayTimer.setInterval(int(1000 / kSpeeds[std::clamp(i, 0, 4)])); });
    auto* granularityLabel = new QLabel(this);
    steps->addWidget(granularityLabel);
    mGranularity = new QComboBox(this);
    mGranularity->setObjectName("granularity");
    mGranularity->addItems({QString(), QString()});
    steps->addWidget(mGranularity);
    connect(mGranularity, &QComboBox::currentIndexChanged, this, [this](int i) {
        mDoc.setCoarse(i == 1);
        updateControls();
    });
    mTimeline = new QSlider(Qt::Horizontal, this);
    mTimeline->setMinimumWidth(300);
    steps->addWidget(mTimeline);
    connect(mTimeline, &QSlider::valueChanged, &mDoc, &TranslationDocument::setCurrentIndex);
    mStepLabel = new QLabel(this);
    mStepLabel->setObjectName("stepLabel");
    mStepLabel->setMinimumWidth(110);
    steps->addWidget(mStepLabel);
    translated([=] {
        input->setWindowTitle(tr("Sentence"));
        sentenceLabel->setText(tr(" Sentence: "));
        beamLabel->setText(tr("  beam "));
        mBeam->setToolTip(tr("Beam width (1 = greedy decoding)"));
        mTranslate->setText(tr("Translate"));
        steps->setWindowTitle(tr("Steps"));
        const std::pair<QAction*, QString> tips[] = {{first, tr("First step (Home)")},
                                                     {previous, tr("Previous step (←, PageUp)")},
                                                     {mPlayAction, tr("Play / pause (Space)")},
                                                     {next, tr("Next step (→, PageDown)")},
                                                     {last, tr("Last step (End)")}};
        for (const auto& [a, tip] : tips) a->setText(tip), a->setToolTip(tip);
        speedLabel->setText(tr("  speed "));
        for (int i = 0; i < mSpeed->count(); ++i)
            mSpeed->setItemText(i, kSpeeds[i] == 1 ? tr("1 step/s") : tr("%1 steps/s").arg(kSpeeds[i]));
        granularityLabel->setText(tr("  granularity "));
        mGranularity->setItemText(0, tr("fine: every operation"));
        mGranularity->setItemText(1, tr("coarse: blocks and tokens"));
    });

    // Keys for stepping; a text field that is being edited keeps its own keys.
    auto key = [this](QKeySequence k, auto slot) {
        auto* s = new QShortcut(k, this);
        connect(s, &QShortcut::activated, this, slot);
    };
    // The clicker keys move a running lesson by slides, else the walk by steps.
    key(Qt::Key_Right, [this] {
        if (!mClassroom->nextSlide()) mDoc.next();
    });
    key(Qt::Key_PageDown, [this] {
        if (!mClassroom->nextSlide()) mDoc.next();
    });
    key(Qt::Key_Left, [this] {
        if (!mClassroom->previousSlide()) mDoc.previous();
    });
    key(Qt::Key_PageUp, [this] {
        if (!mClassroom->previousSlide()) mDoc.previous();
    });
    key(Qt::Key_Home, [this] { mDoc.first(); });
    key(Qt::Key_End, [this] { mDoc.last(); });
    key(Qt::Key_Space, [this] { mPlayAction->trigger(); });
    key(Qt::Key_Escape, [this] {
        if (mPresentation) setPresentationMode(false);
    });
}

void MainWindow::openModel(const QString& path) { mDoc.loadModel(path); }

TrainingStudio* MainWindow::openStudio()
{
    if (!mStudio) {
        mStudio = new TrainingStudio;  // top level: a second window beside this one
        mStudio->setAttribute(Qt::WA_DeleteOnClose, false);
        connect(mStudio, &TrainingStudio::openModelRequested, this, [this](const QString& dir) {
            openModel(dir);
            raise();
            activateWindow();
        });
    }
    mStudio->show();
    mStudio->raise();
    return mStudio;
}

void MainWindow::setBundledModels(const QList<QPair<QString, QString>>& models)
{
    mClassroom->setBundledModels(models);
    mModelMenu->clear();
    mBundled = models;
    for (const auto& [name, dir] : models) {
        QMenu* sub = mModelMenu->addMenu(name);
        QAction* open = sub->addAction(QString(), this, [this, dir = dir] { openModel(dir); });
        translated([open, name = name] { open->setText(tr("Open %1").arg(name)); });
        const auto examples = text::readModelExamples(dir.toStdString());
        if (!examples || examples->sentences.empty()) continue;
        sub->addSeparator();
        for (const std::string& e : examples->sentences) {
            const QString sentence = QString::fromStdString(e);
            sub->addAction(sentence, this, [this, dir = dir, sentence] {
                mSentence->setText(sentence);
                if (mDoc.modelPath() != dir) openModel(dir);
            });
        }
    }
    mModelMenu->menuAction()->setVisible(!models.isEmpty());
}

void MainWindow::translateSentence()
{
    if (!mDoc.model()) {
        mLastError = tr("Open a model first (File > Open model…).");
        statusBar()->showMessage(mLastError);
        return;
    }
    mDoc.translate(mSentence->text(), toolbarOptions());
    mStage->setFocus();
}

DecodeOptions MainWindow::toolbarOptions() const
{
    DecodeOptions o;
    o.strategy = mLab->strategy()->strategy();
    o.interventions = mDoc.interventions();
    o.interventions.noCausalMask = false;  // only under teacher forcing (the Lab's demo)
    return o;
}

QAction* MainWindow::labAction(const QString& name) const
{
    for (QAction* a : mLabActions)
        if (a->objectName() == name) return a;
    return nullptr;
}

void MainWindow::buildLabMenu()
{
    QMenu* lab = menuBar()->addMenu(QString());
    auto add = [&](const char* name, auto slot, QKeySequence key = {}, bool checkable = false) {
        QAction* a = lab->addAction(QString(), this, slot);
        a->setObjectName(name);
        a->setShortcut(key);
        a->setCheckable(checkable);
        mLabActions << a;
        return a;
    };
    QAction* head = add("lab.ablateHead", [this] { toggleHead(std::max(0, mDoc.selectedHead())); }, QKeySequence(Qt::CTRL | Qt::Key_K));
    QAction* layer = add("lab.ablateLayer", [this] { ablateLayer(); }, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    QAction* clear = add("lab.clear", [this] {
        DecodeOptions o = toolbarOptions();
        o.interventions = Interventions{};
        mDoc.setOptions(o);
    });
    lab->addSeparator();
    QAction* noPositions = add("lab.noPositions", [this](bool on) {
        Interventions iv = mDoc.interventions();
        iv.noPositions = on;
        mDoc.setInterventions(iv);
    }, {}, true);
    QAction* noScale = add("lab.noScale", [this](bool on) {
        Interventions iv = mDoc.interventions();
        iv.noScale = on;
        mDoc.setInterventions(iv);
    }, {}, true);
    lab->addSeparator();
    QAction* cheat = add("lab.cheat", [this] {
        // Teacher forcing on the output the model gave without interventions (the target a
        // student can check), then without the causal mask: does the model copy the answer?
        const Translation* base = mDoc.baseline() ? mDoc.baseline() : mDoc.translation();
        if (!base) return;
        DecodeOptions o = mDoc.options();
        o.strategy = Forced{base->decoding == "forced" && !base->forcedIds.empty() ? base->forcedIds : base->outputIds};
        o.interventions.noCausalMask = true;
        mDoc.setOptions(o);
    });
    QAction* free = add("lab.freeRunning", [this] { mDoc.setOptions(toolbarOptions()); });
    lab->addSeparator();
    QAction* showDecoding = add("lab.showDecoding", [this] { showLabTab(LabView::DecodingTab); });
    QAction* showForcing = add("lab.showForcing", [this] { showLabTab(LabView::ForcingTab); });
    QAction* showPositions = add("lab.showPositions", [this] { showLabTab(LabView::PositionsTab); });
    QAction* showScaling = add("lab.showScaling", [this] { showLabTab(LabView::ScalingTab); });
    QAction* showAtlas = add("lab.showAtlas", [this] { showLabTab(LabView::AtlasTab); });
    lab->addSeparator();
    QAction* difference = add("lab.difference", [this](bool on) { mStage->setDifference(on); }, QKeySequence(Qt::CTRL | Qt::Key_D), true);
    QAction* gold = add("lab.goldAlignment", [this](bool on) {
        mStage->setGoldAlignment(on);
        mLab->atlas()->setGoldAlignment(on);
    }, QKeySequence(Qt::CTRL | Qt::Key_G), true);
    connect(mLab->atlas(), &HeadAtlasView::goldAlignmentToggled, this, [this, gold](bool on) {
        gold->setChecked(on);
        mStage->setGoldAlignment(on);
    });
    lab->addSeparator();
    QAction* undo = add("lab.undo", [this] { mDoc.undo(); }, QKeySequence::Undo);
    QAction* redo = add("lab.redo", [this] { mDoc.redo(); }, QKeySequence::Redo);
    translated([=] {
        lab->setTitle(tr("&Lab"));
        head->setText(tr("Switch &off this head (or back on)"));
        layer->setText(tr("Switch off &all heads of this layer"));
        clear->setText(tr("&Clear interventions"));
        noPositions->setText(tr("No &positional encoding"));
        noScale->setText(tr("No 1/√d_k &scaling"));
        cheat->setText(tr("&Teacher forcing without the causal mask (the model cheats)"));
        free->setText(tr("Back to &free running (token by token)"));
        difference->setText(tr("Show &differences on the heatmaps (after − before)"));
        gold->setText(tr("Outline the &gold alignment on cross-attention maps"));
        showDecoding->setText(tr("Decoding &choices: greedy, beam tree, sampling temperature"));
        showForcing->setText(tr("Teacher &forcing vs free running"));
        showPositions->setText(tr("Positions la&b: PE similarity, word order"));
        showScaling->setText(tr("Scaling lab: &entropy with and without 1/√d_k"));
        showAtlas->setText(tr("Head &atlas: cross-attention heads vs the gold alignment"));
        undo->setText(tr("&Undo intervention"));
        redo->setText(tr("&Redo intervention"));
    });
    connect(&mDoc, &TranslationDocument::optionsChanged, this, &MainWindow::updateLab);
    connect(&mDoc, &TranslationDocument::stepChanged, this, &MainWindow::updateLab);
    connect(&mDoc, &TranslationDocument::busyChanged, this, &MainWindow::updateLab);
    connect(mStage, &StageView::headToggled, this, &MainWindow::toggleHead);
    connect(&mDoc, &TranslationDocument::translationChanged, this, [this] {
        if (mDoc.baseline()) {  // a lab change: show what it did
            mComparisonDock->show();
            mComparisonDock->raise();
            // Room for the table: seven rows of chips and numbers.
            if (!mComparisonDock->isFloating() && mComparisonDock->height() < 250)
                resizeDocks({mComparisonDock}, {std::min(250, height() / 3)}, Qt::Vertical);
        }
    });
    updateLab();
}

void MainWindow::showLabTab(int tab)
{
    mLabDock->show();
    mLabDock->raise();
    mLab->setCurrentIndex(tab);
    // The experiments need room: about 45 % of the window's height.
    if (!mLabDock->isFloating() && mLabDock->height() < height() * 2 / 5)
        resizeDocks({mLabDock}, {height() * 45 / 100}, Qt::Vertical);
}

void MainWindow::updateLab()
{
    Stack stack;
    int layer = 0, heads = 0;
    AttentionKind kind;
    const bool attention = currentAttention(&stack, &layer, &kind, &heads);
    const bool ready = mDoc.translation() && !mDoc.busy();
    const Interventions& iv = mDoc.interventions();
    labAction("lab.ablateHead")->setEnabled(ready && attention);
    labAction("lab.ablateLayer")->setEnabled(ready && attention);
    labAction("lab.clear")->setEnabled(ready && (!iv.empty() || std::holds_alternative<Forced>(mDoc.options().strategy)));
    labAction("lab.noPositions")->setChecked(iv.noPositions);
    labAction("lab.noScale")->setChecked(iv.noScale);
    labAction("lab.noPositions")->setEnabled(ready);
    labAction("lab.noScale")->setEnabled(ready);
    labAction("lab.cheat")->setEnabled(ready);
    labAction("lab.freeRunning")->setEnabled(ready && std::holds_alternative<Forced>(mDoc.options().strategy));
    labAction("lab.undo")->setEnabled(ready && mDoc.canUndo());
    labAction("lab.redo")->setEnabled(ready && mDoc.canRedo());
}

bool MainWindow::currentAttention(Stack* stack, int* layer, AttentionKind* kind, int* heads) const
{
    const Step* s = mDoc.currentStep();
    if (!s || !mDoc.model() || s->layer < 0) return false;
    if (s->sublayer != Sublayer::SelfAttention && s->sublayer != Sublayer::CrossAttention) return false;
    switch (s->stage) {
    case Stage::Projections:
    case Stage::Heads:
    case Stage::Scores:
    case Stage::Mask:
    case Stage::Weights:
    case Stage::Context:
    case Stage::AllHeads:
    case Stage::AttentionOutput: break;
    default: return false;
    }
    const Config& c = mDoc.model()->config();
    *stack = s->decoder ? Stack::Decoder : Stack::Encoder;
    *layer = s->layer;
    *kind = s->sublayer == Sublayer::CrossAttention ? AttentionKind::Cross : AttentionKind::Self;
    *heads = s->decoder ? c.decoderHeads : c.encoderHeads;
    return true;
}

void MainWindow::toggleHead(int head)
{
    Stack stack;
    int layer = 0, heads = 0;
    AttentionKind kind;
    if (!currentAttention(&stack, &layer, &kind, &heads) || head < 0 || head >= heads) return;
    Interventions iv = mDoc.interventions();
    const HeadRef ref{stack, layer, kind, head};
    const auto it = std::find(iv.ablated.begin(), iv.ablated.end(), ref);
    if (it != iv.ablated.end()) iv.ablated.erase(it);
    else iv.ablated.push_back(ref);
    mDoc.setSelectedHead(head);
    mDoc.setInterventions(iv);
}

void MainWindow::ablateLayer()
{
    Stack stack;
    int layer = 0, heads = 0;
    AttentionKind kind;
    if (!currentAttention(&stack, &layer, &kind, &heads)) return;
    Interventions iv = mDoc.interventions();
    for (int h = 0; h < heads; ++h) {
        const HeadRef ref{stack, layer, kind, h};
        if (std::find(iv.ablated.begin(), iv.ablated.end(), ref) == iv.ablated.end()) iv.ablated.push_back(ref);
    }
    mDoc.setInterventions(iv);
}

void MainWindow::updateControls()
{
    const int n = int(mDoc.steps().size());
    mTimeline->blockSignals(true);
    mTimeline->setRange(0, std::max(0, n - 1));
    mTimeline->setValue(mDoc.currentIndex());
    mTimeline->blockSignals(false);
    // Coarse mode counts coarse steps: the walk the student is taking.
    const std::vector<Step>& steps = mDoc.steps();
    if (n && mDoc.coarse())
        mStepLabel->setText(tr(" step %1 / %2").arg(coarseNumber(steps, mDoc.currentIndex())).arg(coarseCount(steps)));
    else
        mStepLabel->setText(n ? tr(" step %1 / %2").arg(mDoc.currentIndex() + 1).arg(n) : QString());
}

void MainWindow::onStepChanged(int)
{
    updateControls();
    mArchitecture->setStep(mDoc.currentStep());
    if (mAnimations) {
        mTransition.stop();
        mStage->setAnimationProgress(0.0);
        mDecoding->setAnimationProgress(0.0);
        mTransition.start();
    } else {
        mStage->setAnimationProgress(1.0);
        mDecoding->setAnimationProgress(1.0);
    }
}

void MainWindow::onBlockClicked(int block)
{
    const Step* s = mDoc.currentStep();
    const int i = firstStepOf(mDoc.steps(), Block(block), s ? s->layer : -1, s ? s->t : -1);
    if (i >= 0) mDoc.setCurrentIndex(i);
}

void MainWindow::setAnimationsEnabled(bool on)
{
    mAnimations = on;
    if (mAnimationsAction) mAnimationsAction->setChecked(on);
    if (!on) {
        mTransition.stop();
        mStage->setAnimationProgress(1.0);
        mDecoding->setAnimationProgress(1.0);
    }
}

void MainWindow::resizeEvent(QResizeEvent* e)
{
    QMainWindow::resizeEvent(e);
    if (mPresentation) widenExplanation();
}

// On a projector the explanation is read from afar: 30 % of the width. (Queued: the
// dock layout takes the new window size first.)
void MainWindow::widenExplanation()
{
    QMetaObject::invokeMethod(this, [this] {
        if (mPresentation && !mExplainDock->isFloating()) resizeDocks({mExplainDock}, {width() * 3 / 10}, Qt::Horizontal);
    }, Qt::QueuedConnection);
}

void MainWindow::fitToScreen()
{
    const QScreen* s = screen() ? screen() : QApplication::primaryScreen();
    if (!s) return;
    const QRect avail = s->availableGeometry();
    // The frame's decorations are not known before the window is shown: leave room for them.
    const QSize most(std::max(200, avail.width() - 16), std::max(200, avail.height() - 40));
    if (width() > most.width() || height() > most.height()) resize(size().boundedTo(most));
    if (isVisible() && !avail.contains(frameGeometry().topLeft())) move(avail.topLeft());
}

void MainWindow::setPresentationMode(bool on)
{
    mPresentation = on;
    mPresentationAction->setChecked(on);
    // Only the stage and the explanation: the docks' state comes back afterwards.
    if (on) {
        mNormalState = saveState();
        for (QDockWidget* d : {mArchitectureDock, mDecodingDock, mComparisonDock, mWeightsDock, mLabDock}) d->hide();
        mExplainDock->show();
        mExplainDock->raise();
        showFullScreen();
        widenExplanation();
    } else {
        if (!mNormalState.isEmpty()) restoreState(mNormalState);
        mNormalState.clear();
        showNormal();
    }
    applyFonts();
}

void MainWindow::setDark(bool dark)
{
    mDark = dark;
    mDarkAction->setChecked(dark);
    QPalette p;
    if (dark) {
        p.setColor(QPalette::Window, QColor(37, 37, 42));
        p.setColor(QPalette::WindowText, QColor(230, 230, 230));
        p.setColor(QPalette::Base, QColor(28, 28, 32));
        p.setColor(QPalette::AlternateBase, QColor(50, 50, 56));
        p.setColor(QPalette::Text, QColor(230, 230, 230));
        p.setColor(QPalette::Button, QColor(50, 50, 56));
        p.setColor(QPalette::ButtonText, QColor(230, 230, 230));
        p.setColor(QPalette::Highlight, QColor(86, 180, 233));
        p.setColor(QPalette::HighlightedText, Qt::black);
        p.setColor(QPalette::Mid, QColor(110, 110, 118));
        p.setColor(QPalette::ToolTipBase, QColor(50, 50, 56));
        p.setColor(QPalette::ToolTipText, QColor(230, 230, 230));
    } else {
        p = QApplication::style()->standardPalette();
        p.setColor(QPalette::Highlight, QColor(0, 114, 178));
    }
    QApplication::setPalette(p);
    setPalette(p);
    recolorMediaIcons(findChild<QToolBar*>("steps"), p.color(QPalette::ButtonText));
    mArchitecture->setDark(dark);
    mStage->setDark(dark);
    mDecoding->refresh();
    mExplain->setPalette(p);
    mExplain->refresh();
}

void MainWindow::setColormap(Colormap map)
{
    mColormap = map;
    mCividisAction->setChecked(map == Colormap::Cividis);
    mStage->setColormap(map);
    mDecoding->setColormap(map);
}

void MainWindow::setZoom(double zoom)
{
    mZoom = std::clamp(zoom, 0.5, 4.0);
    applyFonts();
}

// Presentation mode (a projector): every view's text at least 20 px, and nothing a plot
// shrinks (labels, numbers) below 18 px; otherwise labels may shrink to 3/4 of the font.
void MainWindow::applyFonts()
{
    QFont f = QApplication::font();
    double points = mBaseFontSize * mZoom * (mPresentation ? 1.6 : 1.0);
    const double dpi = std::max(1, logicalDpiY());
    if (mPresentation) points = std::max(points, 20.0 * 72.0 / dpi);
    f.setPointSizeF(points);
    const int px = QFontInfo(f).pixelSize();
    const int minimum = mPresentation ? 18 : std::max(8, px * 3 / 4);
    // The rest of the window (menus, toolbars, dock titles, status bar): presentation size
    // too, so that nothing on a projector is small; the application's font otherwise.
    setFont(mPresentation ? f : QFont());
    for (QWidget* w : {static_cast<QWidget*>(mStage), static_cast<QWidget*>(mExplain),
                       static_cast<QWidget*>(mDecoding), static_cast<QWidget*>(mArchitecture)})
        w->setFont(f);
    mDecoding->setMinimumTextPixels(minimum);
    mStage->setMinimumTextPixels(minimum);  // refreshes
    mDecoding->refresh();
}

namespace {


}  // namespace

// The view is rendered into memory first, then written with every step checked.
bool MainWindow::exportView(const QString& path, QString* error)
{
    const QSize size = this->size();
    QByteArray bytes;
    if (path.endsWith(".svg", Qt::CaseInsensitive)) {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle("Stepformer");
        svg.setDescription(mStage->title());
        QPainter p;
        if (!p.begin(&svg)) {
            if (error) *error = tr("%1: cannot write the SVG file").arg(path);
            return false;
        }
        render(&p);
        p.end();
    } else {
        const QByteArray format = QFileInfo(path).suffix().toLower().toLatin1();
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        if (format.isEmpty() || !QImageWriter::supportedImageFormats().contains(format) ||
            !grab().save(&buffer, format.constData())) {
            if (error) *error = tr("%1: cannot write the image (use .png or .svg)").arg(path);
            return false;
        }
    }
    QString why;
    if (!writeWholeFile(path, bytes, &why)) {
        if (error) *error = tr("%1: cannot write the file (%2)").arg(path, why);
        return false;
    }
    return true;
}

void MainWindow::addRecent(const QString& path)
{
    mRecent = withRecent(mRecent, path);  // one entry per model, however it was spelled
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    mRecentMenu->clear();
    for (const QString& p : mRecent) mRecentMenu->addAction(p, this, [this, p] { openModel(p); });
    mRecentMenu->setEnabled(!mRecent.isEmpty());
}

void MainWindow::loadSettings()
{
    QSettings s;
    if (!restoreGeometry(s.value("window/geometry").toByteArray())) resize(1500, 950);
    restoreState(s.value("window/state").toByteArray());
    mRecent.clear();
    for (const QString& p : s.value("models/recent").toStringList())
        if (const QString n = normalizedModelPath(p); !mRecent.contains(n)) mRecent << n;
    rebuildRecentMenu();
    mZoom = s.value("view/zoom", 1.0).toDouble();
    setAnimationsEnabled(s.value("view/animations", true).toBool());
    setColormap(s.value("view/colormap", "viridis").toString() == "cividis" ? Colormap::Cividis : Colormap::Viridis);
    if (s.value("view/dark", false).toBool()) setDark(true);
    mGranularity->setCurrentIndex(s.value("steps/coarse", false).toBool() ? 1 : 0);
    mSpeed->setCurrentIndex(s.value("steps/speed", 1).toInt());
    const QString sentence = s.value("input/sentence").toString();
    if (!sentence.isEmpty()) mSentence->setText(sentence);
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    s.setValue("models/recent", mRecent);
    s.setValue("view/zoom", mZoom);
    s.setValue("view/animations", mAnimations);
    s.setValue("view/colormap", colormapName(mColormap));
    s.setValue("view/dark", mDark);
    s.setValue("steps/coarse", mGranularity->currentIndex() == 1);
    s.setValue("steps/speed", mSpeed->currentIndex());
    s.setValue("input/sentence", mSentence->text());
}

namespace {
// The model path a drag carries: a local directory, or a file inside a model directory.
QString droppedModel(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1 || !mime->urls().first().isLocalFile()) return {};
    return mime->urls().first().toLocalFile();
}
}  // namespace

void MainWindow::dragEnterEvent(QDragEnterEvent* e)
{
    if (!droppedModel(e->mimeData()).isEmpty()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e)
{
    const QString path = droppedModel(e->mimeData());
    if (path.isEmpty()) return;
    e->acceptProposedAction();
    openModel(path);
}

void MainWindow::closeEvent(QCloseEvent* e)
{
    if (mPersistent) saveSettings();
    if (mStudio) mStudio->close();  // its run stops and saves its checkpoint
    e->accept();
}

}  // namespace sf::ui
