//! Emits `requests.rs`: for each operation a checked request type, a typestate
//! builder (a missing required field does not compile, and the error names it),
//! the wire parser the sandbox uses, and the `Operation` impl; and what the
//! setters accept beyond the kinds' own conversions (every integer type for a
//! count, every string form and a reference to the checked value for text).
//! Field checks are the kinds' own.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{ToTokens, format_ident, quote};

use super::kinds::code_variant;
use super::{doc_lines, ident};
use crate::Spec;
use crate::model::{Check, CheckRule, Kind, Operation, RequestField, Rule};

/// `snake_case` → `PascalCase`.
pub fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The request type's name for an operation, e.g. `CouponSendRequest`.
pub fn request_type(op: &Operation) -> Ident {
    format_ident!("{}Request", pascal(op.name()))
}

/// One request field with what the emitter needs of its kind.
struct Field<'a> {
    spec: &'a RequestField,
    kind_key: &'a str,
    kind: &'a Kind,
    name: Ident,
    ty: Ident,
    marker: Ident,
    state: Ident,
    wire: &'a str,
    /// The code a broken rule answers: the field's own, else its kind's.
    code_text: &'a str,
    code: Ident,
    /// `RECIPIENTS_LIST`: the request type's `ListSpec` of a list field.
    list_const: Ident,
    source: String,
}

impl Field<'_> {
    fn is_list(&self) -> bool {
        self.spec.list.is_some()
    }

    /// Rustdoc shared by the accessor and the setter: wire name and its source.
    fn doc(&self) -> TokenStream {
        let required = if self.spec.required {
            "Required"
        } else {
            "Optional"
        };
        let list = self.spec.list.as_ref().map_or(String::new(), |l| {
            format!(
                " A list of at most {} values joined by `{}` on the wire (more answers `{}`).",
                l.max.get_ref(),
                l.separator,
                l.code.get_ref()
            )
        });
        doc_lines(&format!(
            "{required}. Wire parameter `{}` (wire name source: {}). Kind `{}` ([`{}`]): {} \
             A broken rule answers `{}`.{list}",
            self.wire,
            self.source,
            self.kind_key,
            self.kind.type_name.get_ref(),
            self.kind.doc,
            self.code_text,
        ))
    }
}

fn fields<'a>(spec: &'a Spec, op: &'a Operation) -> Vec<Field<'a>> {
    op.request
        .iter()
        .filter_map(|f| {
            let kind_key = f.kind.get_ref().as_str();
            let kind = spec.endpoints.kinds.get(kind_key)?;
            let code = super::field_code(spec, f);
            let pascal = pascal(f.name());
            Some(Field {
                spec: f,
                kind_key,
                kind,
                name: ident(f.name()),
                ty: ident(kind.type_name.get_ref()),
                marker: ident(&pascal),
                state: format_ident!("{pascal}State"),
                wire: f.wire.get_ref(),
                code_text: code,
                code: code_variant(spec, code),
                list_const: format_ident!("{}_LIST", f.name().to_uppercase()),
                source: super::source_label(spec, f.source.get_ref()),
            })
        })
        .collect()
}

/// The whole `requests.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let mut markers = BTreeSet::new();
    for op in &spec.endpoints.operations {
        for f in op.request.iter().filter(|f| f.required) {
            markers.insert(f.name().to_owned());
        }
    }
    let markers = markers.iter().map(|name| {
        let m = ident(&pascal(name));
        let given = given_trait(name);
        let doc = format!(" The required field `{name}` has not been given yet.");
        let given_doc = format!(
            " A builder state in which the required field `{name}` is given: the bound \
             `build` puts on it, so that a missing `{name}` is an error naming it."
        );
        let message = format!("the required field `{name}` is not set");
        let label = format!("call `.{name}(..)` before `.build()`");
        let note = "a request builder's required fields are checked by the compiler: \
                    set each one before `build`";
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, Default)]
            pub struct #m;

            #[doc = #given_doc]
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            pub trait #given<T> {
                /// The value given.
                #[doc(hidden)]
                fn into_given(self) -> T;
            }

            impl<T> #given<T> for T {
                fn into_given(self) -> T {
                    self
                }
            }
        }
    });
    let conversions = spec.endpoints.kinds.values().map(input_conversions);
    let ops = spec
        .endpoints
        .operations
        .iter()
        .map(|op| emit_operation(spec, op));
    quote! {
        //! One checked request per operation of `spec/endpoints.toml`, built with a
        //! typestate builder (every required field is enforced by the compiler) or
        //! parsed from wire parameters with the same checks.
        use std::borrow::Cow;

        use super::kinds::*;
        use crate::charset::Charset;
        use crate::field::{FieldInput, FieldKind};
        use crate::operation::{Operation, OperationId};
        use crate::ResultCode;
        use crate::validation::{wire_value, Collector, FieldSpec, ListSpec, ValidationErrors, Violation};

        /// Markers of required fields a builder has not been given, and the bound
        /// `build` puts on each field (`…Given`): a missing field is a compile
        /// error naming it.
        pub mod missing {
            #( #markers )*
        }

        #( #conversions )*

        #( #ops )*
    }
}

