// stepformer [gui] [--model DIR] [--sentence TEXT] [--session FILE | --lesson FILE] [--lang en|zh_CN]:
// the step-through window (language: --lang, else the one chosen in View > Language, else
// the system's); --session opens a session file (docs/session-files.md) instead of a
// sentence; --lesson runs a lesson file (docs/lessons.md; refused with exit 1 and its
// problem when bad).
// stepformer export [--model DIR] --sentence TEXT [decoding] [--intervene SPEC]... (--step N | --steps A-B)
// --out FILE.png|svg|gif [--size WxH] [--presentation] [--difference] [--view NAME] [--delay MS] [--lang L],
// or export --session FILE --out ...: the same window state rendered headless (offscreen),
// fine-grained step numbers from 0; English unless --lang says otherwise. A .gif holds one
// frame per step of --steps. Messages on the command line stay English.
#include "app/cli.h"
#include "app/cli_decoding.h"
#include "app/cli_grammar.h"
#include "app/cli_options.h"

#include "core/run/lesson.h"

#include "ui/classroompanel.h"
#include "ui/comparisonview.h"
#include "ui/headatlasview.h"
#include "ui/labview.h"
#include "ui/strategypanel.h"
#include "ui/language.h"
#include "ui/animationexport.h"
#include "ui/mainwindow.h"
#include "ui/sessionfiles.h"
#include "ui/stageview.h"
#include "ui/texttable.h"

#include <map>

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace sf::cli {

namespace {

// --lang, checked; `fallback` when absent. False after printing the usage error.
bool languageOption(const QCommandLineParser& p, const QString& fallback, QString* language)
{
    const QString given = p.isSet("lang") ? p.value("lang") : fallback;
    *language = ui::normalizeLanguage(given);
    if (language->isEmpty()) {
        fail("--lang is en or zh_CN, not '" + given.toStdString() + "'", Usage);
        return false;
    }
    return true;
}

// The bundled models as the window's Model menu lists them: (name, directory).
QList<QPair<QString, QString>> bundledList()
{
    QList<QPair<QString, QString>> bundled;
    for (const std::string& name : bundledModelNames())
        bundled.append({QString::fromStdString(name), QString::fromStdString(resolveModel(name))});
    return bundled;
}

// "A-B" -> [A, B] with 0 <= A <= B; false otherwise.
bool parseRange(const QString& s, int* a, int* b)
{
    const QStringList parts = s.split('-');
    if (parts.size() != 2) return false;
    bool okA = false, okB = false;
    *a = parts[0].toInt(&okA);
    *b = parts[1].toInt(&okB);
    return okA && okB && *a >= 0 && *b >= *a;
}

// "comparison", "lab.positions", ...: a session file's view names.
bool parseView(const QString& s, SessionView* view)
{
    for (SessionView v : {SessionView::Decoding, SessionView::Comparison, SessionView::LabDecoding, SessionView::LabForcing,
                          SessionView::LabPositions, SessionView::LabScaling, SessionView::LabAtlas})
        if (s == sessionViewName(v)) return *view = v, true;
    return false;
}

// QApplication takes "-session ID" (X11 session management) out of argv, with or without a
// second dash: our --session FILE is taken out first. Returns the file, empty without it;
// *given is true when the option appeared (with or without a value).
QString takeSessionOption(int& argc, char** argv, bool* given)
{
    QString file;
    *given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        int take = 0;
        if (a == "--session") {
            *given = true;
            take = i + 1 < argc ? 2 : 1;
            if (take == 2) file = QString::fromLocal8Bit(argv[i + 1]);
        } else if (a.rfind("--session=", 0) == 0) {
            *given = true;
            take = 1;
            file = QString::fromLocal8Bit(a.substr(10).c_str());
        }
        if (!take) continue;
        for (int k = i; k + take < argc; ++k) argv[k] = argv[k + take];
        argc -= take;
        break;
    }
    return file;
}

}  // namespace

// The window finds a model's grammar through the app's resources (cached by task).
static ui::GrammarResolver grammarResolver()
{
    auto cache = std::make_shared<std::map<std::string, std::shared_ptr<const text::Grammar>>>();
    return [cache](const std::string& task) -> std::shared_ptr<const text::Grammar> {
        if (const auto it = cache->find(task); it != cache->end()) return it->second;
        std::shared_ptr<const text::Grammar> g;
        if (const text::GrammarTask* t = text::findGrammarTask(task))
            if (auto loaded = loadGrammar(*t)) g = *loaded;
        (*cache)[task] = g;
        return g;
    };
}

