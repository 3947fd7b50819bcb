//! A Tesseract handle over its C API (`capi`): created and initialised once, fed grey page
//! images, ended on drop.

use crate::recognition::capi;
use image::GrayImage;
use std::ffi::CString;
use std::path::Path;

pub struct TessHandle(*mut capi::TessBaseAPI);

// SAFETY: a handle is owned by one worker thread at a time (moved, never shared).
unsafe impl Send for TessHandle {}

impl TessHandle {
    /// A handle with `languages` (`eng`, `eng+deu`, `osd`) loaded; None when they cannot be.
    pub fn init(tessdata: Option<&Path>, languages: &str) -> Option<TessHandle> {
        let path = match tessdata {
            Some(p) => Some(CString::new(p.to_string_lossy().as_bytes()).ok()?),
            None => None,
        };
        let lang = CString::new(languages).ok()?;
        // SAFETY: a fresh handle; the strings outlive the calls; on failure it is deleted.
        unsafe {
            let api = capi::TessBaseAPICreate();
            if api.is_null() {
                return None;
            }
            let datapath = path.as_ref().map_or(std::ptr::null(), |p| p.as_ptr());
            if capi::TessBaseAPIInit3(api, datapath, lang.as_ptr()) != 0 {
                capi::TessBaseAPIDelete(api);
                return None;
            }
            // Tesseract prints "Estimating resolution ..." and similar chatter for every page.
            capi::TessBaseAPISetVariable(api, c"debug_file".as_ptr(), c"/dev/null".as_ptr());
            Some(TessHandle(api))
        }
    }

    /// Hands Tesseract a page (it copies the pixels) and its resolution when known.
    pub fn set_image(&mut self, img: &GrayImage, dpi: Option<u32>) {
        let (w, h) = img.dimensions();
        // SAFETY: the buffer holds w*h bytes, one per pixel, rows of w bytes.
        unsafe {
            capi::TessBaseAPISetImage(
                self.0,
                img.as_raw().as_ptr(),
                w as i32,
                h as i32,
                1,
                w as i32,
            );
            if let Some(dpi) = dpi {
                capi::TessBaseAPISetSourceResolution(self.0, dpi as i32);
            }
        }
    }

    pub fn raw(&mut self) -> *mut capi::TessBaseAPI {
        self.0
    }
}

impl Drop for TessHandle {
    fn drop(&mut self) {
        // SAFETY: created by TessBaseAPICreate, dropped once.
        unsafe {
            capi::TessBaseAPIEnd(self.0);
            capi::TessBaseAPIDelete(self.0);
        }
    }
}
