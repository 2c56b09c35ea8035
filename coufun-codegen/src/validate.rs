//! Cross-checks of the spec that serde cannot express. Every problem is returned,
//! with its location; nothing here panics.

use std::collections::{BTreeMap, BTreeSet};

use crate::NEEDS_HUMAN;
use crate::diagnostic::SpecError;
use crate::load::{Spec, SpecSource};
use crate::model::{CheckRule, EndpointsFile, Kind, ResultCodesFile, Rule, Source, Spanned};

/// Response field types that are not kinds.
pub const SCALAR_TYPES: [&str; 6] = ["text", "int", "amount", "date", "timestamp", "mobile"];

/// All problems in `spec`'s result codes and endpoints, in file order (result
/// codes first). The notification spec is checked on its own, by
/// [`NoticeSpec::parse`](crate::notice_model::NoticeSpec::parse).
pub fn validate(spec: &Spec) -> Vec<SpecError> {
    codes_and_endpoints(
        &spec.codes_source,
        &spec.codes,
        &spec.endpoints_source,
        &spec.endpoints,
    )
}

/// All problems in the parsed result codes and endpoints, before a [`Spec`] holds them.
pub(crate) fn codes_and_endpoints(
    codes_source: &SpecSource,
    codes: &ResultCodesFile,
    endpoints_source: &SpecSource,
    endpoints: &EndpointsFile,
) -> Vec<SpecError> {
    let mut v = Validator {
        out: Vec::new(),
        known_codes: BTreeSet::new(),
    };
    v.result_codes(codes_source, codes);
    v.endpoints(endpoints_source, endpoints);
    with_marks(endpoints_source, v.out)
}

/// `problems` found in the files with the `NEEDS HUMAN` marks of `src` added:
/// a placeholder the import wrote makes other complaints about its line noise
/// (a placeholder where a number or a variant belongs cannot deserialize), so
/// those are dropped and the mark, located, stands for them.
pub fn with_marks(src: &SpecSource, mut problems: Vec<SpecError>) -> Vec<SpecError> {
    let marks = needs_human_marks(src);
    problems.retain(|e| e.file != src.name || !marks.iter().any(|m| m.line == e.line));
    problems.extend(marks);
    problems
}

/// Every `NEEDS HUMAN` placeholder in a string of `src`, located, whatever the
/// file's shape: what `cargo xtask import-manual` left for a person to write.
/// The key names the table and the field (`operations[2].request: name`).
pub fn needs_human_marks(src: &SpecSource) -> Vec<SpecError> {
    let mut out = Vec::new();
    let mut table = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut open_key: Option<String> = None;
    let mut offset = 0;
    for line in src.text.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix("[[") {
            let name = header.split("]]").next().unwrap_or("").trim().to_owned();
            let n = counts.entry(name.clone()).or_insert(0);
            table = format!("{name}[{n}]");
            *n += 1;
            open_key = None;
        } else if let Some(header) = trimmed.strip_prefix('[') {
            table = header.split(']').next().unwrap_or("").trim().to_owned();
            open_key = None;
        } else if !line.starts_with(char::is_whitespace)
            && let Some((key, rest)) = trimmed.split_once('=')
        {
            let rest = rest.trim();
            let opens = rest.starts_with(['[', '{']) && !rest.ends_with([']', '}']);
            open_key = opens.then(|| key.trim().to_owned());
        }
        let mut from = 0;
        while let Some(at) = line[from..].find(NEEDS_HUMAN).map(|i| i + from) {
            from = at + NEEDS_HUMAN.len();
            if !line[..at].ends_with(['"', '\'']) {
                continue; // a comment or prose, not a placeholder
            }
            let field = line[..at]
                .rsplit_once('=')
                .map(|(before, _)| {
                    before
                        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .find(|w| !w.is_empty())
                        .unwrap_or("")
                })
                .unwrap_or("");
            let place = match &open_key {
                Some(k) if table.is_empty() => k.clone(),
                Some(k) => format!("{table}.{k}"),
                None => table.clone(),
            };
            let key = if place.is_empty() {
                field.to_owned()
            } else {
                format!("{place}: {field}")
            };
            let text = line[at..].split(['"', '\'']).next().unwrap_or(NEEDS_HUMAN);
            out.push(src.error_at(
                offset + at,
                key,
                format!("still marked `{text}`: write it, then regenerate"),
            ));
        }
        offset += line.len();
    }
    out
}

struct Validator {
    out: Vec<SpecError>,
    known_codes: BTreeSet<String>,
}

