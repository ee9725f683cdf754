//! `#[derive(Eip712)]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

use crate::names::{camel, get, is_byte_vec, krate, pairs};

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let attrs = pairs(&input.attrs, "eip712")?;
    let krate = krate(&attrs)?;
    let ident = &input.ident;
    let name = get(&attrs, "name").map(str::to_string).unwrap_or_else(|| ident.to_string());
    if !input.generics.params.is_empty() {
        // The cached type hashes are statics, which generic instances would share.
        return Err(syn::Error::new_spanned(&input.generics, "Eip712 derives only for non-generic structs"));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(ident, "Eip712 derives only for structs"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(ident, "Eip712 needs named fields"));
    };
    let mut members = Vec::new();
    let mut referenced = Vec::new();
    let mut words = Vec::new();
    for f in &fields.named {
        let fattrs = pairs(&f.attrs, "eip712")?;
        let Some(fident) = f.ident.as_ref() else { continue };
        let member = get(&fattrs, "rename").map(str::to_string).unwrap_or_else(|| camel(&fident.to_string()));
        let ty = &f.ty;
        if is_byte_vec(ty) {
            members.push(quote! { #krate::eip712::Member { name: #member, ty: #krate::__private::Cow::Borrowed("bytes") } });
            words.push(
                quote! { enc.extend_from_slice(#krate::eip712::bytes_word(&self.#fident).as_slice()); },
            );
        } else {
            members.push(quote! {
                #krate::eip712::Member { name: #member, ty: <#ty as #krate::eip712::Eip712Value>::sol_type() }
            });
            referenced.push(quote! { <#ty as #krate::eip712::Eip712Value>::referenced(out); });
            words.push(quote! {
                enc.extend_from_slice(#krate::eip712::Eip712Value::word(&self.#fident).as_slice());
            });
        }
    }
    let (impl_g, ty_g, where_g) = input.generics.split_for_impl();
    Ok(quote! {
        const _: () = {
            impl #impl_g #krate::eip712::Eip712Struct for #ident #ty_g #where_g {
                const NAME: &'static str = #name;
                fn members() -> #krate::__private::Vec<#krate::eip712::Member> {
                    #krate::__private::vec![#(#members),*]
                }
                fn referenced_types(
                    out: &mut #krate::__private::BTreeMap<&'static str, #krate::__private::String>,
                ) {
                    #(#referenced)*
                }
                fn encode_fields(&self, enc: &mut #krate::__private::Vec<u8>) {
                    #(#words)*
                }
                // Computed once: hashing the type string costs as much as the rest of a transfer's
                // digest.
                fn type_hash() -> #krate::B256 {
                    static HASH: #krate::__private::OnceBox<#krate::B256> = #krate::__private::OnceBox::new();
                    *HASH.get_or_init(|| {
                        #krate::__private::Box::new(#krate::keccak256(
                            <Self as #krate::eip712::Eip712Struct>::encode_type_with(&[]),
                        ))
                    })
                }
                fn call_type_hash() -> #krate::B256 {
                    static HASH: #krate::__private::OnceBox<#krate::B256> = #krate::__private::OnceBox::new();
                    *HASH.get_or_init(|| {
                        #krate::__private::Box::new(#krate::keccak256(
                            <Self as #krate::eip712::Eip712Struct>::call_encode_type(),
                        ))
                    })
                }
            }
            impl #impl_g #krate::eip712::Eip712Value for #ident #ty_g #where_g {
                fn sol_type() -> #krate::__private::Cow<'static, str> {
                    #krate::__private::Cow::Borrowed(#name)
                }
                fn word(&self) -> #krate::B256 {
                    #krate::eip712::Eip712Struct::hash_struct(self)
                }
                fn referenced(
                    out: &mut #krate::__private::BTreeMap<&'static str, #krate::__private::String>,
                ) {
                    #krate::eip712::reference::<Self>(out)
                }
            }
        };
    })
}
