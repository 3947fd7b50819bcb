//! What a document becomes: the result model, and the searchable PDF made from it.

pub mod result;
pub mod searchable;
