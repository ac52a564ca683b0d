//! `security.binary-artifacts`: compiled artifacts recognised by their
//! content (ELF, PE, Mach-O, Java classes and archives, Python bytecode,
//! WebAssembly, static libraries), whatever their names say.

use fledge_sdk::prelude::*;

/// Bytes read from each file: enough for the PE header in most executables.
const HEAD: u64 = 512;

/// Every kind [`artifact_kind`] names.
pub(crate) const KINDS: &[&str] = &[
    "ELF executable",
    "ELF object file",
    "ELF shared library or executable",
    "Java archive (jar/war)",
    "Java class file",
    "Mach-O binary",
    "Mach-O universal binary",
    "Python bytecode (.pyc)",
    "Python wheel",
    "WebAssembly module",
    "Windows PE executable or DLL",
    "static library",
];

/// The kind of compiled artifact `head` (the first bytes of `name`) is.
///
/// ```
/// use fledge_plugin_security::artifact_kind;
/// assert_eq!(artifact_kind("notes.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00"), Some("ELF executable"));
/// assert_eq!(artifact_kind("Main.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x41"), Some("Java class file"));
/// assert_eq!(artifact_kind("readme.md", b"# hello"), None);
/// ```
pub fn artifact_kind(name: &str, head: &[u8]) -> Option<&'static str> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let u16_le = |at: usize| head.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u16_be = |at: usize| head.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let u32_be = |at: usize| head.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    if head.starts_with(b"\x7fELF") {
        return Some(match u16_le(16) {
            Some(1) => "ELF object file",
            Some(3) => "ELF shared library or executable",
            _ => "ELF executable",
        });
    }
    if head.starts_with(b"MZ") {
        let offset = head.get(0x3c..0x40).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        let pe = offset.and_then(|o| head.get(o..o + 4)).is_some_and(|sig| sig == b"PE\0\0");
        let dos_stub = head.windows(21).any(|w| w == b"cannot be run in DOS ");
        if pe || dos_stub || matches!(ext.as_str(), "exe" | "dll" | "sys" | "ocx" | "scr") {
            return Some("Windows PE executable or DLL");
        }
    }
    if [b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"]
        .iter()
        .any(|m| head.starts_with(*m))
    {
        return Some("Mach-O binary");
    }
    if head.starts_with(b"\xca\xfe\xba\xbe") {
        // Java classes and universal Mach-O binaries share this magic: a
        // class has its version here, a fat binary its (small) arch count.
        return match (u16_be(6), u32_be(4)) {
            (Some(major), _) if (45..=80).contains(&major) => Some("Java class file"),
            (_, Some(arches)) if arches > 0 && arches < 20 => Some("Mach-O universal binary"),
            _ => None,
        };
    }
    if head.starts_with(b"PK\x03\x04") {
        let meta_inf = head.windows(9).any(|w| w == b"META-INF/");
        if matches!(ext.as_str(), "jar" | "war" | "ear" | "aar" | "apk") || meta_inf {
            return Some("Java archive (jar/war)");
        }
        if ext == "whl" {
            return Some("Python wheel");
        }
    }
    if head.get(2..4) == Some(b"\r\n") && u16_le(0).is_some_and(|magic| (2900..4000).contains(&magic)) {
        return Some("Python bytecode (.pyc)");
    }
    if head.starts_with(b"\0asm") {
        return Some("WebAssembly module");
    }
    if head.starts_with(b"!<arch>\n") && matches!(ext.as_str(), "a" | "lib" | "") {
        return Some("static library");
    }
    None
}

pub(crate) fn check(repo: &Repo) -> Result<CheckResult> {
    let mut found: Vec<(String, &'static str)> = Vec::new();
    let mut examined = 0;
    for entry in repo.files()?.filter(|e| e.is_file() && e.size >= 4).cloned().collect::<Vec<_>>() {
        // The verdict on a blob depends on its content and its file name:
        // kept between runs, so a re-check reads only new blobs.
        let key = format!("security/artifact/v1/{}/{}", entry.id, entry.name());
        // An entry that is not one of the kinds (another version's) is read again.
        let cached = repo.cache_get(&key).and_then(|cached| match cached.as_slice() {
            b"" => Some(None),
            name => KINDS.iter().copied().find(|k| k.as_bytes() == name).map(Some),
        });
        let kind = match cached {
            Some(kind) => kind,
            None => {
                let head = match repo.read(&entry.path, HEAD) {
                    Ok(blob) => blob.data,
                    Err(_) => continue,
                };
                let kind = artifact_kind(entry.name(), &head);
                repo.cache_put(&key, kind.unwrap_or("").as_bytes());
                kind
            }
        };
        examined += 1;
        if let Some(kind) = kind {
            found.push((entry.path.clone(), kind));
        }
    }
    if found.is_empty() {
        return Ok(CheckResult::pass(format!("no compiled artifacts among {examined} files")));
    }
    let findings = found.iter().map(|(path, kind)| Finding::new(Severity::High, format!("{kind}: {path}")).at(path));
    Ok(CheckResult::fail(format!("{} compiled artifacts committed", found.len()))
        .findings(findings)
        .metric("binary-artifacts", found.len() as f64))
}
