#include "ui/gifwriter.h"

#include "ui/filewrite.h"

#include <QCoreApplication>
#include <QFile>

#include <gif_lib.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace sf::ui {

namespace {

int appendBytes(GifFileType* gif, const GifByteType* bytes, int n)
{
    static_cast<QByteArray*>(gif->UserData)->append(reinterpret_cast<const char*>(bytes), n);
    return n;
}

QString gifError(int code)
{
    const char* s = GifErrorString(code);
    return s ? QString::fromLatin1(s) : QString("giflib error %1").arg(code);
}

// Median cut over a histogram of 6-bit-per-channel colours, each bin weighted by its pixel
// count: the box with the most pixels times its widest channel range is split at its
// weighted median, until there are 256 boxes; each box's colour is its pixels' mean. A
// frame of at most 256 distinct colours (flat UI) keeps them exactly. Every pixel then
// takes the palette colour nearest to its bin's mean. indices: [h * w]; palette: <= 256.
void quantise(const QImage& rgb, std::vector<GifByteType>* indices, std::vector<GifColorType>* palette)
{
    const int w = rgb.width(), h = rgb.height();
    indices->assign(size_t(w) * size_t(h), 0);
    palette->clear();
    // Exact colours first, while there are at most 256.
    std::unordered_map<uint32_t, int> exact;
    bool fits = true;
    for (int y = 0; y < h && fits; ++y) {
        const uchar* line = rgb.constScanLine(y);
        for (int x = 0; x < w; ++x) {
            const uint32_t c = uint32_t(line[3 * x]) << 16 | uint32_t(line[3 * x + 1]) << 8 | line[3 * x + 2];
            auto it = exact.find(c);
            if (it == exact.end()) {
                if (exact.size() == 256) {
                    fits = false;
                    break;
                }
                it = exact.emplace(c, int(exact.size())).first;
                palette->push_back(GifColorType{GifByteType(c >> 16), GifByteType(c >> 8), GifByteType(c)});
            }
            (*indices)[size_t(y) * size_t(w) + size_t(x)] = GifByteType(it->second);
        }
    }
    if (fits) return;
    palette->clear();

    constexpr int kBits = 6, kLevels = 1 << kBits, kShift = 8 - kBits;
    struct Bin {
        uint64_t n = 0, r = 0, g = 0, b = 0;  // pixel count and channel sums
    };
    std::vector<Bin> bins(size_t(kLevels) * kLevels * kLevels);
    auto key = [&](const uchar* px) {
        return (size_t(px[0] >> kShift) * kLevels + size_t(px[1] >> kShift)) * kLevels + size_t(px[2] >> kShift);
    };
    for (int y = 0; y < h; ++y) {
        const uchar* line = rgb.constScanLine(y);
        for (int x = 0; x < w; ++x) {
            Bin& bin = bins[key(line + 3 * x)];
            ++bin.n, bin.r += line[3 * x], bin.g += line[3 * x + 1], bin.b += line[3 * x + 2];
        }
    }
    // The used bins, each with its mean colour.
    struct Entry {
        uint8_t c[3];
        uint64_t n;
        size_t bin;
    };
    std::vector<Entry> entries;
    for (size_t i = 0; i < bins.size(); ++i)
        if (bins[i].n) {
            const Bin& b = bins[i];
            entries.push_back({{uint8_t(b.r / b.n), uint8_t(b.g / b.n), uint8_t(b.b / b.n)}, b.n, i});
        }
    struct Box {
        size_t begin, end;  // into entries
        uint64_t n;
        int axis, range;
    };
    auto measure = [&](Box& box) {
        uint8_t lo[3] = {255, 255, 255}, hi[3] = {0, 0, 0};
        box.n = 0;
        for (size_t i = box.begin; i < box.end; ++i) {
            box.n += entries[i].n;
            for (int a = 0; a < 3; ++a) lo[a] = std::min(lo[a], entries[i].c[a]), hi[a] = std::max(hi[a], entries[i].c[a]);
        }
        box.axis = 0;
        for (int a = 1; a < 3; ++a)
            if (hi[a] - lo[a] > hi[box.axis] - lo[box.axis]) box.axis = a;
        box.range = hi[box.axis] - lo[box.axis];
    };
    std::vector<Box> boxes{{0, entries.size(), 0, 0, 0}};
    measure(boxes[0]);
    while (boxes.size() < 256) {
        // The box whose split removes the most error: many pixels over a wide range.
        size_t pick = boxes.size();
        double worst = 0;
        for (size_t i = 0; i < boxes.size(); ++i) {
            const double cost = double(boxes[i].n) * boxes[i].range;
            if (boxes[i].end - boxes[i].begin > 1 && cost > worst) worst = cost, pick = i;
        }
        if (pick == boxes.size()) break;  // every box holds one colour
        Box box = boxes[pick];
        const int a = box.axis;
        std::sort(entries.begin() + long(box.begin), entries.begin() + long(box.end),
                  [a](const Entry& x, const Entry& y) { return x.c[a] < y.c[a]; });
        uint64_t half = 0;
        size_t cut = box.begin + 1;
        for (size_t i = box.begin; i < box.end - 1; ++i) {
            half += entries[i].n;
            cut = i + 1;
            if (2 * half >= box.n) break;
        }
        Box left{box.begin, cut, 0, 0, 0}, right{cut, box.end, 0, 0, 0};
        measure(left);
        measure(right);
        boxes[pick] = left;
        boxes.push_back(right);
    }
    std::vector<int> binColour(bins.size(), 0);
    for (const Box& box : boxes) {
        uint64_t r = 0, g = 0, b = 0;
        for (size_t i = box.begin; i < box.end; ++i) {
            const Bin& bin = bins[entries[i].bin];
            r += bin.r, g += bin.g, b += bin.b;
        }
        palette->push_back(GifColorType{GifByteType(r / box.n), GifByteType(g / box.n), GifByteType(b / box.n)});
    }
    // Each used bin: the nearest palette colour to its mean (not just its box's).
    for (const Entry& e : entries) {
        int best = 0, bestD = INT_MAX;
        for (int k = 0; k < int(palette->size()); ++k) {
            const GifColorType& p = (*palette)[size_t(k)];
            const int dr = int(p.Red) - e.c[0], dg = int(p.Green) - e.c[1], db = int(p.Blue) - e.c[2];
            const int d = dr * dr + dg * dg + db * db;
            if (d < bestD) bestD = d, best = k;
        }
        binColour[e.bin] = best;
    }
    for (int y = 0; y < h; ++y) {
        const uchar* line = rgb.constScanLine(y);
        for (int x = 0; x < w; ++x) (*indices)[size_t(y) * size_t(w) + size_t(x)] = GifByteType(binColour[key(line + 3 * x)]);
    }
}

struct ColorMap {
    ColorMapObject* map = nullptr;
    explicit ColorMap(int colours, const GifColorType* entries) : map(GifMakeMapObject(colours, entries)) {}
    ~ColorMap() { GifFreeMapObject(map); }
};

}  // namespace

