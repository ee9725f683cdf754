//! `#[derive(Events)]`: a module's event enum, with global borsh tags, its schema and its
//! `EventSet` impl.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Expr, ExprLit, Fields, Lit, Meta};

use crate::names::{camel, doc, is_byte_vec, serde_rename};

/// `#[events(module = <expr>, first_tag = <int>)]`.
fn attrs(input: &DeriveInput) -> syn::Result<(Expr, u8)> {
    let mut module = None;
    let mut first = None;
    for a in input.attrs.iter().filter(|a| a.path().is_ident("events")) {
        let metas =
            a.parse_args_with(syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated)?;
        for m in metas {
            let nv = m.require_name_value()?;
            if nv.path.is_ident("module") {
                module = Some(nv.value.clone());
            } else if nv.path.is_ident("first_tag") {
                let Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) = &nv.value else {
                    return Err(syn::Error::new_spanned(&nv.value, "expected an integer"));
                };
                first = Some(i.base10_parse::<u8>()?);
            } else {
                return Err(syn::Error::new_spanned(&nv.path, "expected `module` or `first_tag`"));
            }
        }
    }
    match (module, first) {
        (Some(m), Some(f)) => Ok((m, f)),
        _ => Err(syn::Error::new_spanned(
            &input.ident,
            "Events needs #[events(module = <name>, first_tag = <tag of the first variant>)]",
        )),
    }
}

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let krate = quote! { ::pillar_primitives };
    let ident = &input.ident;
    let (module, first) = attrs(input)?;
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(ident, "Events derives only for enums"));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(&input.generics, "Events derives only for non-generic enums"));
    }
    let (mut ser, mut de, mut json, mut schema) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, v) in data.variants.iter().enumerate() {
        let tag = u8::try_from(usize::from(first) + i)
            .map_err(|_| syn::Error::new_spanned(v, "event tags end at 255"))?;
        let vident = &v.ident;
        let name = serde_rename(&v.attrs).unwrap_or_else(|| {
            let s = vident.to_string();
            let mut c = s.chars();
            c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
        });
        let vdoc = doc(&v.attrs);
        let Fields::Named(named) = &v.fields else {
            return Err(syn::Error::new_spanned(v, "event variants have named fields"));
        };
        let idents: Vec<_> = named.named.iter().filter_map(|f| f.ident.clone()).collect();
        ser.push(quote! {
            Self::#vident { #(#idents),* } => {
                w.write_all(&[#tag])?;
                #( #krate::__private::borsh::BorshSerialize::serialize(#idents, w)?; )*
                Ok(())
            }
        });
        de.push(quote! {
            #tag => Ok(Self::#vident {
                #( #idents: #krate::__private::borsh::BorshDeserialize::deserialize_reader(r)?, )*
            }),
        });
        json.push(name.clone());
        let mut fields = Vec::new();
        for f in &named.named {
            let Some(fident) = f.ident.as_ref() else { continue };
            let fname = serde_rename(&f.attrs).unwrap_or_else(|| camel(&fident.to_string()));
            let fdoc = doc(&f.attrs);
            let ty = &f.ty;
            let sol = if is_byte_vec(ty) {
                quote! { #krate::__private::Cow::Borrowed("bytes") }
            } else {
                quote! { <#ty as #krate::eip712::Eip712Value>::sol_type() }
            };
            fields.push(quote! { #krate::schema::FieldSchema { name: #fname, ty: #sol, doc: #fdoc } });
        }
        schema.push(quote! {
            #krate::schema::VariantSchema {
                name: #name, tag: #tag, module: #module, doc: #vdoc,
                fields: #krate::__private::vec![#(#fields),*],
            }
        });
    }
    let last = u8::try_from(usize::from(first) + data.variants.len().saturating_sub(1))
        .map_err(|_| syn::Error::new_spanned(ident, "event tags end at 255"))?;
    if data.variants.is_empty() {
        return Err(syn::Error::new_spanned(ident, "an event enum needs a variant (use NoEvents)"));
    }
    Ok(quote! {
        impl #krate::__private::borsh::BorshSerialize for #ident {
            fn serialize<W: #krate::__private::borsh::io::Write>(
                &self,
                w: &mut W,
            ) -> #krate::__private::borsh::io::Result<()> {
                match self { #(#ser)* }
            }
        }

        impl #krate::__private::borsh::BorshDeserialize for #ident {
            fn deserialize_reader<R: #krate::__private::borsh::io::Read>(
                r: &mut R,
            ) -> #krate::__private::borsh::io::Result<Self> {
                let tag = <u8 as #krate::__private::borsh::BorshDeserialize>::deserialize_reader(r)?;
                <Self as #krate::EventSet>::deserialize_tagged(tag, r)
            }
        }

        impl #krate::EventSet for #ident {
            fn owns_tag(tag: u8) -> bool {
                (#first..=#last).contains(&tag)
            }

            fn deserialize_tagged<R: #krate::__private::borsh::io::Read>(
                tag: u8,
                r: &mut R,
            ) -> #krate::__private::borsh::io::Result<Self> {
                match tag {
                    #(#de)*
                    other => Err(#krate::__private::unknown_tag(other)),
                }
            }

            fn owns_json_type(ty: &str) -> bool {
                matches!(ty, #(#json)|*)
            }

            fn schema() -> #krate::__private::Vec<#krate::schema::VariantSchema> {
                #krate::__private::vec![#(#schema),*]
            }

            fn take_any(slot: &mut dyn ::core::any::Any) -> Option<Self> {
                slot.downcast_mut::<Option<Self>>().and_then(Option::take)
            }
        }
    })
}
