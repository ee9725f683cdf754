//! Naming rules and attribute parsing shared by the derives.

use syn::{Attribute, Expr, ExprLit, Lit, Meta, Path, Type};

/// `snake_case` to `camelCase`, as serde's `rename_all = "camelCase"` does.
pub(crate) fn camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = false;
    for c in s.trim_start_matches("r#").chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `name = "value"` pairs of `#[tag(...)]` attributes.
pub(crate) fn pairs(attrs: &[Attribute], tag: &str) -> syn::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident(tag)) {
        let list = a.meta.require_list()?;
        let metas =
            list.parse_args_with(syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated)?;
        for m in metas {
            let nv = m.require_name_value()?;
            let key = nv.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            let Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) = &nv.value else {
                return Err(syn::Error::new_spanned(&nv.value, "expected a string literal"));
            };
            out.push((key, s.value()));
        }
    }
    Ok(out)
}

/// The value of `key` among `pairs`.
pub(crate) fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The path to `pillar_primitives` (`crate` inside it).
pub(crate) fn krate(pairs: &[(String, String)]) -> syn::Result<Path> {
    syn::parse_str(get(pairs, "crate").unwrap_or("::pillar_primitives"))
}

/// The serde rename of a field or variant, if any: the JSON name is then that.
pub(crate) fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let Ok(metas) =
            a.parse_args_with(syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        for m in metas {
            if let Meta::NameValue(nv) = m
                && nv.path.is_ident("rename")
                && let Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) = &nv.value
            {
                return Some(s.value());
            }
        }
    }
    None
}

/// Whether `ty` is written `Vec<u8>`, which EIP-712 encodes as `bytes`.
pub(crate) fn is_byte_vec(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else { return false };
    if last.ident != "Vec" {
        return false;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return false };
    matches!(args.args.first(), Some(syn::GenericArgument::Type(Type::Path(inner))) if inner.path.is_ident("u8"))
}

/// The first line of the item's `///` docs, trimmed.
pub(crate) fn doc(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let Meta::NameValue(nv) = &a.meta
            && let Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) = &nv.value
        {
            let line = s.value().trim().to_string();
            if line.is_empty() && !lines.is_empty() {
                break;
            }
            lines.push(line);
        }
    }
    lines.join(" ")
}
