// The operations and their backwards (see ops.h for the conventions). The big products
// are Eigen GEMMs; work is split over the cores by hand (parallel.h) into fixed blocks,
// so results do not depend on which thread runs a block.
#include "core/model/ops.h"

#include "core/model/parallel.h"

#include <Eigen/Core>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

namespace sf {

namespace {

template <class Real>
using RowMat = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class Real>
using MatMap = Eigen::Map<RowMat<Real>, 0, Eigen::OuterStride<>>;
template <class Real>
using CMatMap = Eigen::Map<const RowMat<Real>, 0, Eigen::OuterStride<>>;
template <class Real>
using ArrMap = Eigen::Map<Eigen::Array<Real, Eigen::Dynamic, 1>>;
template <class Real>
using CArrMap = Eigen::Map<const Eigen::Array<Real, Eigen::Dynamic, 1>>;

// Below this much work (multiply-adds or element operations) an op stays on one core.
constexpr long kParallelWork = 1L << 15;

// How many blocks to split an op of `work` into, at most `units`.
int blocksFor(long work, long units)
{
    // We split the work ourselves; Eigen must not fork a team of its own inside a block.
    static const bool eigenSerial = (Eigen::setNbThreads(1), true);
    (void)eigenSerial;
    if (work < kParallelWork || units < 2) return 1;
    return int(std::max(1L, std::min<long>(threads(), units)));
}

// Block `i` of `blocks` over [0, count), in multiples of `align`: [begin, end).
void blockRange(long count, int i, int blocks, long align, long& begin, long& end)
{
    const long per = ((count + blocks - 1) / blocks + align - 1) / align * align;
    begin = std::min(count, i * per);
    end = std::min(count, begin + per);
}

// Attention: (sequence, head) pairs in up to 4 blocks per thread, for balance.
int attentionBlocks(long work, long pairs)
{
    return work < kParallelWork ? 1 : int(std::min<long>(pairs, 4L * threads()));
}

// Runs f(begin, end) over the blocks of [0, count) (see blocksFor / blockRange).
// `work` is the whole op's cost estimate, for the pool (parallel.h).
template <class F>
void forBlocks(long count, int blocks, long align, double work, F&& f)
{
    parallelFor(
        blocks,
        [&](int i) {
            long begin, end;
            blockRange(count, i, blocks, align, begin, end);
            if (end > begin) f(begin, end);
        },
        work);
}

template <class Real>
CMatMap<Real> cmat(const Real* p, int rows, int cols, int ld)
{
    return CMatMap<Real>(p, rows, cols, Eigen::OuterStride<>(ld));
}

template <class Real>
MatMap<Real> mat(Real* p, int rows, int cols, int ld)
{
    return MatMap<Real>(p, rows, cols, Eigen::OuterStride<>(ld));
}

// Rows at most this many take the few-row kernel.
constexpr int kFewRows = 32;
// Segments of a few-row product (two threads each): up to 64 threads share its chunks.
constexpr int kMaxSegments = 32;
// Output columns per panel of the few-row layout (packLinearPanels).
constexpr int kPanel = 32;

// Rows of W per chunk of the few-row kernel: ~64 KB whatever `in` is (32 rows of 512, 8 of
// 2048). With a fixed 64 rows, a 2048-wide chunk (512 KB) and the next one filled the 1 MB
// L2 and evicted x (encoder ~7-10% slower).
int fewRowChunkRows(int in) { return std::max(4, std::min(64, 16384 / in / 4 * 4)); }

// A copy of x [n, in] with row stride in + 16, 64-byte aligned (thread-local scratch),
// when rows are a multiple of 4 KB long (in % 1024 == 0), L1's set stride (32 KB, 8 ways):
// then the 5 x rows and 4 W rows a tile reads side by side all fall in one set, 9 lines
// for 8 ways, and evict each other. Rows of 2 KB (in = 512) spread over two sets and need
// no copy (copying them cost more than it saved).
const float* unaliasedRows(const float* x, int n, int in, int& ldx)
{
    ldx = in;
    if (in % 1024 != 0) return x;
    struct Scratch {
        float* p = nullptr;
        size_t count = 0;
        ~Scratch() { std::free(p); }
    };
    thread_local Scratch s;
    ldx = in + 16;
    const size_t need = size_t(n) * size_t(ldx);
    if (s.count < need) {
        std::free(s.p);
        s.p = static_cast<float*>(std::aligned_alloc(64, (need * sizeof(float) + 63) / 64 * 64));
        s.count = need;
    }
    for (int r = 0; r < n; ++r) std::copy(x + long(r) * in, x + long(r + 1) * in, s.p + long(r) * ldx);
    return s.p;
}

#if defined(__AVX512F__)
// Lanes 0-7 + lanes 8-15 of v. The zero-masked extracts (all lanes kept) compute what the
// unmasked ones do; those are written with an undefined source that GCC 12 warns about.
inline __m256 half(__m512 v)
{
    const __m512d w = _mm512_castps_pd(v);
    return _mm256_add_ps(_mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xFF, w, 0)),
                         _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xFF, w, 1)));
}

// The sum of v's 16 lanes by the tree of _mm512_reduce_add_ps (halves, quarters, then
// pairs), without that intrinsic's warning (see half).
inline float sum16(__m512 v)
{
    const __m256 h = half(v);
    const __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    const __m128 p = _mm_add_ps(q, _mm_shuffle_ps(q, q, _MM_SHUFFLE(1, 0, 3, 2)));  // q2 q3 q0 q1
    return _mm_cvtss_f32(_mm_add_ss(p, _mm_shuffle_ps(p, p, 1)));                  // p0 + p1
}

// The four sums of a, b, c, d (each 16 lanes) in one 4-lane vector, by one fixed tree:
// halves added, then three horizontal adds. Every output of the kernel below is reduced
// by this same tree, whatever group or block it falls in.
inline __m128 reduce4(__m512 a, __m512 b, __m512 c, __m512 d)
{
    const __m256 ab = _mm256_hadd_ps(half(a), half(b));  // a01 a23 b01 b23 | a45 a67 b45 b67
    const __m256 cd = _mm256_hadd_ps(half(c), half(d));
    const __m256 abcd = _mm256_hadd_ps(ab, cd);          // a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
    return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

// y[r, o] = x[r, :] . W[o, :] for R rows of x (row stride ldx) and O <= 4 rows of W:
// R*4 accumulators of 16 lanes over k (a masked last step when in % 16 != 0), each W
// chunk loaded once for all R rows. While it runs it prefetches `pfLines` cache lines per
// k step from `pf` into L2 (the next chunk of W; null: none).
template <int R, int O>
void dotTile(float* y, int ldy, const float* x, int ldx, const float* W, int in, const char* pf, int pfLines)
{
    // Every loop over r and o is fully unrolled so that all R*4 accumulators stay in
    // registers (rolled, GCC kept them on the stack and stored them back at every k step:
    // ~3x slower), and each x and W vector is loaded once (see the empty asm below).
    __m512 acc[R][4];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int o = 0; o < 4; ++o) acc[r][o] = _mm512_setzero_ps();
    auto step = [&](int k, __mmask16 m) __attribute__((always_inline)) {
        __m512 w[O];
#pragma GCC unroll 4
        for (int o = 0; o < O; ++o) {
            w[o] = _mm512_maskz_loadu_ps(m, W + long(o) * in + k);
            asm("" : "+v"(w[o]));  // one load per vector: not folded into (and repeated by) each multiply-add
        }
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            __m512 xv = _mm512_maskz_loadu_ps(m, x + long(r) * ldx + k);
            asm("" : "+v"(xv));
#pragma GCC unroll 4
            for (int o = 0; o < O; ++o) acc[r][o] = _mm512_fmadd_ps(xv, w[o], acc[r][o]);
        }
    };
    const int k16 = in / 16 * 16;
    for (int k = 0; k < k16; k += 16) {
        if (pf)
            for (int p = 0; p < pfLines; ++p) _mm_prefetch(pf + (long(k / 16) * pfLines + p) * 64, _MM_HINT_T1);
        step(k, 0xFFFF);
    }
    // A masked last step when in % 16 != 0: the missing lanes load as zeros.
    if (k16 < in) step(k16, __mmask16((1u << (in - k16)) - 1));
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
        alignas(16) float s[4];
        _mm_store_ps(s, reduce4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]));
        for (int o = 0; o < O; ++o) y[long(r) * ldy + o] = s[o];
    }
}

