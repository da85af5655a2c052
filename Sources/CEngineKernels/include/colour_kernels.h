// The colour pass's per-pixel hot loops, in C so that clang can compile each one for AVX-512, AVX2+FMA
// and baseline x86-64 (target_clones, chosen once at load time by the CPU's flags): the Swift targets
// build for baseline x86-64 (SSE2, no FMA), which leaves 4-8x of these loops' speed on the table.
// Plain primitives over contiguous rows, no allocation, caller-owned buffers (ncnn/ggml style).
#ifndef COLOUR_KERNELS_H
#define COLOUR_KERNELS_H

#include <stdint.h>

// ---- Exact low-rank bilinear head, one output row -------------------------------------------------
// t = tanh(lerp(conv1Row) + uL·L + uA·A + uB·B + uBias)   (d values per pixel)
// out = lab + P(t ∘ q) + outBias·Σm,   q = Σ_k m_k presets_k  or  q given per pixel.
typedef struct {
    int width;                 // output pixels in the row
    int rank;                  // d
    int presetCount;           // K (0 in context mode)
    const float *conv1Row;     // the conv1 piece interpolated to this row: (source width) × d
    const int32_t *conv1Lower; // per output x: source columns and the upper one's weight
    const int32_t *conv1Upper;
    const float *conv1Weight;
    const float *uL, *uA, *uB, *uBias;  // d each, Lab units folded in
    const float *presets;      // K × d: tanh(V e_k + b_v)
    const float *outWeight;    // 3 × d, Lab units
    const float *outBias;      // 3, Lab units
    float *tanhBuffer;         // d floats of scratch
    float *qBuffer;            // d floats of scratch
} SAHeadRow;

// Exact output. mix: width × K map weights (map mode) or NULL; qRows: width × d (context mode) or NULL.
void sa_head_row(const SAHeadRow *r, const float *labL, const float *labA, const float *labB,
                 const float *mix, const float *qRows, float *outL, float *outA, float *outB);

// The residual out − lab of every preset at once (the tanh is shared): residuals width × K × 3;
// with qRows (context mode) one residual per pixel, width × 3.
void sa_head_row_per_preset(const SAHeadRow *r, const float *labL, const float *labA, const float *labB,
                            const float *qRows, float *residuals);

// ---- Guided upsampling: per-node affine colour transforms -------------------------------------------
// A node holds 16 floats, one 64-byte vector, feature-major: for output c in (L, a, b) the residual
// r_c = k[c]·L + k[4 + c]·a + k[8 + c]·b + k[12 + c] (Lab units); lanes 3, 7, 11, 15 are zero.
enum { SA_GUIDED_NODE = 16 };

// Normal-equation statistics of one guide row, splatted with tent weights into the nodes around each
// pixel (2 grid rows × 2 grid columns × 2 luminance bins). Per node `statCount` = 10 + 12·sets floats:
// the 10 distinct entries of Σ w v vᵀ with v = (l, a, b, 1) in unit scale (L/100, a/110, b/110), then
// for each residual set the 4×3 Σ w v rᵀ. residuals: width × sets × 3 (Lab units).
void sa_guided_accumulate_row(int width, int sets, int bins, const float *labL, const float *labA,
                              const float *labB, const float *residuals, const int32_t *xLower,
                              const int32_t *xUpper, const float *xWeight, float upperRowWeight,
                              float *statsLowerRow, float *statsUpperRow);

// Every node's transform from the statistics (cells × bins × statCount floats): per node and set,
// C = (G + λI)⁻¹ (H + λ C_cell), C_cell the cell's fit over all its bins with slopes pulled toward zero,
// (G_cell + λ diag(1,1,1,0))⁻¹ H_cell, λ = ridge × the cell's pixel weight; in double. Writes nodes
// (Lab units) at coefficients + set·setStride + (cell·bins + bin)·16.
void sa_guided_solve(int cells, int bins, int sets, const float *stats, double ridge, float *coefficients,
                     long setStride);

// dst[i] = a[i]·(1 − w) + b[i]·w: one grid row pair interpolated for an output row.
void sa_lerp(const float *a, const float *b, float w, long count, float *dst);

typedef struct {
    int width;                 // output pixels in the row
    int bins;                  // luminance bins (≥ 2)
    const float *rowGrids;     // sets × gridWidth × bins × 16, interpolated to this row
    long setStride;            // gridWidth × bins × 16
    const int32_t *xLower;     // per output x: grid columns and the upper one's weight
    const int32_t *xUpper;
    const float *xWeight;
} SAGuidedRow;

