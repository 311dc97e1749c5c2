// The step toolbar's icons (first, previous, play, pause, next, last), drawn in the ink of
// the current palette so that they stay visible on a dark theme (the style's standard
// media icons are dark grey on every palette).
#pragma once

#include <QColor>
#include <QIcon>

class QToolBar;

namespace sf::ui {

enum class MediaIcon { First, Previous, Play, Pause, Next, Last };

QIcon mediaIcon(MediaIcon kind, const QColor& ink);
// Every action of `bar` whose data() holds a MediaIcon (as int) gets its icon again in `ink`.
void recolorMediaIcons(QToolBar* bar, const QColor& ink);

}  // namespace sf::ui
