#include "ui/recentpaths.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace sf::ui {

QString normalizedModelPath(const QString& path)
{
    if (path.isEmpty()) return path;
    QFileInfo info(QDir::cleanPath(QDir(path).absolutePath()));
    // A file inside a model folder (a dropped model.safetensors) names the folder.
    if (info.isFile()) info = QFileInfo(info.absolutePath());
    const QString canonical = info.canonicalFilePath();
    return canonical.isEmpty() ? info.absoluteFilePath() : canonical;
}

QStringList withRecent(const QStringList& recent, const QString& path, int max)
{
    QStringList out{normalizedModelPath(path)};
    for (const QString& p : recent) {
        const QString n = normalizedModelPath(p);
        if (!n.isEmpty() && !out.contains(n)) out << n;
    }
    while (out.size() > max) out.removeLast();
    return out;
}

QString exportDirectory()
{
    const QString last = QSettings().value("export/directory").toString();
    if (!last.isEmpty() && QFileInfo(last).isDir()) return last;
    for (auto where : {QStandardPaths::PicturesLocation, QStandardPaths::DocumentsLocation}) {
        const QString dir = QStandardPaths::writableLocation(where);
        if (!dir.isEmpty() && QFileInfo(dir).isDir()) return dir;
    }
    return QDir::homePath();
}

void rememberExportDirectory(const QString& fileOrDirectory)
{
    const QFileInfo info(fileOrDirectory);
    QSettings().setValue("export/directory", info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

}  // namespace sf::ui
