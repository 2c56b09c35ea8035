//! Emits `requests.rs`: for each operation a checked request type, a typestate
//! builder (a missing required field does not compile), the wire parser the
//! sandbox uses, and the `Operation` impl. Field checks are the kinds' own.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::kinds::code_variant;
use super::{doc_lines, ident};
use crate::Spec;
use crate::model::{CheckRule, Effect, Kind, Operation, RequestField};

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
    code: Ident,
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
        let code = self
            .spec
            .code
            .as_ref()
            .map_or_else(|| self.kind.code.get_ref().clone(), |c| c.get_ref().clone());
        doc_lines(&format!(
            "{required}. Wire parameter `{}` (wire name source: {}). Kind `{}` ([`{}`]): {} \
             A broken rule answers `{code}`.{list}",
            self.wire,
            self.source,
            self.kind_key,
            self.kind.type_name.get_ref(),
            self.kind.doc,
        ))
    }
}

fn fields<'a>(spec: &'a Spec, op: &'a Operation) -> Vec<Field<'a>> {
    op.request
        .iter()
        .filter_map(|f| {
            let kind_key = f.kind.get_ref().as_str();
            let kind = spec.endpoints.kinds.get(kind_key)?;
            let code = f
                .code
                .as_ref()
                .map_or(kind.code.get_ref().as_str(), |c| c.get_ref().as_str());
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
                code: code_variant(spec, code),
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
        let doc = format!(" The required field `{name}` has not been given yet.");
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, Default)]
            pub struct #m;
        }
    });
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
        use crate::result_code::ResultCode;
        use crate::validation::{wire_value, Collector, FieldSpec, ListSpec, ValidationErrors, Violation};

        /// Markers of required fields a builder has not been given: `build` exists
        /// only once none is left, so a missing field is a compile error naming it.
        pub mod missing {
            #( #markers )*
        }

        #( #ops )*
    }
}

