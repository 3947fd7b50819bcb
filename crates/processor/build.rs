//! Links Tesseract and leptonica. Tesseract is found through pkg-config: `.cargo/config.toml` puts
//! the static build of scripts/build-tesseract.sh first on PKG_CONFIG_PATH (setup.sh makes it; the
//! Docker image installs it in /usr/local). A folder holding only `libtesseract.a` is that build,
//! linked into the binary; otherwise the system's shared library is linked.

fn main() {
    let tess = pkg_config::Config::new()
        .atleast_version("5.0")
        .cargo_metadata(false)
        .probe("tesseract")
        .unwrap_or_else(|e| {
            panic!("Tesseract (>= 5) not found by pkg-config: run scripts/setup.sh\n{e}")
        });
    let own = tess
        .link_paths
        .iter()
        .find(|dir| dir.join("libtesseract.a").is_file() && !dir.join("libtesseract.so").exists());
    match own {
        Some(dir) => {
            println!("cargo:rustc-link-search=native={}", dir.display());
            println!("cargo:rustc-link-lib=static=tesseract");
            println!(
                "cargo:rerun-if-changed={}",
                dir.join("libtesseract.a").display()
            );
            // The static library's own needs: C++'s runtime (leptonica is linked below).
            println!("cargo:rustc-link-lib=stdc++");
            println!("cargo:rustc-env=DP_TESSERACT_LINK=static");
        }
        None => {
            for dir in &tess.link_paths {
                println!("cargo:rustc-link-search=native={}", dir.display());
            }
            println!("cargo:rustc-link-lib=tesseract");
            println!("cargo:rustc-env=DP_TESSERACT_LINK=shared");
        }
    }
    pkg_config::Config::new()
        .probe("lept")
        .unwrap_or_else(|e| panic!("leptonica not found by pkg-config: run scripts/setup.sh\n{e}"));
}
