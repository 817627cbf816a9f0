//! `#[derive(FromJson)]`: a reader of a `serde_json::Value` for a type,
//! following the same `#[serde(...)]` attributes its `Deserialize` derive
//! follows, so the two accept the same documents.
//!
//! Why not serde's derive: in the browser SDK every input is already a
//! parsed `Value`, and serde's generated visitor (a field-name visitor, a
//! map loop with a duplicate check per field, a second loop for missing
//! fields, all monomorphised per deserializer) was the largest part of the
//! wasm after the SDK's own code. The code this derive writes takes each
//! member out of the object by name and reads it with the member type's own
//! `FromJson`, which is a fraction of that.
//!
//! Supported, because the protocol uses them (anything else is a compile
//! error, never a silent difference):
//! - structs with named fields; container `deny_unknown_fields`, `default`,
//!   `rename_all`; field `default`, `default = "path"`, `rename = "…"`,
//!   `skip` / `skip_deserializing`;
//! - enums of unit variants, read from their (renamed) name;
//! - internally tagged enums (`tag = "…"`) of unit and struct variants.
//!
//! Other `serde` keys that do not change reading (`skip_serializing_if`,
//! `serialize_with`, …) are ignored.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::quote;
use syn::{
    parse_macro_input, Attribute, Data, DeriveInput, Error, Fields, FieldsNamed, Ident, LitStr,
    Path,
};

/// Derives `beckon_core::json::FromJson`; see the crate's documentation.
#[proc_macro_derive(FromJson, attributes(serde))]
pub fn derive_from_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// The `serde` attributes of a container (struct or enum).
#[derive(Default)]
struct ContainerAttrs {
    deny_unknown_fields: bool,
    default: bool,
    rename_all: Option<String>,
    tag: Option<String>,
}

/// The `serde` attributes of a field or a variant.
#[derive(Default)]
struct MemberAttrs {
    rename: Option<String>,
    /// `Some(None)`: `default`; `Some(Some(path))`: `default = "path"`.
    default: Option<Option<Path>>,
    skip: bool,
}

fn container_attrs(attrs: &[Attribute]) -> syn::Result<ContainerAttrs> {
    let mut out = ContainerAttrs::default();
    for attr in serde_attrs(attrs) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                out.deny_unknown_fields = true;
            } else if meta.path.is_ident("default") {
                if meta.input.peek(syn::Token![=]) {
                    return Err(meta.error("FromJson: container `default = …` is not supported"));
                }
                out.default = true;
            } else if meta.path.is_ident("rename_all") {
                out.rename_all = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if meta.path.is_ident("tag") {
                out.tag = Some(meta.value()?.parse::<LitStr>()?.value());
            } else {
                refuse_or_skip(
                    &meta,
                    &[
                        "content",
                        "untagged",
                        "from",
                        "try_from",
                        "transparent",
                        "remote",
                    ],
                )?;
            }
            Ok(())
        })?;
    }
    Ok(out)
}

fn member_attrs(attrs: &[Attribute]) -> syn::Result<MemberAttrs> {
    let mut out = MemberAttrs::default();
    for attr in serde_attrs(attrs) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                out.rename = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if meta.path.is_ident("default") {
                if meta.input.peek(syn::Token![=]) {
                    let path: LitStr = meta.value()?.parse()?;
                    out.default = Some(Some(path.parse()?));
                } else {
                    out.default = Some(None);
                }
            } else if meta.path.is_ident("skip") || meta.path.is_ident("skip_deserializing") {
                out.skip = true;
            } else {
                refuse_or_skip(
                    &meta,
                    &[
                        "flatten",
                        "alias",
                        "deserialize_with",
                        "with",
                        "borrow",
                        "other",
                    ],
                )?;
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// A key this derive does not handle is an error when it changes what is
/// read (`unsupported`), and skipped otherwise (`skip_serializing_if`…).
fn refuse_or_skip(meta: &syn::meta::ParseNestedMeta<'_>, unsupported: &[&str]) -> syn::Result<()> {
    if unsupported.iter().any(|k| meta.path.is_ident(k)) {
        return Err(meta.error("FromJson does not support this serde attribute"));
    }
    skip_value(meta)
}

/// Consumes `= value` or `(…)` of a key that does not concern reading.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_value(&inner))?;
    }
    Ok(())
}

fn serde_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("serde"))
}

/// A name as `rename_all` spells it (serde's rules for the two cases used).
fn renamed(name: &str, rule: Option<&str>, is_variant: bool) -> syn::Result<String> {
    Ok(match rule {
        None => name.to_owned(),
        Some("lowercase") => name.to_ascii_lowercase(),
        Some("snake_case") if is_variant => {
            let mut out = String::new();
            for (i, c) in name.char_indices() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        }
        // Field names are snake_case already.
        Some("snake_case") => name.to_owned(),
        Some(other) => {
            return Err(Error::new(
                Span::call_site(),
                format!("FromJson: rename_all = \"{other}\" is not supported"),
            ))
        }
    })
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let attrs = container_attrs(&input.attrs)?;
    let name = &input.ident;
    let mut generics = input.generics.clone();
    for param in generics.type_params_mut() {
        param
            .bounds
            .push(syn::parse_quote!(::beckon_core::json::FromJson));
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let body = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => struct_body(name, fields, &attrs)?,
            _ => {
                return Err(Error::new_spanned(
                    name,
                    "FromJson: only structs with named fields",
                ))
            }
        },
        Data::Enum(data) => match &attrs.tag {
            Some(tag) => tagged_body(data, tag, &attrs)?,
            None => unit_enum_body(data, &attrs)?,
        },
        Data::Union(_) => return Err(Error::new_spanned(name, "FromJson: no unions")),
    };
    Ok(quote! {
        impl #impl_generics ::beckon_core::json::FromJson for #name #ty_generics #where_clause {
            fn from_json(
                value: ::beckon_core::json::Value,
            ) -> ::core::result::Result<Self, ::beckon_core::json::Error> {
                #body
            }
        }
    })
}

