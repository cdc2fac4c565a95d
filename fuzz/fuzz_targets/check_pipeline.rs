//! `meshc check` on any bytes (YAML, or KDL after a `//kdl` line): every
//! diagnostic points inside the input and renders in every format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc::pipeline;
use meshc_fuzz::{assert_diagnostics, base, render_all, split};

fuzz_target!(|data: &[u8]| {
    let (name, bytes) = split(data);
    let (file, mut diags) = pipeline::from_bytes(name.to_string(), bytes.to_vec());
    if diags.is_empty() {
        diags = pipeline::analyze(&file, &base()).1;
    }
    assert_diagnostics(&file.text, &diags);
    render_all(file, diags);
});
