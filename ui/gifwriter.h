// Animated GIF files through giflib (Debian's libgif): frames of one size, each with its own
// palette of at most 256 colours (the exact colours when a frame has no more, else a median
// cut weighted by pixel count, so that large flat areas keep their own colour) and
// LZW-encoded by giflib, looping forever. The file is built in memory and written once, every step
// checked: a failed write is an error, never a truncated "success". Not thread-affine: a
// worker thread may add frames, one caller at a time.
#pragma once

#include <QByteArray>
#include <QImage>
#include <QSize>
#include <QString>

#include <memory>

namespace sf::ui {

class GifWriter {
public:
    // `delayMs`: how long each frame is shown (GIF counts hundredths of a second).
    GifWriter(QSize size, int delayMs);
    ~GifWriter();
    GifWriter(const GifWriter&) = delete;
    GifWriter& operator=(const GifWriter&) = delete;

    // Quantises and encodes one frame; it must have the writer's size. False with *error.
    bool addFrame(const QImage& frame, QString* error);
    int frames() const { return mFrames; }
    // Finishes the file and writes it to `path`.
    bool finish(const QString& path, QString* error);

private:
    struct Impl;
    std::unique_ptr<Impl> mImpl;
    QSize mSize;
    int mDelayCs;
    int mFrames = 0;
};

// A decoded GIF, for tests and checks: every frame as RGB, the screen size, the delays.
struct DecodedGif {
    QSize size;
    QList<QImage> frames;      // composited onto the screen in order (full-size frames)
    QList<int> delaysCs;
    QList<int> paletteSizes;   // colours in each frame's palette
};
bool decodeGif(const QString& path, DecodedGif* out, QString* error);

}  // namespace sf::ui
