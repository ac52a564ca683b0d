//! Licenses declared in package manifests: Cargo.toml, package.json,
//! pom.xml, pyproject.toml, setup.cfg and *.gemspec. Each declaration keeps
//! its path and line so that a mismatch can be fixed where it is.

/// The manifest file names (and the suffix `.gemspec`) this module reads.
pub const MANIFEST_NAMES: &[&str] = &["Cargo.toml", "package.json", "pom.xml", "pyproject.toml", "setup.cfg"];

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
    MANIFEST_NAMES.contains(&name) || name.ends_with(".gemspec")
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
        _ if name.ends_with(".gemspec") => gemspec(text),
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

fn pom(text: &str) -> Option<String> {
    let licenses = &text[text.find("<licenses>")?..];
    let mut names = Vec::new();
    let mut rest = licenses;
    while let Some(start) = rest.find("<name>") {
        let after = &rest[start + 6..];
        let end = after.find("</name>")?;
        names.push(after[..end].trim().to_owned());
        rest = &after[end..];
        if rest.find("</licenses>").is_some_and(|close| rest.find("<name>").is_none_or(|next| close < next)) {
            break;
        }
    }
    (!names.is_empty()).then(|| names.join(" OR "))
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
    let expression = spdx::Expression::parse_mode(value, spdx::ParseMode::LAX).ok()?;
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

/// The family of an SPDX id: the id without `-only`, `-or-later` or `+`.
pub fn family(id: &str) -> String {
    let (license, exception) = id.split_once(" WITH ").map_or((id, None), |(l, e)| (l, Some(e)));
    let license = license.trim_end_matches('+').trim_end_matches("-only").trim_end_matches("-or-later");
    match exception {
        Some(exception) => format!("{license} WITH {exception}"),
        None => license.to_owned(),
    }
}
