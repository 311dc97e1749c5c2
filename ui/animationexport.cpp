#include "ui/animationexport.h"

#include "ui/gifwriter.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QFuture>
#include <QtConcurrent/QtConcurrentRun>

namespace sf::ui {

namespace {
struct AnimationExport {
    Q_DECLARE_TR_FUNCTIONS(AnimationExport)
};
}  // namespace

bool exportAnimation(MainWindow& w, const AnimationRange& range, const QString& path, QString* error,
                     const AnimationProgress& progress)
{
    TranslationDocument* doc = w.document();
    const int steps = int(doc->steps().size());
    if (steps == 0) {
        *error = AnimationExport::tr("%1: nothing to export: translate a sentence first").arg(path);
        return false;
    }
    if (range.from < 0 || range.to < range.from || range.to >= steps) {
        *error = AnimationExport::tr("%1: steps %2-%3 are not a range of this walk (0 to %4)")
                     .arg(path).arg(range.from).arg(range.to).arg(steps - 1);
        return false;
    }
    const int before = doc->currentIndex();
    const bool animations = w.animationsEnabled();
    w.setAnimationsEnabled(false);  // each frame is the settled step, not a transition

    GifWriter gif(w.size(), range.delayMs);
    QFuture<QString> encoding;  // the previous frame, encoded while this one renders
    bool pending = false;
    QString failure;
    const int total = range.to - range.from + 1;
    for (int i = range.from; i <= range.to && failure.isEmpty(); ++i) {
        doc->setCurrentIndex(i);
        for (int k = 0; k < 2; ++k) QApplication::processEvents();  // layouts and queued replots settle
        QImage frame = w.grab().toImage();
        if (frame.size() != w.size()) frame = frame.scaled(w.size(), Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        if (pending) {
            failure = encoding.result();  // waits for it
            pending = false;
            if (!failure.isEmpty()) break;
        }
        pending = true;
        encoding = QtConcurrent::run([&gif, frame] {
            QString e;
            return gif.addFrame(frame, &e) ? QString() : e;
        });
        if (progress && !progress(i - range.from + 1, total)) failure = AnimationExport::tr("%1: export cancelled").arg(path);
    }
    if (pending) {
        const QString last = encoding.result();
        if (failure.isEmpty()) failure = last;
    }
    doc->setCurrentIndex(before);
    w.setAnimationsEnabled(animations);
    if (!failure.isEmpty()) {
        *error = failure.startsWith(path) ? failure : QString("%1: %2").arg(path, failure);
        return false;
    }
    return gif.finish(path, error);
}

}  // namespace sf::ui