/// The tokens of one operation: the request type, its input, its inherent impl,
/// its builder (struct, setters, `build`) and its `Operation` impl, in that order.
pub fn emit_operation(spec: &Spec, op: &Operation) -> TokenStream {
    let o = Op::new(spec, op);
    let items = [
        o.request_struct(),
        o.input_struct(),
        o.request_impl(),
        o.builder_struct(),
        o.required_setters(),
        o.optional_setters(),
        o.build_impl(),
        o.operation_impl(),
    ];
    quote! { #( #items )* }
}

/// One operation with its fields and the names of the types generated for it.
struct Op<'a> {
    spec: &'a Spec,
    op: &'a Operation,
    fields: Vec<Field<'a>>,
    /// `CouponSendRequest`.
    request: Ident,
    /// `CouponSendRequestBuilder`.
    builder: Ident,
    /// `CouponSendRequestInput`.
    input: Ident,
}

impl<'a> Op<'a> {
    fn new(spec: &'a Spec, op: &'a Operation) -> Self {
        let request = request_type(op);
        Op {
            spec,
            op,
            fields: fields(spec, op),
            builder: format_ident!("{request}Builder"),
            input: format_ident!("{request}Input"),
            request,
        }
    }

    /// The required fields, in wire order.
    fn required(&self) -> Vec<&Field<'a>> {
        self.fields.iter().filter(|f| f.spec.required).collect()
    }

    /// The wire name of field `name` (empty when there is none).
    fn wire_of(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map_or(String::new(), |f| f.wire.to_owned())
    }

    /// `pub struct CouponSendRequest { .. }`: the checked request, its doc naming
    /// the path, methods and effect.
    fn request_struct(&self) -> TokenStream {
        let (spec, op, request) = (self.spec, self.op, &self.request);
        let path = op.path.name.get_ref();
        let request_doc = doc_lines(&format!(
            "{} ({})\n\nPath `{path}` (source: {}), methods {}, effect {}. Build one with \
             [`{request}::builder`]; the sandbox parses one with [`{request}::from_wire`].",
            op.summary_en,
            op.summary_ko,
            super::source_label(spec, op.path.source.get_ref()),
            super::method_names(op).join(", "),
            op.effect.name(),
        ));
        let struct_fields = self.fields.iter().map(|f| {
            let (n, ty) = (&f.name, &f.ty);
            let held = if f.is_list() {
                quote! { Vec<#ty> }
            } else {
                quote! { #ty }
            };
            if f.spec.required {
                quote! { #n: #held, }
            } else {
                quote! { #n: Option<#held>, }
            }
        });
        quote! {
            #request_doc
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub struct #request {
                #( #struct_fields )*
                charset: Charset,
            }
        }
    }

    /// `struct CouponSendRequestInput`: each field as given, unchecked; what both
    /// the builder and `from_wire` fill.
    fn input_struct(&self) -> TokenStream {
        let (request, input) = (&self.request, &self.input);
        let input_fields = self.fields.iter().map(|f| {
            let (n, set) = (&f.name, set_type(f));
            quote! { #n: Option<#set>, }
        });
        let input_doc =
            format!(" What [`{request}`] is checked from: each field as given, unchecked.");
        quote! {
            #[doc = #input_doc]
            struct #input {
                #( #input_fields )*
            }
        }
    }

    /// `impl CouponSendRequest`: `FIELDS`, the list constants, `builder`,
    /// `from_wire`, `resolve`, the accessors and `charset`.
    fn request_impl(&self) -> TokenStream {
        let (request, builder) = (&self.request, &self.builder);
        let field_count = Literal::usize_unsuffixed(self.fields.len());
        let field_specs = self.fields.iter().map(|f| {
            let (n, w, c) = (f.name.to_string(), f.wire, &f.code);
            quote! { FieldSpec { name: #n, wire: #w, code: ResultCode::#c } }
        });
        let list_consts = self.list_consts();
        let builder_init = self.fields.iter().map(|f| {
            let n = &f.name;
            if f.spec.required {
                let m = &f.marker;
                quote! { #n: missing::#m, }
            } else {
                quote! { #n: None, }
            }
        });
        let from_wire = self.wire_parser_fn();
        let resolve = self.resolve_fn();
        let accessors = self.fields.iter().map(|f| {
            let (n, ty, doc) = (&f.name, &f.ty, f.doc());
            match (f.is_list(), f.spec.required) {
                (true, true) => quote! { #doc pub fn #n(&self) -> &[#ty] { &self.#n } },
                (true, false) => {
                    quote! { #doc pub fn #n(&self) -> Option<&[#ty]> { self.#n.as_deref() } }
                }
                (false, true) => quote! { #doc pub fn #n(&self) -> &#ty { &self.#n } },
                (false, false) => {
                    quote! { #doc pub fn #n(&self) -> Option<&#ty> { self.#n.as_ref() } }
                }
            }
        });
        quote! {
            impl #request {
                /// The request fields as the spec describes them, in wire order.
                pub const FIELDS: [FieldSpec; #field_count] = [ #( #field_specs ),* ];
                #( #list_consts )*

                /// A builder; `build` compiles only once every required field is set.
                pub fn builder() -> #builder {
                    #builder { #( #builder_init )* }
                }

                #from_wire

                #resolve

                #( #accessors )*

                /// The charset the request's text was checked in.
                pub fn charset(&self) -> Charset {
                    self.charset
                }
            }
        }
    }

    /// `pub const RECIPIENTS_LIST: ListSpec`: one per list field.
    fn list_consts(&self) -> Vec<TokenStream> {
        self.fields
            .iter()
            .filter_map(|f| {
                let l = f.spec.list.as_ref()?;
                let c = &f.list_const;
                let max = Literal::u32_unsuffixed(*l.max.get_ref());
                let code = code_variant(self.spec, l.code.get_ref());
                let sep = &l.separator;
                let doc = format!(" How many values `{}` may hold, and the code for more.", f.wire);
                Some(quote! {
                    #[doc = #doc]
                    pub const #c: ListSpec = ListSpec { max: #max, code: ResultCode::#code, separator: #sep };
                })
            })
            .collect()
    }

    /// `fn from_wire`: reads each parameter by wire name (a list split by its
    /// separator) into the input, then `resolve`s it.
    fn wire_parser_fn(&self) -> TokenStream {
        let input = &self.input;
        // a request without fields reads neither its parameters nor its input
        let no_fields_used = self.fields.is_empty().then(|| quote! { let _ = params; });
        let from_wire_fields = self.fields.iter().map(|f| {
            let (n, w) = (&f.name, f.wire);
            match &f.spec.list {
                Some(l) => {
                    let sep = &l.separator;
                    quote! {
                        #n: wire_value(params, #w).map(|v| {
                            v.split(#sep).map(|item| FieldInput::raw(item.trim())).collect()
                        }),
                    }
                }
                None => quote! { #n: wire_value(params, #w).map(FieldInput::raw), },
            }
        });
        quote! {
            /// Parses raw wire parameters (as the server receives them) with the same
            /// checks as the builder, measuring text in `charset`. A missing required
            /// parameter answers that field's code; an empty value counts as missing.
            pub fn from_wire(params: &[(String, String)], charset: Charset) -> Result<Self, ValidationErrors> {
                #no_fields_used
                Self::resolve(#input { #( #from_wire_fields )* }, charset)
            }
        }
    }

    /// `fn resolve`: every field checked (each violation collected), then the
    /// rules across fields, then the request assembled when nothing was broken.
    fn resolve_fn(&self) -> TokenStream {
        let input = &self.input;
        let no_fields_used_input = self.fields.is_empty().then(|| quote! { let _ = input; });
        let given = self
            .op
            .checks
            .iter()
            .filter(|c| c.rule == CheckRule::OneOf)
            .flat_map(|c| c.fields.iter())
            .map(|f| {
                let n = ident(f.get_ref());
                let g = format_ident!("given_{n}");
                quote! { let #g = input.#n.is_some(); }
            });
        let resolve_fields = self.fields.iter().enumerate().map(|(i, f)| {
            let n = &f.name;
            let i = Literal::usize_unsuffixed(i);
            let at = quote! { &Self::FIELDS[#i] };
            match (&f.spec.list, f.spec.required) {
                (Some(_), required) => {
                    let c = &f.list_const;
                    // an optional list given empty is not given
                    let empty =
                        (!required).then(|| quote! { .map(|v| (!v.is_empty()).then_some(v)) });
                    quote! { let #n = check.list(#at, &Self::#c, #required, input.#n) #empty; }
                }
                (None, true) => quote! { let #n = check.required(#at, input.#n); },
                (None, false) => quote! { let #n = check.optional(#at, input.#n); },
            }
        });
        let checks = self.op.checks.iter().map(|c| self.cross_check(c));
        let names: Vec<&Ident> = self.fields.iter().map(|f| &f.name).collect();
        let assemble = if self.fields.is_empty() {
            quote! { check.finish(Some(Self { charset }), &FieldSpec { name: "request", wire: "", code: ResultCode::Success }) }
        } else {
            quote! {
                let value = match ( #( #names, )* ) {
                    ( #( Some(#names), )* ) => Some(Self { #( #names, )* charset }),
                    _ => None,
                };
                check.finish(value, &Self::FIELDS[0])
            }
        };
        quote! {
            #[allow(unused_mut)]
            fn resolve(input: #input, charset: Charset) -> Result<Self, ValidationErrors> {
                #no_fields_used_input
                let mut check = Collector::new(charset);
                #( #given )*
                #( #resolve_fields )*
                #( #checks )*
                #assemble
            }
        }
    }

    /// One rule across fields inside `resolve`: `not_after` (first ≤ second when
    /// both are given) or `one_of` (at least one given).
    fn cross_check(&self, c: &Check) -> TokenStream {
        let code = code_variant(self.spec, c.code.get_ref());
        match c.rule {
            CheckRule::NotAfter => {
                let [first, second] = [&c.first, &c.second]
                    .map(|f| f.as_ref().map_or(String::new(), |f| f.get_ref().clone()));
                let names = format!("{first}, {second}");
                let wires = format!("{}, {}", self.wire_of(&first), self.wire_of(&second));
                let (a, b) = (ident(&first), ident(&second));
                // Both fields are optional in the spec today; a required one is
                // `Option<T>` rather than `Option<Option<T>>` here.
                let pat = |n: &Ident| {
                    let required = self.fields.iter().any(|f| f.name == *n && f.spec.required);
                    if required {
                        quote! { Some(#n) }
                    } else {
                        quote! { Some(Some(#n)) }
                    }
                };
                let (pa, pb) = (pat(&a), pat(&b));
                quote! {
                    if let (#pa, #pb) = (&#a, &#b)
                        && #a > #b
                    {
                        check.across(#names, #wires, ResultCode::#code, Violation::OutOfOrder);
                    }
                }
            }
            CheckRule::OneOf => {
                let names: Vec<String> = c.fields.iter().map(|f| f.get_ref().clone()).collect();
                let wires = names
                    .iter()
                    .map(|n| self.wire_of(n))
                    .collect::<Vec<_>>()
                    .join(", ");
                let given = names.iter().map(|n| format_ident!("given_{n}"));
                let names = names.join(", ");
                quote! {
                    if !(#( #given )||*) {
                        check.across(#names, #wires, ResultCode::#code, Violation::NoneGiven);
                    }
                }
            }
        }
    }

    /// `pub struct CouponSendRequestBuilder<..>`: one type parameter per required
    /// field (`missing::…` until set), optional fields as `Option`s.
    fn builder_struct(&self) -> TokenStream {
        let (request, builder) = (&self.request, &self.builder);
        let required = self.required();
        let defaults = required.iter().map(|f| {
            let (s, m) = (&f.state, &f.marker);
            quote! { #s = missing::#m }
        });
        let generics_decl = (!required.is_empty()).then(|| quote! { < #( #defaults ),* > });
        let builder_fields = self.fields.iter().map(|f| {
            let (n, s, set) = (&f.name, &f.state, set_type(f));
            if f.spec.required {
                quote! { #n: #s, }
            } else {
                quote! { #n: Option<#set>, }
            }
        });
        let builder_doc = doc_lines(&if required.is_empty() {
            format!(
                "Builder of [`{request}`]. Every field is optional: its setter may be called in \
                 any order, and `build` checks them all."
            )
        } else {
            format!(
                "Builder of [`{request}`]. Each type parameter tracks one required field \
                 (`missing::…` until its setter is called), so `build` exists only once every \
                 required field is given. Optional fields have setters that may be called in any order."
            )
        });
        quote! {
            #builder_doc
            #[must_use]
            pub struct #builder #generics_decl {
                #( #builder_fields )*
            }
        }
    }

    /// One `impl` per required field: its setter exists while the field is still
    /// `missing::…` and turns that type parameter into the given value's type.
    fn required_setters(&self) -> TokenStream {
        let builder = &self.builder;
        let required = self.required();
        let impls = required.iter().map(|f| {
            let others: Vec<&Ident> = required
                .iter()
                .filter(|o| o.name != f.name)
                .map(|o| &o.state)
                .collect();
            // the builder's states with this field's as `state`
            let states = |state: TokenStream| {
                required.iter().map(move |o| match o.name == f.name {
                    true => state.clone(),
                    false => o.state.to_token_stream(),
                })
            };
            let m = &f.marker;
            let (before, after) = (states(quote! { missing::#m }), states(set_type(f)));
            let ([sig, bounds, v], doc) = (setter(f, quote! { self }), f.doc());
            let moves = self.fields.iter().map(|o| {
                let n = &o.name;
                if o.name == f.name {
                    quote! { #n: #v, }
                } else {
                    quote! { #n: self.#n, }
                }
            });
            quote! {
                impl< #( #others ),* > #builder< #( #before ),* > {
                    #doc
                    pub fn #sig -> #builder< #( #after ),* > #bounds {
                        #builder { #( #moves )* }
                    }
                }
            }
        });
        quote! { #( #impls )* }
    }

    /// The builder's type parameters, one per required field: `<GoodsIdState, ..>`,
    /// nothing when no field is required.
    fn generics(&self) -> Option<TokenStream> {
        let required = self.required();
        let states = required.iter().map(|f| &f.state);
        (!required.is_empty()).then(|| quote! { < #( #states ),* > })
    }

    /// The `impl` holding the optional fields' setters, callable in any state
    /// (nothing when every field is required).
    fn optional_setters(&self) -> TokenStream {
        let (builder, generics) = (&self.builder, self.generics());
        let setters = self.fields.iter().filter(|f| !f.spec.required).map(|f| {
            let (n, [sig, bounds, v], doc) = (&f.name, setter(f, quote! { mut self }), f.doc());
            quote! {
                #doc
                pub fn #sig -> Self #bounds {
                    self.#n = Some(#v);
                    self
                }
            }
        });
        if self.fields.iter().all(|f| f.spec.required) {
            quote! {}
        } else {
            quote! { impl #generics #builder #generics { #( #setters )* } }
        }
    }

    /// `build` and `build_with`, on the builder in every state, each bounded by
    /// one `missing::…Given` per required field: a field not given fails that
    /// bound, whose message names the field.
    fn build_impl(&self) -> TokenStream {
        let (request, builder, input) = (&self.request, &self.builder, &self.input);
        let generics = self.generics();
        let bounds: Vec<TokenStream> = self
            .required()
            .iter()
            .map(|f| {
                let (s, given, set) = (&f.state, given_trait(&f.name.to_string()), set_type(f));
                quote! { #s: missing::#given<#set>, }
            })
            .collect();
        let where_clause = (!bounds.is_empty()).then(|| quote! { where #( #bounds )* });
        let build_inputs = self.fields.iter().map(|f| {
            let n = &f.name;
            if f.spec.required {
                let given = given_trait(&n.to_string());
                quote! { #n: Some(missing::#given::into_given(self.#n)), }
            } else {
                quote! { #n: self.#n, }
            }
        });
        quote! {
            impl #generics #builder #generics {
                /// Checks every field in CP949 and returns the request, or every violation.
                pub fn build(self) -> Result<#request, ValidationErrors> #where_clause {
                    self.build_with(Charset::Cp949)
                }

                /// Checks every field measuring text in `charset` and returns the request,
                /// or every violation.
                pub fn build_with(self, charset: Charset) -> Result<#request, ValidationErrors> #where_clause {
                    #request::resolve(#input { #( #build_inputs )* }, charset)
                }
            }
        }
    }

    /// `impl Operation for CouponSendRequest`: its `OperationId` (name, path,
    /// methods and effect are read from the operation table), `wire_params`,
    /// `idempotency_key` and `from_wire`.
    fn operation_impl(&self) -> TokenStream {
        let request = &self.request;
        let variant = ident(&pascal(self.op.name()));
        let wire_params_body = self.wire_params_body();
        let idempotency = self.idempotency_body();
        quote! {
            impl Operation for #request {
                const ID: OperationId = OperationId::#variant;
                const FIELDS: &'static [FieldSpec] = &Self::FIELDS;

                fn wire_params(&self) -> Vec<(&'static str, Cow<'_, str>)> {
                    #wire_params_body
                }

                fn idempotency_key(&self) -> Option<&str> {
                    #idempotency
                }

                fn from_wire(params: &[(String, String)], charset: Charset) -> Result<Self, ValidationErrors> {
                    Self::from_wire(params, charset)
                }
            }
        }
    }

    /// The body of `wire_params`: the leading required fields open the vector,
    /// the rest are pushed in wire order (an optional one only when given).
    fn wire_params_body(&self) -> TokenStream {
        let fields = &self.fields;
        // A field's wire text from its value `v` (a list's values joined by its separator).
        let text = |f: &Field, v: TokenStream| match &f.spec.list {
            Some(l) => {
                let sep = &l.separator;
                quote! {
                    Cow::Owned(#v.iter().map(|v| v.wire_value()).collect::<Vec<_>>().join(#sep))
                }
            }
            None => quote! { #v.wire_value() },
        };
        // A required value as a `(wire, value)` tuple.
        let required_param = |f: &Field| {
            let (n, w) = (&f.name, f.wire);
            let t = text(f, quote! { self.#n });
            quote! { (#w, #t) }
        };
        let leading = fields.iter().take_while(|f| f.spec.required).count();
        let first_params: Vec<TokenStream> = fields[..leading].iter().map(required_param).collect();
        let params: Vec<TokenStream> = fields[leading..]
            .iter()
            .map(|f| {
                if f.spec.required {
                    let p = required_param(f);
                    quote! { params.push(#p); }
                } else {
                    let (n, w, t) = (&f.name, f.wire, text(f, quote! { v }));
                    quote! { if let Some(v) = &self.#n { params.push((#w, #t)); } }
                }
            })
            .collect();
        let field_count = Literal::usize_unsuffixed(fields.len());
        let extend = (leading > 0).then(|| quote! { params.extend([ #( #first_params ),* ]); });
        if params.is_empty() {
            quote! { Vec::from([ #( #first_params ),* ]) }
        } else {
            quote! {
                let mut params = Vec::with_capacity(#field_count);
                #extend
                #( #params )*
                params
            }
        }
    }

    /// The body of `idempotency_key`: the TR_ID field as text, or `None`.
    fn idempotency_body(&self) -> TokenStream {
        match self
            .op
            .idempotency_key()
            .and_then(|k| self.fields.iter().find(|f| f.name == k.name()))
        {
            Some(f) if f.spec.required => {
                let n = &f.name;
                quote! { Some(self.#n.as_str()) }
            }
            Some(f) => {
                let n = &f.name;
                quote! { self.#n.as_ref().map(|v| v.as_str()) }
            }
            None => quote! { None },
        }
    }
}

/// `GoodsIdGiven`: the bound `build` puts on the required field `goods_id`.
fn given_trait(name: &str) -> Ident {
    format_ident!("{}Given", pascal(name))
}

/// What a setter of `kind` accepts beyond the kind's own `From` impls (the
/// checked value, `&str` and `String`; `u64` for a count): a count takes every
/// other integer type (a negative or too large value is rejected by `build` with
/// the field's code, the limit and the value), text a `&String`, a `Cow<str>` and
/// a reference to the checked value.
fn input_conversions(kind: &Kind) -> TokenStream {
    let ty = ident(kind.type_name.get_ref());
    // counts and enums are `Copy`; text kinds hold their text
    let copied = match kind.rule {
        Rule::Count | Rule::Enum => quote! { *value },
        _ => quote! { value.clone() },
    };
    let by_ref = quote! {
        impl From<&#ty> for FieldInput<#ty> {
            fn from(value: &#ty) -> Self {
                FieldInput::checked(#copied)
            }
        }
    };
    match kind.rule {
        Rule::Count => {
            let unsigned = [quote! { u8 }, quote! { u16 }, quote! { u32 }];
            let signed = [quote! { i8 }, quote! { i16 }, quote! { i32 }];
            quote! {
                #by_ref
                #(
                    impl From<#unsigned> for FieldInput<#ty> {
                        fn from(value: #unsigned) -> Self {
                            FieldInput::from_result(#ty::new(u64::from(value)))
                        }
                    }
                )*
                impl From<usize> for FieldInput<#ty> {
                    fn from(value: usize) -> Self {
                        // no usize of a supported target exceeds u64
                        FieldInput::from_result(#ty::new(u64::try_from(value).unwrap_or(u64::MAX)))
                    }
                }
                #(
                    impl From<#signed> for FieldInput<#ty> {
                        fn from(value: #signed) -> Self {
                            FieldInput::from(i64::from(value))
                        }
                    }
                )*
                impl From<i64> for FieldInput<#ty> {
                    fn from(value: i64) -> Self {
                        FieldInput::from_result(
                            coufun_rules::non_negative(value, #ty::MIN).and_then(#ty::new),
                        )
                    }
                }
            }
        }
        Rule::Enum => by_ref,
        Rule::Text | Rule::Digits | Rule::Mobile | Rule::Token | Rule::Date => quote! {
            #by_ref
            impl From<&String> for FieldInput<#ty> {
                fn from(text: &String) -> Self {
                    FieldInput::raw(text.as_str())
                }
            }
            impl<'a> From<Cow<'a, str>> for FieldInput<#ty> {
                fn from(text: Cow<'a, str>) -> Self {
                    FieldInput::raw(text.into_owned())
                }
            }
        },
    }
}

/// The type a setter stores: `FieldInput<T>`, or a `Vec` of them for a list.
fn set_type(f: &Field) -> TokenStream {
    let ty = &f.ty;
    if f.is_list() {
        quote! { Vec<FieldInput<#ty>> }
    } else {
        quote! { FieldInput<#ty> }
    }
}

/// A setter's name, parameters and `where` bounds (a list takes any iterator),
/// and the value it stores, from its parameter.
fn setter(f: &Field, receiver: TokenStream) -> [TokenStream; 3] {
    let (n, ty) = (&f.name, &f.ty);
    if f.is_list() {
        [
            quote! { #n<I>(#receiver, values: I) },
            quote! { where I: IntoIterator, I::Item: Into<FieldInput<#ty>> },
            quote! { values.into_iter().map(Into::into).collect() },
        ]
    } else {
        [
            quote! { #n(#receiver, value: impl Into<FieldInput<#ty>>) },
            quote! {},
            quote! { value.into() },
        ]
    }
}