// R rows of x against 4 (or, at the end, 1..3) rows of W.
template <int R>
void dotGroup(float* y, int ldy, const float* x, int ldx, const float* W, int in, int outs, const char* pf,
              int pfLines)
{
    switch (outs) {
    case 1: dotTile<R, 1>(y, ldy, x, ldx, W, in, pf, pfLines); break;
    case 2: dotTile<R, 2>(y, ldy, x, ldx, W, in, pf, pfLines); break;
    case 3: dotTile<R, 3>(y, ldy, x, ldx, W, in, pf, pfLines); break;
    default: dotTile<R, 4>(y, ldy, x, ldx, W, in, pf, pfLines); break;
    }
}

// y[n, c0:c1] (row stride ldy) = x[n, in] (row stride ldx) W[c0:c1, in]^T, n <= kFewRows,
// one chunk (c1 - c0 <= fewRowChunkRows(in)). The chunk is read from memory once and stays
// in L2 while every tile of 5 rows of x (in L1) meets it, 4 W rows at a time; meanwhile the
// `nextBytes` bytes at `next` (the chunk this thread takes next; null: none) are
// prefetched into L2, spread evenly over this chunk's tiles.
void fewRowChunk(float* y, int ldy, const float* x, int ldx, int n, int in, const float* W, int c0, int c1,
                 const char* next, long nextBytes)
{
    constexpr int R = 5;
    const int tiles = (n + R - 1) / R, groups = (c1 - c0 + 3) / 4, kSteps = (in + 15) / 16;
    const long lineBytes = 64, nextLines = (nextBytes + lineBytes - 1) / lineBytes;
    // Lines to prefetch per k step so that this chunk's tiles cover the next chunk.
    const int pfLines = int((nextLines + long(tiles) * groups * kSteps - 1) / (long(tiles) * groups * kSteps));
    const long span = long(kSteps) * pfLines;  // lines one tile call prefetches
    long call = 0;
    for (int t = 0; t < tiles; ++t) {
        const int r = t * R, rows = std::min(R, n - r);
        for (int o = c0; o < c1; o += 4, ++call) {
            const char* pf = next && (call + 1) * span <= nextLines ? next + call * span * lineBytes : nullptr;
            float* yt = y + long(r) * ldy + o;
            const float* xt = x + long(r) * ldx;
            const float* wt = W + long(o) * in;
            const int m = std::min(4, c1 - o);
            switch (rows) {
            case 1: dotGroup<1>(yt, ldy, xt, ldx, wt, in, m, pf, pfLines); break;
            case 2: dotGroup<2>(yt, ldy, xt, ldx, wt, in, m, pf, pfLines); break;
            case 3: dotGroup<3>(yt, ldy, xt, ldx, wt, in, m, pf, pfLines); break;
            case 4: dotGroup<4>(yt, ldy, xt, ldx, wt, in, m, pf, pfLines); break;
            default: dotGroup<R>(yt, ldy, xt, ldx, wt, in, m, pf, pfLines); break;
            }
        }
    }
}

// y[r, 0:32] = sum_k x[r, k] P[k, 0:32] + b[0:32] (b may be null) for R rows of x (row
// stride ldx) against one panel P [in, 32] (W^T's 32 output columns, packLinearPanels):
// per k, two vectors of P and R broadcasts of x[r, k] into R*2 accumulators; each output
// is summed over k in order, in one lane, then b is added. m0, m1: the panel's columns
// that are outputs (the last panel's tail is padding). While it runs it prefetches
// `pfPerStep` lines per k step from `pf` into L2, `pfLines` in all (the next panel's share
// of this tile; null: none).
template <int R>
void panelTile(float* y, int ldy, const float* x, int ldx, const float* P, const float* b, int in, __mmask16 m0,
               __mmask16 m1, const char* pf, int pfPerStep, long pfLines)
{
    __m512 acc[R][2];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    auto step = [&](int k) __attribute__((always_inline)) {
        const __m512 w0 = _mm512_loadu_ps(P + long(k) * kPanel), w1 = _mm512_loadu_ps(P + long(k) * kPanel + 16);
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            const __m512 xv = _mm512_set1_ps(x[long(r) * ldx + k]);
            acc[r][0] = _mm512_fmadd_ps(xv, w0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(xv, w1, acc[r][1]);
        }
    };
    // The k steps that prefetch, then the rest (no test per step).
    const int pfSteps = pf ? int(std::min<long>(in, (pfLines + pfPerStep - 1) / pfPerStep)) : 0;
    int k = 0;
    for (; k < pfSteps; ++k) {
        for (int l = 0; l < pfPerStep; ++l) _mm_prefetch(pf + (long(k) * pfPerStep + l) * 64, _MM_HINT_T1);
        step(k);
    }
    for (; k < in; ++k) step(k);
    // + b after the sum, as the in-place kernel adds it (the same bits as y[r, o] += b[o]).
    const __m512 b0 = b ? _mm512_maskz_loadu_ps(m0, b) : _mm512_setzero_ps();
    const __m512 b1 = b ? _mm512_maskz_loadu_ps(m1, b + 16) : _mm512_setzero_ps();
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
        _mm512_mask_storeu_ps(y + long(r) * ldy, m0, b ? _mm512_add_ps(acc[r][0], b0) : acc[r][0]);
        _mm512_mask_storeu_ps(y + long(r) * ldy + 16, m1, b ? _mm512_add_ps(acc[r][1], b1) : acc[r][1]);
    }
}