/// The tokens of one operation's request, input, builder and `Operation` impl.
pub fn emit_operation(spec: &Spec, op: &Operation) -> TokenStream {
    let fields = fields(spec, op);
    let request = request_type(op);
    let builder = format_ident!("{request}Builder");
    let input = format_ident!("{request}Input");
    let variant = ident(&pascal(op.name()));
    let path = op.path.name.get_ref();
    let count = fields.len();
    let required: Vec<&Field> = fields.iter().filter(|f| f.spec.required).collect();

    // a request without fields reads neither its parameters nor its input
    let (no_fields_used, no_fields_used_input) = if fields.is_empty() {
        (quote! { let _ = params; }, quote! { let _ = input; })
    } else {
        (quote! {}, quote! {})
    };
    let request_doc = doc_lines(&format!(
        "{} ({})\n\nPath `{path}` (source: {}), methods {}, effect {}. Build one with \
         [`{request}::builder`]; the sandbox parses one with [`{request}::from_wire`].",
        op.summary_en,
        op.summary_ko,
        super::source_label(spec, op.path.source.get_ref()),
        op.methods
            .iter()
            .map(|m| format!("{m:?}").to_uppercase())
            .collect::<Vec<_>>()
            .join(", "),
        match op.effect {
            Effect::Read => "read",
            Effect::Write => "write",
        },
    ));

    // The request's fields and accessors.
    let struct_fields = fields.iter().map(|f| {
        let (n, ty) = (&f.name, &f.ty);
        match (f.is_list(), f.spec.required) {
            (true, true) => quote! { #n: Vec<#ty>, },
            (true, false) => quote! { #n: Option<Vec<#ty>>, },
            (false, true) => quote! { #n: #ty, },
            (false, false) => quote! { #n: Option<#ty>, },
        }
    });
    let accessors = fields.iter().map(|f| {
        let (n, ty, doc) = (&f.name, &f.ty, f.doc());
        match (f.is_list(), f.spec.required) {
            (true, true) => quote! { #doc pub fn #n(&self) -> &[#ty] { &self.#n } },
            (true, false) => {
                quote! { #doc pub fn #n(&self) -> Option<&[#ty]> { self.#n.as_deref() } }
            }
            (false, true) => quote! { #doc pub fn #n(&self) -> &#ty { &self.#n } },
            (false, false) => quote! { #doc pub fn #n(&self) -> Option<&#ty> { self.#n.as_ref() } },
        }
    });

    // FIELDS and list specs.
    let field_specs = fields.iter().map(|f| {
        let (n, w, c) = (f.name.to_string(), f.wire, &f.code);
        quote! { FieldSpec { name: #n, wire: #w, code: ResultCode::#c } }
    });
    let list_consts = fields.iter().filter_map(|f| {
        let l = f.spec.list.as_ref()?;
        let c = format_ident!("{}_LIST", f.name.to_string().to_uppercase());
        let max = Literal::u32_unsuffixed(*l.max.get_ref());
        let code = code_variant(spec, l.code.get_ref());
        let sep = &l.separator;
        let doc = format!(" How many values `{}` may hold, and the code for more.", f.wire);
        Some(quote! {
            #[doc = #doc]
            pub const #c: ListSpec = ListSpec { max: #max, code: ResultCode::#code, separator: #sep };
        })
    });

    // The input struct both front ends fill.
    let input_fields = fields.iter().map(|f| {
        let (n, ty) = (&f.name, &f.ty);
        if f.is_list() {
            quote! { #n: Option<Vec<FieldInput<#ty>>>, }
        } else {
            quote! { #n: Option<FieldInput<#ty>>, }
        }
    });
    let from_wire_fields = fields.iter().map(|f| {
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

    // resolve(): every field checked, then the rules across fields.
    let given: Vec<TokenStream> = op
        .checks
        .iter()
        .filter(|c| c.rule == CheckRule::OneOf)
        .flat_map(|c| c.fields.iter())
        .map(|f| {
            let n = ident(f.get_ref());
            let g = format_ident!("given_{n}");
            quote! { let #g = input.#n.is_some(); }
        })
        .collect();
    let resolve_fields = fields.iter().enumerate().map(|(i, f)| {
        let n = &f.name;
        let i = Literal::usize_unsuffixed(i);
        let at = quote! { &Self::FIELDS[#i] };
        match (&f.spec.list, f.spec.required) {
            (Some(_), required) => {
                let c = format_ident!("{}_LIST", n.to_string().to_uppercase());
                if required {
                    quote! { let #n = check.list(#at, &Self::#c, true, input.#n); }
                } else {
                    quote! { let #n = check.list(#at, &Self::#c, false, input.#n).map(|v| (!v.is_empty()).then_some(v)); }
                }
            }
            (None, true) => quote! { let #n = check.required(#at, input.#n); },
            (None, false) => quote! { let #n = check.optional(#at, input.#n); },
        }
    });
    let wire_of = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .map_or(String::new(), |f| f.wire.to_owned())
    };
    let checks = op.checks.iter().map(|c| {
        let code = code_variant(spec, c.code.get_ref());
        match c.rule {
            CheckRule::NotAfter => {
                let first = c
                    .first
                    .as_ref()
                    .map_or(String::new(), |f| f.get_ref().clone());
                let second = c
                    .second
                    .as_ref()
                    .map_or(String::new(), |f| f.get_ref().clone());
                let names = format!("{first}, {second}");
                let wires = format!("{}, {}", wire_of(&first), wire_of(&second));
                let (a, b) = (ident(&first), ident(&second));
                // Both fields are optional in the spec today; a required one is
                // `Option<T>` rather than `Option<Option<T>>` here.
                let pat = |n: &Ident| {
                    let required = fields.iter().any(|f| f.name == *n && f.spec.required);
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
                    .map(|n| wire_of(n))
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
    });
    let names: Vec<&Ident> = fields.iter().map(|f| &f.name).collect();
    let assemble = if fields.is_empty() {
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

    // The builder.
    let states: Vec<&Ident> = required.iter().map(|f| &f.state).collect();
    let generics_decl = if required.is_empty() {
        quote! {}
    } else {
        let defaults = required.iter().map(|f| {
            let (s, m) = (&f.state, &f.marker);
            quote! { #s = missing::#m }
        });
        quote! { < #( #defaults ),* > }
    };
    let builder_fields = fields.iter().map(|f| {
        let (n, ty) = (&f.name, &f.ty);
        if f.spec.required {
            let s = &f.state;
            quote! { #n: #s, }
        } else if f.is_list() {
            quote! { #n: Option<Vec<FieldInput<#ty>>>, }
        } else {
            quote! { #n: Option<FieldInput<#ty>>, }
        }
    });
    let builder_init = fields.iter().map(|f| {
        let n = &f.name;
        if f.spec.required {
            let m = &f.marker;
            quote! { #n: missing::#m, }
        } else {
            quote! { #n: None, }
        }
    });
    let set_type = |f: &Field| {
        let ty = &f.ty;
        if f.is_list() {
            quote! { Vec<FieldInput<#ty>> }
        } else {
            quote! { FieldInput<#ty> }
        }
    };
    let setter_sig = |f: &Field, receiver: TokenStream| {
        let (n, ty) = (&f.name, &f.ty);
        if f.is_list() {
            (
                quote! { #n<I>(#receiver, values: I) },
                quote! { where I: IntoIterator, I::Item: Into<FieldInput<#ty>> },
            )
        } else {
            (
                quote! { #n(#receiver, value: impl Into<FieldInput<#ty>>) },
                quote! {},
            )
        }
    };
    let setter_value = |f: &Field| {
        if f.is_list() {
            quote! { values.into_iter().map(Into::into).collect() }
        } else {
            quote! { value.into() }
        }
    };
    let required_setters = required.iter().map(|f| {
        let others: Vec<&Ident> = required
            .iter()
            .filter(|o| o.name != f.name)
            .map(|o| &o.state)
            .collect();
        let m = &f.marker;
        let before = required.iter().map(|o| {
            if o.name == f.name {
                quote! { missing::#m }
            } else {
                let s = &o.state;
                quote! { #s }
            }
        });
        let set = set_type(f);
        let after = required.iter().map(|o| {
            if o.name == f.name {
                set.clone()
            } else {
                let s = &o.state;
                quote! { #s }
            }
        });
        let moves = fields.iter().map(|o| {
            let n = &o.name;
            if o.name == f.name {
                let v = setter_value(f);
                quote! { #n: #v, }
            } else {
                quote! { #n: self.#n, }
            }
        });
        let ((sig, bounds), doc) = (setter_sig(f, quote! { self }), f.doc());
        quote! {
            impl< #( #others ),* > #builder< #( #before ),* > {
                #doc
                pub fn #sig -> #builder< #( #after ),* > #bounds {
                    #builder { #( #moves )* }
                }
            }
        }
    });
    let optional_setters = fields.iter().filter(|f| !f.spec.required).map(|f| {
        let (n, (sig, bounds), doc, v) = (
            &f.name,
            setter_sig(f, quote! { mut self }),
            f.doc(),
            setter_value(f),
        );
        quote! {
            #doc
            pub fn #sig -> Self #bounds {
                self.#n = Some(#v);
                self
            }
        }
    });
    let has_optional = fields.iter().any(|f| !f.spec.required);
    let optional_impl = if !has_optional {
        quote! {}
    } else if required.is_empty() {
        quote! { impl #builder { #( #optional_setters )* } }
    } else {
        quote! { impl< #( #states ),* > #builder< #( #states ),* > { #( #optional_setters )* } }
    };
    let done_types = required.iter().map(|f| set_type(f));
    let done = if required.is_empty() {
        quote! { #builder }
    } else {
        quote! { #builder< #( #done_types ),* > }
    };
    let build_inputs = fields.iter().map(|f| {
        let n = &f.name;
        if f.spec.required {
            quote! { #n: Some(self.#n), }
        } else {
            quote! { #n: self.#n, }
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

    // The Operation impl.
    // A required value as a `(wire, value)` tuple; an optional one as a push.
    let join = |v: TokenStream, sep: &str| {
        quote! {
            Cow::Owned(#v.iter().map(|v| v.wire_value()).collect::<Vec<_>>().join(#sep))
        }
    };
    let required_param = |f: &Field| {
        let (n, w) = (&f.name, f.wire);
        match &f.spec.list {
            Some(l) => {
                let j = join(quote! { self.#n }, &l.separator);
                quote! { (#w, #j) }
            }
            None => quote! { (#w, self.#n.wire_value()) },
        }
    };
    // Leading required fields open the vector; the rest are pushed in wire order.
    let leading = fields.iter().take_while(|f| f.spec.required).count();
    let first_params = fields[..leading].iter().map(required_param);
    let params: Vec<TokenStream> = fields[leading..]
        .iter()
        .map(|f| {
            let (n, w) = (&f.name, f.wire);
            match (&f.spec.list, f.spec.required) {
                (_, true) => {
                    let p = required_param(f);
                    quote! { params.push(#p); }
                }
                (Some(l), false) => {
                    let j = join(quote! { v }, &l.separator);
                    quote! { if let Some(v) = &self.#n { params.push((#w, #j)); } }
                }
                (None, false) => {
                    quote! { if let Some(v) = &self.#n { params.push((#w, v.wire_value())); } }
                }
            }
        })
        .collect();
    let idempotency = match op
        .idempotency_key
        .as_ref()
        .and_then(|k| fields.iter().find(|f| f.name == k.get_ref().as_str()))
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
    };
    let field_count = Literal::usize_unsuffixed(count);
    let wire_params_body = if params.is_empty() {
        quote! { Vec::from([ #( #first_params ),* ]) }
    } else if leading == 0 {
        quote! {
            let mut params = Vec::with_capacity(#field_count);
            #( #params )*
            params
        }
    } else {
        quote! {
            let mut params = Vec::with_capacity(#field_count);
            params.extend([ #( #first_params ),* ]);
            #( #params )*
            params
        }
    };
    let input_doc = format!(" What [`{request}`] is checked from: each field as given, unchecked.");

    quote! {
        #request_doc
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct #request {
            #( #struct_fields )*
            charset: Charset,
        }

        #[doc = #input_doc]
        struct #input {
            #( #input_fields )*
        }

        impl #request {
            /// The request fields as the spec describes them, in wire order.
            pub const FIELDS: [FieldSpec; #field_count] = [ #( #field_specs ),* ];
            #( #list_consts )*

            /// A builder; `build` compiles only once every required field is set.
            pub fn builder() -> #builder {
                #builder { #( #builder_init )* }
            }

            /// Parses raw wire parameters (as the server receives them) with the same
            /// checks as the builder, measuring text in `charset`. A missing required
            /// parameter answers that field's code; an empty value counts as missing.
            pub fn from_wire(params: &[(String, String)], charset: Charset) -> Result<Self, ValidationErrors> {
                #no_fields_used
                Self::resolve(#input { #( #from_wire_fields )* }, charset)
            }

            #[allow(unused_mut)]
            fn resolve(input: #input, charset: Charset) -> Result<Self, ValidationErrors> {
                #no_fields_used_input
                let mut check = Collector::new(charset);
                #( #given )*
                #( #resolve_fields )*
                #( #checks )*
                #assemble
            }

            #( #accessors )*

            /// The charset the request's text was checked in.
            pub fn charset(&self) -> Charset {
                self.charset
            }
        }

        #builder_doc
        #[must_use]
        pub struct #builder #generics_decl {
            #( #builder_fields )*
        }

        #( #required_setters )*

        #optional_impl

        impl #done {
            /// Checks every field in CP949 and returns the request, or every violation.
            pub fn build(self) -> Result<#request, ValidationErrors> {
                self.build_with(Charset::Cp949)
            }

            /// Checks every field measuring text in `charset` and returns the request,
            /// or every violation.
            pub fn build_with(self, charset: Charset) -> Result<#request, ValidationErrors> {
                #request::resolve(#input { #( #build_inputs )* }, charset)
            }
        }

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
