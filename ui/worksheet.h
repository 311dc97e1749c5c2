// A worksheet for paper exercises (File > Export worksheet…): a PDF of the current step
// with blanks to fill in (a few cells of the step's matrix, the most probable next token
// and its probability) and the answer key on the last page. Every number on it is read
// from the heatmap the step shows (which reads the Trace) and from decoder.probs.
#pragma once

#include <QRgb>
#include <QString>
#include <QStringList>

#include <vector>

namespace sf::ui {

class MainWindow;

struct Worksheet {
    QString model, sentence, stepTitle;
    // The step's main matrix: its top-left corner at most kMaxRows x kMaxCols.
    QString matrixTitle, rowAxis, colAxis;
    int rows = 0, cols = 0;          // shown
    int allRows = 0, allCols = 0;    // in the matrix
    QStringList rowLabels, colLabels;
    std::vector<float> values;       // [rows, cols], as the heatmap shows them
    std::vector<unsigned char> masked;
    std::vector<unsigned int> colours;  // [rows, cols] QRgb: each cell's colour in the heatmap
    struct Blank {
        int row = 0, col = 0;
        float value = 0;
        QString letter;  // "a", "b", ...
    };
    std::vector<Blank> blanks;       // hidden cells: the largest value of rows spread over the matrix
    // The next token: at decoding step `position` (0-based row of decoder.probs), after
    // reading `prefix`, the most probable token and its probability.
    int position = -1;
    QStringList prefix;
    QString token;
    int tokenId = -1;
    double probability = 0;
};

constexpr int kWorksheetMaxRows = 12, kWorksheetMaxCols = 10;

// The worksheet of the window's current step; false with *error when the step shows no
// matrix or nothing is translated.
bool buildWorksheet(const MainWindow& w, Worksheet* out, QString* error);
// Page 1: the exercise; the last page: the answer key. False with *error naming the file.
bool writeWorksheetPdf(const Worksheet& ws, const QString& path, QString* error);

}  // namespace sf::ui