// y[n, 32p : 32p+32) (clipped to out; row stride ldy) = x[n, in] W[32p : 32p+32, :]^T + b for
// one panel P (b: its 32 biases, or null), n <= kFewRows, in tiles of 10 rows (20 accumulators, 2 vectors of P per
// 10 broadcasts). Each tile reads the panel from L2 (the first from memory); the next
// panel (`next`, null: none) is prefetched into L2 spread over the tiles' k steps.
void panelChunk(float* y, int ldy, const float* x, int ldx, int n, int in, const float* P, const float* b, int cols,
                const char* next)
{
    constexpr int R = 10;
    const int tiles = (n + R - 1) / R;
    const long panelLines = long(in) * kPanel * long(sizeof(float)) / 64;
    const int perStep = tiles == 1 ? 2 : 1;  // lines per k step, so that the tiles cover the panel
    const __mmask16 m0 = __mmask16(cols >= 16 ? 0xFFFF : (1u << cols) - 1);
    const __mmask16 m1 = __mmask16(cols >= 32 ? 0xFFFF : cols <= 16 ? 0 : (1u << (cols - 16)) - 1);
    for (int t = 0; t < tiles; ++t) {
        const int r = t * R, rows = std::min(R, n - r);
        const long first = long(t) * in * perStep;  // this tile's first line of the next panel
        const char* pf = next && first < panelLines ? next + first * 64 : nullptr;
        const long lines = pf ? std::min(long(in) * perStep, panelLines - first) : 0;
        float* yt = y + long(r) * ldy;
        const float* xt = x + long(r) * ldx;
        switch (rows) {
        case 1: panelTile<1>(yt, ldy, xt, ldx, P, b, in, m0, m1, pf, perStep, lines); break;
        case 2: panelTile<2>(yt, ldy, xt, ldx, P, b, in, m0, m1, pf, perStep, lines); break;
        case 3: panelTile<3>(yt, ldy, xt, ldx, P, b, in, m0, m1, pf, perStep, lines); break;
        case 4: panelTile<4>(yt, ldy, xt, ldx, P, b, in, m0, m1, pf, perStep, lines); break;
        case 5: panelTile<5>(yt, ldy, xt, ldx, P, b, in, m0, m1, pf, perStep, lines); break;
        case 6: panelTile<6>(yt, ldy, xt, ldx, P, b, in, m0, m1, pf, perStep, lines); break;
        case 7: panelTile<7>(yt, ldy, xt, ldx, P, b, in, m0, m1, pf, perStep, lines); break;
        case 8: panelTile<8>(yt, ldy, xt, ldx, P, b, in, m0, m1, pf, perStep, lines); break;
        case 9: panelTile<9>(yt, ldy, xt, ldx, P, b, in, m0, m1, pf, perStep, lines); break;
        default: panelTile<R>(yt, ldy, xt, ldx, P, b, in, m0, m1, pf, perStep, lines); break;
        }
    }
}
constexpr bool kHavePanelKernel = true;
constexpr bool kHaveFewRowKernel = true;
constexpr bool kFewRowMatVec = true;  // n = 1 takes this kernel too (R = 1)
#elif defined(__AVX2__) && defined(__FMA__)
float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// y[r, o] = x[r, :] . W[o, :] for R rows of x and O rows of W, k in [0, in): R*O
// accumulators of 8 lanes, each W chunk loaded once for all R rows.
template <int R, int O>
void dotTile(float* y, int ldy, const float* x, int ldx, const float* W, int in)
{
    __m256 acc[R][O];
    for (int r = 0; r < R; ++r)
        for (int o = 0; o < O; ++o) acc[r][o] = _mm256_setzero_ps();
    const int k8 = in / 8 * 8;
    for (int k = 0; k < k8; k += 8) {
        __m256 w[O];
        for (int o = 0; o < O; ++o) w[o] = _mm256_loadu_ps(W + long(o) * in + k);
        for (int r = 0; r < R; ++r) {
            const __m256 xv = _mm256_loadu_ps(x + long(r) * ldx + k);
            for (int o = 0; o < O; ++o) acc[r][o] = _mm256_fmadd_ps(xv, w[o], acc[r][o]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int o = 0; o < O; ++o) {
            float v = hsum(acc[r][o]);
            for (int k = k8; k < in; ++k) v += x[long(r) * ldx + k] * W[long(o) * in + k];
            y[long(r) * ldy + o] = v;
        }
}

// R rows of x against outputs [0, outs) of W, three W rows at a time.
template <int R>
void dotRows(float* y, int ldy, const float* x, int ldx, const float* W, int in, int outs)
{
    int o = 0;
    for (; o + 3 <= outs; o += 3) dotTile<R, 3>(y + o, ldy, x, ldx, W + long(o) * in, in);
    if (outs - o == 2) dotTile<R, 2>(y + o, ldy, x, ldx, W + long(o) * in, in);
    else if (outs - o == 1) dotTile<R, 1>(y + o, ldy, x, ldx, W + long(o) * in, in);
}

// y[n, c0:c1] = x[n, in] W[c0:c1, in]^T, n <= kFewRows, one chunk. W is read from memory
// once: each group of 3 W rows (in L1) meets every row of x (in L2, n * in floats) before
// the next. (No software prefetch here: `next` is unused.)
void fewRowChunk(float* y, int ldy, const float* x, int ldx, int n, int in, const float* W, int c0, int c1,
                 const char*, long)
{
    for (int o = c0; o < c1; o += 3) {
        const int m = std::min(3, c1 - o);
        const float* w = W + long(o) * in;
        int r = 0;
        for (; r + 4 <= n; r += 4) dotRows<4>(y + long(r) * ldy + o, ldy, x + long(r) * ldx, ldx, w, in, m);
        switch (n - r) {
        case 3: dotRows<3>(y + long(r) * ldy + o, ldy, x + long(r) * ldx, ldx, w, in, m); break;
        case 2: dotRows<2>(y + long(r) * ldy + o, ldy, x + long(r) * ldx, ldx, w, in, m); break;
        case 1: dotRows<1>(y + long(r) * ldy + o, ldy, x + long(r) * ldx, ldx, w, in, m); break;
        default: break;
        }
    }
}
constexpr bool kHaveFewRowKernel = true;
constexpr bool kFewRowMatVec = false;
#else
void fewRowChunk(float*, int, const float*, int, int, int, const float*, int, int, const char*, long) {}
constexpr bool kHaveFewRowKernel = false;
constexpr bool kFewRowMatVec = false;
#endif
#if !defined(__AVX512F__)
// Without AVX-512 no panels are packed (linearPanelFloats is 0) and W is read in place.
void panelChunk(float*, int, const float*, int, int, int, const float*, const float*, int, const char*) {}
constexpr bool kHavePanelKernel = false;
#endif

// splitmix64: a bijective 64-bit mix, the dropout masks' counter-based generator.
inline uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

// ---------------------------------------------------------------------------------------
void positionalEncoding(float* out, int pos0, int n, int d, PositionLayout layout)
{
    if (layout == PositionLayout::None) {  // an ablation: nothing is added
        std::fill(out, out + long(n) * d, 0.0f);
        return;
    }
    const int half = d / 2;
    for (int i = 0; i < half; ++i) {
        const double wavelength = std::pow(10000.0, 2.0 * i / d);  // once for all rows
        for (int r = 0; r < n; ++r) {
            // angle = pos / 10000^(2i/d)
            const double angle = double(pos0 + r) / wavelength;
            const float s = static_cast<float>(std::sin(angle)), co = static_cast<float>(std::cos(angle));
            float* row = out + long(r) * d;
            if (layout == PositionLayout::Interleaved) {
                row[2 * i] = s;
                row[2 * i + 1] = co;
            } else {
                row[i] = s;
                row[half + i] = co;
            }
        }
    }
}

int countTargets(const int* targets, int n)
{
    int count = 0;
    for (int r = 0; r < n; ++r) count += targets[r] >= 0 ? 1 : 0;
    return count;
}

template <class Real>
int countCorrect(const Real* logits, const int* targets, int n, int V)
{
    int correct = 0;
    for (int r = 0; r < n; ++r) {
        if (targets[r] < 0) continue;
        const Real* row = logits + size_t(r) * V;  // [V]
        int best = 0;
        for (int v = 1; v < V; ++v)
            if (row[v] > row[best]) best = v;
        correct += best == targets[r] ? 1 : 0;
    }
    return correct;
}

// ---------------------------------------------------------------------------------------
// x[r] = E[ids[r]] * scale + PE[r % Tn]
template <class Real>
void embeddingForward(Real* x, const int* ids, const Real* table, const Real* positions, int B, int Tn, int d,
                      Real scale)
{
    for (int b = 0; b < B; ++b)
        for (int t = 0; t < Tn; ++t) {
            const long r = long(b) * Tn + t;
            const Real* e = table + long(ids[r]) * d;
            Real* o = x + r * d;
            for (int j = 0; j < d; ++j) o[j] = e[j] * scale;
            if (!positions) continue;
            // The positions are added in a second pass, as inference adds them (embed, then
            // add): one loop would let the compiler fuse e * scale + pe into one multiply-add
            // with a single rounding, and training would no longer compute inference's bits.
            const Real* pe = positions + long(t) * d;
            for (int j = 0; j < d; ++j) o[j] += pe[j];
        }
}

// dE[ids[r]] += scale * dx[r]
template <class Real>
void embeddingBackward(Real* dtable, const Real* dx, const int* ids, int n, int d, Real scale)
{
    for (int r = 0; r < n; ++r) {
        Real* g = dtable + long(ids[r]) * d;
        const Real* dr = dx + long(r) * d;
        for (int j = 0; j < d; ++j) g[j] += scale * dr[j];
    }
}

// ---------------------------------------------------------------------------------------
// y = x W^T + b
namespace {

// Runs chunk(c, next) for every c in [0, chunks) on `workers` threads. The chunks are split
// into segments, and two threads take each segment's chunks from its two ends, one chunk at
// a time, so each thread streams W in order (forward or backward, prefetching `next`, the
// chunk it takes next if the other end has not taken it by then; -1: none) and whichever
// runs faster (a core shared with another program, weights arriving late) takes more
// chunks. With a fixed half per thread, the thread that finished first waited at the end of
// every product (~17% of the calling thread's samples in a profile of the encoder, ~4%
// now); the products were 1-3% faster (paired runs), not 17%, because the waiting thread's
// share of the memory bandwidth had gone to the other one. Each output is computed by the
// same code whichever thread takes it: the same bits.
template <class F>
void claimChunks(int workers, int chunks, double work, F&& chunk)
{
    const int segments = (workers + 1) / 2;
    // Segment s: chunks [first[s], first[s + 1]), two workers' worth each (the last one
    // one worker's when `workers` is odd); ends[s] = next chunk from the front (low 16
    // bits) | one past the next chunk from the back (high 16 bits).
    int first[kMaxSegments + 1];
    std::atomic<uint32_t> ends[kMaxSegments];
    for (int s = 0; s <= segments; ++s) first[s] = int(long(chunks) * std::min(2 * s, workers) / workers);
    for (int s = 0; s < segments; ++s) ends[s].store(uint32_t(first[s]) | uint32_t(first[s + 1]) << 16);
    parallelFor(
        workers,
        [&](int t) {
            std::atomic<uint32_t>& e = ends[t / 2];
            const bool back = t % 2 == 1;
            uint32_t v = e.load(std::memory_order_relaxed);
            for (;;) {
                const int lo = int(v & 0xffff), hi = int(v >> 16);
                if (lo >= hi) return;
                const uint32_t claimed = back ? (v - (1u << 16)) : (v + 1);
                if (!e.compare_exchange_weak(v, claimed, std::memory_order_relaxed)) continue;
                const int c = back ? hi - 1 : lo;
                const int next = back ? c - 1 : c + 1;
                chunk(c, (back ? next >= lo : next < hi) ? next : -1);
                v = e.load(std::memory_order_relaxed);
            }
        },
        work);
}

// Threads for a few-row product of `macs` multiply-adds in `chunks` chunks.
int fewRowWorkers(long macs, int chunks)
{
    return macs < kParallelWork ? 1 : std::max(1, std::min({threads(), chunks, 2 * kMaxSegments}));
}

void addBias(float* y, const float* b, int n, int out, int o0, int o1)
{
    if (b)
        for (int r = 0; r < n; ++r)
            for (int o = o0; o < o1; ++o) y[long(r) * out + o] += b[o];
}

// Few rows (float) from the panels of W (packLinearPanels): one chunk = one panel of 32
// outputs, read from memory once (n <= 10) or once per 10 rows from L2. One row takes it
// too (a one-token source), so that a row's outputs are the same bits alone as in a block.
bool linearPanels(float* y, const float* x, const float* panels, const float* b, int n, int in, int out)
{
    if (!kHavePanelKernel || !panels || n > kFewRows) return false;
    const long macs = long(n) * in * out;
    const int chunks = (out + kPanel - 1) / kPanel;
    if (chunks > 0xffff) return false;  // beyond the claim word's 16 bits
    int ldx = in;
    const float* xs = n > 1 ? unaliasedRows(x, n, in, ldx) : x;  // one copy, read by every thread
    const long panelFloats = long(in) * kPanel;
    claimChunks(fewRowWorkers(macs, chunks), chunks, double(macs), [&](int c, int next) {
        const int o0 = c * kPanel, o1 = std::min(out, o0 + kPanel);
        panelChunk(y + o0, out, xs, ldx, n, in, panels + c * panelFloats, b ? b + o0 : nullptr, o1 - o0,
                   next >= 0 ? reinterpret_cast<const char*>(panels + next * panelFloats) : nullptr);
    });
    return true;
}

// Few rows (float), W in place: read from memory once, in chunks of fewRowChunkRows(in)
// rows (claimChunks).
template <class Real>
bool linearFewRows(Real*, const Real*, const Real*, const Real*, const Real*, int, int, int)
{
    return false;  // double (the gradient-check reference) always takes GEMM
}

template <>
bool linearFewRows<float>(float* y, const float* x, const float* W, const float* panels, const float* b, int n,
                          int in, int out)
{
    if (linearPanels(y, x, panels, b, n, in, out)) return true;
    if (n > kFewRows || (n > 1 && !kHaveFewRowKernel)) return false;
    const long macs = long(n) * in * out;
    if (n == 1 && !kFewRowMatVec) {
        // A matrix-vector product (Eigen's): memory-bound, W streamed once, in blocks aligned
        // to 16 outputs so that every thread's stores stay in its own cache lines.
        const int blocks = macs < kParallelWork ? 1 : std::max(1, std::min(threads(), out / 16));
        forBlocks(out, blocks, 16, double(macs), [&](long o0, long o1) {
            Eigen::Map<Eigen::RowVectorXf> yr(y + o0, o1 - o0);  // [o]
            yr.transpose().noalias() = cmat(W + o0 * in, int(o1 - o0), in, in) * Eigen::Map<const Eigen::VectorXf>(x, in);
            if (b) yr += Eigen::Map<const Eigen::RowVectorXf>(b + o0, o1 - o0);
        });
        return true;
    }
    int ldx = in;
    const float* xs = n > 1 ? unaliasedRows(x, n, in, ldx) : x;  // one copy, read by every thread
    const int rowsPer = fewRowChunkRows(in);
    const long chunks = (long(out) + rowsPer - 1) / rowsPer;
    if (chunks > 0xffff) return false;  // beyond the claim word's 16 bits: GEMM, for every n
    const long chunkBytes = long(rowsPer) * in * long(sizeof(float));
    claimChunks(fewRowWorkers(macs, int(chunks)), int(chunks), double(macs), [&](int c, int next) {
        const int o0 = c * rowsPer, o1 = std::min(out, o0 + rowsPer);
        const char* pf = next >= 0 ? reinterpret_cast<const char*>(W + long(next) * rowsPer * in) : nullptr;
        fewRowChunk(y, out, xs, ldx, n, in, W, o0, o1, pf,
                    pf ? std::min(chunkBytes, (long(out) - long(next) * rowsPer) * in * long(sizeof(float))) : 0);
        addBias(y, b, n, out, o0, o1);
    });
    return true;
}

}  // namespace

size_t linearPanelFloats(int out, int in)
{
    return kHavePanelKernel ? size_t((out + kPanel - 1) / kPanel) * size_t(kPanel) * size_t(in) : 0;
}

// panels[p][k][j] = W[32p + j, k], 0 past out.
void packLinearPanels(float* panels, const float* W, int out, int in)
{
    const int count = (out + kPanel - 1) / kPanel;
    forBlocks(count, blocksFor(long(out) * in, count), 1, double(out) * in, [&](long p0, long p1) {
        for (long p = p0; p < p1; ++p) {
            float* P = panels + p * kPanel * in;  // [in, 32]
            const int cols = int(std::min<long>(kPanel, out - p * kPanel));
            const float* Wp = W + p * kPanel * in;  // [cols, in]
            // P written in order; the 32 rows of W read side by side, each line of them
            // (in L1) serving 16 k steps.
            for (int k = 0; k < in; ++k) {
                float* Pk = P + long(k) * kPanel;
                for (int j = 0; j < cols; ++j) Pk[j] = Wp[long(j) * in + k];
                for (int j = cols; j < kPanel; ++j) Pk[j] = 0.0f;
            }
        }
    });
}

template <class Real>
void linearForward(Real* y, const Real* x, const Real* W, const Real* b, int n, int in, int out, const Real* panels)
{
    if (linearFewRows(y, x, W, panels, b, n, in, out)) return;
    // Blocks of rows: y[r0:r1] = x[r0:r1] W^T + b
    forBlocks(n, blocksFor(long(n) * in * out, n / 32), 8, double(n) * in * out, [&](long r0, long r1) {
        MatMap<Real> ym = mat(y + r0 * out, int(r1 - r0), out, out);  // [rows, out]
        ym.noalias() = cmat(x + r0 * in, int(r1 - r0), in, in) * cmat(W, out, in, in).transpose();
        if (b) ym.rowwise() += Eigen::Map<const Eigen::Matrix<Real, 1, Eigen::Dynamic>>(b, out);
    });
}

// dx += dy W;  dW += dy^T x;  db += sum_r dy[r]
template <class Real>
void linearBackward(Real* dx, Real* dW, Real* db, const Real* dy, const Real* x, const Real* W, int n, int in, int out)
{
    // Tasks 0 .. k-1: blocks of rows of dx; tasks k .. 2k-1: blocks of rows of dW (outputs).
    const int k = blocksFor(long(n) * in * out, std::min(n / 32, out / 32));
    parallelFor(2 * k, [&](int task) {
        long a0, a1;
        if (task < k) {
            blockRange(n, task, k, 8, a0, a1);
            if (dx && a1 > a0)
                mat(dx + a0 * in, int(a1 - a0), in, in).noalias() +=
                    cmat(dy + a0 * out, int(a1 - a0), out, out) * cmat(W, out, in, in);
        } else {
            blockRange(out, task - k, k, 16, a0, a1);
            if (a1 <= a0) return;
            CMatMap<Real> g = cmat(dy + a0, n, int(a1 - a0), out);  // [n, o]
            if (dW) mat(dW + a0 * in, int(a1 - a0), in, in).noalias() += g.transpose() * cmat(x, n, in, in);
            if (db) Eigen::Map<Eigen::Matrix<Real, 1, Eigen::Dynamic>>(db + a0, a1 - a0) += g.colwise().sum();
        }
    }, 2.0 * n * in * out);
}

// ---------------------------------------------------------------------------------------
// y = (x - mean) * rstd * gamma + beta
namespace {

#if defined(__AVX512F__)
// One float row of layerNormForward in an order fixed by d alone (not by the row's address,
// which decides where Eigen's vectorised loops start): the sums in double, 8 lanes in index
// order then one tree; y = ((x - mean) * rstd) * gamma + beta without fused multiply-adds.
// A row gives the same bits wherever it sits: in a decoding step, a full recomputation or a
// training batch.
void layerNormRowFixed(float* y, float& mean, float& rstd, const float* x, const float* gamma, const float* beta,
                       int d, float eps)
{
    auto masked = [d](int i) { return d - i >= 8 ? __mmask8(0xFF) : __mmask8((1u << (d - i)) - 1); };
    auto wide = [&](int i) { return _mm512_cvtps_pd(_mm256_maskz_loadu_ps(masked(i), x + i)); };  // x[i .. i+8) as doubles
    __m512d acc = _mm512_setzero_pd();
    for (int i = 0; i < d; i += 8) acc = _mm512_add_pd(acc, wide(i));
    const double mu = _mm512_reduce_add_pd(acc) / d;
    const __m512d vmu = _mm512_set1_pd(mu);
    acc = _mm512_setzero_pd();
    for (int i = 0; i < d; i += 8) {
        const __m512d c = _mm512_maskz_sub_pd(masked(i), wide(i), vmu);  // lanes past the end: 0
        acc = _mm512_add_pd(acc, _mm512_mul_pd(c, c));
    }
    const double var = _mm512_reduce_add_pd(acc) / d;
    mean = static_cast<float>(mu);
    rstd = static_cast<float>(1.0 / std::sqrt(var + eps));
    const __m512 vm = _mm512_set1_ps(mean), vr = _mm512_set1_ps(rstd);
    for (int i = 0; i < d; i += 16) {
        const __mmask16 m = d - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (d - i)) - 1);
        const __m512 xh = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), vm), vr);
        const __m512 out = _mm512_add_ps(_mm512_mul_ps(xh, _mm512_maskz_loadu_ps(m, gamma + i)),
                                         _mm512_maskz_loadu_ps(m, beta + i));
        _mm512_mask_storeu_ps(y + i, m, out);
    }
}
#endif

}  // namespace

