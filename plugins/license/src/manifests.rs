//! Licenses declared in package manifests: Cargo.toml, package.json,
//! composer.json, pom.xml, pyproject.toml, setup.cfg, Python's PKG-INFO,
//! *.gemspec, NuGet's
//! *.nuspec and *.csproj. Each declaration keeps its path and line so that
//! a mismatch can be fixed where it is.

/// The manifest file names (and the suffixes of [`MANIFEST_SUFFIXES`])
/// this module reads.
pub const MANIFEST_NAMES: &[&str] =
    &["Cargo.toml", "package.json", "composer.json", "pom.xml", "pyproject.toml", "setup.cfg", "PKG-INFO"];

/// Manifests known by their extension.
pub const MANIFEST_SUFFIXES: &[&str] = &[".gemspec", ".nuspec", ".csproj"];

/// A license declaration found in a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    pub path: String,
    pub line: u32,
    /// The declared value, as written (an SPDX expression or a name).
    pub value: String,
}

/// True for files this module can read.
pub fn is_manifest(name: &str) -> bool {
    MANIFEST_NAMES.contains(&name) || MANIFEST_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

/// The license declared in the manifest `path` with contents `text`, if any.
pub fn declared(path: &str, text: &str) -> Option<Declaration> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let value = match name {
        "Cargo.toml" => cargo(text),
        "package.json" => package_json(text),
        "pom.xml" => pom(text),
        "pyproject.toml" => pyproject(text),
        "setup.cfg" => setup_cfg(text),
        "composer.json" => composer(text),
        "PKG-INFO" => core_metadata(text),
        _ if name.ends_with(".gemspec") => gemspec(text),
        _ if name.ends_with(".nuspec") || name.ends_with(".csproj") => nuget(text),
        _ => None,
    }?;
    let value = value.trim().to_owned();
    if value.is_empty() {
        return None;
    }
    Some(Declaration { path: path.to_owned(), line: line_of(text, &value), value })
}

/// The 1-based line where `needle` first appears (1 if it does not).
fn line_of(text: &str, needle: &str) -> u32 {
    let first = needle.lines().next().unwrap_or(needle);
    text.lines().position(|l| l.contains(first)).map_or(1, |i| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

fn cargo(text: &str) -> Option<String> {
    let value: toml::Table = toml::from_str(text).ok()?;
    let own = value.get("package").and_then(|p| p.get("license")).and_then(toml::Value::as_str);
    // `license.workspace = true` inherits from the workspace root, which
    // declares it under `[workspace.package]`.
    let workspace = || value.get("workspace")?.get("package")?.get("license")?.as_str();
    own.or_else(workspace).map(str::to_owned)
}

fn package_json(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    match value.get("license")? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => o.get("type")?.as_str().map(str::to_owned),
        _ => None,
    }
    .or_else(|| {
        // The old `licenses: [{type}]` form.
        let types: Vec<&str> =
            value.get("licenses")?.as_array()?.iter().filter_map(|l| l.get("type")?.as_str()).collect();
        (!types.is_empty()).then(|| types.join(" OR "))
    })
}

/// Python's core metadata (PKG-INFO, as source distributions carry it):
/// `License-Expression`, else a `License` that names a license, else the
/// license classifier.
fn core_metadata(text: &str) -> Option<String> {
    let headers = text.split("\n\n").next()?;
    let field = |name: &str| headers.lines().find_map(|l| l.strip_prefix(name)).map(str::trim);
    field("License-Expression:")
        .map(str::to_owned)
        .or_else(|| {
            field("License:")
                .filter(|v| v.len() <= 80 && (alias(v).is_some() || alternatives(v).is_some()))
                .map(str::to_owned)
        })
        .or_else(|| {
            headers
                .lines()
                .filter_map(|l| l.strip_prefix("Classifier:"))
                .find_map(|c| classifier_license(c.trim()))
                .map(str::to_owned)
        })
}

/// Composer's `license`: an SPDX expression, or an array of them that the
/// package offers as a choice.
fn composer(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    match value.get("license")? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(items) => {
            let ids: Vec<&str> = items.iter().filter_map(serde_json::Value::as_str).collect();
            (!ids.is_empty()).then(|| ids.join(" OR "))
        }
        _ => None,
    }
}