int gui(int argc, char** argv)
{
    bool sessionGiven = false;
    const QString session = takeSessionOption(argc, argv, &sessionGiven);
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Stepformer");
    QApplication::setApplicationName("Stepformer");
    QStringList args = QApplication::arguments();
    args.removeFirst();
    if (!args.isEmpty() && args.first() == "gui") args.removeFirst();
    QCommandLineParser p;
    p.addOption({"model", "A bundled model's name (en-fr, fr-en, ...) or a model directory (default: en-fr).", "NAME|DIR"});
    p.addOption({"sentence", "Sentence to translate at start.", "TEXT"});
    p.addOption({"lang", "Language of the window: en or zh_CN.", "LANG"});
    p.addOption({"lesson", "A lesson file to run (docs/lessons.md): its model, sentence and slides.", "FILE"});
    if (!p.parse(QStringList("stepformer") + args)) return fail(p.errorText().toStdString(), Usage);
    if (!p.positionalArguments().isEmpty())
        return fail("unknown command '" + p.positionalArguments().first().toStdString() + "'", Usage);
    QString language;
    const QString saved = QSettings().value("view/language").toString();
    if (!languageOption(p, saved.isEmpty() ? ui::systemLanguage() : saved, &language)) return Usage;
    QString error;
    if (!ui::setLanguage(language, &error)) return fail(error.toStdString());

    if (p.isSet("lesson"))
        if (Result<Lesson> l = readLesson(p.value("lesson").toStdString()); !l) return fail(l.message());
    ui::MainWindow w;
    const QString model = QString::fromStdString(modelDirOption(p));
    w.setBundledModels(bundledList());
    w.document()->setGrammarResolver(grammarResolver());
    if (p.isSet("sentence")) w.sentenceBox()->setText(p.value("sentence"));
    w.show();
    if (sessionGiven) {
        if (session.isEmpty()) return fail("--session needs a file", Usage);
        if (p.isSet("lesson")) return fail("give --session or --lesson, not both", Usage);
        if (!ui::openSessionFile(w, session, &error)) return fail(error.toStdString());
        return app.exec();
    }
    if (p.isSet("lesson")) {
        // The lesson opens its own model and sentence.
        if (!w.classroom()->openLesson(p.value("lesson"), &error)) return fail(error.toStdString());
    } else if (!model.isEmpty()) {
        // Translate the sentence once the model is in (both run off the GUI thread).
        QObject::connect(w.document(), &ui::TranslationDocument::modelChanged, &w, [&w] { w.translateSentence(); },
                         Qt::SingleShotConnection);
        w.openModel(model);
    }
    return app.exec();
}