template <class Real>
void layerNormForward(Real* y, Real* mean, Real* rstd, const Real* x, const Real* gamma, const Real* beta, int n, int d,
                      Real eps)
{
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<Real, float>) {
        forBlocks(n, blocksFor(long(n) * d * 4, n / 16), 1, double(n) * d * 4, [&](long r0, long r1) {
            for (long r = r0; r < r1; ++r) {
                float m, rs;
                layerNormRowFixed(y + r * d, m, rs, x + r * d, gamma, beta, d, eps);
                if (mean) mean[r] = m;
                if (rstd) rstd[r] = rs;
            }
        });
        return;
    }
#endif
    forBlocks(n, blocksFor(long(n) * d * 4, n / 16), 1, double(n) * d * 4, [&](long r0, long r1) {
        for (long r = r0; r < r1; ++r) {
            const auto xr = CArrMap<Real>(x + r * d, d).template cast<double>();
            const double mu = xr.sum() / d;
            const double var = (xr - mu).square().sum() / d;
            const Real m = static_cast<Real>(mu);
            const Real rs = static_cast<Real>(1.0 / std::sqrt(var + eps));
            if (mean) mean[r] = m;
            if (rstd) rstd[r] = rs;
            ArrMap<Real>(y + r * d, d) =
                (CArrMap<Real>(x + r * d, d) - m) * rs * CArrMap<Real>(gamma, d) + CArrMap<Real>(beta, d);
        }
    });
}