/// NuGet: `<license type="expression">` in a .nuspec or
/// `<PackageLicenseExpression>` in an SDK-style .csproj; else the older
/// `<licenseUrl>` / `<PackageLicenseUrl>`, resolved by its URL. (A
/// `type="file"` license names a file, not a license.)
fn nuget(text: &str) -> Option<String> {
    let element = |open: &str, close: &str| -> Option<String> {
        let from = text.find(open)? + open.len();
        let to = text[from..].find(close)? + from;
        Some(text[from..to].trim().to_owned())
    };
    element("<PackageLicenseExpression>", "</PackageLicenseExpression>")
        .or_else(|| element("<license type=\"expression\">", "</license>"))
        .or_else(|| {
            let url = element("<licenseUrl>", "</licenseUrl>")
                .or_else(|| element("<PackageLicenseUrl>", "</PackageLicenseUrl>"))?;
            Some(alias(&url).map_or(url, str::to_owned))
        })
}

/// Maven's `<licenses>`: each `<license>`'s name, resolved to an SPDX id
/// by its name or, failing that, its URL; several are a choice (OR).
fn pom(text: &str) -> Option<String> {
    let start = text.find("<licenses>")?;
    let end = text[start..].find("</licenses>").map_or(text.len(), |e| start + e);
    let block = &text[start..end];
    let element = |part: &str, tag: &str| -> Option<String> {
        let open = format!("<{tag}>");
        let from = part.find(&open)? + open.len();
        let to = part[from..].find(&format!("</{tag}>"))? + from;
        Some(part[from..to].trim().to_owned())
    };
    let names: Vec<String> = block
        .split("<license>")
        .skip(1)
        .filter_map(|license| {
            let name = element(license, "name");
            let url = element(license, "url");
            let resolved = name.as_deref().and_then(alias).or_else(|| url.as_deref().and_then(alias));
            resolved.map(str::to_owned).or(name).or(url)
        })
        .collect();
    (!names.is_empty()).then(|| names.join(" OR "))
}

/// The SPDX id a license name or URL stands for: the SPDX list's names and
/// see-also URLs, and the names package ecosystems use.
pub fn alias(value: &str) -> Option<&'static str> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static str>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        include_str!(concat!(env!("OUT_DIR"), "/aliases.tsv"))
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .collect()
    });
    let value = value.trim();
    if value.contains("://") || value.starts_with("www.") {
        return table.get(format!("url:{}", crate::normalize::url_key(value)).as_str()).copied();
    }
    let key = crate::normalize::name_key(value);
    // Names the SPDX list does not use but ecosystems do.
    const COMMON: &[(&str, &str)] = &[
        ("apache 2", "Apache-2.0"),
        ("apache 2 0", "Apache-2.0"),
        ("asl 2 0", "Apache-2.0"),
        ("apache software foundation 2 0", "Apache-2.0"),
        ("mit", "MIT"),
        ("mit x11", "MIT"),
        ("expat", "MIT"),
        ("bsd 3 clause", "BSD-3-Clause"),
        ("new bsd", "BSD-3-Clause"),
        ("revised bsd", "BSD-3-Clause"),
        ("modified bsd", "BSD-3-Clause"),
        ("bsd 2 clause", "BSD-2-Clause"),
        ("simplified bsd", "BSD-2-Clause"),
        ("freebsd", "BSD-2-Clause"),
        ("eclipse 1 0", "EPL-1.0"),
        ("eclipse 2 0", "EPL-2.0"),
        ("epl 1 0", "EPL-1.0"),
        ("epl 2 0", "EPL-2.0"),
        ("mozilla 2 0", "MPL-2.0"),
        ("mpl 2 0", "MPL-2.0"),
        ("gnu lesser general 2 1", "LGPL-2.1-only"),
        ("gnu lesser general 3", "LGPL-3.0-only"),
        ("gnu general 2", "GPL-2.0-only"),
        ("gnu general 3", "GPL-3.0-only"),
        ("gnu affero general 3", "AGPL-3.0-only"),
        ("common development and distribution 1 0", "CDDL-1.0"),
        ("common development and distribution 1 1", "CDDL-1.1"),
        ("cddl 1 1", "CDDL-1.1"),
        ("unlicense", "Unlicense"),
        ("isc", "ISC"),
        ("zlib", "Zlib"),
        ("boost 1 0", "BSL-1.0"),
        ("cc0 1 0", "CC0-1.0"),
        ("creative commons zero 1 0 universal", "CC0-1.0"),
    ];
    COMMON
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, id)| *id)
        .or_else(|| table.get(format!("name:{key}").as_str()).copied())
}