// out = lab + r_set(pixel), set = labels[x] (or 0 when labels is NULL).
void sa_guided_apply_row(const SAGuidedRow *g, const float *labL, const float *labA, const float *labB,
                         const uint8_t *labels, float *outL, float *outA, float *outB);

// out += weights[x] · r_set(pixel): soft or user maps, one call per preset over out = lab.
void sa_guided_accumulate_weighted_row(const SAGuidedRow *g, const float *labL, const float *labA,
                                       const float *labB, int set, const float *weights, float *outL,
                                       float *outA, float *outB);

// ---- The map at full resolution -----------------------------------------------------------------
// out[x·channels + j] = bias[j] + Σ_p lerp of piece p's interpolated source row at output x, for
// `pieces` channels-last source rows with their horizontal taps: the folded scale pieces summed.
void sa_sample_pieces_row(int width, int channels, int pieces, const float *const *rows,
                          const int32_t *const *lower, const int32_t *const *upper,
                          const float *const *weight, const float *bias, float *out);

// labels[x] = the first index of the largest of values[x·channels ..< (x+1)·channels].
void sa_argmax_rows(int width, int channels, const float *values, uint8_t *labels);

// The labels of one output row of a K = 2 map straight from the pieces (as sa_sample_pieces_row +
// sa_argmax_rows would give them), without evaluating every pixel: columns starts[s] ..< starts[s+1]
// form a segment over which every piece's taps are fixed and its weight is linear in x, so the logit
// difference is linear there; when it has the same sign, by more than `margin`, at both ends of a
// segment the whole segment gets that label, otherwise each pixel is evaluated. At 12 MP a row has
// a few hundred segments for 4000 pixels.
void sa_argmax2_segments_row(int width, int pieces, const float *const *rows, const int32_t *const *lower,
                             const int32_t *const *upper, const float *const *weight, const float *bias,
                             int segments, const int32_t *starts, float margin, uint8_t *labels);

// The refined labels of one output row (GuidedMapFilter): per pixel, each preset's 4 coefficients
// (a_r, a_g, a_b scaled for 8-bit colour, b) lerped between the vertically interpolated source row's
// columns lower[x] and upper[x] (channels-last, 4·presets floats a column), q_k = a · rgb + b for the
// pixel's interleaved 8-bit colour, labels[x] = the first k of the largest q_k. `starts` (segments + 1
// entries, the last = width) splits the row where lower or upper changes: a segment whose two columns
// give one preset the lead at every colour (or at every colour within the segment's range per
// channel) is filled without evaluating its pixels.
void sa_guided_map_labels_row(int width, int presets, const float *row, const int32_t *lower, const int32_t *upper,
                              const float *weight, int segments, const int32_t *starts, const uint8_t *rgb,
                              uint8_t *labels);

// The guided filter's fit (GuidedMapFilter, guided_map_kernels.c).
// Means over (2r+1)² windows clipped at the borders (divided by the pixels inside) of the h × w plane x,
// or of x·y when y is not NULL, times `scale`, into the h × w plane out: one pass down the columns and
// one along each row, whatever r. scratch: 2w + 1 doubles.
void sa_box_mean(int h, int w, int r, const float *x, const float *y, float scale, float *out,
                 double *scratch);

// Per pixel of `count`, one preset's affine fit q = a · I + b from window means: stats = the 9 planes
// E[I_r], E[I_g], E[I_b], E[I_r²], E[I_r I_g], E[I_r I_b], E[I_g²], E[I_g I_b], E[I_b²]; meanP = E[p];
// meanIP = E[I_c p] (3 planes); a = (Σ + εI)⁻¹ cov(I, p), b = E[p] − a · E[I].
void sa_guided_fit_solve(int count, float eps, const float *const *stats, const float *meanP,
                         const float *const *meanIP, float *a0, float *a1, float *a2, float *b);

// The fitted presets' window-averaged coefficient planes (4 per preset: a_r, a_g, a_b, b; plane i at
// planes + i·planeStride) written channels-last, 4·presets floats a pixel; when fitted = presets − 1
// the last preset's are derived (weights that sum to 1: a = −Σ a_j, b = 1 − Σ b_j).
void sa_guided_pack(int count, int presets, int fitted, const float *planes, long planeStride, float *out);

// Softmax across `channels` planes of one row in place: values[c·planeStride + x] for x < width
// (the map's probabilities from its logits). A polynomial exp, ~2e-7 relative error. scratch: 2·width.
void sa_softmax_planes(int width, int channels, float *values, long planeStride, float *scratch);

#endif