namespace {

// Rows [r0, r1) of dx (Eigen maps over plain pointers, so the loops vectorise).
template <class Real>
void layerNormBackwardRows(Real* dx, const Real* dy, const Real* x, const Real* mean, const Real* rstd,
                           const Real* gamma, long r0, long r1, int d)
{
    CArrMap<Real> gm(gamma, d);
    for (long r = r0; r < r1; ++r) {
        const auto xhat = (CArrMap<Real>(x + r * d, d) - mean[r]) * rstd[r];
        const auto g = CArrMap<Real>(dy + r * d, d) * gm;
        const Real meanG = g.sum() / Real(d), meanGX = (g * xhat).sum() / Real(d);
        ArrMap<Real>(dx + r * d, d) += rstd[r] * (g - meanG - xhat * meanGX);
    }
}

// Columns [c0, c1) of dgamma and dbeta, summed over the rows in order.
template <class Real>
void layerNormBackwardParams(Real* dgamma, Real* dbeta, const Real* dy, const Real* x, const Real* mean,
                             const Real* rstd, int n, int d, long c0, long c1)
{
    const long w = c1 - c0;
    for (int r = 0; r < n; ++r) {
        CArrMap<Real> gr(dy + long(r) * d + c0, w);
        if (dgamma) ArrMap<Real>(dgamma + c0, w) += gr * ((CArrMap<Real>(x + long(r) * d + c0, w) - mean[r]) * rstd[r]);
        if (dbeta) ArrMap<Real>(dbeta + c0, w) += gr;
    }
}

}  // namespace

// dx += rstd * (g - mean(g) - xhat * mean(g * xhat)),  g = dy * gamma
// dgamma += sum_r dy * xhat,  dbeta += sum_r dy
template <class Real>
void layerNormBackward(Real* dx, Real* dgamma, Real* dbeta, const Real* dy, const Real* x, const Real* mean,
                       const Real* rstd, const Real* gamma, int n, int d)
{
    // Tasks 0 .. k-1: blocks of rows of dx; tasks k .. 2k-1: blocks of columns of dgamma, dbeta.
    const int k = blocksFor(long(n) * d * 8, std::min(n / 16, d / 16));
    parallelFor(2 * k, [=](int task) {
        long a0, a1;
        if (task < k) {
            blockRange(n, task, k, 1, a0, a1);
            if (dx) layerNormBackwardRows(dx, dy, x, mean, rstd, gamma, a0, a1, d);
        } else {
            blockRange(d, task - k, k, 16, a0, a1);
            if (a1 > a0) layerNormBackwardParams(dgamma, dbeta, dy, x, mean, rstd, n, d, a0, a1);
        }
    }, double(n) * d * 8);
}

