//! `#[derive(Schema)]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

use crate::names::{camel, doc, is_byte_vec, krate, pairs, serde_rename};

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let attrs = pairs(&input.attrs, "schema")?;
    let krate = krate(&attrs)?;
    let ident = &input.ident;
    let field_list = |fields: &Fields| -> syn::Result<Vec<TokenStream>> {
        let mut out = Vec::new();
        if let Fields::Named(named) = fields {
            for f in &named.named {
                let Some(fident) = f.ident.as_ref() else { continue };
                let name = serde_rename(&f.attrs).unwrap_or_else(|| camel(&fident.to_string()));
                let fdoc = doc(&f.attrs);
                let ty = &f.ty;
                let sol = if is_byte_vec(ty) {
                    quote! { #krate::__private::Cow::Borrowed("bytes") }
                } else {
                    quote! { <#ty as #krate::eip712::Eip712Value>::sol_type() }
                };
                out.push(quote! { #krate::schema::FieldSchema { name: #name, ty: #sol, doc: #fdoc } });
            }
        } else if !matches!(fields, Fields::Unit) {
            return Err(syn::Error::new_spanned(fields, "Schema needs named fields"));
        }
        Ok(out)
    };
    let body = match &input.data {
        Data::Enum(e) => {
            let mut variants = Vec::new();
            for (tag, v) in e.variants.iter().enumerate() {
                let tag = u8::try_from(tag).map_err(|_| syn::Error::new_spanned(v, "over 256 variants"))?;
                let name = serde_rename(&v.attrs).unwrap_or_else(|| {
                    let s = v.ident.to_string();
                    let mut c = s.chars();
                    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
                });
                let vdoc = doc(&v.attrs);
                let vattrs = pairs(&v.attrs, "schema")?;
                let module = crate::names::get(&vattrs, "module").unwrap_or("").to_string();
                let fields = field_list(&v.fields)?;
                variants.push(quote! {
                    #krate::schema::VariantSchema {
                        name: #name, tag: #tag, module: #module, doc: #vdoc,
                        fields: #krate::__private::vec![#(#fields),*],
                    }
                });
            }
            quote! { #krate::schema::TypeSchema::Enum(#krate::__private::vec![#(#variants),*]) }
        }
        Data::Struct(s) => {
            let fields = field_list(&s.fields)?;
            quote! { #krate::schema::TypeSchema::Struct(#krate::__private::vec![#(#fields),*]) }
        }
        Data::Union(_) => return Err(syn::Error::new_spanned(ident, "Schema does not derive for unions")),
    };
    let (impl_g, ty_g, where_g) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_g #krate::schema::Schema for #ident #ty_g #where_g {
            fn schema() -> #krate::schema::TypeSchema {
                #body
            }
        }
    })
}
