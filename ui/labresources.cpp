#include "ui/labresources.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace sf::ui {

QString lexiconPath(const QString& modelPath)
{
    // resources/models/NAME -> resources/lexicon/en-fr.json
    const QString near = QDir(modelPath).absoluteFilePath("../../lexicon/en-fr.json");
    if (QFileInfo::exists(near)) return QDir::cleanPath(near);
    return QStringLiteral(STEPFORMER_RESOURCE_DIR "/lexicon/en-fr.json");  // the error names it
}

QString resourceFile(const QString& relative)
{
    const QDir exe(QCoreApplication::applicationDirPath());
    for (const QString& p : {exe.filePath("resources/" + relative), exe.filePath("../share/stepformer/" + relative)})
        if (QFileInfo::exists(p)) return QDir::cleanPath(p);
    return QStringLiteral(STEPFORMER_RESOURCE_DIR "/") + relative;
}

}  // namespace sf::ui