fn pyproject(text: &str) -> Option<String> {
    let value: toml::Table = toml::from_str(text).ok()?;
    let project = value.get("project").and_then(toml::Value::as_table);
    let from_project = project.and_then(|p| match p.get("license")? {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Table(t) => t.get("text")?.as_str().map(str::to_owned),
        _ => None,
    });
    let poetry = || value.get("tool")?.get("poetry")?.get("license")?.as_str().map(str::to_owned);
    let classifiers = || {
        let list = project?.get("classifiers")?.as_array()?;
        list.iter().filter_map(toml::Value::as_str).find_map(classifier_license).map(str::to_owned)
    };
    from_project.or_else(poetry).or_else(classifiers)
}

fn setup_cfg(text: &str) -> Option<String> {
    let mut in_metadata = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_metadata = trimmed == "[metadata]";
            continue;
        }
        if in_metadata
            && let Some((key, value)) = trimmed.split_once('=')
            && key.trim() == "license"
        {
            return Some(value.trim().to_owned());
        }
    }
    text.lines().find_map(|l| classifier_license(l.trim())).map(str::to_owned)
}

fn gemspec(text: &str) -> Option<String> {
    for line in text.lines() {
        let trimmed = line.trim();
        let Some(i) = trimmed.find(".license") else { continue };
        let rest = &trimmed[i..];
        let Some(eq) = rest.find('=') else { continue };
        let value = rest[eq + 1..].trim();
        let names: Vec<&str> = value
            .split(['\'', '"'])
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .filter(|s| !s.trim().is_empty())
            .collect();
        if !names.is_empty() {
            return Some(names.join(" OR "));
        }
    }
    None
}

/// The SPDX id for a Python trove classifier
/// (`License :: OSI Approved :: MIT License`).
fn classifier_license(classifier: &str) -> Option<&'static str> {
    let rest = classifier.trim_matches(['"', '\'', ',']).strip_prefix("License :: ")?;
    let name = rest.rsplit(" :: ").next()?;
    Some(match name {
        "MIT License" => "MIT",
        "Apache Software License" => "Apache-2.0",
        "BSD License" => "BSD-3-Clause",
        "ISC License (ISCL)" => "ISC",
        "Mozilla Public License 2.0 (MPL 2.0)" => "MPL-2.0",
        "GNU General Public License v2 (GPLv2)" => "GPL-2.0-only",
        "GNU General Public License v3 (GPLv3)" => "GPL-3.0-only",
        "GNU Lesser General Public License v2 or later (LGPLv2+)" => "LGPL-2.1-or-later",
        "GNU Lesser General Public License v3 (LGPLv3)" => "LGPL-3.0-only",
        "GNU Affero General Public License v3" => "AGPL-3.0-only",
        "Eclipse Public License 2.0 (EPL-2.0)" => "EPL-2.0",
        "The Unlicense (Unlicense)" => "Unlicense",
        "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication" => "CC0-1.0",
        "Boost Software License 1.0 (BSL-1.0)" => "BSL-1.0",
        "zlib/libpng License" => "Zlib",
        "Python Software Foundation License" => "PSF-2.0",
        _ => return None,
    })
}

/// The license ids of a declared value, by family (`GPL-2.0-only`,
/// `GPL-2.0-or-later` and `GPL-2.0+` are all `GPL-2.0`), sorted; `None`
/// when the value is not an SPDX expression or a known license name.
pub fn families(value: &str) -> Option<Vec<String>> {
    let Ok(expression) = spdx::Expression::parse_mode(value, spdx::ParseMode::LAX) else {
        // License names rather than an expression ("The Apache License,
        // Version 2.0"; several joined by OR).
        let mut ids: Vec<String> = Vec::new();
        for part in value.split(" OR ") {
            ids.push(family(alias(part)?));
        }
        ids.sort();
        ids.dedup();
        return Some(ids);
    };
    let mut ids: Vec<String> = expression
        .requirements()
        .filter_map(|r| {
            let license = family(r.req.license.id()?.name);
            Some(match r.req.addition.as_ref().and_then(|a| a.id()) {
                Some(exception) => format!("{license} WITH {}", exception.name),
                None => license,
            })
        })
        .collect();
    ids.sort();
    ids.dedup();
    (!ids.is_empty()).then_some(ids)
}