struct GifWriter::Impl {
    QByteArray bytes;
    GifFileType* gif = nullptr;
    int error = 0;
    bool started = false;
};

GifWriter::GifWriter(QSize size, int delayMs) : mImpl(std::make_unique<Impl>()), mSize(size), mDelayCs(std::max(2, (delayMs + 5) / 10))
{
    mImpl->gif = EGifOpen(&mImpl->bytes, appendBytes, &mImpl->error);
}

GifWriter::~GifWriter()
{
    if (mImpl->gif) EGifCloseFile(mImpl->gif, nullptr);
}

bool GifWriter::addFrame(const QImage& frame, QString* error)
{
    GifFileType* gif = mImpl->gif;
    if (!gif) return *error = gifError(mImpl->error), false;
    if (frame.size() != mSize) {
        *error = QCoreApplication::translate("GifWriter", "frame %1 is %2x%3, not %4x%5")
                     .arg(mFrames).arg(frame.width()).arg(frame.height()).arg(mSize.width()).arg(mSize.height());
        return false;
    }
    const QImage rgb = frame.convertToFormat(QImage::Format_RGB888);
    const int w = mSize.width(), h = mSize.height();
    std::vector<GifByteType> indices;
    std::vector<GifColorType> palette;
    quantise(rgb, &indices, &palette);
    // A GIF palette holds a power of two entries (GifMakeMapObject refuses other counts).
    palette.resize(256, GifColorType{0, 0, 0});
    ColorMap local(256, palette.data());
    if (!local.map) return *error = gifError(E_GIF_ERR_NOT_ENOUGH_MEM), false;
    if (!mImpl->started) {
        EGifSetGifVersion(gif, true);
        if (EGifPutScreenDesc(gif, w, h, 8, 0, local.map) == GIF_ERROR) return *error = gifError(gif->Error), false;
        // NETSCAPE2.0: loop forever.
        const GifByteType netscape[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
        const GifByteType loop[] = {1, 0, 0};
        if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
            EGifPutExtensionBlock(gif, sizeof netscape, netscape) == GIF_ERROR ||
            EGifPutExtensionBlock(gif, sizeof loop, loop) == GIF_ERROR || EGifPutExtensionTrailer(gif) == GIF_ERROR)
            return *error = gifError(gif->Error), false;
        mImpl->started = true;
    }
    GraphicsControlBlock gcb;
    gcb.DisposalMode = DISPOSE_DO_NOT;
    gcb.UserInputFlag = false;
    gcb.DelayTime = mDelayCs;
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType extension[4];
    const size_t len = EGifGCBToExtension(&gcb, extension);
    if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, int(len), extension) == GIF_ERROR ||
        EGifPutImageDesc(gif, 0, 0, w, h, false, local.map) == GIF_ERROR)
        return *error = gifError(gif->Error), false;
    for (int y = 0; y < h; ++y)
        if (EGifPutLine(gif, indices.data() + size_t(y) * size_t(w), w) == GIF_ERROR) return *error = gifError(gif->Error), false;
    ++mFrames;
    return true;
}