impl Validator {
    fn err<T>(&mut self, src: &SpecSource, at: &Spanned<T>, key: String, message: String) {
        self.out.push(src.error_at(at.span().start, key, message));
    }

    fn result_codes(&mut self, src: &SpecSource, file: &ResultCodesFile) {
        let manual = &file.manual;
        for (key, value) in [
            ("manual.title", &manual.title),
            ("manual.version", &manual.version),
            ("manual.revised", &manual.revised),
        ] {
            if value.get_ref().trim().is_empty() {
                self.err(src, value, key.into(), "must not be empty".into());
            }
        }
        let versions: BTreeSet<&str> = manual
            .revisions
            .iter()
            .map(|r| r.version.get_ref().as_str())
            .collect();
        for (i, r) in manual.revisions.iter().enumerate() {
            for (field, value) in [("change_ko", &r.change_ko), ("change_en", &r.change_en)] {
                self.text(src, value, format!("manual.revisions[{i}].{field}"));
            }
        }
        let mut env_names = BTreeSet::new();
        for (i, env) in file.environments.iter().enumerate() {
            let name = env.name.get_ref();
            if !env_names.insert(name.clone()) {
                self.err(
                    src,
                    &env.name,
                    format!("environments[{i}].name"),
                    format!("duplicate environment `{name}`"),
                );
            }
            let url = env.url.get_ref();
            if !(url.starts_with("http://") || url.starts_with("https://")) || !url.ends_with('/') {
                self.err(
                    src,
                    &env.url,
                    format!("environments[{i}].url"),
                    format!("`{url}` must be an http(s) URL ending in `/`"),
                );
            }
        }
        for required in ["production", "test"] {
            if !env_names.contains(required) {
                self.out.push(src.error_at(
                    0,
                    "environments",
                    format!("no `{required}` environment"),
                ));
            }
        }

        let mut variants = BTreeMap::new();
        for (i, c) in file.codes.iter().enumerate() {
            let code = c.code();
            if !is_two_digits(code) {
                self.err(
                    src,
                    &c.code,
                    format!("codes[{i}].code"),
                    format!("`{code}` is not a two-digit code (write e.g. \"05\")"),
                );
            } else if !self.known_codes.insert(code.to_owned()) {
                self.err(
                    src,
                    &c.code,
                    format!("codes[{i}].code"),
                    format!("duplicate code `{code}`"),
                );
            }
            let variant = c.variant();
            if variant.contains(NEEDS_HUMAN) {
                self.err(
                    src,
                    &c.variant,
                    format!("codes[{i}].variant"),
                    format!(
                        "still marked `{NEEDS_HUMAN}`: name the variant (UpperCamelCase), then regenerate"
                    ),
                );
            } else if !is_upper_camel(variant) {
                self.err(
                    src,
                    &c.variant,
                    format!("codes[{i}].variant"),
                    format!("`{variant}` is not an UpperCamelCase Rust identifier"),
                );
            } else if variant == "Unknown" {
                self.err(
                    src,
                    &c.variant,
                    format!("codes[{i}].variant"),
                    "`Unknown` is reserved for codes outside the manual".into(),
                );
            } else if let Some(first) = variants.insert(variant.to_owned(), code.to_owned()) {
                self.err(
                    src,
                    &c.variant,
                    format!("codes[{i}].variant"),
                    format!("duplicate variant `{variant}` (already used by code {first})"),
                );
            }
            // The manual may leave a description cell empty; the spec then says so too.
            self.not_marked(src, &c.description_ko, format!("codes[{i}].description_ko"));
            for (field, value) in [
                ("message_ko", &c.message_ko),
                ("message_en", &c.message_en),
                ("description_en", &c.description_en),
            ] {
                self.text(src, value, format!("codes[{i}].{field}"));
            }
            // What to do on a code: in both languages, or in neither.
            match (&c.action_ko, &c.action_en) {
                (Some(ko), Some(en)) => {
                    self.text(src, ko, format!("codes[{i}].action_ko"));
                    self.text(src, en, format!("codes[{i}].action_en"));
                }
                (Some(one), None) | (None, Some(one)) => self.err(
                    src,
                    one,
                    format!("codes[{i}].action"),
                    "give `action_ko` and `action_en` together (the action is shown in both languages)"
                        .to_owned(),
                ),
                (None, None) => {}
            }
            for (field, value) in [
                ("since", &c.since),
                ("changed_in", &c.changed_in),
                ("removed_in", &c.removed_in),
            ] {
                if let Some(v) = value
                    && !versions.contains(v.get_ref().as_str())
                {
                    self.err(
                        src,
                        v,
                        format!("codes[{i}].{field}"),
                        format!("version `{}` is not in manual.revisions", v.get_ref()),
                    );
                }
            }
        }
    }

