// The beam search tree (issue 10, "Decoding choices"): every candidate the search looked at,
// read from Translation::beams — one column per decoding step, the candidates of that step
// by rank, each with its token and score, an edge to the hypothesis it extends. Pruned
// candidates are grey, finished ones (</s>) framed, the winning path highlighted; the column
// of the current step is shaded. Clicking a node selects that decoding step.
#pragma once

#include <QRectF>
#include <QWidget>

#include <vector>

namespace sf::ui {

class TranslationDocument;

class BeamTreeView : public QWidget {
    Q_OBJECT
public:
    struct Item {
        int step = 0, index = 0;  // beams[step][index]
        QRectF rect;              // where it is drawn
        bool winner = false;      // on the winning path
    };
    explicit BeamTreeView(TranslationDocument* doc, QWidget* parent = nullptr);

    const std::vector<Item>& items() const { return mItems; }
    QSize sizeHint() const override;

public slots:
    void refresh();

signals:
    void nodeClicked(int step, int index);

protected:
    // Hidden (another tab in front): refresh() only marks the view stale; shown, it catches up.
    void showEvent(QShowEvent* e) override;
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void changeEvent(QEvent* e) override;

private:
    // A finished node's score with the normalisation it had: log P / len^A.
    static QString finishedLabel(double score, double lengthPenalty);

    bool mStale = false;
    TranslationDocument* mDoc;
    std::vector<Item> mItems;
    QSize mSize{400, 120};
};

}  // namespace sf::ui