// ---------------------------------------------------------------------------------------
namespace {

// The element loops take plain pointers (not a lambda's captures) so that they vectorise.
template <class Real>
void activateRange(Real* y, const Real* x, long count, Activation a)
{
    switch (a) {
    case Activation::Relu:  // max(0, x)
        for (long i = 0; i < count; ++i) y[i] = x[i] > Real(0) ? x[i] : Real(0);
        break;
    case Activation::Gelu:  // 0.5 x (1 + erf(x / sqrt 2))
        for (long i = 0; i < count; ++i) y[i] = Real(0.5) * x[i] * (Real(1) + std::erf(x[i] * Real(0.70710678118654752)));
        break;
    case Activation::Swish:  // x / (1 + e^-x)
        for (long i = 0; i < count; ++i) y[i] = x[i] / (Real(1) + std::exp(-x[i]));
        break;
    }
}

template <class Real>
void activateBackwardRange(Real* dx, const Real* dy, const Real* x, long count, Activation a)
{
    switch (a) {
    case Activation::Relu:  // d/dx max(0, x) = [x > 0]
        for (long i = 0; i < count; ++i) dx[i] += x[i] > Real(0) ? dy[i] : Real(0);
        break;
    case Activation::Gelu:  // d/dx x Phi(x) = Phi(x) + x phi(x),  phi(x) = e^(-x^2/2) / sqrt(2 pi)
        for (long i = 0; i < count; ++i) {
            const Real xi = x[i];
            const Real cdf = Real(0.5) * (Real(1) + std::erf(xi * Real(0.70710678118654752)));
            const Real pdf = std::exp(Real(-0.5) * xi * xi) * Real(0.39894228040143268);
            dx[i] += dy[i] * (cdf + xi * pdf);
        }
        break;
    case Activation::Swish:  // d/dx x s(x) = s + x s (1 - s),  s = 1 / (1 + e^-x)
        for (long i = 0; i < count; ++i) {
            const Real s = Real(1) / (Real(1) + std::exp(-x[i]));
            dx[i] += dy[i] * (s + x[i] * s * (Real(1) - s));
        }
        break;
    }
}

// keep_i = u_i >= p with u_i a 32-bit uniform: two per 64-bit hash of (key, i / 2).
template <class Real>
void dropoutRange(Real* y, uint8_t* keep, const Real* x, long begin, long end, uint64_t threshold, Real scale,
                  uint64_t key)
{
    for (long i = begin; i < end; ++i) {
        const uint64_t h = mix64(key ^ mix64(uint64_t(i >> 1)));
        const uint64_t u = (i & 1) ? (h >> 32) : (h & 0xffffffffULL);
        keep[i] = u >= threshold ? 1 : 0;
        y[i] = keep[i] ? x[i] * scale : Real(0);
    }
}

}  // namespace

template <class Real>
void activationForward(Real* y, const Real* x, long count, Activation a)
{
    const int blocks = blocksFor(count * (a == Activation::Relu ? 1 : 16), count / 4096);
    forBlocks(count, blocks, 16, double(count) * (a == Activation::Relu ? 1 : 16), [=](long i0, long i1) { activateRange(y + i0, x + i0, i1 - i0, a); });
}

template <class Real>
void activationBackward(Real* dx, const Real* dy, const Real* x, long count, Activation a)
{
    const int blocks = blocksFor(count * (a == Activation::Relu ? 1 : 16), count / 4096);
    forBlocks(count, blocks, 16, double(count) * (a == Activation::Relu ? 1 : 16),
              [=](long i0, long i1) { activateBackwardRange(dx + i0, dy + i0, x + i0, i1 - i0, a); });
}

// ---------------------------------------------------------------------------------------
namespace {

// p = softmax(x) over one row of n (p may alias x); -inf entries become exactly 0, and an
// all -inf row all zeros. The one row softmax of the engine: attention rows (inference
// and training) and softmaxForward.
template <class Real>
void softmaxRow(Real* p, const Real* x, int n)
{
    const Real ninf = -std::numeric_limits<Real>::infinity();
    CArrMap<Real> xr(x, n);
    ArrMap<Real> pr(p, n);
    const Real mx = n > 0 ? xr.maxCoeff() : ninf;
    if (mx == ninf) {
        pr.setZero();
        return;
    }
    // Eigen's vectorised exp clamps instead of reaching 0: masked entries are set explicitly.
    pr = (xr == ninf).select(Real(0), (xr - mx).exp());
    pr *= Real(1) / pr.sum();
}

#if defined(__AVX512F__)
// The same for floats, in an order that depends only on n (not on where the row sits in
// memory, which decides where Eigen's vectorised loops start): every element goes through
// the same 16-lane exp, the sum through 16 lanes in index order and one tree. A decoding
// step's probabilities are then the bits of the same row in a full recomputation.
template <>
void softmaxRow<float>(float* p, const float* x, int n)
{
    using Eigen::internal::pexp;
    const float ninf = -std::numeric_limits<float>::infinity();
    const __m512 vninf = _mm512_set1_ps(ninf);
    auto load = [&](int i) {  // x[i .. i+16), -inf past the end
        const __mmask16 m = n - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1);
        return std::make_pair(_mm512_mask_loadu_ps(vninf, m, x + i), m);
    };
    __m512 vmax = vninf;
    for (int i = 0; i < n; i += 16) vmax = _mm512_max_ps(vmax, load(i).first);
    const float mx = _mm512_reduce_max_ps(vmax);
    if (n <= 0 || mx == ninf) {
        std::fill(p, p + std::max(n, 0), 0.0f);
        return;
    }
    const __m512 vmx = _mm512_set1_ps(mx);
    __m512 sum = _mm512_setzero_ps();
    for (int i = 0; i < n; i += 16) {
        const auto [xv, m] = load(i);
        // exp(x - max); -inf entries (masked, and the lanes past the end) exactly 0
        const __m512 e = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(xv, vninf, _CMP_NEQ_OQ), pexp(_mm512_sub_ps(xv, vmx)));
        _mm512_mask_storeu_ps(p + i, m, e);
        sum = _mm512_add_ps(sum, e);
    }
    const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (int i = 0; i < n; i += 16) {
        const __mmask16 m = n - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(p + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, p + i), inv));
    }
}
#endif

}  // namespace

template <class Real>
void softmaxForward(Real* p, const Real* x, int rows, int cols, int ld)
{
    if (ld <= 0) ld = cols;
    forBlocks(rows, blocksFor(long(rows) * cols * 8, rows), 1, double(rows) * cols * 8, [&](long r0, long r1) {
        for (long r = r0; r < r1; ++r) softmaxRow(p + r * ld, x + r * ld, cols);
    });
}

// dx += p * (dp - sum_j p_j dp_j)
template <class Real>
void softmaxBackward(Real* dx, const Real* dp, const Real* p, int rows, int cols)
{
    for (int r = 0; r < rows; ++r) {
        CArrMap<Real> pr(p + long(r) * cols, cols), gr(dp + long(r) * cols, cols);
        const Real dot = (pr * gr).sum();
        ArrMap<Real>(dx + long(r) * cols, cols) += pr * (gr - dot);
    }
}

// ---------------------------------------------------------------------------------------
// probs_bh = softmax(mask(Q_bh K_bh^T / sqrt(dk))),  ctx_bh = probs_bh V_bh
namespace {

// out[j] = a . b_j over n floats for the N rows b_j = b + j * ldb, each in one fixed order
// whatever is computed beside it: 16 lanes, then one reduction tree (AVX-512); a plain
// left-to-right sum elsewhere. N > 1 runs N independent chains side by side (one chain
// alone waits on each multiply-add's latency), each row's bits those of N = 1.
template <int N>
void dotFixedRows(float* out, const float* a, const float* b, long ldb, int n)
{
#if defined(__AVX512F__)
    __m512 acc[N];
    for (int j = 0; j < N; ++j) acc[j] = _mm512_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 av = _mm512_loadu_ps(a + i);
        for (int j = 0; j < N; ++j) acc[j] = _mm512_fmadd_ps(av, _mm512_loadu_ps(b + j * ldb + i), acc[j]);
    }
    if (i < n) {
        const __mmask16 m = __mmask16((1u << (n - i)) - 1);
        const __m512 av = _mm512_maskz_loadu_ps(m, a + i);
        for (int j = 0; j < N; ++j) acc[j] = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m, b + j * ldb + i), acc[j]);
    }
    for (int j = 0; j < N; ++j) out[j] = sum16(acc[j]);
#else
    for (int j = 0; j < N; ++j) {
        float s = 0.0f;
        for (int i = 0; i < n; ++i) s += a[i] * b[j * ldb + i];
        out[j] = s;
    }
#endif
}

