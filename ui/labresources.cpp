#include "ui/labresources.h"

#include "ui/translationdocument.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <map>
#include <mutex>

namespace sf::ui {

namespace {

// resources/models/NAME -> resources/<relative>, else the source tree's.
QString resourceNear(const QString& modelPath, const QString& relative)
{
    const QString near = QDir(modelPath).absoluteFilePath("../../" + relative);
    if (QFileInfo::exists(near)) return QDir::cleanPath(near);
    return QStringLiteral(STEPFORMER_RESOURCE_DIR) + "/" + relative;  // the error names it
}

}  // namespace

QString lexiconPath(const QString& modelPath) { return resourceNear(modelPath, "lexicon/en-fr.json"); }

std::shared_ptr<const text::Grammar> alignmentGrammar(const QString& modelPath, QString* why)
{
    auto fail = [why](const QString& message) {
        if (why) *why = message;
        return std::shared_ptr<const text::Grammar>();
    };
    auto examples = text::readModelExamples(modelPath.toStdString());
    if (!examples) return fail(TranslationDocument::reasonText(examples.message(), examples.reason()));
    const std::string task = examples->task;
    if (task.empty())
        return fail(QCoreApplication::translate("sf::ui::LabResources",
                                                "this model names no toy grammar (no task in its examples.json): no "
                                                "gold alignment"));
    if (task != "en-fr" && task != "fr-en")
        return fail(QCoreApplication::translate("sf::ui::LabResources",
                                                "the %1 grammar's alignment is not laid on the model's pieces here "
                                                "(only en-fr and fr-en)")
                        .arg(QString::fromStdString(task)));
    const text::GrammarTask* row = text::findGrammarTask(task);
    if (!row) return fail(QString::fromStdString(task));
    const QString path = resourceNear(modelPath, QString::fromUtf8(row->lexicon));
    static std::mutex lock;
    static std::map<std::string, std::shared_ptr<const text::Grammar>> cache;  // task + lexicon path
    const std::string key = task + "|" + path.toStdString();
    std::lock_guard<std::mutex> guard(lock);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    auto loaded = row->load(path.toStdString());
    if (!loaded) return fail(TranslationDocument::reasonText(loaded.message(), loaded.reason()));
    cache[key] = *loaded;
    return *loaded;
}

bool goldAlignmentOf(const Translation& t, const Model& model, const QString& modelPath, GoldCells* out, QString* why)
{
    auto fail = [why](const QString& message) {
        if (why) *why = message;
        return false;
    };
    if (!model.tokenizer()) return fail(QString::fromStdString(model.directory() + ": no tokenizer"));
    QString reason;
    const auto grammar = alignmentGrammar(modelPath, &reason);
    if (!grammar) return fail(reason);
    auto readings = grammar->translations(t.sourceText);
    if (!readings) return fail(TranslationDocument::reasonText(readings.message(), readings.reason()));
    auto gold = goldAlignment(t, *model.tokenizer(), *readings);
    if (!gold) return fail(TranslationDocument::reasonText(gold.message(), gold.reason()));
    *out = std::move(*gold);
    return true;
}

QString resourceFile(const QString& relative)
{
    const QDir exe(QCoreApplication::applicationDirPath());
    for (const QString& p : {exe.filePath("resources/" + relative), exe.filePath("../share/stepformer/" + relative)})
        if (QFileInfo::exists(p)) return QDir::cleanPath(p);
    return QStringLiteral(STEPFORMER_RESOURCE_DIR "/") + relative;
}

}  // namespace sf::ui
