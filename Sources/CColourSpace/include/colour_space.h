// sRGB <-> CIELab (D65, 2° observer) exactly as scikit-image's rgb2lab / lab2rgb define them (matrix,
// thresholds 0.04045 / 0.008856 / 0.2068966 / 0.0031308, clipping), in float, for Imaging's
// LabConverter. In C so that clang can compile each loop for AVX-512, AVX2+FMA and baseline x86-64
// (target_clones, picked once at load time): the Swift targets build for baseline x86-64, and these
// loops run over every pixel of a photo twice per render (12 M pixels at 12 MP).
//
// The transcendental steps are cheap exact-enough forms: sRGB->linear from a table (the caller's:
// 4097 evenly spaced points of [0, 1] interpolated linearly for float input, or the 256 exact
// values for bytes), the cube root by an exponent-thirding guess and two Halley steps, x^(5/12) as
// c·√√c with c = ∛x and the square roots by Newton steps. Work goes in chunks copied to the stack,
// so every output may alias its input one for one (in place) and the loops still vectorise.
#ifndef COLOUR_SPACE_H
#define COLOUR_SPACE_H

#include <stdint.h>

enum { SA_LINEAR_TABLE_SIZE = 4096 };  // float input: table of SA_LINEAR_TABLE_SIZE + 1 points

// Planes in [0, 1] (clamped first; NaN counts as 0) to L, a, b planes.
void sa_srgb_to_lab(const float *red, const float *green, const float *blue, const float *linearTable,
                    float *l, float *a, float *b, long count);

// `count` interleaved R, G, B bytes to L, a, b planes; table256[v] = linear(v / 255).
void sa_srgb8_to_lab(const uint8_t *rgb, const float *table256, float *l, float *a, float *b, long count);

// L, a, b planes to sRGB planes clipped to [0, 1] (NaN stays NaN).
void sa_lab_to_srgb(const float *l, const float *a, const float *b, float *red, float *green, float *blue,
                    long count);

// Linear light to 8-bit sRGB, rounded to nearest on the exact transfer curve, without evaluating
// the curve: level = levelFloor[bits(v) >> 16] (the level of the smallest float with those top
// 16 bits; SA_ENCODE_TABLE_SIZE entries for v in [0, 1]), then raised while v >= threshold[level],
// threshold[q] = the linear value of sRGB (q + 0.5) / 255 (threshold[255] = +inf). A bucket spans
// at most two levels, so two raises suffice.
enum { SA_ENCODE_TABLE_SIZE = 0x3F80 + 1 };

// L, a, b planes to `count` interleaved bytes: clipped, ×255, rounded to nearest (on the exact curve,
// by the tables above); NaN becomes 0.
void sa_lab_to_srgb8(const float *l, const float *a, const float *b, const uint8_t *levelFloor,
                     const float *threshold, uint8_t *rgb, long count);

#endif
