#include "ui/colormap.h"

#include <algorithm>
#include <cmath>

namespace sf::ui {

namespace {

struct Anchor {
    double t;
    int r, g, b;
};

// Anchor colours sampled along each scale; linear interpolation in between.
const Anchor kViridis[] = {{0.00, 68, 1, 84},    {0.13, 71, 44, 122},  {0.25, 59, 82, 139},
                           {0.38, 44, 113, 142}, {0.50, 33, 145, 140}, {0.63, 39, 173, 129},
                           {0.75, 92, 200, 99},  {0.88, 170, 220, 50}, {1.00, 253, 231, 37}};
const Anchor kCividis[] = {{0.00, 0, 34, 78},     {0.25, 61, 78, 108},  {0.50, 124, 123, 120},
                           {0.75, 188, 175, 111}, {1.00, 254, 232, 56}};

template <size_t N>
QColor interpolate(const Anchor (&a)[N], double t)
{
    t = std::clamp(t, 0.0, 1.0);
    size_t i = 1;
    while (i + 1 < N && a[i].t < t) ++i;
    const Anchor &lo = a[i - 1], &hi = a[i];
    const double f = (t - lo.t) / std::max(1e-9, hi.t - lo.t);
    return QColor(int(std::lround(lo.r + f * (hi.r - lo.r))), int(std::lround(lo.g + f * (hi.g - lo.g))),
                  int(std::lround(lo.b + f * (hi.b - lo.b))));
}

}  // namespace

QColor sequential(Colormap map, double t)
{
    return map == Colormap::Cividis ? interpolate(kCividis, t) : interpolate(kViridis, t);
}

QColor diverging(double t, bool dark)
{
    t = std::clamp(t, -1.0, 1.0);
    const QColor mid = dark ? QColor(40, 40, 46) : QColor(250, 250, 250);
    const QColor neg(33, 102, 172), pos(230, 97, 1);  // blue and orange
    const QColor& end = t < 0 ? neg : pos;
    const double f = std::sqrt(std::fabs(t));  // lift small magnitudes a little
    return QColor(int(mid.red() + f * (end.red() - mid.red())), int(mid.green() + f * (end.green() - mid.green())),
                  int(mid.blue() + f * (end.blue() - mid.blue())));
}

QString colormapName(Colormap map) { return map == Colormap::Cividis ? "cividis" : "viridis"; }

}  // namespace sf::ui