    /// Non-empty, and not still waiting for a human.
    fn text(&mut self, src: &SpecSource, value: &Spanned<String>, key: String) {
        if value.get_ref().trim().is_empty() {
            self.err(src, value, key, "must not be empty".into());
        } else {
            self.not_marked(src, value, key);
        }
    }

    /// Not still waiting for a human.
    fn not_marked(&mut self, src: &SpecSource, value: &Spanned<String>, key: String) {
        if value.get_ref().contains(NEEDS_HUMAN) {
            self.err(
                src,
                value,
                key,
                format!("still marked `{NEEDS_HUMAN}`: write it, then regenerate"),
            );
        }
    }

    fn code_ref(&mut self, src: &SpecSource, code: &Spanned<String>, key: String) {
        if !self.known_codes.contains(code.get_ref()) {
            self.err(
                src,
                code,
                key,
                format!("code `{}` is not in spec/result_codes.toml", code.get_ref()),
            );
        }
    }

    /// A `source` names a document of `[documents]`, `observed` or `inferred`.
    fn source(
        &mut self,
        src: &SpecSource,
        file: &EndpointsFile,
        at: &Spanned<Source>,
        key: String,
    ) {
        if let Source::Document(doc) = at.get_ref()
            && !file.documents.contains_key(doc)
        {
            let known: Vec<&str> = file.documents.keys().map(String::as_str).collect();
            self.err(
                src,
                at,
                key,
                format!(
                    "unknown source `{doc}`: name a document of [documents] ({}), `observed` or `inferred`",
                    known.join(", ")
                ),
            );
        }
    }

    /// Every `source` of the endpoint spec, with its key.
    fn sources(&mut self, src: &SpecSource, file: &EndpointsFile) {
        let mut all: Vec<(String, &Spanned<Source>)> = vec![
            (
                "answer.result_code.source".into(),
                &file.answer.result_code.source,
            ),
            (
                "answer.result_message.source".into(),
                &file.answer.result_message.source,
            ),
            ("client.poc_id.source".into(), &file.client.poc_id.source),
            (
                "client.poc_id.limit_source".into(),
                &file.client.poc_id.limit_source,
            ),
            ("test_server.source".into(), &file.test_server.source),
        ];
        for (i, c) in file.conflicts.iter().enumerate() {
            for (j, s) in c.says.iter().enumerate() {
                all.push((format!("conflicts[{i}].says[{j}].source"), &s.source));
            }
        }
        for (key, k) in &file.kinds {
            all.push((format!("kinds.{key}.limit_source"), &k.limit_source));
        }
        for (key, l) in &file.server_limits {
            all.push((format!("server_limits.{key}.source"), &l.source));
        }
        for (i, op) in file.operations.iter().enumerate() {
            let at = format!("operations[{i}]");
            all.push((format!("{at}.path.source"), &op.path.source));
            all.push((format!("{at}.root.source"), &op.root.source));
            for (j, f) in op.request.iter().enumerate() {
                all.push((format!("{at}.request[{j}].source"), &f.source));
            }
            for (j, f) in op.response.iter().enumerate() {
                all.push((format!("{at}.response[{j}].source"), &f.source));
            }
            if let Some(r) = &op.records {
                all.push((format!("{at}.records.source"), &r.source));
                for (j, f) in r.fields.iter().enumerate() {
                    all.push((format!("{at}.records.fields[{j}].source"), &f.source));
                }
            }
        }
        for (key, at) in all {
            self.source(src, file, at, key);
        }
    }