float dotFixed(const float* a, const float* b, int n)
{
    float s;
    dotFixedRows<1>(&s, a, b, 0, n);
    return s;
}

// c[0:dk] = sum_j p[j] v_j[0:dk] over keys j = 0 .. last-1 (rows of v, stride ldv), in key
// order, one fused multiply-add per element and key (c = p_j v_j + c, from c = 0). With
// AVX-512 the sums stay in registers, 64 elements at a time; through memory, each key's
// multiply-add waited for the previous key's store.
void contextRow(float* c, const float* p, const float* v, long ldv, int last, int dk)
{
#if defined(__AVX512F__)
    for (int e0 = 0; e0 < dk; e0 += 64) {
        __m512 acc[4];
        __mmask16 m[4];
        for (int q = 0; q < 4; ++q) {
            const int lanes = std::max(0, std::min(16, dk - e0 - 16 * q));
            m[q] = lanes == 16 ? __mmask16(0xFFFF) : __mmask16((1u << lanes) - 1);
            acc[q] = _mm512_setzero_ps();
        }
        for (int j = 0; j < last; ++j) {
            const __m512 pj = _mm512_set1_ps(p[j]);
            const float* vj = v + long(j) * ldv + e0;
            for (int q = 0; q < 4; ++q) acc[q] = _mm512_fmadd_ps(pj, _mm512_maskz_loadu_ps(m[q], vj + 16 * q), acc[q]);
        }
        for (int q = 0; q < 4; ++q) _mm512_mask_storeu_ps(c + e0 + 16 * q, m[q], acc[q]);
    }
#else
    std::fill(c, c + dk, 0.0f);
    for (int j = 0; j < last; ++j) {
        const float pj = p[j];
        const float* vj = v + long(j) * ldv;
        for (int e = 0; e < dk; ++e) c[e] += pj * vj[e];
    }
#endif
}

// attentionForward for one sequence of floats (inference, and a one-sentence training
// batch), row by row: every query row's scores, softmax and context are computed by the
// same sequence of operations whatever rows share the call, so a decoding step (one row at
// t0) gives the bits of the same row in a full recomputation. The context sums the visible
// keys only (masked weights are exactly 0 and add nothing).
void oneSequenceAttention(float* ctx, float* probs, const float* q, const float* k, const float* v, int len,
                          bool causal, int Tq, int Tk, int H, int d, float alpha, float* scores, int t0)
{
    const int dk = d / H;
    const long work = long(H) * Tq * Tk * dk * 2;
    forBlocks(H, attentionBlocks(work, H), 1, double(work), [&](long h0, long h1) {
        for (long h = h0; h < h1; ++h)
            for (int i = 0; i < Tq; ++i) {
                const float* qi = q + long(i) * d + h * dk;       // [dk]
                float* P = probs + (h * Tq + i) * long(Tk);       // [Tk]
                float* S = scores ? scores + (h * Tq + i) * long(Tk) : nullptr;  // [Tk]
                // keys [0, last) visible: all real ones, or (causal) those up to the query's position
                const int last = causal ? std::max(0, std::min(t0 + i + 1, len)) : len;
                // scores = q k_j / sqrt(dk), recorded over every key (padding included)
                const int keys = S ? Tk : len;
                for (int j = 0; j < keys; j += 4) {
                    const float* kj = k + long(j) * d + h * dk;
                    float dots[4];
                    if (j + 4 <= keys)
                        dotFixedRows<4>(dots, qi, kj, d, dk);
                    else
                        for (int t = 0; t < keys - j; ++t) dots[t] = dotFixed(qi, kj + long(t) * d, dk);
                    for (int t = 0; t < std::min(4, keys - j); ++t) {
                        const float sj = alpha * dots[t];
                        if (S) S[j + t] = sj;
                        if (j + t < len) P[j + t] = sj;
                    }
                }
                softmaxRow(P, P, last);
                std::fill(P + last, P + Tk, 0.0f);
                // context = sum_j p_j v_j over the visible keys, in key order
                contextRow(ctx + long(i) * d + h * dk, P, v + h * dk, d, last, dk);
            }
    });
}

}  // namespace

void attentionScores(float* s, const float* a, const float* b, int m, int n, int k, float alpha, int lda, int ldb,
                     int lds)
{
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) s[long(i) * lds + j] = alpha * dotFixed(a + long(i) * lda, b + long(j) * ldb, k);
}

template <class Real>
void attentionForward(Real* ctx, Real* probs, const Real* q, const Real* k, const Real* v, const int* keyLengths,
                      bool causal, int B, int Tq, int Tk, int H, int d, bool scaled, Real* scores, int t0)
{
    if constexpr (std::is_same_v<Real, float>) {
        if (B == 1) {
            const float alpha = attentionScale<float>(d / H, scaled);
            oneSequenceAttention(ctx, probs, q, k, v, std::max(0, std::min(keyLengths[0], Tk)), causal, Tq, Tk, H, d,
                                 alpha, scores, t0);
            return;
        }
    }
    const int dk = d / H;
    const Real alpha = attentionScale<Real>(dk, scaled);
    const long work = long(B) * H * Tq * Tk * dk * 2;
    forBlocks(long(B) * H, attentionBlocks(work, long(B) * H), 1, double(work), [&](long bh0, long bh1) {
        for (long bh = bh0; bh < bh1; ++bh) {
            const int b = int(bh / H), h = int(bh % H);
            const int len = std::max(0, std::min(keyLengths[b], Tk));          // keys [0, len) are real
            MatMap<Real> P = mat(probs + bh * Tq * Tk, Tq, Tk, Tk);            // [Tq, Tk]
            MatMap<Real> C = mat(ctx + long(b) * Tq * d + h * dk, Tq, dk, d);  // [Tq, dk]
            CMatMap<Real> Q = cmat(q + long(b) * Tq * d + h * dk, Tq, dk, d);  // [Tq, dk]
            if (scores) {
                // The scaled scores before the mask, over every key (padding included).
                CMatMap<Real> Kall = cmat(k + long(b) * Tk * d + h * dk, Tk, dk, d);  // [Tk, dk]
                mat(scores + bh * Tq * Tk, Tq, Tk, Tk).noalias() = alpha * (Q * Kall.transpose());
            }
            if (len == 0) {
                P.setZero();
                C.setZero();
                continue;
            }
            CMatMap<Real> K = cmat(k + long(b) * Tk * d + h * dk, len, dk, d);   // [len, dk]
            CMatMap<Real> Vh = cmat(v + long(b) * Tk * d + h * dk, len, dk, d);  // [len, dk]
            // scores = Q K^T / sqrt(dk) over the real keys; padding keys get probability 0.
            if (scores)
                P.leftCols(len) = mat(scores + bh * Tq * Tk, Tq, Tk, Tk).leftCols(len);
            else
                P.leftCols(len).noalias() = alpha * (Q * K.transpose());
            P.rightCols(Tk - len).setZero();
            for (int i = 0; i < Tq; ++i) {
                // keys [0, last) visible: all real ones, or (causal) those up to the query's position
                const int last = causal ? std::max(0, std::min(t0 + i + 1, len)) : len;
                Real* row = P.row(i).data();
                softmaxRow(row, row, last);
                std::fill(row + last, row + len, Real(0));
            }
            C.noalias() = P.leftCols(len) * Vh;
        }
    });
}

