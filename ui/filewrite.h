// One checked write of a whole file, for every export and save of the window.
#pragma once

#include <QByteArray>
#include <QString>

namespace sf::ui {

// Writes `bytes` to `path`, checking the open, the write, the flush and the close: a full
// disk (ENOSPC, e.g. /dev/full) or a short write is an error, never a truncated "success".
// False with *why set to the system's reason.
bool writeWholeFile(const QString& path, const QByteArray& bytes, QString* why);

}  // namespace sf::ui
