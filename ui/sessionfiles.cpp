#include "ui/sessionfiles.h"

#include "ui/filewrite.h"

#include "ui/comparisonview.h"
#include "ui/decodingview.h"
#include "ui/forcingview.h"
#include "ui/labview.h"
#include "ui/mainwindow.h"
#include "ui/strategypanel.h"

#include <QAction>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QPushButton>

#include <memory>

namespace sf::ui {

namespace {

constexpr qint64 kMaxSessionBytes = 1 << 20;

struct SessionFiles {
    Q_DECLARE_TR_FUNCTIONS(SessionFiles)
};

QDockWidget* dockOf(QWidget* w)
{
    for (QWidget* p = w; p; p = p->parentWidget())
        if (auto* d = qobject_cast<QDockWidget*>(p)) return d;
    return nullptr;
}

QString canonical(const QString& dir)
{
    const QString c = QFileInfo(dir).canonicalFilePath();
    return c.isEmpty() ? QFileInfo(dir).absoluteFilePath() : c;
}

QComboBox* granularityBox(const MainWindow& w) { return w.findChild<QComboBox*>("granularity"); }

}  // namespace

// A dock tabbed behind another stays "visible", moved out of the window: what is shown is
// what has a visible region.
static bool shown(QWidget* w)
{
    QDockWidget* d = dockOf(w);
    return w->isVisible() && d && !d->visibleRegion().isEmpty();
}

SessionView shownSessionView(const MainWindow& w)
{
    if (shown(w.lab())) {
        switch (w.lab()->currentIndex()) {
        case LabView::ForcingTab: return SessionView::LabForcing;
        case LabView::PositionsTab: return SessionView::LabPositions;
        case LabView::ScalingTab: return SessionView::LabScaling;
        case LabView::AtlasTab: return SessionView::LabAtlas;
        default: return SessionView::LabDecoding;
        }
    }
    if (shown(w.comparison())) return SessionView::Comparison;
    return SessionView::Decoding;
}

void showSessionView(MainWindow& w, SessionView view)
{
    QWidget* target = w.decoding();
    int tab = -1;
    switch (view) {
    case SessionView::Decoding: break;
    case SessionView::Comparison: target = w.comparison(); break;
    case SessionView::LabDecoding: target = w.lab(), tab = LabView::DecodingTab; break;
    case SessionView::LabForcing: target = w.lab(), tab = LabView::ForcingTab; break;
    case SessionView::LabPositions: target = w.lab(), tab = LabView::PositionsTab; break;
    case SessionView::LabScaling: target = w.lab(), tab = LabView::ScalingTab; break;
    case SessionView::LabAtlas: target = w.lab(), tab = LabView::AtlasTab; break;
    }
    if (tab >= 0) w.lab()->setCurrentIndex(tab);
    if (QDockWidget* d = dockOf(target)) {
        d->show();
        d->raise();
    }
}

SessionFile captureSession(const MainWindow& w)
{
    const TranslationDocument* doc = const_cast<MainWindow&>(w).document();
    SessionFile s;
    const QString dir = canonical(doc->modelPath());
    s.model = dir.toStdString();
    for (const auto& [name, bundled] : w.bundledModels())
        if (canonical(bundled) == dir) s.model = name.toStdString();
    s.sentence = doc->translation() ? doc->translation()->sourceText : w.sentenceBox()->text().toStdString();
    const DecodeOptions& o = doc->options();
    s.decoding = o.strategy;
    s.minLength = o.minLength;
    s.maxLength = o.maxLength;
    s.interventions = o.interventions.specs();
    s.step = doc->currentIndex();
    s.coarse = doc->coarse();
    s.view = shownSessionView(w);
    s.difference = w.labAction("lab.difference")->isChecked();
    s.forcingNoMaskModel = w.lab()->forcing()->noMaskButton()->isChecked();
    return s;
}

bool saveSessionFile(const MainWindow& w, const QString& path, QString* error)
{
    if (!const_cast<MainWindow&>(w).document()->model()) {
        *error = SessionFiles::tr("%1: nothing to save: open a model and translate a sentence first").arg(path);
        return false;
    }
    const QByteArray bytes = QByteArray::fromStdString(sessionFileToJson(captureSession(w)));
    QString why;
    if (!writeWholeFile(path, bytes, &why)) {
        *error = SessionFiles::tr("%1: cannot write the file (%2)").arg(path, why);
        return false;
    }
    return true;
}

bool openSessionFile(MainWindow& w, const QString& path, QString* error)
{
    TranslationDocument* doc = w.document();
    if (doc->busy()) {
        *error = SessionFiles::tr("%1: the window is busy (loading or translating); open the session again in a moment").arg(path);
        return false;
    }
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = SessionFiles::tr("%1: cannot read the file (%2)").arg(path, f.errorString());
        return false;
    }
    if (f.size() > kMaxSessionBytes) {
        *error = SessionFiles::tr("%1: %2 bytes is too large for a session file (at most %3)").arg(path).arg(f.size()).arg(kMaxSessionBytes);
        return false;
    }
    const QByteArray text = f.readAll();
    const std::string name = path.toStdString();
    auto parsed = parseSessionFile(text.toStdString(), name);
    if (!parsed) {
        *error = QString::fromStdString(parsed.message());
        return false;
    }
    const SessionFile s = std::move(parsed).value();