    fn endpoints(&mut self, src: &SpecSource, file: &EndpointsFile) {
        for (key, doc) in &file.documents {
            for (field, value) in [("version", &doc.version), ("date", &doc.date)] {
                if value.get_ref().trim().is_empty() {
                    self.err(
                        src,
                        value,
                        format!("documents.{key}.{field}"),
                        "must not be empty".into(),
                    );
                }
            }
        }
        self.sources(src, file);
        let url = file.test_server.url.get_ref();
        if !(url.starts_with("http://") || url.starts_with("https://")) || !url.ends_with('/') {
            self.err(
                src,
                &file.test_server.url,
                "test_server.url".into(),
                format!("`{url}` must be an http(s) URL ending in `/`"),
            );
        }

        let mut type_names = BTreeSet::new();
        for (key, kind) in &file.kinds {
            let at = format!("kinds.{key}");
            let ty = kind.type_name.get_ref();
            if !is_upper_camel(ty) {
                self.err(
                    src,
                    &kind.type_name,
                    format!("{at}.type"),
                    format!("`{ty}` is not an UpperCamelCase Rust identifier"),
                );
            } else if !type_names.insert(ty.clone()) {
                self.err(
                    src,
                    &kind.type_name,
                    format!("{at}.type"),
                    format!("duplicate type `{ty}`"),
                );
            }
            self.code_ref(src, &kind.code, format!("{at}.code"));
            self.kind_params(src, &at, kind);
        }

        for (key, limit) in &file.server_limits {
            if !is_snake(key) {
                self.err(
                    src,
                    &limit.value,
                    format!("server_limits.{key}"),
                    format!("`{key}` is not a snake_case name"),
                );
            }
            self.code_ref(src, &limit.code, format!("server_limits.{key}.code"));
        }

        let mut op_names = BTreeSet::new();
        for (i, op) in file.operations.iter().enumerate() {
            let at = format!("operations[{i}]");
            let name = op.name();
            if !is_snake(name) {
                self.err(
                    src,
                    &op.name,
                    format!("{at}.name"),
                    format!("`{name}` is not a snake_case Rust identifier"),
                );
            } else if !op_names.insert(name.to_owned()) {
                self.err(
                    src,
                    &op.name,
                    format!("{at}.name"),
                    format!("duplicate operation `{name}`"),
                );
            }
            if op.methods.is_empty() {
                self.err(
                    src,
                    &op.name,
                    format!("{at}.methods"),
                    "an operation needs at least one HTTP method".into(),
                );
            }
            let mut listed = BTreeSet::new();
            for (j, code) in op.codes.iter().enumerate() {
                self.code_ref(src, code, format!("{at}.codes[{j}]"));
                if !listed.insert(code.get_ref().clone()) {
                    self.err(
                        src,
                        code,
                        format!("{at}.codes[{j}]"),
                        format!("code `{}` listed twice", code.get_ref()),
                    );
                }
            }
            let mut fields = BTreeMap::new();
            let mut wires = BTreeSet::new();
            for (j, f) in op.request.iter().enumerate() {
                let fat = format!("{at}.request[{j}]");
                if !is_snake(f.name()) {
                    self.err(
                        src,
                        &f.name,
                        format!("{fat}.name"),
                        format!("`{}` is not a snake_case Rust identifier", f.name()),
                    );
                } else if fields.insert(f.name().to_owned(), f).is_some() {
                    self.err(
                        src,
                        &f.name,
                        format!("{fat}.name"),
                        format!("duplicate field `{}`", f.name()),
                    );
                }
                if !wires.insert(f.wire.get_ref().clone()) {
                    self.err(
                        src,
                        &f.wire,
                        format!("{fat}.wire"),
                        format!("duplicate wire name `{}`", f.wire.get_ref()),
                    );
                }
                match file.kinds.get(f.kind.get_ref()) {
                    None => self.err(
                        src,
                        &f.kind,
                        format!("{fat}.kind"),
                        format!("unknown kind `{}`", f.kind.get_ref()),
                    ),
                    Some(kind) if f.list.is_some() && kind.rule != Rule::Mobile => self.err(
                        src,
                        &f.kind,
                        format!("{fat}.list"),
                        "only `mobile` fields may be lists".into(),
                    ),
                    Some(_) => {}
                }
                if let Some(code) = &f.code {
                    self.code_ref(src, code, format!("{fat}.code"));
                }
                if let Some(list) = &f.list {
                    self.code_ref(src, &list.code, format!("{fat}.list.code"));
                    if *list.max.get_ref() == 0 {
                        self.err(
                            src,
                            &list.max,
                            format!("{fat}.list.max"),
                            "must be at least 1".into(),
                        );
                    }
                }
                for code in [f.code.as_ref(), f.list.as_ref().map(|l| &l.code)]
                    .into_iter()
                    .flatten()
                {
                    if !listed.contains(code.get_ref()) {
                        self.err(
                            src,
                            code,
                            format!("{fat}.code"),
                            format!(
                                "code `{}` guards this field but is not in the operation's `codes`",
                                code.get_ref()
                            ),
                        );
                    }
                }
            }
            if let Some(key) = &op.idempotency_key
                && !fields.contains_key(key.get_ref())
            {
                self.err(
                    src,
                    key,
                    format!("{at}.idempotency_key"),
                    format!("no request field `{}`", key.get_ref()),
                );
            }
            for (j, check) in op.checks.iter().enumerate() {
                let cat = format!("{at}.checks[{j}]");
                self.code_ref(src, &check.code, format!("{cat}.code"));
                let names: Vec<&Spanned<String>> = match check.rule {
                    CheckRule::NotAfter => [check.first.as_ref(), check.second.as_ref()]
                        .into_iter()
                        .flatten()
                        .collect(),
                    CheckRule::OneOf => check.fields.iter().collect(),
                };
                let wanted = if check.rule == CheckRule::NotAfter {
                    2
                } else {
                    names.len().max(2)
                };
                if names.len() != wanted {
                    self.err(src, &check.code, cat.clone(),
                        "`not_after` needs `first` and `second`; `one_of` needs two or more `fields`".into());
                }
                for name in names {
                    match fields.get(name.get_ref()) {
                        None => self.err(
                            src,
                            name,
                            cat.clone(),
                            format!("no request field `{}`", name.get_ref()),
                        ),
                        Some(f) if f.required => self.err(
                            src,
                            name,
                            cat.clone(),
                            format!(
                                "field `{}` is required, so the check can never apply",
                                name.get_ref()
                            ),
                        ),
                        Some(_) => {}
                    }
                }
            }
            let kinds = &file.kinds;
            let mut response_fields: Vec<(String, &crate::model::ResponseField)> = op
                .response
                .iter()
                .enumerate()
                .map(|(j, f)| (format!("{at}.response[{j}]"), f))
                .collect();
            if let Some(records) = &op.records {
                if records.also_flat {
                    for (j, f) in records.fields.iter().enumerate() {
                        if op
                            .response
                            .iter()
                            .any(|r| r.wire.get_ref() == f.wire.get_ref())
                        {
                            self.err(
                                src,
                                &f.wire,
                                format!("{at}.records.fields[{j}].wire"),
                                format!(
                                    "`{}` is also an answer field under the root, so a flat record could not be told from it",
                                    f.wire.get_ref()
                                ),
                            );
                        }
                    }
                }
                if !is_snake(records.name.get_ref()) {
                    self.err(
                        src,
                        &records.name,
                        format!("{at}.records.name"),
                        "not a snake_case Rust identifier".into(),
                    );
                }
                response_fields.extend(
                    records
                        .fields
                        .iter()
                        .enumerate()
                        .map(|(j, f)| (format!("{at}.records.fields[{j}]"), f)),
                );
            }
            for (fat, f) in response_fields {
                if !is_snake(f.name.get_ref()) {
                    self.err(
                        src,
                        &f.name,
                        format!("{fat}.name"),
                        format!("`{}` is not a snake_case Rust identifier", f.name.get_ref()),
                    );
                }
                let ty = f.type_name.get_ref().as_str();
                let is_enum_kind = kinds.get(ty).is_some_and(|k| k.rule == Rule::Enum);
                if !SCALAR_TYPES.contains(&ty) && !is_enum_kind {
                    self.err(
                        src,
                        &f.type_name,
                        format!("{fat}.type"),
                        format!(
                            "`{ty}` is neither text, int, amount, date, timestamp, mobile nor an enum kind"
                        ),
                    );
                }
            }
        }
    }

