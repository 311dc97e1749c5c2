// Animated export (File > Export animation…, `stepformer export --steps A-B --out F.gif`):
// steps A to B of the walk, one frame each, the whole window as it is shown (docks, the
// comparison view and the lab included), at the window's size. Widgets render on the GUI
// thread; each frame's colour quantisation and LZW encoding (giflib, GifWriter) runs on a
// worker thread while the next frame renders.
#pragma once

#include <QString>

#include <functional>

namespace sf::ui {

class MainWindow;

struct AnimationRange {
    int from = 0, to = 0;  // fine step indices, both included
    int delayMs = 800;     // per frame
};

// Called after each frame with (frames done, frames in all); returning false cancels.
using AnimationProgress = std::function<bool(int done, int total)>;

// Writes the GIF; the window's current step and animation setting come back afterwards.
// False with *error naming the file and the problem (or saying that it was cancelled).
bool exportAnimation(MainWindow& w, const AnimationRange& range, const QString& path, QString* error,
                     const AnimationProgress& progress = {});

}  // namespace sf::ui
