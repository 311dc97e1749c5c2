// The main window: sentence box and Translate, the step controls, the Architecture
// (left), Stage (centre), Explain (right) and Decoding (bottom) views over one
// TranslationDocument; presentation mode, zoom, themes, colormaps, animations, export,
// and settings that persist.
#pragma once

#include "ui/colormap.h"
#include "ui/translationdocument.h"

#include <QMainWindow>
#include <QList>

#include <functional>
#include <vector>
#include <QTimer>
#include <QVariantAnimation>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;

namespace sf::ui {

class ArchitectureView;
class ClassroomPanel;
class ComparisonView;
class DecodingView;
class ExplainView;
class LabView;
class StageView;
class TrainingStudio;
class WeightsView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `persistent` = read and write QSettings (off for headless export and tests).
    explicit MainWindow(bool persistent = true, QWidget* parent = nullptr);
    ~MainWindow() override;

    TranslationDocument* document() { return &mDoc; }
    StageView* stage() const { return mStage; }
    DecodingView* decoding() const { return mDecoding; }
    ArchitectureView* architecture() const { return mArchitecture; }
    ExplainView* explanation() const { return mExplain; }
    WeightsView* weights() const { return mWeights; }
    ComparisonView* comparison() const { return mComparison; }
    LabView* lab() const { return mLab; }  // the why-lab's experiments (a dock of tabs)
    // The Lab menu's actions, by object name ("lab.ablateHead", "lab.ablateLayer", "lab.clear",
    // "lab.noPositions", "lab.noScale", "lab.cheat", "lab.difference", "lab.undo", "lab.redo",
    // "lab.showDecoding", "lab.showForcing", "lab.showPositions", "lab.showScaling", "lab.showAtlas").
    QAction* labAction(const QString& name) const;
    QLineEdit* sentenceBox() const { return mSentence; }
    QPushButton* translateButton() const { return mTranslate; }
    QString lastError() const { return mLastError; }
    QStringList recentModels() const { return mRecent; }  // File > Open recent, newest first
    // Train > Training studio (Ctrl+T): opened on first use, kept for the session.
    TrainingStudio* openStudio();
    QMenu* modelMenu() const { return mModelMenu; }
    // The lesson, the Predict panel and their actions (a dock tabbed with Explain).
    ClassroomPanel* classroom() const { return mClassroom; }

    // Renders the window to a .png or .svg file.
    bool exportView(const QString& path, QString* error = nullptr);
    void setAnimationsEnabled(bool on);
    bool animationsEnabled() const { return mAnimations; }
    // F5: full screen, larger text everywhere; Esc leaves it.
    void setPresentationMode(bool on);
    bool presentationMode() const { return mPresentation; }
    void setDark(bool dark);
    void setColormap(Colormap map);
    void setZoom(double zoom);
    double zoom() const { return mZoom; }

    // The Model menu: one submenu per bundled model (name, directory); its actions open
    // the model, and each example sentence of its examples.json opens it with that
    // sentence in the box.
    void setBundledModels(const QList<QPair<QString, QString>>& models);
    const QList<QPair<QString, QString>>& bundledModels() const { return mBundled; }

public slots:
    void openModel(const QString& path);
    void translateSentence();

    // View > Language: switches the whole application; remembered when persistent.
    void setLanguage(const QString& language);

protected:
    void closeEvent(QCloseEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void changeEvent(QEvent*) override;  // LanguageChange: every text set by translated()
    // A model directory or its model.safetensors dropped on the window opens it.
    void dragEnterEvent(QDragEnterEvent*) override;
    void dropEvent(QDropEvent*) override;

private:
    // Runs `apply` (which sets texts from tr()) now and again on every LanguageChange.
    void translated(std::function<void()> apply);
    void buildActions();
    void buildLabMenu();
    void updateLab();
    // The attention of the current step (false elsewhere).
    bool currentAttention(Stack* stack, int* layer, AttentionKind* kind, int* heads) const;
    void toggleHead(int head);
    void ablateLayer();
    DecodeOptions toolbarOptions() const;  // the strategy the toolbar asks for, lab state kept
    void buildToolbars();
    void buildDocks();
    void updateControls();
    void onStepChanged(int index);
    void onBlockClicked(int block);
    void applyFonts();
    // Not larger than the screen's available area (a saved geometry from a larger screen).
    void fitToScreen();
    void widenExplanation();
    void loadSettings();
    void saveSettings() const;
    void addRecent(const QString& path);
    void rebuildRecentMenu();

    TranslationDocument mDoc;
    bool mPersistent;
    StageView* mStage = nullptr;
    ArchitectureView* mArchitecture = nullptr;
    ExplainView* mExplain = nullptr;
    DecodingView* mDecoding = nullptr;
    QDockWidget* mArchitectureDock = nullptr;
    QDockWidget* mExplainDock = nullptr;
    QDockWidget* mDecodingDock = nullptr;
    WeightsView* mWeights = nullptr;     // tabbed with Explain
    QDockWidget* mWeightsDock = nullptr;
    ComparisonView* mComparison = nullptr;  // tabbed with Decoding
    QDockWidget* mComparisonDock = nullptr;
    QList<QAction*> mLabActions;
    LabView* mLab = nullptr;             // tabbed with Decoding
    QDockWidget* mLabDock = nullptr;
    ClassroomPanel* mClassroom = nullptr;
    QDockWidget* mClassroomDock = nullptr;
    void showLabTab(int tab);
    QLineEdit* mSentence = nullptr;
    QPushButton* mTranslate = nullptr;
    QSpinBox* mBeam = nullptr;
    QSlider* mTimeline = nullptr;
    QLabel* mStepLabel = nullptr;
    QProgressBar* mBusyBar = nullptr;
    QComboBox* mGranularity = nullptr;
    QComboBox* mSpeed = nullptr;
    QAction* mPlayAction = nullptr;
    QAction* mPresentationAction = nullptr;
    QAction* mDarkAction = nullptr;
    QAction* mCividisAction = nullptr;
    QAction* mAnimationsAction = nullptr;
    QMenu* mModelMenu = nullptr;
    QList<QPair<QString, QString>> mBundled;  // (name, directory) of each bundled model
    QMenu* mRecentMenu = nullptr;
    QList<QAction*> mLanguageActions;
    std::vector<std::function<void()>> mRetranslate;
    QStringList mRecent;
    QTimer mPlayTimer;
    QVariantAnimation mTransition;
    QString mLastError;
    TrainingStudio* mStudio = nullptr;  // a top-level window, deleted with this one
    QByteArray mNormalState;  // the docks before presentation mode
    double mZoom = 1.0;
    double mBaseFontSize = 10.0;
    bool mAnimations = true;
    bool mDark = false;
    bool mPresentation = false;
    Colormap mColormap = Colormap::Viridis;
};

}  // namespace sf::ui
