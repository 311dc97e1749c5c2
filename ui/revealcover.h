// A cover laid over a view while a predict question waits for its answer: it fills the
// view (following its resizes), hides what the view shows and says why. Predict mode puts
// one on the stage, the Explain panel and the decoding strip.
#pragma once

#include <QPointer>
#include <QWidget>

namespace sf::ui {

class RevealCover : public QWidget {
    Q_OBJECT
public:
    // A child of `target`, hidden until setCovering(true).
    explicit RevealCover(QWidget* target);
    void setCovering(bool on);
    bool covering() const { return mCovering; }
    QWidget* target() const { return mTarget; }

protected:
    bool eventFilter(QObject* watched, QEvent* e) override;
    void paintEvent(QPaintEvent*) override;

private:
    QPointer<QWidget> mTarget;
    bool mCovering = false;
};

}  // namespace sf::ui
