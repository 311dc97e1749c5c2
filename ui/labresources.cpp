#include "ui/labresources.h"

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

}  // namespace sf::ui
