// stepformer [gui] [--model DIR] [--sentence TEXT]: the step-through window.
// stepformer export [--model DIR] --sentence TEXT --step N --out FILE.png|svg: the same
// window state rendered headless (offscreen), fine-grained step numbers from 0.
#include "app/cli.h"
#include "app/cli_options.h"

#include "ui/mainwindow.h"
#include "ui/stageview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLineEdit>
#include <QTimer>

#include <iostream>

namespace sf::cli {

int gui(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Stepformer");
    QApplication::setApplicationName("Stepformer");
    QStringList args = QApplication::arguments();
    args.removeFirst();
    if (!args.isEmpty() && args.first() == "gui") args.removeFirst();
    QCommandLineParser p;
    p.addOption({"model", "Model directory (default: the bundled En->Fr model).", "DIR"});
    p.addOption({"sentence", "Sentence to translate at start.", "TEXT"});
    if (!p.parse(QStringList("stepformer") + args)) return fail(p.errorText().toStdString(), Usage);
    if (!p.positionalArguments().isEmpty())
        return fail("unknown command '" + p.positionalArguments().first().toStdString() + "'", Usage);

    ui::MainWindow w;
    const QString model = p.isSet("model") ? p.value("model") : QString::fromStdString(bundledModelDir());
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
    p.addOption({"model", "Model directory (default: the bundled model).", "DIR"});
    p.addOption({"sentence", "The sentence to translate.", "TEXT"});
    p.addOption({"step", "Fine-grained step number, from 0.", "N", "0"});
    p.addOption({"out", "Output file: .png or .svg.", "FILE"});
    p.addOption({"size", "Window size WxH.", "WxH", "1600x1000"});
    p.addOption({"dark", "Dark theme."});
    if (!p.parse(QStringList("export") + args)) return fail(p.errorText().toStdString(), Usage);
    if (!p.isSet("sentence") || !p.isSet("out")) return fail("export needs --sentence and --out", Usage);
    int step = 0;
    if (!intOption(p, "step", 0, 1 << 24, &step)) return Usage;
    const QString out = p.value("out");
    if (!out.endsWith(".png", Qt::CaseInsensitive) && !out.endsWith(".svg", Qt::CaseInsensitive))
        return fail("--out must end in .png or .svg", Usage);
    const QStringList size = p.value("size").split('x');
    if (size.size() != 2 || size[0].toInt() < 200 || size[1].toInt() < 200) return fail("--size is WxH, e.g. 1600x1000", Usage);

    const QString model = p.isSet("model") ? p.value("model") : QString::fromStdString(bundledModelDir());
    if (model.isEmpty()) return fail("no bundled model in this build; give --model DIR");
    ui::MainWindow w(false);
    w.setAnimationsEnabled(false);
    if (p.isSet("dark")) w.setDark(true);
    w.resize(size[0].toInt(), size[1].toInt());
    QString error;
    if (!w.document()->loadModelNow(model, &error)) return fail(error.toStdString());
    w.sentenceBox()->setText(p.value("sentence"));
    if (!w.document()->translateNow(p.value("sentence"), &error)) return fail(error.toStdString());
    const int steps = int(w.document()->steps().size());
    if (step >= steps)
        return fail("--step " + std::to_string(step) + " is past the end: this translation has " + std::to_string(steps) +
                    " steps (0 to " + std::to_string(steps - 1) + ")");
    w.document()->setCurrentIndex(step);
    w.show();
    for (int i = 0; i < 3; ++i) QApplication::processEvents();  // layouts and queued replots settle
    if (!w.exportView(out, &error)) return fail(error.toStdString());
    std::cout << "wrote " << out.toStdString() << ": step " << step << " of " << steps << ", "
              << w.stage()->title().toStdString() << "\n";
    return Ok;
}

}  // namespace sf::cli
