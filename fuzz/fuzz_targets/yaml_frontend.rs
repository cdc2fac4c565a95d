//! The YAML front end on any text: a tree whose every span is inside the
//! input, or one diagnostic whose span is.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc_fuzz::{assert_diagnostics, assert_tree};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match meshc::syntax::yaml::parse(text) {
        Ok(tree) => assert_tree(text, &tree),
        Err(d) => assert_diagnostics(text, std::slice::from_ref(&d)),
    }
});
