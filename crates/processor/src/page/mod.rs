//! One page image made ready and read: orientation, skew, glyph size, ruling lines, the text
//! (its layer or OCR, [`read`]) and the preview the viewer shows.

pub mod deskew;
pub mod glyphs;
pub mod orientation;
pub mod preview;
pub mod read;
pub mod ruling;