    fn kind_params(&mut self, src: &SpecSource, at: &str, kind: &Kind) {
        let needs = |present: bool, name: &str| {
            (!present).then(|| format!("rule `{:?}` needs `{name}`", kind.rule).to_lowercase())
        };
        let problem = match kind.rule {
            Rule::Text => needs(kind.max_bytes.is_some(), "max_bytes").or_else(|| {
                match (&kind.min_bytes, &kind.max_bytes) {
                    (Some(min), Some(max)) if min.get_ref() > max.get_ref() => {
                        Some("min_bytes is above max_bytes".into())
                    }
                    _ => None,
                }
            }),
            Rule::Digits | Rule::Token => needs(kind.max_len.is_some(), "max_len"),
            Rule::Count => needs(kind.min.is_some(), "min"),
            Rule::Mobile => needs(!kind.prefixes.is_empty(), "prefixes").or_else(|| {
                kind.prefixes
                    .iter()
                    .find(|p| {
                        !p.prefix.get_ref().bytes().all(|b| b.is_ascii_digit())
                            || p.digits.is_empty()
                    })
                    .map(|p| {
                        format!(
                            "prefix `{}` must be digits with at least one digit count",
                            p.prefix.get_ref()
                        )
                    })
            }),
            Rule::Enum => needs(!kind.values.is_empty(), "values"),
            Rule::Date => None,
        };
        if let Some(message) = problem {
            self.err(src, &kind.type_name, at.to_owned(), message);
        }
        let mut seen = BTreeSet::new();
        for (i, v) in kind.values.iter().enumerate() {
            if !is_upper_camel(v.name.get_ref()) {
                self.err(
                    src,
                    &v.name,
                    format!("{at}.values[{i}].name"),
                    format!(
                        "`{}` is not an UpperCamelCase Rust identifier",
                        v.name.get_ref()
                    ),
                );
            }
            if !seen.insert(v.wire.get_ref().clone()) {
                self.err(
                    src,
                    &v.wire,
                    format!("{at}.values[{i}].wire"),
                    format!("duplicate value `{}`", v.wire.get_ref()),
                );
            }
        }
    }
}