// dV += P^T dC,  dP = dC V^T,  dS = P * (dP - rowsum(P * dP)),  dQ += alpha dS K,  dK += alpha dS^T Q
template <class Real>
void attentionBackward(Real* dq, Real* dk, Real* dv, const Real* dctx, const Real* probs, const Real* q, const Real* k,
                       const Real* v, const int* keyLengths, int B, int Tq, int Tk, int H, int d, bool scaled)
{
    const int dkh = d / H;
    const Real alpha = attentionScale<Real>(dkh, scaled);
    const long work = long(B) * H * Tq * Tk * dkh * 4;
    forBlocks(long(B) * H, attentionBlocks(work, long(B) * H), 1, double(work), [&](long bh0, long bh1) {
        RowMat<Real> dS(Tq, Tk);  // scratch [Tq, Tk]
        for (long bh = bh0; bh < bh1; ++bh) {
            const int b = int(bh / H), h = int(bh % H);
            const long qo = long(b) * Tq * d + h * dkh, ko = long(b) * Tk * d + h * dkh;
            CMatMap<Real> P = cmat(probs + bh * Tq * Tk, Tq, Tk, Tk);  // [Tq, Tk]
            const int len = std::max(0, std::min(keyLengths[b], Tk));  // keys [0, len) are real
            if (len == 0) continue;
            CMatMap<Real> dC = cmat(dctx + qo, Tq, dkh, d);  // [Tq, dk]
            CMatMap<Real> Q = cmat(q + qo, Tq, dkh, d);
            CMatMap<Real> K = cmat(k + ko, len, dkh, d);  // [len, dk]
            CMatMap<Real> Vh = cmat(v + ko, len, dkh, d);
            auto Pl = P.leftCols(len);
            auto dSl = dS.leftCols(len);
            // ctx = P V:  dV += P^T dC,  dP = dC V^T
            if (dv) mat(dv + ko, len, dkh, d).noalias() += Pl.transpose() * dC;
            dSl.noalias() = dC * Vh.transpose();
            // softmax:  dS = P * (dP - rowsum(P * dP))
            for (int i = 0; i < Tq; ++i) {
                const Real dot = Pl.row(i).dot(dSl.row(i));
                dSl.row(i) = (Pl.row(i).array() * (dSl.row(i).array() - dot)).matrix();
            }
            // scores = alpha Q K^T:  dQ += alpha dS K,  dK += alpha dS^T Q
            if (dq) mat(dq + qo, Tq, dkh, d).noalias() += alpha * (dSl * K);
            if (dk) mat(dk + ko, len, dkh, d).noalias() += alpha * (dSl.transpose() * Q);
        }
    });
}

// ---------------------------------------------------------------------------------------
// y = x * keep / (1 - p)
template <class Real>
void dropoutForward(Real* y, uint8_t* keep, const Real* x, long count, float p, uint64_t key)
{
    if (p <= 0.0f) {
        for (long i = 0; i < count; ++i) keep[i] = 1;
        if (y != x) std::copy(x, x + count, y);
        return;
    }
    const uint64_t threshold = uint64_t(double(p) * 4294967296.0);
    const Real scale = Real(1) / (Real(1) - Real(p));
    forBlocks(count, blocksFor(count * 4, count / 4096), 16, double(count) * 4,
              [=](long i0, long i1) { dropoutRange(y, keep, x, i0, i1, threshold, scale, key); });
}

// dx += dy * keep / (1 - p)
template <class Real>
void dropoutBackward(Real* dx, const Real* dy, const uint8_t* keep, long count, float p)
{
    const Real scale = p > 0.0f ? Real(1) / (Real(1) - Real(p)) : Real(1);
    for (long i = 0; i < count; ++i)
        if (keep[i]) dx[i] += dy[i] * scale;
}

// ---------------------------------------------------------------------------------------
template <class Real>
void residualForward(Real* y, const Real* x, const Real* s, long count)
{
    for (long i = 0; i < count; ++i) y[i] = x[i] + s[i];
}

template <class Real>
void residualBackward(Real* dx, Real* ds, const Real* dy, long count)
{
    if (dx)
        for (long i = 0; i < count; ++i) dx[i] += dy[i];
    if (ds)
        for (long i = 0; i < count; ++i) ds[i] += dy[i];
}

// ---------------------------------------------------------------------------------------
// loss_r = lse(z_r) - (1 - eps) z_ry - (eps / V) sum_j z_rj
template <class Real>
double crossEntropyForward(Real* probs, Real* rowLoss, const Real* logits, const int* targets, int n, int V, Real eps,
                           double* nll)
{
    std::vector<double> rowNll(size_t(n), 0.0);
    forBlocks(n, blocksFor(long(n) * V * 4, n / 16), 1, double(n) * V * 4, [&](long r0, long r1) {
        for (long r = r0; r < r1; ++r) {
            ArrMap<Real> p(probs + r * V, V);
            if (targets[r] < 0) {
                p.setZero();
                rowLoss[r] = Real(0);
                continue;
            }
            CArrMap<Real> z(logits + r * V, V);
            const Real mx = z.maxCoeff();
            p = (z - mx).exp();
            const double sum = double(p.sum());
            p *= Real(1 / sum);
            const double lse = double(mx) + std::log(sum);
            const double zy = double(z[targets[r]]);
            const double zsum = double(z.sum());
            rowNll[size_t(r)] = lse - zy;
            rowLoss[r] = static_cast<Real>(lse - (1.0 - double(eps)) * zy - double(eps) / V * zsum);
        }
    });
    const int count = countTargets(targets, n);
    if (count == 0) {
        if (nll) *nll = 0.0;
        return 0.0;
    }
    double total = 0.0, totalNll = 0.0;  // summed in row order: deterministic
    for (int r = 0; r < n; ++r) {
        total += double(rowLoss[r]);
        totalNll += rowNll[size_t(r)];
    }
    if (nll) *nll = totalNll / count;
    return total / count;
}

// dz_rj += scale * (p_rj - q_rj),  q_rj = (1 - eps) [j = y_r] + eps / V
template <class Real>
void crossEntropyBackward(Real* dlogits, const Real* probs, const int* targets, int n, int V, Real eps, Real scale)
{
    const Real uniform = eps / Real(V);
    forBlocks(n, blocksFor(long(n) * V, n / 16), 1, double(n) * V, [&](long r0, long r1) {
        for (long r = r0; r < r1; ++r) {
            if (targets[r] < 0) continue;
            ArrMap<Real> g(dlogits + r * V, V);
            g += scale * (CArrMap<Real>(probs + r * V, V) - uniform);
            g[targets[r]] -= scale * (Real(1) - eps);
        }
    });
}

// ---------------------------------------------------------------------------------------
#define SF_OPS(Real)                                                                                             \
    template void embeddingForward<Real>(Real*, const int*, const Real*, const Real*, int, int, int, Real);            \
    template void embeddingBackward<Real>(Real*, const Real*, const int*, int, int, Real);                             \
    template void linearForward<Real>(Real*, const Real*, const Real*, const Real*, int, int, int, const Real*);                    \
    template void linearBackward<Real>(Real*, Real*, Real*, const Real*, const Real*, const Real*, int, int, int);     \
    template void layerNormForward<Real>(Real*, Real*, Real*, const Real*, const Real*, const Real*, int, int, Real);  \
    template void layerNormBackward<Real>(Real*, Real*, Real*, const Real*, const Real*, const Real*, const Real*,     \
                                          const Real*, int, int);                                                      \
    template void activationForward<Real>(Real*, const Real*, long, Activation);                                       \
    template void activationBackward<Real>(Real*, const Real*, const Real*, long, Activation);                         \
    template void softmaxForward<Real>(Real*, const Real*, int, int, int);                                             \
    template void softmaxBackward<Real>(Real*, const Real*, const Real*, int, int);                                    \
    template void attentionForward<Real>(Real*, Real*, const Real*, const Real*, const Real*, const int*, bool, int,   \
                                         int, int, int, int, bool, Real*, int);                                         \
    template void attentionBackward<Real>(Real*, Real*, Real*, const Real*, const Real*, const Real*, const Real*,     \
                                          const Real*, const int*, int, int, int, int, int, bool);                     \
    template void dropoutForward<Real>(Real*, uint8_t*, const Real*, long, float, uint64_t);                           \
    template void dropoutBackward<Real>(Real*, const Real*, const uint8_t*, long, float);                              \
    template void residualForward<Real>(Real*, const Real*, const Real*, long);                                        \
    template void residualBackward<Real>(Real*, Real*, const Real*, long);                                             \
    template double crossEntropyForward<Real>(Real*, Real*, const Real*, const int*, int, int, Real, double*);         \
    template void crossEntropyBackward<Real>(Real*, const Real*, const int*, int, int, Real, Real);             \
    template int countCorrect<Real>(const Real*, const int*, int, int);

SF_OPS(float)
SF_OPS(double)

}  // namespace sf
