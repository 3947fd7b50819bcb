//! The part of Tesseract's C API (`tesseract/capi.h`, stable across 5.x) the engine calls,
//! declared by hand. A bindings crate (leptess, tesseract-sys) runs bindgen, and so libclang, on
//! every cold build, and links whichever libtesseract its pkg-config search meets first (Debian's
//! shared one); build.rs links the engine's own static build instead (scripts/build-tesseract.sh).

use std::os::raw::{c_char, c_float, c_int, c_uchar, c_void};

/// `TessBaseAPI`, opaque.
#[repr(C)]
pub struct TessBaseAPI {
    _private: [u8; 0],
}

/// `ETEXT_DESC`, Tesseract's progress monitor, opaque.
#[repr(C)]
pub struct EtextDesc {
    _private: [u8; 0],
}

/// `TessPageSegMode` (a C enum, an int).
pub type TessPageSegMode = c_int;
pub const PSM_AUTO: TessPageSegMode = 3;
pub const PSM_SINGLE_BLOCK: TessPageSegMode = 6;

/// `TessCancelFunc`: asked between words whether to stop.
pub type TessCancelFunc =
    Option<unsafe extern "C" fn(cancel_this: *mut c_void, words: c_int) -> bool>;

unsafe extern "C" {
    pub fn TessBaseAPICreate() -> *mut TessBaseAPI;
    pub fn TessBaseAPIDelete(handle: *mut TessBaseAPI);
    pub fn TessBaseAPIInit3(
        handle: *mut TessBaseAPI,
        datapath: *const c_char,
        language: *const c_char,
    ) -> c_int;
    pub fn TessBaseAPIEnd(handle: *mut TessBaseAPI);
    pub fn TessBaseAPISetVariable(
        handle: *mut TessBaseAPI,
        name: *const c_char,
        value: *const c_char,
    ) -> c_int;
    pub fn TessBaseAPISetPageSegMode(handle: *mut TessBaseAPI, mode: TessPageSegMode);
    pub fn TessBaseAPISetImage(
        handle: *mut TessBaseAPI,
        imagedata: *const c_uchar,
        width: c_int,
        height: c_int,
        bytes_per_pixel: c_int,
        bytes_per_line: c_int,
    );
    pub fn TessBaseAPISetSourceResolution(handle: *mut TessBaseAPI, ppi: c_int);
    pub fn TessBaseAPISetRectangle(
        handle: *mut TessBaseAPI,
        left: c_int,
        top: c_int,
        width: c_int,
        height: c_int,
    );
    pub fn TessBaseAPIRecognize(handle: *mut TessBaseAPI, monitor: *mut EtextDesc) -> c_int;
    pub fn TessBaseAPIGetTsvText(handle: *mut TessBaseAPI, page_number: c_int) -> *mut c_char;
    pub fn TessDeleteText(text: *const c_char);
    pub fn TessBaseAPIClear(handle: *mut TessBaseAPI);
    pub fn TessBaseAPIDetectOrientationScript(
        handle: *mut TessBaseAPI,
        orient_deg: *mut c_int,
        orient_conf: *mut c_float,
        script_name: *mut *const c_char,
        script_conf: *mut c_float,
    ) -> c_int;
    pub fn TessMonitorCreate() -> *mut EtextDesc;
    pub fn TessMonitorDelete(monitor: *mut EtextDesc);
    pub fn TessMonitorSetCancelFunc(monitor: *mut EtextDesc, cancel_func: TessCancelFunc);
    pub fn TessMonitorSetCancelThis(monitor: *mut EtextDesc, cancel_this: *mut c_void);
    pub fn TessVersion() -> *const c_char;
}
