// The paper's Figure 1 drawn as live blocks: the encoder stack on the left, the decoder
// on the right, Linear and Softmax on top. The current step's block is highlighted with
// its layer number; clicking a block asks to jump there. A pre-norm model (config
// normalize_before) is drawn as it runs: a LayerNorm before each sublayer, "Add" after it
// (x + Sublayer(LayerNorm(x))), and a final LayerNorm on top of each stack.
#pragma once

#include "core/run/steps.h"

#include <QWidget>

#include <array>

namespace sf::ui {

class ArchitectureView : public QWidget {
    Q_OBJECT
public:
    explicit ArchitectureView(QWidget* parent = nullptr);
    // Layer counts for the "N x" labels and the norm placement (the config's
    // normalize_before); the current step (null: nothing highlighted).
    void setModelShape(int encoderLayers, int decoderLayers, bool preNorm = false);
    bool preNorm() const { return mPreNorm; }
    // Pre-norm only: the LayerNorm drawn before a sublayer block (EncoderAttention,
    // EncoderFeedForward, DecoderMaskedAttention, DecoderCrossAttention, DecoderFeedForward;
    // empty for other blocks and post-norm), and the final norm of each stack.
    QRect normBefore(Block sublayer) const;
    QRect finalNorm(bool decoder) const { return decoder ? mDecoderFinalNorm : mEncoderFinalNorm; }
    // The label a block is drawn with ("Add & Norm"; "Add" for pre-norm residual blocks).
    QString blockLabel(Block b) const;
    void setStep(const Step* step);
    void setDark(bool dark);
    QRect blockRect(Block b) const { return mRects[size_t(b)]; }
    // The highlighted block, or -1.
    int highlighted() const { return mHasStep ? int(mStep.block) : -1; }
    // The "decoding step N" label as last painted: its box and the width its text needs.
    QRect stepLabelRect() const { return mStepLabelRect; }
    int stepLabelWidth() const { return mStepLabelNeed; }
    // The highlighted block's "layer N" badge as last painted (empty: none).
    QRect layerBadgeRect() const { return mLayerBadgeRect; }
    QSize sizeHint() const override { return {280, 560}; }
    QSize minimumSizeHint() const override { return {180, 270}; }  // 14 rows of 18 px

signals:
    void blockClicked(sf::Block block);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void changeEvent(QEvent*) override;

private:
    void layoutBlocks();
    QColor fillOf(Block b) const;

    std::array<QRect, kBlockCount> mRects{};
    QRect mEncoderStack, mDecoderStack;
    std::array<QRect, kBlockCount> mNormBefore{};  // pre-norm: indexed by the sublayer block
    QRect mEncoderFinalNorm, mDecoderFinalNorm;
    int mEncoderLayers = 6, mDecoderLayers = 6;
    bool mPreNorm = false;
    bool mHasStep = false;
    Step mStep;
    bool mDark = false;
    QRect mStepLabelRect;
    QRect mLayerBadgeRect;
    int mStepLabelNeed = 0;
};

}  // namespace sf::ui
