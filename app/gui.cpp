// stepformer [gui] [--model DIR] [--sentence TEXT] [--lang en|zh_CN]: the step-through window
// (language: --lang, else the one chosen in View > Language, else the system's).
// stepformer export [--model DIR] --sentence TEXT [decoding] [--intervene SPEC]... --step N
// --out FILE.png|svg [--size WxH] [--presentation] [--difference] [--lang L]: the same window state rendered headless (offscreen),
// fine-grained step numbers from 0; English unless --lang says otherwise. Messages on the
// command line stay English.
#include "app/cli.h"
#include "app/cli_decoding.h"
#include "app/cli_grammar.h"
#include "app/cli_options.h"

#include "ui/language.h"
#include "ui/mainwindow.h"
#include "ui/stageview.h"
#include "ui/texttable.h"

#include <map>

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSettings>
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
    if (!p.parse(QStringList("stepformer") + args)) return fail(p.errorText().toStdString(), Usage);
    if (!p.positionalArguments().isEmpty())
        return fail("unknown command '" + p.positionalArguments().first().toStdString() + "'", Usage);
    QString language;
    const QString saved = QSettings().value("view/language").toString();
    if (!languageOption(p, saved.isEmpty() ? ui::systemLanguage() : saved, &language)) return Usage;
    QString error;
    if (!ui::setLanguage(language, &error)) return fail(error.toStdString());

    ui::MainWindow w;
    const QString model = QString::fromStdString(modelDirOption(p));
    QList<QPair<QString, QString>> bundled;
    for (const std::string& name : bundledModelNames())
        bundled.append({QString::fromStdString(name), QString::fromStdString(resolveModel(name))});
    w.setBundledModels(bundled);
    w.document()->setGrammarResolver(grammarResolver());
    if (p.isSet("sentence")) w.sentenceBox()->setText(p.value("sentence"));
    w.show();
    if (!model.isEmpty()) {
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
    QApplication app(argc, argv);
    QStringList args = QApplication::arguments();
    args.removeFirst();
    args.removeFirst();  // "export"
    QCommandLineParser p;
    p.addOption({"model", "A bundled model's name (en-fr, fr-en, ...) or a model directory (default: en-fr).", "NAME|DIR"});
    p.addOption({"sentence", "The sentence to translate.", "TEXT"});
    p.addOption({"step", "Fine-grained step number, from 0.", "N", "0"});
    p.addOption({"out", "Output file: .png or .svg.", "FILE"});
    p.addOption({"size", "Window size WxH.", "WxH", "1600x1000"});
    p.addOption({"dark", "Dark theme."});
    p.addOption({"presentation", "Presentation mode (F5 in the window): larger text everywhere."});
    p.addOption({"difference", "With --intervene: heatmaps show after minus the translation without interventions."});
    addDecodingOptions(p);
    p.addOption({"lang", "Language of the window: en (default) or zh_CN.", "LANG"});
    if (!p.parse(QStringList("export") + args)) return fail(p.errorText().toStdString(), Usage);
    QString language;
    if (!languageOption(p, "en", &language)) return Usage;
    if (!p.isSet("sentence") || !p.isSet("out")) return fail("export needs --sentence and --out", Usage);
    int step = 0;
    if (!intOption(p, "step", 0, 1 << 24, &step)) return Usage;
    const QString out = p.value("out");
    if (!out.endsWith(".png", Qt::CaseInsensitive) && !out.endsWith(".svg", Qt::CaseInsensitive))
        return fail("--out must end in .png or .svg", Usage);
    const QStringList size = p.value("size").split('x');
    if (size.size() != 2 || size[0].toInt() < 200 || size[1].toInt() < 200) return fail("--size is WxH, e.g. 1600x1000", Usage);

    const QString model = QString::fromStdString(modelDirOption(p));
    if (model.isEmpty()) return BadInput;
    QString error;
    if (!ui::setLanguage(language, &error)) return fail(error.toStdString());
    ui::MainWindow w(false);
    w.setAnimationsEnabled(false);
    if (p.isSet("dark")) w.setDark(true);
    const QSize asked(size[0].toInt(), size[1].toInt());
    w.resize(asked);
    // The command line stays English: core's own message, not the window's translation.
    auto english = [&w](const QString& shown) {
        const QString detail = w.document()->lastErrorDetail();
        return (detail.isEmpty() ? shown : detail).toStdString();
    };
    if (!w.document()->loadModelNow(model, &error)) return fail(english(error));
    DecodeOptions options;
    if (const int code = readDecodingOptions(p, *w.document()->model(), &options); code != Ok) return code;
    w.sentenceBox()->setText(p.value("sentence"));
    if (!w.document()->translateNow(p.value("sentence"), &error, options)) return fail(english(error));
    const int steps = int(w.document()->steps().size());
    if (step >= steps)
        return fail("--step " + std::to_string(step) + " is past the end: this translation has " + std::to_string(steps) +
                    " steps (0 to " + std::to_string(steps - 1) + ")");
    w.document()->setCurrentIndex(step);
    if (p.isSet("difference")) w.labAction("lab.difference")->trigger();
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
    if (!w.exportView(out, &error)) return fail(error.toStdString());
    std::cout << "wrote " << out.toStdString() << ": step " << step << " of " << steps << ", "
              << ui::TextTable::english().renderUtf8(w.document()->steps()[size_t(step)].title()) << "\n";
    return Ok;
}

}  // namespace sf::cli

namespace sf::cli {

// stepformer bench ui [--model DIR] [--sentence TEXT] [--json]: offscreen, the window's
// budgets. translate_ms: Translate pressed -> every view ready (worker thread + the GUI
// thread's rebuild). step_ms: GUI-thread work per step change, painting included
// (median and max over every step). fps: frames painted per second during a transition.
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
    p.addOption({"json", "End with one JSON line."});
    if (!p.parse(QStringList("bench") + args)) return fail(p.errorText().toStdString(), Usage);
    int maxLength = 0;
    if (!intOption(p, "max-length", 0, 1 << 16, &maxLength)) return Usage;
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
    if (p.isSet("json"))
        std::printf("{\"translate_ms\": %.3f, \"step_ms\": %.3f, \"step_ms_p95\": %.3f, \"step_ms_max\": %.3f, \"fps\": %.1f}\n",
                    tMed, sMed, sP95, sMax, fps);
    return Ok;
}

}  // namespace sf::cli