/// The field initialisers of a struct or struct variant read from
/// `fields` (a `json::Fields`), and the names it accepts.
fn field_inits(
    fields: &FieldsNamed,
    attrs: &ContainerAttrs,
) -> syn::Result<(Vec<Tokens>, Vec<String>)> {
    let container_default = attrs.default;
    let mut inits = Vec::new();
    let mut names = Vec::new();
    for field in &fields.named {
        let ident = field
            .ident
            .as_ref()
            .ok_or_else(|| Error::new_spanned(field, "FromJson: unnamed field"))?;
        let member = member_attrs(&field.attrs)?;
        if member.skip {
            let value = if container_default {
                quote!(__default.#ident)
            } else {
                quote!(::core::default::Default::default())
            };
            inits.push(quote!(#ident: #value));
            continue;
        }
        let key = match member.rename {
            Some(key) => key,
            None => renamed(&ident.to_string(), attrs.rename_all.as_deref(), false)?,
        };
        let read = match member.default {
            Some(None) => quote!(fields.take(#key)?.unwrap_or_default()),
            Some(Some(path)) => quote!(fields.take(#key)?.unwrap_or_else(#path)),
            None if container_default => {
                quote!(match fields.take(#key)? {
                    ::core::option::Option::Some(v) => v,
                    ::core::option::Option::None => __default.#ident,
                })
            }
            None => quote!(fields.need(#key)?),
        };
        inits.push(quote!(#ident: #read));
        names.push(key);
    }
    Ok((inits, names))
}

fn struct_body(name: &Ident, fields: &FieldsNamed, attrs: &ContainerAttrs) -> syn::Result<Tokens> {
    let (inits, names) = field_inits(fields, attrs)?;
    let expected = format!("struct {name}");
    let deny = attrs
        .deny_unknown_fields
        .then(|| quote!(fields.deny_unknown(&[#(#names),*])?;));
    let default = attrs
        .default
        .then(|| quote!(let __default: Self = ::core::default::Default::default();));
    Ok(quote! {
        #[allow(unused_mut)]
        let mut fields = ::beckon_core::json::Fields::of(value, #expected)?;
        #deny
        #default
        ::core::result::Result::Ok(Self { #(#inits),* })
    })
}

/// A variant's name in JSON: its `rename`, else `rename_all` applied.
fn variant_key(variant: &syn::Variant, attrs: &ContainerAttrs) -> syn::Result<String> {
    match member_attrs(&variant.attrs)?.rename {
        Some(key) => Ok(key),
        None => renamed(
            &variant.ident.to_string(),
            attrs.rename_all.as_deref(),
            true,
        ),
    }
}

fn unit_enum_body(data: &syn::DataEnum, attrs: &ContainerAttrs) -> syn::Result<Tokens> {
    let mut names = Vec::new();
    let mut arms = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            return Err(Error::new_spanned(
                variant,
                "FromJson: an enum without `tag` may only have unit variants",
            ));
        }
        let key = variant_key(variant, attrs)?;
        let ident = &variant.ident;
        arms.push(quote!(#key => ::core::result::Result::Ok(Self::#ident)));
        names.push(key);
    }
    Ok(quote! {
        const VARIANTS: &[&str] = &[#(#names),*];
        let variant = ::beckon_core::json::unit_variant(value, VARIANTS)?;
        match variant.as_str() {
            #(#arms,)*
            other => ::core::result::Result::Err(::beckon_core::json::unknown_variant(other, VARIANTS)),
        }
    })
}

fn tagged_body(data: &syn::DataEnum, tag: &str, attrs: &ContainerAttrs) -> syn::Result<Tokens> {
    let mut names = Vec::new();
    let mut arms = Vec::new();
    for variant in &data.variants {
        let key = variant_key(variant, attrs)?;
        let ident = &variant.ident;
        let arm = match &variant.fields {
            // As serde's: a unit variant ignores the other members.
            Fields::Unit => quote!(::core::result::Result::Ok(Self::#ident)),
            Fields::Named(fields) => {
                // A variant's own attributes: fields keep their names
                // (serde's `rename_all` on an enum renames variants only).
                let field_attrs = ContainerAttrs::default();
                let (inits, field_names) = field_inits(fields, &field_attrs)?;
                let deny = attrs
                    .deny_unknown_fields
                    .then(|| quote!(fields.deny_unknown(&[#(#field_names),*])?;));
                quote!({
                    let out = Self::#ident { #(#inits),* };
                    #deny
                    ::core::result::Result::Ok(out)
                })
            }
            Fields::Unnamed(_) => {
                return Err(Error::new_spanned(
                    variant,
                    "FromJson: tagged enums take unit and struct variants",
                ))
            }
        };
        arms.push(quote!(#key => #arm));
        names.push(key);
    }
    Ok(quote! {
        const VARIANTS: &[&str] = &[#(#names),*];
        #[allow(unused_mut, unused_variables)]
        let (variant, mut fields) = ::beckon_core::json::Fields::tagged(value, #tag, VARIANTS)?;
        match variant.as_str() {
            #(#arms,)*
            other => ::core::result::Result::Err(::beckon_core::json::unknown_variant(other, VARIANTS)),
        }
    })
}
