//! A PDF's searchable copy: the input's bytes unchanged, then an incremental update that adds the
//! invisible text to its scanned pages. Nothing the input draws is rewritten, so its pages look
//! as they did and the file grows by the text alone.

use super::content::{self, PageMap};
use super::{font, text_lines};
use crate::error::ProcessError;
use crate::output::result::{DocumentResult, Source};
use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, Stream};
use std::io::Write;

fn failed(what: impl std::fmt::Display) -> ProcessError {
    ProcessError::internal(format!("the searchable PDF could not be made: {what}"))
}

/// The searchable copy of the PDF `bytes`, processed into `result`, written to `out`.
pub fn write(
    bytes: Vec<u8>,
    result: &DocumentResult,
    out: &mut impl Write,
) -> Result<(), ProcessError> {
    let prev = Document::load_mem(&bytes)
        .map_err(|e| failed(format!("the PDF cannot be parsed for writing ({e})")))?;
    if prev.trailer.get(b"Encrypt").is_ok() {
        // An update would have to be encrypted as the rest is.
        return Err(failed("the PDF is encrypted"));
    }
    let pages = prev.get_pages();
    let mut doc = IncrementalDocument::create_from(bytes, prev);
    let mut font = None;
    for page in result.pages.iter().filter(|p| p.source == Source::Ocr) {
        let words = text_lines(page);
        if words.is_empty() {
            continue;
        }
        let Some(&page_id) = pages.get(&page.page) else {
            return Err(failed(format!("the PDF has no page {}", page.page)));
        };
        let map = page_map(doc.get_prev_documents(), page_id, page.width, page.height)?;
        let font_id = *font.get_or_insert_with(|| font::add(&mut doc.new_document));
        let mut text = content::text_object(&words, &map);
        // The page's own drawing is closed off first: whatever state it leaves, the text starts
        // from the default one.
        let mut overlay = b"Q\nq\n".to_vec();
        overlay.append(&mut text);
        overlay.extend_from_slice(b"Q\n");
        add_overlay(&mut doc, page_id, font_id, overlay).map_err(failed)?;
    }
    doc.save_to(out).map_err(failed)
}

/// `page`'s inheritable attribute `key`, from it or the nearest ancestor that has it.
fn inherited<'a>(doc: &'a Document, page: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..64 {
        if let Ok(value) = node.get(key) {
            return doc.dereference(value).ok().map(|(_, v)| v);
        }
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

fn rect(doc: &Document, o: &Object) -> Option<[f32; 4]> {
    let items = o.as_array().ok()?;
    let v: Vec<f32> = items
        .iter()
        .filter_map(|i| doc.dereference(i).ok()?.1.as_float().ok())
        .collect();
    (v.len() == 4).then(|| {
        [
            v[0].min(v[2]),
            v[1].min(v[3]),
            v[0].max(v[2]),
            v[1].max(v[3]),
        ]
    })
}

/// How the analysed image's pixels lie on the page: its visible box (the crop box within the
/// media box, as it is rendered) and its rotation.
fn page_map(
    doc: &Document,
    page: ObjectId,
    width: u32,
    height: u32,
) -> Result<PageMap, ProcessError> {
    let media = inherited(doc, page, b"MediaBox")
        .and_then(|o| rect(doc, o))
        .unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let visible = match inherited(doc, page, b"CropBox").and_then(|o| rect(doc, o)) {
        Some(c) => [
            c[0].max(media[0]),
            c[1].max(media[1]),
            c[2].min(media[2]),
            c[3].min(media[3]),
        ],
        None => media,
    };
    let rotate = inherited(doc, page, b"Rotate")
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0);
    Ok(PageMap::new(visible, rotate, width, height))
}

/// The page's new version: its resources (inherited ones made its own) with the text font, its
/// contents wrapped in `q ... Q` and followed by the overlay.
fn add_overlay(
    doc: &mut IncrementalDocument,
    page_id: ObjectId,
    font_id: ObjectId,
    overlay: Vec<u8>,
) -> lopdf::Result<()> {
    let prev = doc.get_prev_documents();
    let mut resources: Dictionary = inherited(prev, page_id, b"Resources")
        .and_then(|o| o.as_dict().ok())
        .cloned()
        .unwrap_or_default();
    let mut fonts: Dictionary = resources
        .get(b"Font")
        .ok()
        .and_then(|o| prev.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
        .cloned()
        .unwrap_or_default();
    fonts.set(content::FONT, Object::Reference(font_id));
    resources.set("Font", fonts);
    let mut contents: Vec<Object> = match prev.get_dictionary(page_id)?.get(b"Contents") {
        Ok(Object::Array(items)) => items.clone(),
        Ok(Object::Reference(id)) => match prev.get_object(*id)? {
            Object::Array(items) => items.clone(),
            _ => vec![Object::Reference(*id)],
        },
        _ => Vec::new(),
    };
    let open = doc
        .new_document
        .add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
    let text = doc
        .new_document
        .add_object(super::compressed(Dictionary::new(), overlay));
    contents.insert(0, Object::Reference(open));
    contents.push(Object::Reference(text));
    doc.opt_clone_object_to_new_document(page_id)?;
    let page = doc
        .new_document
        .get_object_mut(page_id)
        .and_then(Object::as_dict_mut)?;
    page.set("Resources", resources);
    page.set("Contents", contents);
    Ok(())
}