/// A set of licenses that apply together: one way to take the software.
pub type Alternative = std::collections::BTreeSet<String>;

/// The ways a declared SPDX expression offers to take the software, each a
/// set of license families that apply together (its disjunctive normal
/// form): `(MIT OR Apache-2.0) AND BSD-3-Clause` → `{MIT, BSD-3-Clause}`,
/// `{Apache-2.0, BSD-3-Clause}`. Cargo's old `MIT/Apache-2.0` is `OR`.
/// `None` when the value is not an SPDX expression.
pub fn alternatives(value: &str) -> Option<Vec<Alternative>> {
    let text = value.replace('/', " OR ").replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut at = 0;
    let result = or_expression(&tokens, &mut at)?;
    (at == tokens.len()).then_some(result)
}

fn or_expression(tokens: &[&str], at: &mut usize) -> Option<Vec<Alternative>> {
    let mut result = and_expression(tokens, at)?;
    while tokens.get(*at).is_some_and(|t| t.eq_ignore_ascii_case("or")) {
        *at += 1;
        result.extend(and_expression(tokens, at)?);
    }
    result.sort();
    result.dedup();
    Some(result)
}

fn and_expression(tokens: &[&str], at: &mut usize) -> Option<Vec<Alternative>> {
    let mut result = atom(tokens, at)?;
    while tokens.get(*at).is_some_and(|t| t.eq_ignore_ascii_case("and")) {
        *at += 1;
        let right = atom(tokens, at)?;
        // Every way of the left with every way of the right; bounded, as
        // manifests are short.
        let product: Vec<Alternative> =
            result.iter().flat_map(|l| right.iter().map(move |r| l.union(r).cloned().collect())).take(64).collect();
        result = product;
    }
    Some(result)
}

fn atom(tokens: &[&str], at: &mut usize) -> Option<Vec<Alternative>> {
    let token = *tokens.get(*at)?;
    *at += 1;
    if token == "(" {
        let inner = or_expression(tokens, at)?;
        (tokens.get(*at) == Some(&")")).then(|| *at += 1)?;
        return Some(inner);
    }
    let id = spdx::license_id(token)
        .or_else(|| spdx::imprecise_license_id(token).filter(|(_, used)| *used == token.len()).map(|(id, _)| id))?;
    let mut license = family(id.name);
    if tokens.get(*at).is_some_and(|t| t.eq_ignore_ascii_case("with")) {
        let exception = spdx::exception_id(tokens.get(*at + 1)?)?;
        *at += 2;
        license = format!("{license} WITH {}", exception.name);
    }
    Some(vec![Alternative::from([license])])
}