    // The model: a bundled name, else a directory (relative to the session file's folder).
    const QString model = QString::fromStdString(s.model);
    QString dir;
    for (const auto& [n, bundled] : w.bundledModels())
        if (n == model) dir = bundled;
    if (dir.isEmpty()) {
        const QString relative = QFileInfo(path).absoluteDir().filePath(model);
        if (QFileInfo(model).isDir()) dir = model;
        else if (QFileInfo(relative).isDir()) dir = relative;
    }
    if (dir.isEmpty()) {
        *error = SessionFiles::tr("%1: model \"%2\" is neither a bundled model nor a directory").arg(path, model);
        return false;
    }
    if (!doc->model() || canonical(doc->modelPath()) != canonical(dir)) {
        // Checked against the model's config first, so that a refused file changes nothing;
        // then loaded here (a bundled model takes tens of milliseconds): the rest needs it.
        auto config = loadConfig((QDir(dir).filePath("config.json")).toStdString());
        if (!config) {
            *error = SessionFiles::tr("%1: model: %2").arg(path, QString::fromStdString(config.message()));
            return false;
        }
        auto options = sessionOptions(s, *config, name);
        if (!options) {
            *error = QString::fromStdString(options.message());
            return false;
        }
        QString why;
        if (!doc->loadModelNow(dir, &why)) {
            *error = SessionFiles::tr("%1: model: %2").arg(path, why);
            return false;
        }
    }
    auto options = sessionOptions(s, doc->model()->config(), name);
    if (!options) {
        *error = QString::fromStdString(options.message());
        return false;
    }

    w.sentenceBox()->setText(QString::fromStdString(s.sentence));
    if (QComboBox* g = granularityBox(w)) g->setCurrentIndex(s.coarse ? 1 : 0);
    doc->setCoarse(s.coarse);
    StrategyPanel* panel = w.lab()->strategy();
    panel->setStrategy(s.decoding);

    // When the translation arrives: the step, the view and the difference mode.
    auto* guard = new QObject(&w);  // ends both connections after the first of them
    auto done = std::make_shared<bool>(false);
    QObject::connect(doc, &TranslationDocument::translationChanged, guard, [&w, doc, guard, done, s] {
        if (*done) return;
        *done = true;
        guard->deleteLater();
        const int steps = int(doc->steps().size());
        doc->setCurrentIndex(std::min(s.step, steps - 1));
        if (w.labAction("lab.difference")->isChecked() != s.difference) w.labAction("lab.difference")->trigger();
        showSessionView(w, s.view);
        // The teacher-forcing lab beside the model trained without the mask (when this
        // model's task allows it: the button says why not otherwise).
        QPushButton* noMask = w.lab()->forcing()->noMaskButton();
        if (noMask->isEnabled() && noMask->isChecked() != s.forcingNoMaskModel) noMask->setChecked(s.forcingNoMaskModel);
    });
    QObject::connect(doc, &TranslationDocument::failed, guard, [guard, done] {
        *done = true;
        guard->deleteLater();
    });
    doc->translate(QString::fromStdString(s.sentence), *options);
    return true;
}

}  // namespace sf::ui
