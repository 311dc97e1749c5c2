// Colour scales for heatmaps. Sequential scales (viridis, cividis) for weights and
// probabilities; a diverging scale (blue - white - orange, readable with the common
// colour-vision deficiencies) for signed values such as embeddings and activations.
#pragma once

#include <QColor>
#include <QString>

namespace sf::ui {

enum class Colormap { Viridis, Cividis };

// t in [0, 1] -> colour on the sequential scale.
QColor sequential(Colormap map, double t);
// t in [-1, 1] -> colour on the diverging scale (0 is white / the background).
QColor diverging(double t, bool dark);
QString colormapName(Colormap map);

}  // namespace sf::ui
