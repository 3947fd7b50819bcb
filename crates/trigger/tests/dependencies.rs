//! DESIGN.md: the Lambda (128 MB) carries no Tesseract, leptonica or pdfium, and uses neither the
//! processor nor the service. Checked on the workspace's lock file: every package the trigger can
//! reach through its dependencies (its dev-dependencies too, so this is the stricter check), read
//! without cargo, the network or a registry cache.

use std::collections::{BTreeMap, BTreeSet};

/// Cargo.lock's packages: name -> the names of what it depends on.
fn lock_graph(lock: &str) -> BTreeMap<String, Vec<String>> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in lock.split("[[package]]").skip(1) {
        let name = package
            .lines()
            .find_map(|l| l.strip_prefix("name = "))
            .map(|n| n.trim_matches('"').to_string())
            .expect("a package has a name");
        // `dependencies = [ "a", "b 1.0.0", "c 2.0.0 (registry+...)" ]`, one a line.
        let deps = package
            .split_once("dependencies = [")
            .map(|(_, rest)| rest.split_once(']').map_or(rest, |(list, _)| list))
            .unwrap_or("")
            .lines()
            .filter_map(|l| l.trim().strip_prefix('"'))
            .filter_map(|l| l.split(['"', ' ']).next())
            .map(String::from)
            .collect();
        graph.entry(name).or_default().extend::<Vec<String>>(deps);
    }
    graph
}

fn reachable(graph: &BTreeMap<String, Vec<String>>, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(p) = todo.pop() {
        if seen.insert(p.clone()) {
            todo.extend(graph.get(&p).into_iter().flatten().cloned());
        }
    }
    seen
}

#[test]
fn the_lambda_depends_on_no_ocr_pdf_or_service_code() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock"))
        .expect("the workspace's Cargo.lock");
    let graph = lock_graph(&lock);
    let trigger = reachable(&graph, "trigger");
    assert!(trigger.contains("api"), "the shared body type is used");
    assert!(trigger.contains("lambda_runtime"), "{trigger:?}");
    for forbidden in ["processor", "service", "pdfium-render", "zxing-cpp"] {
        assert!(
            !trigger.contains(forbidden),
            "the Lambda depends on {forbidden}"
        );
    }
    // The check can fail: the service does reach them.
    let service = reachable(&graph, "service");
    assert!(service.contains("processor") && service.contains("pdfium-render"));
}
