//! Cross-checks of the spec that serde cannot express. Every problem is returned,
//! with its location; nothing here panics.

use std::collections::{BTreeMap, BTreeSet};

use crate::NEEDS_HUMAN;
use crate::diagnostic::SpecError;
use crate::load::SpecSource;
use crate::model::{
    AnswerRole, CheckRule, Effect, EndpointsFile, Kind, Operation, RecordsRole, RequestRole,
    ResponseField, ResultCodesFile, Rule, Source, Spanned, has_role,
};

/// Response field types that are not kinds.
pub const SCALAR_TYPES: [&str; 6] = ["text", "int", "amount", "date", "timestamp", "mobile"];

/// Most fields one answer (or one record) may have: the decoded answer keeps
/// which elements the server left out as one bit per field of a `u64`.
pub const MAX_ANSWER_FIELDS: usize = 64;

/// All problems in the parsed result codes and endpoints, in file order (result
/// codes first), before a [`Spec`](crate::Spec) holds them.
pub(crate) fn codes_and_endpoints(
    codes_source: &SpecSource,
    codes: &ResultCodesFile,
    endpoints_source: &SpecSource,
    endpoints: &EndpointsFile,
) -> Vec<SpecError> {
    let mut v = Validator {
        src: codes_source,
        file: endpoints,
        out: Vec::new(),
        known_codes: BTreeSet::new(),
    };
    v.result_codes(codes);
    v.src = endpoints_source;
    v.endpoints();
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

struct Validator<'a> {
    /// The file being checked: the one errors point into.
    src: &'a SpecSource,
    /// The endpoint spec, whose documents and kinds the references name.
    file: &'a EndpointsFile,
    out: Vec<SpecError>,
    known_codes: BTreeSet<String>,
}

/// What a name must look like; each shape says how a name misses it.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// Anything: only uniqueness is checked.
    Any,
    /// A snake_case Rust identifier.
    Snake,
    /// An UpperCamelCase Rust identifier.
    UpperCamel,
    /// Two ASCII digits.
    TwoDigits,
    /// An upper-case wire name (A-Z and _).
    Wire,
    /// An upper-case element name (A-Z, 0-9 and _).
    Element,
}

impl Shape {
    /// What is wrong with `name`, if it misses the shape.
    fn complaint(self, name: &str) -> Option<String> {
        let upper = |digits: bool| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b == b'_' || (digits && b.is_ascii_digit()))
        };
        let (fits, what) = match self {
            Shape::Any => return None,
            Shape::Snake => (is_snake(name), "a snake_case Rust identifier"),
            Shape::UpperCamel => (is_upper_camel(name), "an UpperCamelCase Rust identifier"),
            Shape::TwoDigits => (is_two_digits(name), "a two-digit code (write e.g. \"04\")"),
            Shape::Wire => (upper(false), "an upper-case wire name (A-Z and _)"),
            Shape::Element => (upper(true), "an upper-case element name"),
        };
        (!fits).then(|| format!("`{name}` is not {what}"))
    }
}