int exportView(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    bool sessionGiven = false;
    const QString session = takeSessionOption(argc, argv, &sessionGiven);
    QApplication app(argc, argv);
    QStringList args = QApplication::arguments();
    args.removeFirst();
    args.removeFirst();  // "export"
    QCommandLineParser p;
    p.addOption({"model", "A bundled model's name (en-fr, fr-en, ...) or a model directory (default: en-fr).", "NAME|DIR"});
    p.addOption({"sentence", "The sentence to translate.", "TEXT"});
    p.addOption({"step", "Fine-grained step number, from 0.", "N", "0"});
    p.addOption({"steps", "Steps A to B (fine-grained, from 0), one GIF frame each.", "A-B"});
    p.addOption({"delay", "GIF: how long each frame is shown, in milliseconds.", "MS", "800"});
    p.addOption({"view", "The dock tab beside the stage: decoding, comparison, lab.decoding, lab.forcing, "
                         "lab.positions, lab.scaling or lab.atlas.", "NAME"});
    p.addOption({"out", "Output file: .png, .svg or .gif.", "FILE"});
    p.addOption({"size", "Window size WxH.", "WxH", "1600x1000"});
    p.addOption({"dark", "Dark theme."});
    p.addOption({"presentation", "Presentation mode (F5 in the window): larger text everywhere."});
    p.addOption({"difference", "With --intervene: heatmaps show after minus the translation without interventions."});
    addDecodingOptions(p);
    p.addOption({"lang", "Language of the window: en (default) or zh_CN.", "LANG"});
    if (!p.parse(QStringList("export") + args)) return fail(p.errorText().toStdString(), Usage);
    QString language;
    if (!languageOption(p, "en", &language)) return Usage;
    const Kernels* backend = nullptr;
    if (const int code = readDevice(p, &backend); code != Ok) return code;
    if (const int code = checkDecodingUsage(p); code != Ok) return code;
    // The window's document runs its sessions on the CPU backend, the only one a build has
    // today; a second backend must be threaded through TranslationDocument first.
    if (backend != &cpuKernels()) return fail(std::string("export runs on the cpu backend, not ") + backend->name(), BadInput);
    // --session FILE (taken out of argv before QApplication): the state of a session file.
    if (sessionGiven && session.isEmpty()) return fail("--session needs a file", Usage);
    if ((!p.isSet("sentence") && !sessionGiven) || !p.isSet("out"))
        return fail("export needs --sentence (or --session FILE) and --out", Usage);
    if (sessionGiven && p.isSet("sentence")) return fail("give --session or --sentence, not both", Usage);
    int step = 0;
    if (!intOption(p, "step", 0, 1 << 24, &step)) return Usage;
    int delay = 800;
    if (!intOption(p, "delay", 20, 60000, &delay)) return Usage;
    const QString out = p.value("out");
    const bool gif = out.endsWith(".gif", Qt::CaseInsensitive);
    if (!out.endsWith(".png", Qt::CaseInsensitive) && !out.endsWith(".svg", Qt::CaseInsensitive) && !gif)
        return fail("--out must end in .png, .svg or .gif", Usage);
    int from = step, to = step;
    if (p.isSet("steps")) {
        if (!gif) return fail("--steps A-B makes an animation: --out must end in .gif (use --step N for one image)", Usage);
        if (p.isSet("step")) return fail("give --step or --steps, not both", Usage);
        if (!parseRange(p.value("steps"), &from, &to) || to > (1 << 24))
            return fail("--steps is A-B with 0 <= A <= B, e.g. --steps 10-30, not '" + p.value("steps").toStdString() + "'",
                        Usage);
    }
    SessionView view = SessionView::Decoding;
    if (p.isSet("view") && !parseView(p.value("view"), &view))
        return fail("--view is decoding, comparison, lab.decoding, lab.forcing, lab.positions, lab.scaling or lab.atlas, "
                    "not '" + p.value("view").toStdString() + "'", Usage);
    const QStringList size = p.value("size").split('x');
    if (size.size() != 2 || size[0].toInt() < 200 || size[1].toInt() < 200) return fail("--size is WxH, e.g. 1600x1000", Usage);

    QString error;
    if (!ui::setLanguage(language, &error)) return fail(error.toStdString());
    ui::MainWindow w(false);
    w.setAnimationsEnabled(false);
    w.setBundledModels(bundledList());
    w.document()->setSynchronous(true);
    w.lab()->setSynchronous(true);  // a lab pass a session file starts is done before the frame is drawn
    if (p.isSet("dark")) w.setDark(true);
    const QSize asked(size[0].toInt(), size[1].toInt());
    w.resize(asked);
    // The command line stays English: core's own message, not the window's translation.
    auto english = [&w](const QString& shown) {
        const QString detail = w.document()->lastErrorDetail();
        return (detail.isEmpty() ? shown : detail).toStdString();
    };
    if (sessionGiven) {
        if (!ui::openSessionFile(w, session, &error)) return fail(error.toStdString());
        if (!w.document()->translation()) return fail(w.lastError().toStdString());
        if (!p.isSet("step") && !p.isSet("steps")) from = to = w.document()->currentIndex();
    } else {
        const QString model = QString::fromStdString(modelDirOption(p));
        if (model.isEmpty()) return BadInput;
        if (!w.document()->loadModelNow(model, &error)) return fail(english(error));
        DecodeOptions options;
        if (const int code = readDecodingOptions(p, *w.document()->model(), &options); code != Ok) return code;
        w.sentenceBox()->setText(p.value("sentence"));
        w.lab()->strategy()->setStrategy(options.strategy);  // the picture shows the decoding that ran
        if (!w.document()->translateNow(p.value("sentence"), &error, options)) return fail(english(error));
    }
    const int steps = int(w.document()->steps().size());
    if (to >= steps)
        return fail((p.isSet("steps") ? "--steps " + p.value("steps").toStdString() : "--step " + std::to_string(to)) +
                    " is past the end: this translation has " + std::to_string(steps) + " steps (0 to " +
                    std::to_string(steps - 1) + ")");
    step = from;
    w.document()->setCurrentIndex(step);
    if (p.isSet("difference") && !w.labAction("lab.difference")->isChecked()) w.labAction("lab.difference")->trigger();
    if (p.isSet("view")) ui::showSessionView(w, view);
    w.show();
    if (p.isSet("presentation")) {
        // As F5 does, but at the asked size rather than the (virtual) screen's.
        w.setPresentationMode(true);
        w.showNormal();
    }
    w.resize(asked);
    for (int i = 0; i < 3; ++i) QApplication::processEvents();  // layouts and queued replots settle
    if (w.size() != asked)
        return fail("the window could not be made " + std::to_string(asked.width()) + "x" + std::to_string(asked.height()) +
                    " (it is " + std::to_string(w.width()) + "x" + std::to_string(w.height()) + ")");
    if (gif) {
        if (!ui::exportAnimation(w, ui::AnimationRange{from, to, delay}, out, &error)) return fail(error.toStdString());
        std::cout << "wrote " << out.toStdString() << ": steps " << from << "-" << to << " of " << steps << ", "
                  << (to - from + 1) << " frames of " << asked.width() << "x" << asked.height() << "\n";
        return Ok;
    }
    if (!w.exportView(out, &error)) return fail(error.toStdString());
    std::cout << "wrote " << out.toStdString() << ": step " << step << " of " << steps << ", "
              << ui::TextTable::english().renderUtf8(w.document()->steps()[size_t(step)].title()) << "\n";
    return Ok;
}

}  // namespace sf::cli