/// Exactly two ASCII digits.
pub fn is_two_digits(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_upper_camel(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_snake(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && syn::parse_str::<syn::Ident>(s).is_ok()
}

/// All problems in `spec/notifications.toml` (`file`, read from `src`), in file order.
pub fn notices(file: &crate::notice_model::NoticesFile, src: &SpecSource) -> Vec<SpecError> {
    use crate::notice_model::{NoticeFormat, Source};
    let mut v = Validator {
        out: Vec::new(),
        known_codes: BTreeSet::new(),
    };
    let doc = &file.document;
    for (key, value) in [
        ("document.id", &doc.id),
        ("document.title", &doc.title),
        ("document.version", &doc.version),
        ("document.revised", &doc.revised),
    ] {
        v.text(src, value, key.into());
    }
    let doc_id = doc.id.get_ref().clone();
    let source = |v: &mut Validator, s: &Source, key: String| {
        if s.document.get_ref() != &doc_id {
            v.err(
                src,
                &s.document,
                format!("{key}.document"),
                format!("`{}` is not the document `{doc_id}`", s.document.get_ref()),
            );
        }
        if s.section.get_ref().trim().is_empty() {
            v.err(
                src,
                &s.section,
                format!("{key}.section"),
                "must not be empty".into(),
            );
        }
    };
    source(&mut v, &file.delivery.source, "delivery.source".into());
    if file.delivery.method.get_ref() != "POST" && file.delivery.method.get_ref() != "GET" {
        v.err(
            src,
            &file.delivery.method,
            "delivery.method".into(),
            format!(
                "`{}` is neither GET nor POST",
                file.delivery.method.get_ref()
            ),
        );
    }
    for (key, label) in [
        ("delivery.charset", &file.delivery.charset),
        ("answer.charset", &file.answer.charset),
    ] {
        if !matches!(label.get_ref().as_str(), "EUC-KR" | "UTF-8") {
            v.err(
                src,
                label,
                key.into(),
                format!("`{}` is neither EUC-KR nor UTF-8", label.get_ref()),
            );
        }
    }
    if *file.delivery.retry_interval_seconds.get_ref() == 0 {
        v.err(
            src,
            &file.delivery.retry_interval_seconds,
            "delivery.retry_interval_seconds".into(),
            "must be at least 1".into(),
        );
    }
    let mut names = BTreeSet::new();
    let mut rusts = BTreeSet::new();
    let mut tables_used = BTreeSet::new();
    for (i, f) in file.fields.iter().enumerate() {
        let key = format!("fields[{i}]");
        let name = f.name.get_ref();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
            v.err(
                src,
                &f.name,
                format!("{key}.name"),
                format!("`{name}` is not an upper-case wire name (A-Z and _)"),
            );
        } else if !names.insert(name.clone()) {
            v.err(
                src,
                &f.name,
                format!("{key}.name"),
                format!("duplicate field `{name}`"),
            );
        }
        let rust = f.rust.get_ref();
        if !is_snake(rust) {
            v.err(
                src,
                &f.rust,
                format!("{key}.rust"),
                format!("`{rust}` is not a snake_case Rust identifier"),
            );
        } else if !rusts.insert(rust.clone()) {
            v.err(
                src,
                &f.rust,
                format!("{key}.rust"),
                format!("duplicate Rust name `{rust}`"),
            );
        }
        let max = *f.max_bytes.get_ref();
        if max == 0 {
            v.err(
                src,
                &f.max_bytes,
                format!("{key}.max_bytes"),
                "must be at least 1".into(),
            );
        }
        if f.format == NoticeFormat::Datetime && max != 14 {
            v.err(
                src,
                &f.max_bytes,
                format!("{key}.max_bytes"),
                format!("a datetime (YYYYMMDDHH24MISS) is 14 bytes, not {max}"),
            );
        }
        if f.format == NoticeFormat::Amount && max > 19 {
            v.err(
                src,
                &f.max_bytes,
                format!("{key}.max_bytes"),
                format!("an amount of {max} digits does not fit in u64 (at most 19)"),
            );
        }
        match (&f.format, &f.table) {
            (NoticeFormat::Enum, None) => v.out.push(src.error_at(
                f.name.span().start,
                format!("{key}.table"),
                "a field with format \"enum\" names its value table".to_owned(),
            )),
            (NoticeFormat::Enum, Some(t)) => {
                if let Some(table) = file.tables.get(t.get_ref()) {
                    tables_used.insert(t.get_ref().clone());
                    for (j, value) in table.values.iter().enumerate() {
                        let len = value.value.get_ref().len();
                        if len > max as usize || !value.value.get_ref().is_ascii() {
                            v.err(
                                src,
                                &value.value,
                                format!("tables.{}.values[{j}].value", t.get_ref()),
                                format!(
                                    "must be ASCII of at most {max} bytes (the field's limit); it is {len} bytes"
                                ),
                            );
                        }
                    }
                } else {
                    v.err(
                        src,
                        t,
                        format!("{key}.table"),
                        format!("no table `{}` in `tables`", t.get_ref()),
                    );
                }
            }
            (_, Some(t)) => v.err(
                src,
                t,
                format!("{key}.table"),
                "only a field with format \"enum\" names a table".into(),
            ),
            (_, None) => {}
        }
        v.text(src, &f.doc, format!("{key}.doc"));
        source(&mut v, &f.source, format!("{key}.source"));
    }
    let mut type_names = BTreeSet::new();
    for (name, table) in &file.tables {
        let key = format!("tables.{name}");
        let ty = table.type_name.get_ref();
        if !is_upper_camel(ty) {
            v.err(
                src,
                &table.type_name,
                format!("{key}.type"),
                format!("`{ty}` is not an UpperCamelCase Rust identifier"),
            );
        } else if !type_names.insert(ty.clone()) {
            v.err(
                src,
                &table.type_name,
                format!("{key}.type"),
                format!("duplicate type `{ty}`"),
            );
        }
        if !tables_used.contains(name) {
            v.err(
                src,
                &table.type_name,
                format!("{key}.type"),
                format!("no field uses the table `{name}`"),
            );
        }
        let mut values = BTreeSet::new();
        let mut variants = BTreeSet::new();
        for (j, value) in table.values.iter().enumerate() {
            let vkey = format!("{key}.values[{j}]");
            if !values.insert(value.value.get_ref().clone()) {
                v.err(
                    src,
                    &value.value,
                    format!("{vkey}.value"),
                    format!("duplicate value `{}`", value.value.get_ref()),
                );
            }
            v.variant(
                src,
                &value.variant,
                format!("{vkey}.variant"),
                &mut variants,
            );
            v.text(src, &value.meaning_ko, format!("{vkey}.meaning_ko"));
            v.text(src, &value.meaning_en, format!("{vkey}.meaning_en"));
            source(&mut v, &value.source, format!("{vkey}.source"));
        }
    }
    let answer = &file.answer;
    let mut element_names = BTreeSet::new();
    for (key, element) in [
        ("answer.root", &answer.root),
        ("answer.result_code", &answer.result_code),
        ("answer.result_message", &answer.result_message),
        ("answer.exchange_id", &answer.exchange_id),
    ] {
        let name = element.name.get_ref();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            v.err(
                src,
                &element.name,
                format!("{key}.name"),
                format!("`{name}` is not an upper-case element name"),
            );
        } else if !element_names.insert(name.clone()) {
            v.err(
                src,
                &element.name,
                format!("{key}.name"),
                format!("duplicate element `{name}`"),
            );
        }
        match (&element.max_bytes, key == "answer.root") {
            (Some(m), true) => v.err(
                src,
                m,
                format!("{key}.max_bytes"),
                "the root element has no length".into(),
            ),
            (None, false) => v.out.push(src.error_at(
                element.name.span().start,
                format!("{key}.max_bytes"),
                "missing: every answer value has a byte limit".to_owned(),
            )),
            (Some(m), false) if *m.get_ref() == 0 => {
                v.err(
                    src,
                    m,
                    format!("{key}.max_bytes"),
                    "must be at least 1".into(),
                );
            }
            _ => {}
        }
        source(&mut v, &element.source, format!("{key}.source"));
    }
    if let Some(m) = &answer.result_code.max_bytes
        && *m.get_ref() != 2
    {
        v.err(
            src,
            m,
            "answer.result_code.max_bytes".into(),
            format!(
                "answer codes are two digits, so 2 bytes, not {}",
                m.get_ref()
            ),
        );
    }
    let message_max = answer
        .result_message
        .max_bytes
        .as_ref()
        .map_or(usize::MAX, |m| *m.get_ref() as usize);
    let mut codes = BTreeSet::new();
    let mut variants = BTreeSet::new();
    for (i, c) in answer.codes.iter().enumerate() {
        let key = format!("answer.codes[{i}]");
        let code = c.code.get_ref();
        if !is_two_digits(code) {
            v.err(
                src,
                &c.code,
                format!("{key}.code"),
                format!("`{code}` is not a two-digit code (write e.g. \"04\")"),
            );
        } else if !codes.insert(code.clone()) {
            v.err(
                src,
                &c.code,
                format!("{key}.code"),
                format!("duplicate code `{code}`"),
            );
        }
        v.variant(src, &c.variant, format!("{key}.variant"), &mut variants);
        for (field, value) in [
            ("message_ko", &c.message_ko),
            ("description_ko", &c.description_ko),
            ("description_en", &c.description_en),
        ] {
            v.text(src, value, format!("{key}.{field}"));
        }
        v.text(src, &c.message_en, format!("{key}.message_en"));
        let message = c.message_en.get_ref();
        let allowed = |ch: char| ch.is_ascii_alphanumeric() || ch == ' ';
        if answer.ascii_only && !message.chars().all(allowed) {
            v.err(
                src,
                &c.message_en,
                format!("{key}.message_en"),
                format!("`{message}` goes into RESULTMSG, which allows ASCII letters, digits and spaces only"),
            );
        }
        if message.len() > message_max {
            v.err(
                src,
                &c.message_en,
                format!("{key}.message_en"),
                format!(
                    "{} bytes, over the message limit of {message_max}",
                    message.len()
                ),
            );
        }
        source(&mut v, &c.source, format!("{key}.source"));
    }
    for required in ["00", "01", "04", "99"] {
        if !codes.contains(required) {
            v.out.push(src.error_at(
                0,
                "answer.codes",
                format!("no answer code `{required}` (the receiver needs it)"),
            ));
        }
    }
    v.out
}