impl Validator<'_> {
    fn err_at(&mut self, offset: usize, key: impl Into<String>, message: impl Into<String>) {
        self.out.push(self.src.error_at(offset, key, message));
    }

    fn err<T>(&mut self, at: &Spanned<T>, key: impl Into<String>, message: impl Into<String>) {
        self.err_at(at.span().start, key, message);
    }

    /// `value` has `shape`.
    fn shaped(&mut self, value: &Spanned<String>, key: String, shape: Shape) {
        if let Some(complaint) = shape.complaint(value.get_ref()) {
            self.err(value, key, complaint);
        }
    }

    /// `value` has `shape` and is not yet in `seen` (a `duplicate {what}` if it
    /// is); a value of the wrong shape is not counted.
    fn unique(
        &mut self,
        value: &Spanned<String>,
        key: String,
        shape: Shape,
        seen: &mut BTreeSet<String>,
        what: &str,
    ) {
        let name = value.get_ref();
        if let Some(complaint) = shape.complaint(name) {
            self.err(value, key, complaint);
        } else if !seen.insert(name.clone()) {
            self.err(value, key, format!("duplicate {what} `{name}`"));
        }
    }

    /// One row of a code table (the result codes, an inbound answer's codes):
    /// a two-digit `code` not yet in `codes`, and an UpperCamelCase `variant`,
    /// not `Unknown` and not still marked for a human, not yet in `variants`
    /// (each variant with the code it names).
    fn code_row(
        &mut self,
        at: &str,
        (code, variant): (&Spanned<String>, &Spanned<String>),
        (codes, variants): &mut (BTreeSet<String>, BTreeMap<String, String>),
    ) {
        self.unique(code, format!("{at}.code"), Shape::TwoDigits, codes, "code");
        let name = variant.get_ref();
        let problem = if name.contains(NEEDS_HUMAN) {
            format!(
                "still marked `{NEEDS_HUMAN}`: name the variant (UpperCamelCase), then regenerate"
            )
        } else if let Some(complaint) = Shape::UpperCamel.complaint(name) {
            complaint
        } else if name == "Unknown" {
            "`Unknown` is reserved for codes outside the manual".to_owned()
        } else if let Some(first) = variants.insert(name.clone(), code.get_ref().clone()) {
            format!("duplicate variant `{name}` (already used by code {first})")
        } else {
            return;
        };
        self.err(variant, format!("{at}.variant"), problem);
    }

    /// Not empty (nor only white space).
    fn non_empty(&mut self, value: &Spanned<String>, key: impl Into<String>) -> bool {
        let empty = value.get_ref().trim().is_empty();
        if empty {
            self.err(value, key, "must not be empty");
        }
        !empty
    }

    /// Non-empty, and not still waiting for a human.
    fn text(&mut self, value: &Spanned<String>, key: String) {
        if self.non_empty(value, key.clone()) {
            self.not_marked(value, key);
        }
    }

    /// Not still waiting for a human.
    fn not_marked(&mut self, value: &Spanned<String>, key: String) {
        if value.get_ref().contains(NEEDS_HUMAN) {
            self.err(
                value,
                key,
                format!("still marked `{NEEDS_HUMAN}`: write it, then regenerate"),
            );
        }
    }

    /// At least 1.
    fn positive<T: Copy + Into<u64>>(&mut self, value: &Spanned<T>, key: String) {
        if (*value.get_ref()).into() == 0 {
            self.err(value, key, "must be at least 1");
        }
    }

    /// An http(s) URL ending in `/`.
    fn url(&mut self, value: &Spanned<String>, key: impl Into<String>) {
        let url = value.get_ref();
        if !(url.starts_with("http://") || url.starts_with("https://")) || !url.ends_with('/') {
            self.err(
                value,
                key,
                format!("`{url}` must be an http(s) URL ending in `/`"),
            );
        }
    }

    /// A charset label the generated code can declare and decode.
    fn charset(&mut self, label: &Spanned<String>, key: String) {
        if !matches!(label.get_ref().as_str(), "EUC-KR" | "UTF-8") {
            self.err(
                label,
                key,
                format!("`{}` is neither EUC-KR nor UTF-8", label.get_ref()),
            );
        }
    }

    /// A code of `spec/result_codes.toml`.
    fn code_ref(&mut self, code: &Spanned<String>, key: String) {
        if !self.known_codes.contains(code.get_ref()) {
            self.err(
                code,
                key,
                format!("code `{}` is not in spec/result_codes.toml", code.get_ref()),
            );
        }
    }

    /// A `source` names a document of `[documents]`, `observed` or `inferred`.
    fn source(&mut self, at: &Spanned<Source>, key: impl Into<String>) {
        let documents = &self.file.documents;
        if let Some(doc) = at.get_ref().document()
            && !documents.contains_key(doc)
        {
            let known: Vec<&str> = documents.keys().map(String::as_str).collect();
            let message = format!(
                "unknown source `{doc}`: name a document of [documents] ({}), `observed` or `inferred`",
                known.join(", ")
            );
            self.err(at, key, message);
        }
    }

    fn result_codes(&mut self, file: &ResultCodesFile) {
        let manual = &file.manual;
        for (key, value) in [
            ("manual.title", &manual.title),
            ("manual.version", &manual.version),
            ("manual.revised", &manual.revised),
        ] {
            self.non_empty(value, key);
        }
        let versions: BTreeSet<&str> = manual
            .revisions
            .iter()
            .map(|r| r.version.get_ref().as_str())
            .collect();
        for (i, r) in manual.revisions.iter().enumerate() {
            for (field, value) in [("change_ko", &r.change_ko), ("change_en", &r.change_en)] {
                self.text(value, format!("manual.revisions[{i}].{field}"));
            }
        }
        let mut env_names = BTreeSet::new();
        for (i, env) in file.environments.iter().enumerate() {
            let key = format!("environments[{i}]");
            self.unique(
                &env.name,
                format!("{key}.name"),
                Shape::Any,
                &mut env_names,
                "environment",
            );
            self.url(&env.url, format!("{key}.url"));
        }
        for required in ["production", "test"] {
            if !env_names.contains(required) {
                self.err_at(0, "environments", format!("no `{required}` environment"));
            }
        }

        let mut codes = Default::default();
        for (i, c) in file.codes.iter().enumerate() {
            let at = format!("codes[{i}]");
            self.code_row(&at, (&c.code, &c.variant), &mut codes);
            // The manual may leave a description cell empty; the spec then says so too.
            self.not_marked(&c.description_ko, format!("{at}.description_ko"));
            for (field, value) in [
                ("message_ko", &c.message_ko),
                ("message_en", &c.message_en),
                ("description_en", &c.description_en),
            ] {
                self.text(value, format!("{at}.{field}"));
            }
            // Texts that come in both languages, or not at all.
            for (key, ko, en) in [
                (
                    "after_lost_answer",
                    &c.after_lost_answer_ko,
                    &c.after_lost_answer_en,
                ),
                ("action", &c.action_ko, &c.action_en),
            ] {
                match (ko, en) {
                    (Some(ko), Some(en)) => {
                        self.text(ko, format!("{at}.{key}_ko"));
                        self.text(en, format!("{at}.{key}_en"));
                    }
                    (Some(one), None) | (None, Some(one)) => self.err(
                        one,
                        format!("{at}.{key}"),
                        format!(
                            "give `{key}_ko` and `{key}_en` together (both languages are shown)"
                        ),
                    ),
                    (None, None) => {}
                }
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
                        v,
                        format!("{at}.{field}"),
                        format!("version `{}` is not in manual.revisions", v.get_ref()),
                    );
                }
            }
        }
        self.known_codes = codes.0;
    }

    /// Every `source` of the endpoint spec but an inbound operation's delivery
    /// and answer, with its key.
    fn sources(&mut self) {
        let file = self.file;
        for (key, at) in [
            ("answer.result_code.source", &file.answer.result_code.source),
            (
                "answer.result_message.source",
                &file.answer.result_message.source,
            ),
            ("client.poc_id.source", &file.client.poc_id.source),
            (
                "client.poc_id.limit_source",
                &file.client.poc_id.limit_source,
            ),
            ("test_server.source", &file.test_server.source),
        ] {
            self.source(at, key);
        }
        if let Some(charset) = &file.answer.charset {
            self.source(&charset.source, "answer.charset.source");
        }
        for (i, c) in file.conflicts.iter().enumerate() {
            for (j, s) in c.says.iter().enumerate() {
                self.source(&s.source, format!("conflicts[{i}].says[{j}].source"));
            }
        }
        for (key, k) in &file.kinds {
            self.source(&k.limit_source, format!("kinds.{key}.limit_source"));
        }
        for (key, l) in &file.server_limits {
            self.source(&l.source, format!("server_limits.{key}.source"));
        }
        // the inbound operations stand after the outbound ones
        for (i, op) in file.operations.iter().chain(&file.inbound).enumerate() {
            let at = format!("operations[{i}]");
            self.source(&op.path.source, format!("{at}.path.source"));
            self.source(&op.root.source, format!("{at}.root.source"));
            for (j, f) in op.request.iter().enumerate() {
                self.source(&f.source, format!("{at}.request[{j}].source"));
            }
            if let Some(r) = &op.records {
                self.source(&r.source, format!("{at}.records.source"));
            }
            for (fat, f, _) in answer_fields(op, &at) {
                self.source(&f.source, format!("{fat}.source"));
            }
        }
    }

    fn endpoints(&mut self) {
        let file = self.file;
        for (key, doc) in &file.documents {
            for (field, value) in [("version", &doc.version), ("date", &doc.date)] {
                self.non_empty(value, format!("documents.{key}.{field}"));
            }
        }
        self.sources();
        self.inbound();
        self.url(&file.test_server.url, "test_server.url");

        let mut type_names = BTreeSet::new();
        for (key, kind) in &file.kinds {
            let at = format!("kinds.{key}");
            let ty = Shape::UpperCamel;
            self.unique(
                &kind.type_name,
                format!("{at}.type"),
                ty,
                &mut type_names,
                "type",
            );
            self.code_ref(&kind.code, format!("{at}.code"));
            self.kind_params(&at, kind);
        }

        for (key, limit) in &file.server_limits {
            if !is_snake(key) {
                self.err(
                    &limit.value,
                    format!("server_limits.{key}"),
                    format!("`{key}` is not a snake_case name"),
                );
            }
            self.code_ref(&limit.code, format!("server_limits.{key}.code"));
        }

        let mut op_names = BTreeSet::new();
        for (i, op) in file.operations.iter().enumerate() {
            let at = format!("operations[{i}]");
            let (name, snake) = (format!("{at}.name"), Shape::Snake);
            self.unique(&op.name, name, snake, &mut op_names, "operation");
            if op.methods.is_empty() {
                self.err(
                    &op.name,
                    format!("{at}.methods"),
                    "an operation needs at least one HTTP method",
                );
            }
            let mut listed = BTreeSet::new();
            for (j, code) in op.codes.iter().enumerate() {
                self.code_ref(code, format!("{at}.codes[{j}]"));
                if !listed.insert(code.get_ref().clone()) {
                    self.err(
                        code,
                        format!("{at}.codes[{j}]"),
                        format!("code `{}` listed twice", code.get_ref()),
                    );
                }
            }
            self.request(op, &at, &listed);
            self.roles(&at, op);
            self.checks(op, &at);
            self.response(op, &at);
        }
    }

    /// The request fields of an outbound operation, the codes guarding them
    /// among those it `listed`.
    fn request(&mut self, op: &Operation, at: &str, listed: &BTreeSet<String>) {
        let mut names = BTreeSet::new();
        let mut wires = BTreeSet::new();
        for (j, f) in op.request.iter().enumerate() {
            let fat = format!("{at}.request[{j}]");
            let name = format!("{fat}.name");
            self.unique(&f.name, name, Shape::Snake, &mut names, "field");
            let wire = format!("{fat}.wire");
            self.unique(&f.wire, wire, Shape::Any, &mut wires, "wire name");
            match self.file.kinds.get(f.kind.get_ref()) {
                None => self.err(
                    &f.kind,
                    format!("{fat}.kind"),
                    format!("unknown kind `{}`", f.kind.get_ref()),
                ),
                Some(kind) if f.list.is_some() && kind.rule != Rule::Mobile => self.err(
                    &f.kind,
                    format!("{fat}.list"),
                    "only `mobile` fields may be lists",
                ),
                Some(_) => {}
            }
            if let Some(list) = &f.list {
                self.positive(&list.max, format!("{fat}.list.max"));
            }
            let list_code = f.list.as_ref().map(|l| &l.code);
            for (field, code) in [("code", f.code.as_ref()), ("list.code", list_code)] {
                let Some(code) = code else { continue };
                self.code_ref(code, format!("{fat}.{field}"));
                if !listed.contains(code.get_ref()) {
                    self.err(
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
    }

    /// The rules of `op` across its request fields.
    fn checks(&mut self, op: &Operation, at: &str) {
        for (j, check) in op.checks.iter().enumerate() {
            let cat = format!("{at}.checks[{j}]");
            self.code_ref(&check.code, format!("{cat}.code"));
            let names: Vec<&Spanned<String>> = match check.rule {
                CheckRule::NotAfter => [check.first.as_ref(), check.second.as_ref()]
                    .into_iter()
                    .flatten()
                    .collect(),
                CheckRule::OneOf => check.fields.iter().collect(),
            };
            let complete = match check.rule {
                CheckRule::NotAfter => names.len() == 2,
                CheckRule::OneOf => names.len() >= 2,
            };
            if !complete {
                self.err(
                    &check.code,
                    cat.clone(),
                    "`not_after` needs `first` and `second`; `one_of` needs two or more `fields`",
                );
            }
            for name in names {
                let problem = match op.request.iter().rfind(|f| f.name() == name.get_ref()) {
                    None => format!("no request field `{}`", name.get_ref()),
                    Some(f) if f.required => format!(
                        "field `{}` is required, so the check can never apply",
                        name.get_ref()
                    ),
                    Some(_) => continue,
                };
                self.err(name, cat.clone(), problem);
            }
        }
    }

    /// The answer fields of an outbound operation: under the root and in its records.
    fn response(&mut self, op: &Operation, at: &str) {
        // Which elements an answer left out is kept as one bit per field.
        let widest = [Some(&op.response), op.records.as_ref().map(|r| &r.fields)]
            .into_iter()
            .flatten()
            .find(|fields| fields.len() > MAX_ANSWER_FIELDS);
        if let Some(fields) = widest {
            self.err(
                &op.name,
                at,
                format!(
                    "{} answer fields in one answer or record, at most {MAX_ANSWER_FIELDS}",
                    fields.len()
                ),
            );
        }
        if let Some(records) = &op.records {
            self.shaped(&records.name, format!("{at}.records.name"), Shape::Snake);
        }
        let also_flat = op.records.as_ref().is_some_and(|r| r.also_flat);
        for (fat, f, in_record) in answer_fields(op, at) {
            let wire = f.wire.get_ref();
            if in_record && also_flat && op.response.iter().any(|r| r.wire.get_ref() == wire) {
                self.err(
                    &f.wire,
                    format!("{fat}.wire"),
                    format!("`{wire}` is also an answer field under the root, so a flat record could not be told from it"),
                );
            }
            self.shaped(&f.name, format!("{fat}.name"), Shape::Snake);
            let ty = f.type_name.get_ref().as_str();
            let is_enum_kind = self
                .file
                .kinds
                .get(ty)
                .is_some_and(|k| matches!(k.rule, Rule::Enum | Rule::Token));
            if !SCALAR_TYPES.contains(&ty) && !is_enum_kind {
                self.err(
                    &f.type_name,
                    format!("{fat}.type"),
                    format!(
                        "`{ty}` is neither text, int, amount, date, timestamp, mobile nor an enum or token kind"
                    ),
                );
            }
        }
    }

    /// The issuing roles of `op`: each at most once, each on a field of a fitting
    /// kind or type, an idempotency key only on a write (and required there), and
    /// the answer's roles only on an operation whose request has a key.
    fn roles(&mut self, at: &str, op: &Operation) {
        let file = self.file;
        let mut seen = BTreeSet::new();
        for (j, f) in op.request.iter().enumerate() {
            let Some(role) = &f.role else { continue };
            let word = role.get_ref().as_str();
            // an unknown kind is reported on its own
            let kind = file.kinds.get(f.kind.get_ref());
            let single = |rule: Rule| {
                (kind.map(|k| k.rule) != Some(rule) || f.list.is_some()).then(|| {
                    format!(
                        "`{word}` needs a single field of a `{}` kind, not `{}`",
                        rule.word(),
                        f.kind.get_ref()
                    )
                })
            };
            let problem = match role.get_ref() {
                _ if !seen.insert(word) => {
                    Some(format!("role `{word}` is given to two fields of the operation"))
                }
                _ if kind.is_none() => None,
                RequestRole::IdempotencyKey if op.effect != Effect::Write => Some(
                    "an idempotency key belongs to a `write` operation only (a read is safe to repeat)".to_owned(),
                ),
                RequestRole::IdempotencyKey if !f.required || f.list.is_some() => Some(
                    "the idempotency key must be a required single field: every attempt sends it".to_owned(),
                ),
                RequestRole::IdempotencyKey => kind
                    .is_some_and(|k| k.rule != Rule::Text && k.rule != Rule::Token)
                    .then(|| format!("the idempotency key must be of a `text` or `token` kind, not `{}`", f.kind.get_ref())),
                RequestRole::CouponCount => single(Rule::Count),
                RequestRole::Goods => single(Rule::Token),
            };
            if let Some(message) = problem {
                self.err(role, format!("{at}.request[{j}].role"), message);
            }
        }
        let is_issuing = op.idempotency_key().is_some();
        // a `text` element, one of a token kind, or one of the kind `also`
        let text_or = |ty: &str, also: Option<&str>| {
            ty == "text"
                || also == Some(ty)
                || file.kinds.get(ty).is_some_and(|k| k.rule == Rule::Token)
        };
        let echo_of = |r: RequestRole| op.request_role(r).map(|f| f.kind.get_ref().as_str());
        let records = op.records.as_ref();
        let records_role = records.and_then(|r| r.role.as_ref()).map(|r| *r.get_ref());
        let mut seen = BTreeSet::new();
        for (fat, f, in_record) in answer_fields(op, at) {
            let Some(spanned) = &f.role else { continue };
            let role = *spanned.get_ref();
            let (word, ty) = (role.as_str(), f.type_name.get_ref().as_str());
            // the records whose fields the role belongs to (none: under the root)
            let home = match role {
                AnswerRole::CouponNumber => Some(RecordsRole::IssuedCoupons),
                AnswerRole::GoodsId => Some(RecordsRole::GoodsCatalog),
                _ => None,
            };
            let goods = echo_of(RequestRole::Goods);
            let (fits, wanted) = match role {
                AnswerRole::StatedCount => (ty == "int", "an `int`".to_owned()),
                AnswerRole::EchoIdempotencyKey => (
                    text_or(ty, echo_of(RequestRole::IdempotencyKey)),
                    "a `text`".to_owned(),
                ),
                AnswerRole::EchoGoods => (
                    text_or(ty, goods),
                    format!("a `text` (or `{}`)", goods.unwrap_or_default()),
                ),
                _ => (
                    text_or(ty, Some(word)),
                    "a `text` (or token kind)".to_owned(),
                ),
            };
            let goods_id = role == AnswerRole::GoodsId;
            let coupon_number = role == AnswerRole::CouponNumber;
            let problem = if !seen.insert(word) {
                format!("role `{word}` is given to two answer elements of the operation")
            } else if goods_id && (!in_record || records_role != home) {
                "`goods_id` belongs to a field of the records with role `goods_catalog`".to_owned()
            } else if !goods_id && !is_issuing {
                format!(
                    "role `{word}` needs a request field with role `idempotency_key`: only an issuing operation's answer has roles"
                )
            } else if coupon_number && !in_record {
                "`coupon_number` belongs to a field of the records with role `issued_coupons`"
                    .to_owned()
            } else if coupon_number && records_role != home {
                "`coupon_number` needs its records to have role `issued_coupons`".to_owned()
            } else if home.is_none() && in_record {
                format!("role `{word}` belongs to an element under the root, not to a record field")
            } else if role == AnswerRole::EchoGoods && goods.is_none() {
                "`echo_goods` needs a request field with role `goods` to compare with".to_owned()
            } else if !fits {
                format!("`{word}` needs {wanted} element, not `{ty}`")
            } else {
                continue;
            };
            self.err(spanned, format!("{fat}.role"), problem);
        }
        if let Some(records) = records
            && let Some(role) = &records.role
        {
            let has = |wanted: AnswerRole| records.fields.iter().any(|f| has_role(&f.role, wanted));
            let problem = match role.get_ref() {
                RecordsRole::GoodsCatalog
                    if op.effect != Effect::Read || op.request.iter().any(|f| f.required) =>
                {
                    "the `goods_catalog` records belong to a read whose request has no required field (the client looks one goods item up in it)"
                }
                RecordsRole::GoodsCatalog if !has(AnswerRole::GoodsId) => {
                    "the `goods_catalog` records need a field with role `goods_id`"
                }
                RecordsRole::GoodsCatalog => return,
                RecordsRole::IssuedCoupons if !is_issuing => {
                    "role `issued_coupons` needs a request field with role `idempotency_key`"
                }
                RecordsRole::IssuedCoupons if !has(AnswerRole::CouponNumber) => {
                    "the `issued_coupons` records need a field with role `coupon_number`"
                }
                RecordsRole::IssuedCoupons => return,
            };
            self.err(role, format!("{at}.records.role"), problem);
        }
    }

    fn kind_params(&mut self, at: &str, kind: &Kind) {
        let needs = |present: bool, name: &str| {
            (!present).then(|| format!("rule `{}` needs `{name}`", kind.rule.word()))
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
            self.err(&kind.type_name, at, message);
        }
        let mut seen = BTreeSet::new();
        for (i, v) in kind.values.iter().enumerate() {
            let key = format!("{at}.values[{i}]");
            self.shaped(&v.name, format!("{key}.name"), Shape::UpperCamel);
            self.unique(
                &v.wire,
                format!("{key}.wire"),
                Shape::Any,
                &mut seen,
                "value",
            );
            // its wordings: a known document each, at most one per document
            let mut documents = BTreeSet::new();
            for (j, w) in v.wording.iter().enumerate() {
                let key = format!("{key}.wording[{j}]");
                let document = w.source.get_ref().as_str();
                self.source(&w.source, format!("{key}.source"));
                if !documents.insert(document) {
                    let message = format!("a second wording from `{document}`");
                    self.err(&w.source, format!("{key}.source"), message);
                }
                self.text(&w.ko, format!("{key}.ko"));
                self.text(&w.en, format!("{key}.en"));
            }
        }
    }

    /// The inbound operations (COUFUN calls the merchant): their fields, kinds
    /// or types, delivery, answer elements and answer codes. They stand after
    /// every outbound operation, so `operations[i]` keys count from there.
    fn inbound(&mut self) {
        let file = self.file;
        for (n, op) in file.inbound.iter().enumerate() {
            let at = format!("operations[{}]", file.operations.len() + n);
            self.inbound_operation(op, &at);
        }
        for (n, op) in file.operations.iter().enumerate() {
            if op.delivery.is_some() || op.answer.is_some() {
                self.err(
                    &op.name,
                    format!("operations[{n}]"),
                    "`delivery` and `answer` belong to an inbound operation (direction = \"inbound\")",
                );
            }
        }
    }

    fn inbound_operation(&mut self, op: &Operation, at: &str) {
        self.shaped(&op.name, format!("{at}.name"), Shape::Snake);
        if !op.path.name.get_ref().is_empty() {
            self.err(
                &op.path.name,
                format!("{at}.path"),
                "an inbound operation has no path: the merchant chooses its URL",
            );
        }
        if let Some(first) = op.codes.first() {
            self.err(
                first,
                format!("{at}.codes"),
                "an inbound operation's codes are its `answer.codes`",
            );
        }
        if op.methods.is_empty() {
            self.err(
                &op.name,
                format!("{at}.methods"),
                "name the HTTP method COUFUN sends with",
            );
        }
        self.shaped(&op.root.name, format!("{at}.root.name"), Shape::Element);
        match &op.delivery {
            None => self.err(
                &op.name,
                format!("{at}.delivery"),
                "an inbound operation says how it is delivered (`delivery`)",
            ),
            Some(d) => {
                self.charset(&d.charset, format!("{at}.delivery.charset"));
                self.text(&d.content_type, format!("{at}.delivery.content_type"));
                let retry = format!("{at}.delivery.retry_interval_seconds");
                self.positive(&d.retry_interval_seconds, retry);
                self.source(&d.source, format!("{at}.delivery.source"));
            }
        }
        self.inbound_request(op, at);
        let mut elements = BTreeSet::new();
        for (i, f) in op.response.iter().enumerate() {
            let key = format!("{at}.response[{i}]");
            self.shaped(&f.wire, format!("{key}.wire"), Shape::Element);
            elements.insert(f.wire.get_ref().clone());
            if f.type_name.get_ref() != "text" {
                self.err(
                    &f.type_name,
                    format!("{key}.type"),
                    "an inbound answer's elements are `text`",
                );
            }
            if f.max_bytes.is_none_or(|m| m == 0) {
                self.err(
                    &f.wire,
                    format!("{key}.max_bytes"),
                    "every answer value has a byte limit of at least 1",
                );
            }
        }
        let Some(answer) = &op.answer else {
            self.err(
                &op.name,
                format!("{at}.answer"),
                "an inbound operation says what the merchant answers (`answer`)",
            );
            return;
        };
        let key = format!("{at}.answer");
        self.charset(&answer.charset, format!("{key}.charset"));
        for (name, element) in [
            ("result_code", &answer.result_code),
            ("result_message", &answer.result_message),
        ] {
            let ekey = format!("{key}.{name}");
            self.shaped(&element.name, format!("{ekey}.name"), Shape::Element);
            let name = format!("{ekey}.name");
            self.unique(&element.name, name, Shape::Any, &mut elements, "element");
            self.positive(&element.max_bytes, format!("{ekey}.max_bytes"));
            self.source(&element.source, format!("{ekey}.source"));
        }
        if *answer.result_code.max_bytes.get_ref() != 2 {
            self.err(
                &answer.result_code.max_bytes,
                format!("{key}.result_code.max_bytes"),
                format!(
                    "answer codes are two digits, so 2 bytes, not {}",
                    answer.result_code.max_bytes.get_ref()
                ),
            );
        }
        let message_max = *answer.result_message.max_bytes.get_ref() as usize;
        let message_name = answer.result_message.name.get_ref();
        let mut codes = Default::default();
        for (i, c) in answer.codes.iter().enumerate() {
            let ckey = format!("{key}.codes[{i}]");
            self.code_row(&ckey, (&c.code, &c.variant), &mut codes);
            for (field, value) in [
                ("message_ko", &c.message_ko),
                ("description_ko", &c.description_ko),
                ("message_en", &c.message_en),
                ("description_en", &c.description_en),
            ] {
                self.text(value, format!("{ckey}.{field}"));
            }
            let message = c.message_en.get_ref();
            let allowed = |ch: char| ch.is_ascii_alphanumeric() || ch == ' ';
            if answer.ascii_only && !message.chars().all(allowed) {
                self.err(
                    &c.message_en,
                    format!("{ckey}.message_en"),
                    format!("`{message}` goes into {message_name}, which allows ASCII letters, digits and spaces only"),
                );
            }
            if message.len() > message_max {
                self.err(
                    &c.message_en,
                    format!("{ckey}.message_en"),
                    format!(
                        "{} bytes, over the message limit of {message_max}",
                        message.len()
                    ),
                );
            }
            self.source(&c.source, format!("{ckey}.source"));
        }
        for required in ["00", "01", "04", "99"] {
            if !codes.0.contains(required) {
                self.err(
                    &op.name,
                    format!("{key}.codes"),
                    format!("no answer code `{required}` (the receiver needs it)"),
                );
            }
        }
    }

    /// The request fields of an inbound operation: each with its wire name,
    /// Rust name, length, kind or type, and doc.
    fn inbound_request(&mut self, op: &Operation, at: &str) {
        let file = self.file;
        let mut wires = BTreeSet::new();
        let mut names = BTreeSet::new();
        for (i, f) in op.request.iter().enumerate() {
            let key = format!("{at}.request[{i}]");
            let wire = f.wire.get_ref();
            self.unique(
                &f.wire,
                format!("{key}.wire"),
                Shape::Wire,
                &mut wires,
                "field",
            );
            let name = format!("{key}.name");
            self.unique(&f.name, name, Shape::Snake, &mut names, "Rust name");
            let max = match &f.max_bytes {
                Some(m) => {
                    self.positive(m, format!("{key}.max_bytes"));
                    *m.get_ref()
                }
                None => {
                    self.err(
                        &f.name,
                        format!("{key}.max_bytes"),
                        "missing: every field of an inbound operation has the document's length",
                    );
                    0
                }
            };
            // a length problem points at `max_bytes`, or at the field without one
            let len_at = f.max_bytes.as_ref().map_or(f.name.span(), |m| m.span());
            let kind = f.kind.get_ref();
            match (kind.is_empty(), &f.type_name) {
                (true, None) | (false, Some(_)) => self.err(
                    &f.name,
                    key.clone(),
                    "give the field either a `kind` or a `type`",
                ),
                (true, Some(t)) => {
                    let ty = t.get_ref().as_str();
                    let too_long = if !SCALAR_TYPES.contains(&ty) {
                        self.err(
                            t,
                            format!("{key}.type"),
                            format!("unknown type `{ty}`: one of {}", SCALAR_TYPES.join(", ")),
                        );
                        None
                    } else if ty == "timestamp" && max != 14 && max != 0 {
                        Some(format!(
                            "a timestamp (YYYYMMDDHH24MISS) is 14 bytes, not {max}"
                        ))
                    } else if matches!(ty, "amount" | "int") && max > 18 {
                        Some(format!(
                            "an integer of {max} digits does not fit in i64 (at most 18)"
                        ))
                    } else {
                        None
                    };
                    if let Some(message) = too_long {
                        self.err_at(len_at.start, format!("{key}.max_bytes"), message);
                    }
                }
                (false, None) => match file.kinds.get(kind) {
                    None => {
                        let known: Vec<&str> = file.kinds.keys().map(String::as_str).collect();
                        self.err(
                            &f.kind,
                            format!("{key}.kind"),
                            format!("unknown kind `{kind}`: one of {}", known.join(", ")),
                        );
                    }
                    Some(k) => {
                        for (j, value) in k.values.iter().enumerate() {
                            let len = value.wire.get_ref().len();
                            if max != 0 && len > max as usize {
                                self.err(
                                    &value.wire,
                                    format!("kinds.{kind}.values[{j}].wire"),
                                    format!(
                                        "at most {max} bytes (the limit of `{wire}`); it is {len} bytes"
                                    ),
                                );
                            }
                        }
                    }
                },
            }
            if f.list.is_some() || f.code.is_some() {
                self.err(
                    &f.name,
                    key.clone(),
                    "an inbound field has neither `list` nor `code`",
                );
            }
            if f.doc.as_deref().is_none_or(|d| d.trim().is_empty()) {
                self.err(
                    &f.name,
                    format!("{key}.doc"),
                    "an inbound field says what it holds (`doc`)",
                );
            }
        }
    }
}

/// The answer fields of `op` with their keys, `{at}.response[j]` then
/// `{at}.records.fields[j]`, each with whether it is a record's.
fn answer_fields<'a>(
    op: &'a Operation,
    at: &'a str,
) -> impl Iterator<Item = (String, &'a ResponseField, bool)> + 'a {
    let root = op.response.iter().enumerate();
    let records = op.records.iter().flat_map(|r| r.fields.iter().enumerate());
    let root = root.map(move |(j, f)| (format!("{at}.response[{j}]"), f, false));
    root.chain(records.map(move |(j, f)| (format!("{at}.records.fields[{j}]"), f, true)))
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
        let errors = match crate::Spec::parse(crate::SpecSources {
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
