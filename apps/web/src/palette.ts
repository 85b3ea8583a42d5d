/** Okabe–Ito: told apart with every common colour-vision deficiency. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];

/** A sequential scale for a quantity from low (good) to high: light yellow to dark blue (cividis-like, colour-blind safe). */
export const SEQUENTIAL = ['#fde725', '#7ad151', '#22a884', '#2a788e', '#414487', '#440154'];