/// The family of an SPDX id: the id without `-only`, `-or-later` or `+`.
pub fn family(id: &str) -> String {
    let (license, exception) = id.split_once(" WITH ").map_or((id, None), |(l, e)| (l, Some(e)));
    let license = license.trim_end_matches('+').trim_end_matches("-only").trim_end_matches("-or-later");
    match exception {
        Some(exception) => format!("{license} WITH {exception}"),
        None => license.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composer_and_nuget_declarations_are_read() {
        let at = |path: &str, text: &str| declared(path, text).map(|d| (d.value, d.line));
        assert_eq!(
            at("composer.json", "{\n  \"name\": \"acme/x\",\n  \"license\": \"MIT\"\n}"),
            Some(("MIT".to_owned(), 3))
        );
        assert_eq!(
            at("composer.json", "{\"license\": [\"LGPL-2.1-only\", \"GPL-3.0-or-later\"]}").map(|d| d.0),
            Some("LGPL-2.1-only OR GPL-3.0-or-later".to_owned())
        );
        let nuspec =
            "<package>\n  <metadata>\n    <license type=\"expression\">Apache-2.0</license>\n  </metadata>\n</package>";
        assert_eq!(at("src/Acme.nuspec", nuspec), Some(("Apache-2.0".to_owned(), 3)));
        let csproj = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <PackageLicenseExpression>MIT</PackageLicenseExpression>\n  </PropertyGroup>\n</Project>";
        assert_eq!(at("Acme.csproj", csproj), Some(("MIT".to_owned(), 3)));
        let old =
            "<package><metadata><licenseUrl>https://opensource.org/licenses/MIT</licenseUrl></metadata></package>";
        assert_eq!(at("Old.nuspec", old).map(|d| d.0), Some("MIT".to_owned()));
        let file = "<package><metadata><license type=\"file\">LICENSE.txt</license></metadata></package>";
        assert_eq!(at("File.nuspec", file), None);
        assert!(is_manifest("Acme.csproj") && is_manifest("composer.json") && !is_manifest("Acme.sln"));
        let pkg = "Metadata-Version: 2.1\nName: six\nLicense: MIT\nClassifier: License :: OSI Approved :: MIT License\n\nSix is a ...\nLicense: GPL\n";
        assert_eq!(at("six-1.17.0/PKG-INFO", pkg), Some(("MIT".to_owned(), 3)));
        let classified = "Metadata-Version: 2.1\nName: x\nLicense: Dual License\nClassifier: License :: OSI Approved :: Apache Software License\n";
        assert_eq!(at("PKG-INFO", classified).map(|d| d.0), Some("Apache-2.0".to_owned()));
        let modern = "Metadata-Version: 2.4\nName: x\nLicense-Expression: MIT OR Apache-2.0\n";
        assert_eq!(at("PKG-INFO", modern).map(|d| d.0), Some("MIT OR Apache-2.0".to_owned()));
    }

    #[test]
    fn declared_expressions_become_their_alternatives() {
        let ways = |value: &str| -> Vec<Vec<String>> {
            alternatives(value).unwrap().into_iter().map(|a| a.into_iter().collect()).collect()
        };
        assert_eq!(ways("MIT OR Apache-2.0"), [vec!["Apache-2.0"], vec!["MIT"]]);
        assert_eq!(ways("MIT/Apache-2.0"), [vec!["Apache-2.0"], vec!["MIT"]]);
        assert_eq!(
            ways("(Apache-2.0 OR MIT) AND BSD-3-Clause"),
            [vec!["Apache-2.0", "BSD-3-Clause"], vec!["BSD-3-Clause", "MIT"]]
        );
        assert_eq!(
            ways("Apache-2.0 WITH LLVM-exception OR MIT"),
            [vec!["Apache-2.0 WITH LLVM-exception"], vec!["MIT"]]
        );
        assert_eq!(ways("GPL-2.0-or-later"), [vec!["GPL-2.0"]]);
        assert_eq!(alternatives("The Apache License, Version 2.0"), None);
        assert_eq!(alternatives("MIT AND ("), None);
    }

    #[test]
    fn names_and_urls_that_ecosystems_use_resolve_to_spdx_ids() {
        for (value, id) in [
            ("The Apache License, Version 2.0", "Apache-2.0"),
            ("Apache License 2.0", "Apache-2.0"),
            ("The Apache Software License, Version 2.0", "Apache-2.0"),
            ("https://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0"),
            ("http://opensource.org/licenses/MIT", "MIT"),
            ("MIT License", "MIT"),
            ("BSD 3-Clause License", "BSD-3-Clause"),
            ("Eclipse Public License - v 2.0", "EPL-2.0"),
            ("GNU General Public License, version 2", "GPL-2.0-only"),
            ("Mozilla Public License, Version 2.0", "MPL-2.0"),
        ] {
            assert_eq!(alias(value), Some(id), "{value}");
        }
        assert_eq!(alias("ACME Proprietary License"), None);
    }

    #[test]
    fn maven_licenses_resolve_by_name_or_url() {
        let pom = "<project><licenses><license><name>The Apache License, Version 2.0</name>\
                   <url>https://www.apache.org/licenses/LICENSE-2.0.txt</url></license></licenses></project>";
        assert_eq!(declared("pom.xml", pom).map(|d| d.value), Some("Apache-2.0".to_owned()));
        let by_url = "<licenses><license><name>ASF v2 (see url)</name><url>http://www.apache.org/licenses/LICENSE-2.0</url>\
                      </license><license><name>MIT License</name></license></licenses>";
        assert_eq!(declared("pom.xml", by_url).map(|d| d.value), Some("Apache-2.0 OR MIT".to_owned()));
        assert_eq!(
            families("The Apache License, Version 2.0 OR MIT License"),
            Some(vec!["Apache-2.0".to_owned(), "MIT".to_owned()])
        );
    }
}
