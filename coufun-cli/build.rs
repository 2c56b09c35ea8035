//! Writes the command line's operation table and dispatcher from the spec (the
//! copy embedded in coufun-codegen, so a spec change rebuilds it): one entry per
//! operation of `spec/endpoints.toml`, one per request field with its kind's doc,
//! and one `match` arm calling the SDK's generated method for each operation.

use std::fmt::Write as _;

use coufun_codegen::emit::requests::request_type;
use coufun_codegen::emit::responses::response_type;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let spec = match coufun_codegen::embedded::spec() {
        Ok(spec) => spec,
        Err(errors) => {
            println!("cargo:warning=the coufun spec is invalid: {errors}");
            std::process::exit(1);
        }
    };
    let mut out = String::new();
    out.push_str(
        "// Written by build.rs from the spec embedded in coufun-codegen. Do not edit.\n\n",
    );
    out.push_str(
        "/// Every operation of the spec, in spec order.\npub static OPERATIONS: &[OpMeta] = &[\n",
    );
    for op in &spec.endpoints.operations {
        let key = op.idempotency_key.as_ref().map(|k| k.get_ref().clone());
        let _ = writeln!(
            out,
            "    OpMeta {{ name: {:?}, summary_ko: {:?}, summary_en: {:?}, path: {:?}, writes: {}, idempotency_key: {:?}, codes: &[{}], fields: &[",
            op.name(),
            op.summary_ko,
            op.summary_en,
            op.path.name.get_ref(),
            matches!(op.effect, coufun_codegen::model::Effect::Write),
            key,
            op.codes
                .iter()
                .map(|c| format!("{:?}", c.get_ref()))
                .collect::<Vec<_>>()
                .join(", "),
        );
        for f in &op.request {
            let kind = spec.endpoints.kinds.get(f.kind.get_ref());
            let doc = kind.map(|k| k.doc.clone()).unwrap_or_default();
            let code = f
                .code
                .as_ref()
                .map(|c| c.get_ref().clone())
                .or_else(|| kind.map(|k| k.code.get_ref().clone()))
                .unwrap_or_default();
            let list = match &f.list {
                Some(l) => format!(
                    "Some(ListMeta {{ max: {}, separator: {:?} }})",
                    l.max.get_ref(),
                    l.separator
                ),
                None => "None".to_owned(),
            };
            let _ = writeln!(
                out,
                "        FieldMeta {{ name: {:?}, wire: {:?}, kind: {:?}, required: {}, code: {:?}, doc: {:?}, list: {list} }},",
                f.name(),
                f.wire.get_ref(),
                f.kind.get_ref(),
                f.required,
                code,
                doc,
            );
        }
        let mut mobile = Vec::new();
        let records = op.records.iter().flat_map(|r| r.fields.iter());
        for r in op.response.iter().chain(records) {
            if r.type_name.get_ref() == "mobile" {
                mobile.push(format!("{:?}", r.wire.get_ref()));
            }
        }
        let _ = writeln!(out, "    ], mobile_elements: &[{}] }},", mobile.join(", "));
    }
    out.push_str("];\n\n");

    out.push_str(
        "/// Calls operation `name` with wire parameters checked by the SDK's generated\n\
         /// parser (`from_wire`), through the SDK's generated client method.\n\
         pub(crate) async fn dispatch(\n    client: &coufun_api::Client,\n    name: &str,\n    params: &[(String, String)],\n    charset: coufun_api::Charset,\n) -> Result<CallOutcome, Dispatch> {\n    match name {\n",
    );
    for op in &spec.endpoints.operations {
        let req = request_type(op).to_string();
        let resp = response_type(op);
        let call = if op.idempotency_key.is_some() {
            "CallOutcome::from_issue"
        } else {
            "CallOutcome::from_call"
        };
        let _ = writeln!(
            out,
            "        {:?} => {{\n            let request = coufun_api::{req}::from_wire(params, charset).map_err(Dispatch::Invalid)?;\n            let answer = client.{}(&request).await;\n            Ok({call}::<coufun_api::responses::{resp}>(answer))\n        }}",
            op.name(),
            op.name(),
        );
    }
    out.push_str("        _ => Err(Dispatch::NoSuchOperation),\n    }\n}\n");

    let Some(dir) = std::env::var_os("OUT_DIR") else {
        println!("cargo:warning=OUT_DIR is not set");
        std::process::exit(1);
    };
    let path = std::path::Path::new(&dir).join("operations.rs");
    if let Err(e) = std::fs::write(&path, out) {
        println!("cargo:warning=cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
}