bool GifWriter::finish(const QString& path, QString* error)
{
    if (!mFrames) return *error = QCoreApplication::translate("GifWriter", "%1: no frames to write").arg(path), false;
    int code = 0;
    const int closed = EGifCloseFile(mImpl->gif, &code);
    mImpl->gif = nullptr;
    if (closed == GIF_ERROR) return *error = QString("%1: %2").arg(path, gifError(code)), false;
    QString why;
    if (!writeWholeFile(path, mImpl->bytes, &why)) {
        *error = QCoreApplication::translate("GifWriter", "%1: cannot write the file (%2)").arg(path, why);
        return false;
    }
    return true;
}

bool decodeGif(const QString& path, DecodedGif* out, QString* error)
{
    int code = 0;
    GifFileType* gif = DGifOpenFileName(QFile::encodeName(path).constData(), &code);
    if (!gif) return *error = QString("%1: %2").arg(path, gifError(code)), false;
    struct Closer {
        GifFileType* g;
        ~Closer() { DGifCloseFile(g, nullptr); }
    } closer{gif};
    if (DGifSlurp(gif) == GIF_ERROR) return *error = QString("%1: %2").arg(path, gifError(gif->Error)), false;
    out->size = QSize(gif->SWidth, gif->SHeight);
    out->frames.clear();
    out->delaysCs.clear();
    out->paletteSizes.clear();
    QImage screen(out->size, QImage::Format_RGB888);
    screen.fill(Qt::black);
    for (int i = 0; i < gif->ImageCount; ++i) {
        const SavedImage& im = gif->SavedImages[i];
        const ColorMapObject* map = im.ImageDesc.ColorMap ? im.ImageDesc.ColorMap : gif->SColorMap;
        if (!map) return *error = QString("%1: frame %2 has no palette").arg(path).arg(i), false;
        const GifImageDesc& d = im.ImageDesc;
        for (int y = 0; y < d.Height; ++y)
            for (int x = 0; x < d.Width; ++x) {
                const int px = d.Left + x, py = d.Top + y;
                if (px >= screen.width() || py >= screen.height()) continue;
                const int idx = im.RasterBits[size_t(y) * size_t(d.Width) + size_t(x)];
                if (idx >= map->ColorCount) continue;
                const GifColorType c = map->Colors[idx];
                screen.setPixel(px, py, qRgb(c.Red, c.Green, c.Blue));
            }
        GraphicsControlBlock gcb;
        out->delaysCs << (DGifSavedExtensionToGCB(gif, i, &gcb) == GIF_OK ? gcb.DelayTime : 0);
        out->paletteSizes << map->ColorCount;
        out->frames << screen.copy();
    }
    return true;
}

}  // namespace sf::ui