impl Validator {
    /// An UpperCamelCase variant, not `Unknown`, unique within `seen`.
    fn variant(
        &mut self,
        src: &SpecSource,
        value: &Spanned<String>,
        key: String,
        seen: &mut BTreeSet<String>,
    ) {
        let name = value.get_ref();
        if name.contains(NEEDS_HUMAN) || !is_upper_camel(name) {
            self.err(
                src,
                value,
                key,
                format!("`{name}` is not an UpperCamelCase Rust identifier"),
            );
        } else if name == "Unknown" {
            self.err(
                src,
                value,
                key,
                "`Unknown` is reserved for values outside the manual".into(),
            );
        } else if !seen.insert(name.clone()) {
            self.err(src, value, key, format!("duplicate variant `{name}`"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_located_and_named_by_table_and_field() {
        let text = "# NEEDS HUMAN in a comment is prose\n\
                    [[operations]]\nname = \"a\"\n\n[[operations]]\nname = \"b\"\n\
                    request = [\n  { name = \"NEEDS HUMAN: Rust name for X\", wire = \"X\" },\n]\n";
        let marks = needs_human_marks(&SpecSource::new("spec/endpoints.toml", text));
        let shown: Vec<String> = marks.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "spec/endpoints.toml:8:13: operations[1].request: name: still marked \
              `NEEDS HUMAN: Rust name for X`: write it, then regenerate"
            ]
        );
    }

    #[test]
    fn the_endpoint_spec_is_refused_while_a_mark_remains() {
        let endpoints = coufun_spec::ENDPOINTS.text;
        let first = endpoints.find("summary_en = \"").unwrap_or(0) + "summary_en = \"".len();
        let marked = format!(
            "{}NEEDS HUMAN: English {}",
            &endpoints[..first],
            &endpoints[first..]
        );
        let errors = match Spec::parse(crate::SpecSources {
            endpoints: SpecSource::new(crate::ENDPOINTS_PATH, marked),
            ..crate::SpecSources::embedded()
        }) {
            Ok(_) => panic!("a marked spec was accepted"),
            Err(e) => e.0,
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains(NEEDS_HUMAN));
        assert!(errors[0].key.ends_with("summary_en"), "{}", errors[0].key);
    }
}
