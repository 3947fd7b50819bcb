//! Where a record's outputs are stored in S3.

pub fn results_key(id: &str) -> String {
    format!("results/{id}.json")
}

pub fn searchable_pdf_key(id: &str) -> String {
    format!("results/{id}.pdf")
}

/// The folder of a record's page previews; page N is `{prefix}N.webp`.
pub fn previews_prefix(id: &str) -> String {
    format!("results/{id}/pages/")
}
