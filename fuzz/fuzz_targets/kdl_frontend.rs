//! The KDL front end on any text: a tree whose every span is inside the
//! input, or diagnostics whose spans are.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc_fuzz::{assert_diagnostics, assert_tree};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match meshc::syntax::kdl::parse(text) {
        Ok(tree) => assert_tree(text, &tree),
        Err(diags) => {
            assert!(!diags.is_empty(), "a failed parse must say why");
            assert_diagnostics(text, &diags);
        }
    }
});