namespace sf::cli {

namespace {
double median(std::vector<double> v)
{
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}
}  // namespace

// stepformer bench ui [--model DIR] [--sentence TEXT] [--toggles N] [--atlas N] [--json]:
// offscreen, the window's budgets. translate_ms: Translate pressed -> every view ready
// (worker thread + the GUI thread's rebuild). step_ms: GUI-thread work per step change,
// painting included (median and max over every step). fps: frames painted per second during
// a transition. toggle_ms: the why-lab's Ctrl+K on decoder layer 1's cross-attention head 1
// (switched off, then on again, N times in all) -> the new translation back from its worker
// thread and the comparison view painted (median, max; the whole window's paint besides).
// atlas: the head atlas over 200 sentences, off the GUI thread: the agreement ranking,
// then the ablation ranking over the atlas's default batch, 200 sentences too (and ms per sentence).
int benchUi(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStringList args = QApplication::arguments();
    args = args.mid(3);  // stepformer bench ui
    QCommandLineParser p;
    p.addOption({"model", "A bundled model's name (en-fr, fr-en, ...) or a model directory (default: en-fr).", "NAME|DIR"});
    p.addOption({"sentence", "Sentence.", "TEXT", "the little black cat sleeps on the red chair"});
    p.addOption({"max-length", "Output tokens at most (0 = automatic).", "N", "0"});
    p.addOption({"toggles", "Intervention toggles timed.", "N", "20"});
    p.addOption({"atlas", "Head atlas: sentences for the agreement ranking (0 = skip the atlas).", "N", "200"});
    p.addOption({"atlas-ablation", "Head atlas: sentences for the ablation ranking.", "N",
                 QString::number(ui::HeadAtlasView::kDefaultAblationSentences)});
    p.addOption({"json", "End with one JSON line."});
    if (!p.parse(QStringList("bench") + args)) return fail(p.errorText().toStdString(), Usage);
    int maxLength = 0, toggles = 20, atlasN = 200, atlasAblation = 0;
    if (!intOption(p, "max-length", 0, 1 << 16, &maxLength) || !intOption(p, "toggles", 2, 100000, &toggles) ||
        !intOption(p, "atlas", 0, 2000, &atlasN) || !intOption(p, "atlas-ablation", 0, 2000, &atlasAblation))
        return Usage;
    const QString model = QString::fromStdString(modelDirOption(p));
    if (model.isEmpty()) return BadInput;

    ui::MainWindow w(false);
    w.document()->setMaxLength(maxLength);
    w.setAnimationsEnabled(false);
    w.resize(1600, 1000);
    w.show();
    QString error;
    // The command line stays English: core's own message, not the window's translation.
    auto english = [&w](const QString& shown) {
        const QString detail = w.document()->lastErrorDetail();
        return (detail.isEmpty() ? shown : detail).toStdString();
    };
    if (!w.document()->loadModelNow(model, &error)) return fail(english(error));
    QApplication::processEvents();

    // Translate -> ready: median of 5 (each: async translate, rebuild, paint).
    std::vector<double> translateMs;
    for (int r = 0; r < 5; ++r) {
        QElapsedTimer t;
        t.start();
        bool done = false;
        auto c = QObject::connect(w.document(), &ui::TranslationDocument::translationChanged, [&] { done = true; });
        w.document()->translate(p.value("sentence"));
        while (!done) QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        QObject::disconnect(c);
        w.grab();  // paint every view once
        translateMs.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    if (!w.document()->translation()) return fail("translation failed: " + w.lastError().toStdString());

    // Every step forward: change + layout + paint of the whole window.
    std::vector<double> stepMs;
    double rebuildTotal = 0, paintTotal = 0;
    const int steps = int(w.document()->steps().size());
    for (int i = 1; i < steps; ++i) {
        QElapsedTimer t;
        t.start();
        w.document()->setCurrentIndex(i);
        QApplication::processEvents();
        const double rebuilt = double(t.nsecsElapsed()) / 1e6;
        w.grab();
        const double total = double(t.nsecsElapsed()) / 1e6;
        rebuildTotal += rebuilt, paintTotal += total - rebuilt;
        stepMs.push_back(total);
    }

    // Why-lab: Ctrl+K at decoder layer 1's cross-attention weights (step 1) switches head 1
    // off, the next one on again; each time the Session reruns on the worker thread (the
    // baseline is reused), the views rebuild and the comparison view is painted.
    std::vector<double> toggleMs, toggleWindowMs, toggleWorkerMs;
    int crossStep = -1;
    for (int i = 0; i < steps && crossStep < 0; ++i) {
        const Step& st = w.document()->steps()[size_t(i)];
        if (st.decoder && st.layer == 0 && st.sublayer == Sublayer::CrossAttention && st.stage == Stage::Weights) crossStep = i;
    }
    if (crossStep < 0) return fail("the translation has no cross-attention step to switch a head off at");
    w.document()->setCurrentIndex(crossStep);
    w.document()->setSelectedHead(0);
    QApplication::processEvents();
    QAction* ablate = w.labAction("lab.ablateHead");
    for (int r = 0; r < toggles + 2; ++r) {  // the first two warm up
        if (!ablate->isEnabled()) return fail("the Lab's switch-off action is disabled at the cross-attention step");
        QElapsedTimer t;
        t.start();
        bool done = false;
        auto c = QObject::connect(w.document(), &ui::TranslationDocument::translationChanged, [&] { done = true; });
        ablate->trigger();
        while (!done || w.document()->busy()) QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        QObject::disconnect(c);
        QApplication::processEvents();  // queued refreshes
        w.comparison()->grab();         // the comparison view painted
        const double painted = double(t.nsecsElapsed()) / 1e6;
        w.grab();                       // and the rest of the window
        if (r >= 2) {
            toggleMs.push_back(painted), toggleWindowMs.push_back(double(t.nsecsElapsed()) / 1e6);
            toggleWorkerMs.push_back(w.document()->lastTranslateMs());  // the Session's part, on the worker
        }
    }
    if (!w.lastError().isEmpty()) return fail("switching a head off failed: " + w.lastError().toStdString());
    if (!w.document()->interventions().empty()) ablate->trigger();  // an odd count leaves it off
    while (w.document()->busy()) QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    std::sort(toggleMs.begin(), toggleMs.end());
    std::sort(toggleWindowMs.begin(), toggleWindowMs.end());

    // The head atlas, as the Lab's tab runs it: off the GUI thread, the GUI kept running.
    double atlasAgreeMs = 0, atlasAblationMs = 0, atlasWallMs = 0;
    int atlasAblated = 0;
    long atlasWords = 0;
    if (atlasN > 0) {
        ui::HeadAtlasView* atlas = w.lab()->atlas();
        atlas->batchSize()->setValue(atlasN);
        atlas->ablationSize()->setValue(atlasAblation);
        QElapsedTimer t;
        t.start();
        bool done = false;
        auto c = QObject::connect(atlas, &ui::HeadAtlasView::finished, [&] { done = true; });
        atlas->run();
        while (!done) QApplication::processEvents(QEventLoop::WaitForMoreEvents, 20);
        QObject::disconnect(c);
        atlasWallMs = double(t.nsecsElapsed()) / 1e6;
        const ui::HeadAtlasView::Result* r = atlas->result();
        if (!r || !r->error.isEmpty()) return fail("head atlas: " + (r ? r->error.toStdString() : std::string("no result")));
        atlasAgreeMs = r->agreementMs, atlasAblationMs = r->ablationMs;
        atlasAblated = r->batchImpact.sentences, atlasWords = r->batch.words;
    }

    // Animation: frames painted per second while a transition runs.
    w.setAnimationsEnabled(true);
    int frames = 0;
    QElapsedTimer t;
    int maskStep = 0;
    for (int i = 0; i < steps; ++i)
        if (w.document()->steps()[size_t(i)].stage == Stage::Mask) maskStep = i;
    w.document()->setCurrentIndex(maskStep);
    t.start();
    while (t.elapsed() < 340) {
        QApplication::processEvents();
        w.stage()->grab();
        ++frames;
    }
    const double fps = frames / (double(t.nsecsElapsed()) / 1e9);

    std::sort(translateMs.begin(), translateMs.end());
    std::sort(stepMs.begin(), stepMs.end());
    const double tMed = translateMs[translateMs.size() / 2];
    const double sMed = stepMs.empty() ? 0 : stepMs[stepMs.size() / 2];
    const double sP95 = stepMs.empty() ? 0 : stepMs[size_t(double(stepMs.size()) * 0.95)];
    const double sMax = stepMs.empty() ? 0 : stepMs.back();
    std::printf("model %s, \"%s\": %d steps\n", model.toUtf8().constData(), p.value("sentence").toUtf8().constData(), steps);
    std::printf("translate -> every view ready: %.1f ms (median of 5)\n", tMed);
    std::printf("GUI-thread work per step change (with paint): median %.2f ms, p95 %.2f ms, max %.2f ms\n", sMed, sP95,
                sMax);
    std::printf("  of which rebuilding the views %.2f ms and painting %.2f ms on average\n",
                rebuildTotal / std::max(1, steps - 1), paintTotal / std::max(1, steps - 1));
    std::printf("animation: %.0f frames/s (stage repainted each frame)\n", fps);
    const double togMed = median(toggleMs), togMax = toggleMs.back(), togWin = median(toggleWindowMs);
    std::printf("switch a head off/on -> comparison view painted: median %.1f ms, max %.1f ms over %d toggles "
                "(of which the translation on the worker thread %.1f ms; whole window painted: median %.1f ms)\n",
                togMed, togMax, toggles, median(toggleWorkerMs), togWin);
    if (atlasN > 0)
        std::printf("head atlas: agreement over %d sentences (%ld target words) %.2f s; ablation over %d sentences "
                    "%.2f s (%.1f ms a sentence, %.1f s for %d); %.2f s in all, off the GUI thread\n",
                    atlasN, atlasWords, atlasAgreeMs / 1000, atlasAblated, atlasAblationMs / 1000,
                    atlasAblated > 0 ? atlasAblationMs / atlasAblated : 0.0,
                    atlasAblated > 0 ? atlasAblationMs / atlasAblated * atlasN / 1000 : 0.0, atlasN, atlasWallMs / 1000);
    if (p.isSet("json"))
        std::printf("{\"translate_ms\": %.3f, \"step_ms\": %.3f, \"step_ms_p95\": %.3f, \"step_ms_max\": %.3f, \"fps\": %.1f, "
                    "\"toggle_ms\": %.3f, \"toggle_ms_max\": %.3f, \"toggle_window_ms\": %.3f, \"atlas_sentences\": %d, "
                    "\"atlas_agreement_ms\": %.1f, \"atlas_ablation_sentences\": %d, \"atlas_ablation_ms\": %.1f, "
                    "\"atlas_ms\": %.1f}\n",
                    tMed, sMed, sP95, sMax, fps, togMed, togMax, togWin, atlasN, atlasAgreeMs, atlasAblated,
                    atlasAblationMs, atlasWallMs);
    return Ok;
}

}  // namespace sf::cli
