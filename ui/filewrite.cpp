#include "ui/filewrite.h"

#include <QFile>

namespace sf::ui {

bool writeWholeFile(const QString& path, const QByteArray& bytes, QString* why)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *why = file.errorString();
        return false;
    }
    const qint64 written = file.write(bytes);
    const bool flushed = written == bytes.size() && file.flush();
    const QString flushError = file.errorString();
    file.close();
    if (!flushed || file.error() != QFileDevice::NoError) {
        *why = flushed ? file.errorString() : flushError;
        return false;
    }
    return true;
}

}  // namespace sf::ui
