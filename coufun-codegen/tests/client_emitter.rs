//! insta snapshot of the per-operation client methods: one async and one
//! blocking method per operation, named, typed and documented from the spec.

use std::path::Path;

use coufun_codegen::{Spec, emit, render};

fn spec() -> Spec {
    Spec::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn client_methods() {
    let spec = spec();
    let text = render::pretty(emit::client::emit(&spec)).unwrap_or_else(|e| panic!("{e}"));
    for op in &spec.endpoints.operations {
        let name = op.name();
        assert!(
            text.contains(&format!("pub async fn {name}(")),
            "{name}: no async method"
        );
        assert!(
            text.contains(&format!("pub fn {name}(")),
            "{name}: no blocking method"
        );
    }
    insta::assert_snapshot!(text);
}
