#ifndef SA_TANH_H
#define SA_TANH_H

// Eigen's 13/6 rational tanh, the same as FastTanh.swift, branch-free so it vectorises.
static inline float sa_tanh(float v) {
    float x = v < -7.90531110763549805f ? -7.90531110763549805f : v;
    x = x > 7.90531110763549805f ? 7.90531110763549805f : x;
    float x2 = x * x;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    p = p * x;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    float a = v < 0 ? -v : v;
    return a < 0.0004f ? v : p / q;
}

#endif
